#!/usr/bin/env python3
"""Benchmark: what an audit of a named box costs beyond the box's own time (issue 10, item 3).

For each plugin with a loopback emulator (Livebox, Freebox), `boxwarden -g 127.0.0.1:PORT
audit --format json` is timed against the box's own time in the same run: a delaying proxy in
front of the emulator (this kernel has no netem qdisc) adds D ms before each request reaches
the box, counts the requests of one audit and sums how long the box took to start answering
each. The peer is the box: "overhead" is the audit's wall time minus the box's time, i.e. what
boxwarden spends on its own (start-up, discovery, parsing, judging) and waiting for nothing.
Before issue 10 every such audit waited 2 s for an SSDP answer that a loopback emulator never
gives (2.03 s per Livebox audit, of which the box took about 0.05 s).

usage: BOXWARDEN=build/src/app/boxwarden python3 bench/audit_latency.py [--runs N] [--delays 0,20]

It re-executes itself in a private network namespace (`unshare -rn`: nothing but its own
loopback; no root needed), so nothing is sent anywhere else. Not a ctest test.
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "emulators"))

METHODS = (b"GET ", b"POST ", b"PUT ", b"DELETE ", b"HEAD ")
PASSWORD = "bench pw"


class DelayProxy:
    """127.0.0.1:port -> upstream, adding `delay` seconds before each request goes on, counting
    the requests (a chunk from the client that starts with an HTTP method) and summing the time
    from each request's forwarding to the first byte of the answer (the box's time)."""

    def __init__(self, upstream_port, delay):
        self.upstream = ("127.0.0.1", upstream_port)
        self.delay = delay
        self.lock = threading.Lock()
        self.requests = 0
        self.box_seconds = 0.0
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def reset(self):
        with self.lock:
            self.requests, self.box_seconds = 0, 0.0

    def serve(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.relay, args=(client,), daemon=True).start()

    def relay(self, client):
        try:
            up = socket.create_connection(self.upstream, timeout=30)
        except OSError:
            client.close()
            return
        sent_at = []  # times at which requests went on, waiting for their answers

        def answers():
            try:
                while True:
                    data = up.recv(65536)
                    if not data:
                        break
                    if sent_at:
                        with self.lock:
                            self.box_seconds += time.monotonic() - sent_at.pop(0)
                        sent_at.clear()
                    client.sendall(data)
            except OSError:
                pass
            finally:
                client.close()

        threading.Thread(target=answers, daemon=True).start()
        try:
            while True:
                data = client.recv(65536)
                if not data:
                    break
                if data.startswith(METHODS):
                    with self.lock:
                        self.requests += 1
                    time.sleep(self.delay)
                    sent_at.append(time.monotonic())
                up.sendall(data)
        except OSError:
            pass
        finally:
            try:
                up.shutdown(socket.SHUT_WR)
            except OSError:
                pass


def bw(binary, port, vendor, state_dir, pwfile, home):
    cmd = [binary, "-g", "127.0.0.1:%d" % port, "--state-dir", state_dir, "--format", "json",
           "--profile", "medical-practice", "--timeout", "30"]
    if pwfile:
        cmd += ["--password-file", pwfile]
    env = {"PATH": os.environ.get("PATH", ""), "HOME": home, "BOXWARDEN_NETNS": "@loopback"}
    t0 = time.monotonic()
    p = subprocess.run(cmd + ["audit"], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL,
                       timeout=120)
    took = time.monotonic() - t0
    if p.returncode not in (0, 1):
        raise SystemExit("audit of the %s emulator failed (exit %d): %s" % (vendor, p.returncode, p.stderr.strip()))
    report = json.loads(p.stdout)
    if vendor not in report["gateway"]["apis"]:
        raise SystemExit("the audit did not read the %s API: %s" % (vendor, report["gateway"]["apis"]))
    return took


def start_livebox(workdir):
    from livebox_client import EmulatorProcess
    scenario = {"password": PASSWORD, "port_forwards": {}}
    return EmulatorProcess(scenario, ("--throttle", "0"), workdir=workdir).start()


def start_freebox(workdir, binary, state_dir, home):
    from freebox_client import FreeboxProcess
    emu = FreeboxProcess({}, ("--auto-grant", "1"), workdir=workdir).start()
    # Pairing: the emulator grants like the person at the box; the app token goes to state_dir.
    env = {"PATH": os.environ.get("PATH", ""), "HOME": home, "BOXWARDEN_NETNS": "@loopback"}
    p = subprocess.run([binary, "-g", "127.0.0.1:%d" % emu.port, "--vendor", "freebox", "--state-dir", state_dir,
                        "pair"], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=60)
    if p.returncode != 0:
        raise SystemExit("pairing with the Freebox emulator failed: " + p.stderr.strip())
    emu.control("POST", "/_emu/permissions", {"app_id": "fr.boxwarden", "settings": True})
    return emu


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--delays", default="0,20", help="ms added before each request, comma-separated")
    args = ap.parse_args()
    binary = os.path.abspath(os.environ.get("BOXWARDEN") or os.path.join(HERE, "..", "build", "src", "app", "boxwarden"))
    if not os.access(binary, os.X_OK):
        raise SystemExit("set BOXWARDEN to the built binary")
    if os.environ.get("BENCH_IN_NETNS") != "1":
        os.execvpe("unshare", ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "sh",
                               sys.executable] + sys.argv, dict(os.environ, BENCH_IN_NETNS="1", BOXWARDEN=binary))
    base = tempfile.mkdtemp(prefix="bw-bench-latency-")
    emulators = []
    try:
        pwfile = os.path.join(base, "pw")
        with open(pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(pwfile, 0o600)
        boxes = []
        d = os.path.join(base, "livebox")
        os.mkdir(d)
        emulators.append(start_livebox(d))
        boxes.append(("livebox", emulators[-1].port, pwfile, os.path.join(d, "state")))
        d = os.path.join(base, "freebox")
        os.mkdir(d)
        state = os.path.join(d, "state")
        emulators.append(start_freebox(d, binary, state, base))
        boxes.append(("freebox", emulators[-1].port, None, state))

        print("%-8s %8s %9s %12s %11s %11s %9s" % ("plugin", "delay ms", "requests", "audit s", "box s",
                                                    "overhead s", "audit/box"))
        for vendor, port, pw, state in boxes:
            for delay_ms in [int(x) for x in args.delays.split(",")]:
                proxy = DelayProxy(port, delay_ms / 1000)
                times, box, requests = [], [], set()
                bw(binary, proxy.port, vendor, state, pw, base)  # warm-up: certificates, caches
                for _ in range(args.runs):
                    proxy.reset()
                    times.append(bw(binary, proxy.port, vendor, state, pw, base))
                    with proxy.lock:
                        box.append(proxy.box_seconds + proxy.requests * proxy.delay)
                        requests.add(proxy.requests)
                t, b = statistics.median(times), statistics.median(box)
                print("%-8s %8d %9s %12.3f %11.3f %11.3f %9.2f" % (
                    vendor, delay_ms, "/".join(str(r) for r in sorted(requests)), t, b, t - b, t / b if b else 0))
    finally:
        for e in emulators:
            e.stop()
        shutil.rmtree(base, True)


if __name__ == "__main__":
    main()
