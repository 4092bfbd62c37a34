#!/usr/bin/env bash
# The doctor's case on an OpenWrt router (issue 13), end to end with the real binary against the
# OpenWrt emulator in the lab (tests/emulators/openwrt_lab.sh, scenario doctor.json: fw4's default
# firewall plus two redirects from wan to the imaging PC, DICOM 104 and RDP 3389, a third one
# already switched off, a wan rule opening 443 (LuCI from the Internet), a WireGuard interface;
# upnpd on, and the PC maps 11112 through the lab's real miniupnpd). boxwarden logs in as the
# least-privilege rpcd user of vendors/openwrt/boxwarden-acl.json. Checked: a wrong password (exit
# 4, nothing changed), the audit, `fix --dry-run` (no write reaches the router), `fix --yes`
# (each change staged, applied with rollback, re-read, confirmed: no rollback of rpcd's ran), the
# probe from the Internet namespace before (open) and after (closed), `rollback --yes` (the UCI
# configs exactly as before, the ports open again). No secret (the password, an rpcd session id,
# the WireGuard keys) in any output, log or backup.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../emulators/openwrt_lab.sh"
lab_require_root
lab_require_boxwarden
lab_up

STATE=$LAB_DIR/state
PORTS=(104 443 3389 11112)
openwrt_emu_up "$OWRT_SCENARIOS/doctor.json"
lab_listen "$NS_PC" 104
lab_listen "$NS_PC" 3389
lab_listen "$NS_PC" 11112
openwrt_password_file
lab_upnpc "$NS_PC" -e "PACS DICOM" -a "$PC_IP" 11112 11112 TCP >/dev/null 2>&1

ow() {
    local name=$1
    shift
    bw_capture "$name" "$NS_LAPTOP" --state-dir "$STATE" --user "$OWRT_USER" --password-file "$OWRT_PASSWORD_FILE" "$@"
}

open_ports() {
    lab_ns "$NS_INET" "$LAB_PYTHON" -c '
import concurrent.futures, socket, sys
def probe(port):
    try:
        with socket.create_connection((sys.argv[1], int(port)), timeout=2):
            return port
    except OSError:
        return None
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    print(" ".join(p for p in pool.map(probe, sys.argv[2:]) if p))' "$WAN_IP" "${PORTS[@]}"
}

