#!/usr/bin/env bash
# All or nothing on a plain UPnP IGD (issue 5, item 2): the real miniupnpd, with a
# fault-injecting proxy in front of it (tests/lab/fault_proxy.py, in the box namespace; an
# nftables DNAT there steers the laptop's connections to 192.168.1.1:5000 to it). boxwarden is
# not changed: for it the proxy is the box.
#
# The box has three dangerous mappings (DICOM, RDP, SMB) and one the medical-practice profile
# allows (WireGuard). For `fix` and for `rollback`, at each step in turn (each DeletePortMapping
# of the fix, each AddPortMapping of the rollback, and the verification re-read), one request
# fails: an error reply (SOAP fault 501, or HTTP 500 that is not SOAP), a reset connection
# before or after the box did it, a hang (--timeout 5 must hold), the box rebooting (back 1.5 s
# later: boxwarden waits for it), or, once, an outage past --timeout 4 (exit 6) (miniupnpd killed
# -9, its nftables rules gone, started again by the proxy or, for the outage, after boxwarden
# has exited: its lease file keeps the mappings). Each time:
#   - the box (read by upnpc from another LAN host, never through the proxy) is exactly the
#     fixed state or exactly the original, unless boxwarden exits 6 (documented: "the box may be
#     half-changed", the backup path is printed);
#   - exit 0/1 (fix done; 1 = manual steps remain, UPnP cannot switch itself off), 5 (undone and
#     checked) or 6 (undo failed, backup path printed) for fix; for rollback 0, 5 (what it had
#     restored was taken back: the box is as before the rollback) or 6;
#   - the backup is there and parses, with the box's state before the fix;
#   - what the documentation says to do next works: after exit 5 a second fix, after exit 6
#     `rollback` and then a fix; after a failed rollback a second rollback; a third rollback
#     changes nothing (idempotent: no write request reaches the box).
# Then a crash while a backup is being written (killed by SIGXFSZ in the middle of the write,
# RLIMIT_FSIZE) and a write error (EFBIG): the box is untouched, earlier backups are intact,
# `backups` and `rollback` still work.
# Prints a matrix: operation x step x fault -> end state, exit code, seconds.
set -u
source "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_boxwarden
lab_up
T_START=$SECONDS

STATE=$LAB_DIR/state
HANG_TIMEOUT=5    # --timeout for the hang cases: the deadline must hold (3 s left the undo too little
                  # on a loaded machine: half goes to the hung call, the IPv6 pinhole walk takes its share)
RUN_TIMEOUT=20    # --timeout for the others (a stuck run fails the test fast)
OUTAGE_TIMEOUT=4  # --timeout for the outage case: boxwarden waits for the box that long
# IGD_FAULTS_KINDS / IGD_FAULTS_STEPS (space separated) run a part of the matrix (by hand).
read -r -a KINDS <<<"${IGD_FAULTS_KINDS:-fault http500 reset reset-after hang reboot}"
read -r -a STEPS <<<"${IGD_FAULTS_STEPS:-1 2 3 verify}"
MATRIX=()
# The full matrix's grid (printed at the end), measured: END-STATE/EXIT per step and fault
# (O original, F fixed), as the full run gives it on miniupnpd 2.3.1. A hang's cell depends on
# where the 3 s --timeout runs out, in the hung request or in the undo after it, so on the
# machine's speed (two runs gave O/0 and F/6 for rollback's AddPortMapping #1): it is "timing"
# here, and checked by the invariants of fix_case and rollback_case only.
EXPECTED_GRID=$(cat <<'EOF'
fix                    fault             http500           reset             reset-after       hang              reboot
DeletePortMapping #1   O/5               O/5               O/5               O/5               timing            O/5
DeletePortMapping #2   O/5               O/5               O/5               O/5               timing            O/5
DeletePortMapping #3   O/5               O/5               O/5               O/5               timing            O/5
verify re-read         F/1               O/5               F/1               F/1               timing            F/1
rollback               fault             http500           reset             reset-after       hang              reboot
AddPortMapping #1      F/5               F/5               O/0               O/0               timing            O/0
AddPortMapping #2      F/5               F/5               O/0               O/0               timing            O/0
AddPortMapping #3      F/5               F/5               O/0               O/0               timing            O/0
verify re-read         O/0               F/5               O/0               O/0               timing            O/0
EOF
)

