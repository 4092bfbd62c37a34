#!/usr/bin/env bash
# The lab at fleet scale (issue 10, item 7): 20 sites with the same LAN addressing
# (192.168.1.0/24, the box at .1, the site machine at .10), each site its own pair of
# namespaces (the box: a real miniupnpd, or the Livebox emulator on three sites; the site
# machine: a real sshd on the management network 10.77.0.0/24), and a controller namespace
# that runs ansible-playbook with 20 forks and the boxwarden.router collection in place.
#
# Site 15 is a Livebox whose password file is wrong; site 20's box is powered off. Checked:
# - ansible/playbooks/audit.yml fetches 20 reports: 18 audits (exit 1: the RDP opening is
#   critical under medical-practice) and 2 error documents (auth, exit 4; unreachable,
#   exit 3); the play recap fails exactly those 2 sites; the time end to end is printed;
# - boxwarden.router.fix in check mode reports changed on the 18 and changes nothing (upnpc
#   -l from each site machine, the Livebox emulators' stored state);
# - fix reports changed on the 18 and removes the RDP opening (upnpc from the site machine, the
#   Livebox's stored forwards); a second fix reports changed: false;
# - `boxwarden fleet` on the fetched reports: 20 rows, 2 of them errors.
#
# Environment: BOXWARDEN (the built binary), SOURCE_DIR. Root (namespaces). About 1-2 minutes.
set -u
source "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_boxwarden
for c in ansible-playbook ansible sshd ssh ssh-keygen; do
    command -v "$c" >/dev/null 2>&1 || [[ -x /usr/sbin/$c ]] ||
        _lab_skip_or_fail "$c (Debian: ansible-core openssh-server openssh-client)"
done
SOURCE_DIR=${SOURCE_DIR:-$(cd "$LAB_LIB_DIR/../.." && pwd)}
LIVEBOX_EMU=$SOURCE_DIR/tests/emulators/livebox_emulator.py

SITES=20
LIVEBOX_SITES=" 5 10 15 "
WRONG_PASSWORD=15
POWERED_OFF=20
PROFILE=medical-practice
RDP="TCP 3389 $PC_IP 3389 Remote Desktop"

site() { printf 'site%02d' "$1"; }
mgmt_ip() { echo "10.77.0.$((10 + $1))"; }
is_livebox() { [[ $LIVEBOX_SITES == *" $1 "* ]]; }

# One lab directory and id, as lab_up makes them, so that lab_down (the EXIT trap) and lab_gc
# clean up every namespace and process of this test.
lab_gc
LAB_ID=$(_lab_new_id) || fail "could not pick a free lab id"
LAB_DIR=/tmp/boxwarden-lab.$LAB_ID
mkdir -m 0700 "$LAB_DIR" || fail "cannot create $LAB_DIR"
echo $$ >"$LAB_DIR/owner.pid"
: >"$LAB_DIR/pids"
: >"$LAB_DIR/namespaces"
export LAB_ID LAB_DIR
trap lab_down EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
NS_CTL=$LAB_ID-ctl

