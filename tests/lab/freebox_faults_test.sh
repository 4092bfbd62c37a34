#!/usr/bin/env bash
# All or nothing on the Freebox (issue 8, part 4): the doctor's box (tests/emulators/
# freebox_scenarios/doctor.json: DMZ to the imaging PC, a forward of 3389, remote access on,
# UPnP on; for the IPv6 write, issue 9, the same box with its IPv6 firewall off), the real
# binary against the Freebox emulator in the lab, over HTTPS with the test CA. For every write the fix sends (DELETE fw/redir/{id},
# PUT fw/dmz/, PUT connection/config/, PUT upnpigd/config/, PUT connection/ipv6/config/) and
# every write the rollback sends (POST fw/redir/ and the same PUTs; the IPv6 write's rollback
# cells run only when asked, FREEBOX_FAULTS_PART="rollback:5": it is the same code as the other
# switches', and its fix cells already undo it),
# the emulator fails that call once: an error reply (success false), a connection reset before
# or after the box acted, a hang (--timeout holds), the box rebooting before or after acting
# (back from its stored state 1 s later, sessions gone). Each cell must end with the box, as
# the emulator stores it and as the probe from the Internet sees it, exactly as before the
# command or exactly as the command wants it, never half, with the exit code EXPECTED_RC says
# (measured: the emulator is deterministic). Between cells the box is put back by restarting
# the emulator from a saved state file (a power cut: what the box stores is what it runs).
# Prints the matrix: command x write x fault -> end state (O original, F fixed) / exit, seconds.
# The matrix runs in five parts at the same time, each in a lab of its own (see PARTS). The labs
# are IPv4 ones: the IPv6 write is judged by what the box stores (freebox_doctor_test probes it).
# Only a run with the IPv6 write among its WRITES starts from the box with IPv6 open: the other
# parts keep the four writes (a fifth one to undo would not fit in the hang cells' --timeout).
# FREEBOX_FAULTS_KINDS / FREEBOX_FAULTS_OPS (space separated) run a part of it, in one lab (the
# four writes); FREEBOX_FAULTS_PART="fix:5" (or "rollback:5") runs the IPv6 write's cells alone.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../emulators/freebox_lab.sh"
lab_require_root
lab_require_boxwarden
lab_up
T_START=$SECONDS
# The matrix in five parts (the fifth: the fix's IPv6 write, 6 cells), each in a lab of its own,
# at the same time (a run mostly waits: for SSDP, a reboot, a hang): this run does the first, and
# runs itself for the others with FREEBOX_FAULTS_PART (a new LAB_ID: lab_up refuses the
# variables of this one).
PARTS=("fix:1 2" "fix:3 4" "rollback:1 2" "rollback:3 4" "fix:5")
PART_PIDS=()
if [[ -z ${FREEBOX_FAULTS_PART:-} && -z ${FREEBOX_FAULTS_OPS:-} ]]; then
    for ((i = 1; i < ${#PARTS[@]}; i++)); do
        env -u LAB_ID -u LAB_DIR FREEBOX_FAULTS_PART="${PARTS[$i]}" bash "$0" >"$LAB_DIR/part$i.log" 2>&1 &
        PART_PIDS+=($!)
    done
    FREEBOX_FAULTS_PART=${PARTS[0]}
fi
trap 'rc=$?; for p in "${PART_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p"; done; (exit $rc); lab_down' EXIT

STATE=$LAB_DIR/state
REMOTE=21252
PORTS=(104 3389 "$REMOTE")
RUN_TIMEOUT=20  # --timeout of every run but the hangs: a stuck run fails fast
# --timeout of the hang cells: a call gets at most half of what is left, so the hung call ends
# after half, and the rest is for what follows: the undo of a fix (up to three writes and two
# readings), or a rollback's retry and its three other writes (it waits for a box that stops
# answering, so it needs more). Too short, and the run ends with exit 6 (measured: 6 s for a
# fix on a loaded machine, 6 s for a rollback).
declare -A HANG_TIMEOUT=([fix]=10 [rollback]=14)
if [[ -n ${BOXWARDEN_SANITIZED:-} ]]; then
    # Under ASan and UBSan (scripts/sanitize.sh) every step of the undo is several times slower:
    # the same cells, with the time the undo needs there.
    HANG_TIMEOUT=([fix]=20 [rollback]=28)
fi
read -r -a KINDS <<<"${FREEBOX_FAULTS_KINDS:-error reset reset-after hang reboot reboot-after}"
read -r -a OPS <<<"${FREEBOX_FAULTS_OPS:-fix rollback}"
read -r -a WRITES <<<"1 2 3 4"  # which writes of FIX_WRITES / ROLLBACK_WRITES (1-based)
if [[ -n ${FREEBOX_FAULTS_PART:-} ]]; then
    OPS=("${FREEBOX_FAULTS_PART%%:*}")
    read -r -a WRITES <<<"${FREEBOX_FAULTS_PART#*:}"
fi
FIX_WRITES=("DELETE fw/redir/{id}" "PUT fw/dmz/" "PUT connection/config/" "PUT upnpigd/config/"
    "PUT connection/ipv6/config/")
ROLLBACK_WRITES=("PUT upnpigd/config/" "PUT connection/config/" "PUT fw/dmz/" "POST fw/redir/"
    "PUT connection/ipv6/config/")

# What each cell exits, measured on the emulator (0: the command completed; 5: it failed and
# was undone). The end state follows from the exit and is checked on its own.
declare -A EXPECTED_RC=()
for write in "${FIX_WRITES[@]}"; do
    for kind in error reset reset-after hang reboot reboot-after; do
        # fix does not retry a write: any fault stops it, and it undoes what it did.
        EXPECTED_RC["fix, $write, $kind"]=5
    done
done
for write in "${ROLLBACK_WRITES[@]}"; do
    # An error reply stops the rollback, which takes back what it restored; a box that stops
    # answering (reset, hang, reboot) is waited for and the write sent again: it completes.
    EXPECTED_RC["rollback, $write, error"]=5
    for kind in reset reset-after hang reboot reboot-after; do
        EXPECTED_RC["rollback, $write, $kind"]=0
    done
done

freebox_tls_ca fake-1.fbxos.fr
EMU_ARGS=("${FREEBOX_TLS_ARGS[@]}" --auto-grant 1 --hang-seconds 30)
SCENARIO=$FREEBOX_SCENARIOS/doctor.json
if [[ " ${WRITES[*]} " == *" 5 "* ]]; then
    # The doctor's box with its IPv6 firewall off: the fix sends the IPv6 write too, and the
    # undo of a hung one has a fifth write to take back (measured alone: 10.2 s of --timeout 10,
    # on a loaded machine exit 6): 4 s more.
    HANG_TIMEOUT[fix]=$((HANG_TIMEOUT[fix] + 4))
    HANG_TIMEOUT[rollback]=$((HANG_TIMEOUT[rollback] + 4))
    SCENARIO=$LAB_DIR/doctor6.json
    "$LAB_PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
d["ipv6_config"] = {"ipv6_enabled": True, "ipv6_firewall": False}
json.dump(d, open(sys.argv[2], "w"))' "$FREEBOX_SCENARIOS/doctor.json" "$SCENARIO" || fail "cannot write the scenario"
fi
freebox_emu_up "$SCENARIO" "${EMU_ARGS[@]}"
lab_listen "$NS_PC" 104
lab_listen "$NS_PC" 3389

# fbx NAME TIMEOUT ARGS...: boxwarden from the laptop, state dir and test CA.
fbx() {
    local name=$1 t=$2
    shift 2
    bw_capture "$name" "$NS_LAPTOP" --state-dir "$STATE" --ca-file "$FREEBOX_CA" --timeout "$t" "$@"
}

# open_ports: the ports of PORTS that answer from the Internet (one probe process for all).
open_ports() {
    lab_ns "$NS_INET" "$LAB_PYTHON" -c '
import socket, sys
out = []
for port in sys.argv[2:]:
    try:
        with socket.create_connection((sys.argv[1], int(port)), timeout=2):
            out.append(port)
    except OSError:
        pass
print(" ".join(out))' "$WAN_IP" "${PORTS[@]}"
}

# end_state: O (the original: settings, probes, the lab's IGD running), F (fixed: settings,
# nothing answers, the IGD stopped) or X (anything else: half).
end_state() {
    local settings
    settings=$(freebox_settings)
    if [[ $settings == "$ORIGINAL" && "$(open_ports)" == "${PORTS[*]}" ]] && lab_box_is_up; then
        echo O
    elif [[ $settings == "$FIXED" && -z "$(open_ports)" ]] && ! lab_box_is_up; then
        echo F
    else
        echo X
    fi
}

# box_load SNAPSHOT: the box as saved (a power cut, then it starts from that state file).
box_load() {
    freebox_emu_down
    cp "$1" "$FREEBOX_STATE_FILE"
    freebox_emu_up "$SCENARIO" "${EMU_ARGS[@]}"
}

echo "== setup: pair, allow settings, one good fix (its backup is the original)"
fbx pair 30 pair
check_exit "pair exits 0" "$BW_RC" 0 || fail "cannot pair"
freebox_ctl POST /permissions '{"app_id": "fr.boxwarden", "settings": true}' >/dev/null
ORIGINAL=$(freebox_settings)
cp "$FREEBOX_STATE_FILE" "$LAB_DIR/original.json"
check_eq "before: every port answers" "${PORTS[*]}" "$(open_ports)"
fbx fix0 "$RUN_TIMEOUT" --profile medical-practice --yes fix
check_exit "a fix without fault exits 0" "$BW_RC" 0 || fail "cannot fix"
BACKUP=$(find "$STATE/backups" -name "*.json" | sort | tail -n 1)  # named by their time
FIXED=$(freebox_settings)
cp "$FREEBOX_STATE_FILE" "$LAB_DIR/fixed.json"
check_eq "fixed: nothing answers" "" "$(open_ports)"
check "the two states differ" test "$ORIGINAL" != "$FIXED"
CURRENT=F

reboots() {
    grep -c "freebox-emu: rebooting" "$LAB_DIR/freebox-emu.log"
}

MATRIX=()
CELLS=0
# cell OP WRITE KIND: from the state the command starts from, the command under the fault.
cell() {
    local op=$1 write=$2 kind=$3 label="$1, $2, $3" t=$RUN_TIMEOUT want_rc end hit reboots_before
    [[ $kind == hang ]] && t=${HANG_TIMEOUT[$op]}
    if [[ $op == fix && $CURRENT != O ]]; then
        box_load "$LAB_DIR/original.json"
    elif [[ $op == rollback && $CURRENT != F ]]; then
        box_load "$LAB_DIR/fixed.json"
    fi
    freebox_ctl POST /clear >/dev/null
    reboots_before=$(reboots)
    freebox_ctl POST /fail "{\"call\": \"$write\", \"kind\": \"$kind\", \"count\": 1}" >/dev/null
    local id="$op-${write//[^a-z]/_}-$kind" backups
    backups=$(find "$STATE/backups" -name "*.json" | wc -l)
    if [[ $op == fix ]]; then
        fbx "$id" "$t" --profile medical-practice --yes fix
    else
        fbx "$id" "$t" --yes rollback "$BACKUP"
    fi
    if [[ $kind == reboot* ]]; then
        # The emulator ended (its call log with it) and its supervisor started it again.
        freebox_wait_up
        hit=$(($(reboots) - reboots_before))
    else
        hit=$(freebox_ctl GET /log | "$LAB_PYTHON" -c \
            'import json,sys; print(sum(1 for c in json.load(sys.stdin)["calls"] if "fault" in c))')
    fi
    end=$(end_state)
    CURRENT=$end
    CELLS=$((CELLS + 1))
    MATRIX+=("$(printf '%-9s %-24s %-13s %s/%s  %ss' "$op" "$write" "$kind" "$end" "$BW_RC" "$BW_SECONDS")")
    want_rc=${EXPECTED_RC[$label]:-none}
    check "$label: the fault was hit" test "$hit" -ge 1
    check_exit "$label: exit $want_rc" "$BW_RC" "$want_rc" || bw_show
    if [[ $op == fix ]]; then
        check_eq "$label: one new backup" $((backups + 1)) "$(find "$STATE/backups" -name "*.json" | wc -l)"
    else
        check "$label: the backup of the original is intact" lab_json "$BACKUP" "d['state']['dmz']['enabled'] is True" "d.get('state')"
    fi
    case $op/$BW_RC in
        fix/5 | rollback/0) check_eq "$label: the box is exactly the original" O "$end" ;;
        fix/0 | rollback/5) check_eq "$label: the box is exactly fixed" F "$end" ;;
        *) check "$label: the box is the original or fixed, never half ($end)" test "$end" != X ;;
    esac
}

