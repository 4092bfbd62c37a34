#!/usr/bin/env bash
# The binary's safety net: with BOXWARDEN_NETNS set, boxwarden refuses (exit 3) before any
# network I/O unless it runs in that namespace. Checked only inside the lab: the "wrong"
# namespace is the PC's, so even a broken guard could not send anything outside the lab.
set -u
source "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_boxwarden
lab_up

lab_listen "$NS_PC" 11112
lab_upnpc "$NS_PC" -e "PACS DICOM" -a "$PC_IP" 11112 11112 TCP >/dev/null 2>&1
before=$(lab_mappings "$NS_LAPTOP")
check_eq "the box has the mapping" "TCP 11112 $PC_IP 11112 PACS DICOM" "$before" || fail "lab setup failed"
lab_rogue_ssdp # it logs any SSDP datagram, so a leaked search would show

from_pc() { tail -n +"$((l0 + 1))" "$LAB_DIR/miniupnpd.log" | grep -c "HTTP REQUEST from \[::ffff:$PC_IP\]"; }
# guarded NAME NS_VALUE ARGS...: run in the PC's namespace with BOXWARDEN_NETNS=NS_VALUE
guarded() {
    local name=$1 value=$2
    shift 2
    lab_ns "$NS_PC" env BOXWARDEN_NETNS="$value" timeout 60 "$BOXWARDEN" "$@" \
        >"$LAB_DIR/$name.out" 2>"$LAB_DIR/$name.err"
    BW_RC=$? BW_OUT=$LAB_DIR/$name.out BW_ERR=$LAB_DIR/$name.err
    printf -- '-- BOXWARDEN_NETNS=%s boxwarden %s  (in %s: exit %s)\n' "$value" "$*" "$NS_PC" "$BW_RC"
}

l0=$(wc -l <"$LAB_DIR/miniupnpd.log")
guarded wrong-audit "$NS_LAPTOP" audit --format json --profile medical-practice
check_exit "audit in the wrong namespace exits 3" "$BW_RC" 3 || bw_show
check "it says why on stderr" grep -qi "namespace" "$BW_ERR"
guarded wrong-fix "$NS_LAPTOP" --yes --profile medical-practice --state-dir "$LAB_DIR/state" fix
check_exit "fix in the wrong namespace exits 3" "$BW_RC" 3 || bw_show
guarded missing-ns "no-such-namespace" discover
check_exit "discover with a namespace that does not exist exits 3" "$BW_RC" 3 || bw_show
# Markers instead of a grace sleep: anything the guarded runs sent went out before they exited,
# so it is logged before a request and an SSDP search sent now from the laptop, which we wait for.
check_eq "mappings unchanged" "$before" "$(lab_mappings "$NS_LAPTOP")"
from_laptop() { tail -n +"$((l0 + 1))" "$LAB_DIR/miniupnpd.log" | grep -q "HTTP REQUEST from \[::ffff:$LAPTOP_IP\]"; }
check "marker: miniupnpd logged the laptop's request" _lab_wait_for 5 from_laptop
lab_ns "$NS_LAPTOP" "$LAB_PYTHON" -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: urn:marker\r\n\r\n", ("239.255.255.250", 1900))'
check "marker: the rogue logged the laptop's SSDP search" _lab_wait_for 5 grep -q "\"client\": \"$LAPTOP_IP\".*urn:marker" "$LAB_ROGUE_LOG"
check_eq "miniupnpd received no request from the guarded runs" 0 "$(from_pc)"
check_eq "no SSDP datagram from the guarded runs reached the LAN" "" \
    "$(grep "\"client\": \"$PC_IP\"" "$LAB_ROGUE_LOG" || true)"
check "probe: 11112 still reachable" lab_probe 11112 >/dev/null

guarded right-audit "$NS_PC" audit --format json --profile medical-practice
check_exit "the same audit in the right namespace works (exit 1: findings)" "$BW_RC" 1 || bw_show
check "... and reports the mapping" lab_json "$BW_OUT" \
    "[p['external_port'] for p in d['state']['port_forwards']] == [11112]" "d['state'].get('port_forwards')"

lab_finish
