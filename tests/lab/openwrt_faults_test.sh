#!/usr/bin/env bash
# All or nothing on OpenWrt (issue 13): the doctor's router (tests/emulators/openwrt_scenarios/
# doctor.json: redirects of 104 and 3389 to the imaging PC, a wan rule opening 443, upnpd on), the
# real binary against the OpenWrt emulator in the lab. For each write the fix sends (uci set, uci
# apply, uci confirm) and each write the rollback sends (uci set, uci delete, uci apply, uci
# confirm), the emulator fails that call once: an error status, a connection reset, a hang
# (--timeout holds), the router rebooting (back from its stored UCI 1 s later: sessions and a
# pending apply gone); and, on uci apply, "the connection drops after apply": rpcd applied the
# change, then the router stops answering boxwarden until its own rollback timer restored the
# snapshot. Each cell must end with the router, as UCI stores it and as the probe from the
# Internet sees it, exactly as before the command or exactly as the command wants it, never half,
# with the exit code fm_expected_rc says.
#
# Written against the shared driver tests/lab/fault_matrix.sh (FAULT_MATRIX.md): the settings and
# hooks below; until the driver is on this branch, the fallback at the end runs the same cells.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../emulators/openwrt_lab.sh"

FM_NAME=openwrt
FM_PARTS=("fix:1" "fix:2" "fix:3" "rollback:1" "rollback:2" "rollback:3" "rollback:4")
FM_KINDS="error reset hang reboot drop-after-apply"
FM_FIX_WRITES=("uci set" "uci apply" "uci confirm")
FM_ROLLBACK_WRITES=("uci set" "uci delete" "uci apply" "uci confirm")
FM_PORTS=(104 443 3389)
FM_RUN_TIMEOUT=20
declare -A FM_HANG_TIMEOUT=([fix]=10 [rollback]=14)
OWRT_SCENARIO=$OWRT_SCENARIOS/doctor.json

fm_box_up() {
    OWRT_STATE_FILE=${FM_STATE_FILE:-$LAB_DIR/openwrt-state.json}
    openwrt_emu_up "$OWRT_SCENARIO" --hang-seconds 30
    FM_STATE_FILE=$OWRT_STATE_FILE
}
fm_box_down() { openwrt_emu_down; }
fm_box_wait_up() { openwrt_wait_up; }
fm_settings() { openwrt_settings; }

# drop-after-apply is a fault of uci apply only: on another write the cell does not exist (the
# driver asks fm_cell_exists when it has it; the fallback below does).
fm_cell_exists() {
    local write=$2 kind=$3
    [[ $kind != drop-after-apply || $write == "uci apply" ]]
}

fm_arm() {
    local write=$1 kind=$2
    openwrt_ctl POST /clear >/dev/null
    FM_ROLLBACKS_BEFORE=$(_owrt_pending rollbacks)
    FM_REBOOTS_BEFORE=$(grep -c "openwrt-emu: rebooting" "$LAB_DIR/openwrt-emu.log")
    openwrt_ctl POST /fail "{\"call\": \"$write\", \"kind\": \"$kind\", \"count\": 1}" >/dev/null
}

_owrt_pending() {
    openwrt_ctl GET /pending | "$LAB_PYTHON" -c "import json,sys; print(json.load(sys.stdin)['$1'])"
}

fm_hits() {
    local kind=$1
    if [[ $kind == reboot ]]; then
        echo $(($(grep -c "openwrt-emu: rebooting" "$LAB_DIR/openwrt-emu.log") - FM_REBOOTS_BEFORE))
    elif [[ $kind == drop-after-apply ]]; then
        # hit: the apply was answered, the link dropped, and rpcd's own timer rolled it back
        local dropped rolled
        dropped=$(openwrt_ctl GET /log | "$LAB_PYTHON" -c \
            'import json,sys; print(sum(1 for c in json.load(sys.stdin)["calls"] if c.get("fault") == "drop-after-apply"))')
        rolled=$(($(_owrt_pending rollbacks) - FM_ROLLBACKS_BEFORE))
        ((dropped >= 1 && rolled >= 1)) && echo "$dropped" || echo 0
    else
        openwrt_ctl GET /log | "$LAB_PYTHON" -c \
            'import json,sys; print(sum(1 for c in json.load(sys.stdin)["calls"] if "fault" in c))'
    fi
}

