# Test data: dmz set on line 3 and again on line 6.
name duplicate-key
dmz high
summary test

dmz critical  # again
