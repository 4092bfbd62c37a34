# Test data: a reversed range on line 4.
name bad-range
summary test
allow 2000-1000/tcp
