# shellcheck shell=bash
# The OpenWrt emulator inside the lab (tests/lab/lib.sh must be sourced and lab_up done). It serves
# ubus JSON-RPC (POST /ubus) on the box's LAN address, port 80, in the box namespace, and makes what
# UCI holds real there: the enabled redirects from wan in nftables (table ip owrt_emu), each admin
# port (22/80/443) a wan ACCEPT rule opens as a listener on the WAN address, upnpd.enabled as the
# lab's real miniupnpd running or not (tests/emulators/freebox_upnp_hook.sh), whose lease file is
# what file.read gives. A "reboot" fault restarts it from its state file after OWRT_REBOOT_DELAY
# seconds (default 1); rpcd's pending apply is lost with it (as on a real router).
#
#   openwrt_emu_up SCENARIO.json [EMULATOR OPTIONS...]
#   openwrt_emu_down               stop it (a power cut)
#   openwrt_ctl GET /state | POST /fail '{"call":"uci apply","kind":"drop-after-apply"}'
#   openwrt_settings               the UCI configs as stored, canonical JSON, without passwords
#   openwrt_writes                 the uci writes received since the last /clear
#   openwrt_wait_up                after a reboot fault, until it answers again

OWRT_EMU_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OWRT_EMU=$OWRT_EMU_DIR/openwrt_emulator.py
OWRT_SCENARIOS=$OWRT_EMU_DIR/openwrt_scenarios
OWRT_USER=boxwarden                 # the scenario's least-privilege user (vendors/openwrt/boxwarden-acl.json)
OWRT_PASSWORD=boxwarden-password-1

openwrt_emu_up() {
    local scenario=$1
    shift
    OWRT_STATE_FILE=${OWRT_STATE_FILE:-$LAB_DIR/openwrt-state.json}
    local port_file=$LAB_DIR/openwrt.port
    rm -f "$port_file"
    # shellcheck disable=SC2016  # expanded by the supervisor's own shell
    lab_bg "$NS_BOX" openwrt-emu bash -c '
        trap "kill \$child 2>/dev/null; wait \$child; exit 0" TERM
        while :; do
            "$@" & child=$!
            wait $child; rc=$?
            [[ $rc == 75 ]] || exit $rc
            echo "openwrt-emu: rebooting" >&2
            sleep "${OWRT_REBOOT_DELAY:-1}"
        done' openwrt-supervisor "$LAB_PYTHON" "$OWRT_EMU" --bind "$BOX_LAN" --port 80 \
        --port-file "$port_file" --state "$OWRT_STATE_FILE" --scenario "$scenario" \
        --nft --wan-if "$LAB_WAN_IF" --wan-ip "$WAN_IP" --remote-bind "$WAN_IP" \
        --upnp-hook "$OWRT_EMU_DIR/freebox_upnp_hook.sh" --lease-file "$LAB_DIR/upnp.leases" "$@"
    OWRT_EMU_PID=$LAB_LAST_PID
    export OWRT_EMU_PID OWRT_STATE_FILE
    _lab_wait_for 15 test -e "$port_file" || fail "the OpenWrt emulator did not start (see $LAB_DIR/openwrt-emu.log)"
}

openwrt_emu_down() {
    [[ -n ${OWRT_EMU_PID:-} ]] || return 0
    kill "$OWRT_EMU_PID" 2>/dev/null
    wait "$OWRT_EMU_PID" 2>/dev/null
    unset OWRT_EMU_PID
}

openwrt_wait_up() {
    _lab_wait_for 15 lab_ns "$NS_BOX" curl -fsS --max-time 1 -o /dev/null "http://$BOX_LAN/_emu/pending"
}

openwrt_ctl() {
    lab_emu_ctl "$@"
}

# openwrt_settings: what the router stores (every UCI config, sections and options in order),
# comparable across a fix and its rollback; without the users' passwords.
openwrt_settings() {
    openwrt_ctl GET /state | "$LAB_PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
print(json.dumps(d["configs"], indent=1, sort_keys=True))  # options stay in order (lists)'
}

# openwrt_writes: the uci writes since the last /clear, one per line ("uci set", "uci apply", ...).
openwrt_writes() {
    openwrt_ctl GET /log | "$LAB_PYTHON" -c '
import json, sys
for c in json.load(sys.stdin)["calls"]:
    if c.get("call", "").split(" ")[-1] in ("set", "delete", "add", "order", "apply", "confirm", "rollback", "commit"):
        print(c["call"])'
}

# openwrt_password_file [PASSWORD]: a 0600 file with the password (sets OWRT_PASSWORD_FILE).
openwrt_password_file() {
    OWRT_PASSWORD_FILE=$LAB_DIR/openwrt-password
    (umask 077 && printf '%s\n' "${1:-$OWRT_PASSWORD}" >"$OWRT_PASSWORD_FILE")
}
