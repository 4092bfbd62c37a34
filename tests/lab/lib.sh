# shellcheck shell=bash
# The boxwarden lab: a home network in Linux network namespaces (see tests/lab/README.md and
# the project's LAB.md). Source this file from a lab test, then:
#
#   lab_require_root        # exit 77 (skip) when not root, or exit 1 in CI
#   lab_up                  # build the lab; installs `trap lab_down EXIT`
#   lab_listen "$NS_PC" 11112
#   lab_upnpc "$NS_PC" -e "PACS DICOM" -a "$PC_IP" 11112 11112 TCP
#   lab_probe 11112         # from the Internet namespace to the box's WAN address
#   bw "$NS_LAPTOP" audit --format json
#   lab_finish              # exit 1 when a check failed, 0 otherwise
#
# IPv6: LAB_IPV6=1 lab_up builds the same lab plus IPv6 (LAN 2001:db8:77::/64, WAN
# 2001:db8:ff::/64, no NAT, the forward chain as the box's IPv6 firewall, an empty chain
# box_ipv6 for vendor emulators, miniupnpd with pinholes); then lab_listen answers both
# families, lab_pinhole "$NS_PC" "$PC6" 11112 opens a pinhole, lab_probe6 11112 "$PC6" probes.
#
# The one rule: nothing here ever sends a packet from the machine's own network namespace.
# Every network command runs through `ip netns exec <lab namespace>`, and every lab interface
# is created directly inside a lab namespace.

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export PATH
LAB_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Debian's interpreter: fast to start, and independent of any per-user Python shims.
if [[ -z ${LAB_PYTHON:-} ]]; then
    if [[ -x /usr/bin/python3 ]]; then LAB_PYTHON=/usr/bin/python3; else LAB_PYTHON=$(command -v python3 || echo python3); fi
fi

WAN_IP=11.22.33.44
INET_IP=11.22.33.1
BOX_LAN=192.168.1.1
PC_IP=192.168.1.10
LAPTOP_IP=192.168.1.20
ROGUE_IP=192.168.1.66
IGD_URL=http://$BOX_LAN:5000/rootDesc.xml
export WAN_IP INET_IP BOX_LAN PC_IP LAPTOP_IP ROGUE_IP IGD_URL

# IPv6 (only in a lab built with LAB_IPV6=1 lab_up; see lab_probe6, lab_pinhole): a global prefix from the
# documentation range on the LAN, another on the WAN. No NAT: the Internet reaches a LAN machine
# at its own address, through the box's forward chain (its IPv6 firewall).
BOX6_LAN=2001:db8:77::1
PC6=2001:db8:77::10
LAPTOP6=2001:db8:77::20
ROGUE6=2001:db8:77::66
LAN6_PREFIX=2001:db8:77::/64
BOX6_WAN=2001:db8:ff::2
INET6=2001:db8:ff::1
IGD6_URL=http://[$BOX6_LAN]:5000/rootDesc.xml
export BOX6_LAN PC6 LAPTOP6 ROGUE6 LAN6_PREFIX BOX6_WAN INET6 IGD6_URL

LAB_FAILURES=0
LAB_CHECKS=0
# Verdict lines go to the test's own stdout even when a check's command is redirected
# (check "..." lab_probe 11112 >/dev/null).
exec {LAB_TTY}>&1

# ---------------------------------------------------------------------------------------------
# Messages and assertions

lab_log() { printf '[lab %s] %s\n' "$(date +%T)" "$*" >&2; }

# fail MESSAGE...: report and stop the test now (the EXIT trap tears the lab down).
fail() {
    printf '\nFAIL: %s\n' "$*" >&2
    LAB_FAILURES=$((LAB_FAILURES + 1))
    exit 1
}

# check DESCRIPTION COMMAND [ARGS...]: run COMMAND (in a subshell); record a failure (and go
# on) when it fails. COMMAND's stdout is shown under the verdict when it failed.
check() {
    local what=$1 out rc
    local -
    set +e
    shift
    LAB_CHECKS=$((LAB_CHECKS + 1))
    out=$("$@")
    rc=$?
    if ((rc == 0)); then
        printf 'ok   %s\n' "$what" >&"$LAB_TTY"
        return 0
    fi
    printf 'FAIL %s\n' "$what" >&"$LAB_TTY"
    [[ -n $out ]] && printf '%s\n' "$out" >&"$LAB_TTY"
    LAB_FAILURES=$((LAB_FAILURES + 1))
    return 1
}

# not COMMAND [ARGS...]: succeed when COMMAND fails (for check "... is closed" not lab_probe ...).
not() { ! "$@"; }

# check_eq DESCRIPTION EXPECTED GOT
check_eq() {
    LAB_CHECKS=$((LAB_CHECKS + 1))
    if [[ "$2" == "$3" ]]; then
        printf 'ok   %s\n' "$1" >&"$LAB_TTY"
    else
        printf 'FAIL %s\n     expected: %s\n     got:      %s\n' "$1" "${2//$'\n'/$'\n'           }" \
            "${3//$'\n'/$'\n'           }" >&"$LAB_TTY"
        LAB_FAILURES=$((LAB_FAILURES + 1))
        return 1
    fi
}

