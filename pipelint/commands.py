"""The command line as typer defines it: every command, its options and help. Parses, calls plain
modules, prints. Exit 0 clean, 1 findings, 2 bad input/usage.

``pipelint check`` with ordinary arguments does not come here: :mod:`pipelint.cli` parses those itself,
without importing typer and click (a pre-commit hook's budget); anything else (help, a usage error, every
other command) is typer's. Work runs inside :func:`pipelint.cli.guarded` (no traceback, ever).
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from pipelint import __version__
from pipelint.cli import _fail, guarded, run_check

app = typer.Typer(
    add_completion=False, no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Lint cross-account, cross-region AWS CodePipeline setups before they fail with AccessDenied.",
)


class Format(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    github = "github"


class Level(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


def _version(value: bool) -> None:
    if value:
        from pipelint.data import aws_managed_policies

        print(f"pipelint {__version__}")
        try:
            print(aws_managed_policies.summary())
        except (OSError, ValueError, KeyError) as exc:  # a broken install: say so, no traceback
            print(f"AWS-managed policies: pipelint's copy cannot be read ({exc})")
        from pipelint.data import iam_actions

        print(iam_actions.summary())
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                    help="Print the version and exit.")] = None,
) -> None:
    """pipelint checks the chain of permissions a cross-account pipeline needs."""


Paths = Annotated[Optional[list[Path]], typer.Argument(
    help="Templates, cdk.out folders, pipeline JSON, policy files or folders of them "
         "(default: the configuration's `inputs`).", show_default=False)]
ConfigOpt = Annotated[Optional[Path], typer.Option("--config", "-c", help="Configuration file to use.")]
SelectOpt = Annotated[Optional[list[str]], typer.Option("--select", help="Only these rule ids or prefixes.")]
IgnoreOpt = Annotated[Optional[list[str]], typer.Option("--ignore", help="Skip these rule ids or prefixes.")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
OutputOpt = Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report to this file.")]
FailOnOpt = Annotated[Optional[Level], typer.Option(
    "--fail-on", help="Exit 1 when a finding has this severity or higher (default: error).")]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="Plain text output.")]
VerboseOpt = Annotated[bool, typer.Option(
    "--verbose", "-v", help="Text output: list each unverified finding, not only the inputs that would settle them.")]


@app.command()
def check(
    paths: Paths = None,
    output_format: FormatOpt = Format.text,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    config: ConfigOpt = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    baseline: Annotated[Optional[Path], typer.Option(
        "--baseline", help="Report only findings not in this baseline (default: the configuration's).")] = None,
    no_baseline: Annotated[bool, typer.Option("--no-baseline", help="Ignore any baseline.")] = False,
    changed: Annotated[bool, typer.Option(
        "--changed", help="PATHS are changed files (the pre-commit hook): lint the configuration's inputs, "
                          "list findings in PATHS first, do nothing when no input changed.")] = False,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Lint the inputs and report findings."""
    raise typer.Exit(run_check(paths, output_format.value, output, fail_on.value if fail_on else None, config,
                               select, ignore, baseline, no_baseline, changed, no_color, verbose))


@app.command("baseline")
def write_baseline(
    paths: Paths = None,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Baseline file to write (default: the configuration's `baseline`, "
                               "else pipelint-baseline.json).")] = None,
    config: ConfigOpt = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
) -> None:
    """Write the fingerprints of the current unsuppressed findings, so `check` reports only new ones."""
    from pipelint import baseline as baseline_module
    from pipelint import runner

    def work():
        cfg = runner.find_config(config, list(paths or []))
        target = output or cfg.baseline or Path("pipelint-baseline.json")
        outcome = runner.check(list(paths or []), cfg, select=runner.check_selectors(select or (), "--select"),
                               ignore=runner.check_selectors(ignore or (), "--ignore"), baseline=False,
                               outputs=runner.report_files(Path(target)))
        count = baseline_module.write(outcome.findings, Path(target))
        print(f"pipelint: wrote {count} finding(s) to {target}", file=sys.stderr)

    guarded(work)


