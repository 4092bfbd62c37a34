#!/usr/bin/env python3
"""`boxwarden fleet FILE|DIR...` (issue 10, item 6): no network, report files written here.

The files are what audit writes (a report, an array of reports, JSON Lines, error documents
and error entries), with and without `site`, `generated_at` and `gateway.box_id`, some of them
hostile (markup, a spreadsheet formula, control characters). Checks each --format (text, json
against schemas/fleet.schema.json, csv, html, junit), the exit status (the worst row, with
--fail-on), and bad input: not JSON, a bad JSON line, not a boxwarden document, a file over
64 MiB, an empty directory (exit 2, one line naming the file).
"""

import csv
import html.parser
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ci_guard  # noqa: E402

BOXWARDEN = os.environ.get("BOXWARDEN", "")
SOURCE_DIR = os.environ.get("SOURCE_DIR", os.path.join(HERE, "..", ".."))
SEVERITIES = ("critical", "high", "medium", "low", "info")


def finding(rule, severity, kind="port_forward", field=None):
    subject = {"kind": kind}
    if field:
        subject["field"] = field
    return {"rule": rule, "severity": severity, "title": rule, "why": "", "subject": subject, "action": "manual"}


def report(address="192.168.1.1", vendor="livebox", model="Livebox 7", findings=(), site=None, box_id=None,
           generated_at=None, command="audit"):
    counts = {s: sum(1 for f in findings if f["severity"] == s) for s in SEVERITIES}
    doc = {"tool": {"name": "boxwarden", "version": "0.1.0"}, "command": command, "profile": "medical-practice",
           "gateway": {"address": address, "vendor": vendor, "model": model, "firmware": "1", "external_ip": None,
                       "apis": [vendor], "found_by": "--gateway", "natpmp": False},
           "state": {}, "findings": list(findings), "plan": [], "summary": counts}
    if site is not None:
        doc["site"] = site
    if box_id is not None:
        doc["gateway"]["box_id"] = box_id
    if generated_at is not None:
        doc["generated_at"] = generated_at
    return doc


def error_doc(kind, code, address=None, site=None):
    doc = {"tool": {"name": "boxwarden", "version": "0.1.0"}, "command": "audit",
           "error": {"exit_code": code, "kind": kind, "message": "the box at 192.168.1.1 did not answer"}}
    if address:
        doc["gateway"] = {"address": address}
    if site:
        doc["site"] = site
    return doc


BOX_ID = "sha256:" + "0123456789abcdef" * 2


class TableParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.cell, self.tags = [], None, []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.rows[-1].append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


