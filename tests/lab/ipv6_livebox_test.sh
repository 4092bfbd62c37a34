#!/usr/bin/env bash
# The doctor's case over IPv6 on an Orange Livebox (issue 9, item 5). The Livebox's IPv6
# firewall level is Low (it filters nothing), a web UI pinhole lets Remote Desktop (3389) in
# to the imaging PC, and the PC's DICOM software opened a pinhole for 11112 through UPnP
# (miniupnpd, the box's IGD; the emulator lists it as the Livebox's own Origin "upnp" pinhole,
# as a real Livebox does). No DMZ and no forward: over IPv4 nothing is open. From the Internet
# namespace the probe reaches the PC's own IPv6 address on 3389, 11112 and any other port.
# `audit` must say so (IPV6-FIREWALL-OFF and both pinholes, with the profile's severities),
# `fix` must close all three (the probe is the ground truth), `rollback` must put them back.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../emulators/livebox_lab.sh"
lab_require_root
lab_require_boxwarden
LAB_IPV6=1 lab_up

STATE=$LAB_DIR/state
PW=$LAB_DIR/livebox.pw
PORTS=(3389 11112 104)  # 104: a port nothing opened, reachable only because Low lets all in

cat >"$LAB_DIR/livebox-scenario.json" <<EOF
{"password": "doctor-livebox-pw",
 "firewall": {"ipv6_level": "Low"},
 "pinholes": {"webui_Bureau a distance": {"Id": "webui_Bureau a distance", "Origin": "webui",
   "Description": "Bureau a distance", "Status": "Enabled", "SourceInterface": "data", "Protocol": "6",
   "IPVersion": 6, "SourcePort": "", "DestinationPort": "3389", "SourcePrefix": "",
   "DestinationIPAddress": "$PC6", "DestinationMACAddress": "", "Enable": true}}}
EOF
printf 'doctor-livebox-pw\n' >"$PW"
chmod 600 "$PW"

# reachable PORT...: every PORT answers on the PC's IPv6 address from the Internet, from the PC.
reachable() {
    local p
    for p in "$@"; do
        grep -q "$NS_PC" <<<"$(lab_probe6 "$p" "$PC6" 2>/dev/null)" || return 1
    done
}
# closed PORT...: none answers (probed side by side: a dropped port costs the probe's timeout).
closed() {
    local p pids=() rc=0
    for p in "$@"; do
        lab_probe6 "$p" "$PC6" >/dev/null 2>&1 &
        pids+=($!)
    done
    for p in "${pids[@]}"; do
        if wait "$p"; then
            rc=1
        fi
    done
    return $rc
}
# miniupnpd_knows UID: the IGD still has the pinhole (CheckPinholeWorking: 709 NoPacketSent for
# a pinhole it has, 402 Invalid Args for one it does not).
miniupnpd_knows() {
    local out
    out=$(lab_ns "$NS_PC" timeout 20 upnpc -6 -u "$IGD6_URL" -C "$1" 2>&1)
    ! grep -q "failed with code 402" <<<"$out"
}

echo "== the practice's network, over IPv6"
livebox_emu_up "$LAB_DIR/livebox-scenario.json" --throttle 1 --igd-mirror "http://$BOX_LAN:5000/ctl/IPConn"
for p in "${PORTS[@]}"; do
    lab_listen "$NS_PC" "$p"
done
UID_DICOM=$(lab_pinhole "$NS_PC" "$PC6" 11112) || fail "lab setup failed: no UPnP pinhole"
check "setup: the IGD knows the PC's pinhole $UID_DICOM" miniupnpd_knows "$UID_DICOM"
check "setup: the emulator's IPv6 effect is in chain box_ipv6 (level Low, the 3389 pinhole)" \
    grep -q "meta nfproto ipv6 accept" <<<"$(livebox_nft6)"
