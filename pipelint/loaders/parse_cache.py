"""Parsed YAML documents and TOML configurations, remembered by content in the user cache
(``~/.cache/pipelint/documents/``).

Parsing YAML is pure Python over libyaml's events, and importing PyYAML (or tomllib) costs about as much
as the rest of a small check: a pre-commit hook parses every template of a setup on every commit, most
of them unchanged. So what was parsed once is kept, as ruff and mypy keep theirs: the data (and a
document's positions) in ``marshal`` format (built into Python, nothing to import; shared objects such as
YAML aliases stay shared; a value it cannot hold, such as a TOML date, is simply not kept), named by a
digest of

- the file's bytes (its content, nothing else: not its name, size or modification time, which do not
  say whether it changed),
- and everything else the result depends on: what was parsed (YAML or TOML), this format, pipelint's
  version, Python's version (marshal's format and tomllib are Python's), and the files of the parser
  (pipelint's YAML loader and PyYAML; tomli below Python 3.11), by size and modification time, so that
  an upgrade or an edited checkout parses again.

A changed file has another digest, so a stale entry is never found, only left to be pruned. An entry
that cannot be read (truncated, foreign) is ignored and written again. Only successful parses are kept:
bad input is parsed, and reported, every time. Never next to the inputs and never in a shared temporary
folder (marshal data is not for untrusted hands): in the user's own cache folder, created for the user
alone.
"""

from __future__ import annotations

import marshal
import os
import sys
from pathlib import Path

from pipelint import __version__, user_cache

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any

FORMAT = 2
KEEP = 2000  # entries kept when the folder is pruned (the most recently written)
KINDS = ("yaml", "toml")

_fingerprints: dict[str, str] = {}


def _parser_files(kind: str) -> list[str]:
    # PathFinder, not importlib.util.find_spec: the parsers are plain top-level modules on sys.path,
    # and importlib.util costs 2 ms of imports on the cold path
    from importlib.machinery import PathFinder

    find_spec = PathFinder.find_spec
    here = Path(__file__).parent
    files = [str(here / "documents.py"), str(here / "yaml_documents.py")] if kind == "yaml" else []
    spec = find_spec("yaml" if kind == "yaml" else "tomllib" if sys.version_info >= (3, 11) else "tomli")
    if spec is not None and spec.origin:
        folder = Path(spec.origin).parent
        if kind == "yaml" or spec.name == "tomli":
            files += [str(p) for p in sorted(folder.iterdir()) if p.suffix in (".py", ".so", ".pyd")]
    return files


def fingerprint(kind: str) -> str:
    """What besides a file's bytes decides what parsing it as ``kind`` gives."""
    found = _fingerprints.get(kind)
    if found is None:
        parts = [f"{kind} format {FORMAT}", f"pipelint {__version__}", f"python {sys.version}"]
        for name in _parser_files(kind):
            try:
                info = os.stat(name)
                parts.append(f"{name} {info.st_size} {info.st_mtime_ns}")
            except OSError:
                parts.append(f"{name} missing")
        found = _fingerprints[kind] = "\n".join(parts)
    return found


def _entry(raw: bytes, kind: str) -> Path:
    key = _keys.get(kind)
    if key is None:
        key = _keys[kind] = (user_cache.digest(fingerprint(kind).encode()) + "\0").encode()
    return user_cache.folder("documents") / user_cache.digest(key, raw)


_keys: dict[str, bytes] = {}


def load(raw: bytes, kind: str) -> Any:
    """What parsing these bytes as ``kind`` gave before; None when not known."""
    try:
        with open(_entry(raw, kind), "rb") as handle:
            found = marshal.loads(handle.read())
    except Exception:  # noqa: BLE001 - missing, unreadable or foreign: parse again
        return None
    if not (isinstance(found, tuple) and len(found) == 3 and found[0] == FORMAT and found[1] == kind):
        return None
    return found[2]


def save(raw: bytes, kind: str, value: Any) -> None:
    """Remember a successful parse; a cache that cannot be written only costs the next run the parse."""
    try:
        body = marshal.dumps((FORMAT, kind, value))
    except ValueError:  # a value marshal cannot hold (a TOML date): not kept
        return
    path = _entry(raw, kind)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # a temporary file of our own (tempfile costs 5 ms to import): created, never opened if there
        temp = str(path.parent / f".tmp-{os.getpid()}-{os.urandom(6).hex()}")
        handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(body)
            os.replace(temp, path)  # whole or not at all, even with two runs at once
        except BaseException:
            os.unlink(temp)
            raise
        if path.name.startswith("00"):  # about one write in 256
            prune(path.parent)
    except OSError:
        pass


def prune(folder: Path, keep: int = KEEP) -> None:
    """Keep the ``keep`` most recently written entries."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.stat().st_mtime_ns, reverse=True)
        for entry in entries[keep:]:
            os.unlink(entry.path)
    except OSError:
        pass
