"""What ``pipelint check`` does, without the command line: config, world, rules, filtered findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipelint import config as config_module
from pipelint import engine
from pipelint.config import Config
from pipelint.errors import UsageError
from pipelint.findings import Finding, severity_rank
from pipelint.loaders import load_world
from pipelint.model import World


@dataclass
class Outcome:
    world: World
    findings: list = field(default_factory=list)  # every finding, suppressed ones marked
    config: Config = field(default_factory=Config)

    def failing(self, fail_on: str) -> list[Finding]:
        return [f for f in self.findings
                if f.suppressed is None and severity_rank(f.severity) >= severity_rank(fail_on)]


def find_config(explicit: Path | None, inputs: list[Path] = ()) -> Config:
    """``--config``, else the first configuration upward from the working directory, else upward
    from the first input (so ``pipelint check path/to/setup`` finds ``path/to/setup/pipelint.toml``)."""
    if explicit is not None:
        if not explicit.is_file():
            raise UsageError(f"{explicit}: configuration file not found")
        return config_module.load(explicit)
    found = config_module.find(Path.cwd())
    if found is None and inputs:
        first = Path(inputs[0]).resolve()
        found = config_module.find(first if first.is_dir() else first.parent)
    return config_module.load(found)


def check(inputs: list[Path], cfg: Config, *, select=(), ignore=()) -> Outcome:
    if not inputs:
        inputs = list(cfg.inputs)
    if not inputs:
        raise UsageError("no inputs: name files or folders, or set `inputs` in [tool.pipelint]")
    world = load_world(inputs, cfg)
    rules = engine.selected(engine.discover(), list(select) or cfg.select, [*cfg.ignore, *ignore])
    findings = engine.run(world, rules)
    for finding in findings:
        override = cfg.severity.get(finding.rule_id)
        if override and finding.verdict == "fail":
            finding.severity = override
    return Outcome(world, findings, cfg)
