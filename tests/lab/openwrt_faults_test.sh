#!/usr/bin/env bash
# All or nothing on OpenWrt (issue 13): the doctor's router (tests/emulators/openwrt_scenarios/
# doctor.json: redirects of 104 and 3389 to the imaging PC, a wan rule opening 443, upnpd on), the
# real binary against the OpenWrt emulator in the lab. For each write the fix sends (uci set, uci
# apply, uci confirm) and each write the rollback sends (uci set, uci delete, uci apply, uci
# confirm), the emulator fails that call once: an error status, a connection reset, a hang
# (--timeout holds), the router rebooting (back from its stored UCI 1 s later: sessions and a
# pending apply gone), and "the connection drops after apply": rpcd applied the change (the one
# that call belongs to), then the router stops answering boxwarden until its own rollback timer
# restored the snapshot (on uci confirm: the confirm is lost with the link). Each cell must end with the router, as UCI stores it and as the probe from the
# Internet sees it, exactly as before the command or exactly as the command wants it, never half,
# with the exit code fm_expected_rc says.
# Besides what UCI stores and the probe sees, the lab's miniupnpd must run exactly when upnpd is
# on (fm_live). The shared driver: tests/lab/fault_matrix.sh.
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

# The UPnP switch is the lab's miniupnpd running or not. procd (re)starts it after rpcd answered
# the apply: it is judged once it had the time to (up to 10 s), as a person would see it.
fm_live() {
    if openwrt_ctl GET /state | "$LAB_PYTHON" -c '
import json, sys
for s in json.load(sys.stdin)["configs"].get("upnpd", []):
    if s["type"] == "upnpd":
        sys.exit(0 if dict(s["options"]).get("enabled", "1") not in ("0", "no", "off", "false") else 1)
sys.exit(1)'; then
        _lab_wait_for 10 lab_box_is_up
    else
        _lab_wait_for 10 not lab_box_is_up
    fi
    if lab_box_is_up; then echo "upnp: running"; else echo "upnp: stopped"; fi
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
        fm_box_wait_up
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

source "$(dirname "$0")/fault_matrix.sh"
fm_main
