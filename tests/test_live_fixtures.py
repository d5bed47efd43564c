"""A defect deployed (in moto) gives the same findings as the offline fixture of the same defect, and an
audit saved with --save gives exactly the same findings when checked later.

The moto world mirrors ``fixtures/example``; each defect below is the one edit that turns the example
into a fixture under ``fixtures/rules/<ID>/fail/``. Compared: rule id, verdict, severity and resources
(moto makes up its own KMS key ids, mapped to the fixture's before comparing); file and line differ by
nature (a template there, a snapshot here).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelint import live, runner
from pipelint.cli import app
from pipelint.config import Config

from conftest import FIXTURES
from test_live_support import (AUDITOR, EU, FIXTURE_KEYS, TOOLING, US, Defects, MotoServer, World, aws_environment,
                               login_tooling)

# fixture -> the same defect in the moto world
CASES = {
    "PL201/fail/unversioned-source-yaml": "unversioned_source",
    "PL202/fail/target-without-dlq-yaml": "no_dlq",
    "PL301/fail/bucket-policy-lacks-target-account": "bucket_policy_lacks_target",
    "PL302/fail/key-policy-lacks-target-account": "key_policy_lacks_target",
    "PL103/fail/build-without-key": "build_without_key",
}


@pytest.fixture(scope="module")
def aws():
    server = MotoServer()
    with aws_environment(server.endpoint):
        yield server
    server.stop()


def build(aws, name: str, make) -> World:
    """The world ``name`` in the server, built unless it is the one already there (tests of this module
    may run in any order; each build resets the server first)."""
    if getattr(aws, "built", None) != name:
        aws.reset()
        aws.world = World()
        make(aws.world)
        login_tooling()
        aws.built = name
    return aws.world


def offline(case: Path, select: list[str] | None = None) -> list:
    here = os.getcwd()
    os.chdir(case)
    try:
        outcome = runner.check([Path(".")], runner.find_config(None, [Path(".")]), select=select or ())
    finally:
        os.chdir(here)
    return outcome.findings


def comparable(findings, keys: dict | None = None) -> list:
    keys = keys or {}
    return sorted((f.rule_id, f.verdict, f.severity, tuple(keys.get(r, r) for r in f.resources)) for f in findings)


def fixture_keys(world: World) -> dict:
    return {world.keys[region]: FIXTURE_KEYS[region] for region in world.keys}


_audits: dict = {}


@pytest.fixture
def defective(aws):
    """Every defect of CASES at once (no two of them touch the same rule), and its audit."""
    world = build(aws, "defective", lambda w: w.example(Defects(**{flag: True for flag in CASES.values()})))
    if _audits.get("world") is not world:
        _audits["world"] = world
        _audits["outcome"], _ = live.audit(
            live.AuditOptions(regions=[US, EU], pipelines=["release"], assume_role=AUDITOR), Config())
    return world, _audits["outcome"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_deployed_defect_matches_offline_fixture(defective, case):
    world, outcome = defective
    folder = FIXTURES / "rules" / case
    select = json.loads((folder / "expected.json").read_text())["select"]
    live_findings = [f for f in outcome.findings if any(f.rule_id.startswith(s) for s in select)]
    expected = comparable(offline(folder, select))
    assert expected, "the offline fixture reports its defect"
    assert comparable(live_findings, fixture_keys(world)) == expected


def edited_example(tmp_path: Path, edits: dict) -> Path:
    """A copy of fixtures/example with, per file, every line containing one of the given texts removed,
    with the more indented lines that follow it (the rest of its YAML block or list item)."""
    copy = tmp_path / "example"
    shutil.copytree(FIXTURES / "example", copy)
    for name, texts in edits.items():
        lines = (copy / name).read_text().splitlines()
        kept, skip_deeper = [], None
        for line in lines:
            indent = len(line) - len(line.lstrip())
            if skip_deeper is not None and indent > skip_deeper:
                continue
            skip_deeper = None
            if any(t in line for t in texts):
                skip_deeper = indent
                continue
            kept.append(line)
        assert len(kept) < len(lines), f"{name}: nothing matched {texts}"
        (copy / name).write_text("\n".join(kept) + "\n")
    return copy


ALL_FIVE = {  # the five defects of CASES as edits of the example's templates
    "tooling/pipeline.yaml": ["VersioningConfiguration: {Status: Enabled}", "DeadLetterConfig: {Arn:",
                              "EncryptionKey: !ImportValue"],
    "tooling/artifacts.yaml": ["- Sid: WorkloadAccountArtifacts", "- Sid: WorkloadAccountUse"],
}


def test_defects_match_the_example_edited_alike(defective, tmp_path):
    """Every rule, not only the fixtures' own: the deployed defects give what offline check of the
    example with the same five edits gives."""
    world, outcome = defective
    expected = comparable(offline(edited_example(tmp_path, ALL_FIVE)))
    assert {f[0] for f in expected} == {"PL201", "PL202", "PL301", "PL302", "PL103"}
    assert comparable(outcome.findings, fixture_keys(world)) == expected


def test_round_trip_save_then_check(defective, tmp_path):
    """audit --save DIR, then check DIR: the same report, byte for byte (findings, notices, positions)."""
    run = CliRunner()
    folder = tmp_path / "snapshot"
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        audited = run.invoke(app, ["audit", "--region", US, "--region", EU, "--assume-role", AUDITOR, "--no-progress",
                                   "--format", "json", "--save", "snapshot"])
        checked = run.invoke(app, ["check", "snapshot", "--format", "json"])
        unsaved = run.invoke(app, ["audit", "--region", US, "--region", EU, "--assume-role", AUDITOR,
                                   "--no-progress", "--format", "json"])
    finally:
        os.chdir(here)
    assert audited.exit_code == 1 and checked.exit_code == 1, audited.stderr + checked.stderr
    assert json.loads(audited.stdout)["findings"], "the defects are reported"
    assert audited.stdout == checked.stdout
    assert sorted(p.name for p in folder.iterdir()) == sorted([
        f"{TOOLING}-{EU}.json", f"{TOOLING}-{US}.json", f"{TOOLING}-global.json", "222222222222-global.json",
        "333333333333-global.json"])
    # without --save the files are named alike: only the folder prefix (and so the fingerprint) differs
    def without_folder(report: str) -> list:
        findings = json.loads(report)["findings"]
        for finding in findings:
            finding["location"]["path"] = finding["location"]["path"].removeprefix("snapshot/")
            del finding["fingerprint"]
        return findings

    assert without_folder(unsaved.stdout) == without_folder(audited.stdout)


def test_no_store_key_matches_the_example_edited_alike(aws, tmp_path):
    """Pipeline `release` without encryptionKey on its stores, deployed and as templates: same findings,
    every rule."""
    world = build(aws, "no-store-key", lambda w: w.example(Defects(no_store_key=True), service=False))
    outcome, _ = live.audit(live.AuditOptions(regions=[US, EU], assume_role=AUDITOR), Config())
    expected = comparable(offline(edited_example(tmp_path, {"tooling/pipeline.yaml": ["EncryptionKey: {Id:"]})))
    assert [f[0] for f in expected] == ["PL101", "PL101"]
    assert comparable(outcome.findings, fixture_keys(world)) == expected


def test_artifact_store_without_key_matches_fixture(aws):
    """fixtures/rules/PL101/fail/no-key-yaml deployed."""
    build(aws, "app", lambda w: w.app_without_key())
    folder = FIXTURES / "rules" / "PL101" / "fail" / "no-key-yaml"
    outcome, _ = live.audit(live.AuditOptions(regions=[US], pipelines=["app"], assume_role=AUDITOR), Config(),
                            select=["PL101"])
    expected = comparable(offline(folder, ["PL101"]))
    assert expected and comparable(outcome.findings) == expected


def test_config_selection_and_suppressions_apply(defective, tmp_path):
    """The configuration works on an audit as on check: ignore, suppress by resource, exit code."""
    (tmp_path / "pipelint.toml").write_text(
        'ignore = ["PL1", "PL3"]\n\n'
        '[[suppress]]\nid = "PL201"\nresource = "release-source-111111111111"\nreason = "versioning enforced by SCP"\n\n'
        '[[suppress]]\nid = "PL202"\nresource = "arn:aws:events:us-east-1:111111111111:rule/release-source-changed"\n'
        'reason = "the DLQ comes from another stack"\n')
    args = ["audit", "--region", US, "--region", EU, "--assume-role", AUDITOR, "--no-progress", "--pipeline",
            "release", "--format", "json", "--config", str(tmp_path / "pipelint.toml")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stdout + result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert sorted((f["rule_id"], f["suppressed"]) for f in findings) == [
        ("PL201", "versioning enforced by SCP"), ("PL202", "the DLQ comes from another stack")]
    result = CliRunner().invoke(app, [*args[:-2], "--select", "PL3"])
    assert result.exit_code == 1 and {f["rule_id"] for f in json.loads(result.stdout)["findings"]} == {"PL301", "PL302"}
