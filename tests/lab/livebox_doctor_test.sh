#!/usr/bin/env bash
# The doctor's case on an Orange Livebox (issue 3, item 5): the Livebox's DMZ points at the
# imaging PC (listeners on 104 and 11112), a web UI forward sends 3389 to it, and a console
# has a UPnP mapping (through the box's IGD, miniupnpd, which the emulator lists as the
# Livebox's own upnp-origin rules, as a real Livebox does). From the doctor's laptop,
# `fix --profile medical-practice --yes --password-file F` must close all of it (the probe
# from the Internet namespace is the ground truth), and `rollback --yes` must restore the
# DMZ, the forward and the mapping exactly. The Livebox emulator applies what it stores to
# the box namespace's nftables, so the probe sees exactly what it stores.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../emulators/livebox_lab.sh"
lab_require_root
lab_require_boxwarden
lab_up

STATE=$LAB_DIR/state
PW=$LAB_DIR/livebox.pw
CONSOLE_NS=$NS_ROGUE CONSOLE_IP=$ROGUE_IP  # the rogue host plays a game console here
IGD_CONTROL=http://$BOX_LAN:5000/ctl/IPConn  # miniupnpd's WANIPConnection control URL

cat >"$LAB_DIR/livebox-scenario.json" <<EOF
{"password": "doctor-livebox-pw",
 "port_forwards": {"webui_Bureau a distance": {"Id": "webui_Bureau a distance", "Origin": "webui",
   "Description": "Bureau a distance", "Status": "Enabled", "SourceInterface": "data", "Protocol": "6",
   "ExternalPort": "3389", "InternalPort": "3389", "SourcePrefix": "", "DestinationIPAddress": "$PC_IP",
   "DestinationMACAddress": "", "LeaseDuration": 0, "HairpinNAT": true, "SymmetricSNAT": false,
   "UPnPV1Compat": false, "Enable": true}},
 "dmz": {"webui": {"SourceInterface": "data", "DestinationIPAddress": "$PC_IP", "SourcePrefix": "",
   "Status": "Enabled", "Enable": true}}}
EOF
printf 'doctor-livebox-pw\n' >"$PW"
chmod 600 "$PW"

echo "== the practice's network"
livebox_emu_up "$LAB_DIR/livebox-scenario.json" --throttle 1 --igd-mirror "$IGD_CONTROL"
lab_listen "$NS_PC" 104
lab_listen "$NS_PC" 11112
lab_listen "$NS_PC" 3389
lab_listen "$CONSOLE_NS" 3074
lab_upnpc "$CONSOLE_NS" -e "Console" -a "$CONSOLE_IP" 3074 3074 TCP >/dev/null 2>&1
mappings_before=$(lab_mappings)
check_eq "the console's UPnP mapping exists" "TCP 3074 $CONSOLE_IP 3074 Console" "$mappings_before" ||
    fail "lab setup failed"
state_before=$(livebox_state)
for port in 104 11112 3389 3074; do
    check "probe: port $port answers from the Internet (before)" lab_probe "$port" >/dev/null
done
check "probe: 104 reaches the imaging PC through the DMZ" \
    grep -q "$NS_PC" <<<"$(lab_probe 104 2>/dev/null)"
check "probe: 3074 reaches the console (its mapping wins over the DMZ)" \
    grep -q "$CONSOLE_NS" <<<"$(lab_probe 3074 2>/dev/null)"

echo "== audit from the laptop (discovery, no --gateway)"
bw_capture audit "$NS_LAPTOP" --password-file "$PW" --profile medical-practice --format json audit
check_exit "audit exits 1 (critical findings)" "$BW_RC" 1 || bw_show
J=$BW_OUT
check "the box is read through the Livebox API and UPnP" lab_json "$J" \
    "d['gateway']['vendor'] == 'livebox' and {'livebox', 'upnp-igd'} <= set(d['gateway']['apis'])" "d.get('gateway')"
check "the model and the external address come from the Livebox" lab_json "$J" \
    "d['gateway']['model'] == 'Livebox 7' and d['gateway']['external_ip'] == '$WAN_IP'" "d.get('gateway')"
check "the DMZ is seen, pointing at the imaging PC" lab_json "$J" \
    "d['state']['dmz'] == {'enabled': True, 'host': '$PC_IP'}" "d['state'].get('dmz')"
