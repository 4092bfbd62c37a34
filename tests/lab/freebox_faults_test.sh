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
# The matrix runs through the shared driver (tests/lab/fault_matrix.sh) in five parts at the
# same time, each in a lab of its own. The labs are IPv4 ones: the IPv6 write is judged by what
# the box stores (freebox_doctor_test probes it). Only the part with the IPv6 write starts from the
# box with IPv6 open: the other parts keep the four writes (a fifth one to undo would not fit in
# the hang cells' --timeout). FREEBOX_FAULTS_PART="fix:1 2" (or "fix:5", "rollback:5") and
# FREEBOX_FAULTS_KINDS="hang reboot" run a part of it.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../emulators/freebox_lab.sh"
source "$(dirname "$0")/fault_matrix.sh"

FM_NAME=freebox
# Five parts side by side (the fifth: the fix's IPv6 write, 6 cells), each in a lab of its own.
FM_PARTS=("fix:1 2" "fix:3 4" "rollback:1 2" "rollback:3 4" "fix:5")
FM_KINDS="error reset reset-after hang reboot reboot-after"
FM_FIX_WRITES=("DELETE fw/redir/{id}" "PUT fw/dmz/" "PUT connection/config/" "PUT upnpigd/config/"
    "PUT connection/ipv6/config/")
FM_ROLLBACK_WRITES=("PUT upnpigd/config/" "PUT connection/config/" "PUT fw/dmz/" "POST fw/redir/"
    "PUT connection/ipv6/config/")
FM_PORTS=(104 3389 21252)  # DICOM, RDP, the box's remote access
FM_RUN_TIMEOUT=20  # --timeout of every run but the hangs: a stuck run fails fast
# --timeout of the hang cells: a call gets at most half of what is left, so the hung call ends
# after half, and the rest is for what follows: the undo of a fix (up to three writes and two
# readings), or a rollback's retry and its three other writes (it waits for a box that stops
# answering, so it needs more). Too short, and the run ends with exit 6 (measured: 6 s for a
# fix on a loaded machine, 6 s for a rollback; at load average 10-18 on 2 cores, 10 s and 14 s
# ran out once each over TLS, hence 12 and 18).
declare -A FM_HANG_TIMEOUT=([fix]=12 [rollback]=18)
_FBX_SCENARIO=$FREEBOX_SCENARIOS/doctor.json

fm_prepare() {
    freebox_tls_ca fake-1.fbxos.fr
    if [[ " ${FM_PART_WRITES[*]} " == *" 5 "* ]]; then
        # The doctor's box with its IPv6 firewall off: the fix sends the IPv6 write too, and the
        # undo of a hung one has a fifth write to take back (measured alone: 10.2 s of --timeout
        # 10, on a loaded machine exit 6): 4 s more.
        FM_HANG_TIMEOUT[fix]=$((FM_HANG_TIMEOUT[fix] + 4))
        FM_HANG_TIMEOUT[rollback]=$((FM_HANG_TIMEOUT[rollback] + 4))
        _FBX_SCENARIO=$LAB_DIR/doctor6.json
        "$LAB_PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
d["ipv6_config"] = {"ipv6_enabled": True, "ipv6_firewall": False}
json.dump(d, open(sys.argv[2], "w"))' "$FREEBOX_SCENARIOS/doctor.json" "$_FBX_SCENARIO" || fail "cannot write the scenario"
    fi
}
fm_box_up() {
    freebox_emu_up "$_FBX_SCENARIO" "${FREEBOX_TLS_ARGS[@]}" --auto-grant 1 --hang-seconds 30
    FM_STATE_FILE=$FREEBOX_STATE_FILE
}
fm_box_down() { freebox_emu_down; }
fm_box_wait_up() { freebox_wait_up; }
fm_settings() { freebox_settings; }
# The UPnP switch is the lab's IGD running or not.
fm_live() { if lab_box_is_up; then echo "upnp: running"; else echo "upnp: stopped"; fi; }
fm_setup() {
    lab_listen "$NS_PC" 104
    lab_listen "$NS_PC" 3389
    echo "== setup: pair, allow settings"
    fm_bw pair 30 pair
    check_exit "pair exits 0" "$BW_RC" 0 || fail "cannot pair"
    freebox_ctl POST /permissions '{"app_id": "fr.boxwarden", "settings": true}' >/dev/null
}

_fbx_reboots() { grep -c "freebox-emu: rebooting" "$LAB_DIR/freebox-emu.log"; }
fm_arm() {
    freebox_ctl POST /clear >/dev/null
    _FBX_REBOOTS=$(_fbx_reboots)
    freebox_ctl POST /fail "{\"call\": \"$1\", \"kind\": \"$2\", \"count\": 1}" >/dev/null
}
fm_hits() {
    if [[ $1 == reboot* ]]; then
        # The emulator ended (its call log with it) and its supervisor started it again.
        freebox_wait_up
        echo $(($(_fbx_reboots) - _FBX_REBOOTS))
    else
        freebox_ctl GET /log | "$LAB_PYTHON" -c \
            'import json,sys; print(sum(1 for c in json.load(sys.stdin)["calls"] if "fault" in c))'
    fi
}
fm_cell_checks() {
    if [[ $1 == rollback ]]; then
        check "$1, $2, $3: the backup of the original is intact" \
            lab_json "$(find "$FM_STATE_DIR/backups" -name "*.json" | sort | head -n 1)" \
            "d['state']['dmz']['enabled'] is True" "d.get('state')"
    fi
}
# boxwarden from the laptop: through discovery (the IGD names the box), state dir and test CA.
fm_bw() {
    local name=$1 t=$2
    shift 2
    bw_capture "$name" "$NS_LAPTOP" --state-dir "$FM_STATE_DIR" --ca-file "$FREEBOX_CA" --timeout "$t" "$@"
}

fm_main
