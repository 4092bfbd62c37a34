#!/usr/bin/env bash
# Installs everything boxwarden needs to build, test and run its lab, from Debian's packages.
# Used by the README commands and by .ci/run. Safe to run twice.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
pkgs=(
  build-essential cmake ninja-build pkg-config g++ git
  libminiupnpc-dev libnatpmp-dev libcurl4-openssl-dev libboost-program-options-dev
  libssl-dev libgtest-dev libgmock-dev googletest nlohmann-json3-dev libpugixml-dev libqrencode-dev zlib1g-dev
  # the lab: a real UPnP daemon, NAT, WireGuard, the peers we compare against
  miniupnpd-nftables miniupnpc natpmpc nftables iproute2 wireguard-tools wireguard-go
  mandoc man-db python3 procps time util-linux
  # reads the QR codes `boxwarden vpn` draws back (unit and lab tests)
  zbar-tools
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The package's own service is never used: the lab starts its own instances in namespaces.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now miniupnpd >/dev/null 2>&1 || true
fi