STATE_BEFORE=$(livebox_state)
check "probe: 3389, 11112 and 104 reach the imaging PC over IPv6 (before)" reachable "${PORTS[@]}"
check "probe: over IPv4 nothing is open (no DMZ, no forward)" not lab_probe 3389 2>/dev/null

echo "== audit from the laptop"
bw_capture audit "$NS_LAPTOP" --password-file "$PW" --profile medical-practice --format json audit
check_exit "audit exits 1 (critical findings)" "$BW_RC" 1 || bw_show
J=$BW_OUT
check "the IPv6 firewall is read: off, at level Low, and IPv6 is on" lab_json "$J" \
    "d['state']['ipv6_firewall'] == {'enabled': False, 'level': 'Low'} and d['state']['ipv6'] == {'enabled': True}" \
    "(d['state'].get('ipv6_firewall'), d['state'].get('ipv6'))"
check "IPV6-FIREWALL-OFF is critical" lab_json "$J" \
    "[f['severity'] for f in d['findings'] if f['rule'] == 'IPV6-FIREWALL-OFF'] == ['critical']" \
    "[f for f in d['findings'] if 'IPV6' in f['rule']]"
check "every pinhole is listed (the Livebox lists them all)" lab_json "$J" \
    "d['state']['ipv6_pinholes_known'] is True" "d['state'].get('ipv6_pinholes_known')"
check "the web UI pinhole of 3389 and the UPnP one of 11112, to the PC, with their origins" lab_json "$J" \
    "sorted((p['port'], p['protocol'], p['internal_host'], p['origin'][0]) for p in d['state']['ipv6_pinholes'] if 'livebox' in p['apis']) == [(3389, 'TCP', '$PC6', 'webui'), (11112, 'TCP', '$PC6', 'upnp')]" \
    "d['state']['ipv6_pinholes']"
check "both pinholes are critical findings (remote desktop, health data)" lab_json "$J" \
    "sorted(f['severity'] for f in d['findings'] if f['subject']['kind'] == 'ipv6_pinhole') == ['critical', 'critical']" \
    "[f for f in d['findings'] if f['subject']['kind'] == 'ipv6_pinhole']"
check "the findings say 'over IPv6'" lab_json "$J" \
    "all('IPv6' in f['title'] + f['why'] for f in d['findings'] if f['subject']['kind'] in ('ipv6_pinhole', 'ipv6_firewall'))" \
    "[f for f in d['findings'] if f['subject']['kind'] in ('ipv6_pinhole', 'ipv6_firewall')]"
check_eq "audit changed nothing on the Livebox" "$STATE_BEFORE" "$(livebox_state)"

echo "== fix --profile medical-practice --yes"
bw_capture fix "$NS_LAPTOP" --password-file "$PW" --profile medical-practice --state-dir "$STATE" --yes fix
check_exit "fix exits 0" "$BW_RC" 0 || bw_show
check "probe: 3389, 11112 and 104 are closed from the Internet (after fix)" closed "${PORTS[@]}"
check "the Livebox's IPv6 level is Medium again, no pinhole stored" lab_json "$LIVEBOX_STATE_FILE" \
    "d['firewall']['ipv6_level'] == 'Medium' and d['pinholes'] == {}" "(d['firewall'], d['pinholes'])"
check_eq "chain box_ipv6 is empty" "0" "$(livebox_nft6 | grep -c accept)"
check "the UPnP pinhole's rule is gone from miniupnpd's chain" not grep -q "dport 11112" \
    <<<"$(lab_ns "$NS_BOX" nft list chain inet filter miniupnpd)"
