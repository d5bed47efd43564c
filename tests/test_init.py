"""`pipelint init`: the deployment map it writes for a setup, asked for on a terminal (answers on standard
input, forced with --input, and once through a real pseudo-terminal) or inferred with --no-input; the file
validates against the configuration schema, and after init with answers `check` has nothing left
unverified for want of the map."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES, ROOT
from pipelint import init, runner, survey
from pipelint.cli import app

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10, which pyproject.toml supports: the backport pipelint itself uses there
    import tomli as tomllib

EXAMPLE = FIXTURES / "example"
CDK = FIXTURES / "rules" / "PL302" / "pass" / "account-root-grant-yaml-cdk"
EU_KEY = "arn:aws:kms:eu-west-1:111111111111:key/9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
CONFIG_SCHEMA = json.loads((ROOT / "pipelint" / "schemas" / "config.schema.json").read_text())


def valid_config(path: Path) -> dict:
    """The written file, parsed; it must pass the configuration schema."""
    import jsonschema

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(CONFIG_SCHEMA).validate(data)
    return data


def invoke(*args, input=None):
    result = CliRunner().invoke(app, ["init", *args], input=input)
    assert "Traceback" not in (result.stderr or ""), result.stderr
    return result


def findings(folder: Path) -> list:
    """`pipelint check` on ``folder`` with the configuration in it (if any), in process."""
    from pipelint import config

    cfg = config.load(folder / "pipelint.toml" if (folder / "pipelint.toml").is_file() else None)
    return runner.check([] if cfg.inputs else [folder], cfg).findings


@pytest.fixture
def example(in_tmp):
    """The bundled example's templates without their deployment map."""
    for folder in ("tooling", "target"):
        shutil.copytree(EXAMPLE / folder, in_tmp / folder)
    return in_tmp


@pytest.fixture
def assembly(in_tmp):
    """A cloud assembly whose pipeline names the eu-west-1 artifact key by ARN, without a map."""
    shutil.copytree(CDK / "cdk.out", in_tmp / "cdk.out")
    return in_tmp


# the example's questions in order: the pipeline's template first, then the others by path, then the
# physical ids per deployment; only the first four need an answer, Enter takes every inferred value
EXAMPLE_ANSWERS = ["111111111111", "us-east-1", "222222222222", EU_KEY] + [""] * 14

