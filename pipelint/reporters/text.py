"""``--format text``: findings grouped by file, each with file:line, rule, message and a fix hint.

Plain text when the output is not a terminal, with ``--no-color`` or ``NO_COLOR``; rich styling
otherwise (rich is imported only then, to keep the pre-commit path fast).
"""

from __future__ import annotations

from itertools import groupby

from pipelint.findings import Finding

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def lines(findings: list[Finding], notices: list, files: int) -> list[tuple[str, str | None]]:
    """(text, style) pairs; the plain and the coloured output are the same text."""
    out: list[tuple[str, str | None]] = []
    active = [f for f in findings if f.suppressed is None]
    for file, group in groupby(active, key=lambda f: f.source.file):
        out.append((file, "bold underline"))
        for f in group:
            where = f"{f.source.file}:{f.source.line or 1}:{f.source.column or 1}"
            out.append((f"  {where}: {f.severity} {f.rule_id} [{f.rule_name}] {f.message}", STYLE[f.severity]))
            if f.resources:
                out.append((f"      resources: {', '.join(f.resources)}", "dim"))
            if f.fix:
                for i, fix_line in enumerate(f.fix.splitlines()):
                    out.append((("      fix: " if i == 0 else "           ") + fix_line, "green"))
        out.append(("", None))
    for notice in notices:
        out.append((f"note: {notice.file}: {notice.message}", "dim"))
    counts = {s: sum(f.severity == s for f in active) for s in ("error", "warning", "info")}
    suppressed = len(findings) - len(active)
    summary = (f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info "
               f"in {files} file(s)" + (f"; {suppressed} suppressed" if suppressed else ""))
    out.append((summary if active else f"No problems found in {files} file(s)"
                + (f"; {suppressed} suppressed" if suppressed else ""), "bold"))
    return out


def render_plain(findings: list[Finding], notices: list, files: int) -> str:
    return "\n".join(text for text, _ in lines(findings, notices, files)) + "\n"


def print_rich(findings: list[Finding], notices: list, files: int, file) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(file=file, highlight=False)
    for text, style in lines(findings, notices, files):
        console.print(Text(text, style=style or ""))
