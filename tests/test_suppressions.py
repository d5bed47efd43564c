"""Suppressions: Metadata and config entries, what they cover, PL901 (no reason) and PL902 (unused)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelint import engine, suppressions
from pipelint.config import Config
from pipelint.findings import Finding
from pipelint.model import Bucket, Role, Source, Suppression, World

ROLE = "arn:aws:iam::222222222222:role/deploy"
BUCKET = "artifacts-111111111111"
EVERY = engine.discover()
KNOWN = [r.rule.id for r in EVERY]


def world() -> World:
    w = World()
    w.roles[ROLE] = Role(key=ROLE, arn=ROLE, name="deploy", account="222222222222",
                         source=Source("target/roles.yaml", ("Resources", "DeployRole"), 5, 3))
    w.buckets[BUCKET] = Bucket(key=BUCKET, name=BUCKET, account="111111111111", region="us-east-1",
                               source=Source("tooling/artifacts.yaml", ("Resources", "ArtifactBucket"), 8, 3))
    return w


def finding(rule_id="PL301", file="tooling/artifacts.yaml", path=("Resources", "BucketPolicy", "Properties"),
            resources=(ROLE, BUCKET), message="bucket policy does not grant role deploy") -> Finding:
    return Finding(rule_id=rule_id, rule_name="x", message=message, source=Source(file, tuple(path), 20, 5),
                   resources=list(resources))


def metadata(rule, file, prefix=(), reason="because", line=3) -> Suppression:
    return Suppression(rule, file, tuple(prefix), reason,
                       Source(file, tuple(prefix) + ("Metadata", "pipelint", "ignore", 0), line, 11))


def run(findings, w, cfg=None, select=None):
    ran = [r for r in EVERY if select is None or r.rule.id.startswith(tuple(select))]
    return suppressions.apply(findings, w, cfg or Config(), ran=ran, known=KNOWN)


def test_resource_level_metadata_covers_findings_located_under_the_resource():
    w = world()
    w.suppressions.append(metadata("PL301", "tooling/artifacts.yaml", ("Resources", "BucketPolicy"),
                                   "shared through an access point"))
    f = finding()
    other = finding(path=("Resources", "Elsewhere"), resources=["arn:aws:iam::333333333333:role/x"], message="m2")
    applied = run([f, other], w)
    assert f.suppressed == "shared through an access point"
    assert applied.kinds[id(f)] == "inSource"
    assert other.suppressed is None
    assert applied.meta == []


def test_resource_level_metadata_covers_findings_about_that_resource_elsewhere():
    """A Metadata entry on the role (in the target template) covers a finding about the role that is
    located in the tooling account's bucket policy."""
    w = world()
    w.suppressions.append(metadata("PL301", "target/roles.yaml", ("Resources", "DeployRole"), "reviewed"))
    f = finding()
    run([f], w)
    assert f.suppressed == "reviewed"


def test_template_level_metadata_covers_the_file_and_rule_prefix():
    w = world()
    w.suppressions.append(metadata("PL3", "tooling/artifacts.yaml", (), "legacy stack"))
    located = finding(resources=["arn:aws:iam::333333333333:role/x"])
    wrong_rule = finding(rule_id="PL101", message="other rule")
    elsewhere = finding(file="other.yaml", resources=["arn:aws:iam::333333333333:role/x"], message="m3")
    run([located, wrong_rule, elsewhere], w)
    assert located.suppressed == "legacy stack"
    assert wrong_rule.suppressed is None and elsewhere.suppressed is None


@pytest.mark.parametrize("resource", [ROLE, "deploy", "DeployRole", BUCKET, "BucketPolicy"])
def test_config_entry_by_resource(resource, in_tmp):
    cfg = Config(path=in_tmp / "pipelint.toml", suppress=[{"id": "PL301", "resource": resource, "reason": "ok"}])
    f = finding()
    applied = run([f], world(), cfg)
    assert f.suppressed == "ok" and applied.kinds[id(f)] == "external"


