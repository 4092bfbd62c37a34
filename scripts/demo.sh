#!/usr/bin/env bash
# The doctor's case, end to end, in the lab: an imaging PC exposes DICOM (11112) and remote
# desktop (3389) through UPnP mappings, a console maps 3074/udp. boxwarden, run from the
# doctor's laptop, audits, fixes, and rolls back; a machine on the "Internet" tries to
# connect before and after. Everything runs in network namespaces (root needed).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/build.sh"
export BOXWARDEN=${BUILD_DIR:-$top/build}/src/app/boxwarden
source "$top/tests/lab/lib.sh"
lab_require_root
lab_up 2>/dev/null
state=$LAB_DIR/state

if [ -t 1 ]; then say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }; else say() { printf '\n== %s\n' "$*"; }; fi
probe() {
  if lab_probe "$1" >/dev/null 2>&1; then echo "  from the Internet, $WAN_IP:$1 -> OPEN (the imaging PC answers)";
  else echo "  from the Internet, $WAN_IP:$1 -> closed"; fi
}

say "The lab: box $BOX_LAN (Internet address $WAN_IP, real miniupnpd), imaging PC $PC_IP, laptop $LAPTOP_IP"
lab_listen "$NS_PC" 11112
lab_listen "$NS_PC" 3389
lab_upnpc "$NS_PC" -e "PACS DICOM" -a "$PC_IP" 11112 11112 TCP >/dev/null
lab_upnpc "$NS_PC" -e "Remote Desktop" -a "$PC_IP" 3389 3389 TCP >/dev/null
lab_upnpc "$NS_LAPTOP" -e "Xbox Live" -a "$LAPTOP_IP" 3074 3074 UDP >/dev/null
echo "  the imaging PC opened 11112 (DICOM) and 3389 (remote desktop) through UPnP; a console opened 3074/udp"
probe 11112; probe 3389

say "boxwarden audit --profile medical-practice   (on the laptop)"
bw "$NS_LAPTOP" --no-color audit --profile medical-practice || echo "  (exit $?: findings at or above high)"

say "boxwarden --yes fix --profile medical-practice"
bw "$NS_LAPTOP" --no-color --yes --state-dir "$state" fix --profile medical-practice || echo "  (exit $?: what remains must be done by hand)"

say "From the Internet, after the fix"
probe 11112; probe 3389

say "boxwarden --yes rollback   (puts back exactly what was there)"
bw "$NS_LAPTOP" --no-color --yes --state-dir "$state" rollback
probe 11112; probe 3389
echo "  mappings on the box now:"; lab_mappings | sed 's/^/    /'

say "Done; the lab is torn down."
