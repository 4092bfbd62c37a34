# shellcheck shell=bash
# The Bbox emulator inside the lab (tests/lab/lib.sh must be sourced and lab_up done). It serves
# the Bbox API on the box's LAN address, port 80, in the box namespace, and makes what it stores
# real there: the enabled forwards and the DMZ in nftables (table ip bbox_emu), remote access as
# a listener on the WAN address (its port), the UPnP switch as the lab's miniupnpd running or
# not (tests/emulators/freebox_upnp_hook.sh: the same lab hook). A "reboot" fault restarts it
# from its state file after BBOX_REBOOT_DELAY seconds (default 1), like the real box.
#
#   bbox_emu_up SCENARIO.json [EMULATOR OPTIONS...]
#   bbox_emu_down                stop it (a power cut: its nftables table goes with it)
#   bbox_ctl GET /state | POST /fail '{"call":"PUT nat/dmz","kind":"error"}'
#   bbox_settings                the stored settings, canonical JSON, without the password
#   bbox_writes                  the API writes received since the last /clear
#   bbox_wait_up                 after a reboot fault, until it answers again

BBOX_EMU_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BBOX_EMU=$BBOX_EMU_DIR/bbox_emulator.py
BBOX_SCENARIOS=$BBOX_EMU_DIR/bbox_scenarios
BBOX_PASSWORD=admin-password-1  # the emulator's default admin password

bbox_emu_up() {
    local scenario=$1
    shift
    BBOX_STATE_FILE=$LAB_DIR/bbox-state.json
    local port_file=$LAB_DIR/bbox.port
    rm -f "$port_file"
    # shellcheck disable=SC2016  # expanded by the supervisor's own shell
    lab_bg "$NS_BOX" bbox-emu bash -c '
        trap "kill \$child 2>/dev/null; wait \$child; exit 0" TERM
        while :; do
            "$@" & child=$!
            wait $child; rc=$?
            [[ $rc == 75 ]] || exit $rc
            echo "bbox-emu: rebooting" >&2
            sleep "${BBOX_REBOOT_DELAY:-1}"
        done' bbox-supervisor "$LAB_PYTHON" "$BBOX_EMU" --bind "$BOX_LAN" --port 80 \
        --port-file "$port_file" --state "$BBOX_STATE_FILE" --scenario "$scenario" \
        --nft --wan-if "$LAB_WAN_IF" --wan-ip "$WAN_IP" --remote-bind "$WAN_IP" \
        --upnp-hook "$BBOX_EMU_DIR/freebox_upnp_hook.sh" "$@"
    BBOX_EMU_PID=$LAB_LAST_PID
    export BBOX_EMU_PID BBOX_STATE_FILE
    _lab_wait_for 15 test -e "$port_file" || fail "the Bbox emulator did not start (see $LAB_DIR/bbox-emu.log)"
}

bbox_emu_down() {
    [[ -n ${BBOX_EMU_PID:-} ]] || return 0
    kill "$BBOX_EMU_PID" 2>/dev/null
    wait "$BBOX_EMU_PID" 2>/dev/null
    unset BBOX_EMU_PID
}

bbox_wait_up() {
    _lab_wait_for 15 lab_ns "$NS_BOX" curl -fsS --max-time 1 -o /dev/null "http://$BOX_LAN/_emu/nft"
}

bbox_ctl() {
    lab_emu_ctl "$@"
}

# bbox_settings: what the box stores, comparable across a fix and its rollback (no password,
# no id counter: a rule made again gets a new id; rules sorted without their ids).
bbox_settings() {
    bbox_ctl GET /state | "$LAB_PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
for k in ("password", "next_rule_id"):
    d.pop(k, None)
d["nat"]["rules"] = sorted((dict(r, id=None) for r in d["nat"]["rules"]), key=lambda r: json.dumps(r, sort_keys=True))
print(json.dumps(d, sort_keys=True, indent=1))'
}

# bbox_writes: the API writes since the last /clear (login and logout aside), one per line.
bbox_writes() {
    bbox_ctl GET /log | "$LAB_PYTHON" -c '
import json, sys
for c in json.load(sys.stdin)["calls"]:
    method, _, path = c.get("call", "").partition(" ")
    if method in ("PUT", "POST", "DELETE") and path not in ("login", "logout") and not path.startswith("/"):
        print(c["call"])'
}

# bbox_password_file: a 0600 file with the emulator's admin password (sets BBOX_PASSWORD_FILE).
bbox_password_file() {
    BBOX_PASSWORD_FILE=$LAB_DIR/bbox-password
    (umask 077 && printf '%s\n' "${1:-$BBOX_PASSWORD}" >"$BBOX_PASSWORD_FILE")
}
