# Test data: a host that is not an IPv4 address on line 4.
name bad-host
summary test
allow 22/tcp host my-pc