fm_bw() {
    local name=$1 t=$2
    shift 2
    bw_capture "$name" "$NS_LAPTOP" --state-dir "$FM_STATE_DIR" --timeout "$t" --user "$OWRT_USER" \
        --password-file "$OWRT_PASSWORD_FILE" --gateway "$BOX_LAN" --vendor openwrt "$@"
}

fm_expected_rc() {
    local op=$1 write=$2 kind=$3
    if [[ $op/$write/$kind == "fix/uci confirm/reboot" ]]; then
        # The router reboots between apply and confirm: rpcd's rollback snapshot lived in
        # /var/run and is gone, the change stays committed. boxwarden logs in again, reads the
        # change in effect with nothing pending, and goes on: the fix completes.
        echo 0
    elif [[ $op == fix ]]; then
        echo 5
    elif [[ $kind == error ]]; then
        echo 5
    else
        echo 0  # reset, hang, reboot, drop-after-apply: waited for and sent again
    fi
}

fm_setup() {
    lab_listen "$NS_PC" 104
    lab_listen "$NS_PC" 3389
    openwrt_password_file
}

if [[ -f $LAB_LIB_DIR/fault_matrix.sh ]]; then
    source "$LAB_LIB_DIR/fault_matrix.sh"
    fm_main
    exit $?
fi

