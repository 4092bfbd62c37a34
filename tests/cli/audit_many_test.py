#!/usr/bin/env python3
"""audit with -g given several times (issue 10, item 2), against Livebox emulators on loopback.

Runs in a private network namespace (unshare -rn, its own loopback) when one can be made, else
on the machine's loopback with BOXWARDEN_NETNS=@loopback (127.0.0.1 only, no multicast); under
CI a missing namespace fails. Boxes: Livebox emulators with the shared password, one with
another password (exit 4 for that box only), a port nobody listens on, sockets that accept and
never answer (a box that hangs: it costs its own --timeout and no more), a web server that is
no router. Checks: one entry per box in -g order (json, text) or as each finishes (jsonl,
flushed: the first line arrives while hung boxes still wait), the exit status is the worst box,
the unreachable message tells "nothing answered" from "answers but no API we know", --jobs
bounds the boxes read at once (--jobs 1 adds the timeouts up), usage errors, and fleet reading
audit's own JSON Lines back.
"""

import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "emulators"))
import ci_guard  # noqa: E402
from freebox_client import FreeboxProcess  # noqa: E402
from livebox_client import EmulatorProcess  # noqa: E402

try:  # tests/cli/schema_check.py (issue 10 item 1): every JSON output validates
    from schema_check import validate  # noqa: E402
except ImportError:  # pragma: no cover - before that helper exists
    validate = None

BOXWARDEN = os.environ.get("BOXWARDEN", "")
PASSWORD = "many boxes' pw"
OTHER_PASSWORD = "another site's pw"
SCENARIO = {
    "password": PASSWORD,
    "port_forwards": {
        "webui_rdp": {"Id": "webui_rdp", "Origin": "webui", "Description": "rdp", "Status": "Enabled",
                      "SourceInterface": "data", "Protocol": "6", "ExternalPort": "3389", "InternalPort": "3389",
                      "SourcePrefix": "", "DestinationIPAddress": "192.168.1.10", "DestinationMACAddress": "",
                      "LeaseDuration": 0, "HairpinNAT": True, "SymmetricSNAT": False, "UPnPV1Compat": False,
                      "Enable": True},
    },
}


def in_private_netns():
    return os.environ.get("AUDIT_MANY_IN_NETNS") == "1"


def reexec_in_netns():
    """Runs this file again in a private network namespace with its loopback up, if possible."""
    if in_private_netns() or shutil.which("unshare") is None:
        return
    if subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode != 0:
        return
    env = dict(os.environ, AUDIT_MANY_IN_NETNS="1")
    os.execvpe("unshare", ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$0" "$@"',
                           sys.executable, os.path.abspath(__file__)] + sys.argv[1:], env)


class HungSocket:
    """Accepts on 127.0.0.1 and never answers; records when each connection was opened and when
    the client closed it, so that a test sees which boxes were being read at the same time."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.conns = []  # [opened, closed or None], monotonic seconds
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            rec = [time.monotonic(), None]
            with self.lock:
                self.conns.append(rec)
            threading.Thread(target=self._hold, args=(conn, rec), daemon=True).start()

    def _hold(self, conn, rec):
        try:
            while conn.recv(4096):
                pass
        except OSError:
            pass
        rec[1] = time.monotonic()
        conn.close()

    def reset(self):
        with self.lock:
            self.conns = []

    def span(self):
        """(first opened, last closed) over this box's connections; None when there were none."""
        with self.lock:
            if not self.conns or any(c[1] is None for c in self.conns):
                return None
            return min(c[0] for c in self.conns), max(c[1] for c in self.conns)

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        except OSError:
            pass
        self.sock.close()


