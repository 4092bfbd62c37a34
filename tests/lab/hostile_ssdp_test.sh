#!/usr/bin/env bash
# A rogue LAN host answers SSDP first (and again later) with a LOCATION that points at itself,
# at the Internet host, at 127.0.0.1, at a file: URL, or that tricks a URL check with user info
# ("http://192.168.1.1@192.168.1.66/"). Each time boxwarden, finding the box by itself, must read
# the real box and must not open any connection to anything but the box: an nftables counter in
# the laptop's namespace counts every TCP SYN to another address and every UDP datagram that is
# not for the box or the SSDP group; listeners on the Internet host and on the laptop's own
# 127.0.0.1 log any connection; the file's access time must not move.
set -u
source "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_boxwarden
lab_up

lab_listen "$NS_PC" 11112
lab_upnpc "$NS_PC" -e "PACS DICOM" -a "$PC_IP" 11112 11112 TCP >/dev/null 2>&1
check_eq "the box has the mapping" "TCP 11112 $PC_IP 11112 PACS DICOM" "$(lab_mappings)" || fail "lab setup failed"

# Traps: an Internet host and the laptop's own loopback, both on the port the LOCATIONs name.
lab_listen "$NS_INET" 5000
lab_listen "$NS_LAPTOP" 5000
inet_log=$LAB_DIR/listen-$NS_INET-5000-tcp.log
loop_log=$LAB_DIR/listen-$NS_LAPTOP-5000-tcp.log
trap_file=$LAB_DIR/trap-rootDesc.xml
printf '<root/>\n' >"$trap_file"
touch -a -d '2001-01-01 00:00:00' "$trap_file" # atime < mtime: any read moves it (relatime)
atime() { stat -c %X "$trap_file"; }
atime0=$(atime)

# Every connection the laptop opens that is not for the box, counted by the kernel.
lab_ns "$NS_LAPTOP" nft -f - <<EOF || fail "cannot install the nftables counters"
table inet bwwatch {
  counter tcp_elsewhere { }
  counter udp_elsewhere { }
  chain out {
    type filter hook output priority 0; policy accept;
    ip daddr != $BOX_LAN tcp flags & (syn | ack) == syn counter name tcp_elsewhere
    ip daddr != { $BOX_LAN, 239.255.255.250 } meta l4proto udp counter name udp_elsewhere
  }
}
EOF
counter() { lab_ns "$NS_LAPTOP" nft list counter inet bwwatch "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }

rogue_http() { grep '"kind": "http"' "$LAB_ROGUE_LOG" || true; }
started_rogue=0
for location in "http://$ROGUE_IP:5000/rootDesc.xml" "http://$INET_IP:5000/rootDesc.xml" \
    "http://127.0.0.1:5000/rootDesc.xml" "file://$trap_file" \
    "http://$BOX_LAN@$ROGUE_IP:5000/rootDesc.xml" "http://$BOX_LAN:5000@$ROGUE_IP:5000/rootDesc.xml" \
    "http://$BOX_LAN.$ROGUE_IP.nip.io:5000/rootDesc.xml"; do
    echo "== rogue LOCATION: $location"
    if ((started_rogue)); then
        kill "$LAB_ROGUE_PID" 2>/dev/null
        wait "$LAB_ROGUE_PID" 2>/dev/null
        rm -f "$LAB_DIR/rogue.ready"
    fi
    lab_rogue_ssdp "$location"
    started_rogue=1
    bw_capture "audit-$started_rogue-$RANDOM" "$NS_LAPTOP" --format json --profile medical-practice audit
    check_exit "audit reads the real box (exit 1: the mapping is critical)" "$BW_RC" 1 || bw_show
    check "the gateway is the real box" lab_json "$BW_OUT" "d['gateway']['address'] == '$BOX_LAN'" "d.get('gateway')"
    check "the real mapping is reported" lab_json "$BW_OUT" \
        "[p['external_port'] for p in d['state']['port_forwards']] == [11112]" "d['state'].get('port_forwards')"
    check "the rogue saw SSDP from the laptop (so it did answer)" \
        grep -q "\"kind\": \"ssdp\", \"client\": \"$LAPTOP_IP\"" "$LAB_ROGUE_LOG"
    check_eq "no HTTP request reached the rogue" "" "$(rogue_http)"
    check_eq "no connection reached the Internet host" "" "$(grep 'tcp from' "$inet_log" || true)"
    check_eq "no connection reached the laptop's 127.0.0.1:5000" "" "$(grep 'tcp from' "$loop_log" || true)"
    check_eq "the file named by file: was not read" "$atime0" "$(atime)"
    check_eq "no TCP connection from the laptop to anything but $BOX_LAN" 0 "$(counter tcp_elsewhere)"
    check_eq "no UDP from the laptop to anything but $BOX_LAN and the SSDP group" 0 "$(counter udp_elsewhere)"
done

echo "== discover and the verbose log under the last rogue"
bw_capture discover "$NS_LAPTOP" -v --no-color discover
check_exit "discover exits 0" "$BW_RC" 0 || bw_show
check "discover names the real box" grep -q "$BOX_LAN" "$BW_OUT"
check_eq "no ESC byte on stdout or stderr" 0 "$(cat "$BW_OUT" "$BW_ERR" | grep -c $'\x1b')"
check_eq "still no TCP connection to anything but $BOX_LAN" 0 "$(counter tcp_elsewhere)"

echo "== the traps are real: a client that follows the LOCATIONs is seen"
lab_ns "$NS_LAPTOP" curl -s -m 2 -o /dev/null "http://$INET_IP:5000/" 2>/dev/null
lab_ns "$NS_LAPTOP" curl -s -m 2 -o /dev/null "http://127.0.0.1:5000/" 2>/dev/null
cat "$trap_file" >/dev/null
# The listeners log in their own processes: wait for the lines (bounded), not a fixed time.
check "the Internet host's listener logs a connection" _lab_wait_for 5 grep -q 'tcp from' "$inet_log"
check "the laptop's loopback listener logs a connection" _lab_wait_for 5 grep -q 'tcp from' "$loop_log"
check "the counter counts it" test "$(counter tcp_elsewhere)" -ge 1
check "reading the file moves its access time" test "$(atime)" != "$atime0"

lab_finish
