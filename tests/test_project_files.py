"""The project's own files agree with each other: `.ci/run` runs exactly the README's test command, and the
README's two first commands create the virtual environment they use (a PEP 668 system Python refuses
`pip install` outside one)."""

from __future__ import annotations

import re

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
CI_RUN = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def readme_commands() -> list[str]:
    return re.findall(r"```sh\n(.*?)\n```", README, re.DOTALL)[:2]


def test_readme_commands_make_and_use_a_virtual_environment():
    install, tests = readme_commands()
    assert install == "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/pipelint check fixtures/example"
    assert tests == "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest tests"


def test_ci_runs_exactly_the_readme_test_command():
    _, tests = readme_commands()
    lines = [line.strip() for line in CI_RUN.splitlines()]
    assert lines.count(tests) == 1
    # and nothing else runs pytest or installs the project
    assert sum("pytest" in line and not line.startswith("#") and "echo" not in line for line in lines) == 1
    assert sum("pip install" in line and not line.startswith("#") for line in lines) == 1
    # pytest's "no tests collected" stays a failure
    assert 'if [ "$status" -eq 5 ]; then' in CI_RUN
