#!/usr/bin/env bash
# The Freebox emulator's own WireGuard server in the lab (FREEBOX_WG=1: wireguard-go in the box
# namespace), driven through the API with curl, no boxwarden binary: enabling the server and
# creating a wireguard user makes a peer; the downloaded wg-quick file brings a client up in
# the Internet namespace that reaches the imaging PC's listener through the box, while the
# same port straight to the WAN address is refused and no forward exists; deleting the user
# cuts the tunnel; disabling the server removes the interface. This is the ground the
# box-side `vpn setup` test stands on.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../emulators/freebox_lab.sh"
lab_require_root
lab_require_wireguard
lab_up
trap 'rc=$?; lab_wg_down; (exit $rc); lab_down' EXIT

FREEBOX_WG=1 freebox_emu_up "$FREEBOX_SCENARIOS/empty.json"
SERVER_IF=$LAB_ID-fbx CLIENT_IF=$LAB_ID-wgc
CONF=$LAB_DIR/docteur.conf
lab_listen "$NS_PC" 11112
freebox_session "$NS_LAPTOP"

api() {
    local out
    out=$(freebox_api "$NS_LAPTOP" "$@") || return 1
    printf '%s\n' "$out"
    grep -q '"success": true' <<<"$out"
}

check "before: 11112 is not reachable from the Internet" not lab_probe 11112 2>/dev/null
check "before: no WireGuard interface on the box" not lab_ns "$NS_BOX" ip link show "$SERVER_IF" 2>/dev/null

echo "== the box's WireGuard server on, one user"
check "PUT vpn/wireguard/config/ {enabled, port 25000 (in the line's range)}" \
    api PUT vpn/wireguard/config/ '{"enabled": true, "port": 25000, "conf_wireguard": {"mtu": 1420}}'
check "the server listens on UDP 25000 in the box namespace" \
    sh -c "ip netns exec $NS_BOX wg show $SERVER_IF listen-port | grep -qx 25000"
check "GET vpn/ says the wireguard server is started" lab_json <(freebox_api "$NS_LAPTOP" GET vpn/) \
    "[s['state'] for s in d['result'] if s['name'] == 'wireguard'] == ['started']"
check "POST vpn/user/ (wireguard, 192.168.27.70)" api POST vpn/user/ \
    '{"login": "docteur", "type": "wireguard", "ip_reservation": "192.168.27.70", "conf_wireguard": {"keepalive": 25, "psk": true}}'
check_eq "the box has one peer, the user's address" "192.168.27.70/32" \
    "$(lab_ns "$NS_BOX" wg show "$SERVER_IF" allowed-ips | awk '{print $2}')"
(umask 077 && lab_ns "$NS_LAPTOP" curl -fsS --max-time 10 -H "@$FREEBOX_HDR" \
    "http://$BOX_LAN/api/v16/vpn/download_config/wireguard/docteur/plain" >"$CONF")
check "the downloaded config is a wg-quick file for the box's WAN address" \
    grep -qx "Endpoint = $WAN_IP:25000" "$CONF"
check "the config routes the LAN through the tunnel" grep -qx "AllowedIPs = 192.168.1.0/24" "$CONF"
client_pub=$(sed -n 's/^PrivateKey = //p' "$CONF" | wg pubkey 2>/dev/null)
check "the config holds a valid private key" test -n "$client_pub"
check_eq "the config's key is the peer the box knows" "$(lab_ns "$NS_BOX" wg show "$SERVER_IF" peers)" "$client_pub"
check "the private key is in no log" not grep -rqF "$(sed -n 's/^PrivateKey = //p' "$CONF")" "$LAB_DIR"/*.log

echo "== the doctor, on the Internet, through the box's VPN"
lab_wg_up "$NS_INET" "$CLIENT_IF" "$CONF" 192.168.27.70/32 192.168.1.0/24 ||
    fail "could not bring the doctor's tunnel up in $NS_INET"
check "through the tunnel the DICOM listener on $PC_IP:11112 answers" _lab_wait_for 15 lab_probe 11112 "$PC_IP"
check_eq "the answer is the imaging PC's" "hello from $NS_PC:11112/tcp" "$(lab_probe 11112 "$PC_IP")"
check "straight to the WAN address, 11112 is refused" not lab_probe 11112 2>/dev/null
check "no forward exists on the box" lab_json "$FREEBOX_STATE_FILE" "d['forwards'] == [] and not d['dmz']['enabled']"

echo "== deleting the user cuts the tunnel; disabling the server removes it"
check "DELETE vpn/user/docteur" api DELETE vpn/user/docteur
check_eq "the box has no peer left" "" "$(lab_ns "$NS_BOX" wg show "$SERVER_IF" peers)"
check "through the tunnel 11112 no longer answers" not lab_probe 11112 "$PC_IP" 2>/dev/null
check "PUT vpn/wireguard/config/ {enabled:false}" api PUT vpn/wireguard/config/ '{"enabled": false}'
check "the box's WireGuard interface is gone" not lab_ns "$NS_BOX" ip link show "$SERVER_IF" 2>/dev/null
check "the tunnel's accept rule is gone from the box's forward chain" \
    not sh -c "ip netns exec $NS_BOX nft list chain inet filter forward | grep -q freebox_emu_wg"

lab_finish
