"""What an emulated Livebox stores, made real in nftables (the lab's box namespace).

`render(state, wan_if)` is pure: it gives the nft script for the emulator's own table
`ip livebox_emu`, replacing it atomically. Enabled port forwards are DNATs of their
ports at priority -110 (before miniupnpd's -100), the DMZ is a DNAT of everything else at
priority -90 (after miniupnpd: on a real Livebox forwards and UPnP mappings win over the
DMZ). The lab's filter forward chain accepts `ct status dnat`, so what is DNATed is reachable.

`render6(state, wan_if, lan_if)` gives the box's IPv6 firewall effect: it refills the regular
chain `box_ipv6` of `table inet filter`, which the lab's IPv6 forward chain jumps to (a LAB_IPV6
lab, tests/lab/lib.sh): IPv6 level Low (it filters nothing) accepts everything from the WAN to
the LAN, and each enabled pinhole accepts its protocol, address, port and source prefix.
"""

import ipaddress
import subprocess

TABLE = "livebox_emu"
PROTO_NAMES = {"6": "tcp", "17": "udp"}


def _ipv4(text):
    try:
        return str(ipaddress.IPv4Address(str(text).strip()))
    except ValueError:
        return None


def _sources(prefix):
    """SourcePrefix ("" = any) as an nft match, or None when it names nothing usable."""
    items = []
    for part in str(prefix or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            items.append(str(ipaddress.IPv4Network(part, strict=False)))
        except ValueError:
            continue
    if not str(prefix or "").strip():
        return ""
    if not items:
        return None
    return "ip saddr { %s } " % ", ".join(items)


def _ports(text):
    a, _, b = str(text or "").partition("-")
    try:
        lo, hi = int(a), int(b) if b else int(a)
    except ValueError:
        return None
    if not (1 <= lo <= hi <= 65535):
        return None
    return lo, hi


def forward_rules(rule, wan_if):
    """nft rule lines for one stored port forward (empty when disabled or unusable)."""
    if not rule.get("Enable", False):
        return []
    dest = _ipv4(rule.get("DestinationIPAddress"))
    ext = _ports(rule.get("ExternalPort") or rule.get("InternalPort"))
    internal = _ports(rule.get("InternalPort"))
    src = _sources(rule.get("SourcePrefix"))
    if dest is None or ext is None or internal is None or src is None:
        return []
    dport = str(ext[0]) if ext[0] == ext[1] else "%d-%d" % ext
    if ext[0] != ext[1] and internal[0] == ext[0]:
        to = dest  # a range forwarded to the same ports
    else:
        to = "%s:%d" % (dest, internal[0])
    lines = []
    for number in sorted({p.strip() for p in str(rule.get("Protocol", "")).split(",")}):
        name = PROTO_NAMES.get(number)
        if name:
            lines.append('iifname "%s" %s%s dport %s dnat to %s' % (wan_if, src, name, dport, to))
    return lines


def dmz_rules(entry, wan_if):
    if not entry.get("Enable", False):
        return []
    dest = _ipv4(entry.get("DestinationIPAddress"))
    src = _sources(entry.get("SourcePrefix"))
    if dest is None or src is None:
        return []
    return ['iifname "%s" %sdnat to %s' % (wan_if, src, dest)]


IPV6_TABLE = "filter"
IPV6_CHAIN = "box_ipv6"


def _ipv6(text):
    try:
        return str(ipaddress.IPv6Address(str(text).strip()))
    except ValueError:
        return None


def _sources6(prefix):
    """SourcePrefix ("" = any) as an ip6 saddr match, or None when it names nothing usable."""
    if not str(prefix or "").strip():
        return ""
    items = []
    for part in str(prefix).replace(";", ",").split(","):
        try:
            items.append(str(ipaddress.IPv6Network(part.strip(), strict=False)))
        except ValueError:
            continue
    return "ip6 saddr { %s } " % ", ".join(items) if items else None


def pinhole_rules(hole, wan_if, lan_if):
    """nft rule lines for one stored pinhole (empty when disabled or unusable)."""
    if not hole.get("Enable", False):
        return []
    dest = _ipv6(hole.get("DestinationIPAddress"))
    src = _sources6(hole.get("SourcePrefix"))
    port = str(hole.get("DestinationPort") or "")
    ports = _ports(port) if port else None
    if dest is None or src is None or (port and ports is None):
        return []
    dport = "" if not ports else " dport %s" % (str(ports[0]) if ports[0] == ports[1] else "%d-%d" % ports)
    lines = []
    for number in sorted({p.strip() for p in str(hole.get("Protocol", "")).split(",")}):
        name = PROTO_NAMES.get(number)
        if not name:
            continue
        match = "%s%s" % (name, dport) if dport else "meta l4proto %s" % name
        lines.append('iifname "%s" oifname "%s" %sip6 daddr %s %s accept' % (wan_if, lan_if, src, dest, match))
    return lines


def render6(state, wan_if, lan_if="br0"):
    """The script that refills chain box_ipv6 (it must exist: the lab makes it) atomically."""
    lines = []
    if state.get("firewall", {}).get("ipv6_level") == "Low":
        lines.append('iifname "%s" oifname "%s" meta nfproto ipv6 accept' % (wan_if, lan_if))
    for key in sorted(state.get("pinholes", {})):
        lines += pinhole_rules(state["pinholes"][key], wan_if, lan_if)
    out = ["flush chain inet %s %s" % (IPV6_TABLE, IPV6_CHAIN)]
    out += ["add rule inet %s %s %s" % (IPV6_TABLE, IPV6_CHAIN, line) for line in lines]
    return "\n".join(out) + "\n"


def flush6():
    subprocess.run(["nft", "flush", "chain", "inet", IPV6_TABLE, IPV6_CHAIN], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def render(state, wan_if):
    forwards = []
    for key in sorted(state.get("port_forwards", {})):
        forwards += forward_rules(state["port_forwards"][key], wan_if)
    dmz = []
    for key in sorted(state.get("dmz", {})):
        dmz += dmz_rules(state["dmz"][key], wan_if)
    return render_table(TABLE, forwards, dmz)


def render_table(table, forwards, dmz, extra_chains=()):
    """The script that replaces `table` with a forwards chain (DNATs at -110, before
    miniupnpd), a DMZ chain (at -90, after it) and `extra_chains` (lists of lines)."""
    body = ["table ip %s {" % table,
            "  chain forwards {",
            "    type nat hook prerouting priority -110; policy accept;"]
    body += ["    " + line for line in forwards]
    body += ["  }",
             "  chain dmz {",
             "    type nat hook prerouting priority -90; policy accept;"]
    body += ["    " + line for line in dmz]
    body += ["  }"]
    for chain in extra_chains:
        body += ["  " + line for line in chain]
    body += ["}"]
    # add + delete + define in one transaction: atomic, and works whether the table exists.
    return "add table ip %s\ndelete table ip %s\n%s\n" % (table, table, "\n".join(body))


def apply(script):
    """Loads the script into the current network namespace's nftables; raises on failure."""
    subprocess.run(["nft", "-f", "-"], input=script.encode(), check=True,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def remove(table=TABLE):
    subprocess.run(["nft", "delete", "table", "ip", table], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
