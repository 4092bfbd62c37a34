#!/usr/bin/env bash
# All or nothing on the Bbox (issue 14): the doctor's box (tests/emulators/bbox_scenarios/
# doctor.json: DMZ to the imaging PC, a NAT/PAT rule of 3389, remote access on, UPnP on), the
# real binary against the Bbox emulator in the lab. For every write the fix sends (PUT
# nat/rules/{id} enable=0, PUT nat/dmz, PUT remote/admin, PUT upnp/igd) and every write the
# rollback sends (the same four, back), the emulator fails that call once: an error reply (the
# Bbox's exception envelope), a connection reset, a hang (--timeout holds), the box rebooting
# (back from its stored state 1 s later, sessions and btokens gone). Each cell must end with the
# box, as the emulator stores it and as the probe from the Internet sees it, exactly as before
# the command or exactly as the command wants it, never half, with the exit code EXPECTED_RC
# says. Between cells the box is put back by restarting the emulator from a saved state file.
# The matrix runs in eight parts at the same time (one per write), each in a lab of its own (PARTS), as
# freebox_faults_test.sh does; BBOX_FAULTS_KINDS / BBOX_FAULTS_PART run a part of it.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../emulators/bbox_lab.sh"
lab_require_root
lab_require_boxwarden
lab_up
T_START=$SECONDS
PARTS=("fix:1" "fix:2" "fix:3" "fix:4" "rollback:1" "rollback:2" "rollback:3" "rollback:4")
PART_PIDS=()
if [[ -z ${BBOX_FAULTS_PART:-} ]]; then
    for ((i = 1; i < ${#PARTS[@]}; i++)); do
        env -u LAB_ID -u LAB_DIR BBOX_FAULTS_PART="${PARTS[$i]}" bash "$0" >"$LAB_DIR/part$i.log" 2>&1 &
        PART_PIDS+=($!)
    done
    BBOX_FAULTS_PART=${PARTS[0]}
fi
trap 'rc=$?; for p in "${PART_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p"; done; (exit $rc); lab_down' EXIT

STATE=$LAB_DIR/state
PORTS=(104 3389 4443)
RUN_TIMEOUT=20
declare -A HANG_TIMEOUT=([fix]=10 [rollback]=14)
if [[ -n ${BOXWARDEN_SANITIZED:-} ]]; then
    HANG_TIMEOUT=([fix]=20 [rollback]=28)
fi
read -r -a KINDS <<<"${BBOX_FAULTS_KINDS:-error reset hang reboot}"
OPS=("${BBOX_FAULTS_PART%%:*}")
read -r -a WRITES <<<"${BBOX_FAULTS_PART#*:}"
FIX_WRITES=("PUT nat/rules/{id}" "PUT nat/dmz" "PUT remote/admin" "PUT upnp/igd")
ROLLBACK_WRITES=("PUT upnp/igd" "PUT remote/admin" "PUT nat/dmz" "PUT nat/rules/{id}")

declare -A EXPECTED_RC=()
for write in "${FIX_WRITES[@]}"; do
    for kind in error reset hang reboot; do
        EXPECTED_RC["fix, $write, $kind"]=5  # the fix stops and undoes what it did
    done
done
for write in "${ROLLBACK_WRITES[@]}"; do
    EXPECTED_RC["rollback, $write, error"]=5  # refused: it takes back what it restored
    for kind in reset hang reboot; do
        EXPECTED_RC["rollback, $write, $kind"]=0  # waited for and sent again: it completes
    done
done

SCENARIO=$BBOX_SCENARIOS/doctor.json
EMU_ARGS=(--hang-seconds 30)
bbox_emu_up "$SCENARIO" "${EMU_ARGS[@]}"
lab_listen "$NS_PC" 104
lab_listen "$NS_PC" 3389
bbox_password_file

bb() {
    local name=$1 t=$2
    shift 2
    # The box named (-g) and its plugin (--vendor): no SSDP wait and no UPnP walk in each of the
    # 33 runs; the doctor's test goes through discovery.
    bw_capture "$name" "$NS_LAPTOP" --state-dir "$STATE" --password-file "$BBOX_PASSWORD_FILE" --timeout "$t" \
        --gateway "$BOX_LAN" --vendor bbox "$@"
}

open_ports() {
    lab_ns "$NS_INET" "$LAB_PYTHON" -c '
import concurrent.futures, socket, sys
def probe(port):
    try:
        with socket.create_connection((sys.argv[1], int(port)), timeout=2):
            return port
    except OSError:
        return None
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    print(" ".join(p for p in pool.map(probe, sys.argv[2:]) if p))' "$WAN_IP" "${PORTS[@]}"
}

end_state() {
    local settings
    settings=$(bbox_settings)
    if [[ $settings == "$ORIGINAL" && "$(open_ports)" == "${PORTS[*]}" ]] && lab_box_is_up; then
        echo O
    elif [[ $settings == "$FIXED" && -z "$(open_ports)" ]] && ! lab_box_is_up; then
        echo F
    else
        echo X
    fi
}

box_load() {
    bbox_emu_down
    cp "$1" "$BBOX_STATE_FILE"
    bbox_emu_up "$SCENARIO" "${EMU_ARGS[@]}"
}

echo "== setup: one good fix (its backup is the original)"
ORIGINAL=$(bbox_settings)
cp "$BBOX_STATE_FILE" "$LAB_DIR/original.json"
check_eq "before: every port answers" "${PORTS[*]}" "$(open_ports)"
bb fix0 "$RUN_TIMEOUT" --profile medical-practice --yes fix
check_exit "a fix without fault exits 0" "$BW_RC" 0 || fail "cannot fix"
BACKUP=$(find "$STATE/backups" -name "*.json" | sort | tail -n 1)
FIXED=$(bbox_settings)
cp "$BBOX_STATE_FILE" "$LAB_DIR/fixed.json"
check_eq "fixed: nothing answers" "" "$(open_ports)"
CURRENT=F

reboots() {
    grep -c "bbox-emu: rebooting" "$LAB_DIR/bbox-emu.log"
}

MATRIX=()
CELLS=0
cell() {
    local op=$1 write=$2 kind=$3 label="$1, $2, $3" t=$RUN_TIMEOUT want_rc end hit reboots_before
    [[ $kind == hang ]] && t=${HANG_TIMEOUT[$op]}
    if [[ $op == fix && $CURRENT != O ]]; then
        box_load "$LAB_DIR/original.json"
    elif [[ $op == rollback && $CURRENT != F ]]; then
        box_load "$LAB_DIR/fixed.json"
    fi
    bbox_ctl POST /clear >/dev/null
    reboots_before=$(reboots)
    bbox_ctl POST /fail "{\"call\": \"$write\", \"kind\": \"$kind\", \"count\": 1}" >/dev/null
    local id="$op-${write//[^a-z]/_}-$kind" backups
    backups=$(find "$STATE/backups" -name "*.json" | wc -l)
    if [[ $op == fix ]]; then
        bb "$id" "$t" --profile medical-practice --yes fix
    else
        bb "$id" "$t" --yes rollback "$BACKUP"
    fi
    if [[ $kind == reboot* ]]; then
        bbox_wait_up
        hit=$(($(reboots) - reboots_before))
    else
        hit=$(bbox_ctl GET /log | "$LAB_PYTHON" -c \
            'import json,sys; print(sum(1 for c in json.load(sys.stdin)["calls"] if "fault" in c))')
    fi
    end=$(end_state)
    CURRENT=$end
    CELLS=$((CELLS + 1))
    MATRIX+=("$(printf '%-9s %-20s %-8s %s/%s  %ss' "$op" "$write" "$kind" "$end" "$BW_RC" "$BW_SECONDS")")
    want_rc=${EXPECTED_RC[$label]:-none}
    check "$label: the fault was hit" test "$hit" -ge 1
    check_exit "$label: exit $want_rc" "$BW_RC" "$want_rc" || bw_show
    if [[ $op == fix ]]; then
        check_eq "$label: one new backup" $((backups + 1)) "$(find "$STATE/backups" -name "*.json" | wc -l)"
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
