"""Shared pieces of the fuzz suites (tests/test_fuzz_*.py; this module holds no tests): example counts, the "only InputError and
UsageError may escape" harness, and hypothesis strategies for junk values.

``PIPELINT_FUZZ_EXAMPLES`` scales every fuzz test (default: small enough that the whole fuzz suite
stays well under a minute on a 2-core CI machine). ``PIPELINT_FUZZ_EXAMPLES=2000`` is a long run.
"""

from __future__ import annotations

import os
import tempfile
import traceback
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from pipelint.errors import InputError, UsageError

SCALE = int(os.environ.get("PIPELINT_FUZZ_EXAMPLES", "0") or 0)


def fuzz_settings(default: int, **extra) -> settings:
    """``default`` examples in CI; ``PIPELINT_FUZZ_EXAMPLES`` replaces every default when set."""
    return settings(max_examples=SCALE or default, deadline=None, derandomize=not SCALE,
                    suppress_health_check=list(HealthCheck), database=None, **extra)


class Escaped(AssertionError):
    """An exception other than InputError/UsageError left pipelint: the bug the fuzzers look for."""


def lint_files(files: dict[str, bytes | str], *, config: str | None = None, render: bool = True) -> str:
    """Write ``files`` (relative path -> content) and ``config`` (a pipelint.toml) to a fresh temporary
    folder, lint it as ``pipelint check`` does and render JSON and text.

    Returns "ok", "input-error" or "usage-error"; any other exception is re-raised as
    :class:`Escaped` with the inputs and the original traceback."""
    from pipelint import runner

    with tempfile.TemporaryDirectory(prefix="pipelint-fuzz-") as tmp:
        root = Path(tmp)
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                content = content.encode("utf-8", "surrogatepass")
            path.write_bytes(content)
        cfg_path = None
        if config is not None:
            cfg_path = root / "pipelint.toml"
            cfg_path.write_text(config, encoding="utf-8")
        cwd = os.getcwd()
        os.chdir(root)  # relative display paths, as a user running in the folder sees them
        try:
            cfg = runner.find_config(cfg_path, [root])
            outcome = runner.check([root], cfg, baseline=False)
            if render:
                runner.render(outcome, "json")
                runner.render(outcome, "text")
            _check_locations(outcome)
            return "ok"
        except InputError as exc:
            assert exc.path and exc.message, f"InputError without a file or a sentence: {exc!r}"
            return "input-error"
        except UsageError:
            return "usage-error"
        except Exception as exc:  # noqa: BLE001 - this is what we are looking for
            shown = "\n".join(f"--- {name}\n{_short(content)}" for name, content in files.items())
            if config is not None:
                shown += f"\n--- pipelint.toml\n{config}"
            raise Escaped(f"{type(exc).__name__} escaped on these inputs:\n{shown}\n\n"
                          f"{''.join(traceback.format_exception(exc))}") from exc
        finally:
            os.chdir(cwd)


def _short(content: bytes | str, limit: int = 3000) -> str:
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def _check_locations(outcome) -> None:
    for finding in outcome.findings:
        assert finding.source is not None and finding.source.file, f"finding without a file: {finding}"


# -- values --------------------------------------------------------------------------------------

ACCOUNTS = ["111111111111", "222222222222", "333333333333"]
REGIONS = ["us-east-1", "eu-west-1", "cn-north-1"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-2**70, 2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
    st.sampled_from(["", "*", "arn:aws:s3:::b", "arn:aws:s3:::b/*", f"arn:aws:iam::{ACCOUNTS[1]}:root",
                     f"arn:aws:iam::{ACCOUNTS[1]}:role/deploy", "arn:aws:kms:us-east-1:111111111111:key/k",
                     "alias/aws/s3", "alias/x", "arn:", "arn:aws", "arn:aws:iam::", "arn:aws:sts::1:assumed-role/",
                     ACCOUNTS[0], "${AWS::AccountId}", "${Missing}", "{{resolve:ssm:/p}}", "Allow", "Deny",
                     "us-east-1", "AWS::NoValue", "⟨x.y⟩", "\x00", "a" * 300]),
)

junk = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=12)
