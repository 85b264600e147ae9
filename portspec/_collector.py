"""One pause of Python's cyclic garbage collector, shared by every thread.

Reading a large file builds a few hundred thousand small objects that all
stay alive until the read ends. CPython 3.11's collector walks every live
object in a full pass, and while the live objects number under some 300,000
it makes a full pass every 70,000 objects kept: a read of 1 MB would spend a
third of its time walking what it has just built, and time would grow faster
than the file. A read makes next to no cyclic garbage (what it drops is
freed by reference counting), so the collector is paused while it runs.

The pause is process-wide and counted under a lock: the first reader to
start it notes whether the collector was on and turns it off; nested and
concurrent readers join it; the last one to finish turns the collector back
on, only if it was on. No interleaving of threads leaves it off, and a
collector the program turned off stays off. (A ``gc.disable()`` made by
another thread during a pause is undone when the pause ends.)

>>> import gc
>>> with paused():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused"]

_lock = threading.Lock()
_readers = 0
_resume = False


@contextmanager
def paused() -> Iterator[None]:
    """The collector paused while the block runs (see the module's docstring)."""
    _begin()
    try:
        yield
    finally:
        _end()


def _begin() -> None:
    global _readers, _resume  # noqa: PLW0603 - the one process-wide pause
    with _lock:
        if _readers == 0:
            _resume = gc.isenabled()
            gc.disable()
        _readers += 1


def _end() -> None:
    global _readers  # noqa: PLW0603
    with _lock:
        _readers -= 1
        if _readers == 0 and _resume:
            gc.enable()