# check_exit DESCRIPTION GOT ALLOWED... : the exit status GOT must be one of ALLOWED.
check_exit() {
    local what=$1 got=$2 a
    shift 2
    LAB_CHECKS=$((LAB_CHECKS + 1))
    for a in "$@"; do
        if [[ "$got" == "$a" ]]; then
            printf 'ok   %s (exit %s)\n' "$what" "$got" >&"$LAB_TTY"
            return 0
        fi
    done
    printf 'FAIL %s\n     expected exit: %s\n     got exit:      %s\n' "$what" "$*" "$got" >&"$LAB_TTY"
    LAB_FAILURES=$((LAB_FAILURES + 1))
    return 1
}

# lab_json FILE EXPRESSION [EXPLAIN-EXPRESSION]: evaluate a Python expression over the JSON
# document in FILE (bound to `d`); succeeds when it is truthy. On failure it prints the value
# of EXPLAIN-EXPRESSION (default: the whole document, shortened) so the log shows what was got.
lab_json() {
    "$LAB_PYTHON" "$LAB_LIB_DIR/jsonq.py" "$@"
}

# lab_schema FILE SCHEMA: FILE (boxwarden's --format json output, or JSON Lines) validates
# against schemas/SCHEMA.schema.json (report, error, vendors, profiles, backups, discover,
# fleet); on failure the problems are printed. Use as: check "report is valid" lab_schema F report
lab_schema() {
    "$LAB_PYTHON" "$LAB_LIB_DIR/../cli/schema_check.py" "$1" "$2" 2>&1
}

# lab_finish: print a summary; exit 1 if any check failed.
lab_finish() {
    if ((LAB_FAILURES > 0)); then
        printf '\n%s: %d of %d checks FAILED\n' "$(basename "$0")" "$LAB_FAILURES" "$LAB_CHECKS"
        exit 1
    fi
    printf '\n%s: all %d checks passed\n' "$(basename "$0")" "$LAB_CHECKS"
    exit 0
}

# ---------------------------------------------------------------------------------------------
# Preconditions

_lab_skip_or_fail() {
    if [[ -n ${CI:-} ]]; then
        printf '\n*** ERROR: %s (CI is set, so this is a failure, not a skip) ***\n\n' "$*" >&2
        exit 1
    fi
    printf '\n*** SKIP: lab tests need %s ***\n\n' "$*" >&2
    exit 77
}

