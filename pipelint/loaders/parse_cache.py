"""Parsed YAML documents, remembered by content in the user cache (``~/.cache/pipelint/documents/``).

Parsing YAML is pure Python over libyaml's events, and importing PyYAML alone costs about as much as
the rest of a small check: a pre-commit hook parses every template of a setup on every commit, most of
them unchanged. So a document parsed once is kept, as ruff and mypy keep theirs: a pickle of its data and
positions, named by a digest of

- the file's bytes (its content, nothing else: not its name, size or modification time, which do not
  say whether it changed),
- and everything else the result depends on: this format, pipelint's version, Python's version, and the
  files of the parser (pipelint's YAML loader and PyYAML), by size and modification time, so that an
  upgrade or an edited checkout parses again.

A changed file has another digest, so a stale entry is never found, only left to be pruned. An entry
that cannot be read (truncated, from another version of pickle) is ignored and written again. Only
successful parses are kept: bad input is parsed, and reported, every time. Never next to the inputs
and never in a shared temporary folder (a pickle is code to the reader): in the user's own cache folder,
created for the user alone.
"""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path
from typing import Any

from pipelint import __version__, user_cache

FORMAT = 1
KEEP = 2000  # entries kept when the folder is pruned (the most recently written)

_fingerprint: str | None = None


def _parser_files() -> list[str]:
    from importlib.util import find_spec

    here = Path(__file__).parent
    files = [str(here / "documents.py"), str(here / "yaml_documents.py")]
    spec = find_spec("yaml")
    if spec is not None and spec.origin:
        folder = Path(spec.origin).parent
        files += [str(p) for p in sorted(folder.iterdir()) if p.suffix in (".py", ".so", ".pyd")]
    return files


def fingerprint() -> str:
    """What besides a file's bytes decides what parsing it gives."""
    global _fingerprint
    if _fingerprint is None:
        parts = [f"format {FORMAT}", f"pipelint {__version__}", f"python {sys.version}"]
        for name in _parser_files():
            try:
                info = os.stat(name)
                parts.append(f"{name} {info.st_size} {info.st_mtime_ns}")
            except OSError:
                parts.append(f"{name} missing")
        _fingerprint = "\n".join(parts)
    return _fingerprint


def _entry(raw: bytes) -> Path:
    import hashlib

    digest = hashlib.sha256(fingerprint().encode() + b"\0" + raw).hexdigest()
    return user_cache.folder("documents") / digest


def load(raw: bytes) -> tuple[Any, dict] | None:
    """(data, positions) of a YAML file with these bytes, parsed before; None when not known."""
    try:
        with open(_entry(raw), "rb") as handle:
            found = pickle.load(handle)
    except Exception:  # noqa: BLE001 - missing, unreadable or foreign: parse again
        return None
    if not (isinstance(found, tuple) and len(found) == 3 and found[0] == FORMAT and isinstance(found[2], dict)):
        return None
    return found[1], found[2]


def save(raw: bytes, data: Any, positions: dict) -> None:
    """Remember a successful parse; a cache that cannot be written only costs the next run the parse."""
    import tempfile

    path = _entry(raw)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump((FORMAT, data, dict(positions)), out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, path)  # whole or not at all, even with two runs at once
        except BaseException:
            os.unlink(temp)
            raise
        if path.name.startswith("00"):  # about one write in 256
            prune(path.parent)
    except (OSError, pickle.PicklingError, RecursionError):
        pass


def prune(folder: Path, keep: int = KEEP) -> None:
    """Keep the ``keep`` most recently written entries."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.stat().st_mtime_ns, reverse=True)
        for entry in entries[keep:]:
            os.unlink(entry.path)
    except OSError:
        pass
