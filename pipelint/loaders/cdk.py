"""CDK cloud assemblies (``cdk.out``): ``manifest.json`` names each stack's template and environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pipelint.errors import InputError
from pipelint.loaders.documents import load_document
from pipelint.values import Unknown


def is_assembly(folder: Path) -> bool:
    return (folder / "manifest.json").is_file() and any(folder.glob("*.template.json"))


def stacks(folder: Path, display) -> Iterator[tuple[Path, object, object, str]]:
    """(template path, account, region, stack name) for every stack, nested assemblies included."""
    yield from _walk(folder, display, set())


def _walk(folder: Path, display, seen: set) -> Iterator[tuple[Path, object, object, str]]:
    real = folder.resolve()
    if real in seen:
        return
    seen.add(real)
    manifest = load_document(folder / "manifest.json", display=display(folder / "manifest.json"))
    artifacts = manifest.data.get("artifacts") if isinstance(manifest.data, dict) else None
    if not isinstance(artifacts, dict):
        raise InputError(manifest.path, "cloud assembly manifest has no 'artifacts' mapping")
    for artifact_id, artifact in artifacts.items():
        if not isinstance(artifact, dict):
            continue
        props = artifact.get("properties")
        props = props if isinstance(props, dict) else {}
        if artifact.get("type") == "aws:cloudformation:stack":
            template = props.get("templateFile")
            if not isinstance(template, str):
                raise InputError(manifest.path, f"stack artifact {artifact_id} has no templateFile",
                                 *(manifest.locate(("artifacts", artifact_id)) or (None, None)))
            account, region = _environment(artifact.get("environment"), artifact_id)
            name = props.get("stackName")
            yield folder / template, account, region, name if isinstance(name, str) and name else str(artifact_id)
        elif artifact.get("type") == "cdk:cloud-assembly" and isinstance(props.get("directoryName"), str):
            yield from _walk(folder / props["directoryName"], display, seen)


def _environment(env: object, artifact_id: str) -> tuple[object, object]:
    """``aws://ACCOUNT/REGION``; CDK writes ``unknown-account``/``unknown-region`` for agnostic stacks."""
    account: object = Unknown(f"stack {artifact_id} is environment-agnostic (no account in cdk.out)")
    region: object = Unknown(f"stack {artifact_id} is environment-agnostic (no region in cdk.out)")
    if isinstance(env, str) and env.startswith("aws://"):
        parts = env[len("aws://"):].split("/")
        if len(parts) == 2:
            if parts[0].isdigit() and len(parts[0]) == 12:
                account = parts[0]
            if parts[1] and not parts[1].startswith("unknown"):
                region = parts[1]
    return account, region
