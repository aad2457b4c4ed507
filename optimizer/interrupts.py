"""Ctrl-C and SIGTERM: stop promptly, write nothing, say "Interrupted." and exit 130.

While a command runs, both signals raise ``KeyboardInterrupt`` in the main thread (SIGTERM's
default would kill the process without cleaning up its temporary files). The solver stops at
its next interrupt check (:meth:`optimizer.solve.highs.HighsLp.run`), a report being written
is never renamed into place (:func:`optimizer.files.save_atomic`), scenario workers are
killed (:func:`optimizer.scenarios.run.executor_for`). Pyomo logs an error for any exception
raised inside a model rule; once an interrupt arrived those records are dropped, so Ctrl-C
during the build leaves stdout (``--json``) clean.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_STATE = {"received": False}


def received() -> bool:
    """True once Ctrl-C or SIGTERM arrived during the current command."""
    return _STATE["received"]


def check() -> None:
    """Raise KeyboardInterrupt if an interrupt arrived (one raised where Python ignores
    exceptions, e.g. in a ``__del__``, must still stop the run before its next step)."""
    if _STATE["received"]:
        raise KeyboardInterrupt


def _raise(signum, frame) -> None:
    _STATE["received"] = True
    for handler in _pyomo_handlers():
        handler.addFilter(_drop)
    raise KeyboardInterrupt


def _pyomo_handlers() -> list[logging.Handler]:
    return logging.getLogger("pyomo").handlers


def _drop(record: logging.LogRecord) -> bool:
    return False


@contextmanager
def handled() -> Iterator[None]:
    """Signal handlers and the Pyomo log filter for the duration of one command (only in
    the main thread, where Python delivers signals)."""
    _STATE["received"] = False
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _raise) for s in _SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for handler in _pyomo_handlers():
            handler.removeFilter(_drop)
