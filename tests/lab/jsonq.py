#!/usr/bin/env python3
"""Assert on a JSON document: jsonq.py FILE EXPRESSION [EXPLAIN].

EXPRESSION is a Python expression over `d` (the parsed document) and `text` (its raw text); exit 0 when it is truthy.
When it is false, or the document cannot be read, print EXPLAIN's value (default: the start of
the document) so that a failing test shows what it got.
"""
import json
import sys


def main():
    path, expr = sys.argv[1], sys.argv[2]
    explain = sys.argv[3] if len(sys.argv) > 3 else None
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        d = json.loads(text)
    except (OSError, ValueError) as e:
        print(f"     not a JSON document ({e}); stdout began with: {text[:300]!r}"
              if "text" in locals() else f"     cannot read {path}: {e}")
        return 1
    env = {"d": d, "text": text, "any": any, "all": all, "len": len, "sorted": sorted, "set": set}
    try:
        ok = bool(eval(expr, env))  # noqa: S307 - the expression is written by the test
    except Exception as e:  # a missing key or a wrong type is a failed assertion
        print(f"     raised {type(e).__name__}: {e}")
        ok = False
    if not ok:
        try:
            shown = eval(explain, env) if explain else d
        except Exception as e:
            shown = f"({type(e).__name__}: {e})"
        out = json.dumps(shown, indent=None, sort_keys=True)
        print(f"     expected: {expr}\n     got: {out[:1500]}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
