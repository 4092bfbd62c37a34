#!/usr/bin/env bash
# The box itself is hostile: miniupnpd is stopped and tests/lab/hostile_igd.py answers SSDP and
# serves the IGD from the box's own address (192.168.1.1:1900 and :5000), since boxwarden only
# trusts the gateway. boxwarden, in the laptop namespace, finds the box by itself and meets an
# oversized description, an entity bomb, 100,000-deep nesting, oversized and endless SOAP
# replies, drip-fed bodies, a server that never answers, escape sequences in URLs and labels,
# a listing that never advances and 65,535 mappings, and an IPv6 firewall whose pinhole walk never
# ends, is sparse, slow, drip-fed, oversized or garbage (bounded in ids, pinholes and time). Every case must end within --timeout + 2 s,
# with bounded memory, exit 3 and one error line (or a harmless report); see hostile_suite.py
# for the cases and limits. HOSTILE_FULL=1 adds the 65,535-entry IGD:1 index walk (slow);
# HOSTILE_CASES="NAME..." runs only those cases; HOSTILE_FIGURES=FILE keeps the figures.
set -u
source "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_boxwarden
lab_up

kill "$LAB_MINIUPNPD_PID" 2>/dev/null
wait "$LAB_MINIUPNPD_PID" 2>/dev/null
_lab_wait_for 5 not lab_ns "$NS_LAPTOP" curl -fsS --max-time 1 -o /dev/null "$IGD_URL" ||
    fail "miniupnpd did not stop"

args=(--boxwarden "$BOXWARDEN" --lab --report "$LAB_DIR/hostile-figures.jsonl")
[[ -n ${HOSTILE_FULL:-} ]] && args+=(--full)
for c in ${HOSTILE_CASES:-}; do args+=(--case "$c"); done # e.g. HOSTILE_CASES="desc-drip soap-drip"
LAB_CHECKS=$((LAB_CHECKS + 1))
if ! "$LAB_PYTHON" "$LAB_LIB_DIR/hostile_suite.py" "${args[@]}"; then
    LAB_FAILURES=$((LAB_FAILURES + 1))
fi
[[ -n ${HOSTILE_FIGURES:-} ]] && cp "$LAB_DIR/hostile-figures.jsonl" "$HOSTILE_FIGURES"
lab_finish
