#!/usr/bin/env bash
# A rogue LAN host forges the gateway's SSDP answer: it sees boxwarden's multicast M-SEARCH (and
# so its UDP port) and answers at once with the gateway's address as IP source and a LOCATION on
# the gateway that is not the IGD (port 1). Checking the sender and the LOCATION host is not
# enough against that; boxwarden must still read the real box, every time.
set -u
source "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_boxwarden
lab_up

lab_listen "$NS_PC" 11112
lab_upnpc "$NS_PC" -e "PACS DICOM" -a "$PC_IP" 11112 11112 TCP >/dev/null 2>&1
check_eq "the box has the mapping" "TCP 11112 $PC_IP 11112 PACS DICOM" "$(lab_mappings)" || fail "lab setup failed"

forged_log=$LAB_DIR/forged.jsonl
: >"$forged_log"
lab_bg "$NS_ROGUE" forger "$LAB_PYTHON" "$LAB_LIB_DIR/hostile_spoof.py" --address "$ROGUE_IP" --gateway "$BOX_LAN" \
    --location "http://$BOX_LAN:1/rootDesc.xml" --log "$forged_log" --ready "$LAB_DIR/forger.ready"
_lab_wait_for 5 test -e "$LAB_DIR/forger.ready" || fail "the forger did not start (see $LAB_DIR/forger.log)"

for i in 1 2 3 4 5; do
    bw_capture "audit-$i" "$NS_LAPTOP" --format json --profile medical-practice audit
    check_exit "audit $i reads the real box (exit 1: the mapping is critical)" "$BW_RC" 1 || bw_show
    check "audit $i reports the real mapping" lab_json "$BW_OUT" \
        "[p['external_port'] for p in d['state']['port_forwards']] == [11112]" "d.get('state')"
done
check "the forger did answer every search" test "$(wc -l <"$forged_log")" -ge 5

echo "== the forgery is real: a client that takes the first answer from the gateway's address is fooled"
# upnpc -m: search on the lab's bridge; it takes the first IGD answer.
naive=$(LAB_UPNPC_DISCOVER=1 lab_upnpc "$NS_LAPTOP" -l 2>&1)
check "upnpc's discovery is led to the forged LOCATION" grep -q "$BOX_LAN:1/rootDesc.xml" <<<"$naive"

lab_finish
