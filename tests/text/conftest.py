"""Shared by the text tests: one torch thread per test module (tiny models; extra threads only cost,
badly so on a shared 2-core machine)."""

import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
