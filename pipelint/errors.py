"""Errors that end a run with exit code 2: bad input or bad usage, never a traceback."""

from __future__ import annotations


class InputError(Exception):
    """An input file pipelint cannot read; carries the file, the line when known, and one sentence."""

    def __init__(self, path: str, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.path = path
        self.message = message
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class EmptyInput(InputError):
    """A file with nothing in it (no bytes, only whitespace, or only YAML comments): no input at all, so a
    walk of the inputs skips it with a note (the shell creates ``> out.json`` empty before pipelint runs)."""


class UsageError(Exception):
    """A command line or configuration the user must correct."""
