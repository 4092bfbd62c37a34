#!/usr/bin/env bash
# The Freebox emulator's --upnp-hook in the lab: the box's UPnP IGD switch drives the lab's
# real IGD, miniupnpd. off: stop it (its rules go, its lease file stays); on: start it again
# unless it runs (it reloads its mappings from the lease file). Needs the lab's exported
# variables (LAB_DIR, NS_BOX, ...): the emulator inherits them from lab_bg.
set -u
source "$(dirname "$0")/../lab/lib.sh"
case ${1:-} in
    off) lab_box_power_off ;;
    on) lab_box_is_up || lab_box_power_on ;;
    *) echo "usage: $0 on|off" >&2; exit 2 ;;
esac
