# shellcheck shell=bash
# The fault matrix of a vendor plugin, shared by every vendor (tests/lab/<vendor>_faults_test.sh):
# the doctor's box in an emulator in the lab, the real binary, and for every write the fix sends
# and every write the rollback sends, the emulator fails that call once (an error reply, a
# connection reset, a hang that --timeout must hold, the box rebooting, and what else the
# vendor's emulator knows). Each cell must end with the box, as the emulator stores it and as the
# probe from the Internet sees it, exactly as before the command (O) or exactly as the command
# wants it (F), never half (X), with the exit code the cell expects. Between cells the box is put
# back by restarting the emulator from a saved state file (a power cut: what the box stores is
# what it runs). The parts of the matrix (FM_PARTS) run at the same time, each in a lab of its
# own; <NAME>_FAULTS_PART="fix:1 2" / <NAME>_FAULTS_KINDS="error hang" run a part alone.
#
# A vendor's test sources tests/lab/lib.sh, its emulator's lab file and this file, sets
#   FM_NAME                      the vendor (its environment variables are <NAME>_FAULTS_*)
#   FM_PARTS=("fix:1 2" ...)     OP:WRITES (1-based indexes into FM_FIX_WRITES / FM_ROLLBACK_WRITES)
#   FM_KINDS="error reset hang reboot"
#   FM_FIX_WRITES=(...) FM_ROLLBACK_WRITES=(...)   the calls, as the emulator's fault control names them
#   FM_PORTS=(...)               TCP ports on $WAN_IP: all answer on the original box, none fixed
#   FM_RUN_TIMEOUT=20; declare -A FM_HANG_TIMEOUT=([fix]=10 [rollback]=14)
# defines the hooks
#   fm_box_up                    start the emulator (from $FM_STATE_FILE when it exists); sets FM_STATE_FILE
#   fm_box_down                  stop it
#   fm_box_wait_up               until a rebooted box answers again
#   fm_settings                  what the box stores, canonical, without secrets
#   fm_arm WRITE KIND            clear the emulator's log and fail WRITE once with KIND
#   fm_hits KIND                 how many armed faults were hit since fm_arm
#   fm_bw NAME TIMEOUT ARGS...   boxwarden from the laptop (bw_capture) with the vendor's options,
#                                --state-dir "$FM_STATE_DIR" and --timeout TIMEOUT
#   fm_prepare                   (optional) before the box starts, knowing FM_PART_OP and
#                                FM_PART_WRITES (a part may need another scenario or more time)
#   fm_setup                     (optional) listeners, files and pairing, after the box is up
#   fm_cell_checks OP WRITE KIND (optional) more checks after each cell
#   fm_live                      (optional) what the box runs besides what the probe sees (e.g.
#                                "upnp: on" from lab_box_is_up), compared as the settings are
#   fm_expected_rc OP WRITE KIND (optional) the exit wanted; by default a fix stops at any fault
#                                and undoes what it did (5), a rollback refused by an error takes
#                                back what it restored (5) and waits out any other fault and sends
#                                the write again (0)
# and calls fm_main.

FM_STATE_DIR=
FM_PART_OP=           # the part this run does: fix or rollback
FM_PART_WRITES=()     # and its writes (1-based indexes), for the hooks

_fm_default_expected_rc() {
    local op=$1 kind=$3
    if [[ $op == fix || $kind == error ]]; then echo 5; else echo 0; fi
}

# The ports of FM_PORTS that answer from the Internet.
fm_open_ports() { lab_open_ports "$WAN_IP" "${FM_PORTS[@]}"; }

# What the box stores, and what it runs when the vendor says how to see it.
_fm_snapshot() {
    fm_settings
    if declare -F fm_live >/dev/null; then fm_live; fi
}

_fm_end_state() {
    local settings ports
    settings=$(_fm_snapshot)
    ports=$(fm_open_ports)
    if [[ $settings == "$_FM_ORIGINAL" && $ports == "${FM_PORTS[*]}" ]]; then
        echo O
    elif [[ $settings == "$_FM_FIXED" && -z $ports ]]; then
        echo F
    else
        echo X
    fi
}

_fm_box_load() {
    fm_box_down
    cp "$1" "$FM_STATE_FILE"
    fm_box_up
}

_fm_backups() {
    find "$FM_STATE_DIR/backups" -name "*.json" 2>/dev/null | wc -l
}

_fm_cell() {
    local op=$1 write=$2 kind=$3 label="$1, $2, $3" t=$FM_RUN_TIMEOUT want_rc end hit backups id
    [[ $kind == hang* ]] && t=${FM_HANG_TIMEOUT[$op]}
    if [[ $op == fix && $_FM_CURRENT != O ]]; then
        _fm_box_load "$LAB_DIR/fm-original.state"
    elif [[ $op == rollback && $_FM_CURRENT != F ]]; then
        _fm_box_load "$LAB_DIR/fm-fixed.state"
    fi
    fm_arm "$write" "$kind"
    id="$op-${write//[^a-zA-Z0-9]/_}-$kind"
    backups=$(_fm_backups)
    if [[ $op == fix ]]; then
        fm_bw "$id" "$t" --profile medical-practice --yes fix
    else
        fm_bw "$id" "$t" --yes rollback "$_FM_BACKUP"
    fi
    hit=$(fm_hits "$kind")
    end=$(_fm_end_state)
    _FM_CURRENT=$end
    _FM_CELLS=$((_FM_CELLS + 1))
    _FM_MATRIX+=("$(printf '%-9s %-28s %-14s %s/%s  %ss' "$op" "$write" "$kind" "$end" "$BW_RC" "$BW_SECONDS")")
    if declare -F fm_expected_rc >/dev/null; then
        want_rc=$(fm_expected_rc "$op" "$write" "$kind")
    else
        want_rc=$(_fm_default_expected_rc "$op" "$write" "$kind")
    fi
    check "$label: the fault was hit" test "${hit:-0}" -ge 1
    check_exit "$label: exit $want_rc" "$BW_RC" "$want_rc" || bw_show
    if [[ $op == fix ]]; then
        check_eq "$label: one new backup" $((backups + 1)) "$(_fm_backups)"
    fi
    case $op/$BW_RC in
        fix/5 | rollback/0) check_eq "$label: the box is exactly the original" O "$end" ;;
        fix/0 | rollback/5) check_eq "$label: the box is exactly fixed" F "$end" ;;
        *) check "$label: the box is the original or fixed, never half ($end)" test "$end" != X ;;
    esac
    if declare -F fm_cell_checks >/dev/null; then fm_cell_checks "$op" "$write" "$kind"; fi
}

