"""Independent runs in forked worker processes: results in order, errors passed back, the setting checked."""

import os
import time

import pytest

from rnncast.errors import RnncastError
from rnncast.training import workers

needs_fork = pytest.mark.skipif(workers.jobs_for(2, 2) == 1, reason="this platform cannot fork")


@needs_fork
def test_runs_come_back_in_order_from_other_processes():
    parent, seen = os.getpid(), []
    table = {k: k * k for k in range(5)}  # inherited by the workers, never sent

    def task(k):
        return table[k], os.getpid()

    results = workers.run_all(task, 5, 2, finished=lambda k, _: seen.append(k))
    assert [r[0] for r in results] == [0, 1, 4, 9, 16]
    assert parent not in {pid for _, pid in results}
    assert sorted(seen) == [0, 1, 2, 3, 4]


@needs_fork
def test_runs_start_in_the_order_given_and_come_back_by_index():
    def task(k):
        started = time.time()
        time.sleep(0.3)
        return k, started

    results = workers.run_all(task, 3, 2, order=[2, 1, 0])
    assert [k for k, _ in results] == [0, 1, 2]
    started = {k: t for k, t in results}
    assert started[0] > max(started[1], started[2]) + 0.2  # run 0 waited for a place: it was given last
    for jobs in (2, 1):
        with pytest.raises(ValueError, match="order must list the runs"):
            workers.run_all(task, 3, jobs, order=[0, 0, 1])


def test_one_job_runs_in_turn_in_this_process():
    assert workers.run_all(lambda k: (k, os.getpid()), 3, 1) == [(k, os.getpid()) for k in range(3)]


@needs_fork
def test_a_workers_error_reaches_the_caller_with_its_message():
    def task(k):
        if k == 2:
            raise RnncastError("member 2 cannot train")
        return k

    with pytest.raises(RnncastError, match="member 2 cannot train"):
        workers.run_all(task, 3, 2)


def test_jobs_are_at_most_the_runs_and_minus_one_is_every_core():
    assert workers.jobs_for(8, 3) in (1, 3)
    assert workers.jobs_for(-1, 1000) in (1, workers.cores())
    assert workers.jobs_for(1, 5) == 1
    for bad in (0, -2, 1.5, True, "2"):
        with pytest.raises(RnncastError, match="n_jobs must be a positive whole number or -1"):
            workers.check_jobs(bad)


@needs_fork
def test_a_worker_that_dies_is_an_error_not_a_hang():
    def task(k):
        if k == 1:
            os._exit(3)  # as the kernel's out-of-memory killer would end it: no result, no exception
        return k

    with pytest.raises(RnncastError, match=r"training run 2 of 3 ended without a result .*exited with 3"):
        workers.run_all(task, 3, 2)
