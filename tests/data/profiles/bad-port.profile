# Test data: a port out of range on line 5.
name bad-port
summary test

allow 70000/tcp purpose nothing
