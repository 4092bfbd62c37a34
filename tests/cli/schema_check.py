#!/usr/bin/env python3
"""Validates boxwarden's JSON documents against the shipped schemas (schemas/*.schema.json,
JSON Schema draft 2020-12) with Debian's python3-jsonschema, format checks on.

As a module:  from schema_check import validate; validate(doc, "report")
  (raises AssertionError naming the first problem and where it is; returns the document).
As a command: schema_check.py FILE SCHEMA  (exit 0 when FILE validates, 1 with the problem
  on stderr otherwise; tests/lab/lib.sh lab_schema uses it). FILE may hold JSON Lines: each
  line is then checked. An error document (or line) is checked against "error" whatever
  SCHEMA says: a failed run prints it where its report would have gone.
Environment: BOXWARDEN_SCHEMA_DIR (default: schemas/ of this source tree).
"""

import json
import os
import sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_DIR = os.environ.get("BOXWARDEN_SCHEMA_DIR") or os.path.join(HERE, "..", "..", "schemas")

_validators = {}


def validator(schema_name):
    if schema_name not in _validators:
        path = os.path.join(SCHEMA_DIR, schema_name + ".schema.json")
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        _validators[schema_name] = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return _validators[schema_name]


def problems(document, schema_name):
    """Every way `document` breaks the schema, as one line each ([] when valid)."""
    errors = []
    for e in validator(schema_name).iter_errors(document):
        # oneOf/anyOf (a report or an array of them): the deepest reason says what is wrong.
        # For one report (an object) the reasons of the object branch, for an array the other's.
        branch = [c for c in e.context if c.relative_schema_path and
                  c.relative_schema_path[0] == (1 if isinstance(document, list) else 0)]
        errors.append(jsonschema.exceptions.best_match(branch or e.context) if e.context else e)
    errors.sort(key=lambda e: list(e.absolute_path))
    return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(top)", e.message[:300]) for e in errors]


def validate(document, schema_name):
    """Asserts that `document` (parsed JSON) validates against schemas/<schema_name>.schema.json."""
    found = problems(document, schema_name)
    assert not found, "not a valid %s document: %s" % (schema_name, "; ".join(found[:5]))
    return document


def validate_text(text, schema_name):
    """Parses `text` (one JSON document) and validates it; returns the document."""
    return validate(json.loads(text), schema_name)


def main(argv):
    if len(argv) != 3:
        print("usage: schema_check.py FILE SCHEMA (report, error, vendors, profiles, backups, discover, fleet)",
              file=sys.stderr)
        return 2
    path, schema_name = argv[1], argv[2]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        docs = [json.loads(text)]
    except json.JSONDecodeError:
        docs = [json.loads(line) for line in text.splitlines() if line.strip()]  # JSON Lines
    bad = []
    for i, doc in enumerate(docs):
        # A failed run prints the error document where its report would have gone.
        name = "error" if isinstance(doc, dict) and "error" in doc and "tool" in doc else schema_name
        bad += ["%s[%d]: %s" % (path, i, p) for p in problems(doc, name)]
    for line in bad[:10]:
        print("schema_check: " + line, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
