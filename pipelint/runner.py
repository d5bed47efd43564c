"""What ``pipelint check`` does, without the command line: config, world, rules, suppressions, baseline,
ordering, and rendering in the chosen format."""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from pipelint import config as config_module
from pipelint import engine
from pipelint.config import Config
from pipelint.errors import UsageError
from pipelint.findings import Finding, severity_rank
from pipelint.lazy_re import lazy
from pipelint.model import Notice, World
from pipelint.records import field, record

FORMATS = ("text", "json", "sarif", "junit", "github")
# what the pre-commit hook passes (see .pre-commit-hooks.yaml); the rest of a change cannot matter
INPUT_SUFFIXES = {".json", ".yaml", ".yml", ".template", ".tf", ".tfvars"}
SELECTOR = lazy(r"^PL[0-9]{0,3}$", re.IGNORECASE)


@record
class Outcome:
    """What a check found, with the world it looked at and how to present it."""

    world: World
    findings: list = field(default_factory=list)  # every finding, suppressed ones marked
    config: Config = field(default_factory=Config)
    rules: list = field(default_factory=list)  # the LoadedRules that ran (meta-rules included)
    kinds: dict = field(default_factory=dict)  # id(finding) -> "inSource" / "external" for suppressed ones
    changed: frozenset = frozenset()  # normalised paths of the files `--changed` named
    skipped: bool = False  # `--changed` named no file pipelint reads: nothing was checked

    def failing(self, fail_on: str) -> list[Finding]:
        return [f for f in self.findings
                if f.suppressed is None and severity_rank(f.severity) >= severity_rank(fail_on)]

    def suppression_kind(self, finding: Finding) -> str | None:
        """"inSource" (CloudFormation Metadata) or "external" (config entry, baseline); None if active."""
        if finding.suppressed is None:
            return None
        return self.kinds.get(id(finding), "external")

    def in_changed(self, finding: Finding) -> bool:
        return _norm(finding.source.file) in self.changed


