"""Worker processes for CPU-bound assistant work, so that it never runs on the event loop.

Scoring a long or hostile message takes tens of milliseconds of pure Python; on the event
loop that stalls every socket of the process, and in a thread it still holds the GIL. So it
runs in another process.

There is one single-worker pool per lane: `review` for drafts (someone is waiting on a
send) and `analysis` for the background worker, so that a draft never queues behind a
batch of analyses, and the two together use both cores of a small server. Pools are
process-wide, shared by every assistant, created on first use (most processes never need
them); `shutdown` ends them and the next `run` makes new ones. A pool whose worker died
(killed, out of memory) is replaced, and the call in flight is tried once more.

Workers are spawned, not forked: a fork would copy the server's event loop, sockets and
threads mid-flight, and a forkserver's first start would block the caller until that
server process has booted. They run at a lower priority than the server's own threads.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from typing import Literal, TypeVar, TypeVarTuple

log = logging.getLogger(__name__)

Lane = Literal["review", "analysis"]
# Niceness of the workers, relative to the server: when the cores are busy, the event loop
# and the database get them first (a niceness-10 process weighs a tenth of the server's),
# and a long message waits a little longer.
NICENESS = 10

_Result = TypeVar("_Result")
_Args = TypeVarTuple("_Args")


@dataclass(frozen=True)
class _Pool:
    executor: ProcessPoolExecutor
    # Set once a submission has started the worker. Until then submitting also forks and
    # execs it, 4-50 ms when measured: a thread submits, and the event loop waits only for
    # the parts that hold the GIL.
    started: threading.Event = field(default_factory=threading.Event)


_lock = threading.Lock()
_pools: dict[Lane, _Pool] = {}


def _lower_priority() -> None:
    os.nice(NICENESS)


def _forget_pools() -> None:
    """In a forked child: the parent's workers, threads and lock are not the child's."""
    global _lock
    _lock = threading.Lock()
    _pools.clear()


os.register_at_fork(after_in_child=_forget_pools)


def _current(lane: Lane) -> _Pool:
    with _lock:
        pool = _pools.get(lane)
        if pool is None:
            executor = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_lower_priority,
            )
            pool = _pools[lane] = _Pool(executor)
        return pool


def _retire(lane: Lane, pool: _Pool) -> None:
    """Stop handing out a broken pool (its worker died); the next call makes a new one."""
    with _lock:
        if _pools.get(lane) is pool:
            del _pools[lane]
    # The executor has already stopped a broken pool's worker: nothing to wait for.
    pool.executor.shutdown(wait=False, cancel_futures=True)


async def run(
    function: Callable[[*_Args], _Result], *args: *_Args, lane: Lane = "review"
) -> _Result:
    """`function(*args)` in the lane's worker process. Both must pickle: a module-level
    function and plain values or pydantic models."""
    try:
        return await _attempt(lane, partial(function, *args))
    except BrokenProcessPool:
        log.warning("an assistant worker process died; trying once more in a new one")
        return await _attempt(lane, partial(function, *args))


async def _attempt(lane: Lane, call: Callable[[], _Result]) -> _Result:
    pool = _current(lane)
    try:
        # Submitting raises at once if the pool broke meanwhile.
        if pool.started.is_set():
            future = pool.executor.submit(call)
        else:
            future = await asyncio.to_thread(pool.executor.submit, call)
            pool.started.set()
        return await asyncio.wrap_future(future)
    except BrokenProcessPool:
        _retire(lane, pool)
        raise


async def worker_pid(lane: Lane = "review") -> int:
    """The process id of the lane's worker (for tests and health checks)."""
    return await run(os.getpid, lane=lane)


def shutdown(*, wait: bool = True) -> None:
    """End every pool: `wait` lets jobs in flight finish and joins the workers. Safe to
    call more than once; a later `run` starts new pools."""
    with _lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.executor.shutdown(wait=wait)


async def ashutdown() -> None:
    """`shutdown` for async callers: joining the workers must not block the event loop."""
    await asyncio.to_thread(shutdown)