lab_igd_fault_proxy "$LAPTOP_IP"
lab_upnpc "$NS_PC" -e "PACS DICOM" -a "$PC_IP" 11112 11112 TCP >/dev/null 2>&1
lab_upnpc "$NS_PC" -e "Remote Desktop" -a "$PC_IP" 3389 3389 TCP >/dev/null 2>&1
lab_upnpc "$NS_PC" -e "SMB" -a "$PC_IP" 445 445 TCP >/dev/null 2>&1
lab_upnpc "$NS_PC" -e "WireGuard" -a "$PC_IP" 51820 51820 UDP >/dev/null 2>&1
ORIGINAL="TCP 445 $PC_IP 445 SMB
TCP 3389 $PC_IP 3389 Remote Desktop
TCP 11112 $PC_IP 11112 PACS DICOM
UDP 51820 $PC_IP 51820 WireGuard"
FIXED="UDP 51820 $PC_IP 51820 WireGuard"

# box_mappings: lab_mappings without a Python start per call (this test reads the box ~150
# times): the same regular expression as upnpc_list.py, the same order.
box_mappings() {
    lab_upnpc "$NS_PC" -L 2>/dev/null |
        sed -nE "s/^[[:space:]]*[0-9]+[[:space:]]+(TCP|UDP)[[:space:]]+([0-9]+)->([0-9.]+):([0-9]+)[[:space:]]+'(.*)'[[:space:]]+'[^']*'[[:space:]]+[0-9]+[[:space:]]*\$/\1 \2 \3 \4 \5/p" |
        sort -k1,1 -k2,2n -k3,3 -k4,4n -k5 | uniq
}

# state_of: the box's mappings (as miniupnpd lists them to upnpc on the PC) in one word.
state_of() {
    local m
    m=$(box_mappings)
    if [[ $m == "$ORIGINAL" ]]; then
        echo original
    elif [[ $m == "$FIXED" ]]; then
        echo fixed
    else
        # Which of the three dangerous ports are still mapped (each exactly as it was, and the
        # WireGuard mapping kept), or anything else.
        local open
        open=$(awk '$2 != 51820 { printf "%s%s", sep, $2; sep = "," }' <<<"$m")
        if grep -qxF "$FIXED" <<<"$m" && [[ -n $m ]] && ! grep -qvxF "$ORIGINAL" <<<"$m"; then
            echo "partial:${open:-none}"
        else
            echo "UNEXPECTED:$(tr '\n' '|' <<<"$m")"
        fi
    fi
}

check_eq "setup: the box has the four mappings" "$ORIGINAL" "$(lab_mappings)" || fail "lab setup failed"
check_eq "setup: box_mappings reads them as lab_mappings does" "$(lab_mappings)" "$(box_mappings)" ||
    fail "box_mappings is wrong"

backup_count() { find "$STATE/backups" -name '*.json' -type f 2>/dev/null | wc -l; }
latest_backup() { find "$STATE/backups" -name '*.json' -type f 2>/dev/null | sort | tail -n 1; }