check "the DMZ is critical, with the health data at risk" lab_json "$J" \
    "any(f['rule'] == 'EXPOSE-DMZ' and f['severity'] == 'critical' and f['data_at_risk'] for f in d['findings'])" \
    "[f for f in d['findings'] if f['rule'] == 'EXPOSE-DMZ']"
check "the web UI forward of 3389 is seen with its origin" lab_json "$J" \
    "any(p['external_port'] == 3389 and 'webui' in p['origin'] for p in d['state']['port_forwards'])" \
    "d['state']['port_forwards']"
check "the console's mapping is one entry, origin upnp, seen by both APIs" lab_json "$J" \
    "[(p['origin'], sorted(p['apis'])) for p in d['state']['port_forwards'] if p['external_port'] == 3074] == [(['upnp'], ['livebox', 'upnp-igd'])]" \
    "d['state']['port_forwards']"
check "UPnP and remote admin are known (not unknown)" lab_json "$J" \
    "d['state']['upnp_igd'] == {'enabled': True} and d['state']['remote_admin'] == {'enabled': False}" \
    "d.get('state')"
check_eq "audit changed nothing on the Livebox" "$state_before" "$(livebox_state)"
check "the password is in no output" not grep -q "doctor-livebox-pw" "$BW_OUT" "$BW_ERR"

echo "== fix --profile medical-practice --yes, from the laptop"
bw_capture fix "$NS_LAPTOP" --password-file "$PW" --profile medical-practice --state-dir "$STATE" --yes fix
check_exit "fix exits 0 (nothing at or above high remains)" "$BW_RC" 0 || bw_show
for port in 104 11112 3389 3074; do
    check "probe: port $port is refused from the Internet (after)" not lab_probe "$port" 2>/dev/null
done
check "the Livebox stores no DMZ" lab_json "$LIVEBOX_STATE_FILE" "d['dmz'] == {}" "d['dmz']"
check "the Livebox stores no forward to the PC" lab_json "$LIVEBOX_STATE_FILE" \
    "not any(r['DestinationIPAddress'] == '$PC_IP' for r in d['port_forwards'].values())" "d['port_forwards']"
check "the Livebox's UPnP IGD is off" lab_json "$LIVEBOX_STATE_FILE" "d['upnp_igd']['Enable'] is False" "d['upnp_igd']"
check_eq "no UPnP mapping is left" "" "$(lab_mappings)"
check_eq "the emulator's nftables hold no DNAT" "0" "$(livebox_nft | grep -c dnat)"
check_eq "no origin-only bulk delete was ever sent" "" "$(livebox_alerts)"
livebox_ctl GET /log >"$LAB_DIR/livebox-calls.json"
check "the console's mapping was deleted through the Livebox API, by id and origin" lab_json \
    "$LAB_DIR/livebox-calls.json" \
    "any(c['call'] == 'Firewall:deletePortForwarding' and c['params'].get('id') == 'upnp_3074t' and c['params'].get('origin') == 'upnp' for c in d['calls'])" \
    "[c for c in d['calls'] if 'PortForwarding' in c['call']]"
check "a backup was written" test -n "$(find "$STATE/backups" -type f 2>/dev/null)"
check "the password is in no output and no backup" not grep -rq "doctor-livebox-pw" "$BW_OUT" "$BW_ERR" "$STATE"

echo "== rollback --yes"
bw_capture rollback "$NS_LAPTOP" --password-file "$PW" --state-dir "$STATE" --yes rollback
check_exit "rollback exits 0" "$BW_RC" 0 || bw_show
check_eq "the Livebox's state is exactly as before" "$state_before" "$(livebox_state)"
check_eq "the console's mapping is back exactly" "$mappings_before" "$(lab_mappings)"
for port in 104 11112 3389 3074; do
    check "probe: port $port answers again (after rollback)" lab_probe "$port" >/dev/null
done
check_eq "still no origin-only bulk delete" "" "$(livebox_alerts)"

echo "== a reboot keeps what the box stores"
kill "$LIVEBOX_EMU_PID"
wait "$LIVEBOX_EMU_PID" 2>/dev/null
check "while the box is down the DMZ is gone" not lab_probe 104 2>/dev/null
livebox_emu_up "$LAB_DIR/livebox-scenario.json" --throttle 1 --igd-mirror "$IGD_CONTROL"
check_eq "after the reboot the state is the same" "$state_before" "$(livebox_state)"
check "after the reboot the DMZ answers again" lab_probe 104 >/dev/null

lab_finish