for op in "${OPS[@]}"; do
    for w in "${WRITES[@]}"; do
        if [[ $op == fix ]]; then write=${FIX_WRITES[w - 1]}; else write=${ROLLBACK_WRITES[w - 1]}; fi
        for kind in "${KINDS[@]}"; do
            cell "$op" "$write" "$kind"
        done
    done
done

echo
echo "== the matrix (O original, F fixed, X half / exit code)"
printf '%s\n' "${MATRIX[@]}"
echo "($CELLS cells in $((SECONDS - T_START)) s)"
for i in "${!PART_PIDS[@]}"; do
    log=$LAB_DIR/part$((i + 1)).log
    wait "${PART_PIDS[$i]}"
    part_rc=$?
    echo
    echo "== part: ${PARTS[i + 1]} (its own lab)"
    sed -n '/== the matrix/,/cells in/p' "$log" | tail -n +2
    grep -A 20 '^FAIL' "$log"
    read -r failed total < <(sed -nE 's/.*: ([0-9]+) of ([0-9]+) checks FAILED$/\1 \2/p; s/.*: all ([0-9]+) checks passed$/0 \1/p' "$log")
    LAB_CHECKS=$((LAB_CHECKS + ${total:-0}))
    LAB_FAILURES=$((LAB_FAILURES + ${failed:-0}))
    check_exit "part ${PARTS[i + 1]} ran to its end" "$part_rc" 0 || tail -n 40 "$log"
done
PART_PIDS=()
echo "(the whole matrix in $((SECONDS - T_START)) s)"
lab_finish