@app.command()
def init(
    paths: Annotated[Optional[list[Path]], typer.Argument(
        help="Templates, cdk.out folders or folders of them (default: the current folder).", show_default=False)] = None,
    config: Annotated[Optional[Path], typer.Option(
        "--config", "-c", help="Configuration file to write (default: pipelint.toml in the current folder).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing configuration.")] = False,
    interactive: Annotated[Optional[bool], typer.Option(
        "--input/--no-input", help="Ask for each value (default: when standard input is a terminal); "
                                   "--no-input writes what can be inferred and marks the rest TODO.")] = None,
) -> None:
    """Write a deployment map (pipelint.toml) for the templates it finds, asking for what it cannot infer."""
    from pipelint import init as init_module

    def work():
        target = config or Path("pipelint.toml")
        inputs = list(paths or [Path(".")])
        session = init_module.prepare(inputs, target, force)
        if sys.stdin.isatty() if interactive is None else interactive:
            print(f"pipelint init: {len(session.templates)} template(s). Enter takes the [inferred] value, "
                  "'-' leaves a value out (marked TODO).", file=sys.stderr)
            init_module.converse(session, _ask, lambda text: print(text, file=sys.stderr))
        else:
            init_module.accept_inferred(session)
        written = init_module.write(session, inputs, target)
        todo = f"; {len(written.todo)} value(s) to fill in, marked TODO" if written.todo else ""
        print(f"pipelint: wrote {target} ({written.entries} stack entr{'y' if written.entries == 1 else 'ies'}"
              f"{todo}); next: pipelint check", file=sys.stderr)

    guarded(work)


def _ask(question, default: str | None, why: str) -> str:
    """One question on the terminal (stderr, so stdout stays free); end of input stops init."""
    import click

    from pipelint.errors import UsageError

    if question.help:
        print(f"  ({question.help})", file=sys.stderr)
    if default and why:
        print(f"  inferred: {why}", file=sys.stderr)
    try:
        return click.prompt(question.text, default=default or "", show_default=bool(default), err=True)
    except click.exceptions.Abort:
        raise UsageError("input ended before the last question; nothing written "
                         "(--no-input writes what can be inferred)") from None


class GraphFormat(str, Enum):
    mermaid = "mermaid"
    markdown = "markdown"
    dot = "dot"
    html = "html"