def test_config_entry_file_and_resource_must_both_match(in_tmp):
    cfg = Config(path=in_tmp / "pipelint.toml", suppress=[
        {"id": "PL301", "file": "tooling/artifacts.yaml", "resource": "nope", "reason": "r1"},
        {"id": "PL301", "file": "other.yaml", "resource": "deploy", "reason": "r2"},
        {"id": "PL301", "file": "tooling/artifacts.yaml", "resource": "deploy", "reason": "r3"},
    ])
    f = finding()
    applied = run([f], world(), cfg)
    assert f.suppressed == "r3"
    unused = [m for m in applied.meta if m.rule_id == "PL902"]
    assert [m.source.path for m in unused] == [("suppress", 0), ("suppress", 1)]


def test_config_file_is_relative_to_the_configuration(tmp_path, monkeypatch):
    (tmp_path / "infra").mkdir()
    monkeypatch.chdir(tmp_path)
    cfg = Config(path=tmp_path / "infra" / "pipelint.toml",
                 suppress=[{"id": "PL301", "file": "tooling/artifacts.yaml", "reason": "r"}])
    f = finding(file="infra/tooling/artifacts.yaml", resources=[])
    run([f], World(), cfg)
    assert f.suppressed == "r"


def test_without_reason_still_suppresses_and_reports_pl901():
    w = world()
    w.suppressions.append(metadata("PL301", "tooling/artifacts.yaml", ("Resources", "BucketPolicy"), None))
    f = finding()
    applied = run([f], w)
    assert f.suppressed == suppressions.NO_REASON
    [meta] = applied.meta
    assert (meta.rule_id, meta.rule_name, meta.severity) == ("PL901", "suppression-without-reason", "warning")
    assert meta.source.file == "tooling/artifacts.yaml" and meta.source.line == 3
    assert meta.message == "suppression of PL301 has no reason"


def test_unused_suppression_is_reported_like_ruf100():
    w = world()
    w.suppressions.append(metadata("PL201", "tooling/artifacts.yaml", ("Resources", "ArtifactBucket"), "was off"))
    applied = run([finding()], w)
    [meta] = applied.meta
    assert (meta.rule_id, meta.rule_name, meta.severity) == ("PL902", "unused-suppression", "warning")
    assert meta.message == ("suppression of PL201 on tooling/artifacts.yaml Resources/ArtifactBucket "
                            "matches no finding")
    assert meta.source.line == 3 and meta.suppressed is None


def test_unused_not_reported_when_its_rule_did_not_run():
    w = world()
    w.suppressions.append(metadata("PL201", "tooling/artifacts.yaml", (), "x"))
    applied = run([finding()], w, select=["PL3", "PL9"])
    assert applied.meta == []


def test_unknown_rule_id_is_reported():
    w = world()
    w.suppressions.append(metadata("PL777", "tooling/artifacts.yaml", (), "x"))
    [meta] = run([], w).meta
    assert meta.rule_id == "PL902" and meta.message == "suppression names PL777, which is not a pipelint rule"


def test_meta_rules_follow_select_and_can_be_suppressed():
    w = world()
    w.suppressions.append(metadata("PL201", "tooling/artifacts.yaml", (), None))
    assert run([], w, select=["PL1", "PL2", "PL3"]).meta == []  # PL9 not selected
    assert [m.rule_id for m in run([], w, select=["PL2", "PL902"]).meta] == ["PL902"]
    w.suppressions.append(metadata("PL90", "tooling/artifacts.yaml", (), "kept on purpose", line=9))
    applied = run([], w)
    assert {m.rule_id for m in applied.meta} == {"PL901", "PL902"}
    assert all(m.suppressed == "kept on purpose" for m in applied.meta)


def test_duplicate_metadata_from_a_template_deployed_twice_counts_once():
    w = world()
    entry = metadata("PL201", "tooling/artifacts.yaml", (), "x")
    w.suppressions += [entry, Suppression(**vars(entry))]
    assert len(run([], w).meta) == 1


