#!/usr/bin/env bash
# The doctor's case on an AVM FRITZ!Box (issue 13), end to end with the real binary against the
# FRITZ!Box emulator in the lab (tests/emulators/fritzbox_lab.sh, scenario doctor.json): two port
# shares send DICOM (104) and RDP (3389) to the imaging PC, remote access is on (the box on its
# WAN address, port 4443), UPnP is on and the imaging PC opened DICOM 11112 itself through the
# lab's real miniupnpd. From the doctor's laptop with the password in a file and no --user (the
# box's last user, as AVM recommends): a wrong password and a user without the "FRITZ!Box
# settings" right (exit 4, nothing changed), the audit (the exposed host unknown, with the
# FRITZ!OS menu), `fix --dry-run` (no write reaches the box), `fix --yes` and `rollback --yes`,
# each judged by the probe from the Internet namespace and by what the emulator stores. No
# secret (a password, the host list's sid) ever appears in an output, a log or a backup.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../emulators/fritzbox_lab.sh"
lab_require_root
lab_require_boxwarden
lab_up

STATE=$LAB_DIR/state
PORTS=(104 3389 4443 11112)
fritzbox_emu_up "$FRITZBOX_SCENARIOS/doctor.json"
lab_listen "$NS_PC" 104
lab_listen "$NS_PC" 3389
lab_listen "$NS_PC" 11112
lab_upnpc "$NS_PC" -e "PACS DICOM" -a "$PC_IP" 11112 11112 TCP >/dev/null 2>&1
MAPPINGS_BEFORE=$(lab_mappings)
check_eq "the imaging PC's UPnP mapping exists (real miniupnpd)" "TCP 11112 $PC_IP 11112 PACS DICOM" "$MAPPINGS_BEFORE"
fritzbox_password_file

# fb NAME ARGS...: boxwarden from the laptop with the state dir and the password file; the box
# named (-g) and its plugin, so that each run skips the vendor probes (discovery of the IGD stays).
fb() {
    local name=$1
    shift
    bw_capture "$name" "$NS_LAPTOP" --state-dir "$STATE" --password-file "$FRITZBOX_PASSWORD_FILE" \
        --gateway "$BOX_LAN" "$@"
}

open_ports() { lab_open_ports "$WAN_IP" "${PORTS[@]}"; }

