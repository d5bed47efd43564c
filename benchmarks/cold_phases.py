"""Where the cold ``pipelint check`` of the bundled example spends its time, phase by phase, in one process.

    python3 -m venv /tmp/after && /tmp/after/bin/pip install . && \
        /tmp/after/bin/python benchmarks/cold_phases.py [--runs 5]

Each run is a fresh interpreter. Reported (median, ms): importing what makes pipelint's model classes
(``pipelint.records``; before 4ceb240 ``dataclasses`` with the ``re``, ``enum``, ``inspect``... it
imports), importing pipelint's CLI, runner, engine and loaders, importing the rules
(``engine.discover``), the check itself (loading the world, running the rules, the report), and how much
of all that went to making the model classes (timed around ``records._build``, or
``dataclasses._process_class`` for an older install).
Compare ``python -c pass`` for the interpreter's own start-up.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "fixtures" / "example"

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
try:  # pipelint's model classes: records since 4ceb240, dataclasses before
    from pipelint import records as maker
    NAME = "_build"
except ImportError:
    import dataclasses as maker
    NAME = "_process_class"
spent = [0.0]
build = getattr(maker, NAME)
def timed(*args, **kwargs):
    start = time.perf_counter()
    try:
        return build(*args, **kwargs)
    finally:
        spent[0] += time.perf_counter() - start
setattr(maker, NAME, timed)
t1 = time.perf_counter()
from pipelint import cli, engine, loaders, runner
t2 = time.perf_counter()
engine.discover()
t3 = time.perf_counter()
load_world, run = loaders.load_world, engine.run
inner = {"load": 0.0, "rules": 0.0}
def phase(name, fn):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            inner[name] += time.perf_counter() - start
    return wrapper
loaders.load_world = phase("load", load_world)
engine.run = phase("rules", run)
sys.argv = ["pipelint", "check", "."]
try:
    cli.main()
except SystemExit:
    pass
t4 = time.perf_counter()
sys.stderr.write(json.dumps({"import the class maker": t1 - t0, "import pipelint": t2 - t1, "import rules": t3 - t2,
                             "check": t4 - t3, "  loading": inner["load"], "  rules": inner["rules"],
                             "model classes made (all phases)": spent[0]}) + "\n")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs: list[dict] = []
    bare: list[float] = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.perf_counter() - start)
        proc = subprocess.run([sys.executable, "-c", CHILD], cwd=EXAMPLE, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, check=False)
        runs.append(json.loads(proc.stderr.strip().splitlines()[-1]))
    print(f"{sys.executable}, {args.runs} runs, median ms:")
    print(f"  {'python -c pass':<34} {1000 * statistics.median(bare):6.1f}")
    for name in runs[0]:
        print(f"  {name:<34} {1000 * statistics.median(r[name] for r in runs):6.1f}")


if __name__ == "__main__":
    main()
