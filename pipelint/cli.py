"""The command line: parses, calls plain modules, prints. Exit 0 clean, 1 findings, 2 bad input/usage."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from pipelint import __version__

app = typer.Typer(
    add_completion=False, no_args_is_help=True, rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Lint cross-account, cross-region AWS CodePipeline setups before they fail with AccessDenied.",
)


class Format(str, Enum):
    text = "text"
    json = "json"


class Level(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


def _version(value: bool) -> None:
    if value:
        print(f"pipelint {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                    help="Print the version and exit.")] = None,
) -> None:
    """pipelint checks the chain of permissions a cross-account pipeline needs."""


def _fail(message: str) -> None:
    print(f"pipelint: error: {message}", file=sys.stderr)
    raise typer.Exit(2)


@app.command()
def check(
    paths: Annotated[Optional[list[Path]], typer.Argument(
        help="Templates, cdk.out folders, pipeline JSON, policy files or folders of them.")] = None,
    output_format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report to this file.")] = None,
    fail_on: Annotated[Optional[Level], typer.Option(
        "--fail-on", help="Exit 1 when a finding has this severity or higher (default: error).")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="Configuration file to use.")] = None,
    select: Annotated[Optional[list[str]], typer.Option("--select", help="Only these rule ids or prefixes.")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option("--ignore", help="Skip these rule ids or prefixes.")] = None,
    no_color: Annotated[bool, typer.Option("--no-color", help="Plain text output.")] = False,
) -> None:
    """Lint the inputs and report findings."""
    from pipelint import runner
    from pipelint.errors import InputError, UsageError

    try:
        cfg = runner.find_config(config, list(paths or []))
        outcome = runner.check(list(paths or []), cfg, select=select or (), ignore=ignore or ())
    except (InputError, UsageError) as exc:
        _fail(str(exc))
        return
    findings, notices, files = outcome.findings, outcome.world.notices, len(outcome.world.files)
    stream = open(output, "w", encoding="utf-8") if output else sys.stdout
    try:
        if output_format is Format.json:
            from pipelint.reporters import json_report

            stream.write(json_report.render(findings, notices, files))
        else:
            from pipelint.reporters import text

            plain = no_color or "NO_COLOR" in os.environ or output is not None or not stream.isatty()
            if plain:
                stream.write(text.render_plain(findings, notices, files))
            else:
                text.print_rich(findings, notices, files, stream)
    finally:
        if output:
            stream.close()
    level = (fail_on.value if fail_on else None) or cfg.fail_on
    raise typer.Exit(1 if outcome.failing(level) else 0)


@app.command("rules")
def list_rules() -> None:
    """List every rule: id, name, default severity and summary."""
    from pipelint import engine

    for loaded in engine.discover():
        rule = loaded.rule
        print(f"{rule.id}  {rule.name:<28} {rule.severity:<8} {rule.summary}")


@app.command()
def explain(rule_id: Annotated[str, typer.Argument(help="A rule id such as PL101.")]) -> None:
    """Print one rule's documentation."""
    from pipelint import engine

    for loaded in engine.discover():
        if loaded.rule.id == rule_id.upper() or loaded.rule.name == rule_id:
            print(f"{loaded.rule.id} {loaded.rule.name} (default severity: {loaded.rule.severity})\n")
            print(loaded.doc)
            return
    _fail(f"no rule {rule_id!r}; `pipelint rules` lists them")


def main() -> None:
    app()
