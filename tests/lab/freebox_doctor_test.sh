#!/usr/bin/env bash
# The doctor's case on a Freebox (issue 8, part 4), end to end with the real binary against the
# Freebox emulator in the lab (tests/emulators/freebox_lab.sh, scenario doctor.json): the DMZ
# sends everything to the imaging PC, a forward sends 3389 (RDP) to it, and the box's remote
# access is on (its own API on the WAN address, port 21252). The API is served over HTTPS with
# a test CA (--ca-file), as a real Freebox serves it with Free's. From the doctor's laptop:
# `pair` (the person at the box presses the arrow: --auto-grant), a fix before the app has the
# "settings" permission (exit 4, the place in Freebox OS, nothing changed), then the audit,
# `fix --dry-run` (no write reaches the box), `fix --yes` and `rollback --yes`, each judged by
# the probe from the Internet namespace and by what the emulator stores. Then the failures a
# technician meets: a wrong token, a revoked app, no token at all (exit 4 and the pair
# command), the box's certificate without --ca-file (exit 3). No secret (app token, challenge,
# session token, login password) ever appears in an output or a backup.
# Over IPv6 (issue 9; the lab is built with LAB_IPV6=1): the same box with its IPv6 firewall
# off (ipv6_firewall:false, as some Freeboxes ship), so the imaging PC answers at its own IPv6
# address from the Internet with no forward at all; the audit says IPV6-FIREWALL-OFF
# (critical), the fix switches the firewall on (the probe over IPv6 is refused), the rollback
# puts ipv6_firewall:false back exactly and the PC answers over IPv6 again.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../emulators/freebox_lab.sh"
lab_require_root
lab_require_boxwarden
LAB_IPV6=1 lab_up

STATE=$LAB_DIR/state
REMOTE=21252 # the scenario's remote_access_port
PORTS=(104 3389 "$REMOTE")
PORTS6=(104 3389 11112) # the PC's services, at its own IPv6 address
PAIR_CMD="boxwarden pair -g $BOX_LAN"

freebox_tls_ca fake-1.fbxos.fr
# The doctor's box (doctor.json) with its IPv6 firewall off.
"$LAB_PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
d["ipv6_config"] = {"ipv6_enabled": True, "ipv6_firewall": False}
json.dump(d, open(sys.argv[2], "w"))' "$FREEBOX_SCENARIOS/doctor.json" "$LAB_DIR/doctor6.json" ||
    fail "cannot write the scenario"
freebox_emu_up "$LAB_DIR/doctor6.json" "${FREEBOX_TLS_ARGS[@]}" --auto-grant 1
lab_listen "$NS_PC" 104
lab_listen "$NS_PC" 3389
lab_listen "$NS_PC" 11112
CA=(--ca-file "$FREEBOX_CA")

# fbx NAME ARGS...: boxwarden from the laptop with the state dir and the test CA.
fbx() {
    local name=$1
    shift
    bw_capture "$name" "$NS_LAPTOP" --state-dir "$STATE" "${CA[@]}" "$@"
}

# open_ports: the ports of PORTS that answer from the Internet.
open_ports() { lab_open_ports "$WAN_IP" "${PORTS[@]}"; }

# open_ports6: the ports of PORTS6 that answer from the Internet at the PC's IPv6 address.
open_ports6() { lab_open_ports "$PC6" "${PORTS6[@]}"; }

# ipv6_accepts: the emulated box's IPv6 firewall lets everything from the WAN to the LAN in.
ipv6_accepts() {
    freebox_nft6 | grep -q "iifname \"$LAB_WAN_IF\" oifname \"br0\" accept"
}

