"""Reporters on a hand-built outcome: one snapshot per format (tests/snapshots/, compared exactly;
``PIPELINT_UPDATE_SNAPSHOTS=1`` rewrites them), SARIF against the official 2.1.0 schema, JUnit through
junitparser, GitHub workflow-command escaping."""

from __future__ import annotations

import json
import os
import types
from pathlib import Path

import pytest

from conftest import ROOT, SHARED
from pipelint import runner
from pipelint.config import Config
from pipelint.engine import LoadedRule
from pipelint.findings import Finding
from pipelint.model import Notice, Source, World
from pipelint.rule import Rule

SNAPSHOTS = ROOT / "tests" / "snapshots"
SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"
EXTENSION = {"text": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "github": "txt"}


def assert_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("PIPELINT_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"no snapshot {path.name}: run with PIPELINT_UPDATE_SNAPSHOTS=1 and review it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{path.name} differs; PIPELINT_UPDATE_SNAPSHOTS=1 rewrites it (review the diff)"


def fake_rule(rule_id: str, name: str, severity: str, summary: str) -> LoadedRule:
    module = types.ModuleType(f"fake_{rule_id.lower()}")
    module.__doc__ = (f"\n## What it does\nChecks {name}.\n\n## Why is this bad?\nBecause {name} breaks.\n\n"
                      f"## Example\n```yaml\nBad: true\n```\n\n## Fix\n```yaml\nBad: false\n```\n")
    module.check = lambda world, report: None
    return LoadedRule(Rule(rule_id, name, severity, summary), module)


RULES = [
    fake_rule("PL101", "artifact-store-key", "error", "Artifact stores use a customer-managed key by ARN"),
    fake_rule("PL201", "source-bucket-versioning", "error", "S3 source buckets are versioned"),
    fake_rule("PL301", "artifact-bucket-grant", "error", "Bucket and role policies grant artifact access"),
    fake_rule("PL303", "action-role-trust", "error", "Action roles trust the pipeline role"),
    fake_rule("PL902", "unused-suppression", "warning", "Suppressions that cover no finding are removed"),
]
PIPELINE = "arn:aws:codepipeline:us-east-1:111111111111:app"
ROLE = "arn:aws:iam::222222222222:role/deploy"


def sample_outcome() -> runner.Outcome:
    """Findings of every kind: error, warning with characters to escape, unverified info, suppressed in
    source, suppressed by the baseline, one without a line in a file whose name needs URI encoding."""
    def finding(rule_id, name, message, file, path=(), line=None, column=None, **kw):
        return Finding(rule_id=rule_id, rule_name=name, message=message,
                       source=Source(file, tuple(path), line, column), **kw)

    error = finding("PL101", "artifact-store-key", "no encryptionKey in the artifact store of pipeline app",
                    "tooling/pipeline.yaml", ("Resources", "Pipeline", "Properties", "ArtifactStore"), 25, 7,
                    resources=[PIPELINE], fix="Set encryptionKey to the key's ARN.")
    warning = finding("PL101", "artifact-store-key",
                      'encryptionKey alias/a,b is an alias: 100% "known" <only> in its own account & region\n'
                      "second line", "tooling/pipeline, v2.yaml", ("Resources", "Other"), 3, 5,
                      resources=["arn:aws:codepipeline:us-east-1:111111111111:other"], severity="warning")
    unverified = finding("PL303", "action-role-trust", "unverified: the trust policy of role deploy is not known",
                         "target/roles.yaml", ("Resources", "DeployRole"), 10, 3, resources=[PIPELINE, ROLE],
                         severity="info", verdict="unverified", fix="Add to the inputs: the role's template",
                         settle="the role's template")
    in_source = finding("PL301", "artifact-bucket-grant", "bucket policy does not grant role deploy",
                        "tooling/artifacts.yaml", ("Resources", "BucketPolicy"), 40, 9, resources=[PIPELINE, ROLE],
                        suppressed="the bucket is shared through an access point")
    in_baseline = finding("PL301", "artifact-bucket-grant", "role deploy may not s3:PutObject",
                          "target/roles.yaml", ("Resources", "DeployRole", "Properties"), 12, 5,
                          resources=[PIPELINE, ROLE], suppressed="in baseline")
    no_line = finding("PL902", "unused-suppression", "suppression of PL201 matches no finding",
                      "pipelines/my pipeline.json", ("pipeline", "stages", 0), severity="warning",
                      fix="Delete the entry.")
    findings = [error, warning, in_source, no_line, unverified, in_baseline]
    world = World(files=["tooling/pipeline.yaml", "tooling/pipeline, v2.yaml", "tooling/artifacts.yaml",
                         "target/roles.yaml", "pipelines/my pipeline.json"],
                  notices=[Notice("docs/readme.json", "not a template, pipeline, policy or snapshot; skipped")])
    kinds = {id(in_source): "inSource", id(in_baseline): "external"}
    return runner.Outcome(world, findings, Config(severity={"PL303": "warning"}), rules=list(RULES), kinds=kinds)


def render(fmt: str, root: Path) -> str:
    if fmt == "sarif":
        from pipelint.reporters import sarif

        text = sarif.render(sample_outcome(), root=root, version="0.0.0-test")
        return text.replace(root.as_uri().rstrip("/") + "/", "file:///ROOT/")
    if fmt == "json":
        from pipelint import __version__

        return runner.render(sample_outcome(), fmt).replace(f'"version": "{__version__}"', '"version": "0.0.0-test"')
    if fmt == "github":
        from pipelint.reporters import github

        return github.render(sample_outcome(), root=root)
    return runner.render(sample_outcome(), fmt)


@pytest.mark.parametrize("fmt", runner.FORMATS)
def test_snapshot(fmt, in_tmp):
    assert_snapshot(f"sample.{fmt}.{EXTENSION[fmt]}", render(fmt, in_tmp))


# -- SARIF ------------------------------------------------------------------------------------------

def sarif_schema() -> dict:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"the official SARIF 2.1.0 schema is not at {SARIF_SCHEMA} (../shared is absent)")
    return json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))


