"""Phase timings on request: with ``RNNCAST_PROFILE=1`` each ``phase`` prints one line on stderr,
``rnncast: profile <name> <seconds> s`` (``benchmarks/panel_scale.py`` reads them). Otherwise it costs nothing."""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager


@contextmanager
def phase(name: str):
    if os.environ.get("RNNCAST_PROFILE") != "1":
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        print(f"rnncast: profile {name} {time.perf_counter() - start:.2f} s", file=sys.stderr, flush=True)