lab_require_root() {
    if [[ $(id -u) -ne 0 ]]; then
        _lab_skip_or_fail "root (network namespaces, nftables and miniupnpd need it; run: sudo ctest -L lab)"
    fi
    local c missing=()
    for c in miniupnpd nft ip upnpc curl "$LAB_PYTHON"; do
        command -v "$c" >/dev/null 2>&1 || missing+=("$c")
    done
    if ((${#missing[@]})); then
        _lab_skip_or_fail "these commands, which are missing: ${missing[*]} (Debian: miniupnpd-nftables nftables iproute2 miniupnpc curl python3)"
    fi
}

# lab_require_boxwarden: the binary under test, from $BOXWARDEN (ctest sets it).
# The WireGuard commands the VPN tests run (Debian: wireguard-go, wireguard-tools).
lab_require_wireguard() {
    local c
    for c in wireguard-go wg wg-quick; do
        command -v "$c" >/dev/null 2>&1 || _lab_skip_or_fail "$c (Debian: wireguard-go wireguard-tools)"
    done
}

lab_require_boxwarden() {
    if [[ -z ${BOXWARDEN:-} ]]; then
        local guess=${SOURCE_DIR:-$LAB_LIB_DIR/../..}/build/src/app/boxwarden
        [[ -x $guess ]] && BOXWARDEN=$(cd "$(dirname "$guess")" && pwd)/boxwarden
    fi
    [[ -n ${BOXWARDEN:-} && -x $BOXWARDEN ]] ||
        fail "BOXWARDEN must name the built binary (got '${BOXWARDEN:-}'); e.g. BOXWARDEN=build/src/app/boxwarden"
    BOXWARDEN=$(cd "$(dirname "$BOXWARDEN")" && pwd)/$(basename "$BOXWARDEN")
    export BOXWARDEN
}

# ---------------------------------------------------------------------------------------------
# Building and tearing down the lab

# lab_ns NS CMD...: run CMD inside namespace NS.
lab_ns() {
    local ns=$1
    shift
    ip netns exec "$ns" "$@"
}

# lab_bg NS NAME CMD...: start CMD in the background inside NS, logging to $LAB_DIR/NAME.log,
# and record its real PID (ip execs the command, so $! is the command itself).
# Sets LAB_LAST_PID.
lab_bg() {
    local ns=$1 name=$2
    shift 2
    ip netns exec "$ns" "$@" </dev/null >>"$LAB_DIR/$name.log" 2>&1 &
    LAB_LAST_PID=$!
    printf '%s %s\n' "$LAB_LAST_PID" "$name" >>"$LAB_DIR/pids"
}

_lab_new_id() {
    local id i
    for i in 1 2 3 4 5 6 7 8; do
        id=bwl$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
        if ! ip netns list | grep -q "^$id-" && [[ ! -e /tmp/boxwarden-lab.$id ]]; then
            echo "$id"
            return 0
        fi
    done
    return 1
}

# _lab_wait_for SECONDS CMD...: retry CMD every 0.1 s until it succeeds or time runs out.
_lab_wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    while ! "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

_lab_nft_rules() {
    local wan=$1 box6_chain="" box6_jump=""
    # IPv6 lab: vendor emulators put their IPv6 effect (firewall level, web-UI pinholes) in
    # box_ipv6, jumped to last, before the policy drops what nothing accepted.
    if [[ -n ${LAB_V6:-} ]]; then
        box6_chain=$'\n  chain box_ipv6 { }'
        box6_jump=$'\n    jump box_ipv6'
    fi
    cat <<EOF
table inet filter {
  chain miniupnpd { }$box6_chain
  chain prerouting_miniupnpd { }
  chain postrouting_miniupnpd { }
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    ct status dnat accept
    jump miniupnpd
    iifname "br0" oifname "br0" accept
    iifname "br0" oifname "$wan" accept$box6_jump
  }
  chain prerouting {
    type nat hook prerouting priority -100; policy accept;
    jump prerouting_miniupnpd
  }
  chain postrouting {
    type nat hook postrouting priority 100; policy accept;
    jump postrouting_miniupnpd
    oifname "$wan" ip saddr 192.168.1.0/24 masquerade
  }
}
EOF
}

_lab_miniupnpd_conf() {
    cat <<EOF
# miniupnpd for boxwarden lab $LAB_ID (written by tests/lab/lib.sh)
ext_ifname=$LAB_WAN_IF
listening_ip=br0
port=5000
enable_upnp=yes
enable_natpmp=yes
secure_mode=no
system_uptime=yes
lease_file=$LAB_DIR/upnp.leases
notify_interval=60
clean_ruleset_interval=600
uuid=$LAB_UUID
friendly_name=Lab box $LAB_ID
manufacturer_name=boxwarden lab
manufacturer_url=http://192.168.1.1/
model_name=miniupnpd lab IGD
model_description=miniupnpd in a network namespace
model_number=2.3.1
serial=$LAB_ID
allow 1-65535 192.168.1.0/24 1-65535
deny 0-65535 0.0.0.0/0 0-65535
EOF
    # IPv6 lab: WANIPv6FirewallControl (pinholes in chain miniupnpd). ipv6_listening_ip stays
    # unset: set, miniupnpd's HTTP server listened on IPv6 only and IPv4 clients hung.
    [[ -z ${LAB_V6:-} ]] || printf 'ext_ifname6=%s\n' "$LAB_WAN_IF"
}

# _lab_add_lan_host NS NAME IP [IP6]: one veth from the host's namespace to the box's bridge.
_lab_add_lan_host() {
    local ns=$1 name=$2 ip=$3 ip6=${4:-}
    local host_if="$LAB_ID-$name" box_if="${LAB_ID}b-$name"
    ip link add "$host_if" netns "$ns" type veth peer name "$box_if" netns "$NS_BOX" || return 1
    lab_ns "$NS_BOX" ip link set "$box_if" master br0 up || return 1
    lab_ns "$ns" ip addr add "$ip/24" dev "$host_if" || return 1
    if [[ -n $ip6 ]]; then
        lab_ns "$ns" ip -6 addr add "$ip6/64" dev "$host_if" nodad || return 1
    fi
    lab_ns "$ns" ip link set "$host_if" up || return 1
    lab_ns "$ns" ip route add default via "$BOX_LAN" || return 1
    if [[ -n $ip6 ]]; then
        lab_ns "$ns" ip -6 route add default via "$BOX6_LAN" || return 1
    fi
}

_lab_build() {
    local ns
    for ns in "$NS_INET" "$NS_BOX" "$NS_PC" "$NS_LAPTOP" "$NS_ROGUE"; do
        ip netns add "$ns" || return 1
        printf '%s\n' "$ns" >>"$LAB_DIR/namespaces"
        lab_ns "$ns" ip link set lo up || return 1
        if [[ -n ${LAB_V6:-} ]]; then
            # IPv6 lab: addresses usable at once (no DAD), no router solicitations.
            lab_ns "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
                net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.default.accept_ra=0 || return 1
        else
            # IPv4 only: no router solicitations, MLD or DAD noise in the lab.
            lab_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || true
        fi
    done
    local v6=""
    [[ -z ${LAB_V6:-} ]] || v6=1

    # Internet <-> box WAN.
    ip link add "$LAB_ID-inet" netns "$NS_INET" type veth peer name "$LAB_WAN_IF" netns "$NS_BOX" || return 1
    lab_ns "$NS_INET" ip addr add "$INET_IP/24" dev "$LAB_ID-inet" || return 1
    lab_ns "$NS_INET" ip link set "$LAB_ID-inet" up || return 1
    lab_ns "$NS_BOX" ip addr add "$WAN_IP/24" dev "$LAB_WAN_IF" || return 1
    lab_ns "$NS_BOX" ip link set "$LAB_WAN_IF" up || return 1
    lab_ns "$NS_BOX" ip route add default via "$INET_IP" || return 1
    if [[ -n $v6 ]]; then
        lab_ns "$NS_INET" ip -6 addr add "$INET6/64" dev "$LAB_ID-inet" nodad || return 1
        lab_ns "$NS_INET" ip -6 route add "$LAN6_PREFIX" via "$BOX6_WAN" || return 1
        lab_ns "$NS_BOX" ip -6 addr add "$BOX6_WAN/64" dev "$LAB_WAN_IF" nodad || return 1
        lab_ns "$NS_BOX" ip -6 route add default via "$INET6" || return 1
    fi

    # Box LAN: a bridge; multicast snooping off so SSDP reaches every port.
    lab_ns "$NS_BOX" ip link add br0 type bridge mcast_snooping 0 || return 1
    lab_ns "$NS_BOX" ip addr add "$BOX_LAN/24" dev br0 || return 1
    lab_ns "$NS_BOX" ip link set br0 up || return 1
    lab_ns "$NS_BOX" sysctl -qw net.ipv4.ip_forward=1 || return 1
    if [[ -n $v6 ]]; then
        lab_ns "$NS_BOX" ip -6 addr add "$BOX6_LAN/64" dev br0 nodad || return 1
        lab_ns "$NS_BOX" sysctl -qw net.ipv6.conf.all.forwarding=1 || return 1
    fi
    # When br_netfilter is loaded (Docker hosts), bridged LAN-to-LAN frames would go through
    # the forward chain below; a home box's switch does not filter them.
    if [[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]]; then
        lab_ns "$NS_BOX" sysctl -qw net.bridge.bridge-nf-call-iptables=0 \
            net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0 2>/dev/null || true
    fi

    _lab_add_lan_host "$NS_PC" pc "$PC_IP" ${v6:+"$PC6"} || return 1
    _lab_add_lan_host "$NS_LAPTOP" laptop "$LAPTOP_IP" ${v6:+"$LAPTOP6"} || return 1
    _lab_add_lan_host "$NS_ROGUE" rogue "$ROGUE_IP" ${v6:+"$ROGUE6"} || return 1

    _lab_nft_rules "$LAB_WAN_IF" >"$LAB_DIR/box.nft"
    lab_ns "$NS_BOX" nft -f "$LAB_DIR/box.nft" || return 1

    _lab_miniupnpd_conf >"$LAB_DIR/miniupnpd.conf"
    lab_bg "$NS_BOX" miniupnpd miniupnpd -d -f "$LAB_DIR/miniupnpd.conf" -P "$LAB_DIR/miniupnpd.pid"
    LAB_MINIUPNPD_PID=$LAB_LAST_PID
    export LAB_MINIUPNPD_PID
    if ! _lab_wait_for 15 lab_ns "$NS_LAPTOP" curl -fsS --max-time 1 -o /dev/null "$IGD_URL"; then
        lab_log "miniupnpd did not answer $IGD_URL within 15 s; its log:"
        tail -n 30 "$LAB_DIR/miniupnpd.log" >&2
        return 1
    fi
}

# lab_up: build a fresh lab with unique names and export its description.
lab_up() {
    [[ -z ${LAB_ID:-} ]] || fail "lab_up called twice (lab $LAB_ID is up)"
    lab_gc
    LAB_ID=$(_lab_new_id) || fail "could not pick a free lab id"
    LAB_DIR=/tmp/boxwarden-lab.$LAB_ID
    mkdir -m 0700 "$LAB_DIR" || fail "cannot create $LAB_DIR"
    echo $$ >"$LAB_DIR/owner.pid"
    : >"$LAB_DIR/pids"
    : >"$LAB_DIR/namespaces"
    NS_INET=$LAB_ID-inet NS_BOX=$LAB_ID-box NS_PC=$LAB_ID-pc NS_LAPTOP=$LAB_ID-laptop NS_ROGUE=$LAB_ID-rogue
    LAB_WAN_IF=$LAB_ID-wan
    LAB_UUID=$(cat /proc/sys/kernel/random/uuid)
    # LAB_V6: this lab has IPv6 (LAB_IPV6=1 lab_up sets LAB_IPV6 for this call only).
    LAB_V6=${LAB_IPV6:+1}
    export LAB_ID LAB_DIR NS_INET NS_BOX NS_PC NS_LAPTOP NS_ROGUE LAB_WAN_IF LAB_UUID LAB_V6
    trap lab_down EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    lab_log "building lab $LAB_ID in $LAB_DIR"
    _lab_build || fail "could not build lab $LAB_ID (see messages above)"
    lab_log "lab $LAB_ID is up${LAB_V6:+ with IPv6} (miniupnpd pid $LAB_MINIUPNPD_PID)"
}

# lab_down [LAB_ID]: kill everything the lab started, delete its namespaces and its directory.
# Idempotent; safe to call on a half-built lab.
lab_down() {
    local status=$? id=${1:-${LAB_ID:-}} dir ns pid name pids=() nss=()
    local - # callers may run under set -e: teardown must go on past any failing command
    set +e
    [[ -n $id ]] || return 0
    dir=/tmp/boxwarden-lab.$id
    if [[ $status -ne 0 && -z ${LAB_QUIET:-} && $id == "${LAB_ID:-}" ]]; then
        local f
        for f in "$dir"/*.log; do
            [[ -s $f ]] || continue
            echo "--- last lines of $f ---" >&2
            tail -n 12 "$f" >&2
        done
    fi
    if [[ -f $dir/pids ]]; then
        while read -r pid name; do pids+=("$pid"); done <"$dir/pids"
    fi
    if [[ -f $dir/namespaces ]]; then
        while read -r ns; do nss+=("$ns"); done <"$dir/namespaces"
    fi
    for ns in "$id-inet" "$id-box" "$id-pc" "$id-laptop" "$id-rogue"; do
        [[ " ${nss[*]} " == *" $ns "* ]] || nss+=("$ns")
    done
    for ns in "${nss[@]}"; do
        [[ -e /run/netns/$ns ]] || continue
        while read -r pid; do [[ -n $pid ]] && pids+=("$pid"); done < <(ip netns pids "$ns" 2>/dev/null)
    done
    if ((${#pids[@]})); then
        kill "${pids[@]}" 2>/dev/null
        local t
        for t in $(seq 1 30); do
            local alive=0
            for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
            ((alive)) || break
            sleep 0.1
        done
        kill -9 "${pids[@]}" 2>/dev/null
        wait "${pids[@]}" 2>/dev/null
    fi
    for ns in "${nss[@]}"; do
        [[ -e /run/netns/$ns ]] && ip netns del "$ns" 2>/dev/null
    done
    rm -rf "$dir"
    if [[ $id == "${LAB_ID:-}" ]]; then
        unset LAB_ID LAB_V6
        trap - EXIT
    fi
    return 0
}

# lab_gc: tear down labs whose owning process is gone (left over by a killed run). Only labs
# made by lab_up (their directory names the owner) are touched, never other namespaces.
lab_gc() {
    local id owner
    local -
    set +e
    for id in $(ip netns list | sed -n 's/^\(bwl[0-9a-f]\{4\}\)-.*/\1/p' | sort -u); do
        owner=$(cat "/tmp/boxwarden-lab.$id/owner.pid" 2>/dev/null)
        [[ $owner =~ ^[0-9]+$ ]] || continue
        if ! kill -0 "$owner" 2>/dev/null; then
            lab_log "removing stale lab $id"
            lab_down "$id"
        fi
    done
}

# ---------------------------------------------------------------------------------------------
# Peers and probes

# lab_listen NS PORT [udp]: a listener on 0.0.0.0:PORT in NS that answers "hello from NS:PORT".
# In an IPv6 lab it listens on [::]:PORT for both families (IPv4 peers logged as a.b.c.d).
lab_listen() {
    local ns=$1 port=$2 proto=${3:-tcp}
    local ready=$LAB_DIR/listen-$ns-$port-$proto.ready
    lab_bg "$ns" "listen-$ns-$port-$proto" "$LAB_PYTHON" "$LAB_LIB_DIR/listener.py" "$port" "$proto" "$ns" "$ready" \
        ${LAB_V6:+dual}
    _lab_wait_for 5 test -e "$ready" || fail "listener $ns $port/$proto did not start (see $LAB_DIR/listen-$ns-$port-$proto.log)"
}

# lab_probe PORT [HOST] [udp]: from the Internet namespace, connect to HOST:PORT (default the
# box's WAN address) with a 2 s timeout. Exit 0 and print the banner when connected.
lab_probe() {
    local port=$1 host=${2:-$WAN_IP} proto=${3:-tcp}
    lab_ns "$NS_INET" "$LAB_PYTHON" "$LAB_LIB_DIR/probe.py" "$host" "$port" "$proto"
}

# lab_probe6 PORT HOST6 [udp]: from the Internet namespace, connect to [HOST6]:PORT (a LAN
# machine's own address: no NAT in IPv6) with a 2 s timeout. IPv6 lab only.
lab_probe6() {
    local port=$1 host=$2 proto=${3:-tcp}
    lab_ns "$NS_INET" "$LAB_PYTHON" "$LAB_LIB_DIR/probe.py" "$host" "$port" "$proto"
}

# lab_reach NS HOST: HOST answers packets from NS (a TCP "ping": connected or reset).
lab_reach() {
    lab_ns "$1" "$LAB_PYTHON" "$LAB_LIB_DIR/probe.py" "$2" 9 reach 1 >/dev/null 2>&1
}

# lab_upnpc NS ARGS...: run upnpc in NS. Without -u in ARGS it talks straight to the box's IGD
# (no SSDP: faster, and immune to the rogue responder); set LAB_UPNPC_DISCOVER=1 to use SSDP.
lab_upnpc() {
    local ns=$1
    shift
    if [[ -n ${LAB_UPNPC_DISCOVER:-} || " $* " == *" -u "* ]]; then
        lab_ns "$ns" timeout 120 upnpc "$@"
    else
        lab_ns "$ns" timeout 120 upnpc -u "$IGD_URL" "$@"
    fi
}

# lab_pinhole NS HOST6 PORT [PROTO] [LEASE]: from NS, open an IPv6 pinhole (AddPinhole, any
# remote host and port) to [HOST6]:PORT through the box's IGD over IPv6, as an application on
# that machine does (miniupnpd lets a host open pinholes to itself only). PROTO TCP (default)
# or UDP, LEASE seconds (default 3600). Prints the pinhole's UniqueID; fails when none was given.
lab_pinhole() {
    local ns=$1 host=$2 port=$3 proto=${4:-TCP} lease=${5:-3600} out id
    out=$(lab_ns "$ns" timeout 30 upnpc -6 -u "$IGD6_URL" -A "" 0 "$host" "$port" "$proto" "$lease" 2>&1)
    id=$(sed -n 's/.*Pinhole ID = \([0-9][0-9]*\).*/\1/p' <<<"$out" | head -n 1)
    if [[ -z $id ]]; then
        lab_log "lab_pinhole $ns $host $port $proto: no pinhole ID; upnpc said:"
        printf '%s\n' "$out" | tail -n 8 >&2
        return 1
    fi
    printf '%s\n' "$id"
}

# The doctor's case (CNIL SAN-2020-014): the imaging PC maps its DICOM server (11112) and Remote
# Desktop (3389) through UPnP. lab_doctor_map makes the two mappings; LAB_DOCTOR_MAPPINGS is
# how lab_mappings lists them.
LAB_DOCTOR_MAPPINGS="TCP 3389 $PC_IP 3389 Remote Desktop
TCP 11112 $PC_IP 11112 PACS DICOM"
lab_doctor_map() {
    lab_upnpc "$NS_PC" -e "PACS DICOM" -a "$PC_IP" 11112 11112 TCP >/dev/null 2>&1
    lab_upnpc "$NS_PC" -e "Remote Desktop" -a "$PC_IP" 3389 3389 TCP >/dev/null 2>&1
}

# lab_mappings NS: the box's port mappings (via GetListOfPortMappings), one per line:
# "PROTO EXTPORT INTERNAL_HOST INTERNAL_PORT DESCRIPTION", sorted.
lab_mappings() {
    lab_upnpc "${1:-$NS_PC}" -L | "$LAB_PYTHON" "$LAB_LIB_DIR/upnpc_list.py"
}

# lab_open_ports ADDRESS PORT...: which of the TCP ports answer at ADDRESS from the Internet
# namespace, space separated, in the order given (one probe process, all ports at once: a dropped
# probe waits its 2 s).
lab_open_ports() {
    lab_ns "$NS_INET" "$LAB_PYTHON" -c '
import concurrent.futures, socket, sys
def probe(port):
    try:
        with socket.create_connection((sys.argv[1], int(port)), timeout=2):
            return port
    except OSError:
        return None
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    print(" ".join(p for p in pool.map(probe, sys.argv[2:]) if p))' "$@"
}

# bw NS ARGS...: run the boxwarden binary under test inside NS; BOXWARDEN_NETNS tells it which
# namespace it must be in (it refuses any network I/O elsewhere). A run without --state-dir keeps
# its backups, journal and pins in the lab's own state home ($LAB_DIR/xdg-state), never in the
# user's: labs do not see each other's journal.
bw() {
    local ns=$1
    shift
    [[ -n ${BOXWARDEN:-} ]] || lab_require_boxwarden
    lab_ns "$ns" env BOXWARDEN_NETNS="$ns" XDG_STATE_HOME="$LAB_DIR/xdg-state" \
        timeout "${LAB_BW_TIMEOUT:-120}" "$BOXWARDEN" "$@"
}

# bw_capture NAME NS ARGS...: run bw, stdout to $LAB_DIR/NAME.out, stderr to $LAB_DIR/NAME.err;
# sets BW_RC, BW_OUT, BW_ERR and BW_SECONDS. Prints the command and its exit status.
bw_capture() {
    local name=$1 ns=$2
    shift 2
    BW_OUT=$LAB_DIR/$name.out BW_ERR=$LAB_DIR/$name.err
    local t0=$EPOCHREALTIME
    bw "$ns" "$@" >"$BW_OUT" 2>"$BW_ERR"
    BW_RC=$?
    BW_SECONDS=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
    printf -- '-- boxwarden %s  (in %s: exit %s, %ss)\n' "$*" "$ns" "$BW_RC" "$BW_SECONDS"
    if ((BW_RC >= 2)); then
        printf '   stderr:\n'
        sed 's/^/   | /' "$BW_ERR" | tail -n 25
    fi
    bw_capture_schema "$name" "$@"
}

# bw_capture_schema NAME ARGS...: when a bw_capture run printed JSON on stdout (--format json),
# it must validate against the shipped schema of its command (an error document against
# error.schema.json). Commands without a schema (rollback, vpn, pair) are not checked.
bw_capture_schema() {
    local name=$1 a json=0 schema=
    shift
    for a in "$@"; do
        case $a in
            --format=json) json=1 ;;
            json) [[ ${prev:-} == --format ]] && json=1 ;;
            audit | plan | fix) [[ -z $schema ]] && schema=report ;;
            discover | vendors | profiles | backups | fleet | history | breach) [[ -z $schema ]] && schema=$a ;;
            rollback | vpn | pair | forget-certificate) [[ -z $schema ]] && schema=none ;;
        esac
        local prev=$a
    done
    if ((json)) && [[ -n $schema && $schema != none && -s $BW_OUT ]]; then
        check "$name: its JSON validates against schemas/$schema.schema.json" lab_schema "$BW_OUT" "$schema"
    fi
}

