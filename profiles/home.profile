# boxwarden profile: home
#
# For a household. To adapt it, copy this file to
#   ~/.config/boxwarden/profiles/my-home.profile
# change the `name` line to `name my-home`, edit the values, then run
#   boxwarden audit --profile my-home
# Every line is `key value...`; `#` starts a comment. The keys, the rule ids and
# the service classes are explained in profiles/README.md.
#
# Severities, from least to most serious: info, low, medium, high, critical.
# `boxwarden audit` exits with status 1 when a finding reaches --fail-on (default high).

name home
summary A household: a game console may use UPnP; no DMZ, no administration from the Internet

# What the network holds: personal (a household), business or health.
data-class personal

# DMZ mode sends every connection from the Internet to one device, so every port of
# that device is open. A household almost never needs it.
dmz high

# IPv6 firewall off (or at its lowest level): every device in the house can be
# reached from the Internet over IPv6, as if each were in the DMZ.
ipv6-firewall-off high

# UPnP lets devices on the network open ports by themselves. Game consoles use it
# for online play, so a household may keep it on ("allow"). Every port a device
# opens this way is still checked on its own, below.
upnp-enabled allow

# Administration of the box from the Internet (remote admin). Keep it off.
remote-admin high

# A forward, typed into the box's pages, of a port the catalogue does not know.
other-forward medium

# The same, but opened by a device itself through UPnP: consoles, chat and game
# programs open ports like this. Tolerated at home, so only reported as low.
# (A well-known dangerous service opened through UPnP, such as Windows file
# sharing, keeps its own severity.)
other-upnp-mapping low

# No forward is reported below this severity (info: no floor at home).
forward-minimum info

# A setting the box did not let boxwarden read (for example the DMZ when only UPnP
# can be used). Never assumed safe: low at the very least.
unknown-field medium

# Severities for whole classes of services, replacing the catalogue's defaults.
class gaming low          # Xbox Live 3074, PlayStation 3478-3480, Steam 27015: fine for a console
class health critical     # medical images or records must never face the Internet

# Openings you expect, reported as info and never closed by `boxwarden fix`:
#   allow PORT[-LAST]/tcp|udp|both [host IPV4] [purpose TEXT]
# For example, the WireGuard VPN `boxwarden vpn` sets up on 192.168.1.2:
# allow 51820/udp host 192.168.1.2 purpose WireGuard VPN
