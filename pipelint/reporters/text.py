"""``--format text``: failing findings grouped by file, each with file:line, rule, message and a fix hint;
then the unverified ones as a to-do list — one line per missing input, with how many checks it would
settle and which rules, the most useful first (``--verbose`` lists each unverified finding too).

Plain text when the output is not a terminal, with ``--no-color`` or ``NO_COLOR``; rich styling
otherwise (rich is imported only then, to keep the pre-commit path fast).
"""

from __future__ import annotations

from itertools import groupby

from pipelint.findings import UNVERIFIED, Finding, missing_inputs

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _finding_lines(f: Finding) -> list[tuple[str, str | None]]:
    where = f"{f.source.file}:{f.source.line or 1}:{f.source.column or 1}"
    out = [(f"  {where}: {f.severity} {f.rule_id} [{f.rule_name}] {f.message}", STYLE[f.severity])]
    if f.resources:
        out.append((f"      resources: {', '.join(f.resources)}", "dim"))
    if f.fix:
        for i, fix_line in enumerate(f.fix.splitlines()):
            out.append((("      fix: " if i == 0 else "           ") + fix_line, "green"))
    return out


def todo_line(missing) -> str:
    count = len(missing.findings)
    return f"  {missing.settle} — settles {count} check{'s' if count != 1 else ''} ({', '.join(missing.rules)})"


def lines(findings: list[Finding], notices: list, files: int, verbose: bool = False) -> list[tuple[str, str | None]]:
    """(text, style) pairs; the plain and the coloured output are the same text."""
    out: list[tuple[str, str | None]] = []
    active = [f for f in findings if f.suppressed is None]
    listed = active if verbose else [f for f in active if f.verdict != UNVERIFIED]
    for file, group in groupby(listed, key=lambda f: f.source.file):
        out.append((file, "bold underline"))
        for f in group:
            out.extend(_finding_lines(f))
        out.append(("", None))
    todo = missing_inputs(active)
    if todo:
        checks = sum(len(m.findings) for m in todo)
        out.append((f"Unverified: {checks} check{'s' if checks != 1 else ''} need{'s' if checks == 1 else ''} "
                    f"inputs pipelint does not have. Add to the inputs:", "bold cyan"))
        out.extend((todo_line(m), "cyan") for m in todo)
        if not verbose:
            out.append(("  (--verbose lists each unverified finding)", "dim"))
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


def render_plain(findings: list[Finding], notices: list, files: int, verbose: bool = False) -> str:
    return "\n".join(text for text, _ in lines(findings, notices, files, verbose)) + "\n"


def print_rich(findings: list[Finding], notices: list, files: int, file, verbose: bool = False) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(file=file, highlight=False)
    for text, style in lines(findings, notices, files, verbose):
        console.print(Text(text, style=style or ""))