# backup_holds FILE: FILE is a boxwarden backup of the original box with the three deletes.
backup_holds_original() {
    local want=${ORIGINAL//$'\n'/\\n}
    lab_json "$1" "d['format'] == 'boxwarden-backup-1' and \
'\\n'.join(f'{p} {e} {h} {i} {s}' for (p, e, h, i, s) in sorted((f['protocol'], f['external_port'], \
f['internal_host'], f['internal_port'], f['description']) for f in d['state']['port_forwards'])) == '$want' \
and sorted(a['target']['external_port'] for a in d['plan'] if a['automatic']) == [445, 3389, 11112]" \
        "d.get('state', {}).get('port_forwards')"
}

# fault_hits ID: how many requests the rule ID failed; writes ID: its Add/Delete requests.
fault_hits() { grep -c "\"rule\": \"$1\".*\"fault\":" "$LAB_FAULT_LOG"; }
writes_of() { grep "\"rule\": \"$1\"" "$LAB_FAULT_LOG" | grep -cE '"action": "(Add|Delete)PortMapping"'; }

# rule_for OP STEP KIND ID: the proxy's rule for that step of fix or rollback.
rule_for() {
    local op=$1 step=$2 kind=$3 id=$4 write=DeletePortMapping
    [[ $op == rollback ]] && write=AddPortMapping
    if [[ $step == verify ]]; then
        # The first listing after the last write: the verification re-read.
        printf '{"id": "%s", "action": "GetListOfPortMappings", "nth": 1, "after_action": "%s", "after_count": 3, "kind": "%s"}' \
            "$id" "$write" "$kind"
    else
        printf '{"id": "%s", "action": "%s", "nth": %s, "kind": "%s"}' "$id" "$write" "$step" "$kind"
    fi
}

step_name() {
    local op=$1 step=$2
    if [[ $step == verify ]]; then
        echo "verify re-read"
    elif [[ $op == fix ]]; then
        echo "DeletePortMapping #$step"
    else
        echo "AddPortMapping #$step"
    fi
}

# run_op NAME OP KIND [ARGS...]: boxwarden fix or rollback from the laptop, through the proxy.
run_op() {
    local name=$1 op=$2 kind=$3 t=$RUN_TIMEOUT
    shift 3
    [[ $kind == hang ]] && t=$HANG_TIMEOUT
    if [[ $op == fix ]]; then
        bw_capture "$name" "$NS_LAPTOP" --yes --timeout "$t" --profile medical-practice --state-dir "$STATE" fix "$@"
    else
        bw_capture "$name" "$NS_LAPTOP" --yes --timeout "$t" --state-dir "$STATE" rollback "$@"
    fi
}

# after_fault KIND LABEL: after a reboot the box is back (boxwarden waited for it); after an
# outage it was still down when boxwarden gave up, and comes back now.
after_fault() {
    lab_igd_fault '{}'
    if [[ $1 == reboot ]]; then
        check "$2: the box is back after its reboot" _lab_wait_for 15 lab_box_is_up
    fi
    if [[ $1 == outage ]]; then
        if ! check "$2: the box was down (rebooting) when boxwarden exited" not lab_box_is_up; then
            sed 's/^/   power: /' "$LAB_DIR/power.log"
            ps -o pid,stat,lstart,args -p "$(ip netns pids "$NS_BOX" | paste -sd,)"
        fi
        lab_box_power_on
    fi
}

# check_hang KIND LABEL: a hang costs at most the --timeout (plus start-up).
check_hang() {
    [[ $1 == hang ]] || return 0
    check "$2: --timeout $HANG_TIMEOUT holds (${BW_SECONDS}s)" \
        awk -v s="$BW_SECONDS" -v t="$HANG_TIMEOUT" 'BEGIN { exit !(s <= t + 1.5) }'
}

# fix_case STEP KIND: from the original box, fix under the fault; ends with the box fixed and a
# latest backup of the original box (what rollback_case needs).
fix_case() {
    local step=$1 kind=$2 id="fix-$1-$2" label backups rc secs end path
    label="fix, $(step_name fix "$step"), $kind"
    echo "== $label"
    backups=$(backup_count)
    lab_igd_fault "$(rule_for fix "$step" "$kind" "$id")"
    run_op "$id" fix "$kind"
    rc=$BW_RC secs=$BW_SECONDS
    after_fault "$kind" "$label"
    check_eq "$label: the fault was hit once" 1 "$(fault_hits "$id")"
    check_hang "$kind" "$label"
    end=$(state_of)
    MATRIX+=("fix|$(step_name fix "$step")|$kind|$end|$rc|$secs")
    case $rc in
        0 | 1) check_eq "$label: exit $rc, the box is fully fixed" fixed "$end" || bw_show ;;
        5) check_eq "$label: exit 5, the box is exactly as before" original "$end" || bw_show ;;
        6)
            check "$label: exit 6 names the backup on stderr" grep -q "backup: $STATE/backups/.*\.json" "$BW_ERR" || bw_show
            check "$label: exit 6, the box is in a known state ($end)" not grep -q UNEXPECTED <<<"$end"
            ;;
        *) check_exit "$label: fix exits 0, 1, 5 or 6" "$rc" 0 1 5 6 || bw_show ;;
    esac
    # While the box still answers, the undo must get through (a hang must leave it time); a
    # box that reboots is waited for; one that stays down past --timeout cannot be undone.
    if [[ $kind == outage ]]; then
        check_exit "$label: the box is down during the whole undo: exit 6" "$rc" 6
    else
        check_exit "$label: the box answers: the fix completes or is undone" "$rc" 0 1 5
    fi
    check_eq "$label: one new backup" $((backups + 1)) "$(backup_count)"
    path=$(latest_backup)
    check "$label: the backup parses and holds the original box" backup_holds_original "$path"

    if [[ $rc == 6 ]]; then
        # What the message says: roll back with that backup, then fix again.
        run_op "$id-rollback" rollback none
        check_exit "$label: then rollback exits 0" "$BW_RC" 0 || bw_show
        check_eq "$label: then rollback gives the original box" original "$(state_of)"
    fi
    if [[ $rc == 5 || $rc == 6 ]]; then
        run_op "$id-again" fix none
        check_exit "$label: a second fix completes (exit 1: UPnP stays on, a manual step)" "$BW_RC" 1 || bw_show
        check_eq "$label: after the second fix the box is fixed" fixed "$(state_of)"
    fi
}

