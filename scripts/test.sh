#!/usr/bin/env bash
# Installs, builds and runs every test: unit, command line, and the lab (real miniupnpd,
# nftables NAT and WireGuard in network namespaces; needs root, as in CI).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/build.sh"
build=${BUILD_DIR:-$top/build}
cd "$build"
bash "$top/scripts/ctest-ci.sh" --output-on-failure -j 2 --timeout 900
