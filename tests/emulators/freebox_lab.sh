# shellcheck shell=bash
# The Freebox emulator inside the lab (tests/lab/lib.sh must be sourced and lab_up done).
# It serves the Freebox OS API on the box's LAN address, port 80, in the box namespace, and
# makes what it stores real there: the DMZ and the forwards in nftables (table ip freebox_emu),
# remote access as a listener on the WAN address (remote_access_port), the UPnP switch as the
# lab's miniupnpd running or not (its mappings are upnpigd/redir), and with FREEBOX_WG=1 the
# WireGuard server (wireguard-go, interface $LAB_ID-fbx), and in a lab with IPv6 (LAB_IPV6=1:
# the chain box_ipv6 exists) ipv6_firewall:false as an accept of everything from the WAN to br0
# over IPv6 in that chain. A "reboot" fault restarts it from
# its state file after FREEBOX_REBOOT_DELAY seconds (default 1), like the real box.
#
#   freebox_tls_ca [NAME]         a test CA + leaf for NAME (default fake-1.fbxos.fr) in $LAB_DIR;
#                                 sets FREEBOX_CA (the CA file) and FREEBOX_TLS_ARGS (for _up)
#   freebox_emu_up SCENARIO.json [EMULATOR OPTIONS...]     e.g. "${FREEBOX_TLS_ARGS[@]}"
#   freebox_emu_down              stop it (a power cut: its nftables table goes with it)
#   freebox_ctl GET /state | POST /fail '{"call":"PUT fw/dmz/","kind":"error"}'
#   freebox_state                 the stored state, canonical JSON, without secrets
#   freebox_settings              the same without forward ids (compare before fix / after rollback)
#   freebox_session NS            pair + grant + log in from NS; FREEBOX_HDR = curl header file
#   freebox_api NS METHOD ENDPOINT [JSON]   one API call through curl with that session
#   freebox_nft                   the emulator's table as the kernel has it
#   freebox_nft6                  the chain box_ipv6 as the kernel has it (LAB_IPV6=1)

FREEBOX_EMU_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FREEBOX_EMU=$FREEBOX_EMU_DIR/freebox_emulator.py
FREEBOX_SCENARIOS=$FREEBOX_EMU_DIR/freebox_scenarios
FREEBOX_TLS_ARGS=()

freebox_tls_ca() {
    local name=${1:-fake-1.fbxos.fr} dir=$LAB_DIR/freebox-ca
    mkdir -p "$dir" && chmod 0700 "$dir"
    "$LAB_PYTHON" "$FREEBOX_EMU_DIR/freebox_client.py" ca "$dir" "$name" >/dev/null ||
        fail "could not make the test CA"
    FREEBOX_CA=$dir/ca.pem
    FREEBOX_TLS_ARGS=(--tls-cert "$dir/chain.pem" --tls-key "$dir/leaf.key" --tls-port 443
        --tls-port-file "$LAB_DIR/freebox.tls-port" --api-domain "$name")
    export FREEBOX_CA
}

freebox_emu_up() {
    local scenario=$1
    shift
    FREEBOX_STATE_FILE=$LAB_DIR/freebox-state.json
    local port_file=$LAB_DIR/freebox.port wg=() v6=()
    rm -f "$port_file"
    [[ -n ${FREEBOX_WG:-} ]] && wg=(--wg "$LAB_ID-fbx")
    lab_ns "$NS_BOX" nft list chain inet filter box_ipv6 >/dev/null 2>&1 && v6=(--ipv6-chain box_ipv6 --lan-if br0)
    # The supervisor: a "reboot" fault ends the emulator with 75; it comes back from its state.
    # shellcheck disable=SC2016  # expanded by the supervisor's own shell
    lab_bg "$NS_BOX" freebox-emu bash -c '
        trap "kill \$child 2>/dev/null; wait \$child; exit 0" TERM
        while :; do
            "$@" & child=$!
            wait $child; rc=$?
            [[ $rc == 75 ]] || exit $rc
            echo "freebox-emu: rebooting" >&2
            sleep "${FREEBOX_REBOOT_DELAY:-1}"
        done' freebox-supervisor "$LAB_PYTHON" "$FREEBOX_EMU" --bind "$BOX_LAN" --port 80 \
        --port-file "$port_file" --state "$FREEBOX_STATE_FILE" --scenario "$scenario" \
        --nft --wan-if "$LAB_WAN_IF" --wan-ip "$WAN_IP" --remote-bind "$WAN_IP" \
        --igd-mirror "http://$BOX_LAN:5000/ctl/IPConn" --upnp-hook "$FREEBOX_EMU_DIR/freebox_upnp_hook.sh" \
        "${wg[@]}" "${v6[@]}" "$@"
    FREEBOX_EMU_PID=$LAB_LAST_PID
    export FREEBOX_EMU_PID FREEBOX_STATE_FILE
    _lab_wait_for 15 test -e "$port_file" ||
        fail "the Freebox emulator did not start (see $LAB_DIR/freebox-emu.log)"
}