# rollback_case STEP KIND: from the fixed box (latest backup: the original), rollback under the
# fault; ends with the original box.
rollback_case() {
    local step=$1 kind=$2 id="rollback-$1-$2" label path rc secs end
    label="rollback, $(step_name rollback "$step"), $kind"
    echo "== $label"
    path=$(latest_backup)
    lab_igd_fault "$(rule_for rollback "$step" "$kind" "$id")"
    run_op "$id" rollback "$kind"
    rc=$BW_RC secs=$BW_SECONDS
    after_fault "$kind" "$label"
    check_eq "$label: the fault was hit once" 1 "$(fault_hits "$id")"
    check_hang "$kind" "$label"
    end=$(state_of)
    MATRIX+=("rollback|$(step_name rollback "$step")|$kind|$end|$rc|$secs")
    case $rc in
        0) check_eq "$label: exit 0, the box is exactly the original" original "$end" || bw_show ;;
        5) check_eq "$label: exit 5, the box is exactly as before the rollback (fixed)" fixed "$end" || bw_show ;;
        6)
            check "$label: exit 6 says the backup is kept" grep -q "the backup is kept: $path" "$BW_ERR" || bw_show
            check "$label: exit 6, the box is in a known state ($end)" not grep -q UNEXPECTED <<<"$end"
            ;;
        *) check_exit "$label: rollback exits 0, 5 or 6" "$rc" 0 5 6 || bw_show ;;
    esac
    check "$label: the backup is still there and parses" backup_holds_original "$path"
    if [[ $rc != 0 ]]; then
        run_op "$id-again" rollback none
        check_exit "$label: a second rollback exits 0" "$BW_RC" 0 || bw_show
        check_eq "$label: after the second rollback the box is the original" original "$(state_of)"
    fi
    lab_igd_fault "{\"id\": \"$id-idem\"}"
    run_op "$id-idem" rollback none
    check_exit "$label: rollback once more exits 0" "$BW_RC" 0 || bw_show
    check "$label: rollback once more finds nothing to restore" grep -q "nothing to restore" "$BW_OUT"
    check_eq "$label: rollback once more sends no Add/DeletePortMapping" 0 "$(writes_of "$id-idem")"
    lab_igd_fault '{}'
}

for step in "${STEPS[@]}"; do
    for kind in "${KINDS[@]}"; do
        fix_case "$step" "$kind"
        rollback_case "$step" "$kind"
    done
done
# A box that goes down at the second change and stays down past --timeout: exit 6 with the
# backup; once it is back, rollback then fix (fix_case checks both). Then back to the original.
if [[ -z ${IGD_FAULTS_KINDS:-} ]]; then
    RUN_TIMEOUT_SAVED=$RUN_TIMEOUT RUN_TIMEOUT=$OUTAGE_TIMEOUT
    fix_case 2 outage
    RUN_TIMEOUT=$RUN_TIMEOUT_SAVED
    run_op outage-restore rollback none
    check_exit "outage: rollback to the original exits 0" "$BW_RC" 0 || bw_show
    check_eq "outage: the box is the original again" original "$(state_of)"
fi
T_MATRIX=$((SECONDS - T_START))