no_secret() {
    local list=$LAB_DIR/secrets.lst
    (umask 077 && fritzbox_ctl GET /secrets | "$LAB_PYTHON" -c '
import json, sys
for v in json.load(sys.stdin)["secrets"]:
    if v:
        print(v)' >"$list") || return 1
    test -s "$list" && ! grep -rqFf "$list" "$@"
}

SETTINGS_BEFORE=$(fritzbox_settings)

echo "== a wrong password: exit 4, one line, nothing changed"
fritzbox_password_file not-the-password
fb wrong --profile medical-practice --yes fix
check_exit "fix with a wrong password exits 4" "$BW_RC" 4 || bw_show
check "it says the FRITZ!Box refused the login of boxadmin (the last user)" \
    grep -q "refused the login of user boxadmin" "$BW_ERR"
check_eq "the error is one line (besides the plain HTTP warning)" 1 "$(grep -vc 'plain HTTP' "$BW_ERR")"
check_eq "the box received no write" "" "$(fritzbox_writes)"

echo "== a user without the \"FRITZ!Box settings\" right: exit 4 and where to grant it"
fritzbox_password_file nurse-password-2
fb rights --user nurse --profile medical-practice --yes fix
check_exit "fix as a user without the right exits 4" "$BW_RC" 4 || bw_show
check "it names System > FRITZ!Box Users > nurse > \"FRITZ!Box settings\"" \
    grep -qF 'System > FRITZ!Box Users > nurse > "FRITZ!Box settings"' "$BW_ERR"
check_eq "the box received no write" "" "$(fritzbox_writes)"
fritzbox_password_file

echo "== before: the doctor's box, seen from the Internet"
check_eq "probe: every port answers (shares, remote access, the UPnP mapping)" "${PORTS[*]}" "$(open_ports)"
check "probe: 104 reaches the imaging PC through its port share" grep -q "$NS_PC:104" <<<"$(lab_probe 104 2>/dev/null)"

echo "== audit --profile medical-practice"
fritzbox_ctl POST /clear >/dev/null
fb audit --profile medical-practice --format json audit
check_exit "audit exits 1 (findings)" "$BW_RC" 1 || bw_show
J=$BW_OUT
check "the box is read through TR-064 (vendor fritzbox) and its IGD (upnp-igd)" lab_json "$J" \
    "d['gateway']['vendor'] == 'fritzbox' and {'fritzbox', 'upnp-igd'} <= set(d['gateway']['apis']) and d['gateway']['model'] == 'FRITZ!Box 7590'" \
    "d.get('gateway')"
check "the external address is the box's WAN address" lab_json "$J" "d['gateway']['external_ip'] == '$WAN_IP'" "d['gateway']"
check "EXPOSE-SERVICE for the shares 104 and 3389 to the imaging PC, made in the box's pages" lab_json "$J" \
    "sorted((f['subject']['external_port'], f['subject']['internal_host'], f['subject']['origin'][0]) for f in d['findings'] if f['rule'] == 'EXPOSE-SERVICE' and f['subject']['external_port'] in (104, 3389)) == [(104, '$PC_IP', 'webui'), (3389, '$PC_IP', 'webui')]" \
    "d['findings']"
check "the UPnP mapping 11112 is found (through the IGD)" lab_json "$J" \
    "[f['subject']['origin'] for f in d['findings'] if f['subject'].get('external_port') == 11112] == [['upnp']]" "d['findings']"
check "ADMIN-WAN and UPNP-ENABLED" lab_json "$J" \
    "{'ADMIN-WAN', 'UPNP-ENABLED'} <= {f['rule'] for f in d['findings']}" "d['findings']"
check "the exposed host (DMZ) is unknown, and a manual step names the FRITZ!OS menu" lab_json "$J" \
    "'dmz' in d['state']['unknown'] and any('Internet > Permit Access > Port Sharing' in (a.get('manual_steps') or '') and 'Internet > Freigaben > Portfreigaben' in (a.get('manual_steps') or '') and 'exposed host' in (a.get('manual_steps') or '') for a in d['plan'])" \
    "(d['state']['unknown'], [a.get('manual_steps') for a in d['plan']])"
check_eq "the audit sent no write" "" "$(fritzbox_writes)"
fb audit-text --profile medical-practice audit
check "the text report warns that TR-064 is plain HTTP here" grep -q "plain HTTP" "$BW_OUT" "$BW_ERR"

echo "== fix --dry-run: the requests, none sent"
fritzbox_ctl POST /clear >/dev/null
fb dry --profile medical-practice --dry-run --yes fix
check_exit "dry run exits 1 (the findings remain)" "$BW_RC" 1 || bw_show
check "would send: DeletePortMapping of 3389" grep -qE "would send: POST .*wanpppconn1 WANPPPConnection:1#DeletePortMapping .*NewExternalPort=3389" "$BW_OUT"
check "would send: X_AVM-DE_RemoteAccess SetEnable 0" grep -qF "X_AVM-DE_RemoteAccess:1#SetEnable NewEnabled=0" "$BW_OUT"
check "would send: X_AVM-DE_UPnP SetConfig NewEnable=0, the media server kept" \
    grep -qF "X_AVM-DE_UPnP:1#SetConfig NewEnable=0 NewUPnPMediaServer=1" "$BW_OUT"
check_eq "the box received no write" "" "$(fritzbox_writes)"
check_eq "the dry run changed nothing" "$SETTINGS_BEFORE" "$(fritzbox_settings)"

echo "== fix --profile medical-practice --yes"
fritzbox_ctl POST /clear >/dev/null
fb fix --profile medical-practice --yes fix
FIX_RC=$BW_RC
check "fix exits 0 or 1 (only manual steps may remain)" test "$BW_RC" -le 1 || bw_show
check_eq "the box received exactly the four TR-064 writes" \
    "$(printf '%s\n' 'WANPPPConnection#DeletePortMapping' 'WANPPPConnection#DeletePortMapping' 'X_AVM-DE_RemoteAccess#SetEnable' 'X_AVM-DE_UPnP#SetConfig')" \
    "$(fritzbox_writes | sort)"
check_eq "probe: nothing answers from the Internet (after)" "" "$(open_ports)"
check "the FRITZ!Box stores: no share, remote access off, UPnP off (media server kept)" lab_json "$FRITZBOX_STATE_FILE" \
    "d['shares'] == [] and d['remote']['enabled'] == 0 and d['upnp'] == {'enable': 0, 'media_server': 1}" \
    "(d['shares'], d['remote'], d['upnp'])"
check "the lab's IGD (miniupnpd) is stopped by the box's UPnP switch" not lab_box_is_up
BACKUP=$(find "$STATE/backups" -name "*.json" 2>/dev/null | sort | tail -n 1)
check "a backup was written, mode 600" test "$(stat -c %a "$BACKUP" 2>/dev/null)" = 600
check "the backup names the machine behind the shares from the box's host list (imaging-pc)" lab_json "$BACKUP" \
    "'imaging-pc' in text" "list(d)"
echo "(fix exit $FIX_RC)"

echo "== rollback --yes"
fb rollback --yes rollback
check_exit "rollback exits 0" "$BW_RC" 0 || bw_show
check_eq "the FRITZ!Box's settings are exactly as before" "$SETTINGS_BEFORE" "$(fritzbox_settings)"
check "the lab's IGD is running again" lab_box_is_up
check_eq "the UPnP mapping is back exactly" "$MAPPINGS_BEFORE" "$(lab_mappings)"
check_eq "probe: everything answers again" "${PORTS[*]}" "$(open_ports)"

check "no secret in any output, log or backup" no_secret "$LAB_DIR"/*.out "$LAB_DIR"/*.err "$STATE"
lab_finish
