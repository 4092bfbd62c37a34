#!/usr/bin/env bash
# All or nothing on the Livebox (issue 3, item 6). The doctor's box (DMZ to the imaging PC,
# a web UI forward of 3389, a console's UPnP mapping); for each change of the plan, the
# Livebox emulator is told to fail that call (an error reply, a connection reset before or
# after doing the change, a hang). Each time the box must end either fully fixed or exactly
# as before (the emulator's stored state, the IGD's mappings and the probe from the
# Internet agree), fix exits 5, the backup is still there, and a second fix completes.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../emulators/livebox_lab.sh"
lab_require_root
lab_require_boxwarden
lab_up

STATE=$LAB_DIR/state
PW=$LAB_DIR/livebox.pw
PORTS=(104 11112 3389 3074)

cat >"$LAB_DIR/livebox-scenario.json" <<EOF
{"password": "doctor-livebox-pw",
 "port_forwards": {"webui_RDP": {"Id": "webui_RDP", "Origin": "webui", "Description": "RDP",
   "Status": "Enabled", "SourceInterface": "data", "Protocol": "6", "ExternalPort": "3389",
   "InternalPort": "3389", "SourcePrefix": "", "DestinationIPAddress": "$PC_IP",
   "DestinationMACAddress": "", "LeaseDuration": 0, "HairpinNAT": true, "SymmetricSNAT": false,
   "UPnPV1Compat": false, "Enable": true}},
 "dmz": {"webui": {"SourceInterface": "data", "DestinationIPAddress": "$PC_IP", "SourcePrefix": "",
   "Status": "Enabled", "Enable": true}}}
EOF
printf 'doctor-livebox-pw\n' >"$PW"
chmod 600 "$PW"

# The console's mapping is also the Livebox's own upnp rule (the emulator mirrors miniupnpd).
livebox_emu_up "$LAB_DIR/livebox-scenario.json" --throttle 1 --hang-seconds 40 \
    --igd-mirror "http://$BOX_LAN:5000/ctl/IPConn"
lab_listen "$NS_PC" 104
lab_listen "$NS_PC" 11112
lab_listen "$NS_PC" 3389
lab_listen "$NS_ROGUE" 3074
lab_upnpc "$NS_ROGUE" -e "Console" -a "$ROGUE_IP" 3074 3074 TCP >/dev/null 2>&1
MAPPINGS_BEFORE=$(lab_mappings)
STATE_BEFORE=$(livebox_state)
check_eq "setup: the console's mapping exists" "TCP 3074 $ROGUE_IP 3074 Console" "$MAPPINGS_BEFORE" ||
    fail "lab setup failed"

# open_ports: the ports of PORTS that answer from the Internet.
open_ports() { lab_open_ports "$WAN_IP" "${PORTS[@]}"; }

is_before() {
    [[ "$(livebox_state)" == "$STATE_BEFORE" && "$(lab_mappings)" == "$MAPPINGS_BEFORE" &&
        "$(open_ports)" == "${PORTS[*]}" ]]
}

is_fixed() {
    lab_json "$LIVEBOX_STATE_FILE" \
        "d['dmz'] == {} and 'webui_RDP' not in d['port_forwards'] and d['upnp_igd']['Enable'] is False" \
        >/dev/null 2>&1 && [[ -z "$(lab_mappings)" && -z "$(open_ports)" ]]
}

backup_count() {
    find "$STATE/backups" -type f 2>/dev/null | wc -l
}

check_eq "before any fault: every port answers" "${PORTS[*]}" "$(open_ports)"

# What fix exits under each fault, measured on the emulator: 5 (undone: the box exactly as
# before), or 0 where the fault does not stop it: with an error reply to UPnP-IGD:set the step
# is reported done and the re-read finds UPnP off (the box fully fixed, checked below).
declare -A EXPECTED_RC=(
    ["Firewall:deletePortForwarding error"]=5
    ["Firewall:deletePortForwarding reset"]=5
    ["Firewall:deletePortForwarding reset-after"]=5
    ["Firewall:deletePortForwarding http500"]=5
    ["Firewall:commit error"]=5
    ["Firewall:commit reset"]=5
    ["Firewall:commit reset-after"]=5
    ["Firewall:commit http500"]=5
    ["Firewall:deleteDMZ error"]=5
    ["Firewall:deleteDMZ reset"]=5
    ["Firewall:deleteDMZ reset-after"]=5
    ["Firewall:deleteDMZ http500"]=5
    ["UPnP-IGD:set error"]=0
    ["UPnP-IGD:set reset"]=5
    ["UPnP-IGD:set reset-after"]=5
    ["UPnP-IGD:set http500"]=5
    ["Firewall:deleteDMZ hang"]=5
)
CASES_RUN=0

