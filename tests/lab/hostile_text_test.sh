#!/usr/bin/env bash
# Any LAN device may name its UPnP mappings as it likes. Here the PC creates, with the real
# upnpc on the real miniupnpd, mappings labelled with terminal escape sequences (colours, window
# title, screen clear), a newline, "]]>" (which ends the CDATA section miniupnpd wraps its
# listing in), bare '&', invalid UTF-8, C1 controls, a bidi override and HTML. boxwarden must
# list every one of them, print no escape sequence in text (--no-color: no ESC byte at all, no
# C1 control, no bidi override) and always print JSON that parses, for audit and for
# fix --dry-run. (Bytes upnpc cannot send, such as NUL, are covered by hostile_suite.py.)
set -u
source "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_boxwarden
lab_up

labels=(
    $'\e[31mRED\e[0m colours'
    $'\e]0;owned window title\a'
    $'\e[2J\e[H clear screen'
    $'line1\nCRITICAL: a fake line'
    ']]> ends the CDATA'
    'bare & and &# and &lt;b&gt;'
    $'invalid \xff\xfe utf-8'
    $'C1 \xc2\x9b31m and \x9b31m'
    $'bidi \xe2\x80\xae exe.txt'
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    $'backspace\b\b and DEL\x7f'
)
port=30000
for label in "${labels[@]}"; do
    port=$((port + 1))
    lab_upnpc "$NS_PC" -e "$label" -a "$PC_IP" "$port" "$port" TCP >/dev/null 2>&1
done
n=${#labels[@]}
lab_upnpc "$NS_PC" -e "PACS DICOM" -a "$PC_IP" 11112 11112 TCP >/dev/null 2>&1
# Counted in the box's NAT rules: upnpc -L itself loses entries with such labels.
box_mappings() { lab_ns "$NS_BOX" nft list chain inet filter prerouting_miniupnpd | grep -c dnat; }
check_eq "miniupnpd holds the $((n + 1)) mappings" "$((n + 1))" "$(box_mappings)"

# no_terminal_controls FILE: no ESC, no C1 control (raw or UTF-8), no bidi control.
no_terminal_controls() {
    "$LAB_PYTHON" - "$1" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
bad = [(i, hex(b)) for i, b in enumerate(data) if b == 0x1B][:3]
text = data.decode("utf-8", "replace")
bad += [(i, hex(ord(c))) for i, c in enumerate(text)
        if 0x80 <= ord(c) <= 0x9F or ord(c) in (0x200E, 0x200F, 0x2028, 0x2029)
        or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069][:3]
bad += [(i, hex(b)) for i, b in enumerate(data) if b in (0x07, 0x08, 0x7F)][:3]
if bad:
    print("     terminal controls at (offset, code):", bad)
    sys.exit(1)
EOF
}
ports_expr="sorted(p['external_port'] for p in d['state']['port_forwards']) == [11112] + list(range(30001, $((30001 + n))))"

bw_capture audit-text "$NS_LAPTOP" --no-color --profile medical-practice audit
check_exit "audit (text) works" "$BW_RC" 1 || bw_show
check_eq "no ESC byte in the text report" 0 "$(grep -c $'\x1b' "$BW_OUT")"
check "no C1 control, bidi override, BEL, BS or DEL in the text report" no_terminal_controls "$BW_OUT"
check "stderr is clean too" no_terminal_controls "$BW_ERR"
for p in $(seq 30001 $((30000 + n))); do
    grep -q "$p" "$BW_OUT" || { check "mapping $p is in the text report" false; }
done
check "the ESC of the first label is shown as text" grep -qF '\x1b[31mRED' "$BW_OUT"

bw_capture audit-json "$NS_LAPTOP" --format json --profile medical-practice audit
check_exit "audit (json) works" "$BW_RC" 1 || bw_show
check "the JSON parses and lists every mapping" lab_json "$BW_OUT" "$ports_expr" \
    "sorted(p['external_port'] for p in d['state']['port_forwards'])"
check "labels keep their bytes in JSON (ESC escaped by the encoder)" lab_json "$BW_OUT" \
    "any(p['description'] == '\x1b[31mRED\x1b[0m colours' for p in d['state']['port_forwards'])" \
    "[p['description'] for p in d['state']['port_forwards']]"
check "the CDATA-breaking label reads back whole" lab_json "$BW_OUT" \
    "any(p['description'] == ']]> ends the CDATA' for p in d['state']['port_forwards'])" \
    "[p['description'] for p in d['state']['port_forwards']]"
check_eq "the JSON carries no raw ESC byte" 0 "$(grep -c $'\x1b' "$BW_OUT")"

bw_capture plan-text "$NS_LAPTOP" --no-color --profile strict --dry-run --yes --state-dir "$LAB_DIR/state" fix
check_exit "fix --dry-run (text) works (exit 1: the findings are still there)" "$BW_RC" 1 || bw_show
check_eq "no ESC byte in the dry run" 0 "$(grep -c $'\x1b' "$BW_OUT")"
check "no C1 control, bidi override, BEL, BS or DEL in the dry run" no_terminal_controls "$BW_OUT"
bw_capture plan-json "$NS_LAPTOP" --format json --profile strict --dry-run --yes --state-dir "$LAB_DIR/state" fix
check_exit "fix --dry-run (json) works (exit 1: the findings are still there)" "$BW_RC" 1 || bw_show
check "the dry run's JSON parses" lab_json "$BW_OUT" "isinstance(d, dict)"
check_eq "mappings unchanged by the dry runs" "$((n + 1))" "$(box_mappings)"

lab_finish
