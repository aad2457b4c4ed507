"""Python's cyclic garbage collector paused while a stage builds large object graphs.

A large case's build, hand-off, results and report each create hundreds of thousands of
objects that live on (Pyomo components, expressions, table rows). Every few thousand
allocations the collector re-scans the objects that survived, so its passes grow with the
model: about half of the build's time on the 120-month case (benchmarks/README.md).
Reference counting still frees everything that is not in a cycle at once; the collector runs
again after the stage, so a long ``scenarios`` run does not keep cyclic garbage.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block (or the decorated function); as before after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
