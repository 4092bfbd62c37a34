#!/usr/bin/env bash
# Issue 12 case 2 on the real miniupnpd, the probe from the Internet namespace as proof: a fix
# killed with SIGKILL while its second DeletePortMapping hangs (tests/lab/fault_proxy.py) leaves
# its backup "in-progress" and the box half-changed; a second fix completes and writes a newer
# backup; plain `rollback --yes` restores both, newest first: the box lists exactly the original
# mappings again and every service answers from the Internet again. `backups` shows the outcomes.
set -u
source "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_boxwarden
lab_up

STATE=$LAB_DIR/state
outcomes() {
    bw "$NS_LAPTOP" --state-dir "$STATE" --format json backups |
        "$LAB_PYTHON" -c 'import json, sys; print(" ".join(b["outcome"] for b in json.load(sys.stdin)["backups"]))'
}

echo "== the practice's network"
lab_listen "$NS_PC" 11112
lab_listen "$NS_PC" 3389
lab_listen "$NS_PC" 445
lab_igd_fault_proxy "$LAPTOP_IP"
lab_upnpc "$NS_PC" -e "PACS DICOM" -a "$PC_IP" 11112 11112 TCP >/dev/null 2>&1
lab_upnpc "$NS_PC" -e "Remote Desktop" -a "$PC_IP" 3389 3389 TCP >/dev/null 2>&1
lab_upnpc "$NS_PC" -e "SMB" -a "$PC_IP" 445 445 TCP >/dev/null 2>&1
ORIGINAL="TCP 445 $PC_IP 445 SMB
TCP 3389 $PC_IP 3389 Remote Desktop
TCP 11112 $PC_IP 11112 PACS DICOM"
check_eq "the box has the three mappings" "$ORIGINAL" "$(lab_mappings)" || fail "lab setup failed"
for port in 11112 3389 445; do
    check "probe: $port is reachable from the Internet (before)" lab_probe "$port" >/dev/null
done

echo "== a fix killed (SIGKILL) while its second change hangs"
lab_igd_fault '{"id": "hang2", "action": "DeletePortMapping", "nth": 2, "kind": "hang"}'
lab_bg "$NS_LAPTOP" fix-killed env BOXWARDEN_NETNS="$NS_LAPTOP" "$BOXWARDEN" --verbose --yes \
    --profile medical-practice --state-dir "$STATE" --timeout 60 fix
FIX_PID=$LAB_LAST_PID
# The events: -v prints each step before sending it ("boxwarden: Close ..."); the second one
# is printed once the first deletion was answered, and the box shows the first deletion. The
# proxy holds the second request for 30 s (it logs it only when the hang ends).
second_step_sent() {
    (($(grep -c '^boxwarden: Close ' "$LAB_DIR/fix-killed.log") >= 2)) && (($(lab_mappings | grep -c .) == 2))
}
_lab_wait_for 60 second_step_sent || fail "the fix never reached its second change"
kill -KILL "$FIX_PID"
wait "$FIX_PID" 2>/dev/null
check_eq "the fix was killed" 137 "$?"
lab_igd_fault '{}'
half=$(lab_mappings)
check_eq "the box is half-changed: one mapping deleted, two left" 2 "$(grep -c . <<<"$half")"
check "the second deletion was the one hanging" _lab_wait_for 10 grep -q '"fault": "hang"' "$LAB_FAULT_LOG"
check "what is left was there before" not grep -qvxF "$ORIGINAL" <<<"$half"
check_eq "backups: the killed fix is in-progress" "in-progress" "$(outcomes)"

echo "== a second fix completes"
bw_capture fix2 "$NS_LAPTOP" --yes --profile medical-practice --state-dir "$STATE" fix
check_exit "the second fix exits 1 (UPnP itself is a step to do by hand)" "$BW_RC" 1 || bw_show
check_eq "no mapping is left" "" "$(lab_mappings)"
for port in 11112 3389 445; do
    check "probe: $port is closed after the second fix" not lab_probe "$port" 2>/dev/null
done
check_eq "backups: in-progress, then completed" "in-progress completed" "$(outcomes)"

echo "== plain rollback restores both, newest first"
bw_capture rollback "$NS_LAPTOP" --yes --profile medical-practice --state-dir "$STATE" rollback
check_exit "rollback exits 0" "$BW_RC" 0 || bw_show
check "it says why it restores the killed fix" grep -q "unfinished: the run was cut short on" "$BW_OUT"
check_eq "upnpc -L shows exactly the original mappings again" "$ORIGINAL" "$(lab_mappings)"
for port in 11112 3389 445; do
    check "probe: $port is reachable from the Internet again" lab_probe "$port" >/dev/null
done
check_eq "backups: both rolled back" "rolled-back rolled-back" "$(outcomes)"
bw_capture history "$NS_LAPTOP" --format json --state-dir "$STATE" history
check "the journal has one rollback record per backup restored, each with its own backup" lab_json "$BW_OUT" \
    "len([e for e in d['boxes'][0]['events'] if e['command'] == 'rollback' and e['outcome'] == 'done']) == 2" \
    "[(e['command'], e['outcome'], e['summary']) for e in d['boxes'][0]['events']]"

echo "== nothing is left to restore"
bw_capture rollback2 "$NS_LAPTOP" --yes --profile medical-practice --state-dir "$STATE" rollback
check_exit "a second rollback exits 0" "$BW_RC" 0 || bw_show
check "it says there is nothing to restore" grep -q "nothing to restore" "$BW_OUT"
check_eq "the box is unchanged" "$ORIGINAL" "$(lab_mappings)"

lab_finish
