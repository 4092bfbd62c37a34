#!/usr/bin/env bash
# `vpn setup` on the Freebox's own WireGuard server (issue 8, part 3), end to end in the lab: the
# Freebox emulator runs a real WireGuard server (wireguard-go, FREEBOX_WG=1) in the box
# namespace. From the doctor's laptop, `vpn setup --peer phone --yes` starts the box's server
# and adds the user: no forward is added on the box, phone.conf (0600) is the box's download,
# and the report says the server is on the box. A wireguard-go client in the Internet namespace
# with phone.conf reaches the imaging PC's listener through the tunnel, while that port on the
# WAN address is refused. A second peer, in JSON: server.side is "box", only the user is added.
# `rollback` takes each back (the last: the server stops, the tunnel no longer works, the box's
# settings are exactly as before); `--dry-run` changes nothing. Then `--server lan` on the
# Freebox still sets up the LAN-side server with a forward, through the Freebox API. Plain HTTP
# here (the doctor's test covers HTTPS): boxwarden warns that the session crosses the LAN in clear.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../emulators/freebox_lab.sh"
lab_require_root
lab_require_wireguard
lab_require_boxwarden
lab_up
trap 'rc=$?; lab_wg_down; (exit $rc); lab_down' EXIT

STATE=$LAB_DIR/state
VPN=$LAB_DIR/vpn
SERVER_IF=$LAB_ID-fbx CLIENT_IF=$LAB_ID-wgc
FREEBOX_WG=1 freebox_emu_up "$FREEBOX_SCENARIOS/empty.json" --auto-grant 1
lab_listen "$NS_PC" 11112

fbx() {
    local name=$1 ns=$2
    shift 2
    bw_capture "$name" "$ns" --state-dir "$STATE" "$@"
}

conf_value() {
    awk -v k="$2" '$1 == k && $2 == "=" { sub(/^[^=]*= */, ""); print; exit }' "$1"
}


wg_state() {
    lab_json "$FREEBOX_STATE_FILE" "$1" "(d['vpn']['wireguard'], [u['login'] for u in d['vpn_users']])"
}

fbx pair "$NS_LAPTOP" pair
check_exit "pair exits 0" "$BW_RC" 0 || fail "cannot pair"
freebox_ctl POST /permissions '{"app_id": "fr.boxwarden", "settings": true}' >/dev/null
SETTINGS_BEFORE=$(freebox_settings)
check "before: 11112 is not reachable from the Internet" not lab_probe 11112 2>/dev/null

echo "== vpn setup --dry-run: nothing changes"
freebox_ctl POST /clear >/dev/null
fbx dry "$NS_LAPTOP" --dry-run vpn setup --peer phone --out "$VPN"
check_exit "dry run exits 0" "$BW_RC" 0 || bw_show
check "it would start the box's WireGuard server" grep -q "would send: PUT http://$BOX_LAN/api/v[0-9]*/vpn/wireguard/config/ {\"enabled\":true" "$BW_OUT"
check "it would add the user phone" grep -q "would send: POST http://$BOX_LAN/api/v[0-9]*/vpn/user/ {.*\"login\":\"phone\"" "$BW_OUT"
check_eq "the box received no write" "" "$(freebox_writes)"
check "no file was written" not test -e "$VPN"
check_eq "the box's settings are unchanged" "$SETTINGS_BEFORE" "$(freebox_settings)"

echo "== vpn setup --peer phone --yes (the server on the box)"
freebox_ctl POST /clear >/dev/null
fbx setup "$NS_LAPTOP" --yes vpn setup --peer phone --out "$VPN"
check_exit "vpn setup exits 0" "$BW_RC" 0 || { bw_show; fail "vpn setup failed"; }
check "it says the server is the box itself, with no forward" \
    grep -q "server   the box itself (.*): no port forward to a computer of the LAN is needed" "$BW_OUT"
check "it says the box was re-read and nothing of the LAN was opened" \
    grep -q "its VPN server runs and has the new users; no port of a LAN computer was opened" "$BW_OUT"
check "it warns that this box's API is plain HTTP" grep -q "offers no HTTPS" "$BW_ERR"
check_eq "the writes: start the server, add the user" "$(printf '%s\n' 'PUT vpn/wireguard/config/' 'POST vpn/user/')" \
    "$(freebox_writes)"
check "the box's WireGuard server is on, in the line's port range, with the user phone" wg_state \
    "d['vpn']['wireguard']['enabled'] and 16384 <= d['vpn']['wireguard']['port'] <= 32767 and [u['login'] for u in d['vpn_users']] == ['phone']"
check "no forward and no DMZ on the box" lab_json "$FREEBOX_STATE_FILE" "d['forwards'] == [] and not d['dmz']['enabled']" \
    "(d['forwards'], d['dmz'])"
for f in phone.conf phone.png; do
    check "$f written with mode 600" test "$(stat -c %a "$VPN/$f" 2>/dev/null)" = 600
