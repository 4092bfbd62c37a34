"""The Freebox's own WireGuard server, made real in the lab's box namespace (--wg).

Keys: X25519 through the `openssl` command (private keys go through pipes, never argv).
WgServer.sync(state) brings a userspace interface (wireguard-go: the kernel module may be
missing) up, reconfigures it or takes it down to match the stored `vpn.wireguard` config
and its users: one peer per wireguard user with its ip_reservation/32, the pool routed to
the interface, and an accept rule for the tunnel in the lab's `inet filter` forward chain
(its policy is drop). No interface address is needed: the box only forwards.
"""

import base64
import os
import secrets
import signal
import subprocess
import time

import emu_http

POOL = "192.168.27.64/27"
RULE_COMMENT = "freebox_emu_wg"


def keypair(psk=False):
    """(private, public) base64 WireGuard keys; with psk=True a preshared key (one string)."""
    if psk:
        return base64.b64encode(secrets.token_bytes(32)).decode()
    der = subprocess.run(["openssl", "genpkey", "-algorithm", "X25519", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    pub = subprocess.run(["openssl", "pkey", "-inform", "DER", "-pubout", "-outform", "DER"],
                         input=der, check=True, capture_output=True).stdout
    return base64.b64encode(der[-32:]).decode(), base64.b64encode(pub[-32:]).decode()


def wg_config(state):
    """The `wg setconf` text for the stored server and its wireguard users."""
    server = state["vpn"]["wireguard"]
    keys = state["wireguard_keys"]
    lines = ["[Interface]", "PrivateKey = %s" % keys["server"]["private"], "ListenPort = %d" % server["port"]]
    for user in state["vpn_users"]:
        k = keys["users"].get(user["login"])
        if user["type"] != "wireguard" or not k or not user.get("ip_reservation"):
            continue
        lines += ["", "[Peer]", "PublicKey = %s" % k["public"], "AllowedIPs = %s/32" % user["ip_reservation"]]
        if k.get("psk"):
            lines.append("PresharedKey = %s" % k["psk"])
    return "\n".join(lines) + "\n"


def run(*args, stdin=None, check=True):
    return subprocess.run(list(args), input=stdin.encode() if stdin else None, check=check,
                          capture_output=True)


class WgServer:
    def __init__(self, ifname, pid_file, log=print):
        self.ifname = ifname
        self.pid_file = pid_file  # survives a "reboot" fault, so the next process can clean up
        self.proc = None
        self.log = log

    def sync(self, state):
        """Returns "started", "stopped" or "error" (what GET vpn/ then shows)."""
        server = state["vpn"]["wireguard"]
        try:
            if not server["enabled"] or not state["wireguard_keys"]["server"]:
                self.down()
                return "stopped"
            if self.proc is None or self.proc.poll() is not None:
                self.up()
            run("wg", "syncconf", self.ifname, "/dev/stdin", stdin=wg_config(state))
            return "started"
        except (OSError, subprocess.CalledProcessError, RuntimeError) as e:
            err = getattr(e, "stderr", b"") or b""
            self.log("freebox-emu: wireguard: %s %s" % (e, err.decode(errors="replace").strip()))
            return "error"

    def kill_leftover(self):
        try:
            with open(self.pid_file) as f:
                pid = int(f.read())
            with open("/proc/%d/comm" % pid) as f:
                if f.read().strip() == "wireguard-go":
                    os.kill(pid, signal.SIGTERM)
        except (OSError, ValueError):
            pass
        for _ in range(100):
            if run("ip", "link", "show", self.ifname, check=False).returncode != 0:
                return
            time.sleep(0.05)

    def up(self):
        self.kill_leftover()
        env = dict(os.environ, WG_PROCESS_FOREGROUND="1")
        self.proc = subprocess.Popen(["wireguard-go", "-f", self.ifname], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(self.pid_file, "w") as f:
            f.write("%d\n" % self.proc.pid)
        sock = "/var/run/wireguard/%s.sock" % self.ifname
        for _ in range(200):
            if os.path.exists(sock) and run("ip", "link", "show", self.ifname, check=False).returncode == 0:
                break
            if self.proc.poll() is not None:
                raise RuntimeError("wireguard-go exited with %s" % self.proc.returncode)
            time.sleep(0.05)
        else:
            raise RuntimeError("wireguard-go did not create %s" % self.ifname)
        run("ip", "link", "set", self.ifname, "up")
        run("ip", "route", "replace", POOL, "dev", self.ifname)
        run("nft", "insert", "rule", "inet", "filter", "forward", "iifname", self.ifname, "accept",
            "comment", '"%s"' % RULE_COMMENT, check=False)

    def down(self):
        listing = run("nft", "-a", "list", "chain", "inet", "filter", "forward", check=False).stdout.decode()
        for line in listing.splitlines():
            if RULE_COMMENT in line and "# handle " in line:
                run("nft", "delete", "rule", "inet", "filter", "forward", "handle",
                    line.rsplit("# handle ", 1)[1].strip(), check=False)
        emu_http.stop_process(self.proc)
        self.proc = None
        self.kill_leftover()
