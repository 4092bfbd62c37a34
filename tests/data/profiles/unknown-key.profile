# Test data: a key with a typo on line 4.
name unknown-key
summary test
remote-admn high
