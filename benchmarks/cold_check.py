"""Cold `pipelint check` on the bundled four-template cross-account example, side by side with cfn-lint.

Each run is a fresh process (cold imports, nothing cached in memory). Reports the median wall time of
both tools over the same template files, the ratio, and pipelint's peak RSS.

    python3 benchmarks/cold_check.py [--runs 7] [--pipelint /tmp/venv/bin/pipelint]

For the figure a user sees, install into a clean virtualenv first (an editable install and a crowded
site-packages add import time that is not pipelint's):

    python3 -m venv /tmp/plvenv && /tmp/plvenv/bin/pip install . && \
    python3 benchmarks/cold_check.py --pipelint /tmp/plvenv/bin/pipelint

Targets (README "Speed"): pipelint at most 1/10 of cfn-lint's wall time, under 80 MiB peak.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "fixtures" / "example"


def timed(cmd: list[str]) -> tuple[float, int, int]:
    """(wall seconds, exit code, peak RSS of the child in KiB)."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execvp(cmd[0], cmd)
    _, status, usage = os.wait4(pid, 0)
    return time.perf_counter() - start, os.waitstatus_to_exitcode(status), usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pipelint", help="pipelint executable (default: the one on PATH), e.g. from a clean venv")
    args = parser.parse_args()
    templates = sorted(str(p) for p in EXAMPLE.rglob("*.yaml"))
    exe = args.pipelint or shutil.which("pipelint")
    pipelint = [exe or sys.executable, *([] if exe else ["-m", "pipelint"]), "check", str(EXAMPLE)]
    cfn_lint = shutil.which("cfn-lint")
    results = {"pipelint": [], "cfn-lint": []}
    peak = 0
    for _ in range(args.runs):  # interleaved, so both see the same machine load
        wall, code, rss = timed(pipelint)
        assert code == 0, f"pipelint exited {code} on the example"
        results["pipelint"].append(wall)
        peak = max(peak, rss)
        if cfn_lint:
            wall, _, _ = timed([cfn_lint, *templates])
            results["cfn-lint"].append(wall)
    p = statistics.median(results["pipelint"])
    print(f"templates: {len(templates)} files, {EXAMPLE.relative_to(ROOT)}")
    print(f"pipelint check  median {p:.3f} s over {args.runs} cold runs, peak RSS {peak / 1024:.1f} MiB")
    if results["cfn-lint"]:
        c = statistics.median(results["cfn-lint"])
        print(f"cfn-lint        median {c:.3f} s over {args.runs} cold runs")
        print(f"ratio pipelint/cfn-lint = {p / c:.3f} (target <= 0.100)")
    else:
        print("cfn-lint not installed: `pip install cfn-lint` to compare")


if __name__ == "__main__":
    main()
