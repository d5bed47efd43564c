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