check "miniupnpd no longer knows pinhole $UID_DICOM" not miniupnpd_knows "$UID_DICOM"
check_eq "no IPv4 mapping is left behind (the emulator's refresh of miniupnpd)" "" "$(lab_mappings)"
livebox_ctl GET /log >"$LAB_DIR/livebox-calls.json"
check "each pinhole was deleted by id and origin, then committed" lab_json "$LAB_DIR/livebox-calls.json" \
    "sorted((c['params'].get('origin'), c['params'].get('id')) for c in d['calls'] if c['call'] == 'Firewall:deletePinhole') == [('upnp', 'upnp_$UID_DICOM'), ('webui', 'webui_Bureau a distance')] and any(c['call'] == 'Firewall:commit' for c in d['calls'])" \
    "[c for c in d['calls'] if 'Pinhole' in c['call'] or 'commit' in c['call']]"
check_eq "no origin-only bulk delete was ever sent" "" "$(livebox_alerts)"
check "the password is in no output and no backup" not grep -rq "doctor-livebox-pw" "$BW_OUT" "$BW_ERR" "$STATE"

echo "== rollback --yes"
bw_capture rollback "$NS_LAPTOP" --password-file "$PW" --state-dir "$STATE" --yes rollback
check_exit "rollback exits 0" "$BW_RC" 0 || bw_show
# The UPnP pinhole comes back as a web UI one (the box cannot make its IGD reopen it for the
# PC): the state is the one before plus that pinhole, exactly as saved; nothing else differs.
livebox_state >"$LAB_DIR/state-after.json"
printf '%s\n' "$STATE_BEFORE" >"$LAB_DIR/state-before.json"
check "the Livebox's state is exactly as before, the UPnP pinhole now a web UI one" "$LAB_PYTHON" - \
    "$LAB_DIR/state-before.json" "$LAB_DIR/state-after.json" "$PC6" <<'EOF'
import json, sys
before, after = (json.load(open(p)) for p in sys.argv[1:3])
added = {k: v for k, v in after["pinholes"].items() if k not in before["pinholes"]}
assert len(added) == 1, added
(hole,) = added.values()
assert (hole["Origin"], hole["Protocol"], hole["DestinationPort"], hole["DestinationIPAddress"], hole["SourcePrefix"],
        hole["Enable"]) == ("webui", "6", "11112", sys.argv[3], "", True), hole
for k in added:
    del after["pinholes"][k]
assert after == before, (before, after)
EOF
check "probe: 3389, 11112 and 104 reach the imaging PC again (after rollback)" reachable "${PORTS[@]}"
check_eq "still no origin-only bulk delete" "" "$(livebox_alerts)"

# All or nothing on the IPv6 writes (the fault matrix of livebox_faults_test.sh, for the calls
# this test adds): each fault stops the fix, which undoes what it did: exit 5, the box exactly
# as before (both pinholes are web UI ones now, so "exactly" is exact) and the probe agrees.
STATE_BEFORE=$(livebox_state)
for fault in "Firewall:setFirewallIPv6Level error" "Firewall:deletePinhole reset-after" "Firewall:commit http500"; do
    read -r call kind <<<"$fault"
    echo "== fault: $fault"
    livebox_ctl POST /clear >/dev/null
    livebox_ctl POST /fail "{\"call\": \"$call\", \"kind\": \"$kind\", \"count\": 1}" >/dev/null
    bw_capture "fix-$call-$kind" "$NS_LAPTOP" --password-file "$PW" --profile medical-practice \
        --state-dir "$STATE" --yes fix
    check_exit "$fault: fix exits 5 (undone)" "$BW_RC" 5 || bw_show
    check_eq "$fault: the fault was hit" 1 "$(livebox_ctl GET /log | "$LAB_PYTHON" -c \
        'import json,sys; print(sum(1 for c in json.load(sys.stdin)["calls"] if "fault" in c))')"
    check_eq "$fault: the Livebox is exactly as before" "$STATE_BEFORE" "$(livebox_state)"
    check "$fault: the probe still reaches 3389, 11112 and 104" reachable "${PORTS[@]}"
    check_eq "$fault: no origin-only bulk delete" "" "$(livebox_alerts)"
done

lab_finish
