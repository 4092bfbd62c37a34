#!/usr/bin/env bash
# `fix --dry-run --yes` must change nothing on the box (mappings unchanged, the service still
# reachable from the Internet, no write request reaches miniupnpd) and must print the requests
# it would send.
set -u
source "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_boxwarden
lab_up

STATE=$LAB_DIR/state
lab_listen "$NS_PC" 11112
lab_listen "$NS_PC" 3389
lab_upnpc "$NS_PC" -e "PACS DICOM" -a "$PC_IP" 11112 11112 TCP >/dev/null 2>&1
lab_upnpc "$NS_PC" -e "Remote Desktop" -a "$PC_IP" 3389 3389 TCP >/dev/null 2>&1
before=$(lab_mappings)
check_eq "the box has the two mappings" "TCP 3389 $PC_IP 3389 Remote Desktop
TCP 11112 $PC_IP 11112 PACS DICOM" "$before" || fail "lab setup failed"
check "probe: 11112 is reachable (before)" lab_probe 11112 >/dev/null

# What miniupnpd receives during the run: its log names every SOAP action.
log_lines_before=$(wc -l <"$LAB_DIR/miniupnpd.log")

bw_capture dryrun "$NS_LAPTOP" --dry-run --yes --profile medical-practice --state-dir "$STATE" fix
check_exit "fix --dry-run exits 1 (the findings it would fix are still there)" "$BW_RC" 1 || bw_show

soap=$(tail -n +"$((log_lines_before + 1))" "$LAB_DIR/miniupnpd.log" | sed -n 's/.*SOAPAction: .*#//p' | sort | uniq -c)
echo "   SOAP actions miniupnpd received during the dry run:"
sed 's/^/   | /' <<<"${soap:-(none)}"
check "no DeletePortMapping reached the box" not grep -q "DeletePortMapping" <<<"$soap"
check "no AddPortMapping reached the box" not grep -q "AddPortMapping" <<<"$soap"
check_eq "mappings unchanged" "$before" "$(lab_mappings)"
check "probe: 11112 still reachable" lab_probe 11112 >/dev/null
check "probe: 3389 still reachable" lab_probe 3389 >/dev/null

printed=$(cat "$BW_OUT" "$BW_ERR")
check "the output names the DICOM port 11112" grep -q "11112" <<<"$printed" || bw_show
check "the output names the Remote Desktop port 3389" grep -q "3389" <<<"$printed"
check "the output shows the request it would send (DeletePortMapping of 11112)" \
    grep -qE "DeletePortMapping.*11112|11112.*DeletePortMapping" <<<"$printed"
check "the output shows the request it would send (DeletePortMapping of 3389)" \
    grep -qE "DeletePortMapping.*3389|3389.*DeletePortMapping" <<<"$printed"

lab_finish
