"""No verdict changes: run two installs of pipelint on the same inputs and diff what they report.

A speed-up must not change a single finding. This runs ``pipelint check --format json --no-baseline``
(and, on the synthetic worlds, ``--format text --verbose`` and ``--format sarif`` too) with both
executables, in the same folder, and compares standard output and exit code byte for byte, on:

- the synthetic snapshot worlds of ``benchmarks/scale.py``: a clean one (every check passes) and one
  with ``--defects`` (one pipeline in ten broken in its own way: failing and unverified findings of
  PL201, PL202, PL301-PL304, PL402, PL501);
- the 50-template repository of ``benchmarks/precommit_50.py`` (also with ``--changed`` one file);
- ``fixtures/example``, ``fixtures/example-terraform``, every ``fixtures/setups/*`` and every rule
  fixture case ``fixtures/rules/<ID>/<pass|fail>/<case>`` (each run in its own folder, as the tests do).

``pipelint graph --format html`` is compared too, on the world with defects, the example and every setup:
it shows each link's verdict with the evaluator's reasons and deciding statements, which the evaluator's
shortcut leaves to be worked out when they are read.

    python3 benchmarks/compare.py --a /tmp/before/bin/pipelint --b /tmp/after/bin/pipelint [--pipelines 1000]

``--b`` runs every case twice, the second time from the user cache of parsed documents the first left
(pipelint/loaders/parse_cache.py): a cached parse must give what parsing gives.

Exit 0 when every output is identical, 1 otherwise (the first differences are printed).
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import precommit_50  # noqa: E402
import scale  # noqa: E402


def run(exe: str, args: list[str], cwd: Path, cache: str) -> tuple[int, str]:
    env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": cache}
    env.pop("PIPELINT_DEBUG", None)
    proc = subprocess.run([exe, *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return proc.returncode, proc.stdout.decode("utf-8", "replace") + "\n--- stderr ---\n" + \
        proc.stderr.decode("utf-8", "replace")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", required=True, help="pipelint executable (e.g. before)")
    parser.add_argument("--b", required=True, help="pipelint executable (e.g. after)")
    parser.add_argument("--pipelines", type=int, default=1000, help="size of the synthetic worlds")
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--regions", type=int, default=2)
    parser.add_argument("--no-fixtures", action="store_true", help="only the generated worlds")
    parser.add_argument("--no-warm", action="store_true",
                        help="run --b once per case (by default twice: the second reads its user cache)")
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="pipelint-compare-"))
    caches = {side: tempfile.mkdtemp(prefix=f"pipelint-compare-cache-{side}-") for side in "ab"}
    runs: list[tuple[str, Path, list[str]]] = []
    try:
        for name, defects in (("clean", False), ("defects", True)):
            folder = base / f"{name}-{args.pipelines}"
            scale.generate(folder, args.pipelines, args.accounts, args.regions, defects)
            runs.append((folder.name, base, ["check", "--format", "json", "--no-baseline", folder.name]))
            if defects:
                runs.append((f"{folder.name} text", base, ["check", "--verbose", "--no-baseline", folder.name]))
                runs.append((f"{folder.name} sarif", base, ["check", "--format", "sarif", "--no-baseline",
                                                            folder.name]))
                # every link's verdict with the reasons and deciding statements the evaluator gave
                runs.append((f"{folder.name} graph", base, ["graph", "--format", "html", folder.name]))
        repo = base / "precommit-50"
        repo.mkdir()
        templates = precommit_50.generate(repo)
        runs.append(("precommit-50", repo, ["check", "--format", "json"]))
        runs.append(("precommit-50 --changed", repo, ["check", "--changed", str(templates[25])]))
        if not args.no_fixtures:
            fixtures = ROOT / "fixtures"
            folders = [fixtures / "example", fixtures / "example-terraform",
                       *sorted(p.parent for p in (fixtures / "setups").glob("*/expected.json")),
                       *sorted(p.parent for p in (fixtures / "rules").glob("*/*/*/expected.json"))]
            for folder in folders:
                runs.append((str(folder.relative_to(ROOT)), folder, ["check", "--format", "json", "--no-baseline",
                                                                     "."]))
                if "rules" not in folder.parts:
                    runs.append((f"{folder.relative_to(ROOT)} graph", folder, ["graph", "--format", "html", "."]))
        differ = 0
        for label, cwd, cmd in runs:
            a = run(args.a, cmd, cwd, caches["a"])
            b = run(args.b, cmd, cwd, caches["b"])
            if a == b and not args.no_warm:
                b = run(args.b, cmd, cwd, caches["b"])  # again, from what the first run left in the user cache
                label += " (warm user cache)"
            if a == b:
                continue
            differ += 1
            print(f"DIFFERENT: {label} (exit {a[0]} vs {b[0]})")
            diff = difflib.unified_diff(a[1].splitlines(), b[1].splitlines(), "a", "b", lineterm="", n=1)
            print("\n".join(list(diff)[:40]))
        print(f"{len(runs)} runs compared, {len(runs) - differ} identical, {differ} different "
              f"(synthetic worlds: {args.pipelines} pipelines, {args.accounts} accounts, {args.regions} regions)")
        return 1 if differ else 0
    finally:
        shutil.rmtree(base, ignore_errors=True)
        for cache in caches.values():
            shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
