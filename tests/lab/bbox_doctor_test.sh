#!/usr/bin/env bash
# The doctor's case on a Bouygues Telecom Bbox (issue 14), end to end with the real binary
# against the Bbox emulator in the lab (tests/emulators/bbox_lab.sh, scenario doctor.json): the
# DMZ sends everything to the imaging PC, a NAT/PAT rule sends 3389 (RDP) to it, the Bbox's
# remote access is on (its pages on the WAN address, port 4443), UPnP is on; a second rule
# (5000 to an old NAS) is already switched off. From the doctor's laptop with the admin password
# in a file: a wrong password (exit 4, one line, nothing changed), the audit, `fix --dry-run`
# (no write reaches the box), `fix --yes` and `rollback --yes`, each judged by the probe from
# the Internet namespace and by what the emulator stores. No secret (the password, the BBOX_ID
# cookie, a btoken) ever appears in an output, a log or a backup.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../emulators/bbox_lab.sh"
lab_require_root
lab_require_boxwarden
lab_up

STATE=$LAB_DIR/state
REMOTE=4443
PORTS=(104 3389 "$REMOTE")
bbox_emu_up "$BBOX_SCENARIOS/doctor.json"
lab_listen "$NS_PC" 104
lab_listen "$NS_PC" 3389
bbox_password_file

# bb NAME ARGS...: boxwarden from the laptop with the state dir and the password file.
bb() {
    local name=$1
    shift
    bw_capture "$name" "$NS_LAPTOP" --state-dir "$STATE" --password-file "$BBOX_PASSWORD_FILE" "$@"
}

# open_ports: the ports of PORTS that answer from the Internet.
open_ports() { lab_open_ports "$WAN_IP" "${PORTS[@]}"; }

