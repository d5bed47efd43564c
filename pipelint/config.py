"""Configuration: ``[tool.pipelint]`` in pyproject.toml or a ``pipelint.toml``, found upward from the
working directory (or named with ``--config``), validated against the shipped JSON Schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipelint.errors import InputError
from pipelint.records import field, record

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any

SCHEMA = Path(__file__).parent / "schemas" / "config.schema.json"


@record
class StackSpec:
    """One deployment of a template (or Terraform root module) in the deployment map."""

    template: Path
    account: str | None = None
    region: str | None = None
    stack_name: str | None = None
    parameters: dict = field(default_factory=dict)
    physical_ids: dict = field(default_factory=dict)  # logical id -> the physical id CFN generated
    ssm: dict = field(default_factory=dict)  # SSM parameter name -> value in this deployment's account and region
    # export name -> value, for Fn::ImportValue of exports that no input stack defines
    imports: dict = field(default_factory=dict)
    # Terraform root module folders: variable values as given (typed), -var-file files, and the account
    # and region of aliased providers ("aws.tooling" -> {account, region})
    values: dict = field(default_factory=dict)
    var_files: list = field(default_factory=list)
    providers: dict = field(default_factory=dict)
    workspace: str | None = None  # terraform.workspace of this deployment


@record
class Config:
    """The configuration: ``[tool.pipelint]`` or ``pipelint.toml``, with paths resolved."""

    path: Path | None = None  # the file it came from; None: defaults
    inputs: list = field(default_factory=list)
    select: list = field(default_factory=list)
    ignore: list = field(default_factory=list)
    fail_on: str = "error"
    severity: dict = field(default_factory=dict)
    org_id: str | None = None
    accounts: list = field(default_factory=list)
    baseline: Path | None = None
    stacks: list = field(default_factory=list)  # StackSpec
    pipelines: list = field(default_factory=list)  # dicts with file (Path), account, region
    policies: list = field(default_factory=list)  # dicts with file (Path), resource, kind; or kind, targets
    suppress: list = field(default_factory=list)
    # [organization]: id, root, management-account, children {parent: [child ids]}, listings [{file, parent}]
    organization: dict = field(default_factory=dict)
    ssm: dict = field(default_factory=dict)  # SSM parameter name -> value, for every deployment

    def ssm_for(self, spec: StackSpec | None) -> dict:
        """The SSM values one deployment reads: an entry's own ``ssm`` wins over the top-level table."""
        return {**self.ssm, **spec.ssm} if spec is not None and spec.ssm else self.ssm

    def stacks_for(self, template: Path) -> list[StackSpec]:
        return list(self._by_file("stacks", lambda s: s.template).get(resolved(template), ()))

    def binding_for(self, table: str, file: Path) -> list[dict]:
        return list(self._by_file(table, lambda entry: entry.get("file")).get(resolved(file), ()))

    def _by_file(self, table: str, file_of) -> dict:
        """``table``'s entries by the resolved path of their file, in order. Resolving every entry's path
        for every input was quadratic: 3,400 realpath calls, two thirds of loading a 50-template setup.
        Built on first use, and again when the table changed (another list, or entries added)."""
        entries = getattr(self, table)
        cached = self.__dict__.get(f"_by_file_{table}")
        if cached is None or cached[0] is not entries or cached[1] != len(entries):
            index: dict = {}
            for entry in entries:
                file = file_of(entry)
                if file is not None:
                    index.setdefault(resolved(Path(file)), []).append(entry)
            cached = (entries, len(entries), index)
            self.__dict__[f"_by_file_{table}"] = cached
        return cached[2]

    def listing_for(self, file: Path) -> dict | None:
        """The ``[[organization.listings]]`` entry that says whose children ``file`` lists."""
        target = resolved(file)
        return next((entry for entry in self.organization.get("listings", [])
                     if resolved(entry["file"]) == target), None)


_RESOLVED: dict = {}


def resolved(path: Path) -> Path:
    """``path.resolve()``, asked of the file system once per run (see :func:`forget_resolved`): the
    collector, the deployment-map check and the configuration ask it of every input, 326 realpath calls
    for a 50-template repository."""
    found = _RESOLVED.get(path)
    if found is None:
        found = _RESOLVED[path] = path.resolve()
    return found


def forget_resolved() -> None:
    """A new run: links may have changed since the last one (an editor or a test running several)."""
    _RESOLVED.clear()


