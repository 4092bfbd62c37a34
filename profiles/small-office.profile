# boxwarden profile: small-office
#
# For a small office (a shop, an accountant, an architect): no UPnP, no DMZ, no
# administration from the Internet, and only the forwards this file names.
# To adapt it, copy it to ~/.config/boxwarden/profiles/my-office.profile, change
# the `name` line to `name my-office`, and add your `allow` lines at the end.
# Every line is `key value...`; `#` starts a comment. Keys, rule ids and service
# classes: profiles/README.md. Severities: info, low, medium, high, critical.

name small-office
summary A small office: no UPnP, no DMZ, no remote administration; only the forwards it names

# Customers' and staff's personal data (GDPR).
data-class business

# DMZ mode opens every port of one computer to the Internet. Not in an office.
dmz high

# IPv6 firewall off (or at its lowest level): every computer of the office can be
# reached from the Internet over IPv6, as if each were in the DMZ.
ipv6-firewall-off high

# UPnP lets any program on the network open ports by itself, malware included.
upnp-enabled high

# Administration of the box from the Internet.
remote-admin high

# A forward this file does not name, of a port the catalogue does not know.
other-forward high

# The same, opened by a device itself through UPnP.
other-upnp-mapping high

# Any forward this file does not name is at least medium, even a game or VPN port.
forward-minimum medium

# A setting the box did not let boxwarden read: check it by hand.
unknown-field medium

# Remote desktop is the first way in for ransomware against small firms.
class remote-desktop critical

# Openings the office needs, reported as info and never closed by `boxwarden fix`:
#   allow PORT[-LAST]/tcp|udp|both [host IPV4] [purpose TEXT]
# For example, the office VPN set up by `boxwarden vpn` on 192.168.1.2:
# allow 51820/udp host 192.168.1.2 purpose WireGuard VPN
