#!/usr/bin/env bash
# Signals during a fix (issue 12, item 1), on the doctor's box: the real miniupnpd with the DICOM
# server (11112) and Remote Desktop (3389) of the imaging PC mapped through UPnP, and boxwarden
# run from the laptop with the medical-practice profile, which closes both. The fault proxy
# (fault_proxy.py, kind "hold") holds the second DeletePortMapping like a slow box, so that the
# signal lands while a change is in flight: the first delete is done, the second is on its way.
#
# Each case waits for events (the proxy's "held" line, boxwarden's message), never for time:
#   - Ctrl-C typed on a real terminal (\x03 on the pty's master: SIGINT from the tty driver),
#     then SIGTERM and SIGHUP sent with kill: exit 5, the message, both mappings back with their
#     original internal host (upnpc -l) and both ports reachable from the Internet (the probe);
#   - stdout redirected to a file and SIGTERM: the report ends with a complete line;
#   - two signals: the second one (during the undo, itself held by the proxy) is explained and
#     the undo still completes (exit 5);
#   - Ctrl-C at the [y/N] question (before any change): exit 130, "nothing was changed", the
#     terminal's echo on, no request that changes the box, and no stale lock left behind;
#   - Ctrl-C during a rollback (its second AddPortMapping held): exit 5, and what it had
#     restored is taken back: the box is as before the rollback.
set -u
source "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_boxwarden
lab_up
T_START=$SECONDS

STATE=$LAB_DIR/state
BOXWARDEN_LOCK_DIR=$LAB_DIR/locks  # this lab's own locks, not the machine's
export BOXWARDEN_LOCK_DIR
PTY_RUN=$LAB_LIB_DIR/pty_run.py
FIX=(--yes --timeout 30 --profile medical-practice --state-dir "$STATE" fix)

lab_igd_fault_proxy "$LAPTOP_IP"
lab_listen "$NS_PC" 11112
lab_listen "$NS_PC" 3389
ORIGINAL=$LAB_DOCTOR_MAPPINGS
map_originals() { lab_doctor_map; }
map_originals
check_eq "setup: the box has the doctor's two mappings" "$ORIGINAL" "$(lab_mappings)" || fail "lab setup failed"
check "setup: probe: 11112 is reachable from the Internet" lab_probe 11112 >/dev/null || fail "lab setup failed"
check "setup: probe: 3389 is reachable from the Internet" lab_probe 3389 >/dev/null || fail "lab setup failed"

# wait_until SECONDS WHAT CMD...: the event, or the test fails (a bound, not a sleep).
wait_until() {
    local s=$1 what=$2
    shift 2
    _lab_wait_for "$s" "$@" || fail "no sign of $what within $s s"
}
held() { grep -q "\"rule\": \"$1\".*\"outcome\": \"held\"" "$LAB_FAULT_LOG"; }
hold() {  # hold ID ACTION NTH: hold that request until `release ID`
    lab_igd_fault "{\"id\": \"$1\", \"action\": \"$2\", \"nth\": $3, \"kind\": \"hold\", \"release\": \"$LAB_DIR/release-$1\"}"
}
release() { touch "$LAB_DIR/release-$1"; }
writes_of() { grep "\"rule\": \"$1\"" "$LAB_FAULT_LOG" | grep -v '"outcome": "held"' | grep -c "\"action\": \"$2\""; }
has() { grep -qF -- "$2" "$1"; }

# in_pty NAME ARGS...: boxwarden ARGS in the laptop namespace under a new pty; sets PTY (its
# directory: log, pid, rc, in) and PID.
in_pty() {
    local name=$1
    shift
    PTY=$LAB_DIR/pty-$name
    mkdir -p "$PTY" && mkfifo "$PTY/in"
    "$LAB_PYTHON" "$PTY_RUN" --log "$PTY/log" --pid "$PTY/pid" --rc "$PTY/rc" --input "$PTY/in" --timeout 60 -- \
        ip netns exec "$NS_LAPTOP" env BOXWARDEN_NETNS="$NS_LAPTOP" "$BOXWARDEN" "$@" &
    wait_until 10 "the pty of $name" test -s "$PTY/pid"
    PID=$(cat "$PTY/pid")
    echo "-- boxwarden $* (in $NS_LAPTOP, under a pty, pid $PID)"
}
pty_rc() {
    wait_until 40 "the end of boxwarden under the pty" test -s "$PTY/rc"
    head -n 1 "$PTY/rc"
}
show_pty() { sed 's/^/   | /' "$PTY/log" | tail -n 30; }

box_as_before() {
    check_eq "$1: upnpc lists both mappings, to the PC, as before" "$ORIGINAL" "$(lab_mappings)"
    check "$1: probe: 11112 reachable from the Internet, as before" lab_probe 11112 >/dev/null
    check "$1: probe: 3389 reachable from the Internet, as before" lab_probe 3389 >/dev/null
    [[ $(lab_mappings) == "$ORIGINAL" ]] || map_originals  # the next case starts from the original
}

backups() { find "$STATE/backups" -name '*.json' -type f 2>/dev/null | wc -l; }

echo "== Ctrl-C at the [y/N] question: nothing was changed"
lab_igd_fault '{"id": "question"}'
n_backups=$(backups)
in_pty question --timeout 30 --profile medical-practice --state-dir "$STATE" fix
wait_until 20 "the [y/N] question" has "$PTY/log" "[y/N]"
printf '\003' >"$PTY/in"
rc=$(pty_rc)
check_eq "question: boxwarden dies of SIGINT (exit 130)" 130 "$rc" || show_pty
check "question: it says 'interrupted; nothing was changed'" has "$PTY/log" "boxwarden: interrupted; nothing was changed" || show_pty
check "question: the terminal's echo is on" grep -qx "echo=on" "$PTY/rc"
check_eq "question: no request that changes the box" 0 "$(grep '"rule": "question"' "$LAB_FAULT_LOG" | grep -cE '(Add|Delete)PortMapping')"
check_eq "question: no backup" "$n_backups" "$(backups)"
box_as_before question

