# shellcheck shell=bash
# The Livebox emulator inside the lab (tests/lab/lib.sh must be sourced and lab_up done).
# It serves /ws on the box's LAN address, port 80, in the box namespace, and applies its
# DMZ and forwards to that namespace's nftables (table ip livebox_emu on the WAN veth).
# In a LAB_IPV6=1 lab (LAB_V6 set) it also applies its IPv6 level and pinholes (chain box_ipv6 of table
# inet filter) and lists miniupnpd's IPv6 pinholes as its own Origin "upnp" pinholes.
#
#   livebox_emu_up SCENARIO.json [EMULATOR OPTIONS...]
#   livebox_ctl GET /state | POST /fail '{"call":"Firewall:deleteDMZ","kind":"error"}'
#   livebox_state            # the stored state, canonical JSON (for exact comparisons)
#   livebox_alerts           # origin-only bulk deletes seen (must stay empty)
#   livebox_nft6             # chain box_ipv6 as the kernel has it (IPv6 labs)

LIVEBOX_EMU=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/livebox_emulator.py

livebox_emu_up() {
    local scenario=$1
    shift
    LIVEBOX_STATE_FILE=$LAB_DIR/livebox-state.json
    local port_file=$LAB_DIR/livebox.port
    rm -f "$port_file"
    local ipv6=()
    [[ -z ${LAB_V6:-} ]] || ipv6=(--nft6 --lan-if br0 --upnp6-mirror)
    lab_bg "$NS_BOX" livebox-emu "$LAB_PYTHON" "$LIVEBOX_EMU" --bind "$BOX_LAN" --port 80 \
        --port-file "$port_file" --state "$LIVEBOX_STATE_FILE" --scenario "$scenario" \
        --nft --wan-if "$LAB_WAN_IF" "${ipv6[@]}" "$@"
    LIVEBOX_EMU_PID=$LAB_LAST_PID
    export LIVEBOX_EMU_PID LIVEBOX_STATE_FILE
    _lab_wait_for 10 test -e "$port_file" ||
        fail "the Livebox emulator did not start (see $LAB_DIR/livebox-emu.log)"
}

# livebox_ctl METHOD PATH [JSON]: one control request, from inside the box namespace.
livebox_ctl() {
    lab_emu_ctl "$@"
}

livebox_state() {
    livebox_ctl GET /state | "$LAB_PYTHON" -c 'import json,sys; print(json.dumps(json.load(sys.stdin), sort_keys=True, indent=1))'
}

livebox_alerts() {
    livebox_ctl GET /log | "$LAB_PYTHON" -c 'import json,sys; print("\n".join(json.load(sys.stdin)["alerts"]))'
}

# livebox_nft: the emulator's table as the kernel has it.
livebox_nft() {
    lab_ns "$NS_BOX" nft list table ip livebox_emu 2>/dev/null
}

# livebox_nft6: the chain the emulator fills with its IPv6 effect.
livebox_nft6() {
    lab_ns "$NS_BOX" nft list chain inet filter box_ipv6 2>/dev/null
}
