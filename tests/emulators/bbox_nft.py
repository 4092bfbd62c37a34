"""What an emulated Bbox stores, made real in nftables (the lab's box namespace): the table
`ip bbox_emu`, written with livebox_nft's rule writers (forwards at -110 before miniupnpd, the
DMZ at -90 after it). Remote access (the box's own pages on its WAN address) comes first and is
left alone. A rule forwards only when it and the global NAT switch are on, and only IPv4 ones."""

import livebox_nft

TABLE = "bbox_emu"
PROTO_NUMBERS = {"tcp": "6", "udp": "17", "all": "6,17"}


def as_livebox(rule, nat_on):
    ext = str(rule.get("externalport", "")).replace(":", "-")
    return {"Enable": bool(nat_on and rule.get("enable")) and rule.get("ipprotocol", "IPv4") == "IPv4",
            "DestinationIPAddress": rule.get("internalip"), "ExternalPort": ext,
            "InternalPort": str(rule.get("internalport") or ext.split("-")[0]),
            "SourcePrefix": rule.get("ipremote", ""), "Protocol": PROTO_NUMBERS.get(rule.get("protocol"), "")}


def render(state, wan_if):
    admin = state["services"]["remote"]["admin"]
    own = ['iifname "%s" tcp dport %d return' % (wan_if, admin["port"])] if admin.get("enable") else []
    forwards = []
    for rule in sorted(state["nat"]["rules"], key=lambda r: r["id"]):
        forwards += livebox_nft.forward_rules(as_livebox(rule, state["nat"]["enable"]), wan_if)
    dmz = state["dmz"]
    dmz_lines = livebox_nft.dmz_rules({"Enable": bool(dmz.get("enable")), "DestinationIPAddress": dmz.get("ipaddress")},
                                      wan_if)
    return livebox_nft.render_table(TABLE, own + forwards, own + dmz_lines)


def apply(script):
    livebox_nft.apply(script)


def remove():
    livebox_nft.remove(TABLE)
