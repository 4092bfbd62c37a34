#!/usr/bin/env python3
"""The shipped JSON Schemas (schemas/*.schema.json): each is a valid draft 2020-12 schema; the
documents boxwarden prints without a box (vendors, profiles, profiles NAME, backups, a usage
error) validate, with and without --site; and the schemas reject what they must (a report
without schema_version, a raw serial as box_id, an empty action, a site of 65 characters,
vendor_data in a forward). The documents that need a box are validated where they are made
(livebox_cli_test, freebox_cli_test, json_error_test, ... and the lab's bw_capture).
Environment: BOXWARDEN (the binary). No network.
"""
import copy
import json
import os
import subprocess
import sys
import tempfile
import unittest

import jsonschema

from schema_check import SCHEMA_DIR, problems, validate

BOXWARDEN = os.environ.get("BOXWARDEN", "")
NAMES = ("report", "error", "vendors", "profiles", "backups", "discover", "history", "breach")


def run_bw(*args):
    env = dict(os.environ, BOXWARDEN_NETNS="@loopback")
    return subprocess.run([BOXWARDEN] + list(args), capture_output=True, text=True, timeout=30, env=env,
                          stdin=subprocess.DEVNULL)


MINIMAL_REPORT = {
    "schema_version": 1, "generated_at": "2026-12-02T03:20:00Z", "site": None,
    "tool": {"name": "boxwarden", "version": "0.1.0"}, "command": "audit", "profile": "home",
    "gateway": {"address": "192.168.1.1", "vendor": "livebox", "model": "Livebox 7", "firmware": "",
                "external_ip": None, "apis": ["livebox"], "found_by": "--gateway", "natpmp": False,
                "box_id": "sha256:" + "0" * 32},
    "state": {"port_forwards": [], "static_port_forwards_known": True, "dmz": None, "upnp_igd": None,
              "remote_admin": None, "unknown": ["dmz"], "ipv6": None, "ipv6_firewall": None, "ipv6_pinholes": [],
              "ipv6_pinholes_known": True, "ipv6_exposed_host": None, "box_services": None},
    "findings": [{"rule": "STATE-UNKNOWN", "severity": "medium", "title": "t", "why": "w",
                  "subject": {"kind": "unknown_field", "field": "dmz"}, "action": "manual", "allowed": False,
                  "service": None, "service_id": None, "service_class": None}],
    "plan": [], "summary": {"critical": 0, "high": 0, "medium": 1, "low": 0, "info": 0},
}


class Schemas(unittest.TestCase):
    def test_each_schema_is_a_valid_draft_2020_12_schema(self):
        for name in NAMES:
            with open(os.path.join(SCHEMA_DIR, name + ".schema.json"), encoding="utf-8") as f:
                schema = json.load(f)
            self.assertEqual(schema["$schema"], "https://json-schema.org/draft/2020-12/schema", name)
            jsonschema.Draft202012Validator.check_schema(schema)

    def test_the_schemas_reject_what_they_must(self):
        validate(MINIMAL_REPORT, "report")
        validate([MINIMAL_REPORT, MINIMAL_REPORT], "report")
        validate(dict(MINIMAL_REPORT, drift={"previous_at": "2026-12-01T10:05:00Z", "new": [], "closed": [],
                                             "reopened": [{"key": "EXPOSE-DMZ|dmz|192.168.1.10",
                                                           "fixed_at": "2026-12-01T10:05:00Z"}]}), "report")
        bad = {
            "no schema_version": lambda d: d.pop("schema_version"),
            "a raw serial as box_id": lambda d: d["gateway"].update(box_id="LK00000EMU00001"),
            "an empty action": lambda d: d["findings"][0].update(action=""),
            "an unknown subject kind": lambda d: d["findings"][0]["subject"].update(kind="printer"),
            "a local time": lambda d: d.update(generated_at="2026-12-02T04:20:00+01:00"),
            "a site of 65 characters": lambda d: d.update(site="x" * 65),
            "a drift without its lists": lambda d: d.update(drift={"previous_at": None}),
            "an upper-case service_id": lambda d: d["findings"][0].update(service_id="RDP"),
            "vendor_data in a forward": lambda d: d["state"]["port_forwards"].append({
                "protocol": "TCP", "external_port": 1, "external_port_end": 1, "internal_host": "192.168.1.2",
                "internal_port": 1, "description": "", "origin": [], "enabled": True, "source": "any",
                "lease_seconds": 0, "apis": [], "vendor_data": {}}),
        }
        for what, change in bad.items():
            doc = copy.deepcopy(MINIMAL_REPORT)
            change(doc)
            self.assertTrue(problems(doc, "report"), what)


@unittest.skipUnless(BOXWARDEN and os.access(BOXWARDEN, os.X_OK), "BOXWARDEN must name the built binary")
class Documents(unittest.TestCase):
    def test_documents_without_a_box_validate(self):
        with tempfile.TemporaryDirectory(prefix="bw-schema-") as state:
            for args, schema in ((["vendors"], "vendors"), (["profiles"], "profiles"),
                                 (["profiles", "home"], "profiles"), (["backups", "--state-dir", state], "backups"),
                                 (["history", "--state-dir", state], "history"),
                                 (["history", "--verify", "--state-dir", state], "history"),
                                 (["breach", "--state-dir", state], "error"),
                                 (["profiles", "no-such-profile"], "error"),
                                 (["no-such-command"], "error")):
                for site in ([], ["--site", "Cabinet médical Lyon"]):
                    p = run_bw("--format", "json", *site, *args)
                    doc = validate(json.loads(p.stdout), schema)
                    self.assertEqual(doc["site"], site[1] if site else None, (args, site))
                    self.assertEqual(doc["schema_version"], 1)


if __name__ == "__main__":
    import ci_guard  # a skip fails under CI
    ci_guard.main()
