#!/usr/bin/env bash
# A rogue LAN device answers SSDP first (and last), pointing at its own fake IGD that claims no
# mappings. boxwarden must still audit the real box (the default gateway) and must never fetch
# anything from the rogue. A naive client (upnpc with SSDP) is fooled, which shows the trap works.
set -u
source "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_boxwarden
lab_up

lab_listen "$NS_PC" 11112
lab_upnpc "$NS_PC" -e "PACS DICOM" -a "$PC_IP" 11112 11112 TCP >/dev/null 2>&1
lab_upnpc "$NS_PC" -e "Remote Desktop" -a "$PC_IP" 3389 3389 TCP >/dev/null 2>&1
check_eq "the box has the two mappings" "TCP 3389 $PC_IP 3389 Remote Desktop
TCP 11112 $PC_IP 11112 PACS DICOM" "$(lab_mappings)" || fail "lab setup failed"

lab_rogue_ssdp
rogue_http() { grep '"kind": "http"' "$LAB_ROGUE_LOG"; }

bw_capture audit-rogue "$NS_LAPTOP" audit --format json --profile medical-practice
check_exit "audit exits 1 (the real mappings are critical under medical-practice)" "$BW_RC" 1 || bw_show
J=$BW_OUT
check "gateway.address is the real box, not the rogue" lab_json "$J" "d['gateway']['address'] == '$BOX_LAN'" \
    "d.get('gateway')"
check "gateway.external_ip is the WAN address" lab_json "$J" "d['gateway']['external_ip'] == '$WAN_IP'" \
    "d.get('gateway')"
check "the real mappings are reported (11112 and 3389 from $PC_IP)" lab_json "$J" \
    "sorted((p['protocol'], p['external_port'], p['internal_host']) for p in d['state']['port_forwards']) == [('TCP', 3389, '$PC_IP'), ('TCP', 11112, '$PC_IP')]" \
    "d['state'].get('port_forwards')"
check "a critical finding for 11112" lab_json "$J" \
    "any(f.get('severity') == 'critical' and (f.get('subject') or {}).get('external_port') == 11112 for f in d['findings'])" \
    "d.get('findings')"
check_eq "the rogue received no HTTP request from the tool" "" "$(rogue_http)"
searches=$(grep -c "\"kind\": \"ssdp\", \"client\": \"$LAPTOP_IP\"" "$LAB_ROGUE_LOG")
echo "   (the rogue saw $searches SSDP datagram(s) from the laptop; those are fine: multicast goes everywhere)"

echo "== discover and fix under the rogue"
bw_capture discover-rogue "$NS_LAPTOP" discover --format json
check_exit "discover exits 0" "$BW_RC" 0 || bw_show
check "discover names the real box ($BOX_LAN)" grep -q "$BOX_LAN" "$BW_OUT"
bw_capture fix-rogue "$NS_LAPTOP" --yes --profile medical-practice --state-dir "$LAB_DIR/state" fix
check_exit "fix exits 1 (UPnP stays on: a manual step)" "$BW_RC" 1 || bw_show
check "probe: 11112 is closed after the fix (it was the real box that was fixed)" not lab_probe 11112 2>/dev/null
check_eq "the rogue still received no HTTP request from the tool" "" "$(rogue_http)"

echo "== the trap is real: a naive client is fooled"
naive=$(LAB_UPNPC_DISCOVER=1 lab_upnpc "$NS_PC" -l 2>&1)
check "upnpc with SSDP discovery picks the rogue IGD" grep -q "Found valid IGD : http://$ROGUE_IP:5000/" <<<"$naive"
check "... and the rogue logged its requests" test -n "$(rogue_http)"

lab_finish
