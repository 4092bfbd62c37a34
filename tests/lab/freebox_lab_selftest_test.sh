#!/usr/bin/env bash
# The Freebox emulator in the lab does what it says (issue 8, the ground the Freebox doctor's
# case, fault matrix and VPN tests stand on): with the doctor's scenario (DMZ to the imaging
# PC, a forward of 3389 to it, remote access on), the probe from the Internet namespace
# reaches the PC through the DMZ and the forward and the box's own remote access; each API
# write made with curl from the laptop closes exactly what it should; the UPnP switch stops
# and starts the lab's real IGD; a reboot (fault or power cut) keeps what the box stores; and
# the API also answers over HTTPS, verified against a test CA for the api_domain. No boxwarden
# binary is involved.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../emulators/freebox_lab.sh"
lab_require_root
lab_up

freebox_tls_ca fake-1.fbxos.fr
freebox_emu_up "$FREEBOX_SCENARIOS/doctor.json" "${FREEBOX_TLS_ARGS[@]}"
lab_listen "$NS_PC" 104
lab_listen "$NS_PC" 3389
lab_listen "$NS_PC" 11112
REMOTE=21252

# api CALL: one API call from the laptop; prints the reply; fails unless success is true.
api() {
    local out
    out=$(freebox_api "$NS_LAPTOP" "$@") || return 1
    printf '%s\n' "$out"
    grep -q '"success": true' <<<"$out"
}

echo "== before: the doctor's box"
check "probe: 104 reaches the imaging PC through the DMZ" grep -q "$NS_PC:104" <<<"$(lab_probe 104 2>/dev/null)"
check "probe: 3389 reaches the imaging PC" grep -q "$NS_PC:3389" <<<"$(lab_probe 3389 2>/dev/null)"
check "probe: remote access ($REMOTE) answers on the box itself" lab_probe "$REMOTE"
check "the remote access port is the box's own API" lab_ns "$NS_INET" curl -fsS --max-time 5 -o /dev/null \
    "http://$WAN_IP:$REMOTE/api_version"
check_eq "the nft table holds the forward and the DMZ" "2" "$(freebox_nft | grep -c 'dnat to 192.168.1.10')"

echo "== a session from the laptop (pairing granted at the box, then HMAC login)"
freebox_session "$NS_LAPTOP"
check "the session reads the DMZ" api GET fw/dmz/
check "the token is in no log of the emulator" not grep -rqF "$(cut -d' ' -f2 "$FREEBOX_HDR")" \
    "$LAB_DIR/freebox-emu.log"

echo "== HTTPS on the box's LAN address, verified for the api_domain"
check "https_port is 443 and https_available" lab_json <(lab_ns "$NS_LAPTOP" curl -fsS "http://$BOX_LAN/api_version") \
    "d['https_available'] is True and d['https_port'] == 443 and d['api_domain'] == 'fake-1.fbxos.fr'"
check "HTTPS verifies against the test CA for fake-1.fbxos.fr" lab_ns "$NS_LAPTOP" curl -fsS --max-time 5 \
    --cacert "$FREEBOX_CA" --resolve "fake-1.fbxos.fr:443:$BOX_LAN" -o /dev/null "https://fake-1.fbxos.fr/api_version"
check "HTTPS does not verify for another name" not lab_ns "$NS_LAPTOP" curl -fsS --max-time 5 \
    --cacert "$FREEBOX_CA" -o /dev/null "https://$BOX_LAN/api_version" 2>/dev/null

echo "== each write closes exactly its own opening"
SETTINGS_BEFORE=$(freebox_settings)
check "PUT fw/dmz/ {enabled:false}" api PUT fw/dmz/ '{"enabled": false}'
check "probe: 104 is refused after the DMZ is off" not lab_probe 104 2>/dev/null
check "probe: 3389 still reaches the PC (its forward)" lab_probe 3389
check "DELETE fw/redir/1" api DELETE fw/redir/1
check "probe: 3389 is refused after the forward is gone" not lab_probe 3389 2>/dev/null
check "PUT connection/config/ {remote_access:false}" api PUT connection/config/ '{"remote_access": false}'
check "probe: remote access is refused after it is off" not lab_probe "$REMOTE" 2>/dev/null
check_eq "the nft table holds no DNAT" "0" "$(freebox_nft | grep -c dnat)"

