#!/usr/bin/env bash
# Configures and builds boxwarden in build/ (or $BUILD_DIR), after installing what it needs.
# A unity build (CMAKE_UNITY_BUILD: eight sources compiled as one): on 2 cores it takes about a
# third of the CPU time, since each header-heavy source (nlohmann/json) is instantiated and
# optimised once per batch, not once per file. It also fails on a name defined twice in two
# files' anonymous namespaces: share such helpers instead (sanitize.sh and fuzz.sh build so too).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/install-deps.sh"
build=${BUILD_DIR:-$top/build}
cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_UNITY_BUILD=ON ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j "$(nproc)"