# signal_case NAME SIGNAL: SIGNAL while the second delete is in flight, under a pty.
signal_case() {
    local name=$1 sig=$2
    echo "== $sig while the second change is in flight (under a terminal)"
    hold "$name" DeletePortMapping 2
    in_pty "$name" "${FIX[@]}"
    wait_until 20 "the held DeletePortMapping" held "$name"
    if [[ $sig == SIGINT ]]; then
        printf '\003' >"$PTY/in"  # Ctrl-C, through the terminal
    else
        kill -s "${sig#SIG}" "$PID"
    fi
    wait_until 10 "boxwarden's answer to $sig" has "$PTY/log" "interrupted ($sig): no new change will start"
    release "$name"
    rc=$(pty_rc)
    check_eq "$name: exit 5" 5 "$rc" || show_pty
    check "$name: it says the fix was interrupted and put back" \
        has "$PTY/log" "The fix was interrupted (interrupted by $sig). Everything it changed was put back as it was, and checked." || show_pty
    check "$name: it names the backup" has "$PTY/log" "the backup is kept: $STATE/backups/"
    check_eq "$name: both deletes reached the box (the held one finished)" 2 "$(writes_of "$name" DeletePortMapping)"
    check_eq "$name: the undo re-added both" 2 "$(writes_of "$name" AddPortMapping)"
    check "$name: no stale lock was reported" not has "$PTY/log" "ended without finishing"
    check "$name: the terminal's echo is on" grep -qx "echo=on" "$PTY/rc"
    box_as_before "$name"
}
signal_case ctrl-c SIGINT
signal_case sigterm SIGTERM
signal_case sighup SIGHUP

echo "== SIGTERM with stdout redirected to a file"
hold redirected DeletePortMapping 2
ip netns exec "$NS_LAPTOP" env BOXWARDEN_NETNS="$NS_LAPTOP" "$BOXWARDEN" "${FIX[@]}" \
    >"$LAB_DIR/redirected.out" 2>"$LAB_DIR/redirected.err" </dev/null &
PID=$!
wait_until 20 "the held DeletePortMapping" held redirected
kill -TERM "$PID"
wait_until 10 "boxwarden's answer to SIGTERM" has "$LAB_DIR/redirected.err" "interrupted (SIGTERM)"
release redirected
wait "$PID"
rc=$?
check_exit "redirected: exit 5" "$rc" 5 || sed 's/^/   | /' "$LAB_DIR/redirected.err"
check "redirected: the report is there" test -s "$LAB_DIR/redirected.out"
check_eq "redirected: the report ends with a complete line" "0a" "$(tail -c 1 "$LAB_DIR/redirected.out" | od -An -tx1 | tr -d ' ')"
check "redirected: its last line tells the outcome" \
    grep -q "Everything it changed was put back as it was, and checked" "$LAB_DIR/redirected.out"
box_as_before redirected

echo "== two signals: the second one, during the undo, is explained and the undo completes"
hold twice DeletePortMapping 2
in_pty twice "${FIX[@]}"
wait_until 20 "the held DeletePortMapping" held twice
printf '\003' >"$PTY/in"
wait_until 10 "boxwarden's answer to SIGINT" has "$PTY/log" "interrupted (SIGINT)"
hold twice-undo AddPortMapping 1  # the undo's first re-add will be held in turn
release twice
wait_until 20 "the undo's held AddPortMapping" held twice-undo
kill -TERM "$PID"
wait_until 10 "the explanation of the second signal" has "$PTY/log" "still putting the box back as it was; wait"
release twice-undo
rc=$(pty_rc)
check_eq "twice: exit 5 (the undo was not cut short)" 5 "$rc" || show_pty
check_eq "twice: the undo re-added both" 2 "$(($(writes_of twice AddPortMapping) + $(writes_of twice-undo AddPortMapping)))"
box_as_before twice

echo "== Ctrl-C during a rollback: what it restored is taken back (all or nothing)"
lab_igd_fault '{"id": "fix-for-rollback"}'
ip netns exec "$NS_LAPTOP" env BOXWARDEN_NETNS="$NS_LAPTOP" "$BOXWARDEN" "${FIX[@]}" >/dev/null 2>&1 </dev/null
check_eq "rollback: the fix before it closed both" "" "$(lab_mappings)"
hold rollback AddPortMapping 2
in_pty rollback --yes --timeout 30 --state-dir "$STATE" rollback
wait_until 20 "the rollback's held AddPortMapping" held rollback
printf '\003' >"$PTY/in"
wait_until 10 "boxwarden's answer to SIGINT" has "$PTY/log" "interrupted (SIGINT)"
release rollback
rc=$(pty_rc)
check_eq "rollback: exit 5" 5 "$rc" || show_pty
check "rollback: it says what it restored was taken away again" \
    has "$PTY/log" "interrupted by SIGINT: what the rollback had restored was taken away again" || show_pty
check_eq "rollback: the box is as before the rollback (both closed)" "" "$(lab_mappings)"
check "rollback: probe: 11112 closed, as before the rollback" not lab_probe 11112 >/dev/null
check "rollback: probe: 3389 closed, as before the rollback" not lab_probe 3389 >/dev/null

printf '\ninterrupt test: %s s\n' "$((SECONDS - T_START))"
lab_finish
