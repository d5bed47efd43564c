"""What ``pipelint graph`` does, without the command line: lint the inputs as ``check`` does, build the
picture of the chosen pipelines and write it in the chosen format."""

from __future__ import annotations

from pathlib import Path

from pipelint.config import Config
from pipelint.errors import UsageError

FORMATS = ("mermaid", "markdown", "dot", "html")
SUFFIXES = {".mmd": "mermaid", ".mermaid": "mermaid", ".md": "markdown", ".dot": "dot", ".gv": "dot",
            ".html": "html", ".htm": "html"}


def format_for(fmt: str | None, output: Path | None) -> str:
    """``--format``, else what the ``--output`` file's suffix says, else Mermaid."""
    if fmt is not None:
        return fmt
    if output is not None and output.suffix.lower() in SUFFIXES:
        return SUFFIXES[output.suffix.lower()]
    return "mermaid"


def make(inputs: list[Path], cfg: Config, fmt: str, pipeline: str | None = None, output: Path | None = None) -> str:
    from pipelint import runner
    from pipelint.graph import model

    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    # the picture's own file (--output, or a redirected standard output) is never an input
    outcome = runner.check(inputs, cfg, baseline=False, outputs=runner.report_files(output))
    world = outcome.world
    if not world.pipelines:
        raise UsageError("no pipeline among the inputs: nothing to draw")
    graph = model.build(world, model.select(world, pipeline), outcome.findings, every=pipeline is None)
    if fmt == "mermaid":
        from pipelint.graph import mermaid

        return mermaid.render(graph)
    if fmt == "markdown":
        from pipelint.graph import mermaid

        return mermaid.render_markdown(graph)
    if fmt == "dot":
        from pipelint.graph import dot

        return dot.render(graph)
    from pipelint.graph import report

    return report.render(graph, outcome.findings)
