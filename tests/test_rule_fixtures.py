"""Every rule fixture under fixtures/rules/<ID>/{pass,fail}/<case>/ is checked here.

A case folder holds the inputs (templates, cdk.out, pipeline JSON, policies, a pipelint.toml deployment
map) and ``expected.json``: the exact findings of the rule(s) it selects, as
``{"select": ["PL101"], "findings": [{"rule_id", "verdict", "severity", "path", "line", "resources"}]}``.
A finding may add ``"says": ["...", ...]``: phrases its message or fix must contain (the layer that is
missing, the quoted Deny, the statement to add). A ``pass`` case must list no failing finding. Adding a
rule means adding fixtures, not test code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipelint import runner

from conftest import FIXTURES

CASES = sorted(p.parent for p in (FIXTURES / "rules").glob("*/*/*/expected.json"))


def actual(case: Path, select: list[str]) -> list[dict]:
    old = os.getcwd()
    os.chdir(case)
    try:
        cfg = runner.find_config(None, [Path(".")])
        outcome = runner.check([Path(".")], cfg, select=select)
    finally:
        os.chdir(old)
    return [
        {"rule_id": f.rule_id, "verdict": f.verdict, "severity": f.severity, "path": f.source.file,
         "line": f.source.line, "resources": f.resources, "says": f"{f.message}\n{f.fix or ''}"}
        for f in outcome.findings
    ]


def test_every_rule_has_pass_and_fail_fixtures():
    from pipelint import engine

    for loaded in engine.discover():
        if loaded.rule.id.startswith("PL9"):
            continue  # meta-rules about suppressions are tested with the suppression tests
        folder = FIXTURES / "rules" / loaded.rule.id
        assert list(folder.glob("fail/*/expected.json")), f"{loaded.rule.id} has no failing fixture"
        assert list(folder.glob("pass/*/expected.json")), f"{loaded.rule.id} has no passing fixture"


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(FIXTURES / "rules")) for c in CASES])
def test_fixture(case: Path):
    expected = json.loads((case / "expected.json").read_text())
    found = actual(case, expected["select"])
    for finding in expected["findings"]:
        finding.setdefault("severity", "error" if finding.get("verdict", "fail") == "fail" else "info")
        finding.setdefault("verdict", "fail")
    key = lambda f: (f["path"], f["line"] or 0, f["rule_id"], f["resources"])
    found, wanted = sorted(found, key=key), sorted(expected["findings"], key=key)
    texts = [f.pop("says") for f in found]
    phrases = [f.pop("says", []) for f in wanted]
    assert found == wanted
    for text, want in zip(texts, phrases):
        missing = [phrase for phrase in want if phrase not in text]
        assert not missing, f"the finding does not say {missing}:\n{text}"
    if case.parent.name == "pass":
        assert not [f for f in found if f["verdict"] == "fail"], "a pass fixture must not fail"
