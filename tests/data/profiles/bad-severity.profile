# Test data: a bad severity on line 4.
name bad-severity
summary test
dmz severe
