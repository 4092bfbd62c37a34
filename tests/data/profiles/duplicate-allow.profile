# Test data: the same opening allowed twice (lines 4 and 5).
name duplicate-allow
summary test
allow 51820/udp purpose VPN
allow 51820/udp purpose again
