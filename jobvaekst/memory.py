"""Python's cyclic garbage collector, paused for work that allocates in bulk."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one bounded piece of work, then resume it.

    Work that builds a great many long-lived-while-it-runs objects (a chunk of the
    recomputation: observations, dicts and rows; a summary PDF: WeasyPrint's styles and
    boxes) keeps the collector's allocation counters firing, and every so often a full
    collection walks the whole heap (Django, pandas, matplotlib…), which grows with the
    heap rather than with the work (docs/decisions.md §20 has the measurement).
    Reference counting still frees almost everything; the few cycles are collected,
    young, when the collector resumes. If it was already paused (by a caller, or another
    thread doing the same) it stays as it was.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