# ---------------------------------------------------------------------------------------------
# A crash while the backup is written. RLIMIT_FSIZE below the backup's size: the write() that
# crosses it raises SIGXFSZ, whose default action kills the process in the middle of writing
# (the backup is ~7 KiB; the limit is 4 KiB). stdout and stderr go through pipes (the limit is
# for regular files only).
echo "== a crash while writing the backup"
check_eq "crash: the box is the original before" original "$(state_of)"
sums_before=$(cd "$STATE/backups" && sha256sum -- *.json)
n_before=$(backup_count)
latest_before=$(latest_backup)
# bw_limited NAME PREFIX ARGS...: boxwarden under a 4 KiB file size limit (prlimit), stdout and
# stderr through pipes; PREFIX runs first in the shell (e.g. "trap '' XFSZ;" to ignore the
# signal: write() then fails with EFBIG). BW_RC is boxwarden's own status (128+25 when SIGXFSZ
# killed it).
bw_limited() {
    local name=$1 prefix=$2
    shift 2
    BW_OUT=$LAB_DIR/$name.out BW_ERR=$LAB_DIR/$name.err
    # Both through pipelines (stderr: fd 3 swaps), so the shell waits for both cats: when it
    # returns, the files are complete (a process substitution would not be waited for).
    # shellcheck disable=SC2016 # expanded by the inner shell
    lab_ns "$NS_LAPTOP" env BOXWARDEN_NETNS="$NS_LAPTOP" BW_OUT="$BW_OUT" BW_ERR="$BW_ERR" bash -c \
        "$prefix"' { prlimit --fsize=4096 --core=0 -- "$@" 2>&1 1>&3 3>&- | cat >"$BW_ERR"; exit "${PIPESTATUS[0]}"; } 3>&1 | cat >"$BW_OUT"; exit "${PIPESTATUS[0]}"' \
        bw-limited timeout 60 "$BOXWARDEN" "$@"
    BW_RC=$?
}
backups_json_ok() {
    lab_json "$1" "len(d['backups']) == $2 and all('error' not in b and b['changes'] == 3 for b in d['backups']) and \
d['backups'][-1]['path'] == '$3'" "d"
}
lab_igd_fault '{"id": "crash"}'
bw_limited crash "" --yes --profile medical-practice --state-dir "$STATE" fix
echo "-- boxwarden fix under a 4 KiB file size limit: exit $BW_RC"
check_exit "crash: SIGXFSZ killed boxwarden in the middle of a write" "$BW_RC" $((128 + 25)) || bw_show
check "crash: it had started the backup (no outcome printed)" not grep -q "The box was re-read" "$BW_OUT"
check_eq "crash: the box was not touched (no write request)" 0 "$(writes_of crash)"
check_eq "crash: the box is the original" original "$(state_of)"
check_eq "crash: no new backup (only whole ones are listed)" "$n_before" "$(backup_count)"
check_eq "crash: earlier backups are intact" "$sums_before" "$(cd "$STATE/backups" && sha256sum -- *.json)"
tmp_files=$(find "$STATE/backups" -name '*.tmp-*' -printf '%f %s bytes\n')
echo "   left by the crash: ${tmp_files:-nothing}"
check "crash: the partial write is in a temporary file (4096 bytes), never a .json" \
    grep -q '\.json\.tmp-.* 4096 bytes$' <<<"$tmp_files"
bw_capture backups-after-crash "$NS_LAPTOP" --state-dir "$STATE" --format json backups
check_exit "crash: 'backups' exits 0" "$BW_RC" 0 || bw_show
check "crash: 'backups' lists the same whole backups, latest the same, no temporary file" \
    backups_json_ok "$BW_OUT" "$n_before" "$latest_before"

