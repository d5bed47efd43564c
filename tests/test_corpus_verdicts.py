"""Verdicts on the real-world corpus (``../shared/corpus/``), with deployment maps of our own.

Each ``tests/corpus_maps/<setup>/<variant>.toml`` deploys one corpus setup the way its README does (with
variants for its condition parameters); ``<variant>.json`` lists the exact findings — rule id, verdict,
file, line, resources, and optionally ``"says"`` (phrases the message or fix must contain). The setup
is copied to a temporary folder with the map as its ``pipelint.toml``; nothing of the corpus is kept
in this repository. Skipped when the corpus is absent.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from pipelint import runner

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("PIPELINT_SHARED", ROOT.parent / "shared")) / "corpus"
MAPS = Path(__file__).resolve().parent / "corpus_maps"
CASES = sorted(MAPS.glob("*/*.toml"))

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no real-world corpus at {CORPUS}")


def findings(case: Path, tmp_path: Path) -> list[dict]:
    setup = tmp_path / case.parent.name
    shutil.copytree(CORPUS / case.parent.name, setup)
    shutil.copyfile(case, setup / "pipelint.toml")
    old = os.getcwd()
    os.chdir(setup)
    try:
        outcome = runner.check([Path(".")], runner.find_config(None, [Path(".")]))
    finally:
        os.chdir(old)
    return [{"rule_id": f.rule_id, "verdict": f.verdict, "severity": f.severity, "path": f.source.file,
             "line": f.source.line, "resources": f.resources, "text": f"{f.message}\n{f.fix or ''}"}
            for f in outcome.findings]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.stem}" for c in CASES])
def test_corpus_verdict(case: Path, tmp_path: Path):
    expected = json.loads(case.with_suffix(".json").read_text(encoding="utf-8"))["findings"]
    found = findings(case, tmp_path)
    key = lambda f: (f["path"], f["line"] or 0, f["rule_id"], f["resources"])
    found, expected = sorted(found, key=key), sorted(expected, key=key)
    texts = [f.pop("text") for f in found]
    phrases = [f.pop("says", []) for f in expected]
    for f in expected:
        f.setdefault("verdict", "fail")
        f.setdefault("severity", "error" if f["verdict"] == "fail" else "info")
    assert found == expected
    for text, want in zip(texts, phrases):
        assert not [p for p in want if p not in text], text


def test_every_map_has_its_expected_findings():
    assert CASES and all(case.with_suffix(".json").is_file() for case in CASES)
