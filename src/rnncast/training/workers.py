"""Independent training runs side by side in forked worker processes: an ensemble's members, one per core.

One member's training is a chain of small matrix products, one step after the other, so a second thread
speeds one net up by little (1.37× on the 2-core machine of BENCHMARKS.md), while a second process doubles
what the machine gets through. ``run_all(task, n, jobs)`` returns ``[task(0), ..., task(n - 1)]`` either way:

    jobs == 1                  task(k) in turn, in this process
    jobs  > 1                  ``jobs`` forked processes at a time, one per run, each torch on
                               ⌊threads / jobs⌋ threads (at least 1)

The workers inherit everything by fork (nothing is sent to them but k). What comes back is what ``task``
returns, through a pipe between this process and its own children, never from a file. Each run keeps its
own seed, so the results are those of the runs in turn, up to float rounding (a worker may use fewer threads).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import sys

from rnncast.errors import RnncastError

_TASK = None  # the task the forked workers run: inherited through fork, never pickled


def cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def check_jobs(n_jobs) -> None:
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or (n_jobs < 1 and n_jobs != -1):
        raise RnncastError(f"n_jobs must be a positive whole number or -1 (every core), got {n_jobs!r}")


def jobs_for(n_jobs: int, n_runs: int) -> int:
    """Worker processes for ``n_runs`` runs: ``n_jobs`` (-1: one per core), at most ``n_runs``; 1 where the
    platform cannot fork (the runs then take their turns)."""
    wanted = cores() if n_jobs == -1 else n_jobs
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(wanted, n_runs))


def run_all(task, n: int, jobs: int, finished=None, order: list[int] | None = None) -> list:
    """``[task(k) for k in range(n)]``, on ``jobs`` forked processes at a time when ``jobs > 1``;
    ``finished(k, result)`` is called in this process as each run comes back (in the order they finish).

    One process per run, forked when a place frees up, in ``order`` (default 0 … n − 1): the longest runs
    first, and the short ones fill the gaps at the end. Ctrl-C is this process's to handle: the workers
    ignore it, and on any error here (a run's own error, a worker killed, Ctrl-C) the others are stopped."""
    waiting = list(range(n)) if order is None else list(order)
    if sorted(waiting) != list(range(n)):
        raise ValueError(f"order must list the runs 0 … {n - 1} once each, got {order}")
    if jobs <= 1:  # in turn: the order of the runs changes nothing
        results = []
        for k in range(n):
            results.append(task(k))
            if finished is not None:
                finished(k, results[-1])
        return results
    global _TASK
    torch = sys.modules.get("torch")  # the numpy engine need not import torch
    threads = max(1, (torch.get_num_threads() if torch is not None else 1) // jobs)
    context = multiprocessing.get_context("fork")
    _TASK, results, running = task, [None] * n, {}
    try:
        while waiting or running:
            while waiting and len(running) < jobs:
                k = waiting.pop(0)
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_work, args=(k, send, threads), daemon=True)
                process.start()
                send.close()
                running[receive] = (k, process)
            for receive in multiprocessing.connection.wait(list(running)):
                k, process = running.pop(receive)
                try:
                    ok, value = receive.recv()
                except EOFError:
                    process.join()
                    raise RnncastError(f"training run {k + 1} of {n} ended without a result (its process exited"
                                       f" with {process.exitcode}; out of memory?)") from None
                finally:
                    receive.close()
                process.join()
                if not ok:
                    raise value
                results[k] = value
                if finished is not None:
                    finished(k, value)
    finally:
        _TASK = None
        for receive, (_, process) in running.items():
            process.terminate()
            process.join()
            receive.close()
    return results


def _work(k: int, send, threads: int) -> None:
    """A worker: run ``_TASK(k)`` and send ``(True, result)`` or ``(False, the exception)``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops this process
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(threads)
    try:
        outcome = (True, _TASK(k))
    except Exception as exc:  # noqa: BLE001 - handed to the parent, which raises it
        outcome = (False, exc)
    try:
        send.send(outcome)
    except Exception as exc:  # noqa: BLE001 - a result or an exception that cannot be pickled: its message
        failed = exc if outcome[0] else outcome[1]
        send.send((False, RuntimeError(f"{type(failed).__name__}: {failed}")))
    send.close()