@app.command()
def graph(
    paths: Paths = None,
    output_format: Annotated[Optional[GraphFormat], typer.Option(
        "--format", "-f", help="mermaid (a flowchart), markdown (the flowchart in a ```mermaid fence, for a pull "
                               "request), dot (Graphviz) or html (a self-contained report). Default: what the "
                               "--output suffix says (.mmd .md .dot .html), else mermaid.", show_default=False)] = None,
    pipeline: Annotated[Optional[str], typer.Option(
        "--pipeline", "-p", help="Draw only this pipeline (its name), with its triggers.")] = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Draw the setup: accounts, regions, the pipeline and its actions, roles, buckets, keys and triggers, with
    each access link coloured by its verdict (holds / fails / unverified)."""
    from pipelint import runner
    from pipelint.graph import command

    def work():
        cfg = runner.find_config(config, list(paths or []))
        fmt = command.format_for(output_format.value if output_format else None, output)
        runner.emit(command.make(list(paths or []), cfg, fmt, pipeline, output), output)

    guarded(work)


class TraceFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def trace(
    pipeline: Annotated[str, typer.Argument(help="The pipeline: its name (or ARN).", show_default=False)],
    paths: Paths = None,
    action: Annotated[Optional[str], typer.Option(
        "--action", "-a", help="Only this action (its name, or STAGE/NAME).")] = None,
    output_format: Annotated[TraceFormat, typer.Option("--format", "-f", help="Output format.")] = TraceFormat.text,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """Show the requests each action of PIPELINE makes at run time (assume, read, write, decrypt, encrypt, pass
    role, ...), each with its verdict and the statements (file:line) that allow or deny it. Exit 1 when one fails."""
    from pipelint import runner
    from pipelint import trace as trace_module

    def work():
        cfg = runner.find_config(config, list(paths or []))
        outcome = runner.check(list(paths or []), cfg, baseline=False, outputs=runner.report_files(output))
        found = trace_module.find(outcome.world, pipeline)
        data = trace_module.build(outcome.world, found, outcome.findings, action)
        if output_format is TraceFormat.json:
            runner.emit(trace_module.to_json(data), output)
        elif output is None and sys.stdout.isatty() and not (no_color or os.environ.get("NO_COLOR")):
            trace_module.render_text(data, colour=True, stream=sys.stdout)
        else:
            runner.emit(trace_module.render_text(data), output)
        return 1 if trace_module.failing(data) else 0

    raise typer.Exit(guarded(work))


@app.command("rules")
def list_rules() -> None:
    """List every rule: id, name, default severity and summary."""
    from pipelint import engine

    for loaded in guarded(engine.discover):
        rule = loaded.rule
        print(f"{rule.id}  {rule.name:<28} {rule.severity:<8} {rule.summary}")


@app.command()
def explain(rule_id: Annotated[str, typer.Argument(help="A rule id such as PL101.")]) -> None:
    """Print one rule's documentation."""
    from pipelint import engine

    for loaded in guarded(engine.discover):
        if loaded.rule.id == rule_id.upper() or loaded.rule.name == rule_id:
            print(f"{loaded.rule.id} {loaded.rule.name} (default severity: {loaded.rule.severity})\n")
            print(loaded.doc)
            return
    _fail(f"no rule {rule_id!r}; `pipelint rules` lists them")


@app.command()
def audit(
    profile: Annotated[Optional[str], typer.Option(
        "--profile", help="AWS profile (default: the standard credential chain).")] = None,
    region: Annotated[Optional[list[str]], typer.Option(
        "--region", help="Region whose pipelines are audited; repeatable (default: the profile's or AWS_REGION).")] = None,
    pipeline: Annotated[Optional[list[str]], typer.Option(
        "--pipeline", help="Audit only this pipeline; repeatable (default: every pipeline).")] = None,
    assume_role: Annotated[Optional[str], typer.Option(
        "--assume-role", metavar="NAME", help="Role to assume in every other account the pipelines touch.")] = None,
    external_id: Annotated[Optional[str], typer.Option("--external-id", help="External id for --assume-role.")] = None,
    accounts: Annotated[Optional[list[str]], typer.Option(
        "--accounts", help="Audit only these accounts (comma-separated or repeated): pipelines are listed in "
                           "each, no other account is read.")] = None,
    org: Annotated[bool, typer.Option(
        "--org", help="Audit every active account of the AWS Organization (needs --assume-role).")] = False,
    save: Annotated[Optional[Path], typer.Option(
        "--save", metavar="DIR", help="Write the snapshot to DIR; `pipelint check DIR` gives the same findings.")] = None,
    output_format: FormatOpt = Format.text,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    config: ConfigOpt = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    baseline: Annotated[Optional[Path], typer.Option(
        "--baseline", help="Report only findings not in this baseline (made from a --save folder).")] = None,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Concurrent AWS reads.")] = 16,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar on stderr.")] = False,
    print_policy: Annotated[bool, typer.Option(
        "--print-policy", help="Print the read-only IAM policy the auditing role needs, and exit.")] = False,
) -> None:
    """Audit deployed pipelines across accounts and regions, read-only, with the rules of `check`."""
    from pipelint import live, runner
    from pipelint.errors import UsageError

    def work():
        if print_policy:
            sys.stdout.write(live.policy_text())
            return 0
        try:
            import boto3  # noqa: F401 - only the audit needs it: the `live` extra
        except ImportError:
            raise UsageError("pipelint audit reads AWS with boto3, which is not installed: "
                             "pip install 'pipelint[live]'") from None
        ids = [a.strip() for value in accounts or () for a in value.split(",") if a.strip()]
        bad = [a for a in ids if not (len(a) == 12 and a.isdigit())]
        if bad:
            raise UsageError(f"--accounts {bad[0]!r}: expected a 12-digit account id")
        cfg = runner.find_config(config.resolve() if config else None, [])
        options = live.AuditOptions(profile=profile, regions=list(region or ()), pipelines=list(pipeline or ()),
                                    assume_role=assume_role, external_id=external_id, accounts=ids or None, org=org,
                                    workers=workers, progress=not no_progress and sys.stderr.isatty())
        outcome, snapshot = live.audit(options, cfg, save=save, select=runner.check_selectors(select or (), "--select"),
                                       ignore=runner.check_selectors(ignore or (), "--ignore"), baseline=baseline or False)
        print(live.summary(snapshot) + (f"; snapshot saved in {save}" if save else ""), file=sys.stderr)
        return live.report(outcome, output_format.value, output, fail_on.value if fail_on else cfg.fail_on, no_color,
                           verbose)

    raise typer.Exit(guarded(work))
