#!/usr/bin/env python3
"""The man page and --help agree (STYLE.md section 5, rule 12).

Checks, both ways: every long option in `boxwarden --help` and in `boxwarden CMD --help`
is in man/boxwarden.1 as `Fl -name`, and every `Fl -name` of the page is in some --help;
short forms pair the same way; every command of --help has its `.It Cm NAME` entry under
COMMANDS, and the reverse; a default shown in --help as (=VALUE) appears in that option's
entry; every exit code of src/core/error.hpp and 128+n (a signal before any change) is under EXIT STATUS and in --help; `mandoc -Tlint` prints nothing.

Environment: BOXWARDEN (the binary), SOURCE_DIR (the repository). No network.
"""
import os
import re
import shutil
import subprocess
import sys

BOXWARDEN = os.environ.get("BOXWARDEN", "")
SOURCE_DIR = os.environ.get("SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
MAN_PAGE = os.path.join(SOURCE_DIR, "man", "boxwarden.1")

passed = 0
failed = 0


def check(name, problems):
    """Records one check; `problems` is a list of lines saying what is wrong."""
    global passed, failed
    if problems:
        failed += 1
        print(f"FAIL {name}")
        for p in problems:
            print(f"     {p}")
    else:
        passed += 1
        print(f"ok   {name}")


def help_text(*args):
    r = subprocess.run([BOXWARDEN, *args, "--help"], capture_output=True, text=True, timeout=30,
                       env=dict(os.environ, BOXWARDEN_NETNS="@loopback"))
    if r.returncode != 0:
        raise SystemExit(f"boxwarden {' '.join(args)} --help exited {r.returncode}: {r.stderr}")
    return r.stdout


# Boost.Program_options lines: "  -g [ --gateway ] HOST[:PORT]  text" or "  --vendor ID (=auto)  text".
OPTION_LINE = re.compile(r"^  (?:-(?P<short>\w) \[ --(?P<long1>[\w-]+) \]|--(?P<long2>[\w-]+))(?P<rest>.*)$")
DEFAULT = re.compile(r"^\s*\S*\s*\(=(?P<value>[^)]*)\)")


def parse_options(text):
    """{long name: (short letter or None, default or None)} from one --help text."""
    options = {}
    for line in text.splitlines():
        m = OPTION_LINE.match(line)
        if not m:
            continue
        name = m.group("long1") or m.group("long2")
        d = DEFAULT.match(m.group("rest"))
        options[name] = (m.group("short"), d.group("value") if d else None)
    return options


def parse_commands(text):
    """Command names listed under "Commands:" in `boxwarden --help`."""
    commands = []
    inside = False
    for line in text.splitlines():
        if line.strip() == "Commands:":
            inside = True
            continue
        if inside:
            if not line.strip():
                break
            if not line.startswith("   "):  # deeper lines continue a summary
                commands.append(line.split()[0])
    return commands


def man_sections(page):
    """{section title: [lines]} of the mdoc source."""
    sections, current = {}, None
    for line in page.splitlines():
        if line.startswith(".Sh "):
            current = line[4:].strip().strip('"')
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    return sections


def man_long_options(page):
    """Every `Fl -name` in the page (on any macro line), as a set of names."""
    names = set()
    for line in page.splitlines():
        if line.startswith(".") and not line.startswith('.\\"'):
            names.update(re.findall(r"\bFl -([A-Za-z0-9][\w-]*)", line))
    return names


def man_option_items(lines):
    """{long name: (short letter or None, text of the entry)} from the `.It Fl ...` lines of OPTIONS."""
    items, current = {}, None
    for line in lines:
        if line.startswith(".It "):
            current = None
            m = re.match(r"\.It (?:Fl (\w) , )?Fl -([\w-]+)", line)
            if m:
                current = m.group(2)
                items[current] = [m.group(1), line]
        elif current is not None:
            items[current][1] += "\n" + line
    return {k: (v[0], v[1]) for k, v in items.items()}


def words(mdoc):
    """The words of mdoc text, macros dropped (`Cm home ,` -> home)."""
    return set(re.findall(r"[\w$/-]+(?:\.[\w$/-]+)*", mdoc))


def main():
    if not BOXWARDEN or not os.access(BOXWARDEN, os.X_OK):
        print("BOXWARDEN must name the built binary")
        return 2
    with open(MAN_PAGE, encoding="utf-8") as f:
        page = f.read()
    sections = man_sections(page)

    top = help_text()
    commands = parse_commands(top)
    check("--help lists commands", [] if commands else ["no 'Commands:' list found in boxwarden --help"])
    global_options = parse_options(top)
    check("--help lists options", [] if global_options else ["no option found in boxwarden --help"])
    per_command = {c: parse_options(help_text(c)) for c in commands}

    help_options = {}  # long name -> (short, default, where)
    for name, (short, default) in global_options.items():
        help_options[name] = (short, default, "boxwarden --help")
    for cmd, opts in per_command.items():
        for name, (short, default) in opts.items():
            help_options.setdefault(name, (short, default, f"boxwarden {cmd} --help"))

    documented = man_long_options(page)
    check("every long option of --help is in the man page",
          [f"--{n} (from {w}) has no 'Fl -{n}' in man/boxwarden.1"
           for n, (_, _, w) in sorted(help_options.items()) if n not in documented])
    check("every long option of the man page is in some --help",
          [f"'Fl -{n}' in man/boxwarden.1 is in no --help" for n in sorted(documented - help_options.keys())])

    # Global options have their entry under OPTIONS with the same short form and default.
    items = man_option_items(sections.get("OPTIONS", []))
    problems = []
    for name, (short, default) in sorted(global_options.items()):
        if name not in items:
            problems.append(f"--{name} has no '.It ... Fl -{name}' entry under OPTIONS")
            continue
        man_short, text = items[name]
        if short != man_short:
            problems.append(f"--{name}: short form is {'-' + short if short else 'none'} in --help, "
                            f"{'-' + man_short if man_short else 'none'} in the man page")
        if default is not None and default not in words(text):
            problems.append(f"--{name}: default '{default}' of --help is not in its man page entry")
    for name in sorted(items.keys() - global_options.keys()):
        problems.append(f"OPTIONS documents --{name}, which boxwarden --help does not list as global")
    check("OPTIONS matches the global options (short forms, defaults)", problems)

    # Command options: listed on the command's entry, with their default.
    entries = {}
    current = None
    for line in sections.get("COMMANDS", []):
        m = re.match(r"\.It Cm (\S+)", line)
        if m:
            current = m.group(1)
            entries[current] = line
        elif line.startswith(".It ") or line.startswith(".El"):
            current = None
        elif current is not None:
            entries[current] += "\n" + line
    check("every command of --help has its entry under COMMANDS",
          [f"'{c}' has no '.It Cm {c}' under COMMANDS" for c in commands if c not in entries])
    check("every command under COMMANDS is in --help",
          [f"'.It Cm {c}' under COMMANDS is not a command of boxwarden --help" for c in entries if c not in commands])
    problems = []
    for cmd, opts in per_command.items():
        if cmd not in entries:
            continue
        head = entries[cmd].splitlines()[0]
        for name, (_, default) in opts.items():
            if name in global_options:
                continue
            if f"Fl -{name}" not in head:
                problems.append(f"{cmd}: --{name} is not on its '.It Cm {cmd}' line")
            if default is not None and default not in words(entries[cmd]):
                problems.append(f"{cmd}: default '{default}' of --{name} is not in its entry")
        documented_here = set(re.findall(r"\bFl -([\w-]+)", head))
        for name in sorted(documented_here - opts.keys()):
            problems.append(f"{cmd}: '.It Cm {cmd}' shows --{name}, which 'boxwarden {cmd} --help' does not list")
    check("command options are on their command's entry", problems)

    # Exit status: every code of src/core/error.hpp's ExitCode, each one entry, no other.
    with open(os.path.join(SOURCE_DIR, "src", "core", "error.hpp"), encoding="utf-8") as f:
        enum = re.search(r"enum class ExitCode[^{]*\{(.*?)\};", f.read(), re.S)
    all_codes = re.findall(r"=\s*(\d+)\s*,", enum.group(1)) if enum else []
    check("ExitCode is read from src/core/error.hpp", [] if len(all_codes) >= 7 else [f"found {all_codes}"])
    codes = [l[4:].strip() for l in sections.get("EXIT STATUS", []) if l.startswith(".It ")]
    problems = [f"exit status {c} is not documented under EXIT STATUS" for c in all_codes if c not in codes]
    # 128+n: killed by a signal before any change (core/interrupt), not an ExitCode value.
    problems += [f"exit status 128 + n is not documented under EXIT STATUS"] if "128 + Ar n" not in codes else []
    problems += [f"EXIT STATUS documents '{c}', not one of {all_codes} or 128+n" for c in codes
                 if c not in all_codes + ["128 + Ar n"]]
    check("EXIT STATUS documents every exit code", problems)
    summary = re.search(r"Exit status:(.*?)\n\S", top, re.S)
    check("--help mentions every exit code",
          [] if summary and all(re.search(rf"(?<!\d){c} ", summary.group(1)) for c in all_codes)
          else [f"boxwarden --help does not name each exit code of {all_codes}"])

    # mandoc -Tlint: clean.
    if shutil.which("mandoc") is None:
        check("mandoc -Tlint is clean", ["mandoc is not installed (apt-get install mandoc)"])
    else:
        r = subprocess.run(["mandoc", "-Tlint", MAN_PAGE], capture_output=True, text=True, timeout=30)
        # Two notes depend on this machine, not on the page: the pages of SEE ALSO missing
        # from mandoc's database (mandoc.db is not built on Debian) or not installed at all.
        see_also = set(re.findall(r"^\.Xr (\S+) (\d)", page, re.M))
        problems = []
        for line in (r.stdout + r.stderr).splitlines():
            m = re.search(r"outdated mandoc\.db lacks (\S+)\((\d)\) entry|referenced manual not found: Xr (\S+) (\d)", line)
            if m and (tuple(x for x in m.groups() if x) in see_also):
                print(f"     note (this machine, not the page): {line}")
            elif line.strip():
                problems.append(line)
        if r.returncode != 0 and not problems:
            problems.append(f"mandoc -Tlint exited {r.returncode}")
        check("mandoc -Tlint is clean", problems)

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