done
check "the directory has mode 700" test "$(stat -c %a "$VPN")" = 700
PORT=$("$LAB_PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["vpn"]["wireguard"]["port"])' "$FREEBOX_STATE_FILE")
check_eq "phone.conf's Endpoint is the box's WAN address and its server's port" "$WAN_IP:$PORT" \
    "$(conf_value "$VPN/phone.conf" Endpoint)"
CLIENT_PUB=$(conf_value "$VPN/phone.conf" PrivateKey | wg pubkey 2>/dev/null)
check "phone.conf holds a valid private key" test -n "$CLIENT_PUB"
check_eq "the box's server knows phone.conf's key as its peer" "$CLIENT_PUB" \
    "$(lab_ns "$NS_BOX" wg show "$SERVER_IF" peers)"
check "phone.conf is the box's download (its PresharedKey is the box's for that peer)" \
    test "$(lab_ns "$NS_BOX" wg show "$SERVER_IF" preshared-keys | awk '{print $2}')" = "$(conf_value "$VPN/phone.conf" PresharedKey)"
check "no private or preshared key on stdout or stderr" not grep -qF \
    -e "$(conf_value "$VPN/phone.conf" PrivateKey)" -e "$(conf_value "$VPN/phone.conf" PresharedKey)" "$BW_OUT" "$BW_ERR"
BACKUP1=$(find "$STATE/backups" -name "*.json" | sort | tail -n 1)  # named by their time

echo "== the phone, on the Internet, through the box's VPN"
ADDRESS=$(conf_value "$VPN/phone.conf" Address)
lab_wg_up "$NS_INET" "$CLIENT_IF" "$VPN/phone.conf" "$ADDRESS" 192.168.1.0/24 ||
    fail "could not bring the phone's tunnel up in $NS_INET"
check "through the tunnel the DICOM listener on $PC_IP:11112 answers" _lab_wait_for 15 lab_probe 11112 "$PC_IP"
check_eq "the answer is the imaging PC's" "hello from $NS_PC:11112/tcp" "$(lab_probe 11112 "$PC_IP")"
check "straight to the WAN address, 11112 is refused" not lab_probe 11112 2>/dev/null

echo "== a second peer, in JSON: only the user is added"
fbx setup2 "$NS_LAPTOP" --yes --format json vpn setup --peer laptop --out "$LAB_DIR/vpn2"
check_exit "the second vpn setup exits 0" "$BW_RC" 0 || bw_show
check "server.side is box, the type wireguard, the port the box's" lab_json "$BW_OUT" \
    "d['server'] == {'side': 'box', 'type': 'wireguard', 'port': $PORT}" "d.get('server')"
check "the plan only adds the peer laptop, the outcome is applied" lab_json "$BW_OUT" \
    "[s['action'] for s in d['plan']] == ['add-vpn-peer'] and d['outcome'] == 'applied' and d['peers'] == [{'name': 'laptop'}]" \
    "(d.get('plan'), d.get('outcome'))"
check "the files are laptop.conf and laptop.png" lab_json "$BW_OUT" \
    "sorted(f.rsplit('/', 1)[1] for f in d['files']) == ['laptop.conf', 'laptop.png']" "d.get('files')"
check "the gateway is the Freebox" lab_json "$BW_OUT" "d['gateway']['vendor'] == 'freebox'" "d.get('gateway')"
check "no private key in the JSON" not grep -qF "$(conf_value "$LAB_DIR/vpn2/laptop.conf" PrivateKey)" "$BW_OUT"
check_eq "the box's server has two peers" 2 "$(lab_ns "$NS_BOX" wg show "$SERVER_IF" peers | wc -l)"

echo "== rollback: the second user goes, then the server"
fbx rollback2 "$NS_LAPTOP" --yes rollback
check_exit "rollback (the latest: laptop) exits 0" "$BW_RC" 0 || bw_show
check "the box has the user phone only, the server still on" wg_state \
    "d['vpn']['wireguard']['enabled'] and [u['login'] for u in d['vpn_users']] == ['phone']"
check "the phone's tunnel still works" lab_probe 11112 "$PC_IP"
fbx history "$NS_LAPTOP" --format json history
check "the journal holds both setups on the box's own server and the rollback" lab_json "$BW_OUT" \
    "[(e['command'], e['outcome']) for e in d['boxes'][0]['events']][-3:] == [('vpn', 'done'), ('vpn', 'done'), ('rollback', 'done')]" \
    "[(e['command'], e['outcome']) for e in d['boxes'][0]['events']]"
fbx rollback1 "$NS_LAPTOP" --yes rollback "$BACKUP1"
check_exit "rollback of the first setup exits 0" "$BW_RC" 0 || bw_show
check "the box has no user and its server is off" wg_state \
    "not d['vpn']['wireguard']['enabled'] and d['vpn_users'] == []"
check_eq "the box's settings are exactly as before" "$SETTINGS_BEFORE" "$(freebox_settings)"
check "the box's WireGuard interface is gone" not lab_ns "$NS_BOX" ip link show "$SERVER_IF" 2>/dev/null
check "through the tunnel 11112 no longer answers" not lab_probe 11112 "$PC_IP" 2>/dev/null
lab_wg_down

echo "== --server lan on the Freebox: the LAN-side server, with a forward made through the Freebox API"
fbx lan "$NS_PC" --yes vpn setup --server lan --peer doctor --out "$LAB_DIR/vpn-lan"
check_exit "vpn setup --server lan exits 0" "$BW_RC" 0 || bw_show
check "server.conf and doctor.conf are written" test -s "$LAB_DIR/vpn-lan/server.conf" -a -s "$LAB_DIR/vpn-lan/doctor.conf"
check "the Freebox has one forward: UDP 51820 to the imaging PC" lab_json "$FREEBOX_STATE_FILE" \
    "[(r['ip_proto'], r['wan_port_start'], r['lan_ip'], r['lan_port']) for r in d['forwards']] == [('udp', 51820, '$PC_IP', 51820)]" \
    "d['forwards']"
check "the box's own VPN server stays off" wg_state "not d['vpn']['wireguard']['enabled']"
fbx lan-rollback "$NS_PC" --yes rollback
check_exit "rollback exits 0" "$BW_RC" 0 || bw_show
check_eq "the box's settings are exactly as before" "$SETTINGS_BEFORE" "$(freebox_settings)"

lab_finish