# no_secret FILE|DIR...: none of the secrets the emulator holds or handed out is in them.
no_secret() {
    local list=$LAB_DIR/secrets.lst
    (umask 077 && bbox_ctl GET /secrets | "$LAB_PYTHON" -c '
import json, sys
for v in json.load(sys.stdin)["secrets"]:
    if v:
        print(v)' >"$list") || return 1
    test -s "$list" && ! grep -rqFf "$list" "$@"
}

SETTINGS_BEFORE=$(bbox_settings)

echo "== a wrong password: exit 4, one line, nothing changed"
bbox_password_file not-the-password
bb wrong --profile medical-practice --yes fix
check_exit "fix with a wrong password exits 4" "$BW_RC" 4 || bw_show
check "it says the Bbox refused the admin password" grep -q "the Bbox refused the admin password" "$BW_ERR"
check_eq "the error is one line (besides the plain HTTP warning)" 1 "$(grep -vc 'plain HTTP' "$BW_ERR")"
check_eq "the box received no write" "" "$(bbox_writes)"
bbox_password_file

echo "== before: the doctor's box, seen from the Internet"
check "probe: 104 reaches the imaging PC through the DMZ" grep -q "$NS_PC:104" <<<"$(lab_probe 104 2>/dev/null)"
check "probe: 3389 reaches the imaging PC (the NAT/PAT rule)" grep -q "$NS_PC:3389" <<<"$(lab_probe 3389 2>/dev/null)"
check "probe: remote access ($REMOTE) answers on the box" lab_probe "$REMOTE"

echo "== audit --profile medical-practice"
bbox_ctl POST /clear >/dev/null
bb audit --profile medical-practice --format json audit
check_exit "audit exits 1 (findings)" "$BW_RC" 1 || bw_show
J=$BW_OUT
check "the box is read through the Bbox API (vendor bbox, its model)" lab_json "$J" \
    "d['gateway']['vendor'] == 'bbox' and d['gateway']['apis'][0] == 'bbox' and d['gateway']['model'] == 'F@st5688b'" \
    "d.get('gateway')"
check "the external address is the box's WAN address" lab_json "$J" "d['gateway']['external_ip'] == '$WAN_IP'" "d['gateway']"
check "EXPOSE-DMZ, critical, the imaging PC" lab_json "$J" \
    "[(f['severity'], f['subject']['host']) for f in d['findings'] if f['rule'] == 'EXPOSE-DMZ'] == [('critical', '$PC_IP')]" \
    "d['findings']"
check "EXPOSE-SERVICE, critical, RDP 3389 to the PC, made in the box's pages" lab_json "$J" \
    "[(f['severity'], f['subject']['internal_host'], f['subject']['origin']) for f in d['findings'] if f['rule'] == 'EXPOSE-SERVICE' and f['subject']['external_port'] == 3389] == [('critical', '$PC_IP', ['webui'])]" \
    "d['findings']"
check "the rule already switched off (5000) is no finding" lab_json "$J" \
    "not [f for f in d['findings'] if f['subject'].get('external_port') == 5000]" "d['findings']"
check "ADMIN-WAN, high (remote access on)" lab_json "$J" \
    "[f['severity'] for f in d['findings'] if f['rule'] == 'ADMIN-WAN'] == ['high']" "d['findings']"
check "UPNP-ENABLED, high" lab_json "$J" "[f['severity'] for f in d['findings'] if f['rule'] == 'UPNP-ENABLED'] == ['high']" \
    "d['findings']"
check "the DMZ, remote access and UPnP are known" lab_json "$J" \
    "d['state']['dmz'] == {'enabled': True, 'host': '$PC_IP'} and d['state']['remote_admin'] == {'enabled': True} and d['state']['upnp_igd'] == {'enabled': True}" \
    "d['state']"
check_eq "the audit sent no write" "" "$(bbox_writes)"
bb audit-text --profile medical-practice audit
check "the text report says the Bbox's API is plain HTTP (the cookie crosses the LAN)" \
    grep -q "plain HTTP" "$BW_OUT" "$BW_ERR"

echo "== fix --dry-run: the requests, none sent"
bbox_ctl POST /clear >/dev/null
bb dry --profile medical-practice --dry-run --yes fix
check_exit "dry run exits 1 (the findings remain)" "$BW_RC" 1 || bw_show
URL="http://$BOX_LAN/api/v1"
check "would send: PUT nat/rules/1 enable=0" grep -qF "would send: PUT $URL/nat/rules/1 enable=0" "$BW_OUT"
check "would send: PUT nat/dmz enable=0&ipaddress=" grep -qF "would send: PUT $URL/nat/dmz enable=0&ipaddress=" "$BW_OUT"
check "would send: PUT remote/admin enable=0" grep -qF "would send: PUT $URL/remote/admin enable=0" "$BW_OUT"
check "would send: PUT upnp/igd enable=0" grep -qF "would send: PUT $URL/upnp/igd enable=0" "$BW_OUT"
check "no btoken in the lines shown" not grep -q "btoken" "$BW_OUT"
check_eq "the box received no write" "" "$(bbox_writes)"
check_eq "the dry run changed nothing" "$SETTINGS_BEFORE" "$(bbox_settings)"

echo "== fix --profile medical-practice --yes"
bbox_ctl POST /clear >/dev/null
bb fix --profile medical-practice --yes fix
check_exit "fix exits 0 (nothing at or above high remains)" "$BW_RC" 0 || bw_show
check_eq "the box received exactly the four writes" \
    "$(printf '%s\n' 'PUT nat/dmz' 'PUT nat/rules/1' 'PUT remote/admin' 'PUT upnp/igd')" "$(bbox_writes | sort)"
check "every write carried a btoken" lab_json <(bbox_ctl GET /log) \
    "all(c['btoken'] for c in d['calls'] if 'route' in c and c['call'].split()[0] in ('PUT', 'POST', 'DELETE') and c['call'] not in ('POST login', 'POST logout'))" "d['calls']"
check_eq "probe: nothing answers from the Internet (after)" "" "$(open_ports)"
check "the Bbox stores: DMZ off, rule 1 switched off (kept), remote access off, UPnP off" lab_json "$BBOX_STATE_FILE" \
    "d['dmz']['enable'] == 0 and [(r['id'], r['enable']) for r in d['nat']['rules']] == [(1, 0), (2, 0)] and d['services']['remote']['admin']['enable'] == 0 and d['upnp']['enable'] == 0" \
    "(d['dmz'], d['nat'], d['services']['remote']['admin'], d['upnp'])"
check "the lab's IGD (miniupnpd) is stopped by the box's UPnP switch" not lab_box_is_up
BACKUP=$(find "$STATE/backups" -name "*.json" 2>/dev/null | sort | tail -n 1)
check "a backup was written, mode 600" test "$(stat -c %a "$BACKUP" 2>/dev/null)" = 600

echo "== audit again: closed"
bb audit-after --profile medical-practice --format json audit
check_exit "audit exits 0" "$BW_RC" 0 || bw_show
check "the audit sees the DMZ, remote access and UPnP off" lab_json "$BW_OUT" \
    "d['state']['dmz']['enabled'] is False and d['state']['remote_admin'] == {'enabled': False} and d['state']['upnp_igd'] == {'enabled': False}" \
    "d['state']"

echo "== rollback --yes"
bb rollback --yes rollback
check_exit "rollback exits 0" "$BW_RC" 0 || bw_show
check_eq "the Bbox's settings are exactly as before" "$SETTINGS_BEFORE" "$(bbox_settings)"
check "the rule keeps its id 1 (switched back on, not made again)" lab_json "$BBOX_STATE_FILE" \
    "[(r['id'], r['enable']) for r in d['nat']['rules']] == [(1, 1), (2, 0)]" "d['nat']"
check_eq "probe: everything answers again" "${PORTS[*]}" "$(open_ports)"
check "probe: 104 reaches the imaging PC again" grep -q "$NS_PC:104" <<<"$(lab_probe 104 2>/dev/null)"
check "the lab's IGD is running again" lab_box_is_up

bbox_ctl POST /clear >/dev/null
echo "== three wrong passwords lock logins out: the right one then gets exit 4 and the wait"
bbox_password_file not-the-password
for i in 1 2 3; do
    bb "wrong$i" --profile medical-practice audit
    check_exit "wrong password $i: exit 4" "$BW_RC" 4 || bw_show
done
bbox_password_file
bb locked --profile medical-practice audit
check_exit "the right password while locked out: exit 4" "$BW_RC" 4 || bw_show
check "it says the Bbox refuses logins for a while, and the wait it asks" \
    grep -qE "refuses logins for a while .*\(it asks to wait [0-9]+ s\)" "$BW_ERR"
check_eq "one login attempt per run, never retried" 4 \
    "$(bbox_ctl GET /log | "$LAB_PYTHON" -c 'import json,sys; print(sum(1 for c in json.load(sys.stdin)["calls"] if c["call"] == "POST login" and c.get("status") in (401, 429)))')"

check "no secret in any output, log or backup" no_secret "$LAB_DIR"/*.out "$LAB_DIR"/*.err "$STATE"
lab_finish
