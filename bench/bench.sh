#!/usr/bin/env bash
# Benchmark: how long does it take to read a box's port mappings, discovery included?
# boxwarden `audit --format json` against `upnpc -l` (miniupnpc's client: SSDP, then one
# GetGenericPortMappingEntry per mapping), on the lab's real miniupnpd with N mappings. For
# reference it also times `upnpc -L` (SSDP, then GetListOfPortMappings, IGD:2 only).
#
# usage: sudo BOXWARDEN=build/src/app/boxwarden bench/bench.sh [N...]      (default: 0 10 100)
# env:   BENCH_BW_RUNS (default 5), BENCH_UPNPC_RUNS (default 3)
#
# Not a ctest test: it needs root, builds its own lab (tests/lab/lib.sh) and takes a few
# minutes, most of it in `upnpc -l` at 100 mappings. Requests are counted from miniupnpd's own
# log (one "HTTP REQUEST" line per request it received from the laptop).
set -u
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
source "$BENCH_DIR/../tests/lab/lib.sh"
lab_require_root

SIZES=("$@")
((${#SIZES[@]})) || SIZES=(0 10 100)
BW_RUNS=${BENCH_BW_RUNS:-5}
UPNPC_RUNS=${BENCH_UPNPC_RUNS:-3}
LAB_BW_TIMEOUT=${LAB_BW_TIMEOUT:-300}

have_bw=1
if [[ -z ${BOXWARDEN:-} ]]; then
    guess=$BENCH_DIR/../build/src/app/boxwarden
    [[ -x $guess ]] && BOXWARDEN=$guess
fi
if [[ -z ${BOXWARDEN:-} || ! -x ${BOXWARDEN:-} ]]; then
    echo "note: BOXWARDEN is not set to a built binary; only upnpc -l is measured" >&2
    have_bw=0
else
    BOXWARDEN=$(cd "$(dirname "$BOXWARDEN")" && pwd)/$(basename "$BOXWARDEN")
fi

lab_up
LOG=$LAB_DIR/miniupnpd.log

# now_s: seconds since the epoch, with microseconds.
now_s() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# median [FORMAT]: the median of the numbers on stdin
median() { sort -g | awk -v f="${1:-%.3f}" '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit }
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf f "\n", m }'; }
# requests from the laptop in miniupnpd's log since line $1
requests_since() { tail -n +"$(($1 + 1))" "$LOG" | grep -c "HTTP REQUEST from \[::ffff:$LAPTOP_IP\]"; }

mapped=0
# add_mappings N: bring the box up to N mappings (ports 20000+i, TCP and UDP alternating).
add_mappings() {
    local target=$1
    if ((target > mapped)); then
        lab_ns "$NS_PC" "$LAB_PYTHON" "$BENCH_DIR/add_mappings.py" "http://$BOX_LAN:5000/ctl/IPConn" \
            "$PC_IP" "$mapped" "$((target - 1))" || fail "adding mappings $mapped..$((target - 1)) failed"
    fi
    mapped=$target
    local got
    got=$(lab_mappings "$NS_PC" | wc -l)
    [[ $got -eq $target ]] || fail "the box has $got mappings, expected $target"
}

rows=()
for n in "${SIZES[@]}"; do
    ((n >= mapped)) || fail "sizes must increase (got $n after $mapped)"
    lab_log "adding mappings up to $n"
    add_mappings "$n"

    bw_times=() bw_reqs=() bw_note=""
    if ((have_bw)); then
        for ((r = 1; r <= BW_RUNS; r++)); do
            l0=$(wc -l <"$LOG")
            t0=$(now_s)
            bw "$NS_LAPTOP" audit --format json --profile home >"$LAB_DIR/bw.json" 2>"$LAB_DIR/bw.err"
            rc=$?
            t1=$(now_s)
            sleep 0.2 # let miniupnpd flush its log
            if ((rc >= 2)); then
                bw_note="boxwarden exit $rc: $(tail -n 1 "$LAB_DIR/bw.err")"
                break
            fi
            count=$("$LAB_PYTHON" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["state"]["port_forwards"]))' \
                "$LAB_DIR/bw.json" 2>/dev/null || echo "?")
            [[ $count == "$n" ]] || bw_note="boxwarden reported $count port forwards, expected $n"
            bw_times+=("$(elapsed "$t0" "$t1")")
            bw_reqs+=("$(requests_since "$l0")")
        done
        lab_log "N=$n boxwarden runs: ${bw_times[*]:-none} s; requests: ${bw_reqs[*]:-none} ${bw_note:+($bw_note)}"
    fi

    # run_upnpc OPTION: time `upnpc OPTION` (SSDP discovery included) UPNPC_RUNS times;
    # sets up_times and up_reqs.
    run_upnpc() {
        up_times=() up_reqs=()
        local r l0 t0 t1 count
        for ((r = 1; r <= UPNPC_RUNS; r++)); do
            l0=$(wc -l <"$LOG")
            t0=$(now_s)
            lab_ns "$NS_LAPTOP" timeout 300 upnpc "$1" >"$LAB_DIR/upnpc.out" 2>&1
            t1=$(now_s)
            sleep 0.2
            count=$("$LAB_PYTHON" "$LAB_LIB_DIR/upnpc_list.py" <"$LAB_DIR/upnpc.out" | wc -l)
            [[ $count == "$n" ]] || lab_log "warning: upnpc $1 listed $count mappings, expected $n"
            up_times+=("$(elapsed "$t0" "$t1")")
            up_reqs+=("$(requests_since "$l0")")
        done
        lab_log "N=$n upnpc $1 runs: ${up_times[*]} s; requests: ${up_reqs[*]}"
    }
    run_upnpc -L
    upL_med=$(printf '%s\n' "${up_times[@]}" | median)
    upL_req=$(printf '%s\n' "${up_reqs[@]}" | median %g)
    run_upnpc -l

    bw_med=$(printf '%s\n' "${bw_times[@]}" | grep . | median)
    up_med=$(printf '%s\n' "${up_times[@]}" | median)
    bw_req=$(printf '%s\n' "${bw_reqs[@]}" | grep . | median %g)
    up_req=$(printf '%s\n' "${up_reqs[@]}" | median %g)
    ratio=n/a
    [[ $bw_med != n/a ]] && ratio=$(awk -v a="$up_med" -v b="$bw_med" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "n/a" }')
    rows+=("| $n | $bw_med (${#bw_times[@]} runs) | $up_med (${#up_times[@]} runs) | $ratio | $bw_req | $up_req | $upL_med | $upL_req |${bw_note:+ $bw_note}")
done

echo
echo "Reading the port mappings of the lab's miniupnpd 2.3.1, discovery included (medians, seconds)."
echo "Requests: HTTP requests miniupnpd received per run (median)."
echo
echo "| N mappings | boxwarden audit | upnpc -l | upnpc -l / boxwarden | boxwarden requests | upnpc -l requests | upnpc -L (IGD:2 listing) | upnpc -L requests |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