def find(start: Path) -> Path | None:
    """The first pipelint.toml, or pyproject.toml with a [tool.pipelint] table, upward from ``start``."""
    for folder in [start, *start.parents]:
        candidate = folder / "pipelint.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and b"[tool.pipelint" in candidate.read_bytes():
            return candidate
    return None


def load(path: Path | None) -> Config:
    if path is None:
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read the configuration: {exc}") from None
    data = _parse_toml(text, path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("pipelint", {})
    else:
        data = data.get("tool", {}).get("pipelint", data)
    validate(data, path, text)
    return from_dict(data, path)


def _parse_toml(text: str, path: Path) -> dict:
    """The TOML of ``text``, from the user cache of parsed files when this text was parsed before
    (tomllib costs more to import than a small check takes; pipelint.loaders.parse_cache)."""
    from pipelint.loaders import parse_cache

    raw = text.encode()
    found = parse_cache.load(raw, "toml")
    if isinstance(found, dict):
        return found
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(str(path), f"not valid TOML: {exc}") from None
    parse_cache.save(raw, "toml", data)
    return data


def _cache_marker(text: str, schema_text: str) -> Path | None:
    """A file whose existence says this exact configuration already passed the schema."""
    from pipelint import user_cache

    digest = user_cache.digest((schema_text + "\0" + text).encode())[:32]
    return user_cache.folder("valid-config") / digest


def validate(data: dict, path: Path, text: str = "") -> None:
    """Check ``data`` against the shipped schema.

    jsonschema costs ~60 ms to import, a third of a pre-commit run, so a configuration that passed
    once is remembered by content hash under the user cache folder (never next to the inputs)."""
    schema_text = SCHEMA.read_text(encoding="utf-8")
    marker = _cache_marker(text or json.dumps(data, sort_keys=True, default=str), schema_text)
    if marker is not None and marker.exists():
        return
    import jsonschema

    schema = json.loads(schema_text)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        error = errors[0]
        key = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        raise InputError(str(path), f"invalid configuration at '{key}': {error.message}")
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        pass  # a read-only home only costs the next run the validation again


def from_dict(data: dict, path: Path) -> Config:
    base = path.parent

    def rel(p: str) -> Path:
        return (base / p)

    return Config(
        path=path,
        inputs=[rel(p) for p in data.get("inputs", [])],
        select=list(data.get("select", [])),
        ignore=list(data.get("ignore", [])),
        fail_on=data.get("fail-on", "error"),
        severity=dict(data.get("severity", {})),
        org_id=data.get("org-id"),
        accounts=list(data.get("accounts", [])),
        baseline=rel(data["baseline"]) if "baseline" in data else None,
        stacks=[
            StackSpec(template=rel(s["template"]), account=s.get("account"), region=s.get("region"),
                      stack_name=s.get("stack-name"), parameters=_strings(s.get("parameters", {})),
                      physical_ids=dict(s.get("physical-ids", {})), ssm=_ssm(s.get("ssm", {})),
                      imports=_strings(s.get("imports", {})),
                      values=dict(s.get("parameters", {})), var_files=[rel(f) for f in s.get("var-files", [])],
                      providers={k: dict(v) for k, v in s.get("providers", {}).items()},
                      workspace=s.get("workspace"))
            for s in data.get("stacks", [])
        ],
        pipelines=[{**p, "file": rel(p["file"])} for p in data.get("pipelines", [])],
        policies=[{**p, "file": rel(p["file"])} if "file" in p else dict(p) for p in data.get("policies", [])],
        suppress=list(data.get("suppress", [])),
        organization=_organization(data.get("organization", {}), rel),
        ssm=_ssm(data.get("ssm", {})),
    )


def _organization(table: dict, rel) -> dict:
    out = dict(table)
    if "listings" in table:
        out["listings"] = [{**entry, "file": rel(entry["file"])} for entry in table["listings"]]
    return out


def _ssm(values: dict[str, Any]) -> dict[str, str]:
    """SSM values as CloudFormation reads them: a StringList (a list here) is comma-separated."""
    return {name: ",".join(value) if isinstance(value, list) else value for name, value in values.items()}


def _strings(parameters: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation parameter values are strings; lists become comma-delimited as CFN does (Terraform
    variables take ``StackSpec.values``, typed as written)."""
    out = {}
    for name, value in parameters.items():
        if isinstance(value, list):
            out[name] = ",".join(str(v) for v in value)
        elif isinstance(value, dict):
            out[name] = str(value)
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        else:
            out[name] = str(value)
    return out
