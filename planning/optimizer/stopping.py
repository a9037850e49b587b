"""Stopping every solve at once when the process ends.

The dashboard solves in background threads. If the interpreter shuts down (SIGTERM, Ctrl+C)
while one of them is inside HiGHS, that thread later tries to come back into Python and is torn
down inside C++ code: the process aborts ("terminate called without an active exception",
exit 134) and the CP-SAT worker processes are left running. So, at exit (``atexit``, which runs
before the interpreter tears threads down), ``stop_all``:

1. marks the process as stopping: every HiGHS run checks it (its interrupt callback, set on every
   model by ``highs.configure``) and stops within moments; ``highs.run`` then raises ``Stopped``
   instead of handing back a plan nobody will read, and no new run or worker starts;
2. kills the CP-SAT worker processes still searching;
3. waits (a few seconds at most) until no solve is left inside the optimizer (``active``).
"""

from __future__ import annotations

import atexit
import subprocess
import threading
import time
from contextlib import contextmanager

WAIT_SECONDS = 15.0

_STOP = threading.Event()
_LOCK = threading.Condition()
_WORKERS: set[subprocess.Popen] = set()
_active = 0


class Stopped(Exception):
    """The process is shutting down: the solve was abandoned (not a solver failure)."""


def stopping() -> bool:
    return _STOP.is_set()


def check() -> None:
    """Raise ``Stopped`` once the process is stopping."""
    if _STOP.is_set():
        raise Stopped("the solve was stopped: the process is shutting down")


@contextmanager
def active():
    """Count a solve as running until the block ends (``stop_all`` waits for none to be left)."""
    global _active
    with _LOCK:
        _active += 1
    try:
        yield
    finally:
        with _LOCK:
            _active -= 1
            _LOCK.notify_all()


def started(proc: subprocess.Popen) -> None:
    """Remember a worker process, so that ``stop_all`` can end it (ended at once when stopping)."""
    with _LOCK:
        if not _STOP.is_set():
            _WORKERS.add(proc)
            return
    _kill(proc)
    raise Stopped("the solve was stopped: the process is shutting down")


def ended(proc: subprocess.Popen) -> None:
    with _LOCK:
        _WORKERS.discard(proc)


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def stop_all(wait: float = WAIT_SECONDS) -> bool:
    """Stop every solve of this process: no new run starts, running ones are interrupted, worker
    processes are killed. Waits up to ``wait`` seconds for the solves to leave the optimizer;
    True when none is left."""
    _STOP.set()
    with _LOCK:
        workers = list(_WORKERS)
        _WORKERS.clear()
    for proc in workers:
        _kill(proc)
    deadline = time.monotonic() + wait
    with _LOCK:
        while _active and time.monotonic() < deadline:
            _LOCK.wait(timeout=max(0.0, min(0.1, deadline - time.monotonic())))
        return _active == 0


atexit.register(stop_all)
