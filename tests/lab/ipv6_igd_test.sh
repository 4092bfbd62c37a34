#!/usr/bin/env bash
# The doctor's case over IPv6 on a plain UPnP box (one LAB_IPV6 lab): the imaging PC opens a
# pinhole for its DICOM server (11112) through UPnP, as an application does (no port mapping,
# no DMZ: `upnpc -L` shows nothing), and the Internet reaches the PC's own IPv6 address. From
# the laptop, boxwarden reads the IPv6 firewall (on) and finds the pinhole by walking UniqueIDs
# (miniupnpd answers 606 over IPv4: it exists, its details are hidden); the audit reports it at
# the profile's severity (medical-practice: high), says the pinhole list is unknown (UPnP cannot
# see every pinhole), and `fix --yes` leaves it as a manual step that says what to do, with the
# documented exit status: the probe still reaches the PC (nothing claims it is closed).
# `discover` shows the box's IPv6 status.
set -u
source "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_boxwarden
LAB_IPV6=1 lab_up

STATE=$LAB_DIR/state
pinhole_findings="[f for f in d['findings'] if (f.get('subject') or {}).get('kind') == 'ipv6_pinhole']"

echo "== the imaging PC opens a pinhole for its DICOM server"
lab_listen "$NS_PC" 11112
check "before: [$PC6]:11112 is closed from the Internet" not lab_probe6 11112 "$PC6" 2>/dev/null
id=$(lab_pinhole "$NS_PC" "$PC6" 11112)
check_eq "the PC opened pinhole 1 through UPnP" 1 "$id" || fail "lab setup failed"
banner=$(lab_probe6 11112 "$PC6")
check_eq "probe over IPv6: the Internet reaches the DICOM server" "hello from $NS_PC:11112/tcp" "$banner"
check_eq "and the box has no port mapping at all" "" "$(lab_mappings)"

echo "== audit --profile medical-practice"
bw_capture audit "$NS_LAPTOP" audit --profile medical-practice --format json
check_exit "audit exits 1 (a finding at or above high)" "$BW_RC" 1 || bw_show
J=$BW_OUT
check "state.ipv6_firewall.enabled is true (GetFirewallStatus)" lab_json "$J" \
    "d['state']['ipv6_firewall']['enabled'] is True" "d['state'].get('ipv6_firewall')"
check "state.ipv6_pinholes is the PC's pinhole, id 1, from UPnP, details hidden" lab_json "$J" \
    "[(p['id'], p['origin'], p['details_hidden'], p['apis']) for p in d['state']['ipv6_pinholes']] == [('1', ['upnp'], True, ['upnp-igd'])]" \
    "d['state'].get('ipv6_pinholes')"
check "state.ipv6_pinholes_known is false, and unknown names ipv6_pinholes, not ipv6_firewall" lab_json "$J" \
    "d['state']['ipv6_pinholes_known'] is False and 'ipv6_pinholes' in d['state']['unknown'] and 'ipv6_firewall' not in d['state']['unknown']" \
    "(d['state'].get('ipv6_pinholes_known'), d['state'].get('unknown'))"
check "one finding for the pinhole, subject.kind ipv6_pinhole, severity high (medical-practice)" lab_json "$J" \
    "[f['severity'] for f in $pinhole_findings] == ['high']" "d.get('findings')"
check "the finding says it is over IPv6" lab_json "$J" \
    "all('IPv6' in str(f) for f in $pinhole_findings)" "$pinhole_findings"
check "no IPv6 firewall finding (it is on)" lab_json "$J" \
    "not any(f.get('rule') == 'IPV6-FIREWALL-OFF' for f in d['findings'])" "d.get('findings')"

echo "== audit --profile medical-practice (text)"
bw_capture audit-text "$NS_LAPTOP" audit --profile medical-practice
check_exit "text audit exits 1" "$BW_RC" 1 || bw_show
check "the text report names the pinhole over IPv6" grep -q "IPv6" "$BW_OUT"

echo "== fix --yes --profile medical-practice"
bw_capture fix "$NS_LAPTOP" --yes --profile medical-practice --state-dir "$STATE" fix
check_exit "fix exits 1 (the pinhole remains: a manual step)" "$BW_RC" 1 || bw_show
flat=$(tr -s ' \n' '  ' <"$BW_OUT")
check "the manual step names hole #1 and says to close the program on the machine that opened it" \
    grep -q "Close the IPv6 hole #1 .*close the program that shares things with the Internet" <<<"$flat"
check "... or to delete the hole in the box's pages, or to switch UPnP off" \
    grep -q "find the IPv6 firewall (pinholes) page and delete the hole; or switch UPnP off" <<<"$flat"
check "stderr says the box's pinholes could not all be read" grep -q "pinholes were not all read" "$BW_ERR"
banner=$(lab_probe6 11112 "$PC6")
check_eq "probe: the DICOM server is still reachable over IPv6 (nothing claims it is closed)" \
    "hello from $NS_PC:11112/tcp" "$banner"
check "the pinhole is still on the box (its owner reads it)" grep -q "Pinhole ID = 1 / PinholePackets = " \
    <<<"$(lab_ns "$NS_PC" upnpc -6 -u "$IGD6_URL" -K 1 2>&1)"

echo "== discover"
bw_capture discover "$NS_LAPTOP" discover
check_exit "discover exits 0" "$BW_RC" 0 || bw_show
check "discover shows the box's IPv6 side: firewall on, one pinhole seen" \
    grep -q "^IPv6: firewall on, 1 pinhole seen" "$BW_OUT"
bw_capture discover-json "$NS_LAPTOP" discover --format json
check "discover --format json: gateway.ipv6 has the firewall on and one pinhole, not all known" lab_json "$BW_OUT" \
    "d['gateway']['ipv6']['firewall']['enabled'] is True and d['gateway']['ipv6']['pinholes'] == 1 and d['gateway']['ipv6']['pinholes_known'] is False" \
    "d.get('gateway')"

lab_finish
