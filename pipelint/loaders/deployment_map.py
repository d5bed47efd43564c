"""The deployment map cannot miss silently.

Every ``[[stacks]]``, ``[[pipelines]]`` and ``[[policies]]`` entry of the configuration must name a file
that exists, and a ``[[stacks]]`` entry for a template loaded in this run may give only parameters the
template declares and ``physical-ids`` of resources it defines: CloudFormation itself rejects a
parameter the template does not declare, and a map value that lands nowhere would otherwise end in
"No problems found". A problem is bad input (exit 2) naming the configuration file, the entry and,
when there is a close one, the name that was probably meant.

An entry for a template that exists but is not among this run's inputs is fine (the pre-commit hook
lints subsets); its parameters are not checked, so that checking costs no parsing beyond the run's own.

Loaders tell :class:`MapCheck` what they read: :meth:`MapCheck.declares` for a template (or any kind
of stack source, such as a Terraform root module, given its parameter-like and resource names) and
:meth:`MapCheck.read_as` for a file of another kind. A folder named by an entry passes while no loader
declares it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pipelint.config import Config, resolved
from pipelint.errors import InputError
from pipelint.records import record


@record(frozen=True)
class Declared:
    """What one stack source declares, in the words its messages use."""

    what: str  # "the template"
    parameters: tuple
    resources: tuple
    single: bool = False  # a cdk.out stack: the manifest deploys it once, only one entry applies


def template(data: dict) -> Declared:
    """What a CloudFormation template declares: its Parameters and its Resources."""
    parameters = data.get("Parameters")
    resources = data.get("Resources")
    return Declared("the template", tuple(parameters) if isinstance(parameters, dict) else (),
                    tuple(resources) if isinstance(resources, dict) else ())


class MapCheck:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.declared: dict[Path, Declared] = {}
        self.other: dict[Path, str] = {}  # files read as something that is not a stack

    def declares(self, path: Path, declared: Declared) -> None:
        self.declared[resolved(path)] = declared

    def read_as(self, path: Path, kind: str) -> None:
        self.other[resolved(path)] = kind

    def check(self) -> None:
        """Raise :class:`InputError` for the first entry that misses, in the order of the file."""
        if self.config.path is None:
            return
        used: dict[Path, int] = {}
        for index, spec in enumerate(self.config.stacks, 1):
            entry = _Entry(self.config, "stacks", index, "template", spec.template)
            self._exists(entry, spec.template)
            resolved_path = resolved(spec.template)
            declared = self.declared.get(resolved_path)
            if declared is None:
                if resolved_path in self.other:
                    raise entry.error(f"not a stack template: pipelint reads it as {self.other[resolved_path]}")
                continue
            if declared.single:
                if resolved_path in used:
                    raise entry.error(f"entry {used[resolved_path]} already maps this cdk.out stack, which deploys "
                                      "once (its manifest gives the environment); only one entry applies")
                used[resolved_path] = index
            for name in spec.parameters:
                if name not in declared.parameters:
                    listed = ", ".join(declared.parameters) if declared.parameters else "none"
                    raise entry.error(f'parameter "{name}" is not declared by {declared.what} '
                                      f"(it declares: {listed}){_suggest(name, declared.parameters)}",
                                      key=name)
            for logical in spec.physical_ids:
                if logical not in declared.resources:
                    raise entry.error(f'physical-ids "{logical}" is no resource of {declared.what}'
                                      f"{_suggest(logical, declared.resources)}", key=logical)
        for table in ("pipelines", "policies"):
            for index, binding in enumerate(getattr(self.config, table), 1):
                if "file" in binding:  # an organization policy bound by name has none
                    self._exists(_Entry(self.config, table, index, "file", binding["file"]), binding["file"])

    def _exists(self, entry: "_Entry", path: Path) -> None:
        if path.exists():
            return
        base = self.config.path.parent.resolve()
        known = [*self.declared, *self.other]
        if path.parent.is_dir():
            try:
                known += [path.parent.resolve() / name for name in os.listdir(path.parent)]
            except OSError:
                pass
        written = _written(path, self.config.path.parent)
        candidates = sorted({_written(p, base) for p in known} - {written})
        raise entry.error(f"no such file{_suggest(written, candidates)}")


class _Entry:
    """One entry of a configuration table, for messages: ``[[stacks]] entry 3 (template = "...")``."""

    def __init__(self, config: Config, table: str, index: int, field: str, path: Path) -> None:
        self.config, self.table, self.index = config, table, index
        nested = config.path.name == "pyproject.toml"
        self.header = f"[[tool.pipelint.{table}]]" if nested else f"[[{table}]]"
        self.label = f'{self.header} entry {index} ({field} = "{_written(path, config.path.parent)}")'

    def error(self, message: str, key: str | None = None) -> InputError:
        return InputError(_display(self.config.path), f"{self.label}: {message}", self._line(key))

    def _line(self, key: str | None) -> int | None:
        """The line of the entry's header (or of ``key`` inside it) when the file writes the table as
        ``[[...]]`` headers; None for inline arrays, which tomllib gives no positions for."""
        try:
            lines = self.config.path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return None
        table = r"tool\s*\.\s*pipelint\s*\.\s*" if self.config.path.name == "pyproject.toml" else ""
        header = re.compile(rf"^\s*\[\[\s*{table}{self.table}\s*\]\]")
        starts = [number for number, line in enumerate(lines) if header.match(line)]
        if len(starts) < self.index:
            return None
        start = starts[self.index - 1]
        if key is not None:
            pattern = re.compile(rf'(^|[{{,\s])("{re.escape(key)}"|{re.escape(key)})\s*=')
            for number in range(start + 1, len(lines)):
                if lines[number].lstrip().startswith("["):
                    break  # the next table
                if pattern.search(lines[number]):
                    return number + 1
        return start + 1


def _written(path: Path, base: Path) -> str:
    """``path`` as the configuration writes it: relative to the configuration's folder, with /."""
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _suggest(name: str, choices) -> str:
    import difflib  # only when an entry misses

    close = difflib.get_close_matches(name, list(choices), n=1)
    return f'; did you mean "{close[0]}"?' if close else ""
