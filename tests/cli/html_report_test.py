#!/usr/bin/env python3
"""--format html (issue 11, item 3) rendered in headless Chromium, checked on the page.

The doctor's case against the Livebox emulator on 127.0.0.1: `audit --format html`, then
`fix --yes --format html`, from the real binary; and a history page (its timeline drawn in
inline SVG) from tests/tools/history_html.cpp ($BOXWARDEN_HISTORY_HTML), which renders a
hand-made history document with report::write_history_html until `history --format html`
reads the journal. Each page is rendered by Debian's Chromium to a PDF (--print-to-pdf) and
the history page to a PNG (--screenshot), and what is on the page is checked:
pdftotext finds the findings, the fix, the manual step, the undo command and the timeline's
labels and dates; pdfinfo says A4; the PNG's pixels hold the timeline's bars in their severity
colours, one row per exposure in the order they were first seen, a reopened exposure as two
bars. Hostile text from the box (a rule's description) shows as text, never as markup.

Everything runs in a private network namespace (unshare -rn, its own loopback): the emulator,
boxwarden and Chromium, which gets a fresh profile and every background service off, so it
cannot reach any network. Under CI a missing namespace or tool fails the test.
"""

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "emulators"))
import ci_guard  # noqa: E402
from livebox_client import EmulatorProcess  # noqa: E402
from livebox_cli_test import DOCTOR, FIXED_EXIT, PASSWORD  # noqa: E402  the doctor's case

try:  # Debian's python3-pil (scripts/install-deps.sh)
    from PIL import Image
except ImportError:  # reported as a skip (a failure under CI)
    Image = None

BOXWARDEN = os.environ.get("BOXWARDEN", "")
HISTORY_HTML = os.environ.get("BOXWARDEN_HISTORY_HTML", "")
CHROMIUM = shutil.which("chromium")
HOSTILE = '<script>alert("box")</script><b>DICOM</b>'
SITE = "Cabinet médical <Lyon>"
# report/html.cpp severity_colour()
RGB = {"critical": (0x7b, 0x00, 0x00), "high": (0xd3, 0x2f, 0x2f), "medium": (0xef, 0x6c, 0x00),
       "low": (0xf9, 0xa8, 0x25)}

# The doctor's box over three weeks: DICOM closed by a fix, back a few days later (the box was
# reset), closed again; RDP closed by the first fix; UPnP and the ISP's rule still open.
HISTORY = {
    "generated_at": "2026-11-26T08:00:00Z", "site": SITE,
    "boxes": [{
        "box_id": "sha256:0123456789abcdef0123456789abcdef", "address": "192.168.1.1", "vendor": "livebox",
        "model": "Livebox 6", "profile": "medical-practice",
        "first_record": "2026-11-02T08:00:00Z", "last_record": "2026-11-25T08:00:00Z",
        "exposures": [
            {"key": "EXPOSE-SERVICE|port_forward|TCP/11112|192.168.1.10", "rule": "EXPOSE-SERVICE",
             "label": "DICOM to 192.168.1.10, TCP 11112 " + HOSTILE, "severity": "high",
             "first_seen": "2026-11-02T08:00:00Z", "last_seen": "2026-11-19T08:00:00Z",
             "closed_at": "2026-11-20T09:00:00Z", "closed_how": "fix", "open_seconds": 1558800,
             "reopened": [{"seen_at": "2026-11-13T08:00:00Z", "fixed_at": "2026-11-09T10:00:00Z"}]},
            {"key": "EXPOSE-PORT|port_forward|TCP/7547|192.168.1.1", "rule": "EXPOSE-PORT",
             "label": "ISP remote management, TCP 7547", "severity": "low",
             "first_seen": "2026-11-02T08:00:00Z", "last_seen": "2026-11-25T08:00:00Z",
             "closed_at": "", "closed_how": "", "open_seconds": 1987200, "reopened": []},
            {"key": "EXPOSE-SERVICE|port_forward|TCP/3389|192.168.1.10", "rule": "EXPOSE-SERVICE",
             "label": "Remote desktop to 192.168.1.10, TCP 3389", "severity": "critical",
             "first_seen": "2026-11-04T08:00:00Z", "last_seen": "2026-11-08T08:00:00Z",
             "closed_at": "2026-11-09T10:00:00Z", "closed_how": "fix", "open_seconds": 439200, "reopened": []},
            {"key": "UPNP-ENABLED|upnp_igd", "rule": "UPNP-ENABLED", "label": "UPnP on the box",
             "severity": "medium", "first_seen": "2026-11-06T08:00:00Z", "last_seen": "2026-11-25T08:00:00Z",
             "closed_at": "", "closed_how": "", "open_seconds": 1641600, "reopened": []},
        ],
        "events": [
            {"time": "2026-11-09T10:00:00Z", "command": "fix", "outcome": "done", "summary": "closed 2 openings"},
            {"time": "2026-11-20T09:00:00Z", "command": "fix", "outcome": "done", "summary": "closed DICOM again"},
        ],
    }],
}