# ---------------------------------------------------------------------------------------------
# Fallback driver (until tests/lab/fault_matrix.sh is merged): bbox_faults_test.sh's shape on the
# hooks above.
lab_require_root
lab_require_boxwarden
lab_up
T_START=$SECONDS
PART_PIDS=()
if [[ -z ${OPENWRT_FAULTS_PART:-} ]]; then
    for ((i = 1; i < ${#FM_PARTS[@]}; i++)); do
        env -u LAB_ID -u LAB_DIR OPENWRT_FAULTS_PART="${FM_PARTS[$i]}" bash "$0" >"$LAB_DIR/part$i.log" 2>&1 &
        PART_PIDS+=($!)
    done
    OPENWRT_FAULTS_PART=${FM_PARTS[0]}
fi
trap 'rc=$?; for p in "${PART_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p"; done; (exit $rc); lab_down' EXIT
if [[ -n ${BOXWARDEN_SANITIZED:-} ]]; then
    FM_HANG_TIMEOUT=([fix]=20 [rollback]=28)
fi
read -r -a KINDS <<<"${OPENWRT_FAULTS_KINDS:-$FM_KINDS}"
OP=${OPENWRT_FAULTS_PART%%:*}
read -r -a WRITES <<<"${OPENWRT_FAULTS_PART#*:}"
FM_STATE_DIR=$LAB_DIR/state
fm_box_up
fm_setup

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
    print(" ".join(p for p in pool.map(probe, sys.argv[2:]) if p))' "$WAN_IP" "${FM_PORTS[@]}"
}

end_state() {
    local settings
    settings=$(fm_settings)
    if [[ $settings == "$ORIGINAL" && "$(open_ports)" == "${FM_PORTS[*]}" ]]; then
        echo O
    elif [[ $settings == "$FIXED" && -z "$(open_ports)" ]]; then
        echo F
    else
        echo X
        { echo "end state X: ports open: [$(open_ports)]"; diff <(echo "$ORIGINAL") <(echo "$settings") | head -n 20; } >&2
    fi
}

box_load() {
    fm_box_down
    cp "$1" "$FM_STATE_FILE"
    fm_box_up
}

echo "== setup: one good fix (its backup is the original)"
ORIGINAL=$(fm_settings)
cp "$FM_STATE_FILE" "$LAB_DIR/original.json"
check_eq "before: every port answers" "${FM_PORTS[*]}" "$(open_ports)"
fm_bw fix0 "$FM_RUN_TIMEOUT" --profile medical-practice --yes fix
check_exit "a fix without fault exits 0" "$BW_RC" 0 || fail "cannot fix"
BACKUP=$(find "$FM_STATE_DIR/backups" -name "*.json" | sort | tail -n 1)
FIXED=$(fm_settings)
cp "$FM_STATE_FILE" "$LAB_DIR/fixed.json"
check_eq "fixed: nothing answers" "" "$(open_ports)"
CURRENT=F

MATRIX=()
CELLS=0
cell() {
    local op=$1 write=$2 kind=$3 label="$1, $2, $3" t=$FM_RUN_TIMEOUT want_rc end hit backups
    [[ $kind == hang ]] && t=${FM_HANG_TIMEOUT[$op]}
    if [[ $op == fix && $CURRENT != O ]]; then
        box_load "$LAB_DIR/original.json"
    elif [[ $op == rollback && $CURRENT != F ]]; then
        box_load "$LAB_DIR/fixed.json"
    fi
    fm_arm "$write" "$kind"
    local id="$op-${write//[^a-z]/_}-$kind"
    backups=$(find "$FM_STATE_DIR/backups" -name "*.json" | wc -l)
    if [[ $op == fix ]]; then
        fm_bw "$id" "$t" --profile medical-practice --yes fix
    else
        fm_bw "$id" "$t" --yes rollback "$BACKUP"
    fi
    [[ $kind == reboot ]] && fm_box_wait_up
    hit=$(fm_hits "$kind")
    end=$(end_state)
    CURRENT=$end
    CELLS=$((CELLS + 1))
    MATRIX+=("$(printf '%-9s %-12s %-17s %s/%s  %ss' "$op" "$write" "$kind" "$end" "$BW_RC" "$BW_SECONDS")")
    want_rc=$(fm_expected_rc "$op" "$write" "$kind")
    check "$label: the fault was hit" test "$hit" -ge 1
    check_exit "$label: exit $want_rc" "$BW_RC" "$want_rc" || bw_show
    if [[ $op == fix ]]; then
        check_eq "$label: one new backup" $((backups + 1)) "$(find "$FM_STATE_DIR/backups" -name "*.json" | wc -l)"
    fi
    case $op/$BW_RC in
        fix/5 | rollback/0) check_eq "$label: the router is exactly the original" O "$end" ;;
        fix/0 | rollback/5) check_eq "$label: the router is exactly fixed" F "$end" ;;
        *) check "$label: the router is the original or fixed, never half ($end)" test "$end" != X ;;
    esac
}

for w in "${WRITES[@]}"; do
    if [[ $OP == fix ]]; then write=${FM_FIX_WRITES[w - 1]}; else write=${FM_ROLLBACK_WRITES[w - 1]}; fi
    for kind in "${KINDS[@]}"; do
        fm_cell_exists "$OP" "$write" "$kind" && cell "$OP" "$write" "$kind"
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
    echo "== part: ${FM_PARTS[i + 1]} (its own lab)"
    sed -n '/== the matrix/,/cells in/p' "$log" | tail -n +2
    grep -A 20 '^FAIL' "$log"
    read -r failed total < <(sed -nE 's/.*: ([0-9]+) of ([0-9]+) checks FAILED$/\1 \2/p; s/.*: all ([0-9]+) checks passed$/0 \1/p' "$log")
    LAB_CHECKS=$((LAB_CHECKS + ${total:-0}))
    LAB_FAILURES=$((LAB_FAILURES + ${failed:-0}))
    check_exit "part ${FM_PARTS[i + 1]} ran to its end" "$part_rc" 0 || tail -n 40 "$log"
done
PART_PIDS=()
echo "(the whole matrix in $((SECONDS - T_START)) s)"
lab_finish
