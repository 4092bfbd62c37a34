#!/usr/bin/env python3
"""The man page's JSON FIELDS section names every value the code can print, and the shipped
schemas allow exactly those: rule ids (src/rules/evaluator.hpp), subject kinds
(src/rules/finding.cpp), fix outcomes (src/cli/report.cpp), backup outcomes
(src/plan/backup_store.cpp), change kinds (src/core/change.cpp), finding actions
(src/rules/evaluator.hpp action_id), service ids and classes (src/rules/catalogue.cpp),
error kinds (src/cli/failure.cpp), unknown field names (src/core/router_state.cpp).
A value added to the code and not to the page (or the schema) fails here. No binary, no network.
"""
import json
import os
import re
import sys

SOURCE_DIR = os.environ.get("SOURCE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def read(path):
    with open(os.path.join(SOURCE_DIR, path), encoding="utf-8") as f:
        return f.read()


def between(text, start, end):
    i = text.index(start)
    return text[i:text.index(end, i)]


def code_values():
    evaluator_hpp = read("src/rules/evaluator.hpp")
    catalogue = read("src/rules/catalogue.cpp")
    values = {
        "rule": re.findall(r'inline constexpr std::string_view \w+ = "([A-Z0-9-]+)";',
                           between(evaluator_hpp, "namespace rule_id", "}  // namespace rule_id")),
        "finding action": re.findall(r'= "([a-z0-9-]+)";',
                                     between(evaluator_hpp, "namespace action_id", "}  // namespace action_id")),
        "subject kind": re.findall(r'case SubjectKind::\w+: return "([a-z0-9_]+)";', read("src/rules/finding.cpp")),
        "fix outcome": re.findall(r'case Outcome::\w+: return "([a-z-]+)";', read("src/cli/report.cpp")),
        "backup outcome": re.findall(r'\{BackupOutcome::\w+, "([a-z-]+)"\}', read("src/plan/backup_store.cpp")),
        "change kind": re.findall(r'\{ChangeKind::\w+, "([a-z0-9-]+)"', read("src/core/change.cpp")),
        "service id": sorted(set(re.findall(r'^  \{\d+, \d+, P::[a-z]+, "([a-z0-9-]+)", (?:N_\()?"', catalogue, re.M))),
        "service class": re.findall(r'^  \{"([a-z-]+)", "', catalogue, re.M),
        "error kind": re.findall(r'case ErrorKind::\w+:\s*return "([a-z]+)";', read("src/cli/failure.cpp")),
        "unknown field": re.findall(r'u\.push_back\("([a-z0-9_]+)"\)', read("src/core/router_state.cpp")),
    }
    for name, found in values.items():
        assert found, "found no %s in the sources: this test's pattern is out of date" % name
    return values


def schema_enum(schema, *path):
    node = schema
    for key in path:
        node = node[key]
    return set(node["enum"])


def main():
    page = read("man/boxwarden.1")
    fields = between(page, ".Sh JSON FIELDS", ".Sh ENVIRONMENT")
    # The words of the section as mdoc shows them: ".Li a , b" -> a, b.
    words = set()
    for line in fields.splitlines():
        if line.startswith((".Li ", ".It Li ")):
            words.update(w for w in re.split(r"[\s,;:()]+", line.split("Li ", 1)[1]) if w)
    values = code_values()
    problems = []
    for name, found in values.items():
        missing = [v for v in found if v not in words and v != "manual"]
        if name == "change kind":
            missing = [v for v in found if v not in page]  # listed under JSON OUTPUT, plan
        problems += ["%s %s is not in the man page's JSON FIELDS" % (name, v) for v in missing]
    report = json.loads(read("schemas/report.schema.json"))
    error = json.loads(read("schemas/error.schema.json"))
    backups = json.loads(read("schemas/backups.schema.json"))
    d = report["$defs"]
    pairs = [
        ("rule", schema_enum(d["finding"], "properties", "rule")),
        ("finding action", schema_enum(d["finding"], "properties", "action")),
        ("subject kind", schema_enum(d["subject"], "properties", "kind")),
        ("fix outcome", schema_enum(d["report"], "properties", "fix", "properties", "outcome")),
        ("change kind", schema_enum(d["plan_entry"], "properties", "action")),
        ("error kind", schema_enum(error, "properties", "error", "properties", "kind")),
        ("unknown field", schema_enum(d["state"], "properties", "unknown", "items")),
        ("backup outcome", schema_enum(backups["properties"]["backups"]["items"], "oneOf", 0, "properties", "outcome")),
    ]
    for name, allowed in pairs:
        code = set(values[name])
        if name == "finding action":
            code |= {"manual", "none"}
        if code != allowed:
            problems.append("%s: the code has %s, the schema allows %s" % (name, sorted(code), sorted(allowed)))
    for p in problems:
        print("FAIL " + p)
    print("%d value(s) checked, %d problem(s)" % (sum(len(v) for v in values.values()), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