def in_private_netns():
    return os.environ.get("HTML_REPORT_IN_NETNS") == "1"


def reexec_in_netns():
    """Runs this file again in a private network namespace with its loopback up, if possible."""
    if in_private_netns() or shutil.which("unshare") is None:
        return
    if subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode != 0:
        return
    env = dict(os.environ, HTML_REPORT_IN_NETNS="1")
    os.execvpe("unshare", ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$0" "$@"',
                           sys.executable, os.path.abspath(__file__)] + sys.argv[1:], env)


def flat(text):
    """pdftotext's words on one line: a sentence wrapped on the page is found whole."""
    return " ".join(text.split())


def chromium(html, out, dirname):
    """Starts headless Chromium on `html`, writing `out` (.png screenshot or .pdf print): no
    network (the namespace), no sandbox (it needs user namespaces of its own), a fresh profile,
    every background service off, sRGB so that colours are exact."""
    argv = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "--disable-default-apps", "--no-default-browser-check",
            "--disable-breakpad", "--force-color-profile=srgb", "--hide-scrollbars",
            "--user-data-dir=" + tempfile.mkdtemp(prefix="chromium-", dir=dirname)]
    if out.endswith(".png"):
        argv += ["--window-size=1000,1500", "--screenshot=" + out]
    else:
        argv += ["--no-pdf-header-footer", "--print-to-pdf=" + out]
    env = dict(os.environ, HOME=dirname, DBUS_SESSION_BUS_ADDRESS="disabled:")
    return subprocess.Popen(argv + ["file://" + html], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=env)


