"""A solve's status as the console, the Summary sheet and the comparison print it: the words
of :class:`optimizer.solve.status.Status`, with the gap of a plan not proven optimal."""

from __future__ import annotations

from optimizer.solve.status import Status


def status_words(status: str, *, capital: bool = True) -> str:
    """The status as a phrase."""
    text = Status(status).words
    return text[:1].upper() + text[1:] if capital else text


def status_text(status: str, gap_pct: float | None, *, capital: bool = True) -> str:
    """The status phrase, with the gap when the plan is not proven optimal."""
    text = status_words(status, capital=capital)
    if status != Status.OPTIMAL and gap_pct is not None:
        text += f"; gap {gap_pct:.3g}%"
    return text
