#!/usr/bin/env bash
# One run per box (issue 12, item 4), on the doctor's box (miniupnpd; 11112 and 3389 of the PC
# mapped through UPnP). A first `fix` is held in the middle by the fault proxy (kind "hold": the
# second DeletePortMapping waits). Meanwhile a second `fix` on the same box, with another
# --state-dir and as another user (nobody, through setpriv), exits 75 naming the first run's pid
# and user, and sends the box nothing. Once the first has ended, the second works (the lock file
# root created is one nobody can take: mode 0666 in a 01777 directory). A lock file naming a
# run that is gone (killed before it could release it) does not block: it is reported and taken.
set -u
source "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_boxwarden
command -v setpriv >/dev/null || fail "setpriv is missing (Debian: util-linux)"
lab_up

# The locks of this test: in a directory nobody can reach ($LAB_DIR is 0700), created by the
# first run (it must make it 01777 itself).
LOCK_PARENT=$(mktemp -d /tmp/boxwarden-locktest.XXXXXX) || fail "mktemp"
chmod 0755 "$LOCK_PARENT"
locktest_down() {
    local st=$?
    rm -rf "$LOCK_PARENT"
    (exit "$st")  # lab_down shows the logs when the test failed
    lab_down
}
trap locktest_down EXIT
BOXWARDEN_LOCK_DIR=$LOCK_PARENT/locks
export BOXWARDEN_LOCK_DIR
STATE_ROOT=$LAB_DIR/state-root
STATE_NOBODY=$LOCK_PARENT/state-nobody
mkdir -m 0700 "$STATE_NOBODY" && chown 65534:65534 "$STATE_NOBODY"
# nobody may not be able to reach the build tree (a clone under /root or in a 0700 mktemp
# directory, as CI's may be): it runs a copy laid out as installed (bin/ and, beside it,
# share/boxwarden/profiles, where the binary looks for the shipped profiles).
BOXWARDEN_NOBODY=$LOCK_PARENT/nobody/bin/boxwarden
install -D -m 0755 "$BOXWARDEN" "$BOXWARDEN_NOBODY" &&
    install -d -m 0755 "$LOCK_PARENT/nobody/share/boxwarden/profiles" &&
    install -m 0644 "$LAB_LIB_DIR"/../../profiles/*.profile "$LOCK_PARENT/nobody/share/boxwarden/profiles/" ||
    fail "cannot copy the binary and the profiles for nobody"
FIX=(--yes --timeout 30 --profile medical-practice fix)

lab_igd_fault_proxy "$LAPTOP_IP"
ORIGINAL=$LAB_DOCTOR_MAPPINGS
map_originals() { lab_doctor_map; }
map_originals
check_eq "setup: the box has the doctor's two mappings" "$ORIGINAL" "$(lab_mappings)" || fail "lab setup failed"

wait_until() {
    local s=$1 what=$2
    shift 2
    _lab_wait_for "$s" "$@" || fail "no sign of $what within $s s"
}
held() { grep -q "\"rule\": \"$1\".*\"outcome\": \"held\"" "$LAB_FAULT_LOG"; }
writes_of() { grep "\"rule\": \"$1\"" "$LAB_FAULT_LOG" | grep -v '"outcome": "held"' | grep -cE '"action": "(Add|Delete)PortMapping"'; }

# as_nobody NAME ARGS...: boxwarden as user nobody (65534, no groups) in the laptop namespace.
as_nobody() {
    local name=$1
    shift
    BW_OUT=$LAB_DIR/$name.out BW_ERR=$LAB_DIR/$name.err
    ip netns exec "$NS_LAPTOP" env BOXWARDEN_NETNS="$NS_LAPTOP" \
        setpriv --reuid=65534 --regid=65534 --clear-groups timeout 60 "$BOXWARDEN_NOBODY" "$@" >"$BW_OUT" 2>"$BW_ERR" </dev/null
    BW_RC=$?
    printf -- '-- boxwarden %s  (in %s as nobody: exit %s)\n' "$*" "$NS_LAPTOP" "$BW_RC"
}

echo "== a first fix (root) is held in the middle"
lab_igd_fault "{\"id\": \"first\", \"action\": \"DeletePortMapping\", \"nth\": 2, \"kind\": \"hold\", \"release\": \"$LAB_DIR/release-first\"}"
ip netns exec "$NS_LAPTOP" env BOXWARDEN_NETNS="$NS_LAPTOP" "$BOXWARDEN" --state-dir "$STATE_ROOT" "${FIX[@]}" \
    >"$LAB_DIR/first.out" 2>"$LAB_DIR/first.err" </dev/null &
FIRST=$!
wait_until 20 "the first fix's held DeletePortMapping" held first

echo "== meanwhile a second fix, as nobody, with its own --state-dir"
as_nobody second --state-dir "$STATE_NOBODY" "${FIX[@]}"
check_exit "second: exit 75 (busy)" "$BW_RC" 75 || cat "$BW_ERR"
check_eq "second: one line on stderr names the first run" \
    "boxwarden: error: another boxwarden run (pid $FIRST, user root) is changing the box at $BOX_LAN; wait for it to finish, then run this again" \
    "$(cat "$BW_ERR")"
# Requests of the box's changes so far: the first run's done delete and its held one.
check_eq "second: it sent the box no change (only the first run's delete, and the held one)" "1 1" \
    "$(writes_of first) $(grep '"rule": "first"' "$LAB_FAULT_LOG" | grep -c '"outcome": "held"')"
check_eq "second: no backup in its state dir" 0 "$(find "$STATE_NOBODY" -name '*.json' | wc -l)"
lockfile=$(find "$BOXWARDEN_LOCK_DIR" -type f)
netns=$(ip netns exec "$NS_LAPTOP" stat -L -c %i /proc/self/ns/net)
check_eq "the lock file is named after the box and the laptop's network namespace" \
    "$BOXWARDEN_LOCK_DIR/box-$netns-$BOX_LAN.lock" "$lockfile"
check_eq "the lock directory is 01777, the lock file 0666" "1777 666" \
    "$(stat -c %a "$BOXWARDEN_LOCK_DIR") $(stat -c %a "$lockfile")"
check "the lock file names the first run" grep -q "^$FIRST root " "$lockfile"

touch "$LAB_DIR/release-first"
wait "$FIRST"
rc=$?
check_exit "first: the fix completes (exit 1: UPnP itself is a manual step)" "$rc" 1 || cat "$LAB_DIR/first.err"
check_eq "first: the box is fixed" "" "$(lab_mappings)"
check_eq "first: the lock file is emptied at the end" 0 "$(stat -c %s "$lockfile")"

echo "== once the first has ended, the second works (as nobody)"
lab_igd_fault '{"id": "second-again"}'
map_originals
as_nobody second-again --state-dir "$STATE_NOBODY" "${FIX[@]}"
check_exit "second, again: the fix completes" "$BW_RC" 1 || cat "$BW_ERR"
check_eq "second, again: the box is fixed" "" "$(lab_mappings)"
check_eq "second, again: its backup is in its own state dir" 1 "$(find "$STATE_NOBODY" -name '*.json' | wc -l)"

echo "== a stale lock (its run is gone) does not block"
map_originals
true &
gone=$!
wait "$gone"
printf '%s root 2026-01-01T00:00:00Z\n' "$gone" >"$lockfile"
lab_igd_fault '{"id": "stale"}'
as_nobody stale --state-dir "$STATE_NOBODY" "${FIX[@]}"
check_exit "stale: the fix completes" "$BW_RC" 1 || cat "$BW_ERR"
check "stale: it says an earlier run (pid $gone) ended without finishing" \
    grep -q "note: an earlier run on this box (pid $gone, user root, started 2026-01-01T00:00:00Z) ended without finishing" "$BW_ERR"
check_eq "stale: the box is fixed" "" "$(lab_mappings)"

lab_finish
