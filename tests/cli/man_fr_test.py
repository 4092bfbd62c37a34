#!/usr/bin/env python3
"""The French manual (man/fr/boxwarden.1) documents the same commands, options and exit
statuses as the English one (man/boxwarden.1): a command, an option or an exit status added to
one and not the other fails here. No binary needed."""

import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("SOURCE_DIR") or os.path.join(HERE, "..", "..")
# The same sections under their names in each language.
SECTIONS = {"en": {"commands": "COMMANDS", "options": "OPTIONS", "exit": "EXIT STATUS"},
            "fr": {"commands": "COMMANDES", "options": "OPTIONS", "exit": "CODE DE RETOUR"}}


def sections(text):
    """{section name: its lines} of an mdoc page."""
    out, name = {}, None
    for line in text.splitlines():
        if line.startswith(".Sh "):
            name = line[4:].strip()
            out[name] = []
        elif name is not None:
            out[name].append(line)
    return out


def documented(path, lang):
    """(commands, options, exit statuses) the page documents: the `.It` items of its command,
    option and exit status sections; options also from the command items (`.It Cm audit Oo Fl -jobs`)."""
    with open(path, encoding="utf-8") as f:
        secs = sections(f.read())
    names = SECTIONS[lang]
    for key in names.values():
        if key not in secs:
            raise AssertionError("%s has no section %s" % (path, key))
    commands, options, codes = set(), set(), set()
    for line in secs[names["commands"]]:
        m = re.match(r"\.It Cm (\S+)", line)
        if m:
            commands.add(m.group(1))
            options.update("-" + o for o in re.findall(r"\bFl (-[a-z][a-z-]*)", line))
    for line in secs[names["options"]]:
        if line.startswith(".It Fl"):
            options.update("-" + o for o in re.findall(r"\bFl (-?[a-zA-Z][a-z-]*)", line))
    for line in secs[names["exit"]]:
        m = re.match(r"\.It (\d+)(\s|$)", line)
        if m:
            codes.add(int(m.group(1)))
    return commands, options, codes


class ManFr(unittest.TestCase):
    def test_same_commands_options_and_exit_statuses(self):
        en = documented(os.path.join(ROOT, "man", "boxwarden.1"), "en")
        fr = documented(os.path.join(ROOT, "man", "fr", "boxwarden.1"), "fr")
        for what, a, b in zip(("commands", "options", "exit statuses"), en, fr):
            self.assertTrue(a, "nothing found for %s in the English page: the parser is wrong" % what)
            self.assertEqual(a - b, set(), "%s in man/boxwarden.1 but not in man/fr/boxwarden.1" % what)
            self.assertEqual(b - a, set(), "%s in man/fr/boxwarden.1 but not in man/boxwarden.1" % what)

    def test_the_check_finds_a_difference(self):
        # What the check reads is what a missing item would change: a page without `fix` differs.
        en = documented(os.path.join(ROOT, "man", "boxwarden.1"), "en")
        self.assertIn("fix", en[0])
        self.assertIn("--dry-run", en[1])
        self.assertIn(75, en[2])
        self.assertIn("-n", en[1])


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    import ci_guard  # a skip fails under CI
    ci_guard.main()
