"""The real-world corpus (``../shared/corpus/``, see its MANIFEST.md): public templates other people wrote
for cross-account pipelines, CloudFormation and Terraform.

``python -m pipelint check`` runs over every setup folder and over each template file alone, and:

- never prints a traceback; exits 0 or 1 (never 2 for a valid template);
- every JSON finding has a location path, and a line when the input is a template;
- Terraform files are skipped with the notice "Terraform is not an input yet; skipped";
- the one deliberately broken file (vamsi-devops' work-in-progress ``pipeline.yaml``, whose
  ``Parameters`` key appears twice) exits 2 with ``file:line`` on stderr, alone and in its folder.

The test is skipped, with a message, when the corpus is absent. All runs are started up front on a few
worker threads (each is a cold ``python -m pipelint``), so the module takes a few seconds.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import pytest

from conftest import SHARED

CORPUS = SHARED / "corpus"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no real-world corpus at {CORPUS} (../shared/corpus)")

BROKEN = "vamsi-devops__cloudformation-templates/templates/cross-account-codepipeline/pipeline.yaml"
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
TERRAFORM_NOTICE = "Terraform is not an input yet; skipped"


def _setups() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("."))


def _files() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*")
                  if p.is_file() and p.parent != CORPUS and (p.suffix in TEMPLATE_SUFFIXES or p.suffix == ".tf"))


SETUPS = _setups()
FILES = _files()


def _run(target: str) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-m", "pipelint", "check", target, "--format", "json"],
                          cwd=CORPUS, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NO_COLOR": "1"})
    return proc.returncode, proc.stdout, proc.stderr


@lru_cache(maxsize=None)
def _results() -> dict[str, tuple[int, str, str]]:
    """Every folder and every file run once, two or three at a time."""
    targets = SETUPS + FILES
    with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2))) as pool:
        return dict(zip(targets, pool.map(_run, targets)))


def _result(target: str) -> tuple[int, str, str]:
    code, out, err = _results()[target]
    assert "Traceback" not in err and "Traceback" not in out, f"{target}: traceback\n{err}"
    assert "internal error" not in err, f"{target}:\n{err}"
    return code, out, err


def _report(target: str, out: str, err: str) -> dict:
    try:
        return json.loads(out)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"{target}: --format json printed no JSON ({exc})\nstdout:\n{out}\nstderr:\n{err}")


def _assert_broken_file_message(err: str) -> None:
    match = re.search(re.escape(BROKEN) + r":(\d+)(?::\d+)?: (.+)", err)
    assert match, f"no {BROKEN}:LINE message on stderr:\n{err}"
    assert int(match.group(1)) > 0
    assert "duplicate key 'Parameters'" in match.group(2), err
    assert err.startswith("pipelint: error: "), err


def test_corpus_is_not_empty():
    assert SETUPS and FILES, f"{CORPUS} holds no setups"
    assert BROKEN in FILES, f"{BROKEN} is no longer in the corpus: update this test"


@pytest.mark.parametrize("setup", SETUPS)
def test_setup_folder(setup):
    code, out, err = _result(setup)
    if BROKEN.startswith(setup + "/"):
        assert code == 2, f"{setup}: exit {code}, expected 2 for {BROKEN}\n{err}"
        _assert_broken_file_message(err)
        return
    assert code in (0, 1), f"{setup}: exit {code}\n{err}"
    report = _report(setup, out, err)
    for finding in report["findings"]:
        location = finding.get("location") or {}
        assert location.get("path"), f"{setup}: finding without a location: {finding}"
        assert (CORPUS / location["path"]).is_file(), f"{setup}: location is not a corpus file: {finding}"
        if location["path"].endswith(TEMPLATE_SUFFIXES):
            assert isinstance(location.get("line"), int) and location["line"] > 0, f"no line: {finding}"
    terraform = sorted(str(p.relative_to(CORPUS)) for p in (CORPUS / setup).rglob("*.tf"))
    noticed = sorted(n["path"] for n in report.get("notices", []) if n["message"] == TERRAFORM_NOTICE)
    assert noticed == terraform, f"{setup}: Terraform notices {noticed}, expected {terraform}"


@pytest.mark.parametrize("path", FILES)
def test_file_alone(path):
    code, out, err = _result(path)
    if path == BROKEN:
        assert code == 2, f"{path}: exit {code}, expected 2\n{err}"
        _assert_broken_file_message(err)
        return
    assert code in (0, 1), f"{path}: exit {code}\n{err}"
    report = _report(path, out, err)
    if path.endswith(".tf"):
        assert report["findings"] == [], report
        assert {"path": path, "message": TERRAFORM_NOTICE} in report["notices"], report["notices"]
        assert report["summary"]["files"] == 0
        return
    assert report["summary"]["files"] == 1, report["summary"]
    for finding in report["findings"]:
        location = finding.get("location") or {}
        assert location.get("path") == path, f"{path}: finding located elsewhere: {finding}"
        assert isinstance(location.get("line"), int) and location["line"] > 0, f"{path}: no line: {finding}"
