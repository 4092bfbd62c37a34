#!/usr/bin/env python3
"""The translations (po/): re-extracts every message from the sources with xgettext (as
po/update.sh does) and fails when one has no French translation in po/fr.po, a fuzzy one, or a
translation whose {places} differ from the message's (fill() would then leave a place empty or
print "{name}"); msgfmt --check-format must accept po/fr.po. No binary needed.

After adding messages: po/update.sh, translate the new entries of po/fr.po, run this test."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("SOURCE_DIR") or os.path.join(HERE, "..", "..")
PLACE = re.compile(r"\{[a-z_]+\}")


def unquote(s):
    return s.encode("latin-1", "backslashreplace").decode("unicode_escape") if "\\" in s else s


def parse_po(text):
    """[{msgid, msgid_plural?, msgstr: [..], fuzzy}] of a .po/.pot, without the header; strings unescaped."""
    entries = []
    for block in re.split(r"\n\s*\n", text):
        e, key = {"msgstr": [], "fuzzy": False}, None
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                e["fuzzy"] = True
            if line.startswith("#~"):
                key = None  # an obsolete entry: not a message of the sources
                e = None
                break
            m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if m:
                key = m.group(1)
                if key.startswith("msgstr"):
                    e["msgstr"].append(m.group(2))
                else:
                    e[key] = m.group(2)
                continue
            m = re.match(r'^"(.*)"$', line)
            if m and key:
                if key.startswith("msgstr"):
                    e["msgstr"][-1] += m.group(1)
                else:
                    e[key] += m.group(1)
        if e is None or "msgid" not in e or e["msgid"] == "":
            continue
        e["msgid"] = unquote(e["msgid"])
        if "msgid_plural" in e:
            e["msgid_plural"] = unquote(e["msgid_plural"])
        e["msgstr"] = [unquote(s) for s in e["msgstr"]]
        entries.append(e)
    return entries


def problems(template, catalogue):
    """What is wrong with `catalogue` (entries of LANG.po) for the messages of `template` (the .pot)."""
    by_id = {e["msgid"]: e for e in catalogue}
    out = []
    for t in template:
        e = by_id.get(t["msgid"])
        if e is None:
            out.append("no entry: %r" % t["msgid"])
            continue
        if e["fuzzy"]:
            out.append("fuzzy: %r" % t["msgid"])
        if not e["msgstr"] or any(s == "" for s in e["msgstr"]):
            out.append("not translated: %r" % t["msgid"])
            continue
        ids = [t["msgid"]] + ([t["msgid_plural"]] if "msgid_plural" in t else [])
        want = set(PLACE.findall(" ".join(ids)))
        for s in e["msgstr"]:
            if set(PLACE.findall(s)) != want:
                out.append("places differ: %r -> %r" % (t["msgid"], s))
    return out


def have(*tools):
    return all(shutil.which(t) for t in tools)


class Translations(unittest.TestCase):
    def setUp(self):
        if not have("xgettext", "msgfmt"):
            self.skipTest("needs xgettext and msgfmt (Debian package gettext, scripts/install-deps.sh)")

    def test_every_message_has_a_checked_french_translation(self):
        with tempfile.TemporaryDirectory(prefix="bw-po-") as tmp:
            pot = os.path.join(tmp, "boxwarden.pot")
            subprocess.run([os.path.join(ROOT, "po", "update.sh"), "--pot", pot], check=True)
            with open(pot, encoding="utf-8") as f:
                template = parse_po(f.read())
        self.assertGreater(len(template), 300, "xgettext found too few messages: the keywords are wrong")
        with open(os.path.join(ROOT, "po", "fr.po"), encoding="utf-8") as f:
            catalogue = parse_po(f.read())
        found = problems(template, catalogue)
        self.assertEqual(found, [], "po/fr.po (run po/update.sh, then translate):\n" + "\n".join(found[:40]))

    def test_msgfmt_accepts_the_catalogue(self):
        p = subprocess.run(["msgfmt", "--check", "--check-format", "-o", os.devnull, os.path.join(ROOT, "po", "fr.po")],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_the_check_finds_each_fault(self):
        pot = parse_po('msgid "the box at {address} did not answer"\nmsgstr ""\n\n'
                       'msgid "one"\nmsgstr ""\n\nmsgid "two"\nmsgstr ""\n\nmsgid "three"\nmsgstr ""\n')
        po = parse_po('msgid "the box at {address} did not answer"\nmsgstr "la box à {adresse} n\'a pas répondu"\n\n'
                      '#, fuzzy\nmsgid "one"\nmsgstr "un"\n\nmsgid "two"\nmsgstr ""\n')
        found = problems(pot, po)
        self.assertEqual([f.split(":")[0] for f in found], ["places differ", "fuzzy", "not translated", "no entry"])


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    import ci_guard  # a skip fails under CI
    ci_guard.main()
