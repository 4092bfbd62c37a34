#!/usr/bin/env bash
# The lab itself, with its real peers only (no boxwarden): miniupnpd maps a port from the LAN
# and the Internet namespace can reach it; deleting the mapping closes it; nothing of the lab
# exists in the machine's own network namespace; teardown leaves nothing behind. Then an IPv6 lab
# (LAB_IPV6=1): nothing reaches a LAN machine's IPv6 address from the Internet until a pinhole
# (lab_pinhole) or an accept rule in chain box_ipv6 opens it.
set -u
source "$(dirname "$0")/lib.sh"
lab_require_root

root_links() { ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort; }
root_links_before=$(root_links)
root_ruleset_before=$(nft list ruleset 2>/dev/null | sha256sum)
my_netns=$(readlink /proc/self/ns/net)

lab_up

echo "== nothing of the lab in the machine's own namespace"
leaked=$(root_links | grep -E "^(bwl|$LAB_ID)" || true)
check_eq "no bwl* interface in the root namespace" "" "$leaked"
check_eq "root namespace interfaces unchanged by lab_up" "$root_links_before" "$(root_links)"
check_eq "root namespace nftables ruleset unchanged by lab_up" "$root_ruleset_before" \
    "$(nft list ruleset 2>/dev/null | sha256sum)"
check "miniupnpd (pid $LAB_MINIUPNPD_PID) runs in another network namespace than ours" \
    test "$(readlink "/proc/$LAB_MINIUPNPD_PID/ns/net")" != "$my_netns"
check_eq "miniupnpd runs in the box namespace" "$NS_BOX" "$(ip netns identify "$LAB_MINIUPNPD_PID")"
check "the Internet namespace has no route but the lab link" \
    test "$(lab_ns "$NS_INET" ip -4 route show | wc -l)" -eq 1

echo "== topology"
check "laptop reaches the box's LAN address" lab_reach "$NS_LAPTOP" "$BOX_LAN"
check "pc reaches the laptop through the bridge" lab_reach "$NS_PC" "$LAPTOP_IP"
check "rogue reaches the pc through the bridge" lab_reach "$NS_ROGUE" "$PC_IP"
check "inet reaches the box's WAN address" lab_reach "$NS_INET" "$WAN_IP"
check "inet cannot reach the LAN directly" not lab_reach "$NS_INET" "$PC_IP"
lab_listen "$NS_INET" 8080
banner=$(lab_ns "$NS_LAPTOP" "$LAB_PYTHON" "$LAB_LIB_DIR/probe.py" "$INET_IP" 8080)
check_eq "laptop reaches an Internet service (NAT out of the WAN)" "hello from $NS_INET:8080/tcp" "$banner"
check "the Internet host saw the box's WAN address as the source" \
    grep -q "tcp from $WAN_IP:" "$LAB_DIR/listen-$NS_INET-8080-tcp.log"

echo "== UPnP IGD from the LAN, probe from the Internet"
lab_listen "$NS_PC" 11112
check "before any mapping, $WAN_IP:11112 is closed from the Internet" not lab_probe 11112 2>/dev/null
# SSDP discovery (no -u): proves multicast works in the lab.
out=$(LAB_UPNPC_DISCOVER=1 lab_upnpc "$NS_PC" -e "PACS DICOM" -a "$PC_IP" 11112 11112 TCP 2>&1)
check "upnpc (with SSDP discovery) found the box's IGD" grep -q "Found valid IGD : http://$BOX_LAN:5000/" <<<"$out"
check "upnpc -a mapped 11112/TCP" grep -q "is redirected to internal $PC_IP:11112" <<<"$out" ||
    printf '%s\n' "$out"
banner=$(lab_probe 11112)
check_eq "after upnpc -a, the Internet reaches the PC's service" "hello from $NS_PC:11112/tcp" "$banner"
check_eq "upnpc -L lists the mapping" "TCP 11112 $PC_IP 11112 PACS DICOM" "$(lab_mappings "$NS_LAPTOP")"
list_l=$(LAB_UPNPC_DISCOVER=1 lab_upnpc "$NS_LAPTOP" -l 2>&1 | "$LAB_PYTHON" "$LAB_LIB_DIR/upnpc_list.py")
check_eq "upnpc -l (index walk, SSDP) lists it too" "TCP 11112 $PC_IP 11112 PACS DICOM" "$list_l"
ext=$(lab_upnpc "$NS_LAPTOP" -s 2>&1 | sed -n 's/^ExternalIPAddress = //p')
check_eq "the IGD reports the WAN address" "$WAN_IP" "$ext"

