"""Headroom: how fast could ``pipelint check`` of 10,000 pipelines get without changing its design?

Issue 15 asks for 5 s. This measures what bounds the time, phase by phase, on one synthetic world
(``scale.generate``, 100 accounts, 2 regions), each phase in a fresh interpreter:

- ``decode``: reading the snapshot files and ``json.loads`` of each, nothing else: what any loader of
  these inputs pays at least;
- ``load``: pipelint's ``load_world``;
- ``rules``: every rule, as ``check`` runs them, after ``load``;
- ``free-evaluator``: the same, with every evaluator call answered from a memo holding one answer per
  (action, kind): the policy evaluator then costs nothing. Its findings mean nothing; only the time
  counts. What is left is loading, building the chain and the requests, and the rules' own work;
- ``two-processes``: the rules split between the loaded process and a fork of it (``os.fork`` after
  ``gc.freeze``, the split balanced by the ``rules`` phase's times per rule), the way a parallel check
  would run them on this machine's cores: wall time, and memory as the sum of the two processes'
  proportional set sizes (pages they share counted once), from ``/proc/self/smaps_rollup`` (Linux).

Usage::

    python3 -m venv /tmp/now && /tmp/now/bin/pip install .
    /tmp/now/bin/python benchmarks/headroom.py [--pipelines 10000] [--runs 3] [--world FOLDER]

Medians of ``--runs``. Wall times are seconds from the start of the interpreter, so each phase
includes importing pipelint.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402  (the same worlds as the scale benchmark)

PHASES = ("decode", "load", "rules", "free-evaluator", "two-processes")

CHILD = r"""
import gc, json, os, sys, time
t0 = time.perf_counter()
phase, folder, split = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
out = {}

def pss():
    try:
        with open("/proc/self/smaps_rollup") as f:
            return next(int(l.split()[1]) for l in f if l.startswith("Pss:")) / 1024
    except (OSError, StopIteration):
        return None

if phase == "decode":
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            json.loads(f.read())
    out["wall"] = time.perf_counter() - t0
    print(json.dumps(out)); sys.exit(0)

from pathlib import Path
from pipelint import engine, grants
from pipelint.config import Config
from pipelint.loaders import load_world
from pipelint.rule import Report

gc.disable()  # as runner.check does while loading, and frozen while the rules run
world = load_world([Path(folder)], Config(), {})
gc.freeze()
out["load"] = time.perf_counter() - t0
if phase == "load":
    out["wall"] = out["load"]
    print(json.dumps(out)); sys.exit(0)
rules = engine.discover()
if phase == "free-evaluator":
    answers, real = {}, grants.evaluate
    def free(request, identities, resource, kind="generic", **layers):
        key = (request.action, kind)
        if key not in answers:
            answers[key] = real(request, identities, resource, kind=kind, **layers)
        return answers[key]
    grants.evaluate = free

def run(chosen):
    spent = {}
    for loaded in chosen:
        start = time.perf_counter()
        loaded.module.check(world, Report(loaded.rule))
        spent[loaded.rule.id] = time.perf_counter() - start
    return spent

if phase == "two-processes":
    mine = [r for r in rules if r.rule.id in split]
    theirs = [r for r in rules if r.rule.id not in split]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        run(theirs)
        os.write(write, json.dumps(pss()).encode())
        os._exit(0)
    run(mine)
    parent = pss()
    os.waitpid(pid, 0)
    child = json.loads(os.read(read, 64))
    out["pss"] = parent + child if parent is not None and child is not None else None
else:
    out["per_rule"] = run(rules)
out["wall"] = time.perf_counter() - t0
print(json.dumps(out))
"""


def measure(python: str, phase: str, folder: Path, split: list[str], scratch: str) -> dict:
    # run from a scratch folder: `python -c` imports from the working directory first, and the source
    # tree's pipelint (run from the repository) is not the install being measured
    done = subprocess.run([python, "-c", CHILD, phase, str(folder.resolve()), json.dumps(split)],
                          capture_output=True, text=True, cwd=scratch)
    if done.returncode != 0:  # e.g. no pipelint installed for that interpreter
        sys.exit(f"headroom: phase {phase} failed with {python}:\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def balanced(per_rule: dict[str, float]) -> list[str]:
    """The rules of the parent's half: longest first, each to the half with less time so far."""
    totals, halves = [0.0, 0.0], [[], []]
    for rule, spent in sorted(per_rule.items(), key=lambda item: -item[1]):
        lighter = totals.index(min(totals))
        totals[lighter] += spent
        halves[lighter].append(rule)
    return halves[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pipelines", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--world", type=Path, help="a world written by scale.py --keep (else one is generated)")
    parser.add_argument("--python", default=sys.executable, help="an interpreter with pipelint installed")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pipelint-headroom-") as scratch:
        folder = args.world
        if folder is None:
            folder = Path(scratch) / f"world-{args.pipelines}"
            scale.generate(folder, args.pipelines, 100, 2)
        results: dict[str, list[dict]] = {phase: [] for phase in PHASES}
        split: list[str] = []
        for _ in range(args.runs):  # phases interleaved, so that each run sees the same machine load
            for phase in PHASES:
                found = measure(args.python, phase, folder, split, scratch)
                results[phase].append(found)
                if phase == "rules" and not split:
                    split = balanced(found["per_rule"])

    def median(phase: str, key: str) -> float | None:
        values = [r[key] for r in results[phase] if r.get(key) is not None]
        return statistics.median(values) if values else None

    print(f"world: {folder.name}, {args.python}, medians of {args.runs} run(s)")
    print(f"{'phase':<16} {'wall s':>7} {'of which loading s':>19}  notes")
    for phase in PHASES:
        wall, load = median(phase, "wall"), median(phase, "load")
        note = ""
        if phase == "two-processes":
            pss = median(phase, "pss")
            note = f"parent runs {', '.join(split)}; PSS of both: {pss:.0f} MiB" if pss else "PSS not available"
        print(f"{phase:<16} {wall:>7.2f} {'' if load is None else f'{load:.2f}':>19}  {note}")


if __name__ == "__main__":
    main()
