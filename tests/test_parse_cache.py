"""The user cache of parsed YAML documents (pipelint/loaders/parse_cache.py) never serves a stale result."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from pipelint.loaders import documents, parse_cache
from pipelint.loaders.documents import load_document, parse_document

from conftest import FIXTURES

TEMPLATE = "Resources:\n  Key:\n    Type: AWS::KMS::Key\n    Properties:\n      Description: !Sub '${AWS::StackName} one'\n"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "pipelint" / "documents"


def entries(cache) -> list:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def test_a_parsed_template_is_kept_and_read_back_equal(tmp_path, cache, monkeypatch):
    path = tmp_path / "t.yaml"
    path.write_text(TEMPLATE)
    first = load_document(path, display="t.yaml")
    assert len(entries(cache)) == 1
    monkeypatch.setattr(documents, "parse_document", lambda *a, **k: pytest.fail("parsed again"))
    second = load_document(path, display="other.yaml")
    assert second.path == "other.yaml"  # the name is the caller's, not the cache's
    assert second.data == first.data == {"Resources": {"Key": {"Type": "AWS::KMS::Key", "Properties": {
        "Description": {"Fn::Sub": "${AWS::StackName} one"}}}}}
    assert second.positions == first.positions
    assert second.locate(("Resources", "Key", "Properties", "Description")) == (5, 7)


def test_same_size_and_modification_time_but_other_content_is_parsed_again(tmp_path, cache):
    path = tmp_path / "t.yaml"
    path.write_text(TEMPLATE)
    load_document(path)
    stamp = os.stat(path)
    changed = TEMPLATE.replace("one", "two")
    assert len(changed) == len(TEMPLATE)
    path.write_text(changed)
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert os.stat(path).st_size == stamp.st_size and os.stat(path).st_mtime_ns == stamp.st_mtime_ns
    document = load_document(path)
    assert document.data["Resources"]["Key"]["Properties"]["Description"] == {"Fn::Sub": "${AWS::StackName} two"}
    assert len(entries(cache)) == 2


def test_another_parser_does_not_read_this_parsers_entries(tmp_path, cache, monkeypatch):
    path = tmp_path / "t.yaml"
    path.write_text(TEMPLATE)
    load_document(path)
    assert parse_cache.load(path.read_bytes(), "yaml") is not None
    monkeypatch.setitem(parse_cache._fingerprints, "yaml", parse_cache.fingerprint("yaml") + "\nan upgraded parser")
    monkeypatch.setattr(parse_cache, "_keys", {})
    assert parse_cache.load(path.read_bytes(), "yaml") is None


def test_an_entry_that_cannot_be_read_is_parsed_again_and_rewritten(tmp_path, cache):
    path = tmp_path / "t.yaml"
    path.write_text(TEMPLATE)
    load_document(path)
    [name] = entries(cache)
    (cache / name).write_bytes(b"not marshal data")
    assert load_document(path).data == parse_document(TEMPLATE, "t.yaml").data
    assert parse_cache.load(path.read_bytes(), "yaml") is not None


def test_yaml_aliases_stay_one_object(tmp_path, cache):
    path = tmp_path / "t.yaml"
    path.write_text("A: &shared {x: [1, 2]}\nB: *shared\n")
    load_document(path)
    document = load_document(path)
    assert parse_cache.load(path.read_bytes(), "yaml") is not None
    assert document.data["A"] is document.data["B"]  # as yaml.safe_load gives them


def test_a_configuration_changed_in_place_is_read_again(tmp_path, cache):
    from pipelint import config

    path = tmp_path / "pipelint.toml"
    path.write_text('fail-on = "error"\n')
    assert config.load(path).fail_on == "error"
    stamp = os.stat(path)
    path.write_text('fail-on = "info!"\n')
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    with pytest.raises(documents.InputError, match="fail-on"):
        config.load(path)  # the schema refuses the new value: it was read, not remembered
    path.write_text('fail-on = "info"\n')
    assert config.load(path).fail_on == "info"
    assert config.load(path).fail_on == "info"  # from the cache now


def test_a_toml_date_is_parsed_every_time_not_kept(tmp_path, cache):
    from pipelint import config

    raw = b"when = 2026-12-02\n"
    assert config._parse_toml(raw.decode(), tmp_path / "x.toml")["when"].year == 2026
    assert parse_cache.load(raw, "toml") is None


def test_bad_yaml_is_reported_every_time_and_never_kept(tmp_path, cache):
    path = tmp_path / "t.yaml"
    path.write_text("Resources: [\n")
    for _ in range(2):
        with pytest.raises(documents.InputError):
            load_document(path)
    assert entries(cache) == []


def test_an_unwritable_cache_only_costs_the_parse(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file where the folder would go
    path = tmp_path / "t.yaml"
    path.write_text(TEMPLATE)
    assert load_document(path).data["Resources"]["Key"]["Type"] == "AWS::KMS::Key"


def test_prune_keeps_the_most_recent_entries(tmp_path):
    for i in range(5):
        entry = tmp_path / f"e{i}"
        entry.write_text("x")
        os.utime(entry, ns=(i * 10**9, i * 10**9))
    parse_cache.prune(tmp_path, keep=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e3", "e4"]


def test_the_hook_sees_a_change_that_keeps_size_and_modification_time(tmp_path):
    """End to end, as the pre-commit hook runs it: the first run fills the cache, a grant is broken
    without changing the file's size or modification time, and the next run reports it."""
    setup = tmp_path / "example"
    shutil.copytree(FIXTURES / "example", setup)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}

    def check():
        return subprocess.run([sys.executable, "-m", "pipelint", "check", "--format", "json", "."], cwd=setup,
                              env=env, capture_output=True, text=True)

    assert check().returncode == 0
    trust = setup / "target" / "deploy-roles.yaml"
    stamp = os.stat(trust)
    text = trust.read_text()
    broken = text.replace("role/release-pipeline", "role/release-pipelinf")
    assert broken != text and len(broken) == len(text)
    trust.write_text(broken)
    os.utime(trust, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    proc = check()
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert '"rule_id": "PL303"' in proc.stdout
    trust.write_text(text)
    os.utime(trust, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert check().returncode == 0
