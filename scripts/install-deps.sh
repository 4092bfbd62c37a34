#!/usr/bin/env bash
# Installs everything boxwarden needs to build, test and run its lab, and to run the sanitizer
# build and the fuzzers (scripts/sanitize.sh, scripts/fuzz.sh), from Debian's packages.
# Used by the README commands, those two scripts and .ci/run. Safe to run twice.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
pkgs=(
  build-essential cmake ninja-build pkg-config g++ git
  libnatpmp-dev libcurl4-openssl-dev libboost-program-options-dev
  # differential tests of the UPnP parsers (tests/differential/); boxwarden itself does not link it
  libminiupnpc-dev
  libssl-dev libgtest-dev libgmock-dev googletest nlohmann-json3-dev libpugixml-dev libqrencode-dev zlib1g-dev
  # the lab: a real UPnP daemon, NAT, WireGuard, the peers we compare against
  miniupnpd-nftables miniupnpc natpmpc nftables iproute2 wireguard-tools wireguard-go
  mandoc man-db python3 procps time
  # tests/cli/schema_check.py: every JSON document the tests produce against schemas/
  python3-jsonschema
  # Every command a test runs is installed here: a test that cannot find one fails under CI
  # (tests/cli/ci_guard.py, tests/unit/skip_or_fail.hpp, scripts/ctest-ci.sh), it is never skipped.
  # the lab (tests/lab/lib.sh) and hostile_loopback_test: curl (probes, fetch checks)
  curl
  # tests/cli/livebox_tls_test: the openssl command makes the test CA and certificates
  openssl ca-certificates
  # unshare (private network/mount namespaces: json_error_test, cli_usage_test, cli_install_test),
  # setpriv and runuser (tests that drop root), flock; script(1) gives the CLI tests a real
  # terminal (vpn_livebox_test, the password-prompt and signal tests); dash is the plain /bin/sh
  # whose terminal is not reset for us (echo-off check); coreutils: timeout, sha256sum (lab)
  util-linux bsdutils dash coreutils
  # reads the QR codes `boxwarden vpn` draws back (unit vpn_qr_test and lab vpn_test)
  zbar-tools
  # tests/cli/html_report_test renders the HTML reports in headless Chromium (PNG, PDF, in a private
  # network namespace), reads the PDFs back (pdftotext, pdfinfo) and the PNG's pixels (PIL)
  chromium poppler-utils python3-pil
  # tests/cli/secrets_test traces fix and vpn setup: no fork, no exec, no password in any argv
  strace
  # scripts/sanitize.sh builds with g++ (its ASan/UBSan runtimes, libasan8 and libubsan1, come
  # with it). scripts/fuzz.sh builds with clang 14: libFuzzer and clang's ASan/UBSan runtimes are
  # in libclang-rt-14-dev (clang-14 only recommends it, so named here); llvm-14 has the
  # llvm-symbolizer that turns a crash's addresses into file:line
  clang-14 libclang-rt-14-dev llvm-14
  # the Debian package (cpack -G DEB: dpkg-shlibdeps from dpkg-dev, checked by lintian) and the
  # Ansible collection and its fleet lab (ansible-core, a real sshd per site, ssh from the
  # controller; tests/cli/ansible_collection_test.py, tests/lab/fleet_test.sh)
  dpkg-dev lintian ansible-core openssh-server openssh-client python3-yaml python3-jsonschema
  # the French messages: xgettext/msgfmt build po/ into the catalogues (po/CMakeLists.txt, tests/cli/po_test);
  # the fr_FR.UTF-8 locale, generated below, for the tests that run boxwarden in French
  gettext locales
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
# The French tests run LANG=fr_FR.UTF-8: a fresh Debian has the locales package but no locale built.
if ! locale -a 2>/dev/null | grep -qix 'fr_FR\.utf-\?8'; then
  $SUDO localedef -i fr_FR -f UTF-8 fr_FR.UTF-8
fi
# The package's own service is never used: the lab starts its own instances in namespaces.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now miniupnpd >/dev/null 2>&1 || true
fi
