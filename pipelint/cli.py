"""The entry point: ``pipelint check`` parsed here, everything else by the typer app (pipelint.commands).

typer and click cost about a third of a cold ``pipelint check`` (importing them and building the
command tree), the run a pre-commit hook makes on every commit. So ``check`` with ordinary arguments
(paths and the options ``check`` documents, each spelled ``--name value``, ``--name=value`` or ``-x value``)
is parsed here, and runs exactly what the typer command runs (:func:`run_check`). Whatever this parser
does not take for certain (``-h``, an unknown option, a value that is not one of the choices, ``--``,
grouped short options, an option without its value) goes to typer, which then gives its own help and
its own usage error: the behaviour is typer's in every case, only the cost differs.

Every command runs its work inside :func:`guarded`, which turns pipelint's input and usage errors (and,
as a last resort, any unexpected exception) into one ``pipelint: error: ...`` line on stderr and exit
code 2 — never a traceback (``PIPELINT_DEBUG=1`` shows it).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import TypeVar

    T = TypeVar("T")

FORMATS = ("text", "json", "sarif", "junit", "github")
LEVELS = ("error", "warning", "info")


def _fail(message: str) -> None:
    print(f"pipelint: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def guarded(work: Callable[[], T]) -> T:
    """Run ``work``; bad input, bad usage or an unexpected error end the run with exit 2, no traceback."""
    from pipelint.errors import InputError, UsageError

    try:
        return work()
    except (InputError, UsageError) as exc:
        message = str(exc)
    except OSError as exc:
        message = f"{exc.filename + ': ' if exc.filename else ''}{exc.strerror or exc}"
    except Exception as exc:  # noqa: BLE001 - the promise is "no traceback ever"
        if os.environ.get("PIPELINT_DEBUG"):
            raise
        message = f"internal error: {type(exc).__name__}: {exc} (PIPELINT_DEBUG=1 shows the traceback)"
    _fail(message)
    raise AssertionError  # unreachable: _fail exits


def run_check(paths, output_format: str, output: Path | None, fail_on: str | None, config: Path | None,
              select, ignore, baseline: Path | None, no_baseline: bool, changed: bool, no_color: bool,
              verbose: bool) -> int:
    """``pipelint check``: lint the inputs and report findings; the exit code."""
    from pipelint import runner

    def work():
        cfg = runner.find_config(config, list(paths or []))
        chosen = False if no_baseline else baseline
        outcome = runner.check(list(paths or []), cfg, select=runner.check_selectors(select or (), "--select"),
                               ignore=runner.check_selectors(ignore or (), "--ignore"), baseline=chosen,
                               changed=changed, outputs=runner.report_files(output))
        level = fail_on if fail_on else cfg.fail_on
        if outcome.skipped and output_format == "text":
            runner.emit("No input changed: nothing to check\n", output)
            return 0
        return runner.report(outcome, output_format, output, level, no_color, verbose)

    return guarded(work)


# -- `check` without typer ------------------------------------------------------------------------

# option -> (parameter, kind); kinds: "path", "text" (repeatable, collected), a tuple of choices, "flag"
_CHECK_OPTIONS: dict[str, tuple[str, object]] = {
    "--format": ("output_format", FORMATS), "-f": ("output_format", FORMATS),
    "--output": ("output", "path"), "-o": ("output", "path"),
    "--fail-on": ("fail_on", LEVELS),
    "--config": ("config", "path"), "-c": ("config", "path"),
    "--select": ("select", "text"), "--ignore": ("ignore", "text"),
    "--baseline": ("baseline", "path"),
    "--no-baseline": ("no_baseline", "flag"), "--changed": ("changed", "flag"),
    "--no-color": ("no_color", "flag"), "--verbose": ("verbose", "flag"), "-v": ("verbose", "flag"),
}


def parse_check(args: list[str]) -> dict | None:
    """The keyword arguments of :func:`run_check` for ``pipelint check ARGS``, as the typer command would
    receive them; None when anything is not certain to mean what it means to click (typer decides then)."""
    found: dict = {"paths": [], "output_format": "text", "output": None, "fail_on": None, "config": None,
                   "select": [], "ignore": [], "baseline": None, "no_baseline": False, "changed": False,
                   "no_color": False, "verbose": False}
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if not arg.startswith("-"):
            found["paths"].append(Path(arg))
            continue
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        spec = _CHECK_OPTIONS.get(name)
        if spec is None:
            return None  # -h, --help, --, grouped short options, "-", an unknown option: typer's to say
        parameter, kind = spec
        if kind == "flag":
            if eq:
                return None
            found[parameter] = True
            continue
        if not eq:
            if i >= len(args):
                return None
            value = args[i]
            i += 1
        if not value or value.startswith("-"):
            return None  # click's reading of these is subtle: leave it to click
        if kind == "path":
            found[parameter] = Path(value)
        elif kind == "text":
            found[parameter].append(value)
        elif value in kind:  # type: ignore[operator]
            found[parameter] = value
        else:
            return None  # not one of the choices: typer's usage error
    for name in ("paths", "select", "ignore"):
        found[name] = found[name] or None
    return found


def _run_parsed(parsed: dict) -> int:
    """Run ``check`` as click's standalone mode would around the command: Ctrl-C is "Aborted!" and exit
    1, a closed pipe on stdout exit 1 without a word."""
    import errno

    try:
        return run_check(**parsed)
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        print("Aborted!", file=sys.stderr)
        return 1
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        sys.stdout = sys.stderr = _Quiet()  # as click: nothing more is written to a closed pipe
        return 1


class _Quiet:
    def write(self, *_):
        return 0

    def flush(self):
        pass


def __getattr__(name: str):
    """``pipelint.cli.app`` (and the typer app's other names) for those who use the typer application."""
    if name.startswith("__"):  # the import system asks for __path__ and the like: not the typer app's
        raise AttributeError(f"module 'pipelint.cli' has no attribute {name!r}")
    from pipelint import commands

    try:
        return getattr(commands, name)
    except AttributeError:
        raise AttributeError(f"module 'pipelint.cli' has no attribute {name!r}") from None


def main(*, fast_exit: bool = False) -> None:
    """The command line. ``fast_exit``: leave after ``check`` without tearing the interpreter down
    (what the ``pipelint`` executable does, see :func:`command`); in-process callers get SystemExit."""
    args = sys.argv[1:]
    if args and args[0] == "check":
        parsed = parse_check(args[1:])
        if parsed is not None:
            code = _run_parsed(parsed)
            if fast_exit:
                _exit_now(code)
            sys.exit(code)
    from pipelint.commands import app

    app()


def command() -> None:
    """The ``pipelint`` executable (pyproject.toml's console script). ``python -m pipelint`` runs
    :func:`main`, so that code running that module in-process (runpy) still gets its SystemExit."""
    main(fast_exit=True)


def _exit_now(code: int) -> None:
    """End the process once the report is out, without freeing the world object by object: after a
    check nothing is left to do, and the teardown is a tenth of the example's cold check (6 ms of 57)
    and 0.1 s at 10,000 pipelines. mypy leaves the same way. A report that cannot be flushed (a closed
    pipe, a full disk) ends as one that cannot be written: a sentence and exit 2, as :func:`guarded`."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError as exc:
        try:
            print(f"pipelint: error: {exc.strerror or exc}", file=sys.stderr, flush=True)
        except OSError:
            pass
        code = 2
    os._exit(code)