no_secret() {
    local list=$LAB_DIR/secrets.lst
    (umask 077 && openwrt_ctl GET /secrets | "$LAB_PYTHON" -c '
import json, sys
for v in json.load(sys.stdin)["secrets"] + ["wg-private-key-OWRT-SECRET-1=", "wg-psk-OWRT-SECRET-2="]:
    if v:
        print(v)' >"$list") || return 1
    test -s "$list" && ! grep -rqFf "$list" "$@"
}

rollbacks() {
    openwrt_ctl GET /pending | "$LAB_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["rollbacks"])'
}

SETTINGS_BEFORE=$(openwrt_settings)
printf '%s\n' "$SETTINGS_BEFORE" >"$LAB_DIR/before.json"

echo "== a wrong password: exit 4, nothing changed"
openwrt_password_file not-the-password
ow wrong --profile medical-practice --yes fix
check_exit "fix with a wrong password exits 4" "$BW_RC" 4 || bw_show
check "it says the router refused the user or its password" grep -q "refused the user boxwarden or its password" "$BW_ERR"
check_eq "the router received no write" "" "$(openwrt_writes)"
openwrt_password_file

echo "== a user without the ACL's write part: exit 4 naming what rpcd refused, nothing changed"
(umask 077 && printf '%s\n' reader-password-1 >"$LAB_DIR/reader-password")
bw_capture reader "$NS_LAPTOP" --state-dir "$LAB_DIR/state-reader" --user reader --password-file "$LAB_DIR/reader-password" \
    --profile medical-practice --yes fix
check_exit "fix as a read-only rpcd user exits 4" "$BW_RC" 4 || bw_show
check "it names the ubus call the ACL lacks and the ACL file" grep -q "does not let the user reader call uci.set: install boxwarden's ACL" "$BW_OUT" "$BW_ERR"
check_eq "the router stores what it did before" "$SETTINGS_BEFORE" "$(openwrt_settings)"

echo "== before: the doctor's router, seen from the Internet"
check_eq "probe: 104, 443, 3389 and the UPnP mapping 11112 answer" "${PORTS[*]}" "$(open_ports)"
check "probe: 104 reaches the imaging PC (a redirect)" grep -q "$NS_PC:104" <<<"$(lab_probe 104 2>/dev/null)"
check "probe: 443 answers on the router itself (LuCI from the Internet)" grep -q "openwrt-router-service 443" <<<"$(lab_probe 443 2>/dev/null)"

echo "== audit --profile medical-practice"
openwrt_ctl POST /clear >/dev/null
ow audit --profile medical-practice --format json audit
check_exit "audit exits 1 (findings)" "$BW_RC" 1 || bw_show
J=$BW_OUT
check "the router is read through ubus (vendor openwrt, its model)" lab_json "$J" \
    "d['gateway']['vendor'] == 'openwrt' and 'openwrt' in d['gateway']['apis'] and d['gateway']['model'] == 'Linksys E8450 (UBI)'" \
    "d.get('gateway')"
check "the external address is the WAN address (network.interface dump)" lab_json "$J" "d['gateway']['external_ip'] == '$WAN_IP'" "d['gateway']"
check "EXPOSE-SERVICE, critical: 104 and 3389 to the PC, from the UCI redirects" lab_json "$J" \
    "sorted(f['subject']['external_port'] for f in d['findings'] if f['rule'] == 'EXPOSE-SERVICE' and 'webui' in f['subject']['origin'] and f['severity'] == 'critical') == [104, 3389]" \
    "d['findings']"
check "the redirect already switched off (5000) is no finding" lab_json "$J" \
    "not [f for f in d['findings'] if f['subject'].get('external_port') == 5000]" "d['findings']"
check "the UPnP mapping 11112 is seen (the real miniupnpd, through the IGD)" lab_json "$J" \
    "[f for f in d['findings'] if f['subject'].get('external_port') == 11112]" "d['findings']"
check "ADMIN-WAN (the wan rule opening 443)" lab_json "$J" \
    "[f['rule'] for f in d['findings'] if f['rule'] == 'ADMIN-WAN'] == ['ADMIN-WAN']" "d['findings']"
check "UPNP-ENABLED" lab_json "$J" "[f['rule'] for f in d['findings'] if f['rule'] == 'UPNP-ENABLED'] == ['UPNP-ENABLED']" \
    "d['findings']"
check "remote admin and UPnP known, no DMZ (no redirect without an external port)" lab_json "$J" \
    "d['state']['remote_admin'] == {'enabled': True} and d['state']['upnp_igd'] == {'enabled': True} and d['state']['dmz']['enabled'] is False" \
    "d['state']"
check_eq "the audit sent no write" "" "$(openwrt_writes)"

echo "== fix --dry-run: the requests, none sent"
openwrt_ctl POST /clear >/dev/null
ow dry --profile medical-practice --dry-run --yes fix
check_exit "dry run exits 1 (the findings remain)" "$BW_RC" 1 || bw_show
check "would send: uci set ... enabled 0 on the DICOM redirect" grep -qE 'would send: .*uci set .*"enabled":"0"' "$BW_OUT"
check "would send: uci apply with rollback" grep -qE 'would send: .*uci apply \{"rollback":true,"timeout":[0-9]+\}' "$BW_OUT"
check "would send: uci confirm" grep -q 'would send: .*uci confirm' "$BW_OUT"
check_eq "the router received no write" "" "$(openwrt_writes)"
check_eq "the dry run changed nothing" "$SETTINGS_BEFORE" "$(openwrt_settings)"

echo "== fix --profile medical-practice --yes"
openwrt_ctl POST /clear >/dev/null
ow fix --profile medical-practice --yes fix
check_exit "fix exits 0 (nothing at or above high remains)" "$BW_RC" 0 || bw_show
check "every change was applied with rollback, re-read and confirmed (as many confirms as applies)" lab_json <(openwrt_ctl GET /log) \
    "(lambda a, c: a >= 3 and a == c)(sum(1 for x in d['calls'] if x['call'] == 'uci apply' and x['args'].get('rollback') is True and x.get('status') == 0), sum(1 for x in d['calls'] if x['call'] == 'uci confirm' and x.get('status') == 0))" "d['calls']"
check_eq "rpcd's own rollback never ran" 0 "$(rollbacks)"
check_eq "probe: nothing answers from the Internet (after)" "" "$(open_ports)"
check "UCI: both redirects switched off (kept), the 443 rule off with its marker, upnpd off" lab_json "$OWRT_STATE_FILE" "
(lambda fw, up: [dict(s['options']).get('enabled') for s in fw if s['type'] == 'redirect'] == ['0', '0', '0']
 and [dict(s['options']).get('boxwarden_was_enabled') for s in fw if dict(s['options']).get('name') == 'LuCI from the Internet'] == ['']
 and dict(up[0]['options'])['enabled'] == '0')(d['configs']['firewall'], d['configs']['upnpd'])" "d['configs']['firewall']"
check "the lab's miniupnpd is stopped by upnpd.enabled" not lab_box_is_up
BACKUP=$(find "$STATE/backups" -name "*.json" 2>/dev/null | sort | tail -n 1)
check "a backup was written, mode 600" test "$(stat -c %a "$BACKUP" 2>/dev/null)" = 600
check "the backup holds the WireGuard interface as read (name, port, peer), without its keys" lab_json "$BACKUP" "
(lambda f: f(f, d))(lambda f, x: (x.get('wireguard') == [{'interface': 'wg0', 'listen_port': 51820, 'peers': ['doctor laptop'], 'disabled': False}]
   or any(f(f, v) for v in x.values())) if isinstance(x, dict) else (any(f(f, v) for v in x) if isinstance(x, list) else False))" "d"

echo "== audit again: closed"
ow audit-after --profile medical-practice --format json audit
check_exit "audit exits 0" "$BW_RC" 0 || bw_show
check "the audit sees remote admin and UPnP off" lab_json "$BW_OUT" \
    "d['state']['remote_admin'] == {'enabled': False} and d['state']['upnp_igd'] == {'enabled': False}" "d['state']"

echo "== rollback --yes"
ow rollback --yes rollback
check_exit "rollback exits 0" "$BW_RC" 0 || bw_show
check_eq "the UCI configs are exactly as before (sections, options and their order)" "$SETTINGS_BEFORE" "$(openwrt_settings)"
check_eq "probe: everything answers again" "${PORTS[*]}" "$(open_ports)"
check "probe: 104 reaches the imaging PC again" grep -q "$NS_PC:104" <<<"$(lab_probe 104 2>/dev/null)"
check "the lab's miniupnpd runs again, with the PC's mapping" lab_box_is_up

echo "== a redirect deleted on the router after the fix: rollback adds it again, same name, options and place"
ow fix2 --profile medical-practice --yes fix
check_exit "fix again exits 0" "$BW_RC" 0 || bw_show
DICOM=$("$LAB_PYTHON" -c '
import json, sys
for s in json.load(open(sys.argv[1]))["configs"]["firewall"]:
    if dict(s["options"]).get("name") == "DICOM imaging":
        print(s["name"])' "$OWRT_STATE_FILE")
# root deletes it in LuCI (here: through ubus, from the box itself)
lab_ns "$NS_BOX" "$LAB_PYTHON" - "$BOX_LAN" "$DICOM" <<'PY'
import json, sys, urllib.request
def call(sid, obj, method, args):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "call", "params": [sid, obj, method, args]}).encode()
    return json.load(urllib.request.urlopen("http://%s/ubus" % sys.argv[1], body, timeout=5))["result"]
sid = call("0" * 32, "session", "login", {"username": "root", "password": "root-password-1"})[1]["ubus_rpc_session"]
assert call(sid, "uci", "delete", {"config": "firewall", "section": sys.argv[2]}) == [0]
assert call(sid, "uci", "apply", {"rollback": False}) == [0]
PY
check "the DICOM redirect is gone from UCI" not grep -q "\"$DICOM\"" <(openwrt_settings)
ow rollback2 --yes rollback
check_exit "rollback exits 0" "$BW_RC" 0 || bw_show
check "UCI is as before but for the re-added redirect, which rpcd's add makes a named section" lab_json "$OWRT_STATE_FILE" "
(lambda before, now: [dict(x, anonymous=None) for x in before] == [dict(x, anonymous=None) for x in now]
 and [x['anonymous'] for x in now if x['name'] == '$DICOM'] == [False])(__import__('json').load(open('$LAB_DIR/before.json'))['firewall'], d['configs']['firewall'])" \
    "d['configs']['firewall']"
check_eq "probe: everything answers again" "${PORTS[*]}" "$(open_ports)"

check "no secret in any output, log or backup" no_secret "$LAB_DIR"/*.out "$LAB_DIR"/*.err "$STATE"
lab_finish