@contextmanager
def _collector_paused():
    """Python's cyclic collector off while the world is built.

    The world is a large graph that lives until the end; each full collection while it grows rescans
    all of it, which made loading superlinear (about 3 s of 13 s at 10,000 pipelines, see
    benchmarks/README.md)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _norm(path) -> str:
    return os.path.normcase(os.path.abspath(path))


def find_config(explicit: Path | None, inputs: list[Path] = ()) -> Config:
    """``--config``, else the first configuration upward from the working directory, else upward
    from the first input (so ``pipelint check path/to/setup`` finds ``path/to/setup/pipelint.toml``)."""
    if explicit is not None:
        if not explicit.is_file():
            raise UsageError(f"{explicit}: configuration file not found")
        return config_module.load(explicit)
    found = config_module.find(Path.cwd())
    if found is None and inputs:
        # absolute() rather than resolve(): a symlink loop among the inputs is reported by the loader
        first = Path(inputs[0]).absolute()
        found = config_module.find(first if first.is_dir() else first.parent)
    return config_module.load(found)


def check_selectors(values: Iterable[str], option: str) -> list[str]:
    """``--select``/``--ignore`` values must be rule ids or prefixes (PL, PL3, PL301)."""
    values = [v.strip() for value in values for v in value.split(",") if v.strip()]
    for value in values:
        if not SELECTOR.match(value):
            raise UsageError(f"{option} {value!r}: expected a rule id or prefix such as PL301 or PL3")
    return [v.upper() for v in values]


def relevant(changed: list[Path], inputs: list[Path], cfg: Config, baseline: Path | None) -> bool:
    """Whether any changed file is (under) an input, or is the configuration or the baseline."""
    special = {_norm(p) for p in (cfg.path, baseline) if p is not None}
    # a .tf input stands for its folder, the module (its .tfvars and the files it reads count too)
    roots = [_norm(p.parent if p.suffix == ".tf" else p) for p in map(Path, inputs)]
    for path in changed:
        norm = _norm(path)
        if norm in special:
            return True
        if any(norm == root or norm.startswith(root.rstrip(os.sep) + os.sep) for root in roots):
            return True
    return False


def report_files(output: Path | None) -> dict[tuple[int, int], str]:
    """The files this run's report goes to, by (device, inode): ``--output`` when it exists already, and
    standard output when the shell redirected it to a file (``> out.json`` inside the inputs). They are
    never read as inputs."""
    import stat
    import sys

    found: dict[tuple[int, int], str] = {}
    try:
        info = os.fstat(sys.stdout.fileno())
        if stat.S_ISREG(info.st_mode):
            found[(info.st_dev, info.st_ino)] = "standard output"
    except (OSError, ValueError, AttributeError):  # no real stdout (closed, or replaced in-process)
        pass
    if output is not None:
        try:
            info = os.stat(output)
            found[(info.st_dev, info.st_ino)] = f"--output {output}"
        except OSError:
            pass  # not there yet: cannot be among the inputs
    return found


def check(inputs: list[Path], cfg: Config, *, select=(), ignore=(), baseline: Path | None | bool = None,
          changed: bool = False, outputs: dict | None = None) -> Outcome:
    """Lint ``inputs`` (else the config's ``inputs``).

    ``outputs``: the report's files (:func:`report_files`), which are never read as inputs.

    ``baseline``: a baseline file, ``None`` for the config's ``baseline``, ``False`` for none.
    ``changed`` (the pre-commit hook): ``inputs`` are the changed files, not what to lint — the
    config's ``inputs`` are linted in full (cross-account checks need every template), findings in the
    changed files come first, and nothing runs when no changed file is among the inputs."""
    from pipelint import baseline as baseline_module
    from pipelint import suppressions
    from pipelint.loaders import load_world

    notices = []
    baseline_path = cfg.baseline if baseline is None else (baseline or None)
    changed_set: frozenset = frozenset()
    if changed:
        changed_files = list(inputs)
        changed_set = frozenset(_norm(p) for p in changed_files)
        if cfg.inputs:
            inputs = list(cfg.inputs)
            if changed_files and not relevant(changed_files, inputs, cfg, baseline_path):
                return Outcome(World(), [], cfg, changed=changed_set, skipped=True)
        else:
            inputs = [p for p in changed_files if p.suffix in INPUT_SUFFIXES]
            notices.append(Notice(
                str(cfg.path) if cfg.path else "(no configuration)",
                "no `inputs` in the configuration: only the changed files were linted; set inputs so "
                "cross-account checks see every template"))
            if not inputs:
                return Outcome(World(notices=notices), [], cfg, changed=changed_set, skipped=True)
    if not inputs:
        inputs = list(cfg.inputs)
    if not inputs:
        raise UsageError("no inputs: name files or folders, or set `inputs` in [tool.pipelint]")
    every = engine.discover()
    rules = engine.selected(every, list(select) or cfg.select, [*cfg.ignore, *ignore])
    accepted = None
    if baseline_path is not None:  # read first: a broken baseline is reported as such, before the inputs
        baseline_path = Path(baseline_path)
        accepted = baseline_module.load(baseline_path)
    with _collector_paused():
        world = load_world(inputs, cfg, outputs)
        # the loaded world out of the collector's sight while rules run, and before the collector is
        # back: its first collection would otherwise be a full one over the whole world (0.45 s at
        # 10,000 pipelines)
        gc.freeze()
    try:
        world.notices[:0] = notices
        if baseline_path is not None:  # the baseline may sit among the inputs; it is not one
            world.notices = [n for n in world.notices if _norm(n.file) != _norm(baseline_path)]
        findings = engine.run(world, rules)
    finally:
        gc.unfreeze()  # in-process callers (tests, an editor) still get its cycles collected
    applied = suppressions.apply(findings, world, cfg, ran=rules, known=[r.rule.id for r in every])
    findings = findings + applied.meta
    for finding in findings:
        override = cfg.severity.get(finding.rule_id)
        if override and finding.verdict == "fail":
            finding.severity = override
    kinds = dict(applied.kinds)
    if baseline_path is not None:
        _, stale = baseline_module.apply(findings, baseline_path, kinds, accepted)
        if stale:
            world.notices.append(Notice(suppressions.display(baseline_path),
                                        f"{stale} baseline entr{'y no longer matches' if stale == 1 else 'ies no longer match'} "
                                        "any finding; `pipelint baseline` rewrites the file"))
    findings.sort(key=lambda f: (_norm(f.source.file) not in changed_set, *f.sort_key()))
    return Outcome(world, findings, cfg, rules=rules, kinds=kinds, changed=changed_set)


# -- output ----------------------------------------------------------------------------------------

def render(outcome: Outcome, fmt: str, *, fail_on: str = "error", root: Path | None = None,
           verbose: bool = False) -> str:
    """The report as text, in one of FORMATS (``text`` here is the plain form; ``verbose`` lists each
    unverified finding in it, not only the inputs that would settle them)."""
    findings, notices, files = outcome.findings, outcome.world.notices, len(outcome.world.files)
    if fmt == "json":
        from pipelint.reporters import json_report

        return json_report.render(findings, notices, files)
    if fmt == "sarif":
        from pipelint.reporters import sarif

        return sarif.render(outcome, root=root)
    if fmt == "junit":
        from pipelint.reporters import junit

        return junit.render(outcome, fail_on=fail_on)
    if fmt == "github":
        from pipelint.reporters import github

        return github.render(outcome, root=root)
    from pipelint.reporters import text

    return text.render_plain(findings, notices, files, verbose)


def emit(text: str, output: Path | None) -> None:
    if output is None:
        import sys

        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        output.write_text(text, encoding="utf-8")


def report(outcome: Outcome, fmt: str, output: Path | None, fail_on: str, no_color: bool,
           verbose: bool = False) -> int:
    """Print ``outcome`` as ``check`` and ``audit`` both do; return the exit code (0 clean, 1 failing).

    Text goes through rich only on a terminal without ``--no-color``/``NO_COLOR``; everything else
    is rendered as plain text into stdout or ``output``."""
    import sys

    if fmt == "text" and output is None and not (no_color or os.environ.get("NO_COLOR") or not sys.stdout.isatty()):
        from pipelint.reporters import text

        text.print_rich(outcome.findings, outcome.world.notices, len(outcome.world.files), sys.stdout, verbose)
    else:
        emit(render(outcome, fmt, fail_on=fail_on, verbose=verbose), output)
    return 1 if outcome.failing(fail_on) else 0