# bw_show: print the last run's stdout and stderr (for a failed check).
bw_show() {
    printf '   stdout (%s):\n' "$BW_OUT"
    sed 's/^/   | /' "$BW_OUT" | head -n 60
    printf '   stderr (%s):\n' "$BW_ERR"
    sed 's/^/   | /' "$BW_ERR" | tail -n 30
}

# lab_rogue_ssdp [LOCATION_URL]: a rogue SSDP responder + fake IGD in NS_ROGUE. Its request log
# is $LAB_ROGUE_LOG (JSON lines: {"kind": "ssdp"|"http", "client": ..., ...}).
lab_rogue_ssdp() {
    local location=${1:-http://$ROGUE_IP:5000/rootDesc.xml}
    LAB_ROGUE_LOG=$LAB_DIR/rogue-requests.jsonl
    export LAB_ROGUE_LOG
    : >"$LAB_ROGUE_LOG"
    local ready=$LAB_DIR/rogue.ready
    lab_bg "$NS_ROGUE" rogue "$LAB_PYTHON" "$LAB_LIB_DIR/rogue_ssdp.py" \
        --location "$location" --address "$ROGUE_IP" --port 5000 \
        --log "$LAB_ROGUE_LOG" --ready "$ready"
    LAB_ROGUE_PID=$LAB_LAST_PID
    export LAB_ROGUE_PID
    _lab_wait_for 5 test -e "$ready" || fail "rogue SSDP responder did not start (see $LAB_DIR/rogue.log)"
}

# ---------------------------------------------------------------------------------------------
# Faults on the UPnP IGD path (tests/lab/igd_faults_test.sh): a fault-injecting proxy in front of
# miniupnpd, and the box's power switch.

LAB_FAULT_PROXY_PORT=5080

# lab_igd_fault_proxy [CLIENT_IP]: start tests/lab/fault_proxy.py in the box namespace and steer
# CLIENT_IP's (default the laptop's) connections to $BOX_LAN:5000 to it with an nftables DNAT in
# the box namespace; other LAN hosts still talk to miniupnpd directly (lab_mappings from NS_PC
# sees the box itself). Arm a fault with lab_igd_fault; the proxy logs every request to
# $LAB_FAULT_LOG (JSON lines). The reboot and outage faults run lab_box_power_off; a reboot runs
# lab_box_power_on 1.5 s later, an outage leaves that to the test.
lab_igd_fault_proxy() {
    local client=${1:-$LAPTOP_IP}
    LAB_FAULT_RULES=$LAB_DIR/fault-rules.json LAB_FAULT_LOG=$LAB_DIR/fault-proxy.jsonl
    export LAB_FAULT_RULES LAB_FAULT_LOG
    : >"$LAB_FAULT_RULES"
    : >"$LAB_FAULT_LOG"
    local ready=$LAB_DIR/fault-proxy.ready
    lab_bg "$NS_BOX" fault-proxy "$LAB_PYTHON" "$LAB_LIB_DIR/fault_proxy.py" \
        --listen "$BOX_LAN:$LAB_FAULT_PROXY_PORT" --upstream "$BOX_LAN:5000" \
        --rules "$LAB_FAULT_RULES" --log "$LAB_FAULT_LOG" --ready "$ready" \
        --down-cmd "bash -c 'source \"$LAB_LIB_DIR/lib.sh\"; lab_box_power_off'" \
        --up-cmd "bash -c 'source \"$LAB_LIB_DIR/lib.sh\"; lab_box_power_on'"
    LAB_FAULT_PROXY_PID=$LAB_LAST_PID
    export LAB_FAULT_PROXY_PID
    _lab_wait_for 5 test -e "$ready" || fail "fault proxy did not start (see $LAB_DIR/fault-proxy.log)"
    lab_ns "$NS_BOX" nft -f - <<EOF2 || fail "cannot steer $client to the fault proxy"
table ip bwlab_fault {
  chain prerouting {
    type nat hook prerouting priority -150; policy accept;
    ip saddr $client ip daddr $BOX_LAN tcp dport 5000 dnat to $BOX_LAN:$LAB_FAULT_PROXY_PORT
  }
}
EOF2
}

# lab_igd_fault JSON: arm the proxy (see fault_proxy.py), e.g.
#   lab_igd_fault '{"id": "x", "action": "DeletePortMapping", "nth": 2, "kind": "reset"}'
# lab_igd_fault '{}' passes everything. The counters start again at each new rule.
lab_igd_fault() {
    printf '%s\n' "$1" >"$LAB_FAULT_RULES.tmp" && mv -f "$LAB_FAULT_RULES.tmp" "$LAB_FAULT_RULES"
}

# lab_box_power_off: the box loses power: every miniupnpd of the box namespace is killed (-9, by
# PID) and the kernel state it made (its nftables rules) is gone. Its lease file stays.
lab_box_power_off() {
    local pid pids=() alive
    for pid in $(ip netns pids "$NS_BOX" 2>/dev/null); do
        [[ $(cat "/proc/$pid/comm" 2>/dev/null) == miniupnpd ]] && pids+=("$pid")
    done
    if ((${#pids[@]})); then
        kill -9 "${pids[@]}" 2>/dev/null
        for _ in $(seq 1 100); do
            alive=0
            for pid in "${pids[@]}"; do
                # Gone, or a zombie until the shell that started it reaps it: either way down.
                [[ -e /proc/$pid && $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] && alive=1
            done
            ((alive)) || break
            sleep 0.02
        done
    fi
    printf '%s power off: killed miniupnpd %s\n' "$(date +%T.%N)" "${pids[*]:-(none running)}" >>"$LAB_DIR/power.log"
    rm -f "$LAB_DIR/miniupnpd.pid"  # a stale PID could be taken again, and miniupnpd refuse to start
    local c
    for c in miniupnpd prerouting_miniupnpd postrouting_miniupnpd; do
        lab_ns "$NS_BOX" nft flush chain inet filter "$c"
    done
}

# lab_box_power_on: start miniupnpd again with the same configuration; it reloads its mappings
# from its lease file. Waits until it answers (from NS_PC, never through the fault proxy).
lab_box_power_on() {
    lab_bg "$NS_BOX" miniupnpd miniupnpd -d -f "$LAB_DIR/miniupnpd.conf" -P "$LAB_DIR/miniupnpd.pid"
    LAB_MINIUPNPD_PID=$LAB_LAST_PID
    export LAB_MINIUPNPD_PID
    printf '%s power on: miniupnpd %s\n' "$(date +%T.%N)" "$LAB_MINIUPNPD_PID" >>"$LAB_DIR/power.log"
    _lab_wait_for 15 lab_ns "$NS_PC" curl -fsS --max-time 1 -o /dev/null "$IGD_URL" ||
        fail "miniupnpd did not come back after the reboot (see $LAB_DIR/miniupnpd.log)"
}

# lab_box_is_up: miniupnpd answers (asked from NS_PC).
lab_box_is_up() {
    lab_ns "$NS_PC" curl -fsS --max-time 1 -o /dev/null "$IGD_URL" 2>/dev/null
}

# ---------------------------------------------------------------------------------------------
# Vendor emulators (tests/emulators/*_lab.sh): they serve on the box's LAN address, port 80.

# lab_emu_ctl METHOD PATH [JSON]: one request to the emulator's control endpoints (/_emu/PATH),
# from inside the box namespace.
lab_emu_ctl() {
    local method=$1 path=$2 data=${3:-}
    [[ -n $data ]] || data='{}'
    if [[ $method == GET ]]; then
        lab_ns "$NS_BOX" curl -fsS --max-time 5 "http://$BOX_LAN/_emu$path"
    else
        lab_ns "$NS_BOX" curl -fsS --max-time 5 -X "$method" -H 'Content-Type: application/json' \
            --data "$data" "http://$BOX_LAN/_emu$path"
    fi
}

# ---------------------------------------------------------------------------------------------
# Userspace WireGuard (the kernel module may be missing; LAB.md "WireGuard"). wireguard-go's
# control sockets live in /var/run/wireguard, shared by every namespace: name interfaces
# after $LAB_ID so that runs cannot collide.

LAB_WG_PIDS=()

# lab_wg_up NS IF CONF ADDRESS ROUTE...: a userspace WireGuard interface configured from a
# wg-quick file (wg-quick strip keeps what `wg setconf` reads), with ADDRESS and a route per ROUTE.
lab_wg_up() {
    local ns=$1 ifname=$2 conf=$3 address=$4 route
    shift 4
    lab_bg "$ns" "wireguard-go-$ifname" env WG_PROCESS_FOREGROUND=1 wireguard-go -f "$ifname"
    LAB_WG_PIDS+=("$LAB_LAST_PID")
    _lab_wait_for 10 lab_ns "$ns" ip link show "$ifname" || return 1
    _lab_wait_for 5 test -S "/var/run/wireguard/$ifname.sock" || return 1
    wg-quick strip "$conf" >"$LAB_DIR/$ifname.wg" || return 1
    lab_ns "$ns" wg setconf "$ifname" "$LAB_DIR/$ifname.wg" || return 1
    lab_ns "$ns" ip addr add "$address" dev "$ifname" || return 1
    lab_ns "$ns" ip link set "$ifname" up || return 1
    for route in "$@"; do
        lab_ns "$ns" ip route add "$route" dev "$ifname" || return 1
    done
}

# lab_wg_down: stop every interface lab_wg_up made (before lab_down, so that their sockets go).
lab_wg_down() {
    local pid
    for pid in "${LAB_WG_PIDS[@]}"; do
        kill "$pid" 2>/dev/null
    done
    for pid in "${LAB_WG_PIDS[@]}"; do
        wait "$pid" 2>/dev/null
    done
    LAB_WG_PIDS=()
}