def test_config_entry_lines_are_found(in_tmp):
    path = in_tmp / "pipelint.toml"
    path.write_text('inputs = ["."]\n\n[[suppress]]\nid = "PL101"\n\n[[suppress]]\nid = "PL2"\nreason = "r"\n')
    cfg = Config(path=path, suppress=[{"id": "PL101"}, {"id": "PL2", "reason": "r"}])
    entries = suppressions.from_config(cfg)
    assert [(e.source.file, e.source.path, e.source.line) for e in entries] == [
        ("pipelint.toml", ("suppress", 0), 3), ("pipelint.toml", ("suppress", 1), 6)]
    assert entries[0].reason is None and entries[1].reason == "r"


# -- end to end, through the loader and the command line ---------------------------------------------

TEMPLATE = Path(__file__).resolve().parent.parent / "fixtures" / "rules" / "PL101" / "fail" / "no-key-yaml"


def setup(tmp: Path, pipeline_metadata: str = "", config_extra: str = "") -> None:
    text = (TEMPLATE / "pipeline.yaml").read_text()
    text = text.replace("  Pipeline:\n    Type: AWS::CodePipeline::Pipeline\n",
                        "  Pipeline:\n    Type: AWS::CodePipeline::Pipeline\n" + pipeline_metadata)
    (tmp / "pipeline.yaml").write_text(text)
    (tmp / "pipelint.toml").write_text((TEMPLATE / "pipelint.toml").read_text() + config_extra)


def check(*args):
    proc = subprocess.run([sys.executable, "-m", "pipelint", "check", "--select", "PL1", "--select", "PL9",
                           *args], capture_output=True, text=True)
    assert "Traceback" not in proc.stderr
    return proc


def test_cloudformation_metadata_end_to_end(in_tmp):
    setup(in_tmp, "    Metadata:\n      pipelint:\n        ignore:\n"
                  "          - {id: PL101, reason: \"single-account until the key lands\"}\n"
                  "          - {id: PL102}\n")
    proc = check("--format", "json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    by_rule = {f["rule_id"]: f for f in report["findings"]}
    assert by_rule["PL101"]["suppressed"] == "single-account until the key lands"
    assert by_rule["PL901"]["severity"] == "warning" and by_rule["PL901"]["location"]["path"] == "pipeline.yaml"
    assert by_rule["PL902"]["message"].startswith("suppression of PL102 on pipeline.yaml Resources/Pipeline")
    sarif = json.loads(check("--format", "sarif").stdout)
    [suppressed] = [r for r in sarif["runs"][0]["results"] if "suppressions" in r]
    assert suppressed["suppressions"] == [{"kind": "inSource", "justification": "single-account until the key lands"}]
    # PL901/PL902 are warnings: they fail the run only from --fail-on warning
    assert check("--fail-on", "warning").returncode == 1


def test_config_suppression_end_to_end(in_tmp):
    setup(in_tmp, config_extra='\n[[suppress]]\nid = "PL101"\nresource = "app"\nreason = "tracked in JIRA-1"\n'
                               '\n[[suppress]]\nid = "PL103"\nfile = "pipeline.yaml"\nreason = "no builds"\n')
    proc = check("--format", "json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    assert [f["suppressed"] for f in findings if f["rule_id"] == "PL101"] == ["tracked in JIRA-1"]
    [unused] = [f for f in findings if f["rule_id"] == "PL902"]
    assert unused["location"] == {"path": "pipelint.toml", "line": 13, "column": 1, "logical_path": ["suppress", 1]}
    sarif = json.loads(check("--format", "sarif").stdout)
    [suppressed] = [r for r in sarif["runs"][0]["results"] if "suppressions" in r]
    assert suppressed["suppressions"][0]["kind"] == "external"


def test_invalid_suppress_entry_is_exit_2_naming_the_key(in_tmp):
    setup(in_tmp, config_extra='\n[[suppress]]\nid = "PL101"\nreasn = "typo"\n')
    proc = check()
    assert proc.returncode == 2
    assert "'suppress.0'" in proc.stderr and "reasn" in proc.stderr
