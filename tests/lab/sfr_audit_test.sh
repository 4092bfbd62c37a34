#!/usr/bin/env bash
# An SFR box audit is honest (issue 14): the real binary against the SFR box emulator
# (tests/emulators/sfr_emulator.py: its "API REST" from the captured fixtures) on the box's LAN
# address, with the lab's miniupnpd as the box's UPnP IGD. The API identifies the box (model,
# firmware, WAN address) and, with the admin password, gives the firewall's filters; it has no
# method for port forwards, the DMZ or remote access, so the report must say those are
# unknown, with steps that name the menus of that model's web interface, and never call the box
# safe; the exit code follows --fail-on. boxwarden never calls the methods that return
# secrets (system.getWpaKey, ppp.getCredentials), and no password or token reaches an output.
set -u
source "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_boxwarden
lab_up

SFR_EMU=$(cd "$(dirname "$0")/../emulators" && pwd)/sfr_emulator.py
PASSWORD_FILE=$LAB_DIR/sfr-password
(umask 077 && echo sfr-admin-1 >"$PASSWORD_FILE")
SFR_PID=

# sfr_up MODEL: the emulator as that model (the previous one stopped first).
sfr_up() {
    if [[ -n $SFR_PID ]]; then
        kill "$SFR_PID" 2>/dev/null
        wait "$SFR_PID" 2>/dev/null
    fi
    rm -f "$LAB_DIR/sfr.port"
    lab_bg "$NS_BOX" "sfr-emu-$1" "$LAB_PYTHON" "$SFR_EMU" --bind "$BOX_LAN" --port 80 --port-file "$LAB_DIR/sfr.port" \
        --model "$1" --wan-ip "$WAN_IP"
    SFR_PID=$LAB_LAST_PID
    _lab_wait_for 10 test -e "$LAB_DIR/sfr.port" || fail "the SFR emulator did not start"
}

sb() {
    local name=$1
    shift
    bw_capture "$name" "$NS_LAPTOP" --state-dir "$LAB_DIR/state" "$@"
}

methods() {
    lab_emu_ctl GET /log | "$LAB_PYTHON" -c 'import json, sys; print("\n".join(sorted({c["method"] for c in json.load(sys.stdin)["calls"]})))'
}

no_secret() {
    local list=$LAB_DIR/secrets.lst
    (umask 077 && lab_emu_ctl GET /secrets | "$LAB_PYTHON" -c '
import json, sys
for v in json.load(sys.stdin)["secrets"]:
    if v:
        print(v)' >"$list") || return 1
    test -s "$list" && ! grep -rqFf "$list" "$@"
}

sfr_up nb6vac

echo "== audit of a neufbox 6 (NB6VAC) with its admin password"
sb audit --password-file "$PASSWORD_FILE" --profile medical-practice --format json audit
check_exit "audit exits 1 (the unknowns are high in this profile)" "$BW_RC" 1 || bw_show
J=$BW_OUT
check "the box is identified as an SFR box, its model and firmware" lab_json "$J" \
    "d['gateway']['vendor'] == 'sfr' and d['gateway']['model'] == 'SFR Box NB6 (NB6VAC-FXC-r0)' and d['gateway']['firmware'] == 'NB6VAC-MAIN-R4.0.44k'" \
    "d['gateway']"
check "the external address is the box's WAN address" lab_json "$J" "d['gateway']['external_ip'] == '$WAN_IP'" "d['gateway']"
check "the UPnP view is combined (the IGD answers: UPnP on)" lab_json "$J" \
    "d['state']['upnp_igd'] == {'enabled': True} and [f['severity'] for f in d['findings'] if f['rule'] == 'UPNP-ENABLED'] == ['high']" \
    "(d['state'].get('upnp_igd'), d['findings'])"
check "the DMZ, the box's port forwards and remote access are unknown (STATE-UNKNOWN, high)" lab_json "$J" \
    "sorted(f['subject']['field'] for f in d['findings'] if f['rule'] == 'STATE-UNKNOWN' and f['severity'] == 'high') == ['dmz', 'remote_admin', 'static_port_forwards']" \
    "d['findings']"
check "the DMZ is not reported as off" lab_json "$J" "d['state'].get('dmz') in (None, {})" "d['state']"
check "the DMZ step names the neufbox menu Réseau v4 > DMZ" lab_json "$J" \
    "[a for a in d['plan'] if a['target'].get('field') == 'dmz' and 'Réseau v4 > DMZ' in a['manual_steps'] and 'http://$BOX_LAN' in a['manual_steps'] and not a['automatic']]" \
    "d['plan']"
check "the port forwards step names Réseau v4 > NAT" lab_json "$J" \
    "[a for a in d['plan'] if a['target'].get('field') == 'static_port_forwards' and 'Réseau v4 > NAT' in a['manual_steps']]" "d['plan']"
check "the remote access step names Maintenance > Administration" lab_json "$J" \
    "[a for a in d['plan'] if a['target'].get('field') == 'remote_admin' and 'Maintenance > Administration' in a['manual_steps']]" "d['plan']"
check "the report is valid" lab_schema "$J" report
sb audit-text --password-file "$PASSWORD_FILE" --profile medical-practice audit
check_exit "the text audit exits 1" "$BW_RC" 1 || bw_show
check "the text report lists what it could not read" grep -q "could not read (unknown is not safe" "$BW_OUT"
check_eq "no line calls anything safe" "" \
    "$(grep -i safe "$BW_OUT" | grep -v 'unknown is not safe\|does not assume it is safe\|never assumed safe')"
check "the firewall was read with the login (firewall.getInfo)" grep -q "firewall.getInfo" <(methods)
check_eq "the box never received a method that returns secrets" "" "$(methods | grep -E 'getWpaKey|getCredentials')"

echo "== --fail-on critical: the unknowns (high) do not fail the run"
sb failon --password-file "$PASSWORD_FILE" --profile medical-practice audit --fail-on critical
check_exit "audit --fail-on critical exits 0" "$BW_RC" 0 || bw_show
check "it still lists the unknowns" grep -q "could not read (unknown is not safe" "$BW_OUT"

echo "== a wrong password: exit 4, one line"
(umask 077 && echo wrong >"$LAB_DIR/wrong")
sb wrong --password-file "$LAB_DIR/wrong" --profile medical-practice audit
check_exit "audit with a wrong password exits 4" "$BW_RC" 4 || bw_show
check "it says the SFR box refused the login" grep -q "the SFR box refused the admin login and password" "$BW_ERR"
check_eq "the error is one line" 1 "$(wc -l <"$BW_ERR")"

check "no password or token in any output so far" no_secret "$LAB_DIR"/*.out "$LAB_DIR"/*.err

echo "== an SFR Box 10: its own menus"
sfr_up box10
sb box10 --password-file "$PASSWORD_FILE" --profile medical-practice --format json audit
check_exit "audit exits 1" "$BW_RC" 1 || bw_show
check "the model is the SFR Box 10" lab_json "$BW_OUT" "d['gateway']['model'] == 'SFR Box 10 (BOX10H-SER-r0)'" "d['gateway']"
check "the DMZ step names the Box 10 menu Réseau > DMZ" lab_json "$BW_OUT" \
    "[a for a in d['plan'] if a['target'].get('field') == 'dmz' and 'Réseau > DMZ' in a['manual_steps']]" "d['plan']"
check_eq "the box never received a method that returns secrets" "" "$(methods | grep -E 'getWpaKey|getCredentials')"

check "no password or token in any output" no_secret "$LAB_DIR"/*.out "$LAB_DIR"/*.err
lab_finish
