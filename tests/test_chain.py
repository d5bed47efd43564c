"""The access chain (pipelint/chain.py) is what the grant rules judge, and its verdicts are their answers.

Over every rule fixture and whole setup: a link that fails carries its rule's failing finding, an
unverified link its unverified finding, a link that holds no finding of its own (PL307 may add the
connection's state); and the findings the links carry are exactly the PL3xx findings of `check`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipelint import chain, runner, verdicts

from conftest import FIXTURES

CASES = sorted(p.parent for p in (FIXTURES / "rules").glob("PL3*/*/*/expected.json"))
CASES += sorted(p.parent for p in (FIXTURES / "setups").glob("*/expected.json"))
CASES += [FIXTURES / "example", FIXTURES / "example-terraform", FIXTURES / "graph" / "example-broken"]
GRANT_RULES = tuple(chain.BUILDERS)


def judged_of(case: Path):
    old = os.getcwd()
    os.chdir(case)
    try:
        cfg = runner.find_config(None, [Path(".")])
        outcome = runner.check([Path(".")], cfg, baseline=False)
        return outcome, verdicts.judge(outcome.world, chain.links(outcome.world), outcome.findings)
    finally:
        os.chdir(old)


def key(finding) -> tuple:
    return finding.rule_id, finding.source.file, finding.source.line, finding.message


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(FIXTURES)) for c in CASES])
def test_verdicts_are_the_rules_answers(case):
    outcome, judged = judged_of(case)
    carried = set()
    for item in judged:
        verdicts_said = {f.verdict for f in item.findings if f.rule_id == item.link.rule}
        if item.verdict == chain.FAILS:
            assert "fail" in verdicts_said, (item.link, item.findings)
        elif item.verdict == chain.UNVERIFIED:
            assert "unverified" in verdicts_said, (item.link, item.findings)
        elif item.link.rule != "PL307":
            assert not item.findings, (item.link, item.findings)
        if item.covered_by is None:
            carried.update(key(f) for f in item.findings)
    reported = {key(f) for f in outcome.findings if f.rule_id in GRANT_RULES}
    assert carried == reported


def test_the_example_chain():
    """Every request of the bundled example, in the order the rules judge them, and all hold."""
    _, judged = judged_of(FIXTURES / "example")
    seen = [(j.link.rule, j.link.kind, j.link.check.action, j.link.action.label if j.link.action else None)
            for j in judged]
    assert seen == [
        ("PL301", "read", "s3:GetObject", "Deploy/DeployUS"),
        ("PL301", "read", "s3:GetObject", "Deploy/DeployEU"),
        ("PL302", "encrypt", "kms:GenerateDataKey", "Source/Source"),
        ("PL302", "decrypt", "kms:Decrypt", "Build/Build"),
        ("PL302", "encrypt", "kms:GenerateDataKey", "Build/Build"),
        ("PL302", "decrypt", "kms:Decrypt", "Deploy/DeployUS"),
        ("PL302", "decrypt", "kms:Decrypt", "Deploy/DeployEU"),
        ("PL303", "assume", "sts:AssumeRole", "Deploy/DeployUS"),
        ("PL303", "assume", "sts:AssumeRole", "Deploy/DeployEU"),
        ("PL304", "pass role", "iam:PassRole", "Deploy/DeployUS"),
        ("PL304", "assume", "sts:AssumeRole", "Deploy/DeployUS"),
        ("PL304", "pass role", "iam:PassRole", "Deploy/DeployEU"),
        ("PL304", "assume", "sts:AssumeRole", "Deploy/DeployEU"),
        ("PL306", "start pipeline", "codepipeline:StartPipelineExecution", None),
        ("PL306", "assume", "sts:AssumeRole", None),
        ("PL306", "send to DLQ", "sqs:SendMessage", None),
    ]
    assert {j.verdict for j in judged} == {chain.HOLDS}
    first = judged[0].link
    assert (first.frm, first.to) == ("role:arn:aws:iam::222222222222:role/pipeline-deploy",
                                     "bucket:release-artifacts-111111111111-us-east-1")
    cfn = judged[10].link
    assert (cfn.frm, cfn.caller, cfn.check.service) == ("service:cloudformation.amazonaws.com:222222222222",
                                                        chain.CLOUDFORMATION, chain.CLOUDFORMATION)
    assert judged[14].link.frm == "rule:arn:aws:events:us-east-1:111111111111:rule/release-source-changed"


def test_one_finding_per_group():
    """A role that may neither decrypt nor generate data keys gets one PL302 finding; the second link is
    covered by the first and shows its finding."""
    _, judged = judged_of(FIXTURES / "rules" / "PL302" / "fail" / "codebuild-role-without-kms")
    covered = [j for j in judged if j.covered_by is not None]
    assert covered, "the fixture's CodeBuild role reads and writes: two links in one group"
    for item in covered:
        cover = next(j for j in judged if j.link is item.covered_by)
        assert item.verdict == chain.FAILS and cover.verdict == chain.FAILS
        assert item.findings == cover.findings and len(item.findings) == 1


def test_either_connection_prefix_holds():
    """AWS keeps both UseConnection prefixes: a policy granting the old one on a new ARN lets the link hold
    through its alternative check, not through its own."""
    from pipelint import grants

    outcome, judged = judged_of(FIXTURES / "rules" / "PL307" / "pass" / "old-action-prefix-on-new-arn")
    item = next(j for j in judged if j.link.rule == "PL307")
    assert item.verdict == chain.HOLDS
    assert item.link.check.action == "codeconnections:UseConnection"
    assert not grants.run(outcome.world, item.link.check).allowed
    assert [c.action for c in item.link.alternatives] == ["codestar-connections:UseConnection"]
    assert item.result.allowed


def test_broken_example_fails_on_one_link_with_its_deny():
    _, judged = judged_of(FIXTURES / "graph" / "example-broken")
    failing = [j for j in judged if j.verdict != chain.HOLDS]
    assert len(failing) == 1
    item = failing[0]
    assert (item.link.rule, item.link.kind, item.link.action.label) == ("PL302", "decrypt", "Deploy/DeployEU")
    deny = [s for s in item.statements if s.effect == "Deny"]
    assert [(s.sid, s.where.file, s.where.line) for s in deny] == [
        ("KmsOnlyThroughS3InHomeRegion", "target/deploy-roles.yaml", 33)]


def test_unknown_action_role_is_not_taken_for_the_pipeline_role(in_tmp):
    """Without a deployment map the action roles and the pipeline role are unknown for the same reason;
    that does not make them one role: PL303 stays unverified instead of skipping the check."""
    import shutil

    from pipelint import runner
    from pipelint.config import Config

    for part in ("tooling", "target"):
        shutil.copytree(FIXTURES / "example" / part, in_tmp / part)
    found = runner.check([in_tmp], Config(), select=["PL303"]).findings
    assert sorted((f.verdict, f.source.path[-1]) for f in found) == [("unverified", 0), ("unverified", 1)]
    assert all("tooling/pipeline.yaml is not in the deployment map" in f.settle for f in found)


def test_a_service_request_answered_once_is_never_answered_for_another_document():
    """grants.run keeps the answer to a context-free service request (CloudFormation assuming an
    execution role) for the run; the same request against another trust policy is evaluated anew."""
    from pipelint.records import replace

    from pipelint import grants
    from pipelint.model import PolicyDoc

    outcome, judged = judged_of(FIXTURES / "example")
    item = next(j for j in judged if j.link.rule == "PL304" and j.link.check.service)
    check = item.link.check
    assert not check.context and grants.run(outcome.world, check).allowed
    assert grants.run(outcome.world, check) is grants.run(outcome.world, check)  # kept
    denying = PolicyDoc({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "another trust policy")
    other = grants.run(outcome.world, replace(check, resource_policy=denying))
    assert other.decision.name == "IMPLICIT_DENY"
    assert grants.run(outcome.world, check).allowed
