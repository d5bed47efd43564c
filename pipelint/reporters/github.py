"""``--format github``: GitHub Actions workflow commands, one annotation per unsuppressed finding::

    ::error file=tooling/pipeline.yaml,line=25,col=7,title=PL101 artifact-store-key::no encryptionKey ...

``error``/``warning`` follow the finding's severity, ``notice`` for info (unverified findings). The file is
relative to the repository root (GitHub resolves annotation paths against it), with ``line``/``col``
only when known. Escaping follows GitHub's toolkit (``@actions/core`` ``command.ts``): in the message
``%``, CR and LF become ``%25``, ``%0D``, ``%0A``; in property values ``:`` and ``,`` also become
``%3A`` and ``%2C``. The fix goes on a second line of the message. Notices and a one-line summary follow
as plain log lines.
"""

from __future__ import annotations

import os
from pathlib import Path

from pipelint.findings import Finding
from pipelint.reporters.sarif import find_root, relative_path

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding, root: Path) -> str:
    file = relative_path(f.source.file, root) or os.path.abspath(f.source.file)
    props = [("file", file)]
    if f.source.line:
        props.append(("line", str(f.source.line)))
        if f.source.column:
            props.append(("col", str(f.source.column)))
    props.append(("title", f"{f.rule_id} {f.rule_name}".strip()))
    message = f.message + (f"\nFix: {f.fix}" if f.fix else "")
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{COMMAND.get(f.severity, 'warning')} {joined}::{escape_data(message)}"


def render(outcome, *, root: Path | None = None) -> str:
    root = Path(os.path.abspath(root)) if root else find_root()
    active = [f for f in outcome.findings if f.suppressed is None]
    lines = [annotation(f, root) for f in active]
    lines += [f"note: {n.file}: {n.message}".replace("\n", " ") for n in outcome.world.notices]
    counts = {s: sum(f.severity == s for f in active) for s in ("error", "warning", "info")}
    suppressed = len(outcome.findings) - len(active)
    lines.append(f"pipelint: {counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info "
                 f"in {len(outcome.world.files)} file(s)" + (f"; {suppressed} suppressed" if suppressed else ""))
    return "\n".join(lines) + "\n"
