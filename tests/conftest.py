import os
from pathlib import Path

import pytest

# every answer of the evaluator's shortcut is checked against the full evaluator's, in this process and in
# every pipelint process a test starts (pipelint/policy/shortcut.py); set before pipelint is imported
os.environ["PIPELINT_VERIFY_SHORTCUT"] = "1"

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


# -- external tools: Graphviz, Chromium, Mermaid (npm) ---------------------------------------------------
# .ci/run installs them (Debian packages graphviz and chromium; tests/mermaid/ with npm ci) and sets
# PIPELINT_REQUIRE_TOOLS=1, so in CI a missing tool fails the test instead of skipping it. Elsewhere a test
# that needs a tool the machine lacks is skipped, saying which.
REQUIRE_TOOLS = bool(os.environ.get("PIPELINT_REQUIRE_TOOLS"))
MERMAID_JS = ROOT / "tests" / "mermaid" / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def need_tool(*names: str, install: str) -> str:
    """The path of the first of ``names`` on the PATH; skip (or fail under PIPELINT_REQUIRE_TOOLS) without."""
    import shutil

    for name in names:
        found = shutil.which(name)
        if found:
            return found
    message = f"{names[0]} is not installed ({install}); .ci/run installs it"
    if REQUIRE_TOOLS:
        pytest.fail(f"PIPELINT_REQUIRE_TOOLS is set: {message}")
    pytest.skip(message)


def need_file(path: Path, install: str) -> Path:
    if path.is_file():
        return path
    message = f"{path} is missing ({install}); .ci/run installs it"
    if REQUIRE_TOOLS:
        pytest.fail(f"PIPELINT_REQUIRE_TOOLS is set: {message}")
    pytest.skip(message)


def chromium(url: str, tmp_path: Path, *extra: str, timeout: int = 120) -> str:
    """Run headless Chromium (Debian's) on ``url`` with a fresh profile; returns its standard output."""
    import subprocess

    binary = need_tool("chromium", "chromium-browser", install="apt-get install chromium")
    profile = tmp_path / "chromium-profile"
    proc = subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, url],
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout
