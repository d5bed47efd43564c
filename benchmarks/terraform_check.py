"""Cold `pipelint check` on the Terraform form of the bundled example, side by side with `checkov -d` on
the same folder.

Each run is a fresh process. Reports the median wall time of both tools, the ratio and pipelint's peak
RSS; and, once, pipelint's very first run on a machine (an empty user cache: building the HCL parser's
tables, which later runs load from ~/.cache/pipelint).

    python3 benchmarks/terraform_check.py [--runs 7] [--pipelint /tmp/plvenv/bin/pipelint] \
        [--checkov /tmp/checkov-venv/bin/checkov]

checkov is not a pipelint dependency; install it apart, e.g.
`python3 -m venv /tmp/checkov-venv && /tmp/checkov-venv/bin/pip install checkov`. It runs offline here
(no API key), over the same .tf files, with its Terraform checks only (`--framework terraform`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cold_check import timed  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "fixtures" / "example-terraform"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pipelint", help="pipelint executable (default: the one on PATH)")
    parser.add_argument("--checkov", help="checkov executable (default: the one on PATH)")
    args = parser.parse_args()
    exe = args.pipelint or shutil.which("pipelint")
    pipelint = [exe or sys.executable, *([] if exe else ["-m", "pipelint"]), "check", str(EXAMPLE)]
    checkov_exe = args.checkov or shutil.which("checkov")
    checkov = [checkov_exe, "-d", str(EXAMPLE), "--framework", "terraform", "--quiet", "--compact",
               "--skip-download"] if checkov_exe else None
    files = sorted(EXAMPLE.rglob("*.tf"))
    with tempfile.TemporaryDirectory() as cache:  # the first run ever: no parser tables cached yet
        os.environ["XDG_CACHE_HOME"] = cache
        first, code, _ = timed(pipelint)
        del os.environ["XDG_CACHE_HOME"]
    assert code == 0, f"pipelint exited {code} on the Terraform example"
    timed(pipelint)  # the user cache holds the parser tables from here on
    results: dict = {"pipelint": [], "checkov": []}
    peak = 0
    for _ in range(args.runs):  # interleaved, so both see the same machine load
        wall, code, rss = timed(pipelint)
        assert code == 0, f"pipelint exited {code} on the Terraform example"
        results["pipelint"].append(wall)
        peak = max(peak, rss)
        if checkov:
            wall, _, _ = timed(checkov)
            results["checkov"].append(wall)
    p = statistics.median(results["pipelint"])
    print(f"input: {EXAMPLE.relative_to(ROOT)}, {len(files)} .tf files, "
          f"{sum(len(f.read_text().splitlines()) for f in files)} lines")
    print(f"pipelint check  median {p:.3f} s over {args.runs} cold runs, peak RSS {peak / 1024:.1f} MiB "
          f"(first run on the machine, building the HCL parser tables: {first:.3f} s)")
    if results["checkov"]:
        c = statistics.median(results["checkov"])
        print(f"checkov -d      median {c:.3f} s over {args.runs} cold runs")
        print(f"ratio pipelint/checkov = {p / c:.3f}")
    else:
        print("checkov not installed: install it apart (see the docstring) to compare")


if __name__ == "__main__":
    main()
