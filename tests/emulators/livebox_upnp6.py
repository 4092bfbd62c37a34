"""The Livebox's own UPnP IGD over IPv6, for the emulator: a real Livebox lists the pinholes
its IGD opened in Firewall:getPinhole with Origin "upnp", and deleting one there closes it.
In the lab the IGD is miniupnpd, whose pinholes are accept rules in chain `miniupnpd` of
`table inet filter` in the box namespace. This module reads them (`nft -j` for what they
match, `nft --debug=netlink` for miniupnpd's own label "pinhole-<uid> ts-<expiry>: <desc>",
which `nft -j` does not show) and deletes one by its rule handle. miniupnpd answers from a
cache of its rules that it re-reads from nftables only after a change of its own: `refresh`
(the IPv4 IGD mirror's touch()) makes one, so that it no longer knows a pinhole deleted here,
as a real box's IGD would not.

Runs only inside the box namespace (it calls `nft` there); parse_rules() is pure.
"""

import ipaddress
import re
import subprocess

PROTO_NUMBERS = {"tcp": 6, "udp": 17}
LABEL = re.compile(r"pinhole-(\d+) ts-(\d+): ?(.*)")
# A rule header then its userdata line, in `nft --debug=netlink list chain` output.
DEBUG_RULE = re.compile(r"^\S+ \S+ \S+ (\d+)(?: \d+)?$")
DEBUG_USERDATA = re.compile(r"^\s*userdata = \{ ?(.*?) ?\}$")


def _addr(value):
    """An IPv6 address from nft's JSON: a literal or a raw 128-bit hex payload."""
    try:
        if isinstance(value, str) and value.startswith("0x"):
            return str(ipaddress.IPv6Address(int(value, 16)))
        return str(ipaddress.IPv6Address(str(value).split("/")[0]))
    except (ValueError, ipaddress.AddressValueError):
        return None


def _port(value):
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict) and isinstance(value.get("range"), list) and len(value["range"]) == 2:
        return "%d-%d" % tuple(value["range"])
    return None


def _proto(value):
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return PROTO_NUMBERS.get(value, int(value, 16) if value.startswith("0x") else None)
    return None


def parse_match(match, out):
    """Reads one `match` of a rule into `out` (daddr, saddr, proto, dport, sport, iif)."""
    left, right = match.get("left"), match.get("right")
    if match.get("op", "==") not in ("==", "in") or not isinstance(left, dict):
        return
    if "meta" in left:
        key = left["meta"].get("key")
        if key in ("iif", "iifname"):
            out["iif"] = right
        elif key == "l4proto":
            out["proto"] = _proto(right)
        return
    p = left.get("payload")
    if not isinstance(p, dict):
        return
    field = (p.get("protocol"), p.get("field"))
    raw = (p.get("base"), p.get("offset"), p.get("len"))
    if field == ("ip6", "daddr") or raw == ("nh", 192, 128):
        out["daddr"] = _addr(right)
    elif field == ("ip6", "saddr") or raw == ("nh", 64, 128):
        out["saddr"] = _addr(right)
    elif field == ("ip6", "nexthdr") or raw == ("nh", 48, 8):
        out["proto"] = _proto(right)
    elif p.get("field") == "dport" and p.get("protocol") in ("th", "tcp", "udp"):
        out["dport"] = _port(right)
        if p["protocol"] != "th":
            out["proto"] = PROTO_NUMBERS[p["protocol"]]
    elif p.get("field") == "sport" and p.get("protocol") in ("th", "tcp", "udp"):
        out["sport"] = _port(right)


def parse_labels(debug_text):
    """{handle: (uid, expiry, description)} from `nft --debug=netlink list chain` output."""
    labels, handle = {}, None
    for line in debug_text.splitlines():
        header = DEBUG_RULE.match(line)
        if header:
            handle = int(header.group(1))
            continue
        data = DEBUG_USERDATA.match(line)
        if data and handle is not None:
            label = LABEL.match(data.group(1))
            if label:
                labels[handle] = (int(label.group(1)), int(label.group(2)), label.group(3))
    return labels


def parse_rules(nft_json, labels=None):
    """Every IPv6 accept rule of the chain as a Livebox pinhole, keyed by its Id
    ("upnp_<uid>" with miniupnpd's label, else "upnp_h<handle>"); each carries "_handle"."""
    labels = labels or {}
    out = {}
    for item in nft_json.get("nftables", []):
        rule = item.get("rule")
        if not isinstance(rule, dict):
            continue
        exprs = rule.get("expr", [])
        if not any(isinstance(e, dict) and "accept" in e for e in exprs):
            continue
        m = {}
        for e in exprs:
            if isinstance(e, dict) and isinstance(e.get("match"), dict):
                parse_match(e["match"], m)
        if not m.get("daddr") or m.get("proto") not in (6, 17):
            continue  # an IPv4 mapping's filter rule, or nothing a pinhole can say
        handle = rule.get("handle")
        uid, _expiry, desc = labels.get(handle, (None, 0, ""))
        rid = "upnp_%d" % uid if uid is not None else "upnp_h%s" % handle
        out[rid] = {
            "Id": rid, "Origin": "upnp", "Description": desc, "Status": "Enabled", "SourceInterface": "data",
            "Protocol": str(m["proto"]), "IPVersion": 6, "SourcePort": m.get("sport") or "",
            "DestinationPort": m.get("dport") or "", "SourcePrefix": m.get("saddr") or "",
            "DestinationIPAddress": m["daddr"], "DestinationMACAddress": "", "Enable": True,
            "_handle": handle,
        }
    return out


class Upnp6Mirror:
    """miniupnpd's pinholes in this namespace's nftables (table inet filter, chain miniupnpd)."""

    def __init__(self, table="filter", chain="miniupnpd", refresh=None):
        self.table, self.chain = table, chain
        self.refresh = refresh

    def _nft(self, *args):
        return subprocess.run(["nft"] + list(args), check=True, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=10).stdout.decode("utf-8", "replace")

    def rules(self):
        """{Id: pinhole}; raises OSError/CalledProcessError when nftables cannot be read."""
        import json
        listing = json.loads(self._nft("-j", "list", "chain", "inet", self.table, self.chain))
        labels = parse_labels(self._nft("--debug=netlink", "list", "chain", "inet", self.table, self.chain))
        return parse_rules(listing, labels)

    def delete(self, pinhole):
        self._nft("delete", "rule", "inet", self.table, self.chain, "handle", str(pinhole["_handle"]))
        if self.refresh is not None:
            self.refresh()