out=$(lab_upnpc "$NS_PC" -d 11112 TCP 2>&1)
check "upnpc -d succeeded" grep -q "UPNP_DeletePortMapping() returned : 0" <<<"$out"
check "after upnpc -d, $WAN_IP:11112 is closed again" not lab_probe 11112 2>/dev/null
check_eq "upnpc -L lists nothing" "" "$(lab_mappings "$NS_LAPTOP")"

echo "== UDP mapping, another host's mapping, NAT-PMP"
lab_listen "$NS_LAPTOP" 3074 udp
lab_upnpc "$NS_PC" -e "Xbox Live" -a "$LAPTOP_IP" 3074 3074 UDP >/dev/null 2>&1
check_eq "a host may map to another host (secure_mode=no)" "UDP 3074 $LAPTOP_IP 3074 Xbox Live" \
    "$(lab_mappings "$NS_LAPTOP")"
check "the UDP service answers from the Internet" lab_probe 3074 "$WAN_IP" udp >/dev/null
if command -v natpmpc >/dev/null; then
    lab_ns "$NS_LAPTOP" natpmpc -g "$BOX_LAN" -a 5900 5900 tcp 3600 >/dev/null 2>&1
    check "a NAT-PMP mapping shows up in the IGD listing" grep -q "^TCP 5900 $LAPTOP_IP 5900 NAT-PMP" \
        <<<"$(lab_mappings "$NS_PC")"
fi

echo "== rogue SSDP responder"
lab_upnpc "$NS_PC" -e "PACS DICOM" -a "$PC_IP" 11112 11112 TCP >/dev/null 2>&1
lab_rogue_ssdp
naive=$(LAB_UPNPC_DISCOVER=1 lab_upnpc "$NS_PC" -l 2>&1)
check "a naive client (upnpc with SSDP) is fooled into using the rogue IGD" \
    grep -q "Found valid IGD : http://$ROGUE_IP:5000/" <<<"$naive"
check_eq "... and sees no mapping although 11112 is forwarded" "" \
    "$("$LAB_PYTHON" "$LAB_LIB_DIR/upnpc_list.py" <<<"$naive")"
check "the rogue logged the naive client's HTTP requests" \
    grep -q "\"kind\": \"http\", \"client\": \"$PC_IP\"" "$LAB_ROGUE_LOG"
check "the box still forwards 11112" lab_probe 11112 >/dev/null

echo "== teardown"
id=$LAB_ID dir=$LAB_DIR pid=$LAB_MINIUPNPD_PID
lab_down
check_eq "no namespace of lab $id is left" "" "$(ip netns list | grep "^$id-" || true)"
check "miniupnpd (pid $pid) is gone" not kill -0 "$pid" 2>/dev/null
check "the lab directory is gone" test ! -e "$dir"
lab_down # idempotent
check_eq "no bwl* interface in the root namespace after teardown" "" "$(root_links | grep -E '^bwl' || true)"

echo "== IPv6 lab (LAB_IPV6=1): the box's forward chain is its IPv6 firewall"
LAB_IPV6=1 lab_up
check_eq "IPv6 lab: root namespace interfaces unchanged" "$root_links_before" "$(root_links)"
check_eq "IPv6 lab: root namespace nftables ruleset unchanged" "$root_ruleset_before" \
    "$(nft list ruleset 2>/dev/null | sha256sum)"
check "the Internet reaches the box's WAN address over IPv6" lab_reach "$NS_INET" "$BOX6_WAN"
check "the PC reaches the Internet over IPv6 (out through the box, no NAT)" lab_reach "$NS_PC" "$INET6"
check "the laptop reaches the IGD over IPv6 too" \
    lab_ns "$NS_LAPTOP" curl -gfsS --max-time 2 -o /dev/null "$IGD6_URL"