def test_sarif_validates_against_the_official_schema(in_tmp):
    import jsonschema

    log = json.loads(render("sarif", in_tmp))
    jsonschema.Draft4Validator(sarif_schema()).validate(log)


def test_sarif_content(in_tmp):
    from pipelint.reporters import sarif

    outcome = sample_outcome()
    log = json.loads(sarif.render(outcome, root=in_tmp))
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "pipelint" and driver["informationUri"].startswith("https://")
    ids = [r["id"] for r in driver["rules"]]
    assert ids == ["PL101", "PL201", "PL301", "PL303", "PL902"]
    pl303 = driver["rules"][3]
    assert pl303["shortDescription"]["text"] == "Action roles trust the pipeline role"
    assert pl303["fullDescription"]["text"] == "Checks action-role-trust."
    assert "## Why is this bad?" in pl303["help"]["text"] and pl303["help"]["markdown"] == pl303["help"]["text"]
    assert pl303["defaultConfiguration"]["level"] == "warning"  # the configured severity override
    results = run["results"]
    assert len(results) == len(outcome.findings)
    for res, finding in zip(results, outcome.findings):
        assert ids[res["ruleIndex"]] == res["ruleId"] == finding.rule_id
        assert res["partialFingerprints"]["pipelint/v1"] == finding.fingerprint()
    first = results[0]
    assert first["level"] == "error"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "tooling/pipeline.yaml", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 25, "startColumn": 7}
    no_line = next(r for r in results if r["ruleId"] == "PL902")
    assert "region" not in no_line["locations"][0]["physicalLocation"]
    assert no_line["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "pipelines/my%20pipeline.json"
    info = next(r for r in results if r["ruleId"] == "PL303")
    assert info["level"] == "note"
    suppressions = {r["message"]["text"].split("\n")[0]: r.get("suppressions") for r in results}
    assert suppressions["bucket policy does not grant role deploy"] == [
        {"kind": "inSource", "justification": "the bucket is shared through an access point"}]
    assert suppressions["role deploy may not s3:PutObject"] == [{"kind": "external", "justification": "in baseline"}]
    assert suppressions["no encryptionKey in the artifact store of pipeline app"] is None
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == in_tmp.as_uri() + "/"


def test_sarif_paths_relative_to_the_repository_root(tmp_path, monkeypatch):
    from pipelint.reporters import sarif

    (tmp_path / ".git").mkdir()
    sub = tmp_path / "infra"
    sub.mkdir()
    monkeypatch.chdir(sub)
    assert sarif.find_root() == tmp_path
    assert sarif.artifact_location("tooling/p.yaml", tmp_path) == {"uri": "infra/tooling/p.yaml",
                                                                    "uriBaseId": "%SRCROOT%"}
    outside = sarif.artifact_location("../../elsewhere.yaml", tmp_path)
    assert outside["uri"].startswith("file:///") and "uriBaseId" not in outside


# -- JUnit ------------------------------------------------------------------------------------------

def test_junit_parses_with_junitparser(in_tmp):
    from junitparser import Failure, JUnitXml, Skipped

    path = in_tmp / "report.xml"
    path.write_text(render("junit", in_tmp), encoding="utf-8")
    xml = JUnitXml.fromfile(str(path))
    suites = {suite.name: suite for suite in xml}
    assert list(suites) == ["PL101 artifact-store-key", "PL201 source-bucket-versioning",
                            "PL301 artifact-bucket-grant", "PL303 action-role-trust", "PL902 unused-suppression"]

    def cases(name):
        return {case.name: case for case in suites[name]}

    pl101 = cases("PL101 artifact-store-key")
    assert set(pl101) == {PIPELINE, "arn:aws:codepipeline:us-east-1:111111111111:other"}
    [failure] = pl101[PIPELINE].result
    assert isinstance(failure, Failure) and failure.type == "error"
    assert failure.message == "no encryptionKey in the artifact store of pipeline app"
    assert pl101[PIPELINE].classname == "pipelint.PL101.artifact-store-key"
    # a warning below fail-on (error) passes, with the finding in system-out
    other = pl101["arn:aws:codepipeline:us-east-1:111111111111:other"]
    assert other.is_passed and "100% \"known\" <only>" in other.system_out
    # a rule with no findings has one passing testcase
    [passing] = list(suites["PL201 source-bucket-versioning"])
    assert passing.is_passed and passing.name == "all inputs"
    # suppressed findings are skipped with the reason
    [suppressed] = list(suites["PL301 artifact-bucket-grant"])
    assert isinstance(suppressed.result[0], Skipped)
    assert suppressed.result[0].message.startswith("suppressed: ")
    # unverified below fail-on: skipped
    [unverified] = list(suites["PL303 action-role-trust"])
    assert isinstance(unverified.result[0], Skipped) and unverified.result[0].message.startswith("unverified:")
    assert suites["PL101 artifact-store-key"].tests == 2 and suites["PL101 artifact-store-key"].failures == 1


def test_junit_fail_on_warning_turns_warnings_into_failures(in_tmp):
    from junitparser import Failure, JUnitXml

    from pipelint.reporters import junit

    path = in_tmp / "report.xml"
    path.write_text(junit.render(sample_outcome(), fail_on="warning"), encoding="utf-8")
    xml = JUnitXml.fromfile(str(path))
    failures = [case.name for suite in xml for case in suite if any(isinstance(r, Failure) for r in case.result)]
    assert failures == [PIPELINE, "arn:aws:codepipeline:us-east-1:111111111111:other",
                        "pipelines/my pipeline.json pipeline/stages/0"]


# -- GitHub -----------------------------------------------------------------------------------------

def test_github_escaping():
    from pipelint.reporters import github

    assert github.escape_data("100%\r\nnext: a,b") == "100%25%0D%0Anext: a,b"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_annotations(in_tmp):
    lines = render("github", in_tmp).splitlines()
    assert lines[0] == ("::error file=tooling/pipeline.yaml,line=25,col=7,title=PL101 artifact-store-key::"
                        "no encryptionKey in the artifact store of pipeline app%0AFix: Set encryptionKey to the "
                        "key's ARN.")
    assert lines[1].startswith("::warning file=tooling/pipeline%2C v2.yaml,line=3,col=5,title=PL101 ")
    assert "100%25" in lines[1] and "%0Asecond line" in lines[1]
    assert lines[2] == ("::warning file=pipelines/my pipeline.json,title=PL902 unused-suppression::"
                        "suppression of PL201 matches no finding%0AFix: Delete the entry.")
    assert lines[3].startswith("::notice file=target/roles.yaml,line=10,col=3,title=PL303 action-role-trust::")
    assert not any("s3:PutObject" in line or "access point" in line for line in lines)  # suppressed: no annotation
    assert lines[-1].startswith("pipelint: 1 error(s), 2 warning(s), 1 info")
