#!/usr/bin/env bash
# Issue 12, case 4: a box that changes under us. The person reads the plan at the [y/N] prompt;
# meanwhile another machine re-points 11112 to itself ("LaptopWeb"). fix must read the box
# again after the yes, say what changed, show the new plan and ask again; the backup and the
# changes come from that read, so that rollback puts back what the box really had. And at the
# last moment (between the read and the delete) a change acts only on the mapping that was
# read, never on one that took its place. Real miniupnpd; boxwarden runs on a real
# pseudo-terminal (tests/lab/pty_expect.py) where a person would answer; the probe from the
# Internet namespace is the proof.
set -u
source "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_boxwarden
lab_up

PTY="$LAB_PYTHON $LAB_LIB_DIR/pty_expect.py"
upnpc_in() { echo "ip netns exec $1 upnpc -u $IGD_URL ${*:2} >/dev/null 2>&1"; }
REPOINT="$(upnpc_in "$NS_PC" -d 11112 TCP); $(upnpc_in "$NS_LAPTOP" -e LaptopWeb -a "$LAPTOP_IP" 11112 11112 TCP)"
DOCTOR=$LAB_DOCTOR_MAPPINGS
REPOINTED="TCP 3389 $PC_IP 3389 Remote Desktop
TCP 11112 $LAPTOP_IP 11112 LaptopWeb"

lab_listen "$NS_PC" 11112
lab_listen "$NS_PC" 3389
lab_listen "$NS_LAPTOP" 11112

doctor_box() {
    lab_upnpc "$NS_PC" -d 11112 TCP >/dev/null 2>&1
    lab_upnpc "$NS_PC" -d 3389 TCP >/dev/null 2>&1
    lab_doctor_map
    check_eq "the doctor's box: 11112 and 3389 to the imaging PC" "$DOCTOR" "$(lab_mappings)" || fail "lab setup"
}

# fix_on_pty NAME STATE STEP...: boxwarden fix (medical-practice) in the laptop namespace on a pty.
fix_on_pty() {
    local name=$1 state=$2
    shift 2
    lab_ns "$NS_LAPTOP" env BOXWARDEN_NETNS="$NS_LAPTOP" $PTY --timeout 60 --transcript "$LAB_DIR/$name.pty" "$@" -- \
        "$BOXWARDEN" --state-dir "$state" --no-color fix --profile medical-practice
}

echo "== 1. re-pointed while the person reads the plan; yes, then yes again"
doctor_box
fix_on_pty repoint-yes "$LAB_DIR/s1" "expect:[y/N]" "sh:$REPOINT" "send:y\n" \
    "expect:The box changed while you were reading" "expect:[y/N]" "send:y\n"
rc=$?
T=$LAB_DIR/repoint-yes.pty
check_exit "fix ends with the manual steps UPnP leaves (exit 1)" "$rc" 1 || sed 's/^/   | /' "$T"
check "it says what changed, naming both machines" grep -q "changed: TCP port 11112 now goes to $LAPTOP_IP port 11112 (\"LaptopWeb\"); it went to $PC_IP port 11112 (\"PACS DICOM\")" "$T"
check "the new plan closes 11112 on the laptop" grep -q "Close TCP port 11112 (forwarded to $LAPTOP_IP)" "$T"
check "it asked a second time" test "$(grep -c '\[y/N\]' "$T")" -eq 2
check_eq "both mappings were closed" "" "$(lab_mappings)"
check "probe: 11112 is closed from the Internet" not lab_probe 11112
backup=$(ls "$LAB_DIR"/s1/backups/*.json)
check "the backup holds the box as read after the yes (LaptopWeb on the laptop)" lab_json "$backup" \
    "sorted((f['external_port'], f['internal_host'], f['description']) for f in d['state']['port_forwards']) == [(3389, '$PC_IP', 'Remote Desktop'), (11112, '$LAPTOP_IP', 'LaptopWeb')]" \
    "d['state']['port_forwards']"
bw_capture rollback1 "$NS_LAPTOP" --state-dir "$LAB_DIR/s1" --yes rollback
check_exit "rollback succeeds" "$BW_RC" 0 || bw_show
check_eq "rollback puts back LaptopWeb, not the mapping it replaced" "$REPOINTED" "$(lab_mappings)"
check_eq "probe: 11112 reaches the laptop again" "hello from $NS_LAPTOP:11112/tcp" "$(lab_probe 11112)"
check_eq "probe: 3389 reaches the imaging PC again" "hello from $NS_PC:3389/tcp" "$(lab_probe 3389)"

echo "== 2. re-pointed while the person reads; yes, then no: nothing changes"
doctor_box
fix_on_pty repoint-no "$LAB_DIR/s2" "expect:[y/N]" "sh:$REPOINT" "send:y\n" \
    "expect:The box changed while you were reading" "expect:[y/N]" "send:n\n"
rc=$?
check_exit "fix with findings left exits 1" "$rc" 1 || sed 's/^/   | /' "$LAB_DIR/repoint-no.pty"
check "it says nothing was changed" grep -q "nothing was changed" "$LAB_DIR/repoint-no.pty"
check_eq "the box is as the other machine left it" "$REPOINTED" "$(lab_mappings)"
check "no backup was written" test -z "$(ls "$LAB_DIR/s2/backups" 2>/dev/null)"

echo "== 3. re-pointed between the read and the delete: the new mapping is left alone"
doctor_box
lab_igd_fault_proxy
lab_igd_fault "{\"id\": \"race\", \"action\": \"GetSpecificPortMappingEntry\", \"nth\": 1, \"kind\": \"run-before\", \"cmd\": \"$REPOINT\"}"
bw_capture race "$NS_LAPTOP" --state-dir "$LAB_DIR/s3" --yes fix --profile medical-practice
check_exit "fix refuses and undoes what it did (exit 5)" "$BW_RC" 5 || bw_show
check "the run-before fault fired" grep -q '"fault": "run-before"' "$LAB_FAULT_LOG"
check "the error names the machine that took the port" grep -q "now goes to $LAPTOP_IP" "$BW_OUT" "$BW_ERR"
check_eq "LaptopWeb is kept and 3389 is back (box exactly as the other machine left it)" "$REPOINTED" "$(lab_mappings)"
check_eq "probe: 11112 still reaches the laptop" "hello from $NS_LAPTOP:11112/tcp" "$(lab_probe 11112)"
lab_finish
