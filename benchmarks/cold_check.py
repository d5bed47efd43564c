"""Cold `pipelint check` on the bundled four-template cross-account example, side by side with cfn-lint.

Each run is a fresh process (cold imports, nothing cached in memory). Reports the median wall time of
both tools over the same template files, the ratio, and pipelint's peak RSS.

    python3 benchmarks/cold_check.py [--runs 7] [--pipelint /tmp/venv/bin/pipelint] [--cfn-lint /tmp/cfn/bin/cfn-lint]
    python3 benchmarks/cold_check.py --runs 11 --pipelint /tmp/before/bin/pipelint /tmp/after/bin/pipelint

Several ``--pipelint`` executables are measured side by side, runs interleaved with cfn-lint's, so that
all see the same machine load. Each pipelint runs once before the timed runs, so that its user cache
(validated configuration, parsed templates; pipelint/loaders/parse_cache.py) is warm, as on every run
but a machine's first: ``--cold-cache`` empties it before every run instead.

For the figure a user sees, install into a clean virtualenv first (an editable install and a crowded
site-packages add import time that is not pipelint's):

    python3 -m venv /tmp/plvenv && /tmp/plvenv/bin/pip install . && \
    python3 benchmarks/cold_check.py --pipelint /tmp/plvenv/bin/pipelint

Targets (issue 15): pipelint at most 0.05 of cfn-lint's wall time, under 40 MiB peak.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "fixtures" / "example"


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, int, int]:
    """(wall seconds, exit code, peak RSS of the child in KiB)."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execvpe(cmd[0], cmd, env or os.environ)
    _, status, usage = os.wait4(pid, 0)
    return time.perf_counter() - start, os.waitstatus_to_exitcode(status), usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pipelint", nargs="+",
                        help="pipelint executables (default: the one on PATH), e.g. from clean venvs")
    parser.add_argument("--cfn-lint", help="cfn-lint executable (default: the one on PATH), e.g. from a clean venv")
    parser.add_argument("--cold-cache", action="store_true", help="an empty user cache for every pipelint run")
    args = parser.parse_args()
    templates = sorted(str(p) for p in EXAMPLE.rglob("*.yaml"))
    exes = args.pipelint or [shutil.which("pipelint") or ""]
    commands = {(f"pipelint [{i + 1}]" if len(exes) > 1 else "pipelint"):
                [exe or sys.executable, *([] if exe else ["-m", "pipelint"]), "check", str(EXAMPLE)]
                for i, exe in enumerate(exes)}
    cfn_lint = args.cfn_lint or shutil.which("cfn-lint")
    if cfn_lint:
        commands["cfn-lint"] = [cfn_lint, *templates]
    results: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, int] = {name: 0 for name in commands}
    for name, cmd in commands.items():
        if name.startswith("pipelint"):
            timed(cmd)  # the user cache as every run but the first finds it
    for _ in range(args.runs):  # interleaved, so all see the same machine load
        for name, cmd in commands.items():
            env = None
            if args.cold_cache and name.startswith("pipelint"):
                env = {**os.environ, "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="pipelint-cache-")}
            wall, code, rss = timed(cmd, env)
            if name.startswith("pipelint"):
                assert code == 0, f"{name} exited {code} on the example"
            results[name].append(wall)
            peaks[name] = max(peaks[name], rss)
    print(f"templates: {len(templates)} files, {EXAMPLE.relative_to(ROOT)}; {args.runs} cold runs each, median (min-max)"
          + ("; empty user cache every run" if args.cold_cache else ""))
    for i, exe in enumerate(exes):
        print(f"  [{i + 1}] {exe or 'python -m pipelint'}")
    for name, walls in results.items():
        peak = f", peak RSS {peaks[name] / 1024:.1f} MiB" if name.startswith("pipelint") else ""
        print(f"  {name:<14} {statistics.median(walls):.3f} s ({min(walls):.3f}-{max(walls):.3f}){peak}")
    if cfn_lint:
        c = statistics.median(results["cfn-lint"])
        for name in results:
            if name.startswith("pipelint"):
                print(f"  ratio {name}/cfn-lint = {statistics.median(results[name]) / c:.3f} (target <= 0.050)")
    else:
        print("cfn-lint not installed: `pip install cfn-lint` to compare")


if __name__ == "__main__":
    main()