lab_listen "$NS_PC" 11112
banner=$(lab_ns "$NS_LAPTOP" "$LAB_PYTHON" "$LAB_LIB_DIR/probe.py" "$PC_IP" 11112)
check_eq "the listener still answers over IPv4 (both families)" "hello from $NS_PC:11112/tcp" "$banner"
check "before a pinhole, [$PC6]:11112 is closed from the Internet" not lab_probe6 11112 "$PC6" 2>/dev/null
handle=$(lab_ns "$NS_BOX" nft --echo --handle add rule inet filter box_ipv6 \
    iifname "$LAB_WAN_IF" oifname br0 ip6 daddr "$PC6" tcp dport 11112 accept |
    sed -n 's/.*# handle \([0-9][0-9]*\)$/\1/p')
check "an accept rule in chain box_ipv6 was added (handle '$handle')" test -n "$handle"
banner=$(lab_probe6 11112 "$PC6")
check_eq "an accept rule in box_ipv6 opens [$PC6]:11112 to the Internet" "hello from $NS_PC:11112/tcp" "$banner"
lab_ns "$NS_BOX" nft delete rule inet filter box_ipv6 handle "$handle"
check "removing it closes [$PC6]:11112 again" not lab_probe6 11112 "$PC6" 2>/dev/null
id=$(lab_pinhole "$NS_PC" "$PC6" 11112)
check_eq "the PC opened a pinhole for 11112 through UPnP (lab_pinhole)" "1" "$id"
banner=$(lab_probe6 11112 "$PC6")
check_eq "after lab_pinhole, the Internet reaches [$PC6]:11112" "hello from $NS_PC:11112/tcp" "$banner"
check "the Internet host's own IPv6 address reached the PC (no NAT)" \
    grep -q "tcp from $INET6:" "$LAB_DIR/listen-$NS_PC-11112-tcp.log"
check "miniupnpd's chain holds the pinhole" \
    grep -q "th dport 11112 .* accept" <<<"$(lab_ns "$NS_BOX" nft list chain inet filter miniupnpd)"
check_eq "upnpc -L lists no port mapping for it" "" "$(lab_mappings "$NS_LAPTOP")"
# What an IGD client sees over IPv4 (boxwarden on the laptop): the pinhole exists (606, another
# host's), its details are hidden; a free id is 402. The owner over IPv6 reads it.
check "over IPv4, GetPinholePackets of id 1 answers 606 (exists, not ours)" \
    grep -q "failed with code 606" <<<"$(lab_upnpc "$NS_LAPTOP" -K 1 2>&1)"
check "over IPv4, GetPinholePackets of id 2 answers 402 (no such pinhole)" \
    grep -q "failed with code 402" <<<"$(lab_upnpc "$NS_LAPTOP" -K 2 2>&1)"
check "GetFirewallStatus: firewall enabled, pinholes allowed" \
    grep -Pzq "Firewall Enabled: Yes\n\s*Inbound Pinhole Allowed: Yes" <<<"$(lab_upnpc "$NS_LAPTOP" -S 2>&1)"
check "the owner (over IPv6) reads its pinhole" grep -q "Pinhole ID = 1 / PinholePackets = " \
    <<<"$(lab_ns "$NS_PC" upnpc -6 -u "$IGD6_URL" -K 1 2>&1)"
lab_ns "$NS_PC" upnpc -6 -u "$IGD6_URL" -D 1 >/dev/null 2>&1
check "after the owner deletes it (upnpc -6 -D 1), [$PC6]:11112 is closed" not lab_probe6 11112 "$PC6" 2>/dev/null
lab_upnpc "$NS_PC" -e "PACS DICOM" -a "$PC_IP" 11112 11112 TCP >/dev/null 2>&1
check "IPv4 forwards still work in the IPv6 lab" lab_probe 11112 >/dev/null
id=$LAB_ID
lab_down
check_eq "no namespace of IPv6 lab $id is left" "" "$(ip netns list | grep "^$id-" || true)"
check_eq "no bwl* interface in the root namespace after the IPv6 lab" "" "$(root_links | grep -E '^bwl' || true)"

lab_finish
