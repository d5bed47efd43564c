"""The pre-commit path on a generated repository of 50 templates, cold, side by side with cfn-lint.

The repository: 12 copies of the bundled cross-account example (each its own tooling and workload
account: artifact store, pipeline, deploy role, execution role = 4 templates) plus the artifact store
and execution role of a 13th pair — 50 CloudFormation templates, one pipelint.toml deployment map with
`inputs = ["."]`, in a git repository with a `.pre-commit-config.yaml` whose hook is this repository's
`.pre-commit-hooks.yaml` entry run as a local hook (same entry, files and require_serial; `language:
system`, so no virtualenv is built and the figure is pipelint's, not pip's).

Measured, each run a fresh process (cold imports; nothing in memory), interleaved so every command sees
the same machine load, median of --runs:

- ``hook, 1 changed file``: what the hook executes for a commit touching one template:
  ``pipelint check --changed team07/target/deploy-roles.yaml`` (still lints all 50: cross-account); the
  template really changes before every such run (a comment line is added), so it is never in the user
  cache of parsed templates, while the other 49 are;
- ``hook, --all-files``: ``pipelint check --changed`` with all 50 files;
- ``hook, fresh cache``: as the first, with an empty XDG_CACHE_HOME (pipelint remembers configurations
  that passed schema validation, skipping jsonschema's import next time);
- ``pre-commit run --all-files``: the whole path through pre-commit;
- ``cfn-lint`` on the same 50 files (single-template checks only).

    python3 benchmarks/precommit_50.py [--runs 5] [--keep DIR]
    python3 benchmarks/precommit_50.py --pipelint /tmp/before/bin/pipelint /tmp/after/bin/pipelint   # side by side

With several ``--pipelint`` executables, the hook rows are measured for each (labelled by position), in
the same interleaved runs; pre-commit itself runs the first.

"fresh cache" empties the user cache before each run (pipelint remembers configurations that passed
schema validation, and parsed templates and configurations: pipelint/loaders/parse_cache.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "fixtures" / "example"
TEAMS = 12
GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "bench@example.invalid"}


def generate(repo: Path) -> list[Path]:
    """Write the 50-template repository; return the template paths (relative to ``repo``)."""
    example_map = (EXAMPLE / "pipelint.toml").read_text()
    map_body = example_map[example_map.index("[[stacks]]"):]
    config = ['inputs = ["."]\n']
    templates: list[Path] = []
    for team in range(1, TEAMS + 2):
        folder = f"team{team:02d}"
        tooling, target = f"1000000000{team:02d}", f"2000000000{team:02d}"
        files = ["tooling/artifacts.yaml", "tooling/pipeline.yaml", "target/deploy-roles.yaml",
                 "target/execution-role.yaml"]
        if team > TEAMS:  # the 13th pair brings the count to exactly 50
            files = ["tooling/artifacts.yaml", "target/execution-role.yaml"]
        for rel in files:
            dest = repo / folder / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(EXAMPLE / rel, dest)
            templates.append(Path(folder) / rel)
        body = map_body.replace("111111111111", tooling).replace("222222222222", target)
        blocks = [b for b in body.split("[[stacks]]") if b.strip()]
        for block in blocks:
            template = block.split('template = "', 1)[1].split('"', 1)[0]
            if template in files:
                config.append("[[stacks]]" + block.replace(f'template = "{template}"',
                                                           f'template = "{folder}/{template}"'))
    (repo / "pipelint.toml").write_text("".join(config))
    return templates


def precommit_config(repo: Path, pipelint_exe: list[str]) -> None:
    """This repository's hook definition, as a local hook running the installed pipelint."""
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    entry = " ".join(pipelint_exe) + " " + hook["entry"].split(" ", 1)[1]
    local = {k: v for k, v in hook.items() if k not in ("language", "entry", "minimum_pre_commit_version")}
    local.update(entry=entry, language="system")
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]}))


def timed(cmd: list[str], cwd: Path, env: dict) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="generate the repository here and keep it")
    parser.add_argument("--pipelint", nargs="+", help="pipelint executables (default: the one on PATH)")
    parser.add_argument("--cfn-lint", help="cfn-lint executable (default: the one on PATH)")
    args = parser.parse_args()

    repo = args.keep or Path(tempfile.mkdtemp(prefix="pipelint-bench-"))
    if repo.exists() and any(repo.iterdir()):
        sys.exit(f"{repo} is not empty")
    repo.mkdir(parents=True, exist_ok=True)
    templates = generate(repo)
    assert len(templates) == 50, len(templates)
    exes = args.pipelint or [shutil.which("pipelint") or ""]
    runs_of = [[exe] if exe else [sys.executable, "-m", "pipelint"] for exe in exes]
    pipelint = runs_of[0]
    precommit_config(repo, pipelint)
    env = {**os.environ, **GIT_ENV, "NO_COLOR": "1", "PRE_COMMIT_COLOR": "never"}
    subprocess.run(["git", "init", "--quiet", "-b", "main"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "--quiet", "-m", "50 templates"], cwd=repo, check=True, env=env)

    names = [str(t) for t in templates]
    commands = {}
    for n, run in enumerate(runs_of):
        tag = f" [{n + 1}]" if len(runs_of) > 1 else ""
        commands.update({
            f"hook, 1 changed file{tag}": [*run, "check", "--changed", "team07/target/deploy-roles.yaml"],
            f"hook, --all-files{tag}": [*run, "check", "--changed", *names],
            f"hook, fresh cache{tag}": [*run, "check", "--changed", "team07/target/deploy-roles.yaml"],
        })
    precommit = shutil.which("pre-commit")
    if precommit:
        commands["pre-commit run --all-files"] = [precommit, "run", "pipelint", "--all-files"]
    cfn_lint = args.cfn_lint or shutil.which("cfn-lint")
    if cfn_lint:
        commands["cfn-lint (50 files)"] = [cfn_lint, *names]

    # one warm-up of each pipelint so the user cache exists for the "warm" rows
    for name, cmd in commands.items():
        if name.startswith("hook, 1 changed file"):
            wall, code = timed(cmd, repo, env)
            assert code == 0, f"pipelint exited {code} on the generated repository (expected a clean setup)"
    results: dict[str, list[float]] = {name: [] for name in commands}
    changed = repo / "team07" / "target" / "deploy-roles.yaml"
    edits = 0
    for _ in range(args.runs):
        for name, cmd in commands.items():
            if name.startswith("hook, 1 changed file"):
                edits += 1  # a new content: this template was never parsed before
                changed.write_text(changed.read_text() + f"# edit {edits}\n")
            run_env = env
            if name.startswith("hook, fresh cache"):
                run_env = {**env, "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="pipelint-cache-")}
            wall, code = timed(cmd, repo, run_env)
            if name.startswith(("hook", "pre-commit")):
                assert code == 0, f"{name} exited {code}"
            results[name].append(wall)

    print(f"repository: {repo} ({len(templates)} templates, {TEAMS + 1} tooling/workload account pairs)")
    print(f"python {sys.version.split()[0]}, {args.runs} cold runs each, median (min-max):")
    for name, walls in results.items():
        print(f"  {name:<28} {statistics.median(walls):6.3f} s  ({min(walls):.3f}-{max(walls):.3f})")
    if cfn_lint:
        for name in results:
            if name.startswith("hook, 1 changed file"):
                ratio = statistics.median(results["cfn-lint (50 files)"]) / statistics.median(results[name])
                print(f"  cfn-lint / pipelint {name}: {ratio:.1f}x")
    if not args.keep:
        shutil.rmtree(repo, ignore_errors=True)


if __name__ == "__main__":
    main()
