# Test data: an unknown protocol on line 4.
name bad-protocol
summary test
allow 22/sctp
