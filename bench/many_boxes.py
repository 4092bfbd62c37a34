#!/usr/bin/env python3
"""Benchmark: 200 boxes in one run of `boxwarden audit -g ... -g ...` (issue 10, item 2).

Every box is a UPnP IGD:2 (tests/lab/hostile_igd.py in its "normal" mode, with --mappings
mappings and unicast SSDP) on its own loopback address 127.0.1.N, port 5000, all inside a
private network namespace (unshare -rn, its own loopback: nothing is sent anywhere else; the
binary runs with BOXWARDEN_NETNS=@loopback as well). The boxes are served by a few processes,
each serving a slice of them on threads.

Measured, each --runs times (median): the N boxes read one after another (--jobs 1: how audit
read them before, in turn), with the default --jobs 8 and with --jobs 32; then the same N boxes
plus one dead box (a socket that accepts and never answers) with --timeout T: the dead box costs
its own T, at the same time as the others, not T on top of them. Checks that every run gives
one entry per box and the expected exit status (1: findings; 3 with the dead box).

--delay (default 0.02 s) is added to every HTTP request to a box, as a box's small CPU would:
with no delay at all the run measures this machine's CPU (the boxes are Python threads on it).

usage: BOXWARDEN=build/src/app/boxwarden bench/many_boxes.py [--boxes 200] [--runs 3] [--timeout 5]
       [--delay 0.02] [--mappings 10]
Not a ctest test (it takes a minute or more and needs `unshare -rn`); see README, Benchmark.
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(HERE, "..", "tests", "lab")


def serve(first, count, mappings, delay):
    """Serves boxes first .. first+count-1 until killed (one process, threads); every HTTP
    request is answered `delay` seconds late, as a box's small CPU or a slow link would."""
    sys.path.insert(0, LAB)
    import hostile_igd  # noqa: E402

    class SlowHandler(hostile_igd.Handler):
        def read_request(self):
            request = super().read_request()
            time.sleep(delay)
            return request
    for i in range(first, first + count):
        address = box_address(i)
        args = argparse.Namespace(address=address, port=5000, mode="normal", igd=2, mappings=mappings, nasty=False,
                                  cdata=False, only=None, pinholes=None, ssdp=True, max_seconds=120, log=None,
                                  ready=None)
        server = hostile_igd.Server((address, 5000), SlowHandler if delay > 0 else hostile_igd.Handler)
        server.state = hostile_igd.State(args)
        sock = hostile_igd.ssdp_socket(address)
        threading.Thread(target=hostile_igd.ssdp_loop, args=(server.state, sock), daemon=True).start()
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", flush=True)
    threading.Event().wait()


def box_address(i):
    return "127.0.%d.%d" % (1 + i // 250, 1 + i % 250)


def run(binary, boxes, jobs, timeout):
    cmd = [binary, "--format", "jsonl", "--profile", "home", "--timeout", str(timeout), "--state-dir",
           "/tmp/bw-bench-many-state", "audit", "--jobs", str(jobs)]
    for b in boxes:
        cmd[1:1] = ["-g", b]
    env = dict(os.environ, BOXWARDEN_NETNS="@loopback", HOME="/tmp/bw-bench-many-state")
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
    elapsed = time.monotonic() - t0
    entries = [json.loads(line) for line in p.stdout.splitlines()]
    if len(entries) != len(boxes):
        sys.exit("expected %d entries, got %d (exit %d): %s" % (len(boxes), len(entries), p.returncode,
                                                                p.stderr[-500:]))
    errors = [e for e in entries if "error" in e]
    return elapsed, p.returncode, errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--boxes", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=5)
    ap.add_argument("--mappings", type=int, default=10)
    ap.add_argument("--servers", type=int, default=8, help="processes serving the boxes")
    ap.add_argument("--delay", type=float, default=0.02, help="seconds added to every HTTP request to a box")
    ap.add_argument("--serve", nargs=2, type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        return serve(args.serve[0], args.serve[1], args.mappings, args.delay)
    binary = os.environ.get("BOXWARDEN") or os.path.join(HERE, "..", "build", "src", "app", "boxwarden")
    if not os.access(binary, os.X_OK):
        sys.exit("set BOXWARDEN to the built binary")
    if os.environ.get("BENCH_IN_NETNS") != "1":
        env = dict(os.environ, BENCH_IN_NETNS="1", BOXWARDEN=os.path.abspath(binary))
        os.execvpe("unshare", ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$0" "$@"',
                               sys.executable, os.path.abspath(__file__)] + sys.argv[1:], env)

    servers = []
    per = -(-args.boxes // args.servers)
    for first in range(0, args.boxes, per):
        p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--mappings", str(args.mappings),
                              "--delay", str(args.delay),
                              "--serve", str(first), str(min(per, args.boxes - first))], stdout=subprocess.PIPE,
                             text=True)
        servers.append(p)
    try:
        for p in servers:
            if p.stdout.readline().strip() != "ready":
                sys.exit("a box server did not start")
        boxes = [box_address(i) for i in range(args.boxes)]
        dead = socket.socket()
        dead.bind(("127.0.9.1", 5000))
        dead.listen(8)  # accepts (the kernel does), never answers

        print("%d boxes (IGD:2, %d mappings each, %g s added to every request) on loopback, %d run(s) each, "
              "median seconds" % (args.boxes, args.mappings, args.delay, args.runs))
        results = {}
        for label, jobs, extra, timeout in (("--jobs 1 (one after another)", 1, [], 60),
                                            ("--jobs 8 (default)", 8, [], 60),
                                            ("--jobs 32", 32, [], 60),
                                            ("--jobs 8, one dead box, --timeout %g" % args.timeout, 8,
                                             ["127.0.9.1:5000"], args.timeout),
                                            ("the dead box alone, --timeout %g" % args.timeout, 1, None, args.timeout)):
            targets = ["127.0.9.1:5000"] if extra is None else boxes + extra
            times = []
            for _ in range(args.runs):
                elapsed, code, errors = run(binary, targets, jobs, timeout)
                with_dead = extra is None or bool(extra)
                want = (3,) if with_dead else (0, 1)  # findings or not: the profile decides
                if code not in want or len(errors) != (1 if with_dead else 0):
                    sys.exit("%s: exit %d, %d error entries (expected exit %s): %s"
                             % (label, code, len(errors), want, errors[:1]))
                times.append(elapsed)
            results[label] = statistics.median(times)
            print("  %-45s %7.2f s  (%.3f s per box)" % (label, results[label], results[label] / len(targets)))
        seq, par = results["--jobs 1 (one after another)"], results["--jobs 8 (default)"]
        with_dead = results["--jobs 8, one dead box, --timeout %g" % args.timeout]
        print("speed-up of --jobs 8 over one after another: %.1fx" % (seq / par))
        print("the dead box added %.2f s to the run (its own --timeout is %g s; one after another it would add "
              "at least that on top of %.2f s)" % (with_dead - par, args.timeout, seq))
    finally:
        for p in servers:
            p.kill()
            p.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
