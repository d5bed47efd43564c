"""Live mode: ``pipelint audit`` reads what is deployed, read-only, and lints it with the offline rules.

The collector (:mod:`pipelint.live.collector`) follows the graph from the pipelines across accounts and
regions with boto3; the writer (:mod:`pipelint.live.writer`) puts what it read into snapshot files
(:mod:`pipelint.loaders.snapshot`); those files are then linted exactly as ``pipelint check DIR``
would lint them, so an audit saved with ``--save DIR`` and checked later gives the same findings.

The auditing principal needs the read-only actions of ``auditor-policy.json`` (shipped next to this
file; ``pipelint audit --print-policy`` prints it) in every account it reads, and, to reach other
accounts, ``sts:AssumeRole`` on the ``--assume-role`` role there (which must trust it and carry the
same policy). Importing this package does not import boto3; running an audit does.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

from pipelint.errors import UsageError
from pipelint.live.collector import AuditOptions, Snapshot

__all__ = ["AuditOptions", "Snapshot", "audit", "collect", "policy_text", "summary"]

POLICY = Path(__file__).with_name("auditor-policy.json")


def policy_text() -> str:
    return POLICY.read_text(encoding="utf-8")


class _Progress:
    """A rich progress bar on stderr: resources read out of resources discovered so far."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.bar = Progress(SpinnerColumn(), TextColumn("{task.description:<26}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=Console(stderr=True), transient=True)
        self.task = self.bar.add_task("Reading AWS", total=0)
        self.total = 0

    def discovered(self, key: tuple) -> None:
        self.total += 1  # only ever called under the collector's lock
        self.bar.update(self.task, total=self.total)

    def done(self, key: tuple) -> None:
        self.bar.update(self.task, advance=1, description=f"Reading {key[0]}s")

    def __enter__(self) -> "_Progress":
        self.bar.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.bar.stop()


def collect(options: AuditOptions, hooks: Iterable[tuple] = ()) -> Snapshot:
    """Read what the pipelines of ``options`` depend on. ``hooks``: extra botocore event handlers
    ``(event name, handler)`` registered on every session (tests, call counting)."""
    from pipelint.live.clients import Clients
    from pipelint.live.collector import Collector

    calls = [0]

    def count(**_: Any) -> None:
        calls[0] += 1

    clients = Clients(profile=options.profile, region=(options.regions or [None])[0],
                      assume_role=options.assume_role, external_id=options.external_id,
                      hooks=[("before-call", count), *hooks], max_pool=max(10, options.workers))
    if options.progress:
        with _Progress() as progress:
            snapshot = Collector(clients, options, progress).run()
    else:
        snapshot = Collector(clients, options).run()
    snapshot.calls = calls[0]
    return snapshot


def audit(options: AuditOptions, cfg: Any, *, save: Path | None = None, select: Iterable[str] = (),
          ignore: Iterable[str] = (), baseline: Path | None | bool = False, hooks: Iterable[tuple] = ()):
    """Collect, write the snapshot (to ``save``, else a temporary folder) and lint it as ``check`` does.

    Returns ``(runner.Outcome, Snapshot)``. Without ``save`` the files are named as ``--save`` would
    name them (``ACCOUNT-REGION.json``), so findings read the same either way."""
    from pipelint import runner
    from pipelint.live import writer

    snapshot = collect(options, hooks)
    if snapshot.missing_pipelines:
        where = f"account(s) {', '.join(snapshot.accounts)}, region(s) {', '.join(snapshot.regions)}"
        raise UsageError(f"no pipeline named {', '.join(snapshot.missing_pipelines)} in {where}")
    select, ignore = list(select), list(ignore)
    if save is not None:
        writer.write(snapshot, save)
        outcome = runner.check([save], cfg, select=select, ignore=ignore, baseline=baseline)
        return outcome, snapshot
    if isinstance(baseline, Path):
        baseline = baseline.resolve()
    with tempfile.TemporaryDirectory(prefix="pipelint-audit-") as folder:
        writer.write(snapshot, Path(folder))
        here = os.getcwd()
        os.chdir(folder)  # file names in findings read as ACCOUNT-REGION.json, not a temporary path
        try:
            outcome = runner.check([Path(".")], cfg, select=select, ignore=ignore, baseline=baseline)
        finally:
            os.chdir(here)
    return outcome, snapshot


def summary(snapshot: Snapshot) -> str:
    """One line for stderr: what was audited, how many calls it took, what could not be read."""
    pipelines = len(snapshot.pipelines())
    accounts = sorted({account for account, _ in snapshot.files} | set(snapshot.accounts))
    missing = len(snapshot.unreadable())
    text = (f"pipelint: audited {pipelines} pipeline(s) in {len(snapshot.accounts)} account(s) and "
            f"{len(snapshot.regions)} region(s), reading {len(accounts)} account(s) with {snapshot.calls} API "
            f"call(s) in {snapshot.seconds:.1f} s")
    if missing:
        text += f"; {missing} thing(s) could not be read (unverified findings and notes name them)"
    return text


def report(outcome: Any, fmt: str, output: Path | None, fail_on: str, no_color: bool,
           verbose: bool = False) -> int:
    """Print ``outcome`` exactly as ``pipelint check`` does (one shared function in the runner)."""
    from pipelint import runner

    return runner.report(outcome, fmt, output, fail_on, no_color, verbose)