echo "== a write error while writing the backup (EFBIG)"
lab_igd_fault '{"id": "efbig"}'
bw_limited efbig "trap '' XFSZ;" --yes --profile medical-practice --state-dir "$STATE" fix
echo "-- boxwarden fix under a 4 KiB file size limit, SIGXFSZ ignored: exit $BW_RC"
grep -i error "$BW_ERR" | sed 's/^/   | /' | tail -n 3
check_exit "efbig: fix refuses (exit 2: the backup cannot be written)" "$BW_RC" 2 || bw_show
check "efbig: the error names the backup file" grep -q "backups/.*json" "$BW_ERR"
check_eq "efbig: the box was not touched (no write request)" 0 "$(writes_of efbig)"
check_eq "efbig: the box is the original" original "$(state_of)"
check_eq "efbig: no new backup" "$n_before" "$(backup_count)"
check_eq "efbig: no new temporary file" "$tmp_files" "$(find "$STATE/backups" -name '*.tmp-*' -printf '%f %s bytes\n')"
check_eq "efbig: earlier backups are intact" "$sums_before" "$(cd "$STATE/backups" && sha256sum -- *.json)"
lab_igd_fault '{}'

echo "== after the crash: fix and rollback still work"
run_op after-crash-fix fix none
check_exit "after the crash: fix completes (exit 1: UPnP stays on, a manual step)" "$BW_RC" 1 || bw_show
check_eq "after the crash: the box is fixed" fixed "$(state_of)"
run_op after-crash-rollback rollback none
check_exit "after the crash: rollback exits 0" "$BW_RC" 0 || bw_show
check_eq "after the crash: the box is the original" original "$(state_of)"

# ---------------------------------------------------------------------------------------------
printf '\nIGD fault matrix (miniupnpd %s, 3 dangerous mappings + 1 allowed; --timeout %s for hang):\n' \
    "$(miniupnpd --version 2>&1 | head -n 1 | awk '{print $2}')" "$HANG_TIMEOUT"
printf '%-9s %-21s %-12s %-22s %-5s %s\n' operation step fault "end state" exit seconds
for row in "${MATRIX[@]}"; do
    IFS='|' read -r op step kind end rc secs <<<"$row"
    printf '%-9s %-21s %-12s %-22s %-5s %s\n' "$op" "$step" "$kind" "$end" "$rc" "$secs"
done
printf '(end state: the box as miniupnpd lists it afterwards; original = the 4 mappings, fixed = only\n'
printf ' WireGuard, partial:PORTS = those dangerous ports still mapped)\n'
# The same as a grid per operation: END-STATE/EXIT (O original, F fixed, P:ports partial).
# grid [MASK]: with MASK, a hang's cell is "timing" (see EXPECTED_GRID).
grid() {
    local mask=${1:-} op step kind cell row r_op r_step r_kind end rc secs
    for op in fix rollback; do
        printf '%-22s' "$op"
        for kind in "${KINDS[@]}"; do printf ' %-17s' "$kind"; done
        printf '\n'
        for step in "${STEPS[@]}"; do
            printf '%-22s' "$(step_name "$op" "$step")"
            for kind in "${KINDS[@]}"; do
                cell='?'
                for row in "${MATRIX[@]}"; do
                    IFS='|' read -r r_op r_step r_kind end rc secs <<<"$row"
                    if [[ $r_op == "$op" && $r_step == "$(step_name "$op" "$step")" && $r_kind == "$kind" ]]; then
                        end=${end/original/O}
                        end=${end/fixed/F}
                        end=${end/partial:/P:}
                        cell="$end/$rc"
                        [[ -z $mask || $kind != hang ]] || cell=timing
                    fi
                done
                printf ' %-17s' "$cell"
            done
            printf '\n'
        done
    done
}
printf '\n%s\n' "$(grid)"
GRID=$(grid mask | sed "s/ *$//")
printf 'matrix: %s cases in %s s; whole test %s s\n' "${#MATRIX[@]}" "$T_MATRIX" "$((SECONDS - T_START))"
# The matrix ran every case (a loop that ran nothing must not pass), and the lab is
# deterministic: each cell is exactly what the full run gives (measured, then written here;
# a change of behaviour shows as a difference to look at, not as another allowed code).
expected_cases=$((2 * ${#STEPS[@]} * ${#KINDS[@]}))
[[ -n ${IGD_FAULTS_KINDS:-} ]] || expected_cases=$((expected_cases + 1))  # the outage
check_eq "the matrix ran every case" "$expected_cases" "${#MATRIX[@]}"
if [[ -z ${IGD_FAULTS_KINDS:-}${IGD_FAULTS_STEPS:-} ]]; then
    check_eq "every cell of the matrix is the expected end state and exit" "$EXPECTED_GRID" "$GRID"
fi

lab_finish
