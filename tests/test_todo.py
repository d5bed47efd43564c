"""Unverified findings as a to-do list: the text output prints failing findings in full, then one line
per missing input (grouped by ``Finding.settle``) with the number of checks it would settle and the
rules concerned, the most useful first; ``--verbose`` lists each unverified finding too; JSON keeps
every finding and adds the grouped list."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT, SHARED
from pipelint.findings import Finding, missing_inputs
from pipelint.model import Source
from pipelint.reporters import text

CORPUS = SHARED / "corpus"


def unverified(rule_id, settle, file="tooling/pipeline.yaml", line=1, suppressed=None):
    return Finding(rule_id=rule_id, rule_name="r", message=f"unverified: {rule_id} at {line}",
                   source=Source(file, ("Resources", "X"), line, 1), severity="info", verdict="unverified",
                   fix=f"Add to the inputs: {settle}", settle=settle, suppressed=suppressed)


def test_grouped_by_settle_most_useful_first_with_exact_lines():
    failing = Finding(rule_id="PL302", rule_name="artifact-key-grant", message="key policy denies role deploy",
                      source=Source("tooling/artifacts.yaml", ("Resources", "Key"), 12, 7), fix="Grant it.")
    findings = [
        failing,
        unverified("PL301", "parameter ProductionAccount of tooling/pipeline.yaml", line=3),
        unverified("PL303", "parameter ProductionAccount of tooling/pipeline.yaml", line=4),
        unverified("PL302", "parameter ProductionAccount of tooling/pipeline.yaml ", line=5),  # trailing blank
        unverified("PL302", "parameter ProductionAccount  of tooling/pipeline.yaml.", line=6),  # double blank, dot
        unverified("PL201", "the template that defines bucket src", line=7),
        unverified("PL201", "the template that defines bucket src", line=8),
        unverified("PL303", "the role's template", "target/roles.yaml", line=2),
        unverified("PL304", "the role's template", "target/roles.yaml", line=9),
        unverified("PL306", "the queue's template", line=10),
        unverified("PL101", "suppressed input", line=11, suppressed="accepted"),
    ]
    groups = missing_inputs(findings)
    assert [(g.settle, len(g.findings), g.rules) for g in groups] == [
        ("parameter ProductionAccount of tooling/pipeline.yaml", 4, ["PL301", "PL302", "PL303"]),
        ("the role's template", 2, ["PL303", "PL304"]),  # as many checks as the bucket, more rules
        ("the template that defines bucket src", 2, ["PL201"]),
        ("the queue's template", 1, ["PL306"]),
    ]
    assert text.render_plain(findings, [], 3).splitlines() == [
        "tooling/artifacts.yaml",
        "  tooling/artifacts.yaml:12:7: error PL302 [artifact-key-grant] key policy denies role deploy",
        "      fix: Grant it.",
        "",
        "Unverified: 9 checks need inputs pipelint does not have. Add to the inputs:",
        "  parameter ProductionAccount of tooling/pipeline.yaml — settles 4 checks (PL301, PL302, PL303)",
        "  the role's template — settles 2 checks (PL303, PL304)",
        "  the template that defines bucket src — settles 2 checks (PL201)",
        "  the queue's template — settles 1 check (PL306)",
        "  (--verbose lists each unverified finding)",
        "",
        "1 error(s), 0 warning(s), 9 info in 3 file(s); 1 suppressed",
    ]
    verbose = text.render_plain(findings, [], 3, verbose=True).splitlines()
    assert "  tooling/pipeline.yaml:3:1: info PL301 [r] unverified: PL301 at 3" in verbose
    assert sum(": info PL" in line for line in verbose) == 9
    assert "  the queue's template — settles 1 check (PL306)" in verbose
    assert "  (--verbose lists each unverified finding)" not in verbose


def test_only_unverified_findings_print_no_file_groups():
    out = text.render_plain([unverified("PL303", "the role's template")], [], 1).splitlines()
    assert out == ["Unverified: 1 check needs inputs pipelint does not have. Add to the inputs:",
                   "  the role's template — settles 1 check (PL303)",
                   "  (--verbose lists each unverified finding)", "",
                   "0 error(s), 0 warning(s), 1 info in 1 file(s)"]


# -- end to end: the bundled example with a deployment map that leaves three inputs out -------------------

PARTIAL_MAP = '''inputs = ["."]

[[stacks]]
template = "tooling/artifacts.yaml"
account = "111111111111"
region = "us-east-1"
stack-name = "artifacts"
parameters = { TargetAccountId = "222222222222" }

[[stacks]]
template = "tooling/pipeline.yaml"
account = "111111111111"
region = "us-east-1"
'''


def pipelint(*args, cwd):
    proc = subprocess.run([sys.executable, "-m", "pipelint", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "NO_COLOR": "1"})
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture
def partial(in_tmp):
    shutil.copytree(FIXTURES / "example", in_tmp, dirs_exist_ok=True)
    (in_tmp / "pipelint.toml").write_text(PARTIAL_MAP)
    return in_tmp


# (what the missing input's text must name, checks, rules); the texts themselves are the rules' to word
EXPECTED = [("TargetAccountId", 8, "PL301, PL302, PL303, PL304"), ("EuArtifactKeyArn", 1, "PL101"),
            ("release-artifacts-111111111111-eu-west-1", 1, "PL102")]


def test_partial_map_lists_each_missing_input_once(partial):
    proc = pipelint("check", cwd=partial)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "Unverified: 10 checks need inputs pipelint does not have. Add to the inputs:"
    todo = lines[1:4]
    for line, (name, checks, rules) in zip(todo, EXPECTED):
        assert re.fullmatch(rf"  .*\b{re.escape(name)}\b.* — settles {checks} checks? \({rules}\)", line), line
    assert lines[4:] == ["  (--verbose lists each unverified finding)", "",
                         "0 error(s), 0 warning(s), 10 info in 4 file(s)"]
    verbose = pipelint("check", "--verbose", cwd=partial).stdout.splitlines()
    assert sum(": info PL" in line for line in verbose) == 10
    assert all(line in verbose for line in todo)


def test_json_keeps_every_finding_and_groups_them(partial):
    import jsonschema

    report = json.loads(pipelint("check", "--format", "json", cwd=partial).stdout)
    schema = json.loads((ROOT / "pipelint" / "schemas" / "findings.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(report)
    assert len(report["findings"]) == 10
    groups = report["missing_inputs"]
    assert [(g["checks"], ", ".join(g["rules"])) for g in groups] == [(c, r) for _, c, r in EXPECTED]
    for group, (name, _, _) in zip(groups, EXPECTED):
        assert name in group["settle"]
        members = [f for f in report["findings"] if f["fingerprint"] in group["findings"]]
        assert len(members) == group["checks"] and {f["settle"] for f in members} == {group["settle"]}


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no real-world corpus at {CORPUS} (../shared/corpus)")
@pytest.mark.parametrize("setup", ["jasonwadsworth__AWS-CrossAccount-CrossRegion-Pipeline",
                                   "awslabs__aws-refarch-cross-account-pipeline"])
def test_a_corpus_setup_without_a_map_fits_on_one_screen(setup):
    proc = pipelint("check", setup, cwd=CORPUS)
    assert proc.returncode in (0, 1), proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) <= 50, proc.stdout
    verbose = pipelint("check", setup, "--verbose", cwd=CORPUS).stdout.splitlines()
    assert sum(": info PL" in line for line in verbose) == sum(
        int(m.group(1)) for m in re.finditer(r"— settles (\d+) checks?", proc.stdout))
