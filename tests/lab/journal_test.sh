#!/usr/bin/env bash
# The journal (issue 11, "Done when"): on the doctor's UPnP box, audit, fix, then the box comes
# back with its old settings (the imaging PC maps DICOM again) and audit again: the second
# audit names the reopening and the fix's date (text and JSON drift); `history` shows the
# timeline (first seen, closed by the fix, reopened); `breach` drafts the facts with the blanks;
# the journal is 0600; an edited line is named by `history --verify` (exit 1).
set -u
source "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_boxwarden
lab_up

STATE=$LAB_DIR/state
KEY="EXPOSE-SERVICE|port_forward|TCP/11112|$PC_IP"
J=$STATE/journal.jsonl

echo "== the practice's network: the imaging PC maps DICOM and Remote Desktop by UPnP"
lab_listen "$NS_PC" 11112
lab_doctor_map
check_eq "the box has the doctor's mappings" "$LAB_DOCTOR_MAPPINGS" "$(lab_mappings)" || fail "lab setup failed"

echo "== audit, fix"
bw_capture audit1 "$NS_LAPTOP" audit --profile medical-practice --state-dir "$STATE" --format json
check_exit "audit exits 1" "$BW_RC" 1 || bw_show
check "the first audit has no earlier record: drift.previous_at is null" lab_json "$BW_OUT" \
    "d['drift'] == {'previous_at': None, 'new': [], 'closed': [], 'reopened': []}" "d.get('drift')"
bw_capture fix "$NS_LAPTOP" fix --yes --profile medical-practice --state-dir "$STATE"
check_exit "fix exits 1 (UPnP stays on: a manual step)" "$BW_RC" 1 || bw_show
check_eq "the fix closed the mappings" "" "$(lab_mappings)"
check_eq "the journal is 0600" "600" "$(stat -c %a "$J")"
check_eq "the journal has two records" "2" "$(wc -l <"$J")"
check "record 2 is the fix: DICOM before, not after, deleted (done)" lab_json <(sed -n 2p "$J") \
    "d['command'] == 'fix' and d['outcome'] == 'done' and any(e['key'] == '$KEY' for e in d['exposures_before']) and not any(e['key'] == '$KEY' for e in d['exposures']) and {'action': 'delete-port-forward', 'key': '$KEY', 'outcome': 'done'} in d['actions']"
FIRST=$(sed -n 1p "$J" | "$LAB_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["time"])')
FIXED=$(sed -n 2p "$J" | "$LAB_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["time"])')

echo "== the box comes back with its old settings; audit again"
lab_doctor_map
cp -a "$STATE" "$LAB_DIR/state-text"  # the same journal for the text and the JSON audit
bw_capture audit2 "$NS_LAPTOP" audit --profile medical-practice --state-dir "$LAB_DIR/state-text"
check_exit "audit exits 1" "$BW_RC" 1 || bw_show
check "the text names the reopening and the fix's date" grep -q "Reopened since the fix of $FIXED: " "$BW_OUT" || bw_show
bw_capture audit3 "$NS_LAPTOP" audit --profile medical-practice --state-dir "$STATE" --format json
check_exit "audit exits 1" "$BW_RC" 1 || bw_show
check "drift.reopened names DICOM and the fix's date" lab_json "$BW_OUT" \
    "d['drift']['previous_at'] == '$FIXED' and {'key': '$KEY', 'fixed_at': '$FIXED'} in d['drift']['reopened'] and '$KEY' not in d['drift']['new']" \
    "d.get('drift')"

echo "== history"
bw_capture history "$NS_LAPTOP" history --state-dir "$STATE"
check_exit "history exits 0" "$BW_RC" 0 || bw_show
check "the text shows the closing by the fix and the reopening" \
    grep -q "reopened .*, after the fix of $FIXED" "$BW_OUT" || bw_show
bw_capture history-json "$NS_LAPTOP" history --state-dir "$STATE" --format json
check "DICOM's timeline: first seen, reopened after the fix, open" lab_json "$BW_OUT" \
    "[(x['first_seen'], x['reopened'], x['closed_at']) for x in d['boxes'][0]['exposures'] if x['key'] == '$KEY'] == [('$FIRST', [{'seen_at': x['last_seen'], 'fixed_at': '$FIXED'} for x in d['boxes'][0]['exposures'] if x['key'] == '$KEY'], None)]" \
    "d['boxes'][0]['exposures']"
check "the fix is an event" lab_json "$BW_OUT" \
    "[(e['time'], e['command'], e['outcome']) for e in d['boxes'][0]['events']] == [('$FIXED', 'fix', 'done')]" \
    "d['boxes'][0]['events']"

echo "== breach"
bw_capture breach "$NS_LAPTOP" breach --state-dir "$STATE"
check_exit "breach exits 0" "$BW_RC" 0 || bw_show
check "the draft says it is not legal advice, and the CNIL's 72 hours" \
    grep -q "not legal advice.*CNIL on its online notification service within 72 hours" "$BW_OUT"
check "the draft has the blanks" test "$(grep -c '\[TO FILL IN: ' "$BW_OUT")" -ge 5
check "the draft says since when at least, and the data category" \
    grep -q "Open at least since $FIRST" "$BW_OUT"
bw_capture breach-json "$NS_LAPTOP" breach --state-dir "$STATE" --format json --key "$KEY"
check "one draft: DICOM on the PC, health data, open since the first audit" lab_json "$BW_OUT" \
    "[(x['service'], x['machine'], x['data_category'], x['open_at_least_since'], x['still_open']) for x in d['drafts']] == [('dicom', '$PC_IP', 'health', '$FIRST', True)]" \
    "d['drafts']"

echo "== history --verify"
bw_capture verify "$NS_LAPTOP" history --verify --state-dir "$STATE" --format json
check_exit "the chain is whole: exit 0" "$BW_RC" 0 || bw_show
check "every record counted" lab_json "$BW_OUT" "d['verify'] == {'ok': True, 'records': 3, 'first_bad_line': None, 'problem': None}"
sed -i '2s/"outcome":"done"/"outcome":"failed"/' "$J"
bw_capture verify-edited "$NS_LAPTOP" history --verify --state-dir "$STATE"
check_exit "an edited line: exit 1" "$BW_RC" 1 || bw_show
check "it names line 2" grep -q "^journal.jsonl line 2: edited" "$BW_OUT" || bw_show


echo "== a journal that cannot be written loses no fix; --dry-run writes nothing"
bw_capture dry "$NS_LAPTOP" --dry-run fix --yes --profile medical-practice --state-dir "$LAB_DIR/state-dry"
check_exit "fix --dry-run exits 1 (findings)" "$BW_RC" 1 || bw_show
check "fix --dry-run wrote no journal" test ! -e "$LAB_DIR/state-dry/journal.jsonl"
mkdir -p "$LAB_DIR/state-broken/journal.jsonl"  # a directory where the journal should be
bw_capture fix-broken "$NS_LAPTOP" fix --yes --profile medical-practice --state-dir "$LAB_DIR/state-broken"
check_exit "fix exits 1 as before (UPnP stays on)" "$BW_RC" 1 || bw_show
check_eq "the fix closed the reopened mappings" "" "$(lab_mappings)"
check_eq "one warning line says the journal was not written" "1" \
    "$(grep -c '^boxwarden: warning: the journal was not written (.*); what this run did is not affected$' "$BW_ERR")"

lab_finish
