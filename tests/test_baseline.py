"""Baselines: `pipelint baseline` writes fingerprints, `check` then reports only new findings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelint import baseline
from pipelint.errors import InputError
from pipelint.findings import Finding
from pipelint.model import Source

CASE = Path(__file__).resolve().parent.parent / "fixtures" / "rules" / "PL101" / "fail" / "no-key-yaml"


def pipelint(*args, cwd=None):
    proc = subprocess.run([sys.executable, "-m", "pipelint", *args], capture_output=True, text=True, cwd=cwd)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def second_pipeline(text: str) -> str:
    """The template with a copy of its pipeline (a new finding of the same rule)."""
    start = text.index("  Pipeline:\n")
    block = text[start:]
    return text + block.replace("  Pipeline:\n", "  Pipeline2:\n", 1).replace("Name: app\n", "Name: app2\n", 1)


@pytest.fixture
def setup(in_tmp):
    (in_tmp / "pipeline.yaml").write_text((CASE / "pipeline.yaml").read_text())
    (in_tmp / "pipelint.toml").write_text((CASE / "pipelint.toml").read_text())
    return in_tmp


def findings(proc) -> list[dict]:
    return json.loads(proc.stdout)["findings"]


def test_baseline_then_only_new_findings(setup):
    assert pipelint("check", "--select", "PL101").returncode == 1
    written = pipelint("baseline", "--select", "PL101", "--output", "baseline.json")
    assert written.returncode == 0 and "wrote 1 finding(s) to baseline.json" in written.stderr
    data = json.loads((setup / "baseline.json").read_text())
    assert data["pipelint-baseline"] == 1
    [entry] = data["findings"]
    assert set(entry) == {"fingerprint", "rule_id", "path", "resources", "message"}
    assert entry["rule_id"] == "PL101" and entry["path"] == "pipeline.yaml"

    proc = pipelint("check", "--select", "PL101", "--baseline", "baseline.json", "--format", "json")
    assert proc.returncode == 0, proc.stdout
    [old] = findings(proc)
    assert old["suppressed"] == "in baseline"

    (setup / "pipeline.yaml").write_text(second_pipeline((setup / "pipeline.yaml").read_text()))
    proc = pipelint("check", "--select", "PL101", "--baseline", "baseline.json", "--format", "json")
    assert proc.returncode == 1
    active = [f for f in findings(proc) if f["suppressed"] is None]
    assert [f["resources"] for f in active] == [["arn:aws:codepipeline:us-east-1:111111111111:app2"]]
    sarif = json.loads(pipelint("check", "--select", "PL101", "--baseline", "baseline.json", "--format",
                                "sarif").stdout)
    kinds = [r.get("suppressions") for r in sarif["runs"][0]["results"]]
    assert kinds.count([{"kind": "external", "justification": "in baseline"}]) == 1


def test_moved_code_stays_known(setup):
    pipelint("baseline", "--select", "PL101", "-o", "baseline.json")
    text = (setup / "pipeline.yaml").read_text()
    (setup / "pipeline.yaml").write_text("# a comment\n# and another\n\n" + text)
    proc = pipelint("check", "--select", "PL101", "--baseline", "baseline.json", "--format", "json")
    assert proc.returncode == 0
    [f] = findings(proc)
    assert f["location"]["line"] > 25 and f["suppressed"] == "in baseline"


def test_independent_of_the_working_directory(setup):
    pipelint("baseline", "--select", "PL101", "-o", "baseline.json")
    parent = setup.parent
    proc = pipelint("check", str(setup), "--select", "PL101", "--config", str(setup / "pipelint.toml"),
                    "--baseline", str(setup / "baseline.json"), cwd=parent)
    assert proc.returncode == 0, proc.stdout


def test_config_baseline_key_stale_entries_and_no_baseline(setup):
    config = setup / "pipelint.toml"
    config.write_text('baseline = "pipelint-baseline.json"\n' + config.read_text())
    # the configured file does not exist yet: a clear exit 2
    missing = pipelint("check", "--select", "PL101")
    assert missing.returncode == 2 and "pipelint baseline" in missing.stderr
    written = pipelint("baseline", "--select", "PL101")  # default target: the configured path
    assert written.returncode == 0 and (setup / "pipelint-baseline.json").is_file()
    assert pipelint("check", "--select", "PL101").returncode == 0
    assert pipelint("check", "--select", "PL101", "--no-baseline").returncode == 1
    # fix the problem: the entry is stale and the run says so
    text = (setup / "pipeline.yaml").read_text().replace(
        "        Location: !Ref ArtifactBucket\n",
        "        Location: !Ref ArtifactBucket\n        EncryptionKey: {Id: !GetAtt ArtifactKey.Arn, Type: KMS}\n")
    (setup / "pipeline.yaml").write_text(text)
    proc = pipelint("check", "--select", "PL101")
    assert proc.returncode == 0
    assert "1 baseline entry no longer matches any finding" in proc.stdout


@pytest.mark.parametrize("content, words", [
    ("{not json", "not valid JSON"),
    ('{"findings": []}', "not a pipelint baseline"),
    ('{"pipelint-baseline": 1, "findings": [{"rule_id": "PL101"}]}', "entry 0 has no fingerprint"),
])
def test_bad_baseline_is_exit_2(setup, content, words):
    (setup / "bad.json").write_text(content)
    proc = pipelint("check", "--select", "PL101", "--baseline", "bad.json")
    assert proc.returncode == 2
    assert "bad.json" in proc.stderr and words in proc.stderr


def test_each_entry_accepts_one_finding(tmp_path):
    def make():
        return Finding(rule_id="PL101", message="m", source=Source("t.yaml", ("Resources", "P"), 3, 1))

    path = tmp_path / "b.json"
    path.write_text(baseline.render([make()], path))
    twins = [make(), make()]
    matched, stale = baseline.apply(twins, path, {})
    assert (matched, stale) == (1, 0)
    assert [f.suppressed for f in twins] == ["in baseline", None]


def test_fingerprint_has_no_line_numbers_and_relative_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a = Finding(rule_id="PL101", message="m", source=Source("sub/t.yaml", ("Resources", "P"), 3, 1))
    b = Finding(rule_id="PL101", message="m", source=Source(os.path.abspath("sub/t.yaml"), ("Resources", "P"), 9, 4))
    assert baseline.fingerprint(a, tmp_path) == baseline.fingerprint(b, tmp_path)
    assert baseline.fingerprint(a, tmp_path / "sub") != baseline.fingerprint(a, tmp_path)


def test_missing_baseline_file_error(tmp_path):
    with pytest.raises(InputError, match="baseline file not found"):
        baseline.load(tmp_path / "nope.json")
