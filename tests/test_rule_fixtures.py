"""Every rule fixture under fixtures/rules/<ID>/{pass,fail}/<case>/ is checked here.

A case folder holds the inputs (templates, cdk.out, pipeline JSON, policies, a Terraform configuration
(``*-tf`` cases) or plan (``*-plan``), a pipelint.toml deployment map) and ``expected.json``: the exact findings of the rule(s) it selects, as
``{"select": ["PL101"], "findings": [{"rule_id", "verdict", "severity", "path", "line", "resources"}]}``.
A finding may add ``"says": ["...", ...]``: phrases its message or fix must contain (the layer that is
missing, the quoted Deny, the statement to add). A ``pass`` case must list no failing finding. Adding a
rule means adding fixtures, not test code.

Whole setups under fixtures/setups/<name>/ (real CDK output among them, see fixtures/cdk-app/README.md) are
checked the same way with every rule selected. Their expected.json holds the TRUE findings, what AWS would
do; where pipelint does not give them yet, ``"xfail": "reason"`` marks the setup as a strict expected
failure (listed in fixtures/setups/KNOWN_GAPS.md), so the suite turns red when the gap is closed and the
marker must go. Even then, every failing finding pipelint gives must be a true one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipelint import runner

from conftest import FIXTURES

CASES = sorted(p.parent for p in (FIXTURES / "rules").glob("*/*/*/expected.json"))
SETUPS = sorted(p.parent for p in (FIXTURES / "setups").glob("*/expected.json"))


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


def expected_of(case: Path) -> dict:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    for finding in expected["findings"]:
        finding.setdefault("severity", "error" if finding.get("verdict", "fail") == "fail" else "info")
        finding.setdefault("verdict", "fail")
    return expected


def assert_exact(case: Path, expected: dict) -> list[dict]:
    found = actual(case, expected["select"])
    key = lambda f: (f["path"], f["line"] or 0, f["rule_id"], f["resources"])
    found, wanted = sorted(found, key=key), sorted(expected["findings"], key=key)
    texts = [f.pop("says") for f in found]
    phrases = [f.pop("says", []) for f in wanted]
    assert found == wanted
    for text, want in zip(texts, phrases):
        missing = [phrase for phrase in want if phrase not in text]
        assert not missing, f"the finding does not say {missing}:\n{text}"
    return found


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(FIXTURES / "rules")) for c in CASES])
def test_fixture(case: Path):
    found = assert_exact(case, expected_of(case))
    if case.parent.name == "pass":
        assert not [f for f in found if f["verdict"] == "fail"], "a pass fixture must not fail"


def _setup(case: Path):
    reason = json.loads((case / "expected.json").read_text(encoding="utf-8")).get("xfail")
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(case, marks=marks, id=case.name)


@pytest.mark.parametrize("case", [_setup(c) for c in SETUPS])
def test_setup(case: Path):
    assert_exact(case, expected_of(case))


@pytest.mark.parametrize("case", SETUPS, ids=[c.name for c in SETUPS])
def test_setup_fails_only_on_true_findings(case: Path):
    """Holds for the setups with a known gap too: a gap may leave a true finding unverified, never add one."""
    expected = expected_of(case)
    key = lambda f: (f["rule_id"], f["severity"], f["path"], f["line"], f["resources"])
    true = {json.dumps(key(f)) for f in expected["findings"]}
    false = [f for f in actual(case, expected["select"]) if f["verdict"] == "fail" and json.dumps(key(f)) not in true]
    assert not false, "failing findings that are not true ones:\n" + "\n".join(f["says"] for f in false)


def test_every_setup_has_expected_findings():
    folders = [p for p in (FIXTURES / "setups").iterdir() if p.is_dir()]
    assert folders and all((p / "expected.json").is_file() for p in folders)
