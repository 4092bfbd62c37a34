#!/usr/bin/env python3
"""The hostile-box cases: boxwarden against hostile_igd.py, with bounded time, memory and output.

usage: hostile_suite.py --boxwarden BIN (--loopback [--ssdp-loopback] | --lab) [--case NAME]... [--full]

--loopback  the hostile IGD on 127.0.0.1 (a free port), boxwarden with --gateway 127.0.0.1:PORT
            and BOXWARDEN_NETNS=@loopback (tests/cli/hostile_loopback_test.sh);
--lab       the hostile IGD in the lab's box namespace on 192.168.1.1:5000 with SSDP, boxwarden
            in the laptop namespace finding the box by itself (tests/lab/hostile_igd_test.sh;
            needs NS_BOX, NS_LAPTOP, LAB_DIR from lib.sh, and miniupnpd stopped).
--full      also the slow measurements (65,535 mappings through the IGD:1 index walk, and in
            loopback the cases kept for the lab).

Each case runs boxwarden once and checks: the exit status; the wall time (a --timeout case ends
within TIMEOUT + 2 s); the peak memory (max RSS, measured by /usr/bin/time); an error is one line "boxwarden: error: ..."; no ESC or C1 byte on stdout or stderr; JSON
output parses. Cases listed in KNOWN_BUGS are bugs found here in code this suite does not own:
they run, their failure is reported as KNOWN BUG, and a pass makes the suite fail so that the
entry is removed once fixed. Prints one line of figures per case; exit 1 when a check failed.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SANITIZED = bool(os.environ.get("BOXWARDEN_SANITIZED"))  # ASan/UBSan build: more memory, slower
MB = 1024  # ru_maxrss is in KiB
TIME = "/usr/bin/time"

# name: (server mode, server args, boxwarden args, --timeout, allowed exits, max RSS MiB, checks)
# Checks: "deadline" (wall < timeout + 2 s), "one-line" (stderr is one error line), "json",
# "text" (no ESC/C1 on stdout), "lol" (the entity stayed unexpanded), "nasty" (every hostile
# description is reported, harmlessly), "all" (every generated mapping is reported), "walk" (the
# IPv6 pinhole walk: as PINHOLE_WALKS says), "ipv6-off" (an IPV6-FIREWALL-OFF finding).
CASES = [
    ("desc-oversize", "desc-oversize", [], [], 5, {3}, 64, {"deadline", "one-line"}),
    ("desc-endless", "desc-endless", [], [], 5, {3}, 64, {"deadline", "one-line"}),
    ("desc-huge-length", "desc-huge-length", [], [], 5, {3}, 64, {"deadline", "one-line"}),
    ("desc-laughs", "desc-laughs", [], [], 5, {3}, 64, {"deadline", "one-line"}),
    ("desc-deep", "desc-deep", [], [], 5, {3}, 64, {"deadline", "one-line"}),
    ("desc-deep-fit", "desc-deep-fit", [], [], 5, {3}, 64, {"deadline", "one-line"}),
    ("desc-drip", "desc-drip", [], [], 5, {3}, 64, {"deadline", "one-line"}),
    ("desc-headers", "desc-headers", [], [], 5, {3}, 64, {"deadline", "one-line"}),
    ("desc-long-header", "desc-long-header", [], [], 5, {3}, 64, {"deadline", "one-line"}),
    ("desc-silent", "desc-silent", [], [], 5, {3}, 64, {"deadline", "one-line"}),
    ("soap-oversize", "soap-oversize", [], [], 5, {3}, 64, {"deadline", "one-line"}),
    ("soap-endless", "soap-endless", [], [], 5, {3}, 64, {"deadline", "one-line"}),
    ("soap-laughs", "soap-laughs", ["--mappings", "3"], ["--format", "json"], 5, {0}, 64,
     {"deadline", "json", "lol"}),
    ("soap-deep", "soap-deep", [], [], 5, {3}, 64, {"deadline", "one-line"}),
    ("soap-drip", "soap-drip", [], [], 5, {3}, 64, {"deadline", "one-line"}),
    ("soap-silent", "soap-silent", [], [], 5, {3}, 64, {"deadline", "one-line"}),
    ("ctl-escape", "ctl-escape", [], [], 5, {3}, 64, {"deadline", "one-line"}),
    ("nasty-text", "normal", ["--nasty"], [], 10, {0}, 64, {"deadline", "text", "nasty"}),
    ("nasty-json", "normal", ["--nasty"], ["--format", "json"], 10, {0}, 64, {"deadline", "json", "nasty"}),
    ("miniupnpd-cdata-text", "normal", ["--nasty", "--cdata"], [], 10, {0}, 64, {"deadline", "text", "nasty"}),
    ("miniupnpd-cdata-json", "normal", ["--nasty", "--cdata"], ["--format", "json"], 10, {0}, 64,
     {"deadline", "json", "nasty"}),
    ("listing-loop", "listing-loop", ["--mappings", "1000"], [], 10, {1}, 64, {"deadline"}),
    ("listing-all-65535", "listing-all", ["--mappings", "65535"], [], 20, {3}, 64, {"deadline", "one-line"}),
    ("many-v2-text", "normal", ["--mappings", "65535"], [], 120, {1}, 256, {"deadline", "text", "all"}),
    ("many-v2-json", "normal", ["--mappings", "65535"], ["--format", "json"], 120, {1}, 256,
     {"deadline", "json", "all"}),
    ("many-v1-1000", "normal", ["--igd", "1", "--mappings", "1000"], ["--format", "json"], 120, {1}, 128,
     {"deadline", "json", "all"}),
    # The IPv6 firewall (hostile_igd.py --pinholes): GetFirewallStatus and the walk of pinhole ids.
    # Under the home profile a pinhole whose details are hidden is below high: exit 0.
    ("pinholes-normal", "normal", ["--pinholes", "normal"], ["--format", "json"], 10, {0}, 64,
     {"deadline", "json", "walk"}),
    ("pinholes-off", "normal", ["--pinholes", "off"], ["--format", "json"], 10, {1}, 64,
     {"deadline", "json", "walk", "ipv6-off"}),
    ("pinholes-all", "normal", ["--pinholes", "all"], ["--format", "json"], 10, {0}, 64,
     {"deadline", "json", "walk"}),
    ("pinholes-endless", "normal", ["--pinholes", "endless"], ["--format", "json"], 10, {0}, 64,
     {"deadline", "json", "walk"}),
    ("pinholes-stale", "normal", ["--pinholes", "stale"], ["--format", "json"], 10, {0}, 64,
     {"deadline", "json", "walk"}),
    # 1024 SOAP calls: about 15 MiB, but ASan's quarantine of freed blocks passes 256 MiB (4 x 64)
    ("pinholes-sparse", "normal", ["--pinholes", "sparse"], ["--format", "json"], 20, {0}, 128,
     {"deadline", "json", "walk"}),
    ("pinholes-slow", "normal", ["--pinholes", "slow"], ["--format", "json"], 10, {0}, 64,
     {"deadline", "json", "walk"}),
    ("pinholes-huge", "normal", ["--pinholes", "huge"], ["--format", "json"], 10, {0}, 64,
     {"deadline", "json", "walk"}),
    ("pinholes-garbage", "normal", ["--pinholes", "garbage"], [], 10, {0}, 64, {"deadline", "text", "walk"}),
    ("pinholes-garbage-json", "normal", ["--pinholes", "garbage"], ["--format", "json"], 10, {0}, 64,
     {"deadline", "json", "walk"}),
    ("pinholes-drip", "normal", ["--pinholes", "drip"], ["--format", "json"], 10, {0}, 64,
     {"deadline", "json", "walk"}),
]
# The pinhole walk per case: GetPinholePackets requests (min, max; the canary id 65535 is asked
# first and after each pinhole found), pinholes reported (exact, or None: at least one, at most
# half the requests), the IPv6 firewall's "enabled" (None: unknown), and whether boxwarden must
# say on stderr that the walk was cut short.
PINHOLE_WALKS = {
    "pinholes-normal": ((37, 37), 2, True, False),    # ids 1 (606) and 2 (ours), then 32 free
    "pinholes-off": ((2, 2), 0, False, False),       # 702: nothing to walk, and nothing cut
    "pinholes-all": ((1, 1), 0, True, True),          # even the canary "exists": nothing counted
    "pinholes-endless": ((128, 128), 64, True, True),  # at most 64 pinholes reported
    "pinholes-stale": ((3, 3), 1, True, True),        # canary 402, id 1 606, canary now 606: stop
    # at most 1024 ids asked (1058 requests, 33 pinholes), fewer when the walk's eighth of the
    # run's --timeout runs out first (a loaded or sanitized run)
    "pinholes-sparse": ((64, 1058), None, True, True),
    "pinholes-slow": ((2, 12), None, True, True),     # 0.5 s each: the walk's share of the run
    "pinholes-huge": ((1, 1), 0, None, True),         # over the reply cap: unknown, cut
    "pinholes-garbage": ((1, 1), 0, None, True),
    "pinholes-garbage-json": ((1, 1), 0, None, True),
    "pinholes-drip": ((1, 3), 0, None, True),         # 3 s per call at most
}
# Too slow for the loopback run (tests/cli has 120 s for everything); the lab runs them.
LAB_ONLY = {"many-v2-json"}
# Left out by --skip-slow (a loopback run without SSDP waits 2 s more per case).
SLOW = {"listing-loop", "many-v2-text", "pinholes-slow", "pinholes-drip"}
FULL_CASES = [
    ("many-v1-65535", "normal", ["--igd", "1", "--mappings", "65535"], ["--format", "json"], 3600, {1}, 1024,
     {"deadline", "json", "all"}),
]

# Bugs this suite found in code it does not own (see the report to the lead).
KNOWN_BUGS = {}


def has_terminal_escape(data):
    """ESC, or a C1 control as a raw byte or encoded in UTF-8 (U+0080..U+009F)."""
    if b"\x1b" in data:
        return True
    text = data.decode("utf-8", errors="replace")
    return any(0x80 <= ord(c) <= 0x9F for c in text)


class Runner:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="bw-hostile-", dir=os.environ.get("LAB_DIR"))

    def start_server(self, name, mode, extra):
        ready = os.path.join(self.tmp, name + ".ready")
        log = os.path.join(self.tmp, name + ".requests.jsonl")
        cmd = [sys.executable, os.path.join(HERE, "hostile_igd.py"), "--mode", mode, "--ready", ready,
               "--log", log, "--max-seconds", "60"] + extra
        if self.args.lab:
            cmd = ["ip", "netns", "exec", os.environ["NS_BOX"]] + cmd + [
                "--address", os.environ.get("BOX_LAN", "192.168.1.1"), "--port", "5000", "--ssdp"]
        else:
            cmd += ["--address", "127.0.0.1", "--port", "0"] + (["--ssdp"] if self.args.ssdp_loopback else [])
        errlog = open(os.path.join(self.tmp, name + ".server.log"), "wb")
        proc = subprocess.Popen(cmd, stdout=errlog, stderr=errlog, stdin=subprocess.DEVNULL)
        for _ in range(100):
            if os.path.exists(ready):
                break
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        else:
            proc.kill()
            raise RuntimeError("hostile_igd.py did not start (see %s)" % errlog.name)
        if proc.poll() is not None:
            raise RuntimeError("hostile_igd.py exited (see %s)" % errlog.name)
        with open(ready) as f:
            port = int(f.read())
        return proc, port, log

    def run_boxwarden(self, port, bw_args, timeout):
        base = ["--timeout", str(timeout), "--no-color", "--profile", "home"]
        if self.args.lab:
            ns = os.environ["NS_LAPTOP"]
            cmd = ["ip", "netns", "exec", ns, "env", "BOXWARDEN_NETNS=" + ns, self.args.boxwarden] + base
        else:
            cmd = ["env", "BOXWARDEN_NETNS=@loopback", self.args.boxwarden, "--gateway", "127.0.0.1:%d" % port] + base
        # A state dir of its own: the journal of one case is not read by the next one.
        cmd += bw_args + ["--state-dir", tempfile.mkdtemp(dir=self.tmp, prefix="state-"), "audit"]
        # Peak memory as /usr/bin/time -v reports it, measured by a small parent: the kernel's
        # ru_maxrss of a child forked from this (large) Python process starts at our own size.
        rss_file = os.path.join(self.tmp, "maxrss")
        if os.path.exists(TIME):
            cmd = [TIME, "-f", "%M", "-o", rss_file] + cmd
        out = tempfile.TemporaryFile(dir=self.tmp)
        err = tempfile.TemporaryFile(dir=self.tmp)
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        hard_limit = t0 + timeout * (3 if SANITIZED else 1) + 60
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > hard_limit:
                proc.kill()
            time.sleep(0.02)
        seconds = time.monotonic() - t0
        rc = os.waitstatus_to_exitcode(status)
        maxrss = usage.ru_maxrss
        if os.path.exists(TIME):
            with open(rss_file) as f:
                words = f.read().split()
            # "Command exited with non-zero status N" comes first when the exit is not 0.
            maxrss = int(words[-1]) if words and words[-1].isdigit() else maxrss
        out.seek(0)
        err.seek(0)
        return rc, seconds, maxrss, out.read(), err.read()

    def run_case(self, case):
        name, mode, sargs, bargs, timeout, exits, max_mb, checks = case
        server, port, reqlog = self.start_server(name, mode, sargs)
        try:
            rc, seconds, rss, out, err = self.run_boxwarden(port, bargs, timeout)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(5)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        requests = 0
        pinhole_requests = 0
        with open(reqlog, "rb") as f:
            for line in f:
                requests += b'"kind": "http"' in line
                pinhole_requests += b'"action": "GetPinholePackets"' in line
        problems = []
        if rc not in exits:
            problems.append("exit %d, expected %s" % (rc, "/".join(map(str, sorted(exits)))))
        if "deadline" in checks and seconds > timeout + 2:
            problems.append("%.1f s, past --timeout %d + 2 s" % (seconds, timeout))
        limit = max_mb * (4 if SANITIZED else 1)
        if rss > limit * MB:
            problems.append("max RSS %d MiB, limit %d MiB" % (rss // MB, limit))
        lines = err.decode("utf-8", "replace").splitlines()
        if rc == 3 and "one-line" in checks:
            errors = [line for line in lines if line.startswith("boxwarden: error: ")]
            if len(errors) != 1 or len(lines) != 1:
                problems.append("stderr is not one error line: %r" % err[:300])
        if b"Sanitizer" in err or b"runtime error:" in err:
            problems.append("a sanitizer report: %r" % err[:300])
        if has_terminal_escape(err):
            problems.append("stderr carries a terminal escape: %r" % err[:300])
        if "text" in checks and has_terminal_escape(out):
            problems.append("stdout carries a terminal escape (%d ESC bytes)" % out.count(b"\x1b"))
        doc = None
        if "json" in checks and rc in (0, 1):
            try:
                doc = json.loads(out)
            except ValueError as e:
                problems.append("stdout is not JSON: %s" % e)
        forwards = doc["state"]["port_forwards"] if doc else []
        if "lol" in checks:
            if b"&lol9;" not in out:
                problems.append("the entity reference is not reported as text (expanded?)")
        if "nasty" in checks and rc in (0, 1):
            problems += self.check_nasty(out, doc if "json" in checks else None, "--cdata" in sargs)
        if "all" in checks and doc is not None:
            want = int(sargs[sargs.index("--mappings") + 1])
            if len(forwards) != want:
                problems.append("%d mappings reported, the box has %d" % (len(forwards), want))
        if "all" in checks and doc is None and rc in (0, 1):
            want = int(sargs[sargs.index("--mappings") + 1])
            if out.count(b"Label on the box:") == 0 and want:
                problems.append("no mapping in the text report")
        if "walk" in checks:
            problems += self.check_walk(name, pinhole_requests, doc, err)
        if "ipv6-off" in checks and doc is not None:
            if not any(f.get("rule") == "IPV6-FIREWALL-OFF" for f in doc["findings"]):
                problems.append("no IPV6-FIREWALL-OFF finding for a box whose IPv6 firewall is off")
        first_error = next((line for line in lines if line.startswith("boxwarden: error:")), "")
        return {"case": name, "exit": rc, "seconds": round(seconds, 2), "max_rss_mib": round(rss / MB, 1),
                "requests": requests, "stdout_bytes": len(out), "error": first_error[:160],
                "problems": problems}

    @staticmethod
    def check_walk(name, asked, doc, err):
        (low, high), pinholes, firewall, cut = PINHOLE_WALKS[name]
        problems = []
        if not low <= asked <= high:
            problems.append("%d GetPinholePackets requests, expected %d..%d" % (asked, low, high))
        told = b"pinholes were not all read" in err
        if told != cut:
            problems.append("stderr %s that the walk was cut short" % ("does not say" if cut else "says"))
        if doc is None:
            return problems
        state = doc["state"]
        got = state.get("ipv6_pinholes")
        if not isinstance(got, list):
            return problems + ["state.ipv6_pinholes is not a list: %r" % (got,)]
        want = list(range(1, asked // 2 + 1)) if pinholes is None else [pinholes]
        if len(got) not in want:
            problems.append("%d pinholes reported, expected %s" % (
                len(got), want[0] if len(want) == 1 else "%d..%d" % (want[0], want[-1])))
        if any(not p.get("details_hidden") or p.get("origin") != ["upnp"] for p in got):
            problems.append("a pinhole is not reported as a UPnP one with hidden details")
        if len({p.get("id") for p in got}) != len(got):
            problems.append("pinhole ids repeat")
        fw = state.get("ipv6_firewall")
        enabled = fw.get("enabled") if isinstance(fw, dict) else None
        if enabled != firewall:
            problems.append("ipv6_firewall %r, expected enabled %r" % (fw, firewall))
        if state.get("ipv6_pinholes_known") is not False:
            problems.append("ipv6_pinholes_known is not false (an IGD never sees every pinhole)")
        return problems

    @staticmethod
    def check_nasty(out, doc, cdata):
        sys.path.insert(0, HERE)
        import hostile_igd  # noqa: E402 - the same list the server serves
        problems = []
        if doc is None and out.lstrip().startswith(b"{"):
            return ["stdout is JSON that does not parse"]
        if doc is None:
            for i, _ in enumerate(hostile_igd.NASTY):
                port = b"%d" % (hostile_igd.NASTY_FIRST_PORT + i)
                if port not in out:
                    problems.append("mapping %s (nasty #%d) is missing from the text report" % (port.decode(), i))
            if b"\xe2\x80\xae" in out:
                problems.append("a bidi override (U+202E) reaches the terminal")
            return problems
        got = {f["external_port"]: f["description"] for f in doc["state"]["port_forwards"]}
        for i, raw in enumerate(hostile_igd.NASTY):
            port = hostile_igd.NASTY_FIRST_PORT + i
            if port not in got:
                problems.append("mapping %d (nasty #%d) is missing from the JSON report" % (port, i))
                continue
            # What an XML parser gives (CR LF -> LF), then invalid UTF-8 -> U+FFFD.
            expected = hostile_igd.as_stored(raw, cdata).replace(b"\r\n", b"\n")
            if cdata:  # unescaped in the listing: the client's XML reader decodes the entities
                for entity, char in ((b"&lt;", b"<"), (b"&gt;", b">"), (b"&quot;", b'"'), (b"&apos;", b"'"),
                                     (b"&amp;", b"&")):
                    expected = expected.replace(entity, char)
            if b"\x00" in expected or b"\xff" in expected or b"\x9b" in expected:
                continue  # replaced by U+FFFD: checked below only as "valid and present"
            if got[port] != expected.decode("utf-8", errors="strict") and b"\xed\xa0" not in expected:
                problems.append("nasty #%d reads back as %r" % (i, got[port][:80]))
        return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--boxwarden", required=True)
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--loopback", action="store_true")
    where.add_argument("--lab", action="store_true")
    ap.add_argument("--ssdp-loopback", action="store_true",
                    help="with --loopback: also answer SSDP on 127.0.0.1:1900 (only in a private "
                         "network namespace, where that port is ours)")
    ap.add_argument("--skip-slow", action="store_true", help="leave out the cases that take 10 s or more")
    ap.add_argument("--case", action="append", help="run only these cases")
    ap.add_argument("--full", action="store_true", help="also the slow measurements")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--report", help="append the figures as JSON lines to this file")
    args = ap.parse_args()

    cases = CASES + (FULL_CASES if args.full else [])
    if args.loopback and not args.full:
        cases = [c for c in cases if c[0] not in LAB_ONLY]
    if args.skip_slow:
        cases = [c for c in cases if c[0] not in SLOW]
    if args.case:
        cases = [c for c in CASES + FULL_CASES if c[0] in args.case]
    if args.list:
        print("\n".join(c[0] for c in cases))
        return 0
    if not cases or (args.case and len(cases) != len(set(args.case))):
        print("no such case, or none selected: %s" % (args.case or "(empty list)"))
        return 1  # a run of no case must not pass
    runner = Runner(args)
    failed = 0
    print("%-20s %5s %8s %9s %8s  %s" % ("case", "exit", "seconds", "RSS MiB", "requests", "verdict"))
    for case in cases:
        r = runner.run_case(case)
        name = r["case"]
        if r["problems"] and name in KNOWN_BUGS:
            verdict = "KNOWN BUG: " + KNOWN_BUGS[name]
        elif r["problems"]:
            verdict = "FAIL"
            failed += 1
        elif name in KNOWN_BUGS:
            verdict = "FAIL: passes now; remove it from KNOWN_BUGS in hostile_suite.py"
            failed += 1
        else:
            verdict = "ok"
        print("%-20s %5d %8.2f %9.1f %8d  %s" % (name, r["exit"], r["seconds"], r["max_rss_mib"], r["requests"],
                                                 verdict), flush=True)
        for p in r["problems"]:
            print("     - " + p)
        if r["error"] and (r["problems"] or os.environ.get("VERBOSE")):
            print("     stderr: " + r["error"])
        if args.report:
            with open(args.report, "a") as f:
                f.write(json.dumps(r) + "\n")
    print("\n%d of %d cases failed" % (failed, len(cases)) if failed else "\nall %d cases passed" % len(cases))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