@unittest.skipUnless(BOXWARDEN and os.access(BOXWARDEN, os.X_OK), "BOXWARDEN must name the built binary")
class Fleet(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="bw-fleet-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.reports = os.path.join(self.dir, "reports")
        os.mkdir(self.reports)
        # Four sites as the Ansible playbook fetches them (one file per host), one of them down.
        self.write("cabinet-dupont.json", report(findings=[finding("EXPOSE-SERVICE", "critical"),
                                                           finding("EXPOSE-PORT", "high")],
                                                 site="Cabinet Dupont", box_id=BOX_ID,
                                                 generated_at="2026-12-02T03:20:00Z"))
        self.write("cabinet-martin.json", report(findings=[finding("UPNP-ON", "medium"),
                                                           finding("UNKNOWN-FIELD", "medium", "unknown_field", "dmz")],
                                                 address="192.168.1.254", vendor="freebox", model="Delta"))
        self.write("radiologie.json", error_doc("unreachable", 3, "192.168.1.1", site="Radiologie"))
        self.write("notes.txt", "not read: not *.json")

    def write(self, name, doc, where=None):
        path = os.path.join(where or self.reports, name)
        with open(path, "w") as f:
            f.write(doc if isinstance(doc, str) else json.dumps(doc))
        return path

    def fleet(self, *args):
        return subprocess.run([BOXWARDEN, *args], capture_output=True, text=True, timeout=60,
                              env=dict(os.environ, BOXWARDEN_NETNS="@loopback"))

    def test_text_table_one_row_per_site_and_the_worst_exit(self):
        p = self.fleet("fleet", self.reports)
        self.assertEqual(p.returncode, 3, p.stderr)  # the unreachable site: 3 > findings 1
        lines = p.stdout.splitlines()
        self.assertTrue(lines[0].startswith("SITE "), lines[0])
        rows = [line for line in lines[1:4]]
        # Sorted by file name; a site without "site" is named by its file.
        self.assertTrue(rows[0].startswith("Cabinet Dupont "), rows)
        self.assertTrue(rows[1].startswith("cabinet-martin "), rows)
        self.assertTrue(rows[2].startswith("Radiologie "), rows)
        self.assertIn("sha256:0123456789ab ", rows[0])  # the box id, short
        self.assertNotIn("0123456789abcdef0123", p.stdout)
        self.assertIn("192.168.1.254", rows[1])  # no box id: the address
        self.assertRegex(rows[0], r" critical +1 +1 +0 +0 +0 +0 +- ")  # worst, counts, unknown, no error
        self.assertIn("2026-12-02T03:20:00Z", rows[0])
        self.assertRegex(rows[1], r" medium +0 +0 +2 +0 +0 +1 +- ")
        self.assertIn("unreachable", rows[2])
        self.assertIn("3 boxes: 2 failing", p.stdout)
        self.assertIn("Radiologie: unreachable (exit 3)", p.stdout)
        self.assertEqual(p.stderr, "")

    def test_exit_status_follows_fail_on(self):
        os.unlink(os.path.join(self.reports, "radiologie.json"))
        self.assertEqual(self.fleet("fleet", self.reports).returncode, 1)
        self.assertEqual(self.fleet("fleet", "--fail-on", "critical", self.reports).returncode, 1)
        os.unlink(os.path.join(self.reports, "cabinet-dupont.json"))
        self.assertEqual(self.fleet("fleet", "--fail-on", "high", self.reports).returncode, 0)
        self.assertEqual(self.fleet("fleet", "--fail-on", "medium", self.reports).returncode, 1)
        # An auth error (4) is worse than an unreachable box (3).
        self.write("a.json", error_doc("unreachable", 3))
        self.write("b.json", error_doc("auth", 4))
        self.assertEqual(self.fleet("fleet", self.reports).returncode, 4)

    def test_json_matches_its_schema(self):
        p = self.fleet("--format", "json", "fleet", self.reports)
        self.assertEqual(p.returncode, 3, p.stderr)
        doc = json.loads(p.stdout)
        import jsonschema  # python3-jsonschema (scripts/install-deps.sh)
        with open(os.path.join(SOURCE_DIR, "schemas", "fleet.schema.json")) as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(doc)
        self.assertEqual(doc["schema_version"], 1)
        self.assertEqual([s["site"] for s in doc["sites"]], ["Cabinet Dupont", "cabinet-martin", "Radiologie"])
        dupont, martin, radio = doc["sites"]
        self.assertEqual((dupont["worst"], dupont["box_id"], dupont["generated_at"]),
                         ("critical", BOX_ID, "2026-12-02T03:20:00Z"))
        self.assertEqual(dupont["counts"], {"critical": 1, "high": 1, "medium": 0, "low": 0, "info": 0})
        self.assertIsNone(dupont["error"])
        self.assertEqual((martin["worst"], martin["unknown"], martin["box_id"], martin["generated_at"]),
                         ("medium", ["dmz"], None, None))
        self.assertEqual((radio["worst"], radio["error"]["kind"], radio["error"]["exit_code"]),
                         (None, "unreachable", 3))
        self.assertEqual(doc["summary"]["sites"], 3)
        self.assertEqual(doc["summary"]["errors"], 1)
        self.assertEqual(doc["summary"]["worst"], "critical")
        self.assertEqual(doc["summary"]["exit_code"], 3)

    def test_arrays_and_json_lines_and_error_entries(self):
        other = os.path.join(self.dir, "other")
        os.mkdir(other)
        many = self.write("lan.json", [report(address="10.0.0.1", findings=[finding("X", "low")]),
                                       error_doc("auth", 4, "10.0.0.2")], other)
        lines = self.write("lan.jsonl", "\n".join(json.dumps(d) for d in (
            report(address="10.0.1.1", site="Site L"), error_doc("busy", 75, "10.0.1.2"))) + "\n\n", other)
        p = self.fleet("--format", "json", "fleet", many, lines)
        self.assertEqual(p.returncode, 75, p.stderr)  # busy is worse than auth
        sites = json.loads(p.stdout)["sites"]
        self.assertEqual([(s["site"], s["address"]) for s in sites],
                         [("lan", "10.0.0.1"), ("lan", "10.0.0.2"), ("Site L", "10.0.1.1"), ("lan", "10.0.1.2")])
        self.assertEqual([s["exit_code"] for s in sites], [0, 4, 0, 75])
        self.assertEqual(sites[0]["worst"], "low")
        self.assertIsNone(sites[2]["worst"])
        # JUnit: the boxes of one site are told apart by their box.
        p = self.fleet("--format", "junit", "fleet", many, lines)
        names = [c.get("name") for c in ET.fromstring(p.stdout).findall(".//testcase")]
        self.assertEqual(names, ["lan (10.0.0.1)", "lan (10.0.0.2)", "Site L", "lan (10.0.1.2)"])

    def test_csv_quotes_and_defuses_formulas(self):
        self.write("evil.json", report(site='=HYPERLINK("http://x","y"), "quoted"', model="Box, 7"))
        p = self.fleet("--format", "csv", "fleet", self.reports)
        self.assertEqual(p.returncode, 3, p.stderr)
        rows = list(csv.DictReader(io.StringIO(p.stdout)))
        self.assertEqual(len(rows), 4)
        by_site = {r["site"]: r for r in rows}
        self.assertIn("'=HYPERLINK(\"http://x\",\"y\"), \"quoted\"", by_site)
        self.assertEqual(by_site["'=HYPERLINK(\"http://x\",\"y\"), \"quoted\""]["model"], "Box, 7")
        self.assertEqual(by_site["Cabinet Dupont"]["critical"], "1")
        self.assertEqual(by_site["Radiologie"]["error_kind"], "unreachable")
        self.assertEqual(by_site["Radiologie"]["error_exit_code"], "3")
        self.assertEqual(by_site["cabinet-martin"]["unknown"], "dmz")

    def test_html_escapes_the_box(self):
        self.write("evil.json", report(site="<script>alert(1)</script>", model="M\x1b[31m&"))
        p = self.fleet("--format", "html", "fleet", self.reports)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertNotIn("<script>", p.stdout)
        self.assertNotIn("\x1b", p.stdout)
        t = TableParser()
        t.feed(p.stdout)
        self.assertNotIn("script", t.tags)
        self.assertEqual(len(t.rows), 5)  # the header and four sites
        self.assertIn("<script>alert(1)</script>", [r[0] for r in t.rows])
        self.assertIn("Cabinet Dupont", [r[0] for r in t.rows])

    def test_junit_one_testcase_per_site_failures_for_failing_ones(self):
        self.write("calm.json", report(site="Calme & <Co>", findings=[finding("X", "low")]))
        p = self.fleet("--format", "junit", "fleet", self.reports)
        self.assertEqual(p.returncode, 3, p.stderr)
        root = ET.fromstring(p.stdout)
        cases = root.findall(".//testcase")
        self.assertEqual([c.get("name") for c in cases], ["Cabinet Dupont", "cabinet-martin", "Calme & <Co>", "Radiologie"])  # by file name
        failing = {c.get("name"): c.find("failure") for c in cases}
        self.assertIsNone(failing["Calme & <Co>"])
        self.assertIsNone(failing["cabinet-martin"])  # medium < --fail-on high
        self.assertEqual(failing["Cabinet Dupont"].get("type"), "findings")
        self.assertIn("1 critical, 1 high", failing["Cabinet Dupont"].get("message"))
        self.assertEqual(failing["Radiologie"].get("type"), "unreachable")
        self.assertEqual(root.get("tests"), "4")
        self.assertEqual(root.get("failures"), "2")

    def test_fix_reports_count_what_remains(self):
        fix = report(findings=[finding("EXPOSE-SERVICE", "critical")], command="fix")
        fix["fix"] = {"outcome": "applied", "summary_after": {"critical": 0, "high": 0, "medium": 0, "low": 1, "info": 0}}
        path = self.write("fixed.json", fix, self.dir)
        p = self.fleet("--format", "json", "fleet", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["sites"][0]["worst"], "low")

    def test_bad_input_is_one_line_naming_the_file(self):
        cases = {
            "broken.json": "{\"tool\": ",
            "lines.jsonl": json.dumps(report()) + "\n{oops\n",
            "other.json": json.dumps({"hello": "world"}),
            "code.json": json.dumps(error_doc("unreachable", 99)),
            "counts.json": json.dumps(dict(report(), summary={"high": "many"})),
        }
        for name, text in cases.items():
            path = self.write(name, text, self.dir)
            p = self.fleet("fleet", path)
            self.assertEqual(p.returncode, 2, (name, p.stdout, p.stderr))
            self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
            self.assertIn(name + (":2" if name.endswith(".jsonl") else ""), p.stderr)
            self.assertTrue(p.stderr.startswith("boxwarden: error: "), p.stderr)
        big = os.path.join(self.dir, "big.json")
        with open(big, "wb") as f:
            f.truncate(64 * 1024 * 1024 + 1)
        p = self.fleet("fleet", big)
        self.assertEqual(p.returncode, 2)
        self.assertIn("larger than", p.stderr)
        empty = os.path.join(self.dir, "empty")
        os.mkdir(empty)
        p = self.fleet("fleet", empty)
        self.assertEqual(p.returncode, 2)
        self.assertIn("holds no .json or .jsonl file", p.stderr)
        p = self.fleet("fleet", os.path.join(self.dir, "missing.json"))
        self.assertEqual(p.returncode, 2)
        p = self.fleet("fleet")
        self.assertEqual(p.returncode, 2)
        p = self.fleet("--format", "jsonl", "fleet", self.reports)
        self.assertEqual(p.returncode, 2)
        self.assertIn("not a format of fleet", p.stderr)


if __name__ == "__main__":
    ci_guard.main()
