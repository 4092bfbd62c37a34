#!/usr/bin/env bash
# All or nothing on the FRITZ!Box (issue 13): the doctor's box (tests/emulators/fritzbox_scenarios/
# doctor.json: port shares 104 and 3389 to the imaging PC, remote access on, UPnP on), the real
# binary against the FRITZ!Box emulator in the lab. For every TR-064 write the fix sends
# (DeletePortMapping, X_AVM-DE_RemoteAccess SetEnable, X_AVM-DE_UPnP SetConfig) and every write the
# rollback sends (SetConfig, SetEnable, AddPortMapping), the emulator fails that call once: a
# TR-064 fault (820), a connection reset, a hang (--timeout holds), the box rebooting (back from
# its stored state 1 s later). Each cell must end with the box, as the emulator stores it and as
# the probe from the Internet sees it, exactly as before the command or exactly as the command
# wants it, never half, with the exit code the driver expects. The cells run on the shared driver
# tests/lab/fault_matrix.sh (FAULT_MATRIX.md), in parts side by side, each in a lab of its own;
# FRITZBOX_FAULTS_PART / FRITZBOX_FAULTS_KINDS run a part of it.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../emulators/fritzbox_lab.sh"
source "$(dirname "$0")/fault_matrix.sh"

FM_NAME=fritzbox
FM_PARTS=("fix:1 2" "fix:3" "rollback:1 2" "rollback:3")
FM_KINDS="error reset hang reboot"
FM_FIX_WRITES=("DeletePortMapping" "X_AVM-DE_RemoteAccess#SetEnable" "X_AVM-DE_UPnP#SetConfig")
FM_ROLLBACK_WRITES=("X_AVM-DE_UPnP#SetConfig" "X_AVM-DE_RemoteAccess#SetEnable" "AddPortMapping")
FM_PORTS=(104 3389 4443)
FM_RUN_TIMEOUT=20
declare -A FM_HANG_TIMEOUT=([fix]=10 [rollback]=14)

FM_SCENARIO=$FRITZBOX_SCENARIOS/doctor.json

fm_box_up() {
    FM_STATE_FILE=$LAB_DIR/fritzbox-state.json
    FRITZBOX_STATE_FILE=$FM_STATE_FILE
    fritzbox_emu_up "$FM_SCENARIO" --hang-seconds 30
}

fm_box_down() {
    fritzbox_emu_down
}

fm_box_wait_up() {
    fritzbox_wait_up
}

fm_settings() {
    fritzbox_settings
}

fm_arm() {
    fritzbox_ctl POST /clear >/dev/null
    FM_REBOOTS_BEFORE=$(grep -c "fritzbox-emu: rebooting" "$LAB_DIR/fritzbox-emu.log")
    fritzbox_ctl POST /fail "{\"call\": \"$1\", \"kind\": \"$2\", \"count\": 1}" >/dev/null
}

fm_hits() {
    if [[ $1 == reboot* ]]; then
        echo $(($(grep -c "fritzbox-emu: rebooting" "$LAB_DIR/fritzbox-emu.log") - FM_REBOOTS_BEFORE))
    else
        fritzbox_ctl GET /log | "$LAB_PYTHON" -c \
            'import json,sys; print(sum(1 for c in json.load(sys.stdin)["calls"] if "fault" in c))'
    fi
}

fm_bw() {
    local name=$1 t=$2 a args=()
    shift 2
    for a in "$@"; do
        [[ $a == medical-practice ]] && a=$FM_PROFILE
        args+=("$a")
    done
    set -- "${args[@]}"
    # The box named (-g) and its plugin (--vendor): no SSDP wait in each run.
    bw_capture "$name" "$NS_LAPTOP" --state-dir "$FM_STATE_DIR" --timeout "$t" --password-file "$FRITZBOX_PASSWORD_FILE" \
        --user "$FRITZBOX_USER" --gateway "$BOX_LAN" --vendor fritzbox "$@"
}

# A reset before the box replies: libcurl sends the write again by itself on a fresh connection
# (the digest's two legs share one connection, and curl resends a request whose reused connection
# died before any answer), so the fix completes and the box is fixed (measured: F/0 for every
# fix write). Every other cell as the driver's default.
fm_expected_rc() {
    local op=$1 kind=$3
    case $op/$kind in
        fix/reset) echo 0 ;;
        fix/*) echo 5 ;;
        rollback/error) echo 5 ;;
        *) echo 0 ;;
    esac
}

# The driver runs --profile medical-practice, under which what TR-064 cannot read (the exposed
# host, IPv6) is a high finding: a completed fix would exit 1. The matrix judges faults, not
# unknowns: the same profile with unknown fields at low, so that a completed fix exits 0.
FM_PROFILE=
fm_profile() {
    FM_PROFILE=$LAB_DIR/fritzbox-matrix.profile
    sed -e 's/^name medical-practice$/name fritzbox-matrix/' -e 's/^unknown-field high$/unknown-field low/' \
        "${SOURCE_DIR:-$LAB_LIB_DIR/../..}/profiles/medical-practice.profile" >"$FM_PROFILE"
    grep -q '^unknown-field low$' "$FM_PROFILE" || fail "medical-practice.profile has no 'unknown-field high' line"
}

fm_setup() {
    fm_profile
    lab_listen "$NS_PC" 104
    lab_listen "$NS_PC" 3389
    fritzbox_password_file
}

fm_main
