# Test data: the name does not match the file name (line 2).
name something-else
summary test