class NotARouter:
    """A web server that answers 404 to everything: a box that answers, with no API we know."""

    def __init__(self):
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_error(404)

            do_POST = do_GET

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def free_port():
    """A port nobody listens on (bound, then closed)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@unittest.skipUnless(BOXWARDEN and os.access(BOXWARDEN, os.X_OK), "BOXWARDEN must name the built binary")
class AuditMany(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="bw-audit-many-")
        cls.emus = []
        for i in range(3):
            d = os.path.join(cls.dir, "emu%d" % i)
            os.mkdir(d)
            cls.emus.append(EmulatorProcess(SCENARIO, ("--throttle", "0"), workdir=d).start())
        d = os.path.join(cls.dir, "emu-other")
        os.mkdir(d)
        cls.other = EmulatorProcess(dict(SCENARIO, password=OTHER_PASSWORD), ("--throttle", "0"), workdir=d).start()
        cls.pwfile = os.path.join(cls.dir, "pw")
        with open(cls.pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(cls.pwfile, 0o600)
        d = os.path.join(cls.dir, "freebox")
        os.mkdir(d)
        cls.freebox = FreeboxProcess({"dmz": {"enabled": True, "ip": "192.168.1.10"}}, ("--auto-grant", "1"),
                                     workdir=d).start()
        cls.hung = [HungSocket() for _ in range(3)]
        cls.dead = free_port()

    @classmethod
    def tearDownClass(cls):
        for e in cls.emus + [cls.other, cls.freebox]:
            e.stop()
        for h in cls.hung:
            h.close()
        shutil.rmtree(cls.dir, True)

    def g(self, port):
        return "127.0.0.1:%d" % port

    def cmd(self, boxes, *args, vendor="livebox", command="audit"):
        cmd = [BOXWARDEN]
        for b in boxes:
            cmd += ["-g", b]
        if vendor:
            cmd += ["--vendor", vendor]
        return cmd + ["--password-file", self.pwfile, "--state-dir", os.path.join(self.dir, "state"),
                      "--profile", "medical-practice"] + ([command] if command else []) + list(args)

    def env(self):
        env = dict(os.environ, HOME=self.dir)
        env.pop("BOXWARDEN_PASSWORD", None)
        if not in_private_netns():
            env["BOXWARDEN_NETNS"] = "@loopback"
        return env

    def bw(self, boxes, *args, vendor="livebox", command="audit"):
        t0 = time.monotonic()
        p = subprocess.run(self.cmd(boxes, *args, vendor=vendor, command=command), capture_output=True, text=True, timeout=110,
                           env=self.env(), stdin=subprocess.DEVNULL)
        p.elapsed = time.monotonic() - t0
        for secret in (PASSWORD, OTHER_PASSWORD):
            self.assertNotIn(secret, p.stdout + p.stderr)
        return p

    def check_schema(self, doc):
        if validate is not None:
            validate(doc, "error" if "error" in doc else "report")

    # -- tests -------------------------------------------------------------------------------
    def test_one_entry_per_box_in_order_and_the_worst_exit(self):
        a, b = self.g(self.emus[0].port), self.g(self.emus[1].port)
        dead, other = self.g(self.dead), self.g(self.other.port)
        p = self.bw([a, dead, other, b], "--format", "json", "--timeout", "20")
        self.assertEqual(p.returncode, 4, p.stderr)  # findings 1, unreachable 3, auth 4: the worst
        docs = json.loads(p.stdout)
        self.assertEqual(len(docs), 4)
        for d in docs:
            self.check_schema(d)
        self.assertEqual([d["gateway"]["address"] for d in (docs[1], docs[2])], [dead, other])
        self.assertEqual(docs[0]["gateway"]["vendor"], "livebox")
        self.assertEqual(docs[3]["gateway"]["vendor"], "livebox")
        self.assertIn("EXPOSE-SERVICE", [f["rule"] for f in docs[0]["findings"]] + [f["rule"] for f in docs[3]["findings"]])
        self.assertEqual((docs[1]["error"]["kind"], docs[1]["error"]["exit_code"]), ("unreachable", 3))
        self.assertEqual((docs[2]["error"]["kind"], docs[2]["error"]["exit_code"]), ("auth", 4))
        self.assertIn("refused the password", docs[2]["error"]["message"])
        # The one-line errors on stderr name their box.
        self.assertIn("boxwarden: error: %s: " % dead, p.stderr)
        self.assertIn("boxwarden: error: %s: " % other, p.stderr)
        # Without the wrong password the worst is the findings.
        p = self.bw([a, b], "--format", "json")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(len(json.loads(p.stdout)), 2)

    def test_text_entries_in_order_with_the_error_in_place(self):
        a, other = self.g(self.emus[0].port), self.g(self.other.port)
        p = self.bw([other, a], "--timeout", "20")
        self.assertEqual(p.returncode, 4, p.stderr)
        first = p.stdout.index("Box %s: no report, error (auth)" % other)
        second = p.stdout.index("Box 127.0.0.1 (", first)  # the report of a starts with its box line
        self.assertLess(first, second)
        self.assertEqual(p.stdout.count("Box "), 2, p.stdout)

    def test_jsonl_line_per_box_as_each_finishes(self):
        a = self.g(self.emus[0].port)
        hung = [self.g(h.port) for h in self.hung]
        for h in self.hung:
            h.reset()
        timeout = 8
        t0 = time.monotonic()
        proc = subprocess.Popen(self.cmd(hung + [a], "--format", "jsonl", "--timeout", str(timeout)),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env(),
                                stdin=subprocess.DEVNULL)
        first = proc.stdout.readline()
        first_at = time.monotonic() - t0
        rest, err = proc.communicate(timeout=100)
        elapsed = time.monotonic() - t0
        lines = [first] + rest.splitlines(keepends=True)
        self.assertEqual(proc.returncode, 3, err)
        self.assertEqual(len(lines), 4, lines)
        docs = [json.loads(line) for line in lines]
        for line, d in zip(lines, docs):
            self.assertTrue(line.endswith("\n") and "\n" not in line[:-1])  # one compact line each
            self.check_schema(d)
        # The box that answers is written first, while the hung ones still wait: flushed per box.
        self.assertEqual(docs[0]["gateway"]["vendor"], "livebox")
        # Seen from the hung boxes (when boxwarden's connections to them opened and closed): the
        # first line came while every one of them was still being read, and they were read at the
        # same time (no ratio of wall times: the process's start-up skews them under ASan).
        wait_until = time.monotonic() + 5
        while any(h.span() is None for h in self.hung) and time.monotonic() < wait_until:
            time.sleep(0.01)
        spans = [h.span() for h in self.hung]
        self.assertNotIn(None, spans)
        self.assertLess(t0 + first_at, min(s[1] for s in spans), "the first line waited for the hung boxes")
        self.assertLess(max(s[0] for s in spans), min(s[1] for s in spans),
                        "the hung boxes were read one after another")
        self.assertEqual(sorted(d["gateway"]["address"] for d in docs[1:]), sorted(hung))
        for d in docs[1:]:
            self.assertEqual((d["error"]["kind"], d["error"]["exit_code"]), ("unreachable", 3))
        # Each hung box costs at most its own timeout (the deadline holds, with start-up to spare).
        self.assertLess(elapsed, 2 * timeout, "a hung box held the run past its --timeout")

    def test_jobs_1_reads_one_box_at_a_time(self):
        # Which boxes were read at the same time, seen from the boxes: each records when
        # boxwarden's connections to it opened and closed (no ratio of wall times, which the
        # process's own start-up skews, more so under the sanitizers).
        hung = self.hung[:3]

        def spans(*jobs):
            for h in hung:
                h.reset()
            p = self.bw([self.g(h.port) for h in hung], "--format", "jsonl", "--timeout", "3", *jobs)
            self.assertEqual(p.returncode, 3, p.stderr)
            self.assertEqual(len(p.stdout.splitlines()), 3)
            deadline = time.monotonic() + 5  # the last close is seen by a thread of ours
            while any(h.span() is None for h in hung) and time.monotonic() < deadline:
                time.sleep(0.01)
            found = [h.span() for h in hung]
            self.assertNotIn(None, found, "a box was never connected to, or left open")
            return found

        one_at_a_time = sorted(spans("--jobs", "1"))
        for a, b in zip(one_at_a_time, one_at_a_time[1:]):
            # 0.1 s: our threads note a close a little after it happens
            self.assertLessEqual(a[1], b[0] + 0.1, "--jobs 1 read two boxes at once: %r" % one_at_a_time)
        together = spans("--jobs", "3")
        self.assertLess(max(s[0] for s in together), min(s[1] for s in together),
                        "--jobs 3 did not read the three boxes at once: %r" % together)

    def test_unreachable_tells_silence_from_an_unknown_api(self):
        web = NotARouter()
        self.addCleanup(web.close)
        dead, other_api = self.g(self.dead), self.g(web.port)
        p = self.bw([dead, other_api], "--format", "json", "--timeout", "20", vendor=None)
        self.assertEqual(p.returncode, 3, p.stderr)
        silent, unknown = json.loads(p.stdout)
        self.assertIn("nothing answered at 127.0.0.1", silent["error"]["message"])
        self.assertIn("switched on", silent["error"]["message"])
        self.assertNotIn("UPnP on", silent["error"]["message"])
        self.assertIn("answers but speaks neither UPnP IGD nor a known vendor API", unknown["error"]["message"])
        self.assertIn("switch UPnP on temporarily", unknown["error"]["message"])

    def test_boxes_of_several_vendors_in_one_run(self):
        lb, fb = self.g(self.emus[1].port), self.g(self.freebox.port)
        paired = self.bw([fb], "pair", vendor="freebox", command=None)
        self.assertEqual(paired.returncode, 0, paired.stderr)
        p = self.bw([fb, lb], "--format", "json", "--timeout", "30", vendor=None)
        self.assertEqual(p.returncode, 1, p.stderr)
        docs = json.loads(p.stdout)
        for d in docs:
            self.check_schema(d)
        self.assertEqual([d["gateway"]["vendor"] for d in docs], ["freebox", "livebox"])
        self.assertIn("EXPOSE-DMZ", [f["rule"] for f in docs[0]["findings"]])

    def test_usage_errors_before_any_box(self):
        a, b = self.g(self.emus[0].port), self.g(self.emus[1].port)
        for args, words in ((["--jobs", "0"], "--jobs"), (["--jobs", "65"], "--jobs"),
                            (["--profile", "no-such-profile"], "profile")):
            p = self.bw([a, b], "--format", "json", *args)
            self.assertEqual(p.returncode, 2, p.stderr)
            doc = json.loads(p.stdout)  # one error document, not one per box
            self.assertEqual(doc["error"]["kind"], "usage")
            self.assertIn(words, doc["error"]["message"])
        # A bad --output is found before any box is read: the hung boxes are not waited for.
        hung = [self.g(h.port) for h in self.hung]
        p = self.bw(hung, "--timeout", "30", "-o", os.path.join(self.dir, "no-such-dir", "r.txt"))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--output", p.stderr)
        self.assertLess(p.elapsed, 10)
        p = subprocess.run([BOXWARDEN, "--format", "jsonl", "profiles"], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 2)
        self.assertIn("not a format of profiles", p.stderr)
        self.assertEqual(len(p.stdout.splitlines()), 1, "jsonl: the error document on one line")
        self.assertEqual(json.loads(p.stdout)["error"]["exit_code"], 2)

    def test_fleet_reads_audit_jsonl_back(self):
        a, other, dead = self.g(self.emus[2].port), self.g(self.other.port), self.g(self.dead)
        p = self.bw([a, other, dead], "--format", "jsonl", "--timeout", "20")
        self.assertEqual(p.returncode, 4, p.stderr)
        path = os.path.join(self.dir, "site-a.jsonl")
        with open(path, "w") as f:
            f.write(p.stdout)
        q = subprocess.run([BOXWARDEN, "--format", "json", "fleet", path], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(q.returncode, 4, q.stderr)
        sites = json.loads(q.stdout)["sites"]
        by_address = {s["address"]: s for s in sites}
        self.assertEqual(len(sites), 3)
        self.assertEqual(by_address[other]["error"]["kind"], "auth")
        self.assertEqual(by_address[dead]["error"]["kind"], "unreachable")
        self.assertIsNone(by_address["127.0.0.1"]["error"])
        self.assertEqual(by_address["127.0.0.1"]["vendor"], "livebox")
        self.assertIsNotNone(by_address["127.0.0.1"]["worst"])


if __name__ == "__main__":
    reexec_in_netns()
    if not in_private_netns() and ci_guard.in_ci():
        print("FAIL: no private network namespace ('unshare -rn'), and CI is set")
        sys.exit(1)
    print("(in a private network namespace)" if in_private_netns() else "(on the machine's loopback, @loopback)")
    ci_guard.main()
