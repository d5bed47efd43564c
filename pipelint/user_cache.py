"""pipelint's folder in the user's cache (``$XDG_CACHE_HOME/pipelint``, else ``~/.cache/pipelint``).

What is kept there only saves time on the next run (a configuration that passed the schema, action
names known to exist); losing it costs a slower run, never a different answer. Never next to the inputs.
"""

from __future__ import annotations

import os
from pathlib import Path


def folder(*parts: str) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "pipelint", *parts)


def digest(*parts: bytes) -> str:
    """SHA-256 of ``parts`` one after the other, in hex. hashlib's OpenSSL costs ~3 ms to import, more
    than hashing a few templates takes: Python's own SHA-256 module for small inputs, OpenSSL's for
    large ones."""
    if sum(map(len, parts)) < 1 << 20:
        try:
            from _sha2 import sha256  # Python 3.12 and later
        except ImportError:
            try:
                from _sha256 import sha256  # Python 3.10 and 3.11
            except ImportError:  # pragma: no cover - a build without it
                from hashlib import sha256
    else:
        from hashlib import sha256
    state = sha256()
    for part in parts:
        state.update(part)
    return state.hexdigest()
