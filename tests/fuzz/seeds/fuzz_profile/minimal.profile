name fuzz
summary A fuzz profile
data-class health
dmz critical
upnp-enabled allow
remote-admin high
other-forward medium
allow 51820/udp host 192.168.1.5 purpose WireGuard VPN
allow 1000-1010/tcp
