"""Independent training runs side by side in forked worker processes: an ensemble's members, one per core.

One member's training is a chain of small matrix products, one step after the other, so a second thread
speeds one net up by little (1.37× on the 2-core machine of BENCHMARKS.md), while a second process doubles
what the machine gets through. ``run_all(task, n, jobs)`` returns ``[task(0), ..., task(n - 1)]`` either way:

    jobs == 1                  task(k) in turn, in this process
    jobs  > 1                  a pool of ``jobs`` forked processes, each torch on ⌊threads / jobs⌋ threads
                               (at least 1), task(k) handed to whichever is free

The workers inherit everything by fork (nothing is sent to them but k). What comes back is what ``task``
returns, through a pipe between this process and its own children, never from a file. Each run keeps its
own seed, so the results are those of the runs in turn, up to float rounding (a worker may use fewer threads).
"""

from __future__ import annotations

import multiprocessing
import os
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


def run_all(task, n: int, jobs: int, finished=None) -> list:
    """``[task(k) for k in range(n)]``, on ``jobs`` forked processes when ``jobs > 1``; ``finished(k, result)``
    is called in this process as each run comes back (in the order they finish)."""
    if jobs <= 1:
        results = []
        for k in range(n):
            results.append(task(k))
            if finished is not None:
                finished(k, results[-1])
        return results
    global _TASK
    torch = sys.modules.get("torch")  # the numpy engine need not import torch
    threads = max(1, (torch.get_num_threads() if torch is not None else 1) // jobs)
    _TASK, results = task, [None] * n
    try:
        with multiprocessing.get_context("fork").Pool(jobs, initializer=_start, initargs=(threads,)) as pool:
            for k, result in pool.imap_unordered(_run, range(n)):
                results[k] = result
                if finished is not None:
                    finished(k, result)
    finally:
        _TASK = None
    return results


def _start(threads: int) -> None:
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(threads)


def _run(k: int):
    return k, _TASK(k)