EXAMPLE_MAP = {
    "inputs": ["."],
    "stacks": [
        {"template": "tooling/pipeline.yaml", "account": "111111111111", "region": "us-east-1",
         "parameters": {"TargetAccountId": "222222222222", "EuArtifactKeyArn": EU_KEY}},
        {"template": "target/deploy-roles.yaml", "account": "222222222222", "region": "us-east-1",
         "parameters": {"ToolingAccountId": "111111111111"}},
        {"template": "target/execution-role.yaml", "account": "222222222222", "region": "us-east-1"},
        {"template": "tooling/artifacts.yaml", "account": "111111111111", "region": "us-east-1",
         "stack-name": "artifacts", "parameters": {"TargetAccountId": "222222222222"}},
        {"template": "tooling/artifacts.yaml", "account": "111111111111", "region": "eu-west-1",
         "stack-name": "artifacts", "parameters": {"TargetAccountId": "222222222222"},
         "physical-ids": {"ArtifactKey": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"}},
    ],
}


def test_example_with_answers_then_check_finds_nothing_unverified(example):
    assert [f for f in findings(example) if f.verdict == "unverified"]  # without a map: plenty
    result = invoke("--input", input="\n".join(EXAMPLE_ANSWERS) + "\n")
    assert result.exit_code == 0, result.output
    assert valid_config(example / "pipelint.toml") == EXAMPLE_MAP
    assert "pipelint: wrote pipelint.toml (5 stack entries); next: pipelint check" in result.stderr
    # the prompts show the inferred default and why
    assert "  inferred: tooling/pipeline.yaml names role pipeline-deploy, created here, in its parameter " \
           "TargetAccountId" in result.stderr
    assert "account(s) of target/deploy-roles.yaml [222222222222]:" in result.stderr
    assert "region(s) of tooling/artifacts.yaml [us-east-1, eu-west-1]:" in result.stderr
    assert findings(example) == []  # the example is correct: no finding at all once mapped


def test_example_typed_values_override_and_carry_into_later_defaults(example):
    answers = ["333333333333", "eu-central-1", "444444444444", "-"] + [""] * 14
    assert invoke("--input", input="\n".join(answers) + "\n").exit_code == 0
    stacks = valid_config(example / "pipelint.toml")["stacks"]
    assert [(s["template"], s.get("account"), s.get("region")) for s in stacks] == [
        ("tooling/pipeline.yaml", "333333333333", "eu-central-1"),
        ("target/deploy-roles.yaml", "444444444444", "eu-central-1"),
        ("target/execution-role.yaml", "444444444444", "eu-central-1"),
        ("tooling/artifacts.yaml", "333333333333", "us-east-1"),  # the import names the region
        ("tooling/artifacts.yaml", "333333333333", "eu-west-1"),
    ]
    assert stacks[0]["parameters"] == {"TargetAccountId": "444444444444"}  # '-' left EuArtifactKeyArn out
    text = (example / "pipelint.toml").read_text()
    assert "# TODO: parameter EuArtifactKeyArn of tooling/pipeline.yaml (an ARN)\n" in text
    assert "TargetAccountId = \"444444444444\"\n" in text  # typed: no comment
    assert "ToolingAccountId = \"333333333333\"  # it names role release-pipeline, which " \
           "tooling/pipeline.yaml creates\n" in text  # inferred: says why


def test_example_without_input_writes_what_it_infers_and_marks_the_rest(example):
    result = invoke("--no-input")
    assert result.exit_code == 0, result.output
    assert "13 value(s) to fill in, marked TODO" in result.stderr
    data = valid_config(example / "pipelint.toml")
    assert data["stacks"] == [
        {"template": "tooling/pipeline.yaml"},
        {"template": "target/deploy-roles.yaml"},
        {"template": "target/execution-role.yaml"},
        {"template": "tooling/artifacts.yaml", "region": "us-east-1", "stack-name": "artifacts"},
        {"template": "tooling/artifacts.yaml", "region": "eu-west-1", "stack-name": "artifacts"},
    ]
    text = (example / "pipelint.toml").read_text()
    for block in [
        "# TODO: account of tooling/pipeline.yaml (an account id)\n"
        "#   the same as parameter ToolingAccountId of target/deploy-roles.yaml (target/deploy-roles.yaml names "
        "role release-pipeline, created here, in it)\n"
        "# TODO: region of tooling/pipeline.yaml\n",
        "# TODO: account of target/deploy-roles.yaml (an account id)\n"
        "#   the same as parameter TargetAccountId of tooling/pipeline.yaml (tooling/pipeline.yaml names role "
        "pipeline-deploy, created here, in it)\n",
        "# TODO: parameter TargetAccountId of tooling/artifacts.yaml (an account id)\n"
        "#   the same as parameter TargetAccountId of tooling/pipeline.yaml\n",
        "region = \"eu-west-1\"  # the artifact store of tooling/pipeline.yaml in eu-west-1 is its bucket\n",
        "stack-name = \"artifacts\"  # tooling/pipeline.yaml imports its export artifacts-bucket-us-east-1\n",
        "# physical-ids, once deployed, if another stack names them: ArtifactKey (KMS key id)\n",
    ]:
        assert block in text


def test_cdk_out_without_input_then_check_finds_nothing_unverified(assembly):
    assert [f.rule_id for f in findings(assembly) if f.verdict == "unverified"] == ["PL302"]
    result = invoke("--no-input")
    assert result.exit_code == 0, result.output
    assert valid_config(assembly / "pipelint.toml") == {"inputs": ["."], "stacks": [
        {"template": "cdk.out/Artifacts-eu-west-1.template.json",
         "physical-ids": {"ArtifactKey": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"}}]}
    text = (assembly / "pipelint.toml").read_text()
    assert "# cdk.out/Artifacts-us-east-1.template.json: physical-ids, once deployed, if another stack names " \
           "them: ArtifactKey (KMS key id)\n" in text
    assert findings(assembly) == []


def test_cdk_out_with_answers(assembly):
    # the assembly says every account and region: only the two keys' physical ids are asked, eu-west-1's
    # with the id of the ARN the pipeline names as its default
    result = invoke("--input", input="\n0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0\n")
    assert result.exit_code == 0, result.output
    assert valid_config(assembly / "pipelint.toml")["stacks"] == [
        {"template": "cdk.out/Artifacts-eu-west-1.template.json",
         "physical-ids": {"ArtifactKey": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"}},
        {"template": "cdk.out/Artifacts-us-east-1.template.json",
         "physical-ids": {"ArtifactKey": "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"}}]
    assert findings(assembly) == []


CDK_CASES = sorted(p for p in (FIXTURES / "rules").glob("*/*/*-cdk") if (p / "cdk.out").is_dir())


@pytest.mark.parametrize("case", CDK_CASES, ids=lambda p: "/".join(p.parts[-3:]))
def test_every_cdk_fixture_init_settles_what_its_own_map_settles(case, in_tmp):
    """No map: init's map leaves at most what no map left; with a map: exactly what the fixture's map leaves."""
    shutil.copytree(case / "cdk.out", in_tmp / "cdk.out")

    def unverified():
        return sorted(f.fingerprint() for f in findings(in_tmp) if f.verdict == "unverified")

    before = unverified()
    session = init.prepare([Path(".")], Path("pipelint.toml"), force=False)
    init.accept_inferred(session)
    init.write(session, [Path(".")], Path("pipelint.toml"))
    valid_config(in_tmp / "pipelint.toml")
    after = unverified()
    assert set(after) <= set(before)
    if (case / "pipelint.toml").is_file():
        shutil.copy(case / "pipelint.toml", in_tmp / "pipelint.toml")
        assert after == unverified()


# -- refusals, Terraform, SSM, answers ---------------------------------------------------------------------

def test_never_overwrites_a_configuration_without_force(example):
    (example / "pipelint.toml").write_text("inputs = [\"mine\"]\n")
    result = invoke("--no-input")
    assert result.exit_code == 2
    assert result.stderr == ("pipelint: error: pipelint.toml exists; pipelint init does not overwrite a "
                             "configuration (--force does)\n")
    assert (example / "pipelint.toml").read_text() == "inputs = [\"mine\"]\n"
    assert invoke("--no-input", "--force").exit_code == 0
    assert valid_config(example / "pipelint.toml")["inputs"] == ["."]


def test_a_pyproject_table_counts_as_a_configuration(example):
    (example / "pyproject.toml").write_text("[tool.pipelint]\ninputs = [\"tooling\"]\n")
    result = invoke("--no-input")
    assert result.exit_code == 2 and "has a [tool.pipelint] table" in result.stderr
    assert not (example / "pipelint.toml").exists()
    assert invoke("--no-input", "--force").exit_code == 0


def test_config_elsewhere_gets_paths_relative_to_it(example):
    (example / "maps").mkdir()
    result = invoke("--no-input", "--config", "maps/pipelint.toml", "tooling")
    assert result.exit_code == 0, result.output
    data = valid_config(example / "maps" / "pipelint.toml")
    assert data["inputs"] == ["../tooling"]
    assert [s["template"] for s in data["stacks"]] == ["../tooling/pipeline.yaml", "../tooling/artifacts.yaml",
                                                       "../tooling/artifacts.yaml"]


def test_nothing_to_map_is_exit_2(in_tmp):
    (in_tmp / "notes.json").write_text("{}")
    result = invoke("--no-input")
    assert result.exit_code == 2
    assert "no CloudFormation template or cdk.out among the inputs" in result.stderr


def test_terraform_folders_are_listed_in_a_comment(example):
    (example / "infra" / "network").mkdir(parents=True)
    (example / "infra" / "network" / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    assert invoke("--no-input").exit_code == 0
    text = (example / "pipelint.toml").read_text()
    assert ("# infra/network: Terraform, which init does not map: its providers give the accounts, else add its "
            "[[stacks]] entry by hand (README, Terraform)\n") in text
    valid_config(example / "pipelint.toml")


SSM_PIPELINE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  DeployAccount:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /org/accounts/deploy
  ToolsRegion:
    Type: String
    AllowedValues: [us-east-1, eu-west-1]
  Unused:
    Type: String
  Token:
    Type: String
    NoEcho: true
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: codepipeline.amazonaws.com},
                                              Action: sts:AssumeRole}]}
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: sts:AssumeRole
                Resource:
                  - !Sub "arn:aws:iam::${DeployAccount}:role/deploy"
                  - "arn:aws:iam::{{resolve:ssm:/org/accounts/prod:3}}:role/deploy"
                  - !Sub "arn:aws:logs:${ToolsRegion}:${AWS::AccountId}:*"
                  - !Sub "${Token}"
"""


def test_ssm_values_go_into_a_table_commented_until_the_configuration_reads_it(in_tmp):
    (in_tmp / "pipeline.yaml").write_text(SSM_PIPELINE)
    answers = ["111111111111", "us-east-1", "us-east-1", "222222222222", "333333333333"]
    result = invoke("--input", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "parameter ToolsRegion of pipeline.yaml" in result.stderr
    assert "Unused" not in result.stderr and "Token" not in result.stderr  # unused; a secret
    text = (in_tmp / "pipelint.toml").read_text()
    data = valid_config(in_tmp / "pipelint.toml")
    assert data["stacks"] == [{"template": "pipeline.yaml", "account": "111111111111", "region": "us-east-1",
                               "parameters": {"ToolsRegion": "us-east-1"}}]
    table = ['[ssm]', '"/org/accounts/deploy" = "222222222222"', '"/org/accounts/prod" = "333333333333"']
    if "ssm" in CONFIG_SCHEMA["properties"]:
        assert "\n".join(table) in text and data["ssm"] == {"/org/accounts/deploy": "222222222222",
                                                           "/org/accounts/prod": "333333333333"}
    else:
        assert "\n".join("# " + line for line in table) in text


def test_a_malformed_answer_is_asked_again(example):
    answers = ["12345", "111111111111", "us-east", "us-east-1", "222222222222", EU_KEY] + [""] * 14
    result = invoke("--input", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "'12345' is not an account id (12 digits); '-' leaves it out" in result.stderr
    assert "'us-east' is not a region (such as us-east-1); '-' leaves it out" in result.stderr
    assert valid_config(example / "pipelint.toml") == EXAMPLE_MAP


def test_input_ending_early_writes_nothing(example):
    result = invoke("--input", input="111111111111\n")
    assert result.exit_code == 2
    assert "input ended before the last question; nothing written" in result.stderr
    assert not (example / "pipelint.toml").exists()


def test_asks_on_a_terminal_without_being_told(example):
    """Standard input is a terminal (a pseudo-terminal here): init asks, and writes the answers."""
    pty = pytest.importorskip("pty")
    import select

    pid, fd = pty.fork()
    if pid == 0:  # the child: pipelint on the terminal
        os.chdir(example)
        os.execv(sys.executable, [sys.executable, "-m", "pipelint", "init"])
    output = b""
    answers = iter(EXAMPLE_ANSWERS)
    status = None
    while status is None:
        ready, _, _ = select.select([fd], [], [], 30)
        if not ready:
            os.kill(pid, 9)
            pytest.fail(f"no prompt within 30 s: {output.decode(errors='replace')}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            chunk = b""
        output += chunk
        if chunk.rstrip().endswith(b":"):
            os.write(fd, (next(answers) + "\n").encode())
        if not chunk:
            _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, output.decode(errors="replace")
    assert b"account(s) of tooling/pipeline.yaml:" in output
    assert valid_config(example / "pipelint.toml") == EXAMPLE_MAP


# -- what the survey reads -------------------------------------------------------------------------------

@pytest.mark.parametrize("declaration, uses, kind", [
    ({"Type": "AWS::SSM::Parameter::Value<String>"}, [], "ssm"),
    ({"Type": "String", "AllowedPattern": "^\\d{12}$"}, [], "account"),
    ({"Type": "String", "AllowedPattern": "[0-9]{12}"}, [], "account"),
    ({"Type": "String", "AllowedPattern": "^arn:aws:iam::.*"}, [], "arn"),
    ({"Type": "String", "AllowedValues": ["us-east-1", "eu-west-1"]}, [], "region"),
    ({"Type": "String"}, ["name", "account"], "account"),  # an ARN's account field beats the rest
    ({"Type": "String"}, ["region"], "region"),
    ({"Type": "String"}, ["arn"], "arn"),
    ({"Type": "Number"}, ["principal"], "account"),
    ({"Type": "String"}, ["name"], "name"),
    ({"Type": "String"}, [], None),
])
def test_parameter_kind(declaration, uses, kind):
    param = survey.Param("Setting", declaration["Type"], "", None, False, declaration.get("AllowedPattern", ""),
                         tuple(declaration.get("AllowedValues", ())), list(uses))
    assert param.kind()[0] == kind


@pytest.mark.parametrize("name, kind", [
    ("ProductionAccount", "account"), ("TargetAccountId", "account"), ("ToolsAccount", "account"),
    ("DevelopmentRegion", "region"), ("DevelopmentRegionS3Bucket", "name"), ("DevelopmentRegionCMK", "arn"),
    ("CMKARN", "arn"), ("PipelineBucketAccessRoleArns", "arn"), ("ArtifactKey", "arn"), ("GitHubUrl", None),
    ("Environment", None),
])
def test_parameter_kind_by_name(name, kind):
    assert survey.name_kind(name) == kind


def test_tokens_read_sub_join_and_dynamic_references():
    template = survey.Template(Path("t.yaml"), "t.yaml")
    template.params["Dev"] = survey.Param("Dev", "String", "", None, False, "", ())
    Var = survey.Var
    assert survey.tokens({"Fn::Sub": "arn:${AWS::Partition}:iam::${Dev}:role/${!Literal}"}, template) == (
        "arn:", Var("pseudo", "AWS::Partition"), ":iam::", Var("param", "Dev"), ":role/${Literal}")
    assert survey.tokens({"Fn::Sub": ["arn:aws:s3:::${B}/*", {"B": {"Ref": "Dev"}}]}, template) == (
        "arn:aws:s3:::", Var("param", "Dev"), "/*")
    assert survey.tokens({"Fn::Join": ["", ["arn:aws:iam::", {"Ref": "Dev"}, ":root"]]}, template) == (
        "arn:aws:iam::", Var("param", "Dev"), ":root")
    assert survey.tokens("arn:aws:iam::{{resolve:ssm:/acct/dev:2}}:role/x", template) == (
        "arn:aws:iam::", Var("ssm", "/acct/dev"), ":role/x")
    assert survey.tokens({"Fn::If": ["c", "a", "b"]}, template) is None


def test_survey_of_the_example_links_the_templates():
    setup = survey.survey([EXAMPLE], lambda p: os.path.relpath(p, EXAMPLE))
    by_name = {t.shown: t for t in setup.templates}
    pipeline = by_name[os.path.join("tooling", "pipeline.yaml")]
    assert pipeline.is_pipeline and set(pipeline.roles) == {"release-pipeline", "release-build", "release-trigger"}
    assert {(r.account, r.role) for r in pipeline.role_refs} == {
        (survey.Var("param", "TargetAccountId"), "pipeline-deploy"),
        (survey.Var("param", "TargetAccountId"), "cloudformation-execution")}
    assert pipeline.imports == {"artifacts-bucket-us-east-1", "artifacts-key-us-east-1"}
    artifacts = by_name[os.path.join("tooling", "artifacts.yaml")]
    assert artifacts.uses_stack_name and artifacts.keys == ["ArtifactKey"]
    roles = by_name[os.path.join("target", "deploy-roles.yaml")]
    assert roles.iam_only and [(r.account, r.role, r.trust) for r in roles.role_refs if r.trust] == [
        (survey.Var("param", "ToolingAccountId"), "release-pipeline", True)]


# -- a CDK Pipelines setup: the bootstrap template deploys once per environment ---------------------------

SETUPS = FIXTURES / "setups"


def setup_copy(name: str, into: Path) -> Path:
    shutil.copytree(SETUPS / name, into, dirs_exist_ok=True)
    (into / "pipelint.toml").unlink()
    (into / "expected.json").unlink()
    return into


def outline(folder: Path) -> list:
    return sorted((f.rule_id, f.verdict, os.path.relpath(os.path.abspath(f.source.file), folder), f.source.line)
                  for f in findings(folder))


def test_cdk_pipelines_bootstrap_deployments_are_account_region_pairs(in_tmp):
    setup_copy("cdk-pipelines", in_tmp)
    assert invoke("--no-input").exit_code == 0
    data = valid_config(in_tmp / "pipelint.toml")
    # the deploy roles the stacks' manifests and the pipeline name: cdk-hnb659fds-deploy-role-ACCOUNT-REGION
    assert [(s["template"], s["account"], s["region"], s.get("parameters")) for s in data["stacks"]] == [
        ("bootstrap-template.yaml", "222222222222", "us-east-1", None),
        ("bootstrap-template.yaml", "333333333333", "eu-west-1", None),
        ("bootstrap-template.yaml", "111111111111", "us-east-1", None)]
    # an empty default stands: what the setup suggests is only offered
    assert '# TrustedAccounts = ["111111111111"]  # empty by default; if it was given this value: a role ' \
           'trusts it: the pipeline\'s account\n' in (in_tmp / "pipelint.toml").read_text()


def test_cdk_pipelines_with_answers_finds_what_its_own_map_finds(in_tmp):
    setup_copy("cdk-pipelines", in_tmp)
    result = invoke("--input", input="\n" * 40)  # Enter everywhere: every inferred value
    assert result.exit_code == 0, result.output
    assert "deployments of bootstrap-template.yaml [222222222222/us-east-1, 333333333333/eu-west-1, " \
           "111111111111/us-east-1]:" in result.stderr
    stacks = valid_config(in_tmp / "pipelint.toml")["stacks"]
    assert {s["parameters"]["TrustedAccounts"][0] for s in stacks} == {"111111111111"}
    mapped = in_tmp.parent / "mapped"
    shutil.copytree(SETUPS / "cdk-pipelines", mapped)
    # nothing at all: no failure (the setup is correct) and nothing left unverified for want of the map
    assert outline(in_tmp) == outline(mapped) == []


def test_deployments_answer_is_checked():
    question = init.Question(("deployments", 0), "deployments of t.yaml", "deployments", many=True)
    assert init.parse(question, "111111111111/us-east-1, 222222222222/eu-west-1") == [
        "111111111111/us-east-1", "222222222222/eu-west-1"]
    with pytest.raises(ValueError, match="not a region"):
        init.parse(question, "111111111111/useast")