# no_secret FILE|DIR...: none of the secrets the emulator handed out or received (app tokens,
# challenges, session tokens, login passwords) is in them. The list stays in a 0600 file.
no_secret() {
    local list=$LAB_DIR/secrets.lst
    (umask 077 && freebox_ctl GET /secrets | "$LAB_PYTHON" -c '
import json, sys
for values in json.load(sys.stdin).values():
    for v in values:
        if v:
            print(v)' >"$list") || return 1
    test -s "$list" && ! grep -rqFf "$list" "$@"
}

token_files() {
    find "$STATE/tokens" -type f 2>/dev/null
}

echo "== pair: the person at the box presses the arrow"
fbx pair pair
check_exit "pair exits 0" "$BW_RC" 0 || bw_show
check "it says it paired with the Freebox" grep -qx "Paired with the Free Freebox at $BOX_LAN." "$BW_OUT"
check "it told the person to press the arrow on the box" grep -q "Press the right arrow on the Freebox's screen" "$BW_ERR"
check "it says the app cannot change settings yet, and where to allow it" \
    grep -q "Gestion des accès > Applications: tick 'Modification des réglages'" "$BW_ERR"
check_eq "one token file" 1 "$(token_files | wc -l)"
TOKEN_FILE=$(token_files | head -n 1)
check "the token file is named after the plugin and a hash" grep -qE '/freebox-[0-9a-f]{12}$' <<<"$TOKEN_FILE"
check_eq "the token file has mode 600" 600 "$(stat -c %a "$TOKEN_FILE")"
check_eq "the tokens directory has mode 700" 700 "$(stat -c %a "$STATE/tokens")"
check "the box granted the app (status granted)" lab_json <(freebox_ctl GET /state) \
    "[a['status'] for a in d['apps'] if a['app_id'] == 'fr.boxwarden'] == ['granted']" "[(a['app_id'], a['status']) for a in d['apps']]"
check "the app token is the one kept" lab_json <(freebox_ctl GET /state) \
    "[a['app_token'] for a in d['apps']] == [open('$TOKEN_FILE').read().strip()]" "'(not shown)'"
SETTINGS_BEFORE=$(freebox_settings)

echo "== fix before the app may change settings: exit 4, the place in Freebox OS, nothing changed"
freebox_ctl POST /clear >/dev/null
fbx fix-noperm --profile medical-practice --yes fix
check_exit "fix exits 4 (auth)" "$BW_RC" 4 || bw_show
check "it names the place in Freebox OS where the permission is granted" \
    grep -q "Paramètres de la Freebox > Gestion des accès > Applications: tick 'Modification des réglages'" "$BW_OUT"
check_eq "no write was sent: the session said it lacks the right" "" "$(freebox_writes)"
check_eq "no write was accepted: the settings are as before" "$SETTINGS_BEFORE" "$(freebox_settings)"
check_eq "probe: everything still answers" "${PORTS[*]}" "$(open_ports)"
freebox_ctl POST /permissions '{"app_id": "fr.boxwarden", "settings": true}' >/dev/null

echo "== before: the doctor's box, seen from the Internet"
check "probe: 104 reaches the imaging PC through the DMZ" grep -q "$NS_PC:104" <<<"$(lab_probe 104 2>/dev/null)"
check "probe: 3389 reaches the imaging PC (the forward)" grep -q "$NS_PC:3389" <<<"$(lab_probe 3389 2>/dev/null)"
check "probe: remote access ($REMOTE) answers on the box" lab_probe "$REMOTE"
check "probe over IPv6: 11112 reaches the imaging PC at its own address, with no forward" \
    grep -q "$NS_PC:11112" <<<"$(lab_probe6 11112 "$PC6" 2>/dev/null)"
check_eq "probe over IPv6: every service of the PC answers" "${PORTS6[*]}" "$(open_ports6)"
check "the box's IPv6 firewall (chain box_ipv6) accepts everything from the WAN to the LAN" ipv6_accepts

echo "== audit --profile medical-practice"
fbx audit --profile medical-practice --format json audit
check_exit "audit exits 1 (findings)" "$BW_RC" 1 || bw_show
J=$BW_OUT
check "the box is read through the Freebox API (vendor freebox)" lab_json "$J" \
    "d['gateway']['vendor'] == 'freebox' and d['gateway']['apis'][0] == 'freebox' and d['gateway']['model'] == 'Freebox v9 (r1)'" \
    "d.get('gateway')"
check "the external address is the box's WAN address" lab_json "$J" "d['gateway']['external_ip'] == '$WAN_IP'" "d['gateway']"
check "EXPOSE-DMZ, critical, the imaging PC" lab_json "$J" \
    "[(f['severity'], f['subject']['host']) for f in d['findings'] if f['rule'] == 'EXPOSE-DMZ'] == [('critical', '$PC_IP')]" \
    "d['findings']"
check "EXPOSE-SERVICE, critical, RDP 3389 to the PC, made in the box's pages" lab_json "$J" \
    "[(f['severity'], f['subject']['internal_host'], f['subject']['origin']) for f in d['findings'] if f['rule'] == 'EXPOSE-SERVICE' and f['subject']['external_port'] == 3389] == [('critical', '$PC_IP', ['webui'])]" \
    "d['findings']"
check "ADMIN-WAN, high (remote access on)" lab_json "$J" \
    "[f['severity'] for f in d['findings'] if f['rule'] == 'ADMIN-WAN'] == ['high']" "d['findings']"
check "UPNP-ENABLED, high" lab_json "$J" "[f['severity'] for f in d['findings'] if f['rule'] == 'UPNP-ENABLED'] == ['high']" \
    "d['findings']"
check "IPV6-FIREWALL-OFF, critical (every LAN machine reachable over IPv6)" lab_json "$J" \
    "[(f['severity'], f['subject']['kind']) for f in d['findings'] if f['rule'] == 'IPV6-FIREWALL-OFF'] == [('critical', 'ipv6_firewall')]" \
    "d['findings']"
check "the state: IPv6 on, its firewall off, no pinhole (the Freebox API has none)" lab_json "$J" \
    "d['state']['ipv6'] == {'enabled': True} and d['state']['ipv6_firewall'] == {'enabled': False} and d['state']['ipv6_pinholes_known'] is True and d['state']['ipv6_pinholes'] == []" \
    "{k: v for k, v in d['state'].items() if k.startswith('ipv6')}"
check "the DMZ, remote access and UPnP are known" lab_json "$J" \
    "d['state']['dmz'] == {'enabled': True, 'host': '$PC_IP'} and d['state']['remote_admin'] == {'enabled': True} and d['state']['upnp_igd'] == {'enabled': True}" \
    "d['state']"
check_eq "the audit changed nothing" "$SETTINGS_BEFORE" "$(freebox_settings)"

echo "== fix --dry-run: the requests, none sent"
freebox_ctl POST /clear >/dev/null
fbx dry --profile medical-practice --dry-run --yes fix
check_exit "dry run exits 1 (the findings remain)" "$BW_RC" 1 || bw_show
DRY_URL="https://(the box's TLS name):443/api/v16"
check "would send: DELETE fw/redir/1" grep -qF "would send: DELETE $DRY_URL/fw/redir/1" "$BW_OUT"
check "would send: PUT fw/dmz/ {\"enabled\":false}" grep -qF "would send: PUT $DRY_URL/fw/dmz/ {\"enabled\":false}" "$BW_OUT"
check "would send: PUT connection/config/ {\"remote_access\":false}" \
    grep -qF "would send: PUT $DRY_URL/connection/config/ {\"remote_access\":false}" "$BW_OUT"
check "would send: PUT upnpigd/config/ {\"enabled\":false}" \
    grep -qF "would send: PUT $DRY_URL/upnpigd/config/ {\"enabled\":false}" "$BW_OUT"
check "would send: PUT connection/ipv6/config/ {\"ipv6_firewall\":true}" \
    grep -qF "would send: PUT $DRY_URL/connection/ipv6/config/ {\"ipv6_firewall\":true}" "$BW_OUT"
check "the dry run says nothing was changed" grep -qx "Dry run: nothing was changed." "$BW_OUT"
check "the subscriber's TLS name is not shown" not grep -q "fake-1.fbxos.fr" "$BW_OUT"
check_eq "the box received no PUT, POST or DELETE (login aside)" "" "$(freebox_writes)"
check "the box was read over HTTPS" lab_json <(freebox_ctl GET /log) \
    "all(c['tls'] for c in d['calls'] if c['call'].startswith(('GET fw/', 'POST login/session/')))" "d['calls']"
check_eq "the dry run changed nothing" "$SETTINGS_BEFORE" "$(freebox_settings)"

echo "== fix --profile medical-practice --yes"
freebox_ctl POST /clear >/dev/null
fbx fix --profile medical-practice --yes fix
check_exit "fix exits 0 (nothing at or above high remains)" "$BW_RC" 0 || bw_show
check_eq "the box received exactly the five writes" \
    "$(printf '%s\n' 'DELETE fw/redir/1' 'PUT connection/config/' 'PUT connection/ipv6/config/' 'PUT fw/dmz/' 'PUT upnpigd/config/')" \
    "$(freebox_writes | sort)"
check_eq "probe: nothing answers from the Internet (after)" "" "$(open_ports)"
check "probe: 11112 on the PC is refused too" not lab_probe 11112 2>/dev/null
check_eq "probe over IPv6: nothing of the PC answers (after)" "" "$(open_ports6)"
check "the box's IPv6 firewall lets nothing in by itself (chain box_ipv6 empty)" not ipv6_accepts
check "the Freebox stores its IPv6 firewall on, IPv6 still on" lab_json "$FREEBOX_STATE_FILE" \
    "d['ipv6_config']['ipv6_firewall'] is True and d['ipv6_config']['ipv6_enabled'] is True" "d['ipv6_config']"
check "the Freebox stores: DMZ off, no forward, remote access off, UPnP off" lab_json "$FREEBOX_STATE_FILE" \
    "not d['dmz']['enabled'] and d['forwards'] == [] and not d['connection_config']['remote_access'] and not d['upnpigd']['enabled']" \
    "(d['dmz'], d['forwards'], d['connection_config']['remote_access'], d['upnpigd'])"
check "the lab's IGD (miniupnpd) is stopped by the box's UPnP switch" not lab_box_is_up
check_eq "the emulator's nftables hold no DNAT" "0" "$(freebox_nft | grep -c dnat)"
BACKUP=$(find "$STATE/backups" -name "*.json" 2>/dev/null | sort | tail -n 1)  # named by their time
check "a backup was written, mode 600" test "$(stat -c %a "$BACKUP" 2>/dev/null)" = 600

echo "== audit again: closed"
fbx audit-after --profile medical-practice --format json audit
check_exit "audit exits 0" "$BW_RC" 0 || bw_show
check "no finding is left" lab_json "$BW_OUT" "d['findings'] == []" "d['findings']"
check "the audit sees the DMZ, remote access and UPnP off" lab_json "$BW_OUT" \
    "d['state']['dmz']['enabled'] is False and d['state']['remote_admin'] == {'enabled': False} and d['state']['upnp_igd'] == {'enabled': False}" \
    "d['state']"
check "the audit sees the IPv6 firewall on" lab_json "$BW_OUT" "d['state']['ipv6_firewall'] == {'enabled': True}" "d['state']"

echo "== rollback --yes"
fbx rollback --yes rollback
check_exit "rollback exits 0" "$BW_RC" 0 || bw_show
check_eq "the Freebox's settings are exactly as before (the forward has a new id)" "$SETTINGS_BEFORE" "$(freebox_settings)"
check_eq "probe: everything answers again" "${PORTS[*]}" "$(open_ports)"
check "probe: 104 reaches the imaging PC again" grep -q "$NS_PC:104" <<<"$(lab_probe 104 2>/dev/null)"
check "the Freebox stores ipv6_firewall:false again" lab_json "$FREEBOX_STATE_FILE" \
    "d['ipv6_config']['ipv6_firewall'] is False" "d['ipv6_config']"
check_eq "probe over IPv6: every service of the PC answers again" "${PORTS6[*]}" "$(open_ports6)"
check "probe over IPv6: 11112 reaches the imaging PC again" grep -q "$NS_PC:11112" <<<"$(lab_probe6 11112 "$PC6" 2>/dev/null)"
check "the lab's IGD is running again" lab_box_is_up
check "no secret in any output or backup so far" no_secret "$LAB_DIR"/*.out "$LAB_DIR"/*.err "$STATE/backups"

echo "== a wrong app token: exit 4 and the pair command; the token is forgotten"
(umask 077 && head -c 48 /dev/urandom | base64 -w0 >"$TOKEN_FILE" && echo >>"$TOKEN_FILE")
fbx wrong-token --profile medical-practice audit
check_exit "audit exits 4" "$BW_RC" 4 || bw_show
check "it says to run the pair command" grep -qF "run \`$PAIR_CMD\` at the box" "$BW_ERR"
check_eq "the error is one line" 1 "$(wc -l <"$BW_ERR")"
check "the wrong token was forgotten" not test -e "$TOKEN_FILE"
fbx no-token --profile medical-practice audit
check_exit "without a token and without a terminal: exit 4" "$BW_RC" 4 || bw_show
check "it names the pair command" grep -qF "no app token for this Freebox: run \`$PAIR_CMD\` at the box" "$BW_ERR"

echo "== a revoked app: exit 4 and the pair command"
fbx pair-again pair
check_exit "pair again exits 0" "$BW_RC" 0 || bw_show
freebox_ctl POST /permissions '{"app_id": "fr.boxwarden", "settings": true}' >/dev/null
fbx after-pair --profile medical-practice audit
check_exit "the new token works (audit exits 1)" "$BW_RC" 1 || bw_show
freebox_ctl POST /revoke '{"app_id": "fr.boxwarden"}' >/dev/null
SETTINGS_NOW=$(freebox_settings)
fbx revoked --profile medical-practice --yes fix
check_exit "fix with a revoked token exits 4" "$BW_RC" 4 || bw_show
check "it says to pair again" grep -qF "run \`$PAIR_CMD\` at the box to pair again" "$BW_ERR"
check_eq "nothing changed on the box" "$SETTINGS_NOW" "$(freebox_settings)"
check_eq "the revoked token was forgotten" 0 "$(token_files | wc -l)"
fbx pair-third pair
check_exit "pair after the revocation exits 0" "$BW_RC" 0 || bw_show

echo "== HTTPS: without --ca-file the test CA's certificate is refused"
freebox_ctl POST /clear >/dev/null
bw_capture no-ca "$NS_LAPTOP" --state-dir "$STATE" --profile medical-practice audit
check_exit "audit without --ca-file exits 3" "$BW_RC" 3 || bw_show
check "it says the certificate is not the box maker's and nothing was sent" \
    grep -q "certificate that the box maker's CA did not sign.*nothing was sent" "$BW_ERR"
check_eq "the box saw no login" "" "$(freebox_ctl GET /log | grep -o 'login/session/')"
BOXWARDEN_CA_FILE=$FREEBOX_CA bw_capture env-ca "$NS_LAPTOP" --state-dir "$STATE" --profile medical-practice audit
check_exit "BOXWARDEN_CA_FILE does what --ca-file does (audit exits 1)" "$BW_RC" 1 || bw_show

check "no secret in any output or backup" no_secret "$LAB_DIR"/*.out "$LAB_DIR"/*.err "$STATE/backups"
lab_finish
