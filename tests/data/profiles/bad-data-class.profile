# Test data: a bad data class on line 4.
name bad-data-class
summary test
data-class medical
