# Test data: an unknown service class on line 4.
name bad-class
summary test
class medical critical
