#!/usr/bin/env python3
"""The command line's contract without any box: help, version, usage errors and their exit
codes, profiles, backups, vendors, JSON that parses.

Every run has BOXWARDEN_NETNS=@loopback, a temporary HOME, XDG_STATE_HOME and
XDG_CONFIG_HOME, no password, and stdin from /dev/null (no terminal). A command that could
touch the network also gets --gateway 127.0.0.1:9 (discard port; nothing answers), so no
packet can leave the machine.

Environment: BOXWARDEN (the binary), SOURCE_DIR (the repository).
"""
import json
import os
import subprocess
import sys
import tempfile

from schema_check import validate  # tests/cli/schema_check.py: the shipped JSON Schemas

import ci_guard  # a skip fails under CI

BOXWARDEN = os.environ.get("BOXWARDEN", "")
SOURCE_DIR = os.environ.get("SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
NOWHERE = ["--gateway", "127.0.0.1:9"]
PROFILES = ["home", "medical-practice", "small-office", "strict"]

passed = 0
failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}")
        for line in str(detail).strip().splitlines()[:20]:
            print(f"     {line}")


def isolation():
    """`unshare -rn` when it works: an empty network namespace, so that a check of the
    loopback safety net cannot reach the network even if the safety net is broken."""
    try:
        ok = subprocess.run(["unshare", "-rn", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return ["unshare", "-rn"] if ok else None


ISOLATE = isolation()


def run(tmp, *args, env=None, isolate=False):
    e = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.path.join(tmp, "home"),
        "XDG_STATE_HOME": os.path.join(tmp, "state"),
        "XDG_CONFIG_HOME": os.path.join(tmp, "config"),
        # The source tree's profiles come before any installed copy, which may be older.
        "BOXWARDEN_PROFILE_PATH": os.path.join(SOURCE_DIR, "profiles"),
        "BOXWARDEN_NETNS": "@loopback",
        "NO_COLOR": "1",
        "LC_ALL": "C.UTF-8",
    }
    e.update(env or {})
    prefix = ISOLATE if isolate and ISOLATE else []
    return subprocess.run([*prefix, BOXWARDEN, *args], env=e, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=90)


def show(r):
    return f"exit {r.returncode}\nstdout: {r.stdout[-1500:]}\nstderr: {r.stderr[-1500:]}"


def expect(tmp, name, args, code, in_stderr=(), in_stdout=(), env=None, isolate=False):
    """Runs boxwarden ARGS; checks the exit code and that each string is in stderr/stdout."""
    r = run(tmp, *args, env=env, isolate=isolate)
    codes = code if isinstance(code, tuple) else (code,)
    ok = r.returncode in codes and all(s in r.stderr for s in in_stderr) and all(s in r.stdout for s in in_stdout)
    check(name, ok, show(r))
    if r.returncode not in (0, 1):
        # One prefix for every failure: the last line on stderr is the error.
        lines = r.stderr.splitlines()
        check(f"... its error line starts with 'boxwarden: error: '",
              bool(lines) and lines[-1].startswith("boxwarden: error: "), show(r))
    return r


def parses_as_json(tmp, name, args, kind, schema):
    r = run(tmp, *args)
    try:
        doc = validate(json.loads(r.stdout), schema)
        ok = r.returncode == 0 and isinstance(doc, kind)
    except (ValueError, AssertionError) as e:
        doc, ok = None, False
        r = subprocess.CompletedProcess(r.args, r.returncode, r.stdout, r.stderr + f"\n(not JSON: {e})")
    check(name, ok, show(r))
    return doc


def commands_from_help(text):
    out, inside = [], False
    for line in text.splitlines():
        if line.strip() == "Commands:":
            inside = True
        elif inside and not line.strip():
            break
        elif inside and not line.startswith("   "):  # deeper lines continue a summary
            out.append(line.split()[0])
    return out


def main():
    if not BOXWARDEN or not os.access(BOXWARDEN, os.X_OK):
        print("BOXWARDEN must name the built binary")
        return 2
    with tempfile.TemporaryDirectory(prefix="boxwarden-cli.") as tmp:
        for d in ("home", "state", "config"):
            os.mkdir(os.path.join(tmp, d))

        # Help and version.
        r = expect(tmp, "--help exits 0", ["--help"], 0, in_stdout=["Usage: boxwarden", "Commands:"])
        commands = commands_from_help(r.stdout)
        check("--help lists the commands", set(commands) >= {"discover", "audit", "plan", "fix", "rollback",
                                                             "profiles", "backups", "vendors"}, commands)
        for c in commands:
            expect(tmp, f"{c} --help exits 0", [c, "--help"], 0, in_stdout=[f"Usage: boxwarden [GLOBAL OPTIONS] {c}"])
        expect(tmp, "-h exits 0", ["-h"], 0, in_stdout=["Usage: boxwarden"])
        r = expect(tmp, "--version exits 0", ["--version"], 0, in_stdout=["boxwarden "])
        check("--version prints a version number", any(ch.isdigit() for ch in r.stdout), show(r))
        expect(tmp, "no command: usage on stderr, exit 2", [], 2, in_stderr=["Usage: boxwarden", "no command"])
        r = expect(tmp, "--help names exit codes 70 and 75", ["--help"], 0, in_stdout=["70 internal error", "75 box busy"])

        # Unknown input: exit 2 with a suggestion; no prefix abbreviations.
        expect(tmp, "unknown command 'audti': exit 2, did you mean audit", ["audti"], 2,
               in_stderr=["did you mean", "audit"])
        expect(tmp, "unknown option --fial-on: exit 2, did you mean --fail-on",
               ["audit", "--fial-on", "high", *NOWHERE], 2, in_stderr=["--fial-on", "did you mean --fail-on"])
        expect(tmp, "unknown global option --gatway before the command: suggestion",
               ["--gatway", "127.0.0.1:9", "audit"], 2, in_stderr=["did you mean --gateway"])
        # A short option unknown to every command is not blamed on one (it was "an option of 'audit'").
        for short in (["-x"], ["-xyz"], ["-x", "1"]):
            r = expect(tmp, f"unknown short option {' '.join(short)} before vendors: exit 2, unknown option -x",
                       [*short, "vendors"], 2, in_stderr=["unknown option -x"])
            check("... and it is not said to be a command's option", "is an option of" not in r.stderr, show(r))
        r = expect(tmp, "unknown short option -x after vendors: exit 2", ["vendors", "-x"], 2,
                   in_stderr=["unknown option -x"])
        check("... and it is not said to be a command's option", "is an option of" not in r.stderr, show(r))
        r = expect(tmp, "unknown long option --x before vendors: exit 2", ["--x", "vendors"], 2,
                   in_stderr=["unknown option --x"])
        check("... and it is not said to be a command's option", "is an option of" not in r.stderr, show(r))
        expect(tmp, "a command's long option before the command names its command (vpn --peer)",
               ["--peer", "doctor", "vpn", "setup"], 2, in_stderr=["--peer is an option of 'vpn'"])
        expect(tmp, "a command's long option with = before the command names its command",
               ["--fail-on=high", "audit", *NOWHERE], 2, in_stderr=["--fail-on is an option of 'audit'"])
        expect(tmp, "abbreviated --prof is refused (after the command)", ["audit", "--prof", "home", *NOWHERE], 2,
               in_stderr=["--prof"])
        expect(tmp, "abbreviated --prof is refused (before the command)", ["--prof", "home", "audit", *NOWHERE], 2,
               in_stderr=["--prof"])
        expect(tmp, "--fail-on before its command is refused", ["--fail-on", "high", "audit", *NOWHERE], 2)
        expect(tmp, "--fail-on is not an option of vendors", ["vendors", "--fail-on", "high"], 2)
        expect(tmp, "--format xml: exit 2", ["--format", "xml", "vendors"], 2, in_stderr=["xml"])
        expect(tmp, "--format xml on audit: exit 2", ["--format", "xml", "audit", *NOWHERE], 2)
        expect(tmp, "--fail-on bogus: exit 2, names the severities", ["audit", "--fail-on", "bogus", *NOWHERE], 2,
               in_stderr=["bogus", "critical"])
        expect(tmp, "--timeout 0: exit 2", ["--timeout", "0", "audit", *NOWHERE], 2)
        expect(tmp, "--gateway not an address: exit 2", ["audit", "--gateway", "my-box"], 2)
        expect(tmp, "--gateway twice for fix: exit 2", ["fix", *NOWHERE, "--gateway", "127.0.0.2:9"], 2)
        expect(tmp, "too many arguments: exit 2", ["rollback", "a", "b"], 2)
        expect(tmp, "audit takes no argument: exit 2", ["audit", "extra", *NOWHERE], 2)

        # Profiles: unknown name, broken file.
        r = expect(tmp, "unknown profile: exit 2 with the list of names",
                   ["audit", "--profile", "no-such-profile", *NOWHERE], 2, in_stderr=PROFILES)
        expect(tmp, "near miss of a profile name: did you mean", ["profiles", "medical-practise"], 2,
               in_stderr=["did you mean 'medical-practice'"])
        broken = os.path.join(tmp, "broken.profile")
        with open(broken, "w") as f:
            f.write("name broken\nsummary a profile with a mistake\nupnp high\n")
        expect(tmp, "broken profile: exit 2, message names file:line", ["audit", "--profile", broken, *NOWHERE], 2,
               in_stderr=["broken.profile:3"])
        expect(tmp, "broken profile shown by 'profiles FILE': exit 2 with file:line", ["profiles", broken], 2,
               in_stderr=["broken.profile:3"])

        # fix without a terminal and without --yes changes nothing.
        state = os.path.join(tmp, "fix-state")
        os.mkdir(state)
        r = run(tmp, "fix", "--profile", "medical-practice", "--state-dir", state, *NOWHERE)
        # fix reads the box before it asks: nothing answers there, so exit 3 comes first.
        check("fix with no terminal, no --yes, nothing at the address: exit 3", r.returncode == 3, show(r))
        check("... and no backup was written", not os.path.exists(os.path.join(state, "backups")),
              os.listdir(state))

        # Backups and rollback with an empty state directory.
        empty = os.path.join(tmp, "empty-state")
        os.mkdir(empty)
        expect(tmp, "backups with an empty state dir: exit 0", ["backups", "--state-dir", empty], 0)
        none = parses_as_json(tmp, "backups --format json with no backup: an object with an empty list",
                              ["--format", "json", "backups", "--state-dir", empty], dict, "backups")
        check("... whose backups list is empty", (none or {}).get("backups") == [], none)
        expect(tmp, "rollback with no backup: exit 2 and a message", ["rollback", "--state-dir", empty, *NOWHERE], 2,
               in_stderr=["no backup"])
        check("... and the state dir is still empty", os.listdir(empty) == [], os.listdir(empty))
        expect(tmp, "rollback of a file that is not a backup: exit 2", ["rollback", broken, *NOWHERE], 2)

        # Vendors and profiles.
        expect(tmp, "vendors lists upnp-igd", ["vendors"], 0, in_stdout=["upnp-igd"])
        expect(tmp, "profiles lists the four shipped profiles", ["profiles"], 0, in_stdout=PROFILES)
        r = expect(tmp, "profiles medical-practice: exit 0", ["profiles", "medical-practice"], 0)
        with open(os.path.join(SOURCE_DIR, "profiles", "medical-practice.profile"), encoding="utf-8") as f:
            text = f.read()
        check("profiles medical-practice prints the file as written", text in r.stdout, show(r))
        vendors = parses_as_json(tmp, "--format json vendors parses", ["--format", "json", "vendors"], dict, "vendors")
        ids = json.dumps(vendors)
        labelled = parses_as_json(tmp, "--site names the site in the document", ["--format", "json", "--site",
                                  "clinic-lyon", "vendors"], dict, "vendors")
        check("... as site", (labelled or {}).get("site") == "clinic-lyon", labelled)
        check("... and without --site, site is null", (vendors or {}).get("site", "") is None, vendors)
        for bad, why in (("", "empty"), ("a\x1bb", "control character"), ("x" * 65, "longer than 64"),
                         ("a\nb", "control character")):
            expect(tmp, f"--site {why}: exit 2", ["--site", bad, "vendors"], 2, in_stderr=["--site", why])
        check("... and names upnp-igd", "upnp-igd" in ids, ids[:500])
        listed = parses_as_json(tmp, "--format json profiles parses (an object with a list)",
                                ["--format", "json", "profiles"], dict, "profiles")
        names = [p.get("name") for p in (listed or {}).get("profiles", []) if isinstance(p, dict)]
        check("... with the four profiles by name", set(PROFILES) <= set(names), names)
        one = parses_as_json(tmp, "--format json profiles home parses (an object)",
                             ["--format", "json", "profiles", "home"], dict, "profiles")
        check("... named home", (one or {}).get("name") == "home", one)

        # The loopback safety net: no discovery without --gateway, no address outside 127/8.
        # Run in an empty network namespace when possible, in case the safety net is broken.
        expect(tmp, "BOXWARDEN_NETNS=@loopback: audit without --gateway exits 2", ["audit"], 2,
               in_stderr=["--gateway"], isolate=True)
        expect(tmp, "BOXWARDEN_NETNS=@loopback: discover without --gateway exits 2", ["discover"], 2,
               isolate=True)
        if ISOLATE:
            expect(tmp, "BOXWARDEN_NETNS=@loopback: a gateway outside 127.0.0.0/8 exits 2",
                   ["audit", "--gateway", "192.0.2.1"], 2, in_stderr=["127.0.0.0/8"], isolate=True)
        elif not ci_guard.skip("BOXWARDEN_NETNS=@loopback with a gateway outside 127.0.0.0/8", "no 'unshare -rn' here"):
            check("BOXWARDEN_NETNS=@loopback with a gateway outside 127.0.0.0/8", False,
                  "cannot run without 'unshare -rn', and CI is set: a skip is a failure")

        # Nothing at the address: exit 3 (the box is not there), never a crash.
        expect(tmp, "audit of 127.0.0.1:9 (nothing answers): exit 3", ["audit", *NOWHERE], 3)

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
