"""``--format junit``: JUnit XML for CodeBuild test reports, GitLab ``artifacts:reports:junit`` and
anything else that reads Ant-style JUnit.

Shape: ``<testsuites name="pipelint">`` holds one ``<testsuite>`` per rule that ran (named
``PL101 artifact-store-key``). Inside, one ``<testcase>`` per rule × resource a finding is about
(``name`` = the finding's first resource, else ``file logical/path``; ``classname`` =
``pipelint.PL101.artifact-store-key``; ``file`` = where the finding is). A rule with no finding at all
gets one passing testcase named ``all inputs``, so every rule that ran shows up as passed.

A testcase's outcome follows the exit code, so the test report and the build agree:

- ``<failure>`` when it has an unsuppressed finding at or above ``fail-on`` (``type`` = severity,
  ``message`` = the first such finding's message, text = every finding of the testcase);
- else ``<skipped>`` when it has an unsuppressed *unverified* finding (the inputs could not settle the
  check: it was not carried out) or a suppressed finding (the check was waived; the message gives the
  reason);
- else it passes; findings below ``fail-on`` (warnings with the default ``fail-on = "error"``) are
  listed in its ``<system-out>``, which every testcase with findings has.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import OrderedDict

from pipelint.findings import UNVERIFIED, Finding, severity_rank

PASSING_NAME = "all inputs"
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def testcase_name(f: Finding) -> str:
    if f.resources:
        return f.resources[0]
    path = "/".join(map(str, f.source.path))
    return f"{f.source.file} {path}".strip()


def describe(f: Finding, kind: str | None = None) -> str:
    where = f"{f.source.file}:{f.source.line or 1}:{f.source.column or 1}"
    text = f"{where}: {f.severity} {f.rule_id} [{f.rule_name}] {f.message}"
    if f.suppressed is not None:
        text += f" (suppressed: {f.suppressed})"
    if f.resources:
        text += f"\n  resources: {', '.join(f.resources)}"
    if f.fix:
        text += f"\n  fix: {f.fix}"
    return text


def _testcase(suite: ET.Element, loaded_rule, name: str, group: list[Finding], fail_on: str) -> str:
    """Append one testcase; return its outcome: "failure", "skipped" or "passed"."""
    rule = loaded_rule
    attrs = {"classname": f"pipelint.{rule.id}.{rule.name}", "name": _clean(name), "time": "0"}
    if group:
        attrs["file"] = _clean(group[0].source.file)
        if group[0].source.line:
            attrs["line"] = str(group[0].source.line)
    case = ET.SubElement(suite, "testcase", attrs)
    active = [f for f in group if f.suppressed is None]
    failing = [f for f in active if severity_rank(f.severity) >= severity_rank(fail_on)]
    unverified = [f for f in active if f.verdict == UNVERIFIED]
    suppressed = [f for f in group if f.suppressed is not None]
    outcome = "passed"
    if failing:
        element = ET.SubElement(case, "failure", {"message": _clean(failing[0].message),
                                                  "type": failing[0].severity})
        element.text = _clean("\n".join(describe(f) for f in failing))
        outcome = "failure"
    elif unverified:
        ET.SubElement(case, "skipped", {"message": _clean(unverified[0].message)})
        outcome = "skipped"
    elif suppressed and not active:
        ET.SubElement(case, "skipped", {"message": _clean(f"suppressed: {suppressed[0].suppressed}")})
        outcome = "skipped"
    if group:
        ET.SubElement(case, "system-out").text = _clean("\n".join(describe(f) for f in group))
    return outcome


def render(outcome, *, fail_on: str | None = None) -> str:
    from pipelint import engine

    fail_on = fail_on or outcome.config.fail_on
    rules = {r.rule.id: r.rule for r in outcome.rules}
    missing = {f.rule_id for f in outcome.findings} - set(rules)
    if missing:
        rules.update({r.rule.id: r.rule for r in engine.discover() if r.rule.id in missing})
    root = ET.Element("testsuites", {"name": "pipelint"})
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for rule_id in sorted(rules):
        rule = rules[rule_id]
        groups: OrderedDict[str, list] = OrderedDict()
        for f in outcome.findings:
            if f.rule_id == rule_id:
                groups.setdefault(testcase_name(f), []).append(f)
        suite = ET.SubElement(root, "testsuite", {"name": f"{rule.id} {rule.name}"})
        counts = {"passed": 0, "failure": 0, "skipped": 0}
        if not groups:
            counts[_testcase(suite, rule, PASSING_NAME, [], fail_on)] += 1
        for name, group in groups.items():
            counts[_testcase(suite, rule, name, group, fail_on)] += 1
        tests = sum(counts.values())
        suite.attrib.update({"tests": str(tests), "failures": str(counts["failure"]), "errors": "0",
                             "skipped": str(counts["skipped"]), "time": "0"})
        totals["tests"] += tests
        totals["failures"] += counts["failure"]
        totals["skipped"] += counts["skipped"]
    root.attrib.update({"tests": str(totals["tests"]), "failures": str(totals["failures"]), "errors": "0",
                        "skipped": str(totals["skipped"]), "time": "0"})
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