# Collects a part that ran beside this one: its matrix, its failures, its counts.
_fm_collect_part() {
    local i=$1 log part_rc failed total
    log=$LAB_DIR/fm-part$i.log
    wait "${_FM_PART_PIDS[$((i - 1))]}"
    part_rc=$?
    echo
    echo "== part: ${FM_PARTS[$i]} (its own lab)"
    sed -n '/== the matrix/,/cells in/p' "$log" | tail -n +2
    grep -A 20 '^FAIL' "$log"
    read -r failed total < <(sed -nE 's/.*: ([0-9]+) of ([0-9]+) checks FAILED$/\1 \2/p; s/.*: all ([0-9]+) checks passed$/0 \1/p' "$log")
    LAB_CHECKS=$((LAB_CHECKS + ${total:-0}))
    LAB_FAILURES=$((LAB_FAILURES + ${failed:-0}))
    check_exit "part ${FM_PARTS[$i]} ran to its end" "$part_rc" 0 || tail -n 40 "$log"
}

fm_main() {
    local part_var="${FM_NAME^^}_FAULTS_PART" kinds_var="${FM_NAME^^}_FAULTS_KINDS" part i w write kind
    lab_require_root
    lab_require_boxwarden
    lab_up
    local t_start=$SECONDS
    _FM_PART_PIDS=()
    part=${!part_var:-}
    if [[ -z $part ]]; then
        # This run does the first part and starts itself for the others (each a new LAB_ID:
        # lab_up refuses the variables of this lab).
        for ((i = 1; i < ${#FM_PARTS[@]}; i++)); do
            env -u LAB_ID -u LAB_DIR "$part_var=${FM_PARTS[$i]}" bash "$0" >"$LAB_DIR/fm-part$i.log" 2>&1 &
            _FM_PART_PIDS+=($!)
        done
        part=${FM_PARTS[0]}
    fi
    trap 'rc=$?; for p in "${_FM_PART_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p"; done; (exit $rc); fm_box_down; lab_down' EXIT
    local kinds=${!kinds_var:-$FM_KINDS}
    local -a kind_list
    read -r -a kind_list <<<"$kinds"
    FM_PART_OP=${part%%:*}
    read -r -a FM_PART_WRITES <<<"${part#*:}"
    FM_STATE_DIR=$LAB_DIR/state
    if declare -F fm_prepare >/dev/null; then fm_prepare; fi
    if [[ -n ${BOXWARDEN_SANITIZED:-} ]]; then
        # Under ASan and UBSan every step of the undo is several times slower: twice the time.
        FM_HANG_TIMEOUT[fix]=$((FM_HANG_TIMEOUT[fix] * 2))
        FM_HANG_TIMEOUT[rollback]=$((FM_HANG_TIMEOUT[rollback] * 2))
    fi
    _FM_MATRIX=()
    _FM_CELLS=0

    fm_box_up
    declare -F fm_setup >/dev/null && fm_setup

    echo "== setup: one good fix (its backup is the original)"
    _FM_ORIGINAL=$(_fm_snapshot)
    cp "$FM_STATE_FILE" "$LAB_DIR/fm-original.state"
    check_eq "before: every port answers" "${FM_PORTS[*]}" "$(fm_open_ports)"
    fm_bw fix0 "$FM_RUN_TIMEOUT" --profile medical-practice --yes fix
    check_exit "a fix without fault exits 0" "$BW_RC" 0 || { bw_show; fail "cannot fix"; }
    _FM_BACKUP=$(find "$FM_STATE_DIR/backups" -name "*.json" | sort | tail -n 1)
    _FM_FIXED=$(_fm_snapshot)
    cp "$FM_STATE_FILE" "$LAB_DIR/fm-fixed.state"
    check_eq "fixed: nothing answers" "" "$(fm_open_ports)"
    check "the original and the fixed box differ" test "$_FM_ORIGINAL" != "$_FM_FIXED"
    _FM_CURRENT=F

    for w in "${FM_PART_WRITES[@]}"; do
        if [[ $FM_PART_OP == fix ]]; then write=${FM_FIX_WRITES[w - 1]}; else write=${FM_ROLLBACK_WRITES[w - 1]}; fi
        for kind in "${kind_list[@]}"; do
            _fm_cell "$FM_PART_OP" "$write" "$kind"
        done
    done

    echo
    echo "== the matrix (O original, F fixed, X half / exit code)"
    printf '%s\n' "${_FM_MATRIX[@]}"
    echo "($_FM_CELLS cells in $((SECONDS - t_start)) s)"
    for ((i = 1; i <= ${#_FM_PART_PIDS[@]}; i++)); do
        _fm_collect_part "$i"
    done
    _FM_PART_PIDS=()
    echo "(the whole matrix in $((SECONDS - t_start)) s)"
    lab_finish
}