echo "== and each comes back"
check "PUT fw/dmz/ {enabled:true}" api PUT fw/dmz/ "{\"enabled\": true, \"ip\": \"$PC_IP\"}"
check "POST fw/redir/ (3389 again)" api POST fw/redir/ "{\"enabled\": true, \"comment\": \"Bureau a distance\", \"ip_proto\": \"tcp\", \"wan_port_start\": 3389, \"wan_port_end\": 3389, \"lan_ip\": \"$PC_IP\", \"lan_port\": 3389, \"src_ip\": \"0.0.0.0\"}"
check "PUT connection/config/ {remote_access:true}" api PUT connection/config/ '{"remote_access": true}'
check_eq "the settings are as at the start but for the forward's new id" "$SETTINGS_BEFORE" "$(freebox_settings)"
for port in 104 3389 "$REMOTE"; do
    check "probe: $port answers again" lab_probe "$port"
done
check "a forward restricted to another source is not reachable from the Internet" \
    api POST fw/redir/ "{\"enabled\": true, \"ip_proto\": \"tcp\", \"wan_port_start\": 11112, \"wan_port_end\": 11112, \"lan_ip\": \"$PC_IP\", \"lan_port\": 11112, \"src_ip\": \"203.0.113.9\"}"
check "probe: 11112 still lands on the PC only through the DMZ" grep -q "$NS_PC:11112" <<<"$(lab_probe 11112 2>/dev/null)"
api PUT fw/dmz/ '{"enabled": false}' >/dev/null
check "probe: 11112 (source-restricted forward, DMZ off) is refused" not lab_probe 11112 2>/dev/null

echo "== UPnP: the switch drives miniupnpd, the mappings are upnpigd/redir"
lab_upnpc "$NS_PC" -e "PACS DICOM" -a "$PC_IP" 11112 11112 TCP >/dev/null 2>&1
check "probe: 11112 answers through the UPnP mapping" lab_probe 11112
check "upnpigd/redir/ lists the mapping" lab_json <(freebox_api "$NS_LAPTOP" GET upnpigd/redir/) \
    "[(r['id'], r['int_ip'], r['desc']) for r in d['result']] == [('0.0.0.0-11112-tcp', '$PC_IP', 'PACS DICOM')]"
check "PUT upnpigd/config/ {enabled:false}" api PUT upnpigd/config/ '{"enabled": false}'
check "the lab's IGD is down" not lab_box_is_up
check "probe: 11112 is refused with UPnP off" not lab_probe 11112 2>/dev/null
check "PUT upnpigd/config/ {enabled:true}" api PUT upnpigd/config/ '{"enabled": true}'
check "the lab's IGD is back" lab_box_is_up
check "probe: 11112 answers again (miniupnpd kept its lease)" lab_probe 11112
check "DELETE upnpigd/redir/0.0.0.0-11112-tcp" api DELETE upnpigd/redir/0.0.0.0-11112-tcp
check_eq "no mapping is left" "" "$(lab_mappings)"
check "probe: 11112 is refused after the mapping is deleted" not lab_probe 11112 2>/dev/null

echo "== reboots keep what the box stores"
state_before=$(freebox_state)
freebox_ctl POST /fail '{"call": "PUT fw/dmz/", "kind": "reboot-after"}' >/dev/null
check "a reboot fault cuts the call" not api PUT fw/dmz/ "{\"enabled\": true, \"ip\": \"$PC_IP\"}" 2>/dev/null
check "the box comes back" freebox_wait_up
check "the change made before the reboot is kept" lab_json "$FREEBOX_STATE_FILE" "d['dmz']['enabled'] is True"
check "probe: 104 reaches the PC again after the reboot" lab_probe 104
check "the session did not survive the reboot" not api GET fw/dmz/
freebox_session "$NS_LAPTOP"
check "a new session works (the app token was kept)" api GET fw/dmz/
state_before=$(freebox_state)
freebox_emu_down
check "power cut: the DMZ is gone while the box is off" not lab_probe 104 2>/dev/null
freebox_emu_up "$FREEBOX_SCENARIOS/doctor.json" "${FREEBOX_TLS_ARGS[@]}"
check_eq "after the power cut the state is the same" "$state_before" "$(freebox_state)"
check "probe: 104 and the remote access answer again" lab_probe 104
check "probe: remote access answers again" lab_probe "$REMOTE"

lab_finish
