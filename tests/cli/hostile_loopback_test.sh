#!/usr/bin/env bash
# The hostile-box cases (tests/lab/hostile_suite.py) without root and without the lab: the
# hostile IGD on 127.0.0.1 and boxwarden with --gateway 127.0.0.1:PORT and
# BOXWARDEN_NETNS=@loopback (it refuses any other target and sends no multicast). When a private
# network namespace is available (unshare -rn), everything runs in one, with its own loopback:
# nothing on the machine's loopback is touched, and the hostile IGD also answers SSDP there.
set -u
: "${BOXWARDEN:?BOXWARDEN must name the built binary}"
src=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
python=/usr/bin/python3
[[ -x $python ]] || python=$(command -v python3)

if [[ -z ${HOSTILE_IN_NETNS:-} ]] && unshare -rn true 2>/dev/null; then
    exec unshare -rn env HOSTILE_IN_NETNS=1 bash "$0" "$@"
fi
extra=()
if [[ -n ${HOSTILE_IN_NETNS:-} ]]; then
    ip link set lo up || exit 1
    extra=(--ssdp-loopback)
    echo "(in a private network namespace)"
elif [[ -n ${CI:-} ]]; then
    # Under CI the slow cases are left out by no one: a machine without 'unshare -rn' fails.
    echo "FAIL: no private network namespace ('unshare -rn'), and CI is set: the slow cases would be skipped"
    exit 1
else
    # On the machine's loopback port 1900 is not ours: no SSDP answer, so every case waits 2 s
    # for one; the slowest cases are left to the lab test to stay within ctest's 120 s.
    extra=(--skip-slow)
    echo "(on the machine's loopback: no private network namespace here)"
fi
exec "$python" "$src/tests/lab/hostile_suite.py" --boxwarden "$BOXWARDEN" --loopback "${extra[@]}" "$@"
