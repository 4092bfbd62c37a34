# boxwarden profile: strict
#
# Nothing inbound at all: no forward, no UPnP mapping, no DMZ, no UPnP, no
# administration from the Internet. Every finding is high or critical, so
# `boxwarden audit` fails (exit status 1) on any opening.
# Every line is `key value...`; `#` starts a comment. Keys, rule ids and service
# classes: profiles/README.md. Severities: info, low, medium, high, critical.

name strict
summary Nothing inbound at all: every forward, mapping, DMZ, UPnP and remote administration is a finding

# Change to business or health when the network holds such data: findings then say so.
data-class personal

# DMZ mode opens every port of one computer to the Internet.
dmz critical

# IPv6 firewall off (or at its lowest level): every device reachable over IPv6.
ipv6-firewall-off critical

# UPnP lets any program on the network open ports by itself.
upnp-enabled high

# Administration of the box from the Internet.
remote-admin high

# A forward of a port the catalogue does not know.
other-forward high

# The same, opened by a device itself through UPnP.
other-upnp-mapping high

# Every forward, whatever its service, is at least high.
forward-minimum high

# A setting the box did not let boxwarden read: nothing is assumed safe.
unknown-field high

# No `allow` line: nothing is expected to be open.
