# shellcheck shell=bash
# The FRITZ!Box emulator inside the lab (tests/lab/lib.sh must be sourced and lab_up done). It
# serves TR-064 on the box's LAN address, port 49000 (plain HTTP only: boxwarden warns), and the
# control endpoints on port 80 too (lab_emu_ctl), in the box namespace. What it stores is made real
# there: the enabled port shares as DNAT in nftables (table ip fritz_emu), remote access as a
# listener on the WAN address (its port), the UPnP switch as the lab's miniupnpd running or not
# (tests/emulators/freebox_upnp_hook.sh). A "reboot" fault restarts it from its state file after
# FRITZBOX_REBOOT_DELAY seconds (default 1), like the real box.
#
#   fritzbox_emu_up SCENARIO.json [EMULATOR OPTIONS...]
#   fritzbox_emu_down              stop it (a power cut: its nftables table goes with it)
#   fritzbox_ctl GET /state | POST /fail '{"call":"DeletePortMapping","kind":"error"}'
#   fritzbox_settings              the stored settings, canonical JSON, without the passwords
#   fritzbox_writes                the SOAP writes received since the last /clear
#   fritzbox_wait_up               after a reboot fault, until it answers again
#   fritzbox_password_file [PW]    a 0600 file with the password (sets FRITZBOX_PASSWORD_FILE)

FRITZBOX_EMU_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FRITZBOX_EMU=$FRITZBOX_EMU_DIR/fritzbox_emulator.py
FRITZBOX_SCENARIOS=$FRITZBOX_EMU_DIR/fritzbox_scenarios
FRITZBOX_USER=boxadmin
FRITZBOX_PASSWORD=fritz-password-1  # the scenarios' user with the "FRITZ!Box settings" right
FRITZBOX_WRITES_RE='^(AddPortMapping|DeletePortMapping|SetConfig|SetEnable|SetServiceByIndex|DeleteServiceByIndex)$'

fritzbox_emu_up() {
    local scenario=$1
    shift
    FRITZBOX_STATE_FILE=${FRITZBOX_STATE_FILE:-$LAB_DIR/fritzbox-state.json}
    local port_file=$LAB_DIR/fritzbox.port
    rm -f "$port_file"
    # shellcheck disable=SC2016  # expanded by the supervisor's own shell
    lab_bg "$NS_BOX" fritzbox-emu bash -c '
        trap "kill \$child 2>/dev/null; wait \$child; exit 0" TERM
        while :; do
            "$@" & child=$!
            wait $child; rc=$?
            [[ $rc == 75 ]] || exit $rc
            echo "fritzbox-emu: rebooting" >&2
            sleep "${FRITZBOX_REBOOT_DELAY:-1}"
        done' fritzbox-supervisor "$LAB_PYTHON" "$FRITZBOX_EMU" --bind "$BOX_LAN" --port 49000 --ctl-port 80 \
        --port-file "$port_file" --state "$FRITZBOX_STATE_FILE" --scenario "$scenario" \
        --nft --wan-if "$LAB_WAN_IF" --wan-ip "$WAN_IP" --remote-bind "$WAN_IP" \
        --upnp-hook "$FRITZBOX_EMU_DIR/freebox_upnp_hook.sh" "$@"
    FRITZBOX_EMU_PID=$LAB_LAST_PID
    export FRITZBOX_EMU_PID FRITZBOX_STATE_FILE
    _lab_wait_for 15 test -e "$port_file" || fail "the FRITZ!Box emulator did not start (see $LAB_DIR/fritzbox-emu.log)"
}

fritzbox_emu_down() {
    [[ -n ${FRITZBOX_EMU_PID:-} ]] || return 0
    kill "$FRITZBOX_EMU_PID" 2>/dev/null
    wait "$FRITZBOX_EMU_PID" 2>/dev/null
    unset FRITZBOX_EMU_PID
}

fritzbox_wait_up() {
    _lab_wait_for 15 lab_ns "$NS_BOX" curl -fsS --max-time 1 -o /dev/null "http://$BOX_LAN:49000/tr64desc.xml"
}

fritzbox_ctl() {
    lab_emu_ctl "$@"
}

# fritzbox_settings: what the box stores, comparable across a fix and its rollback (no
# passwords; shares sorted: a share put back comes last in the box's list).
fritzbox_settings() {
    fritzbox_ctl GET /state | "$LAB_PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
d.pop("users", None)
d["shares"] = sorted(d["shares"], key=lambda s: json.dumps(s, sort_keys=True))
print(json.dumps(d, sort_keys=True, indent=1))'
}

# fritzbox_writes: the SOAP writes since the last /clear, "Service#Action" one per line.
fritzbox_writes() {
    fritzbox_ctl GET /log | "$LAB_PYTHON" -c '
import json, re, sys
for c in json.load(sys.stdin)["calls"]:
    if re.match(sys.argv[1], c.get("call", "")):
        print("%s#%s" % (c.get("service", ""), c["call"]))' "$FRITZBOX_WRITES_RE"
}

fritzbox_password_file() {
    FRITZBOX_PASSWORD_FILE=$LAB_DIR/fritzbox-password
    (umask 077 && printf '%s\n' "${1:-$FRITZBOX_PASSWORD}" >"$FRITZBOX_PASSWORD_FILE")
}
