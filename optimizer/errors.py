"""Problems and exceptions that reach the planner, with the exit code each one maps to."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_USAGE = 1
EXIT_INVALID = 2
EXIT_INFEASIBLE = 3
EXIT_SOLVER = 4
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM: the shell's code for an interrupted command


@dataclass(frozen=True)
class Problem:
    """One located input problem: where it is, what was there, which rule it breaks."""

    sheet: str
    rule: str
    row: int | None = None  # Excel row number (1-based), None for sheet-level problems
    column: str | None = None  # header text as typed
    value: object = None
    hint: str = ""  # how to fix it ("did you mean 'horizon_months'?")
    severity: str = "error"  # error | warning
    cell: str | None = None  # e.g. "C7" when known
    row_id: str = ""  # the row's id beside the cell, e.g. "source Mohawk"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def location(self) -> str:
        where = self.sheet
        if self.cell:
            where += f"!{self.cell}"
        elif self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f" [{self.column}]"
        if self.row_id:
            where += f" ({self.row_id})"
        return where

    def __str__(self) -> str:
        text = f"{self.location()}: {self.rule}"
        if self.value not in (None, ""):
            text += f" (found {self.value!r})"
        if self.hint:
            text += f" — {self.hint}"
        return text


class OptimizerError(Exception):
    """An error with a planner-facing message and an exit code; never shown as a traceback."""

    exit_code = EXIT_SOLVER


class UsageError(OptimizerError):
    exit_code = EXIT_USAGE


class InputError(OptimizerError):
    """The workbook cannot be used; ``problems`` lists every located problem found."""

    exit_code = EXIT_INVALID

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = list(problems or [])


class InfeasibleError(OptimizerError):
    exit_code = EXIT_INFEASIBLE


class SolverError(OptimizerError):
    exit_code = EXIT_SOLVER


def os_error_text(exc: OSError) -> str:
    """An operating-system error as a planner reads it: what was refused, and the path."""
    reason = exc.strerror or str(exc)
    paths = [p for p in (exc.filename, exc.filename2) if p not in (None, "")]
    if not paths:
        return f"the system refused a file operation: {reason}"
    return f"cannot use {' → '.join(map(str, paths))}: {reason}"
