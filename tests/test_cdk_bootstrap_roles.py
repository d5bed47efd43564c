"""CDK Pipelines output without the CDK bootstrap template: every check on a bootstrap role is
unverified, and says exactly which bootstrap-template entry settles it (issue 10, point 4). With the
template among the inputs (fixtures/setups/cdk-pipelines), nothing is left unverified."""

from __future__ import annotations

from pathlib import Path

from pipelint import runner
from pipelint.config import Config

from conftest import FIXTURES

ASSEMBLY = FIXTURES / "setups" / "cdk-pipelines" / "cdk.out"
DEV_DEPLOY = "arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-us-east-1"
PROD_EXEC = "arn:aws:iam::333333333333:role/cdk-hnb659fds-cfn-exec-role-333333333333-eu-west-1"


def findings():
    return runner.check([ASSEMBLY], Config()).findings


def test_only_the_bootstrap_roles_are_unverified(in_tmp):
    found = findings()
    unverified = [f for f in found if f.verdict == "unverified"]
    assert sorted({(f.rule_id, f.source.line) for f in unverified}) == [
        ("PL301", 457), ("PL301", 535), ("PL302", 457), ("PL302", 535), ("PL303", 457), ("PL303", 503),
        ("PL303", 535), ("PL303", 582), ("PL304", 457), ("PL304", 535)]
    assert all(f.settle.startswith("the CDK bootstrap template of environment aws://") for f in unverified)
    # one input per environment, whatever role or policy of it a check needs
    assert {f.settle.split(",")[0] for f in unverified} == {
        "the CDK bootstrap template of environment aws://222222222222/us-east-1",
        "the CDK bootstrap template of environment aws://333333333333/eu-west-1"}
    assert [f for f in found if f.verdict == "fail"] == []


def test_the_fix_names_the_stacks_entry(in_tmp):
    by_role = {}
    for finding in findings():
        if finding.verdict == "unverified":
            for role, env in ((DEV_DEPLOY, "aws://222222222222/us-east-1"), (PROD_EXEC, "aws://333333333333/eu-west-1")):
                if f"environment {env}," in finding.settle:
                    by_role.setdefault(role, finding.settle)
    assert ('template = "bootstrap-template.yaml", account = "222222222222", region = "us-east-1", '
            'parameters = { TrustedAccounts = "111111111111" }') in by_role[DEV_DEPLOY]
    assert 'account = "333333333333", region = "eu-west-1"' in by_role[PROD_EXEC]
    assert "cdk bootstrap --show-template" in by_role[PROD_EXEC]


def test_with_the_bootstrap_template_nothing_is_unverified():
    setup = FIXTURES / "setups" / "cdk-pipelines"
    cfg = runner.find_config(setup / "pipelint.toml", [setup])
    found = runner.check([setup], cfg).findings
    assert [f for f in found if f.verdict == "unverified"] == []
