"""SSM values in the configuration (`ssm = { "/name" = "value" }`, top level or per [[stacks]] entry):
what SSM-typed parameters and {{resolve:ssm:...}} read. The resolver's side is in test_intrinsics.py; the
rule fixtures fixtures/rules/PL303/*/ssm-* show a setup whose account ids live in SSM."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pipelint import runner
from pipelint.loaders import load_world

TEMPLATE = """\
Parameters:
  Target:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /accounts/target
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub "deploy-{{resolve:ssm:/env/name}}"
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: !Sub "arn:aws:iam::${Target}:root"}
            Action: sts:AssumeRole
"""


def world_of(folder: Path, config: str):
    (folder / "t.yaml").write_text(TEMPLATE)
    (folder / "pipelint.toml").write_text(config)
    cfg = runner.find_config(folder / "pipelint.toml")
    return load_world([folder / "t.yaml"], cfg)


def trusted(role) -> list:
    return [statement["Principal"]["AWS"] for statement in role.trust.document["Statement"]]


def test_top_level_values_serve_every_deployment_and_an_entry_wins(tmp_path):
    world = world_of(tmp_path, """\
ssm = { "/accounts/target" = "111111111111", "/env/name" = "prod" }

[[stacks]]
template = "t.yaml"
account = "222222222222"
region = "us-east-1"

[[stacks]]
template = "t.yaml"
account = "333333333333"
region = "eu-west-1"
ssm = { "/accounts/target" = "444444444444" }   # another account's Parameter Store
""")
    roles = {arn: trusted(role) for arn, role in world.roles.items()}
    assert roles == {"arn:aws:iam::222222222222:role/deploy-prod": ["arn:aws:iam::111111111111:root"],
                     "arn:aws:iam::333333333333:role/deploy-prod": ["arn:aws:iam::444444444444:root"]}


def test_a_string_list_is_given_as_a_list_or_comma_separated(tmp_path):
    cfg_path = tmp_path / "pipelint.toml"
    cfg_path.write_text('ssm = { "/a" = ["1", "2"], "/b" = "3,4" }\n')
    assert runner.find_config(cfg_path).ssm == {"/a": "1,2", "/b": "3,4"}


def run_config(folder: Path, config: str) -> subprocess.CompletedProcess:
    (folder / "t.yaml").write_text(TEMPLATE)
    (folder / "pipelint.toml").write_text('inputs = ["t.yaml"]\n' + config)
    return subprocess.run([sys.executable, "-m", "pipelint", "check"], cwd=folder, capture_output=True, text=True)


def test_a_value_must_be_text(tmp_path):
    """Account ids start with 0 sometimes: a TOML number would lose it, so only strings are taken."""
    proc = run_config(tmp_path, 'ssm = { "/accounts/target" = 111111111111 }\n')
    assert proc.returncode == 2
    assert proc.stderr.endswith("pipelint.toml: invalid configuration at 'ssm./accounts/target': 111111111111 "
                                "is not valid under any of the given schemas\n"), proc.stderr


def test_a_name_must_be_an_ssm_parameter_name(tmp_path):
    proc = run_config(tmp_path, 'ssm = { "/accounts/my target" = "111111111111" }\n')
    assert proc.returncode == 2
    assert "pipelint.toml: invalid configuration at 'ssm': '/accounts/my target' does not match" in proc.stderr


def test_names_versions_and_shared_arns_are_accepted(tmp_path):
    proc = run_config(tmp_path, 'ssm = { "/accounts/target" = "111111111111", "/accounts/target:3" = "1", '
                                '"arn:aws:ssm:us-east-1:999999999999:parameter/shared/x" = "y", "plain_name.v2" = "z" }\n'
                                '\n[[stacks]]\ntemplate = "t.yaml"\naccount = "222222222222"\nregion = "us-east-1"\n'
                                'ssm = { "/env/name" = "prod" }\n')
    assert proc.returncode == 0, proc.stderr
