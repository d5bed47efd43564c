import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
# ../shared holds the corpus and official schemas; a git worktree elsewhere names it with PIPELINT_SHARED
SHARED = Path(os.environ.get("PIPELINT_SHARED") or ROOT.parent / "shared")


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run in an empty working directory so no configuration is found by accident."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def pytest_configure(config):
    os.environ.setdefault("NO_COLOR", "1")
