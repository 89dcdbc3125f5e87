"""One line on the machine and library versions, printed at the top of every benchmark."""

import os
import platform
import sys


def describe() -> str:
    import numpy
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (
        f"machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}\n"
        f"versions: python {sys.version.split()[0]}, torch {torch.__version__} ({torch.get_num_threads()} threads),"
        f" numpy {numpy.__version__}"
    )