def long_runs(img, rgb, min_len=30):
    """{y: [(x0, x1), ...]}: the horizontal runs of at least min_len pixels of exactly colour rgb
    (Chromium draws with --force-color-profile=srgb: a bar's inside is its colour, exactly)."""
    w, h = img.size
    data = img.tobytes()  # RGB, row after row
    run = re.compile(b"(?:" + re.escape(bytes(rgb)) + b"){%d,}" % min_len)
    rows = {}
    for y in range(h):
        row = data[y * w * 3:(y + 1) * w * 3]
        for m in run.finditer(row):
            if m.start() % 3 == 0:
                rows.setdefault(y, []).append((m.start() // 3, m.end() // 3))
    return rows


@unittest.skipUnless(BOXWARDEN and os.access(BOXWARDEN, os.X_OK), "BOXWARDEN must name the built binary")
class HtmlReport(unittest.TestCase):
    pages = {}

    @classmethod
    def setUpClass(cls):
        missing = [t for t in ("chromium", "pdftotext", "pdfinfo") if shutil.which(t) is None]
        if missing or Image is None or not (HISTORY_HTML and os.access(HISTORY_HTML, os.X_OK)):
            raise unittest.SkipTest("needs chromium, poppler-utils, python3-pil (scripts/install-deps.sh) and "
                                    "$BOXWARDEN_HISTORY_HTML; missing: %s" % (missing or "PIL or the tool"))
        cls.dir = tempfile.mkdtemp(prefix="bw-html-")
        scenario = copy.deepcopy(DOCTOR)
        scenario["port_forwards"]["upnp_21"]["Description"] = HOSTILE
        cls.emu = EmulatorProcess(scenario, workdir=cls.dir).start()
        pwfile = os.path.join(cls.dir, "pw")
        with open(pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(pwfile, 0o600)
        state_dir = os.path.join(cls.dir, "state")

        def bw(*args):
            cmd = [BOXWARDEN, "--gateway", "127.0.0.1:%d" % cls.emu.port, "--vendor", "livebox",
                   "--password-file", pwfile, "--state-dir", state_dir, "--profile", "medical-practice",
                   "--site", SITE] + list(args)
            return subprocess.run(cmd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                                  env=dict(os.environ, HOME=cls.dir, LANG="C.UTF-8", LANGUAGE=""))

        started = time.monotonic()
        cls.runs = {}
        for name, args in (("audit", ("--format", "html", "-o", os.path.join(cls.dir, "audit.html"), "audit")),
                           ("fix", ("--yes", "--format", "html", "-o", os.path.join(cls.dir, "fix.html"), "fix"))):
            cls.runs[name] = bw(*args)
        cls.backups = sorted(os.listdir(os.path.join(state_dir, "backups")))
        history_json = os.path.join(cls.dir, "history.json")
        with open(history_json, "w") as f:
            json.dump(HISTORY, f)
        with open(os.path.join(cls.dir, "history.html"), "w") as out:
            cls.runs["history"] = subprocess.run([HISTORY_HTML, history_json], stdout=out, stderr=subprocess.PIPE,
                                                 text=True, timeout=30)
        print("boxwarden audit and fix, history page: %.1f s" % (time.monotonic() - started), file=sys.stderr)
        started = time.monotonic()
        # Three Chromiums at once: each mostly waits for its own start-up.
        jobs = []
        for page, kinds in (("fix", (".pdf",)), ("history", (".pdf", ".png"))):
            html = os.path.join(cls.dir, page + ".html")
            if not os.path.exists(html):
                continue
            for kind in kinds:
                out = os.path.join(cls.dir, page + kind)
                jobs.append((out, chromium(html, out, cls.dir)))
        cls.chromium_errors = {}
        for out, proc in jobs:
            try:
                _, err = proc.communicate(timeout=90)
            except subprocess.TimeoutExpired:
                proc.kill()
                _, err = proc.communicate()
            if proc.returncode != 0 or not os.path.exists(out):
                cls.chromium_errors[out] = "exit %s: %s" % (proc.returncode, err.decode(errors="replace")[-2000:])
        print("Chromium, 3 renderings at once: %.1f s" % (time.monotonic() - started), file=sys.stderr)

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()
        if os.environ.get("HTML_REPORT_KEEP"):  # to look at the pages and images by hand
            print("kept in", cls.dir)
        else:
            shutil.rmtree(cls.dir, True)

    def html(self, page):
        with open(os.path.join(self.dir, page + ".html"), encoding="utf-8") as f:
            return f.read()

    def pdf(self, page):
        path = os.path.join(self.dir, page + ".pdf")
        self.assertNotIn(path, self.chromium_errors, self.chromium_errors.get(path))
        info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
        self.assertRegex(info, r"Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts \(A4\)")
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, text=True,
                              check=True).stdout
        return flat(text)

    def png(self, page):
        path = os.path.join(self.dir, page + ".png")
        self.assertNotIn(path, self.chromium_errors, self.chromium_errors.get(path))
        return Image.open(path).convert("RGB")

    def assert_self_contained(self, html):
        """No script, nothing to fetch: no tag names a URL or has a src, href or on* attribute
        (a URL in the text is words: the manual steps name the box's web interface)."""
        lowered = html.lower()
        for bad in ("<script", "url(", "<link", "@import", "<iframe", "<object", "<embed", "<img"):
            self.assertNotIn(bad, lowered)
        for tag in re.findall(r"<[^>]*>", lowered):
            self.assertNotIn("http", tag)
            self.assertNotIn("//", tag)
            self.assertNotRegex(re.sub(r'"[^"]*"', '""', tag), r"\s(src|href|on[a-z]+)\s*=")
        self.assertIn("&lt;script&gt;alert(&quot;box&quot;)&lt;/script&gt;", html)
        self.assertIn("@page{size:A4", html)
        self.assertTrue(html.startswith('<!DOCTYPE html>\n<html lang="en">'))

    def test_audit_page(self):
        """The audit page of the doctor's box: the box, the site, the findings by risk, said once why."""
        p = self.runs["audit"]
        self.assertEqual(p.returncode, 1, p.stderr)  # findings at or above --fail-on high
        self.assertEqual(p.stdout, "")  # the page went to -o
        self.assertNotIn(PASSWORD, p.stdout + p.stderr)
        html = self.html("audit")
        self.assert_self_contained(html)
        for text in ("Cabinet médical &lt;Lyon&gt;", "medical-practice", "127.0.0.1", "TCP port 11112",
                     "TCP port 3389", "High risk"):
            self.assertIn(text, html)
        self.assertEqual(html.count("Patients&#39; health data"), 1)  # said once, not under every finding
        self.assertIn("What to do: by hand", html)  # the ISP's rule: the plan leaves it to a person
        self.assertIn("What boxwarden fix can do", html)

    def test_html_is_for_one_box(self):
        """With several -g, --format html is a usage error before any box is read."""
        p = subprocess.run([BOXWARDEN, "--format", "html", "-g", "127.0.0.1:%d" % self.emu.port, "-g", "127.0.0.2",
                            "--state-dir", os.path.join(self.dir, "state"), "audit"], capture_output=True, text=True,
                           timeout=60, stdin=subprocess.DEVNULL, env=dict(os.environ, HOME=self.dir))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--format html reports on one box", p.stderr)
        self.assertNotIn("<html", p.stdout)

    def test_fix_page(self):
        """The fix page, printed: what was open, what was closed and verified, what remains by hand
        with its steps, and how to undo."""
        p = self.runs["fix"]
        self.assertEqual(p.returncode, FIXED_EXIT, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assert_self_contained(self.html("fix"))
        self.assertEqual(len(self.backups), 1)
        text = self.pdf("fix")
        for words in ("Security report: fix of the Internet box", "Cabinet médical <Lyon>", "medical-practice",
                      "What was open before the fix", "TCP port 11112", "TCP port 3389",
                      "What the fix changed", "every change is in place (verified)", "Closed and verified",
                      "What remains to do by hand", "Close TCP port 7547", "What to do: by hand",
                      "Still open after the fix", "How to undo", "boxwarden rollback",
                      HOSTILE):  # the hostile label, as text on the page
            self.assertIn(words, text)
        self.assertIn(self.backups[0], text.replace(" ", ""))  # the path may wrap
        self.assertEqual(text.count("Patients' health data"), 1)
        self.assertEqual(self.emu.state()["dmz"], {})  # the fix was real

    def test_history_page_text(self):
        """The timeline, printed: the exposures' names, the dates on the axis, the fixes."""
        p = self.runs["history"]
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assert_self_contained(self.html("history"))
        text = self.pdf("history")
        for words in ("Exposure history", "History of the exposures", "Livebox 6", "Cabinet médical <Lyon>",
                      "Remote desktop to 192.168.1.10", "UPnP on the box", "ISP remote management",
                      "2026-11-02", "2026-11-25", "fix", "still open", "by a fix (verified)",
                      "open again on 2026-11-13 08:00, after the fix of 2026-11-09 10:00",
                      "DICOM to 192.168.1.10, TCP 11112", HOSTILE):
            self.assertIn(words, text)

    def test_history_page_bars(self):
        """The timeline, drawn: a bar per exposure in its severity's colour, rows in the order
        first seen, bars starting where the exposure was first seen, the reopened one in two."""
        img = self.png("history")
        rows = {}
        for severity, rgb in RGB.items():
            runs = long_runs(img, rgb)
            self.assertTrue(runs, "no %s bar on the page" % severity)
            ys = sorted(runs)
            rows[severity] = (ys[len(ys) // 2], runs[ys[len(ys) // 2]])  # the bar's middle line
        # Rows: DICOM (high) and the ISP's rule (low) first seen on the 2nd, RDP (critical) on
        # the 4th, UPnP (medium) on the 6th.
        order = sorted(rows, key=lambda s: rows[s][0])
        self.assertEqual(order, ["high", "low", "critical", "medium"])
        start = {s: rows[s][1][0][0] for s in rows}
        self.assertAlmostEqual(start["high"], start["low"], delta=3)
        self.assertLess(start["high"], start["critical"])
        self.assertLess(start["critical"], start["medium"])
        # Two days (2nd to 4th, 4th to 6th) are the same width on the page.
        self.assertAlmostEqual(start["critical"] - start["high"], start["medium"] - start["critical"], delta=3)
        # DICOM: open, closed by the fix of the 9th, open again from the 13th: two bars.
        self.assertEqual(len(rows["high"][1]), 2, rows["high"])
        self.assertEqual(len(rows["medium"][1]), 1)


if __name__ == "__main__":
    reexec_in_netns()
    if not in_private_netns() and ci_guard.in_ci():
        print("FAIL: no private network namespace ('unshare -rn'), and CI is set")
        sys.exit(1)
    if not in_private_netns():
        print("skip: no private network namespace ('unshare -rn'): Chromium must not run in the machine's network")
        sys.exit(77)
    ci_guard.main()
