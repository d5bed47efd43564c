"""Limits: hostile files are refused quickly with a clear message, hostile folders are survived.

- YAML alias bombs and very deep nesting stop the parser early (MAX_ALIAS_NODES, MAX_DEPTH);
- files above MAX_BYTES (20 MiB, see README and pipelint/loaders/documents.py) are refused by size
  without being parsed, files just below it load;
- nesting that the parser accepts but the intrinsic resolver cannot follow is an InputError, never a
  RecursionError;
- symlink loops, dangling links, FIFOs and other special files in input folders are skipped.

Each case runs the real command line (``python -m pipelint check``) and asserts exit code, message
and wall time, so "bounded" means bounded for the user too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelint.loaders.documents import MAX_ALIAS_NODES, MAX_BYTES, MAX_DEPTH

TEMPLATE = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: b\n"


def pipelint(*args: str, cwd: Path, timeout: float = 60) -> tuple[int, str, str, float]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pipelint", "check", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "NO_COLOR": "1"})
    elapsed = time.perf_counter() - start
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr, proc.stderr
    return proc.returncode, proc.stdout, proc.stderr, elapsed


# -- YAML bombs and depth ------------------------------------------------------------------------


def billion_laughs(levels: int = 12) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return "Metadata:\n" + "".join(f"  {line}\n" for line in lines) + TEMPLATE


@pytest.mark.parametrize("text,words", [
    (billion_laughs(), "alias bomb"),
    ("Resources: " + "[" * 200_000 + "]" * 200_000 + "\n", f"nested more than {MAX_DEPTH} levels"),
    ("Resources:\n" + "".join(" " * i + "-\n" for i in range(1, 3000)), f"nested more than {MAX_DEPTH} levels"),
    ('{"Resources": ' + "[" * 200_000 + "]" * 200_000 + "}", "nested too deeply"),
], ids=["alias-bomb", "deep-flow-yaml", "deep-block-yaml", "deep-json"])
def test_bombs_are_refused_fast(tmp_path, text, words):
    name = "bomb.json" if text.startswith("{") else "bomb.yaml"
    (tmp_path / name).write_text(text)
    code, _, err, elapsed = pipelint(name, cwd=tmp_path)
    assert code == 2, err
    assert err.startswith(f"pipelint: error: {name}") and words in err, err
    assert elapsed < 10, f"took {elapsed:.1f} s to refuse"


def test_aliases_below_the_limit_still_load(tmp_path):
    """~10^5 alias nodes (far more than any real template) are fine and quick."""
    (tmp_path / "t.yaml").write_text(billion_laughs(levels=5))
    code, out, err, elapsed = pipelint("t.yaml", cwd=tmp_path)
    assert code == 0, err
    assert elapsed < 10
    assert MAX_ALIAS_NODES > 10 ** 5


def _nested(depth: int, key: str | None) -> str:
    """JSON text of a value nested ``depth`` containers deep (json.dumps itself stops near 1000)."""
    if key:
        return f'{{"{key}": ' * depth + '"x"' + "}" * depth
    return "[" * depth + '"x"' + "]" * depth


@pytest.mark.parametrize("where", ["property", "metadata", "condition", "output"])
def test_deep_but_parseable_nesting_never_overflows(tmp_path, where):
    """Nesting just inside the parser's limit reaches the resolver, the rules and the reporters:
    either it lints or it is an InputError — never a RecursionError."""
    deep = _nested(MAX_DEPTH - 10, "k")
    marker = '"@@DEEP@@"'
    template: dict = {"Resources": {
        "Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}]}}},
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b"}}}}
    if where == "property":
        template["Resources"]["Bucket"]["Properties"]["Tags"] = "@@DEEP@@"
    elif where == "metadata":
        template["Resources"]["Bucket"]["Metadata"] = "@@DEEP@@"
        deep = _nested(MAX_DEPTH - 10, None)
    elif where == "condition":
        template["Resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"][0]["Condition"] = {
            "StringEquals": {"aws:PrincipalAccount": "@@DEEP@@"}}
    else:
        template["Outputs"] = {"O": {"Value": "@@DEEP@@", "Export": {"Name": "x"}}}
    text = json.dumps(template).replace(marker, deep)
    for name in ("t.yaml", "t.json"):  # JSON is YAML: the YAML parser and the JSON parser both read it
        (tmp_path / name).write_text(text)
        code, out, err, elapsed = pipelint(name, cwd=tmp_path)
        assert code in (0, 1, 2), err
        if code == 2:
            assert name in err and "nested too deeply" in err, err
        assert elapsed < 20
        (tmp_path / name).unlink()


# -- size ---------------------------------------------------------------------------------------


def test_file_above_max_bytes_is_refused_by_size(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as handle:
        handle.write(TEMPLATE.encode())
        handle.truncate(MAX_BYTES + 1)  # sparse: the size is what matters, not the content
    code, _, err, elapsed = pipelint("huge.yaml", cwd=tmp_path)
    assert code == 2
    assert f"huge.yaml: file is larger than {MAX_BYTES // (1024 * 1024)} MiB" in err, err
    assert elapsed < 10


def test_file_just_below_max_bytes_loads(tmp_path):
    path = tmp_path / "big.yaml"
    padding = MAX_BYTES - len(TEMPLATE) - 64
    line = "#" + "x" * 1022 + "\n"
    path.write_text(TEMPLATE + line * (padding // len(line)))
    assert path.stat().st_size <= MAX_BYTES
    code, out, err, elapsed = pipelint("big.yaml", cwd=tmp_path)
    assert code == 0, err
    assert elapsed < 30


# -- folders --------------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlink_loops_and_special_files_are_survived(tmp_path):
    setup = tmp_path / "setup"
    (setup / "sub").mkdir(parents=True)
    (setup / "sub" / "t.yaml").write_text(TEMPLATE)
    os.symlink(setup, setup / "sub" / "loop")  # a folder that contains itself
    os.symlink("..", setup / "sub" / "up")
    os.symlink(setup / "b.yaml", setup / "a.yaml")  # a.yaml -> b.yaml -> a.yaml
    os.symlink(setup / "a.yaml", setup / "b.yaml")
    os.symlink(setup / "missing.yaml", setup / "dangling.yaml")
    os.symlink(setup / "sub" / "t.yaml", setup / "same.yaml")  # the same template twice: read once
    if hasattr(os, "mkfifo"):
        os.mkfifo(setup / "pipe.yaml")  # opening it would block forever
    code, out, err, elapsed = pipelint("setup", cwd=tmp_path, timeout=60)
    assert code == 0, out + err
    assert "in 1 file(s)" in out, out
    assert elapsed < 20


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_input_that_is_a_symlink_loop_with_a_config(tmp_path):
    os.symlink(tmp_path / "b.yaml", tmp_path / "a.yaml")
    os.symlink(tmp_path / "a.yaml", tmp_path / "b.yaml")
    (tmp_path / "pipelint.toml").write_text("")
    code, _, err, _ = pipelint("a.yaml", cwd=tmp_path)
    assert code == 2 and "a.yaml: a symbolic link that leads nowhere" in err, err


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_input_that_is_a_symlink_loop_without_a_config(tmp_path):
    os.symlink(tmp_path / "b.yaml", tmp_path / "a.yaml")
    os.symlink(tmp_path / "a.yaml", tmp_path / "b.yaml")
    code, _, err, _ = pipelint("a.yaml", cwd=tmp_path)
    assert code == 2 and "a.yaml" in err, err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_input_that_is_a_fifo(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    code, _, err, elapsed = pipelint("pipe.yaml", cwd=tmp_path, timeout=30)
    assert code == 2 and "pipe.yaml: not a regular file or folder" in err, err
