#!/usr/bin/env bash
# All or nothing on the Bbox (issue 14), through the shared fault matrix (tests/lab/
# fault_matrix.sh): the doctor's box (tests/emulators/bbox_scenarios/doctor.json: DMZ to the
# imaging PC, a NAT/PAT rule of 3389, remote access on, UPnP on), the real binary against the
# Bbox emulator in the lab. For every write the fix sends (PUT nat/rules/{id} enable=0, PUT
# nat/dmz, PUT remote/admin, PUT upnp/igd) and every write the rollback sends (the same four,
# back), the emulator fails that call once: an error reply (the Bbox's exception envelope), a
# connection reset, a hang (--timeout holds), the box rebooting (back from its stored state 1 s
# later, sessions and btokens gone). Eight parts side by side, one per write, each in its own lab;
# BBOX_FAULTS_PART="fix:2" / BBOX_FAULTS_KINDS="hang" run a part of it.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../emulators/bbox_lab.sh"
source "$(dirname "$0")/fault_matrix.sh"

FM_NAME=bbox
FM_PARTS=("fix:1" "fix:2" "fix:3" "fix:4" "rollback:1" "rollback:2" "rollback:3" "rollback:4")
FM_KINDS="error reset hang reboot"
FM_FIX_WRITES=("PUT nat/rules/{id}" "PUT nat/dmz" "PUT remote/admin" "PUT upnp/igd")
FM_ROLLBACK_WRITES=("PUT upnp/igd" "PUT remote/admin" "PUT nat/dmz" "PUT nat/rules/{id}")
FM_PORTS=(104 3389 4443)
FM_RUN_TIMEOUT=20
declare -A FM_HANG_TIMEOUT=([fix]=10 [rollback]=14)

fm_box_up() {
    # The state file, when there is one, is what the emulator runs (it reads it over the scenario).
    bbox_emu_up "$BBOX_SCENARIOS/doctor.json" --hang-seconds 30
    FM_STATE_FILE=$BBOX_STATE_FILE
}
fm_box_down() { bbox_emu_down; }
fm_box_wait_up() { bbox_wait_up; }
fm_settings() { bbox_settings; }
# The UPnP switch is the lab's miniupnpd running or not.
fm_live() { if lab_box_is_up; then echo "upnp: running"; else echo "upnp: stopped"; fi; }
fm_setup() {
    lab_listen "$NS_PC" 104
    lab_listen "$NS_PC" 3389
    bbox_password_file
}

_bbox_reboots() { grep -c "bbox-emu: rebooting" "$LAB_DIR/bbox-emu.log"; }
fm_arm() {
    bbox_ctl POST /clear >/dev/null
    _BBOX_REBOOTS=$(_bbox_reboots)
    bbox_ctl POST /fail "{\"call\": \"$1\", \"kind\": \"$2\", \"count\": 1}" >/dev/null
}
fm_hits() {
    if [[ $1 == reboot* ]]; then
        bbox_wait_up
        echo $(($(_bbox_reboots) - _BBOX_REBOOTS))
    else
        bbox_ctl GET /log | "$LAB_PYTHON" -c \
            'import json,sys; print(sum(1 for c in json.load(sys.stdin)["calls"] if "fault" in c))'
    fi
}
# The box named (-g) and its plugin (--vendor): no SSDP wait and no UPnP walk in each of the 33
# runs; the doctor's test goes through discovery.
fm_bw() {
    local name=$1 t=$2
    shift 2
    bw_capture "$name" "$NS_LAPTOP" --state-dir "$FM_STATE_DIR" --password-file "$BBOX_PASSWORD_FILE" \
        --timeout "$t" --gateway "$BOX_LAN" --vendor bbox "$@"
}

fm_main
