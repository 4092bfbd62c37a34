"""What an emulated Freebox stores, made real in nftables (the lab's box namespace).

Pure `render(state, wan_if)`: the table `ip freebox_emu`, built with livebox_nft's rule
writers (same chains and priorities: forwards at -110 before miniupnpd, the DMZ at -90 after
it). The box's own WAN services (remote access, the WireGuard server) come first in both
chains and are left alone: on a Freebox incoming ports win over redirections and the DMZ.

IPv6 (a lab built with LAB_IPV6=1, whose `table inet filter` has the regular chain box_ipv6,
jumped to from its forward chain): with `ipv6_chain`, the same script also rewrites that chain.
ipv6_firewall false (IPv6 on) puts one rule there that accepts everything from the WAN
interface to the LAN bridge over IPv6: every LAN machine reachable on every port, as on the
real box. ipv6_firewall true leaves it empty (the lab's forward chain drops what is not
solicited). ipv6_prefix_firewall has no effect here (it concerns delegated prefixes).
"""

import subprocess

import livebox_nft

TABLE = "freebox_emu"
PROTO_NUMBERS = {"tcp": "6", "udp": "17"}


def own_ports(state):
    """(proto, port) of what the box itself serves on its WAN address."""
    out = []
    cfg = state["connection_config"]
    if cfg.get("remote_access"):
        out.append(("tcp", cfg["remote_access_port"]))
    wg = state["vpn"].get("wireguard", {})
    if wg.get("enabled"):
        out.append(("udp", wg["port"]))
    return out


def as_livebox(rule):
    """A Freebox PortForwardingConfig in the shape livebox_nft.forward_rules reads."""
    start, end = rule.get("wan_port_start"), rule.get("wan_port_end")
    ext = str(start) if start == end else "%s-%s" % (start, end)
    src = rule.get("src_ip") or "0.0.0.0"
    return {"Enable": rule.get("enabled", False), "DestinationIPAddress": rule.get("lan_ip"),
            "ExternalPort": ext, "InternalPort": str(rule.get("lan_port")),
            "SourcePrefix": "" if src == "0.0.0.0" else src,
            "Protocol": PROTO_NUMBERS.get(rule.get("ip_proto"), "")}


def ipv6_open(state):
    cfg = state["ipv6_config"]
    return cfg.get("ipv6_enabled") is True and cfg.get("ipv6_firewall") is False


def ipv6_lines(state, wan_if, lan_if, chain):
    """The commands that rewrite `table inet filter` chain `chain` (same transaction)."""
    lines = ["flush chain inet filter %s" % chain]
    if ipv6_open(state):
        lines.append('add rule inet filter %s meta nfproto ipv6 iifname "%s" oifname "%s" accept'
                     % (chain, wan_if, lan_if))
    return lines


def render(state, wan_if, ipv6_chain=None, lan_if="br0"):
    own = ['iifname "%s" %s dport %d return' % (wan_if, proto, port) for proto, port in own_ports(state)]
    forwards = []
    for rule in sorted(state["forwards"], key=lambda r: r["id"]):
        forwards += livebox_nft.forward_rules(as_livebox(rule), wan_if)
    dmz = state["dmz"]
    dmz_lines = livebox_nft.dmz_rules({"Enable": dmz.get("enabled"), "DestinationIPAddress": dmz.get("ip")}, wan_if)
    script = livebox_nft.render_table(TABLE, own + forwards, own + dmz_lines)
    if ipv6_chain:
        script += "\n".join(ipv6_lines(state, wan_if, lan_if, ipv6_chain)) + "\n"
    return script


def apply(script):
    livebox_nft.apply(script)


def remove(ipv6_chain=None):
    livebox_nft.remove(TABLE)
    if ipv6_chain:  # a power cut: the box forwards nothing it opened
        subprocess.run(["nft", "flush", "chain", "inet", "filter", ipv6_chain], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
