"""The real-world corpus (``../shared/corpus/``, see its MANIFEST.md): public templates other people wrote
for cross-account pipelines, CloudFormation and Terraform.

``python -m pipelint check`` runs over every setup folder and over each template file alone, and:

- never prints a traceback; exits 0 or 1 (never 2 for a valid template);
- every JSON finding has a location path, and a line when the input is a template;
- Terraform folders load without a skip notice (a ``.tf`` file alone loads its folder, the module it
  belongs to), and the two Terraform setups give exactly the verdicts asserted below, with deployment
  maps of our own (the corpus holds no provider blocks or variable values);
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
    skipped = [n for n in report.get("notices", []) if n["path"] in terraform and "skipped" in n["message"]]
    assert not skipped, f"{setup}: Terraform files skipped: {skipped}"
    assert report["summary"]["files"] >= len(terraform)


@pytest.mark.parametrize("path", FILES)
def test_file_alone(path):
    code, out, err = _result(path)
    if path == BROKEN:
        assert code == 2, f"{path}: exit {code}, expected 2\n{err}"
        _assert_broken_file_message(err)
        return
    assert code in (0, 1), f"{path}: exit {code}\n{err}"
    report = _report(path, out, err)
    if path.endswith(".tf"):  # loads the module (folder) the file belongs to, never skipped
        folder = path.rsplit("/", 1)[0] + "/"
        assert not [n for n in report["notices"] if n["path"] == path and "skipped" in n["message"]], report["notices"]
        assert report["summary"]["files"] >= len(list((CORPUS / folder).glob("*.tf")))  # and the modules it calls
        for finding in report["findings"]:
            assert finding["location"]["path"].startswith(folder), f"{path}: finding outside its folder: {finding}"
            assert isinstance(finding["location"]["line"], int), finding
        return
    assert report["summary"]["files"] == 1, report["summary"]
    for finding in report["findings"]:
        location = finding.get("location") or {}
        assert location.get("path") == path, f"{path}: finding located elsewhere: {finding}"
        assert isinstance(location.get("line"), int) and location["line"] > 0, f"{path}: no line: {finding}"


# -- the Terraform setups, with deployment maps of our own -------------------------------------------
#
# Neither setup holds provider blocks, variables.tf or outputs.tf (the corpus copied the files that
# define the pipeline). The maps give what a user would: the account and region of each provider
# configuration, and values for the root variables. What stays unknown stays unknown.

SCALEFACTORY = "scalefactory__terraform-codepipeline-crossaccount-example"
AWS_SAMPLES = "aws-samples__terraform-aws-multi-account-pipeline"

MAPS = {
    SCALEFACTORY: """
[[stacks]]
template = "{corpus}/scalefactory__terraform-codepipeline-crossaccount-example"
parameters = {{ region = "eu-west-1", target_bucket_name = "scalefactory-target", github = {{ owner = "o", repo = "app", branch = "main" }} }}
providers = {{ "aws.pipeline" = {{ account = "111111111111", region = "eu-west-1" }}, "aws.target" = {{ account = "222222222222", region = "eu-west-1" }} }}
""",
    AWS_SAMPLES: """
[[stacks]]
template = "{corpus}/aws-samples__terraform-aws-multi-account-pipeline"
account = "111111111111"
region = "eu-west-1"
parameters = {{ pipeline_name = "infra", repo = "infra-repo", branch = "main", mode = "SUPERSEDED", tags = "", sequential = [], accounts = {{ dev = "222222222222", prod = "333333333333" }}, connection = "arn:aws:codestar-connections:eu-west-1:111111111111:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", detect_changes = false, artifact_retention = 90 }}
""",
}

KEY = "arn:aws:kms:eu-west-1:111111111111:key/\u27e8tf:module.pipeline.aws_kms_key.artifacts\u27e9"
PIPELINE = "arn:aws:codepipeline:eu-west-1:111111111111:infra"
RULE = "arn:aws:events:eu-west-1:111111111111:rule/infra"

# (rule, verdict, file in the setup, line, resources): every finding, nothing else
VERDICTS = {
    SCALEFACTORY: [
        # the artifact key policy lets any principal use the key, with no condition narrowing it
        ("PL401", "fail", "pipeline-account/iam_policy_document.tf", 18, [KEY]),
        # ...and lets any principal create grants; kms:GrantIsForAWSResource does not say who
        ("PL401", "fail", "pipeline-account/iam_policy_document.tf", 41, [KEY]),
        # the artifact bucket is named by var.artifact_bucket_name, which no file here declares or passes
        ("PL301", "unverified", "pipeline-account/codepipeline.tf", 38, ["module.pipeline.aws_codepipeline.pipeline"]),
        ("PL302", "unverified", "pipeline-account/codepipeline.tf", 18, ["module.pipeline.aws_codepipeline.pipeline"]),
        ("PL302", "unverified", "pipeline-account/codepipeline.tf", 38, ["module.pipeline.aws_codepipeline.pipeline"]),
        # the deploy action's role is target-account's output target_role_arn, whose outputs.tf is not here
        ("PL303", "unverified", "pipeline-account/codepipeline.tf", 38, ["module.pipeline.aws_codepipeline.pipeline"]),
    ],
    AWS_SAMPLES: [
        # the EventBridge target that starts the pipeline has no dead_letter_config
        ("PL202", "fail", "eventbridge.tf", 34, [RULE, PIPELINE]),
        # the trigger role's trust is conditioned on aws:SourceAccount = data.aws_caller_identity.current, which
        # no file here declares
        ("PL306", "unverified", "eventbridge.tf", 41, [RULE, PIPELINE]),
        # the artifact bucket's default encryption depends on var.kms_key and its policies on the caller
        # identity, neither of which these files give: whether the actions' roles may use the key is open
        ("PL302", "unverified", "codepipeline.tf", 17, [PIPELINE]),  # Source
        ("PL302", "unverified", "codepipeline.tf", 60, [PIPELINE]),  # Plan/dev (a dynamic block per account)
        ("PL302", "unverified", "codepipeline.tf", 60, [PIPELINE]),  # Plan/prod
        ("PL302", "unverified", "codepipeline.tf", 113, [PIPELINE]),  # Apply/dev
        ("PL302", "unverified", "codepipeline.tf", 113, [PIPELINE]),  # Apply/prod
    ],
}


@pytest.mark.parametrize("setup", sorted(VERDICTS))
def test_terraform_setup_verdicts_with_our_maps(setup, tmp_path):
    from pipelint import config as config_module
    from pipelint import runner

    (tmp_path / "pipelint.toml").write_text(MAPS[setup].format(corpus=CORPUS))
    cfg = config_module.load(tmp_path / "pipelint.toml")
    old = os.getcwd()
    os.chdir(CORPUS)
    try:
        outcome = runner.check([Path(setup)], cfg)
    finally:
        os.chdir(old)
    got = sorted((f.rule_id, f.verdict, f.source.file, f.source.line, f.resources) for f in outcome.findings)
    want = sorted((rule, verdict, f"{setup}/{file}", line, resources)
                  for rule, verdict, file, line, resources in VERDICTS[setup])
    assert got == want
    assert not [n for n in outcome.world.notices if n.message.endswith("skipped")]