# one_fault CALL KIND: fix under the fault, check all-or-nothing, fix again, roll back.
one_fault() {
    local call=$1 kind=$2 label="$1 $2" backups
    echo "== fault: $label"
    livebox_ctl POST /clear >/dev/null
    livebox_ctl POST /fail "{\"call\": \"$call\", \"kind\": \"$kind\", \"count\": 1}" >/dev/null
    backups=$(backup_count)
    bw_capture "fix-$call-$kind" "$NS_LAPTOP" --password-file "$PW" --profile medical-practice \
        --state-dir "$STATE" --yes fix
    local hit
    hit=$(livebox_ctl GET /log | "$LAB_PYTHON" -c \
        'import json,sys; print(sum(1 for c in json.load(sys.stdin)["calls"] if "fault" in c))')
    check_eq "$label: the fault was hit" 1 "$hit"
    CASES_RUN=$((CASES_RUN + 1))
    # The emulator is deterministic: each fault gives one exit (EXPECTED_RC, measured).
    check_exit "$label: fix exits ${EXPECTED_RC[$label]:-(not in EXPECTED_RC)}" "$BW_RC" "${EXPECTED_RC[$label]:-none}" ||
        bw_show
    if [[ $BW_RC == 5 ]]; then
        check "$label: exit 5 and the box is exactly as before (state, mappings, probes)" is_before || bw_show
    else
        check "$label: the box is fully fixed" is_fixed
    fi
    check "$label: a new backup is there" test "$(backup_count)" -gt "$backups"
    check_eq "$label: no origin-only bulk delete" "" "$(livebox_alerts)"

    livebox_ctl POST /clear >/dev/null
    if [[ $BW_RC != 0 ]]; then
        bw_capture "fix2-$call-$kind" "$NS_LAPTOP" --password-file "$PW" --profile medical-practice \
            --state-dir "$STATE" --yes fix
        check_exit "$label: a second fix completes" "$BW_RC" 0 || bw_show
        check "$label: after the second fix the box is fully fixed" is_fixed
    fi
    bw_capture "rollback-$call-$kind" "$NS_LAPTOP" --password-file "$PW" --state-dir "$STATE" --yes rollback
    check_exit "$label: rollback exits 0" "$BW_RC" 0 || bw_show
    check "$label: after rollback the box is exactly as before" is_before || fail "cannot go on from here"
}

for call in Firewall:deletePortForwarding Firewall:commit Firewall:deleteDMZ UPnP-IGD:set; do
    for kind in error reset reset-after http500; do
        one_fault "$call" "$kind"
    done
done
# A hang costs the per-request timeout; once is enough to show it ends all-or-nothing.
one_fault Firewall:deleteDMZ hang
check_eq "every fault case ran (4 calls x 4 kinds + a hang)" 17 "$CASES_RUN"
# The login itself failing: before any backup or change, so exit 3 and nothing touched.
echo "== fault: the login is reset"
livebox_ctl POST /clear >/dev/null
livebox_ctl POST /fail '{"call": "sah.Device.Information:createContext", "kind": "reset", "count": 1}' >/dev/null
backups=$(backup_count)
bw_capture fix-login-reset "$NS_LAPTOP" --password-file "$PW" --profile medical-practice \
    --state-dir "$STATE" --yes fix
check_exit "login reset: fix exits 3 (box unreachable)" "$BW_RC" 3 || bw_show
check "login reset: the box is exactly as before" is_before
check_eq "login reset: no backup was needed" "$backups" "$(backup_count)"
livebox_ctl POST /clear >/dev/null
bw_capture fix-after-login-reset "$NS_LAPTOP" --password-file "$PW" --profile medical-practice \
    --state-dir "$STATE" --yes fix
check_exit "login reset: the next fix completes" "$BW_RC" 0 || bw_show
check "login reset: the box is fully fixed" is_fixed

lab_finish