freebox_emu_down() {
    [[ -n ${FREEBOX_EMU_PID:-} ]] || return 0
    kill "$FREEBOX_EMU_PID" 2>/dev/null
    wait "$FREEBOX_EMU_PID" 2>/dev/null
    unset FREEBOX_EMU_PID
}

# freebox_wait_up: after a reboot fault, until the emulator answers again (up to 15 s).
freebox_wait_up() {
    _lab_wait_for 15 lab_ns "$NS_BOX" curl -fsS --max-time 1 -o /dev/null "http://$BOX_LAN/api_version"
}

freebox_ctl() {
    lab_emu_ctl "$@"
}

# freebox_state: the settings as stored (apps, their tokens and the WireGuard keys left out).
freebox_state() {
    freebox_ctl GET /state | "$LAB_PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
for k in ("apps", "next_track_id", "wireguard_keys"):
    d.pop(k, None)
print(json.dumps(d, sort_keys=True, indent=1))'
}

# freebox_settings: the same, made comparable across a fix and its rollback: a forward made
# again gets a new id on a Freebox (POST), so ids and the id counter are left out and the
# forwards sorted.
freebox_settings() {
    freebox_ctl GET /state | "$LAB_PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
for k in ("apps", "next_track_id", "wireguard_keys", "next_forward_id"):
    d.pop(k, None)
d["forwards"] = sorted((dict(r, id=None) for r in d["forwards"]), key=lambda r: json.dumps(r, sort_keys=True))
print(json.dumps(d, sort_keys=True, indent=1))'
}

freebox_session() {
    FREEBOX_HDR=$LAB_DIR/freebox-session.hdr
    lab_ns "$1" "$LAB_PYTHON" "$FREEBOX_EMU_DIR/freebox_client.py" session "http://$BOX_LAN" "$FREEBOX_HDR" ||
        fail "could not open a Freebox session from $1"
    export FREEBOX_HDR
}

freebox_api() {
    local ns=$1 method=$2 endpoint=$3 data=${4:-}
    local args=(-sS --max-time 10 -X "$method" -H "@$FREEBOX_HDR")
    [[ -n $data ]] && args+=(-H 'Content-Type: application/json' --data "$data")
    lab_ns "$ns" curl "${args[@]}" "http://$BOX_LAN/api/v16/$endpoint"
}

freebox_nft() {
    lab_ns "$NS_BOX" nft list table ip freebox_emu 2>/dev/null
}

# freebox_nft6: the IPv6 firewall's effect as the kernel has it (the lab's chain box_ipv6).
freebox_nft6() {
    lab_ns "$NS_BOX" nft list chain inet filter box_ipv6 2>/dev/null
}

# freebox_writes: the API writes the emulator received since the last /clear (login aside; a
# path with a leading / is not the API: the Livebox plugin's fingerprint, POST /ws).
freebox_writes() {
    freebox_ctl GET /log | "$LAB_PYTHON" -c '
import json, sys
for c in json.load(sys.stdin)["calls"]:
    method, _, path = c.get("call", "").partition(" ")
    if method in ("PUT", "POST", "DELETE") and not path.startswith(("login/", "/")):
        print(c["call"])'
}
