#!/usr/bin/env bash
# Fuzz every parser of outside input with libFuzzer (clang, ASan + UBSan).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Builds the targets of tests/fuzz/ with clang into build-fuzz/ (override with BUILD_DIR), makes
# one corpus per target in build-fuzz/corpus/<target>/ from tests/fuzz/seeds/<target>/ and the
# fixtures named in tests/fuzz/seed_dirs.txt (the corpus is kept and grows from run to run), then
# runs each target for SECONDS (default 30; less when there are more than 8 targets, so that the
# whole run lasts as long as 8 targets of SECONDS did) with -rss_limit_mb=1024 -timeout=5. Prints the
# executions and crashes per target. A crash input is left in build-fuzz/artifacts/<target>/;
# once the bug is fixed, copy it to tests/fuzz/seeds/<target>/ so it stays a regression test.
#
# Installs what it needs first (scripts/install-deps.sh: clang-14, libclang-rt-14-dev, llvm-14).
# Environment: CLANG (default clang++-14, else clang++), FUZZ_JOBS (targets run at once,
# default 1), JOBS (build jobs, default nproc), BUILD_DIR. Exit status: 0 when no target
# crashed, 1 otherwise, 2 on a build error. .ci/run runs it with a short SECONDS (see there).
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
bash "$src/scripts/install-deps.sh"
seconds=${1:-30}
shift || true
build=${BUILD_DIR:-$src/build-fuzz}
jobs=${FUZZ_JOBS:-1}
clang=${CLANG:-$(command -v clang++-14 || command -v clang++ || true)}
[[ -n $clang ]] || { echo "fuzz.sh: clang++ not found (Debian: apt-get install clang)" >&2; exit 2; }
[[ $seconds =~ ^[0-9]+$ ]] || { echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2; exit 2; }

echo "== building the fuzz targets with $clang in $build"
t0=$SECONDS
mkdir -p "$build"
if ! { cmake -S "$src" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$clang" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DBUILD_TESTING=OFF -DBOXWARDEN_FUZZ=ON -DCMAKE_UNITY_BUILD=ON >"$build/configure.log" 2>&1 &&
       cmake --build "$build" --target fuzz -j "${JOBS:-$(nproc)}" >"$build/build.log" 2>&1; }; then
    tail -n 40 "$build/configure.log" "$build/build.log" 2>/dev/null >&2
    echo "fuzz.sh: the build failed (logs: $build/configure.log, $build/build.log)" >&2
    exit 2
fi
echo "   built in $((SECONDS - t0)) s"

targets=("$@")
if ((${#targets[@]} == 0)); then
    for f in "$src"/tests/fuzz/fuzz_*.cpp; do
        t=$(basename "$f" .cpp)
        [[ -x $build/tests/fuzz/$t ]] && targets+=("$t")
    done
    # The whole run lasts no longer than k_budget_targets targets of SECONDS each did (CI's
    # budget, .ci/run and README "Tests and CI"): with more targets, each gets a share of that
    # time (9 targets two at a time: 5 rounds of 48 s instead of 4 of 60). Targets named on the
    # command line get SECONDS each.
    k_budget_targets=8
    rounds_budget=$(((k_budget_targets + jobs - 1) / jobs))
    rounds=$(((${#targets[@]} + jobs - 1) / jobs))
    if ((rounds > rounds_budget)); then
        seconds=$((seconds * rounds_budget / rounds))
        ((seconds > 0)) || seconds=1
    fi
fi

# Crash stacks with file:line (clang's runtime looks for llvm-symbolizer in PATH, which only the
# "llvm" package puts there).
if [[ -z ${ASAN_SYMBOLIZER_PATH:-} && -x /usr/lib/llvm-14/bin/llvm-symbolizer ]]; then
    export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
fi

dict_for() {
    case $1 in
        fuzz_ssdp) echo "$src/tests/fuzz/ssdp.dict" ;;
        fuzz_igd_*) echo "$src/tests/fuzz/xml.dict" ;;
        fuzz_backup | fuzz_livebox | fuzz_freebox) echo "$src/tests/fuzz/json.dict" ;;
    esac
}

# make_corpus TARGET: seeds and fixtures into build-fuzz/corpus/TARGET (files only, never
# larger than 256 KiB: a big seed would raise libFuzzer's -max_len for the whole run).
make_corpus() {
    local t=$1 corpus=$build/corpus/$1 dirs=("$src/tests/fuzz/seeds/$1") d line
    mkdir -p "$corpus"
    while read -r line; do
        # shellcheck disable=SC2206
        local words=($line)
        [[ ${words[0]:-} == "$t" ]] || continue
        for d in "${words[@]:1}"; do dirs+=("$src/$d"); done
    done <"$src/tests/fuzz/seed_dirs.txt"
    for d in "${dirs[@]}"; do
        [[ -d $d ]] || continue
        find "$d" -type f -size -256k -print0 | while IFS= read -r -d '' f; do
            cp -f "$f" "$corpus/seed-$(sha1sum "$f" | cut -c1-16)"
        done
    done
}

run_one() {
    local t=$1 bin=$build/tests/fuzz/$1 art=$build/artifacts/$1 log=$build/logs/$1.log dict
    mkdir -p "$art" "$build/logs"
    make_corpus "$t"
    dict=$(dict_for "$t")
    local before
    before=$(find "$art" -type f | wc -l)
    set +e
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
        "$bin" -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=5 -print_final_stats=1 \
        -artifact_prefix="$art/" ${dict:+-dict="$dict"} "$build/corpus/$t" >"$log" 2>&1
    local rc=$?
    set -e
    local execs crashes corpus
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    crashes=$(($(find "$art" -type f | wc -l) - before))
    corpus=$(find "$build/corpus/$t" -type f | wc -l)
    printf '%-22s %12s %8s %8s %s\n' "$t" "${execs:-?}" "$crashes" "$corpus" \
        "$( ((rc == 0)) && echo ok || echo "exit $rc, see $log")" >>"$build/summary"
}

echo "== fuzzing ${#targets[@]} targets for ${seconds} s each (${jobs} at a time)"
: >"$build/summary"
: >"$build/run-start"
running=0
for t in "${targets[@]}"; do
    [[ -x $build/tests/fuzz/$t ]] || { echo "fuzz.sh: no target $t" >&2; exit 2; }
    run_one "$t" &
    running=$((running + 1))
    if ((running >= jobs)); then
        wait -n || true
        running=$((running - 1))
    fi
done
wait || true

printf '%-22s %12s %8s %8s %s\n' target executions crashes corpus result
sort "$build/summary"
if grep -qv ' ok$' "$build/summary"; then
    # What a CI log needs to reproduce it: the report (with its stack) and the inputs themselves.
    while read -r t _; do
        echo "== $t: end of $build/logs/$t.log" >&2
        tail -n 60 "$build/logs/$t.log" >&2
        find "$build/artifacts/$t" -type f -newer "$build/run-start" -size -16k | while read -r f; do
            echo "== $t: crash input $(basename "$f") in base64 (base64 -d > input; $build/tests/fuzz/$t input)" >&2
            base64 "$f" >&2
        done
    done < <(grep -v ' ok$' "$build/summary")
    echo "fuzz.sh: crashes found; inputs in $build/artifacts/<target>/, logs in $build/logs/" >&2
    exit 1
fi