new_ns() {
    ip netns add "$1" && printf '%s\n' "$1" >>"$LAB_DIR/namespaces" && lab_ns "$1" ip link set lo up &&
        lab_ns "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# --- what every site shares: the copied binary (as the package installs it), keys, sshd config
lab_log "fleet lab $LAB_ID: $SITES sites"
T0=$SECONDS
PREFIX=$LAB_DIR/prefix
BUILD_DIR=$(cd "$(dirname "$BOXWARDEN")/../.." && pwd)
cmake --install "$BUILD_DIR" --prefix "$PREFIX" >/dev/null || fail "cmake --install into $PREFIX failed"
ssh-keygen -q -t ed25519 -N "" -f "$LAB_DIR/host_key" || fail "ssh-keygen (host key)"
ssh-keygen -q -t ed25519 -N "" -f "$LAB_DIR/ctl_key" || fail "ssh-keygen (controller key)"
cp "$LAB_DIR/ctl_key.pub" "$LAB_DIR/authorized_keys"
mkdir -p /run/sshd  # sshd's privilege separation directory (made by the service at boot)
cat >"$LAB_DIR/sshd_config" <<EOF
HostKey $LAB_DIR/host_key
AuthorizedKeysFile $LAB_DIR/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
MaxStartups 100
Subsystem sftp internal-sftp
SetEnv PATH=$PREFIX/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8
EOF
# The Livebox sites' scenario: a web UI forward of RDP to the PC; each box its own serial number
# (the box id of its report), set in site_up.
cat >"$LAB_DIR/livebox-scenario.json" <<EOF
{"password": "site-livebox-pw", "device_info": {"SerialNumber": "SERIAL"},
 "port_forwards": {"webui_RDP": {"Id": "webui_RDP", "Origin": "webui", "Description": "Remote Desktop",
   "Status": "Enabled", "SourceInterface": "data", "Protocol": "6", "ExternalPort": "3389",
   "InternalPort": "3389", "SourcePrefix": "", "DestinationIPAddress": "$PC_IP",
   "DestinationMACAddress": "", "LeaseDuration": 0, "HairpinNAT": true, "SymmetricSNAT": false,
   "UPnPV1Compat": false, "Enable": true}}}
EOF

# --- the management network: a bridge in the controller namespace
new_ns "$NS_CTL" || fail "cannot create $NS_CTL"
lab_ns "$NS_CTL" ip link add mgmt type bridge || fail "mgmt bridge"
lab_ns "$NS_CTL" ip addr add 10.77.0.1/24 dev mgmt
lab_ns "$NS_CTL" ip link set mgmt up

# site_up N: the box and the site machine of site N, then its daemons.
site_up() {
    local n=$1 s b dir
    s=$LAB_ID-s$(printf %02d "$n") b=$LAB_ID-b$(printf %02d "$n") dir=$LAB_DIR/$(site "$n")
    mkdir -p "$dir/state" || return 1
    new_ns "$s" || return 1
    new_ns "$b" || return 1
    # management: site machine <-> controller bridge
    ip link add "$s" netns "$s" type veth peer name "${s}m" netns "$NS_CTL" || return 1
    lab_ns "$NS_CTL" ip link set "${s}m" master mgmt up || return 1
    lab_ns "$s" ip addr add "$(mgmt_ip "$n")/24" dev "$s" || return 1
    lab_ns "$s" ip link set "$s" up || return 1
    # the site's LAN: site machine .10 <-> box .1; the box's WAN is a veth whose peer stays in the box (a dead end)
    ip link add lan netns "$s" type veth peer name lan netns "$b" || return 1
    lab_ns "$s" ip addr add "$PC_IP/24" dev lan || return 1
    lab_ns "$s" ip link set lan up || return 1
    lab_ns "$s" ip route add default via "$BOX_LAN" || return 1
    lab_ns "$b" ip addr add "$BOX_LAN/24" dev lan || return 1
    lab_ns "$b" ip link add wan type veth peer name wan-end || return 1  # no dummy module in every kernel
    lab_ns "$b" ip link set wan-end up || return 1
    lab_ns "$b" ip addr add "$WAN_IP/24" dev wan || return 1
    lab_ns "$b" ip link set wan up || return 1
    lab_ns "$b" ip link set lan up || return 1
    _lab_nft_rules wan | lab_ns "$b" nft -f - || return 1
    cat >"$dir/miniupnpd.conf" <<EOF
ext_ifname=wan
listening_ip=lan
port=5000
enable_upnp=yes
enable_natpmp=yes
secure_mode=no
system_uptime=yes
lease_file=$dir/upnp.leases
uuid=$(cat /proc/sys/kernel/random/uuid)
friendly_name=$(site "$n") box
model_name=miniupnpd fleet lab IGD
serial=$LAB_ID-$n
allow 1-65535 192.168.1.0/24 1-65535
deny 0-65535 0.0.0.0/0 0-65535
EOF
    if is_livebox "$n"; then
        sed "s/\"SERIAL\"/\"LK00000FLEET$(printf %02d "$n")\"/" "$LAB_DIR/livebox-scenario.json" >"$dir/livebox-scenario.json"
        lab_bg "$b" "$(site "$n")-livebox" "$LAB_PYTHON" "$LIVEBOX_EMU" --bind "$BOX_LAN" --port 80 \
            --port-file "$dir/livebox.port" --state "$dir/livebox-state.json" \
            --scenario "$dir/livebox-scenario.json" --nft --wan-if wan --throttle 0
        if ((n == WRONG_PASSWORD)); then echo "not-the-password" >"$dir/box.pass"; else echo "site-livebox-pw" >"$dir/box.pass"; fi
        chmod 600 "$dir/box.pass"
    elif ((n != POWERED_OFF)); then
        lab_bg "$b" "$(site "$n")-miniupnpd" miniupnpd -d -f "$dir/miniupnpd.conf" -P "$dir/miniupnpd.pid"
    fi
    lab_bg "$s" "$(site "$n")-sshd" /usr/sbin/sshd -D -e -f "$LAB_DIR/sshd_config" \
        -o "ListenAddress=$(mgmt_ip "$n")" -o "PidFile=$dir/sshd.pid"
    ((n != POWERED_OFF)) || lab_ns "$b" ip link set lan down  # the box is off: nothing answers
}

# site_ready N: sshd answers the controller, the box answers the site machine, RDP is open.
site_ready() {
    local n=$1 s dir
    s=$LAB_ID-s$(printf %02d "$n") dir=$LAB_DIR/$(site "$n")
    _lab_wait_for 20 lab_ns "$NS_CTL" bash -c "exec 3<>/dev/tcp/$(mgmt_ip "$n")/22" || return 1
    if is_livebox "$n"; then
        _lab_wait_for 20 test -e "$dir/livebox.port" || return 1
    elif ((n != POWERED_OFF)); then
        _lab_wait_for 20 lab_ns "$s" curl -fsS --max-time 1 -o /dev/null "$IGD_URL" || return 1
        lab_ns "$s" timeout 30 upnpc -u "$IGD_URL" -e "Remote Desktop" -a "$PC_IP" 3389 3389 TCP >/dev/null 2>&1 ||
            return 1
    fi
}

pids=()
for n in $(seq 1 $SITES); do site_up "$n" >"$LAB_DIR/setup-$n.log" 2>&1 & pids+=($!); done
for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || fail "could not build site $((i + 1)): $(cat "$LAB_DIR/setup-$((i + 1)).log")"
done
pids=()
for n in $(seq 1 $SITES); do site_ready "$n" & pids+=($!); done
for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || fail "site $((i + 1)) did not come up (see $LAB_DIR/$(site $((i + 1)))-*.log)"
done
lab_log "$SITES sites up in $((SECONDS - T0)) s"

# mappings N: the box's mappings of site N, read with upnpc from the site machine.
mappings() {
    lab_ns "$LAB_ID-s$(printf %02d "$1")" timeout 60 upnpc -u "$IGD_URL" -L 2>/dev/null |
        "$LAB_PYTHON" "$LAB_LIB_DIR/upnpc_list.py"
}
# livebox_forwards N: the ids of the forwards the Livebox emulator of site N stores.
livebox_forwards() {
    "$LAB_PYTHON" -c 'import json,sys; print(" ".join(sorted(json.load(open(sys.argv[1])).get("port_forwards", {}))))' \
        "$LAB_DIR/$(site "$1")/livebox-state.json"
}
# box_view N: what the box of site N has open (checked before and after each step).
box_view() {
    if is_livebox "$1"; then livebox_forwards "$1"; else mappings "$1"; fi
}
WORKING=()
for n in $(seq 1 $SITES); do ((n == WRONG_PASSWORD || n == POWERED_OFF)) || WORKING+=("$n"); done
for n in "${WORKING[@]}"; do
    if is_livebox "$n"; then
        check_eq "$(site "$n"): the Livebox forwards RDP (before)" "webui_RDP" "$(box_view "$n")"
    else
        check_eq "$(site "$n"): the box maps RDP (before, upnpc from the site)" "$RDP" "$(box_view "$n")"
    fi
done

# --- the controller: inventory and Ansible's settings
REPORTS=$LAB_DIR/reports
{
    echo "all:"
    echo "  vars:"
    echo "    ansible_user: root"
    echo "    ansible_ssh_private_key_file: $LAB_DIR/ctl_key"
    echo "    ansible_python_interpreter: /usr/bin/python3"
    echo "    boxwarden_profile: $PROFILE"
    echo "    boxwarden_gateway: $BOX_LAN"
    echo "    boxwarden_timeout: 30"  # 20 sites share two cores; the dead box gets 4 s (below)
    echo "    boxwarden_reports_dir: $REPORTS"
    echo "  hosts:"
    for n in $(seq 1 $SITES); do
        echo "    $(site "$n"):"
        echo "      ansible_host: $(mgmt_ip "$n")"
        echo "      boxwarden_state_dir: $LAB_DIR/$(site "$n")/state"
        ((n != POWERED_OFF)) || echo "      boxwarden_timeout: 4"
        if is_livebox "$n"; then
            echo "      boxwarden_vendor: livebox"
            echo "      boxwarden_password_file: $LAB_DIR/$(site "$n")/box.pass"
        fi
    done
} >"$LAB_DIR/sites.yml"
mkdir -p "$LAB_DIR/ansible-home" "$LAB_DIR/cp"
ANSIBLE_ENV=(
    ANSIBLE_COLLECTIONS_PATH="$SOURCE_DIR/ansible" ANSIBLE_HOME="$LAB_DIR/ansible-home"
    ANSIBLE_LOCAL_TEMP="$LAB_DIR/ansible-home/tmp" ANSIBLE_REMOTE_TEMP="$LAB_DIR/remote-tmp"
    ANSIBLE_SSH_CONTROL_PATH_DIR="$LAB_DIR/cp" ANSIBLE_PIPELINING=1 ANSIBLE_FORKS=20
    ANSIBLE_HOST_KEY_CHECKING=0 ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=300s -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no -o LogLevel=ERROR"
    ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_INVENTORY="$LAB_DIR/sites.yml"
    ANSIBLE_GATHERING=explicit
)
# ctl NAME CMD...: run an Ansible command in the controller namespace; its output in
# $LAB_DIR/NAME.out and .err; sets CTL_RC and CTL_SECONDS. (Debian's ansible-core has no json
# callback: ad-hoc runs write each host's result with --tree, the playbook's recap is read.)
ctl() {
    local name=$1 t0=$EPOCHREALTIME
    shift
    lab_ns "$NS_CTL" env "${ANSIBLE_ENV[@]}" timeout 300 "$@" >"$LAB_DIR/$name.out" 2>"$LAB_DIR/$name.err"
    CTL_RC=$?
    CTL_SECONDS=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
    lab_log "$name: exit $CTL_RC in $CTL_SECONDS s"
    if ((CTL_RC != 0 && CTL_RC != 2)); then tail -n 20 "$LAB_DIR/$name.err" "$LAB_DIR/$name.out" >&2; fi
}
# results NAME: "SITE failed changed exit_code" per host, from the ad-hoc run's --tree files
# (changed, exit_code) and its output (the hosts it marks FAILED! or UNREACHABLE!).
results() {
    "$LAB_PYTHON" - "$LAB_DIR/$1.tree" "$LAB_DIR/$1.out" <<'EOF'
import json, os, re, sys
failed = set(re.findall(r"^(site\d+) \| (?:FAILED|UNREACHABLE)!", open(sys.argv[2]).read(), re.M))
for host in sorted(os.listdir(sys.argv[1])):
    r = json.load(open(os.path.join(sys.argv[1], host)))
    print(host, str(host in failed).lower(), str(bool(r.get("changed"))).lower(), r.get("exit_code"))
    if host in failed:  # the log says why
        print("   %s: %s" % (host, str(r.get("msg"))[:300]), file=sys.stderr)
EOF
}
# recap NAME: "SITE failed" per host from the playbook's PLAY RECAP ("true" when it failed).
recap() {
    sed -n 's/^\(site[0-9]*\) *: .*unreachable=\([0-9]*\) *failed=\([0-9]*\).*/\1 \2 \3/p' "$LAB_DIR/$1.out" |
        awk '{ print $1, ($2 + $3 > 0) ? "true" : "false" }' | sort
}
# expected CHANGED EXIT_IGD EXIT_LIVEBOX: the rows results() must print when the working sites
# report CHANGED and exit EXIT_IGD (miniupnpd boxes) or EXIT_LIVEBOX.
expected() {
    local n
    for n in $(seq 1 $SITES); do
        if ((n == WRONG_PASSWORD)); then echo "$(site "$n") true false 4"
        elif ((n == POWERED_OFF)); then echo "$(site "$n") true false 3"
        elif is_livebox "$n"; then echo "$(site "$n") false $1 $3"
        else echo "$(site "$n") false $1 $2"; fi
    done
}

# --- 1. the audit playbook, 20 sites at once
echo "== ansible-playbook audit.yml: $SITES sites, forks 20"
ctl audit ansible-playbook "$SOURCE_DIR/ansible/playbooks/audit.yml"
check_exit "the playbook fails (two sites failed)" "$CTL_RC" 2
check_eq "the recap fails exactly site15 and site20" \
    "$(for n in $(seq 1 $SITES); do echo "$(site "$n") $( ((n == WRONG_PASSWORD || n == POWERED_OFF)) && echo true || echo false)"; done)" \
    "$(recap audit)" || tail -n 40 "$LAB_DIR/audit.out"
echo "   20 sites audited end to end in $CTL_SECONDS s"
check_eq "one report per site on the controller" "$SITES" "$(ls "$REPORTS" | grep -c '^site[0-9][0-9]\.json$')"
for n in $(seq 1 $SITES); do
    f=$REPORTS/$(site "$n").json
    if ((n == WRONG_PASSWORD)); then
        check "$(site "$n"): the error document says auth, exit 4" lab_json "$f" \
            "d['error']['kind'] == 'auth' and d['error']['exit_code'] == 4 and d['site'] == '$(site "$n")'"
    elif ((n == POWERED_OFF)); then
        check "$(site "$n"): the error document says unreachable, exit 3" lab_json "$f" \
            "d['error']['kind'] == 'unreachable' and d['error']['exit_code'] == 3 and d['site'] == '$(site "$n")'"
    else
        check "$(site "$n"): its report names the site and finds RDP critical" lab_json "$f" \
            "d['site'] == '$(site "$n")' and d['command'] == 'audit' and any(x['severity'] == 'critical' and '3389' in str(x['subject']) for x in d['findings']) and d['summary']['critical'] >= 1"
    fi
    if declare -F lab_schema >/dev/null; then
        check "$(site "$n"): the fetched document validates" lab_schema "$f" "$( ((n == WRONG_PASSWORD || n == POWERED_OFF)) && echo error || echo report)"
    fi
done

# --- 2. fix in check mode: changed, and nothing changes on any box
FIX_ARGS="profile={{ boxwarden_profile }} gateway={{ boxwarden_gateway }} timeout={{ boxwarden_timeout }} site={{ inventory_hostname }} state_dir={{ boxwarden_state_dir }} vendor={{ boxwarden_vendor | default(omit) }} password_file={{ boxwarden_password_file | default(omit) }}"
echo "== boxwarden.router.fix --check"
ctl fix-check ansible all -m boxwarden.router.fix -a "$FIX_ARGS" --check --diff --tree "$LAB_DIR/fix-check.tree"
check_exit "ansible fix --check fails (two sites failed)" "$CTL_RC" 2
check_eq "per site: check mode would change the 18 boxes" "$(expected true 1 1)" "$(results fix-check)"
for n in "${WORKING[@]}"; do
    if is_livebox "$n"; then
        check_eq "$(site "$n"): check mode changed nothing (Livebox forwards)" "webui_RDP" "$(box_view "$n")"
    else
        check_eq "$(site "$n"): check mode changed nothing (upnpc from the site)" "$RDP" "$(box_view "$n")"
    fi
done

# --- 3. fix: changed, the RDP opening gone; then a second fix changes nothing
echo "== boxwarden.router.fix"
ctl fix ansible all -m boxwarden.router.fix -a "$FIX_ARGS" --diff --tree "$LAB_DIR/fix.tree"
check_exit "ansible fix fails (two sites failed)" "$CTL_RC" 2
# exit 1 on a plain IGD: UPnP stays on (switching it off is a step by hand there); the
# Livebox switches it off itself (exit 0)
check_eq "per site: fix changed the 18 boxes" "$(expected true 1 0)" "$(results fix)"
for n in "${WORKING[@]}"; do
    check_eq "$(site "$n"): the RDP opening is gone" "" "$(box_view "$n")"
done
# --diff: each changed box's state before and after, printed as a diff (the tree files hold no
# diff): one per working site, each taking the RDP opening away and adding none.
check_eq "fix --diff shows 18 boxes before and after" 18 "$(grep -c '^--- before: box state before the fix' "$LAB_DIR/fix.out")"
check_eq "the diffs take 18 RDP openings away" 18 "$(grep -c '^-.*"external_port": 3389' "$LAB_DIR/fix.out")"
check_eq "the diffs add no RDP opening" 0 "$(grep -c '^+.*3389' "$LAB_DIR/fix.out")"
ctl fix-again ansible all -m boxwarden.router.fix -a "$FIX_ARGS" --tree "$LAB_DIR/fix-again.tree"
check_exit "ansible fix (second run) fails (two sites failed)" "$CTL_RC" 2
check_eq "per site: the second fix changes nothing" "$(expected false 1 0)" "$(results fix-again)"

# --- 4. one table of the fleet
echo "== boxwarden fleet $REPORTS"
"$BOXWARDEN" fleet --format json "$REPORTS" >"$LAB_DIR/fleet.json" 2>"$LAB_DIR/fleet.err"
rc=$?
check_exit "fleet exits 4 (the worst: site15's auth error)" "$rc" 4
check "fleet: its JSON validates against schemas/fleet.schema.json" lab_schema "$LAB_DIR/fleet.json" fleet
check "fleet: 20 sites, 18 critical, errors exactly site15 (auth, 4) and site20 (unreachable, 3)" \
    lab_json "$LAB_DIR/fleet.json" \
    "len(d['sites']) == 20 and sum(s['worst'] == 'critical' for s in d['sites']) == 18 and sorted((s['site'], s['error']['kind'], s['error']['exit_code']) for s in d['sites'] if s['error']) == [('site15', 'auth', 4), ('site20', 'unreachable', 3)]"
check "fleet: the 18 boxes have 18 different box ids" lab_json "$LAB_DIR/fleet.json" \
    "len({s['box_id'] for s in d['sites'] if not s['error'] and s['box_id']}) == 18"
"$BOXWARDEN" fleet "$REPORTS" >"$LAB_DIR/fleet.txt"
check "fleet: the table has a row per site and says the two errors" \
    bash -c "grep -c '^site' '$LAB_DIR/fleet.txt' | grep -qx 20 && grep -q 'auth' '$LAB_DIR/fleet.txt' && grep -q 'unreachable' '$LAB_DIR/fleet.txt'"
cat "$LAB_DIR/fleet.txt"

echo "   whole fleet lab: $((SECONDS - T0)) s"
lab_finish
