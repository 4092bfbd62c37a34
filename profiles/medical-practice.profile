# boxwarden profile: medical-practice
#
# For a doctor's, dentist's, physiotherapist's or radiologist's practice. The
# network holds patients' health data (GDPR Art. 9): nothing may be reachable from
# the Internet except the WireGuard VPN port, which is the safe way to reach the
# practice from outside (boxwarden vpn). The CNIL fined two doctors in 2020
# (SAN-2020-014, SAN-2020-015) whose medical images could be downloaded from the
# Internet; the first had put his PC in the box's DMZ.
#
# To adapt it, copy it to ~/.config/boxwarden/profiles/my-practice.profile and
# change the `name` line to `name my-practice`.
# Every line is `key value...`; `#` starts a comment. Keys, rule ids and service
# classes: profiles/README.md. Severities: info, low, medium, high, critical.

name medical-practice
summary A medical practice (health data, GDPR Art. 9): nothing inbound except the WireGuard VPN port

# Patients' health data: every exposure finding says so.
data-class health

# DMZ mode opens every port of one computer to the Internet: how the first fined
# doctor's images leaked.
dmz critical

# IPv6 firewall off (or at its lowest level): with IPv6 every computer has its own
# Internet address, so every computer of the practice would be reachable, as if each
# were in the DMZ. The imaging PC of the CNIL case would need no DMZ at all.
ipv6-firewall-off critical

# UPnP lets any program on the network open ports by itself, malware included.
upnp-enabled high

# Administration of the box from the Internet.
remote-admin high

# Any forward not allowed below, of a port the catalogue does not know.
other-forward high

# The same, opened by a device itself through UPnP.
other-upnp-mapping high

# Nothing inbound: every forward not allowed below is at least high.
forward-minimum high

# A setting the box did not let boxwarden read (for example the DMZ): it must be
# checked by hand before the network can be called safe.
unknown-field high

# Services that reach patients' data directly: any forward of them is critical.
class health critical           # DICOM 104/11112/2762, Orthanc 4242/8042, HL7 2575
class remote-desktop critical   # RDP 3389, VNC 5900: a screen on the practice PC
class file-sharing critical     # Windows sharing 445/139, FTP 21, NFS 2049
class database critical         # MySQL 3306, PostgreSQL 5432, SQL Server 1433, ...

# The only opening: the WireGuard VPN (one UDP port, encrypted, keys not passwords).
# To tie it to the computer that runs it, add its address, e.g.
#   allow 51820/udp host 192.168.1.2 purpose WireGuard VPN
allow 51820/udp purpose WireGuard VPN
