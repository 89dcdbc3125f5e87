"""--device / --precision / --tensorboard: refusals without a GPU, device-resident windows, GPU paths.

The GPU tests run only where torch sees CUDA; everything else runs on any machine.
"""

import sys

import numpy as np
import pandas as pd
import pytest
import torch

from rnncast import Forecaster
from rnncast.data.training_sets import WindowBatches
from rnncast.data.windows import sliding_windows
from rnncast.errors import RnncastError
from rnncast.training.devices import DeviceWindows

CUDA = torch.cuda.is_available()
needs_gpu = pytest.mark.skipif(not CUDA, reason="needs a CUDA GPU")


@pytest.fixture(scope="module")
def panel():
    rng = np.random.default_rng(3)
    parts = [pd.DataFrame({"unique_id": f"s{k}", "ds": np.arange(30), "y": rng.standard_normal(30).cumsum()})
             for k in range(2)]
    return pd.concat(parts)


def _fit(panel, **kwargs):
    kwargs = {"seq_length": 4, "hidden_size": 3, "iterations": 5, **kwargs}
    return Forecaster(**kwargs).fit(panel, id_col="unique_id")


@pytest.mark.skipif(CUDA, reason="checks the refusal on a machine without a GPU")
def test_cuda_without_a_gpu_is_a_clear_error(panel):
    with pytest.raises(RnncastError, match="sees no CUDA GPU"):
        _fit(panel, device="cuda")


@pytest.mark.skipif(CUDA, reason="checks the refusal on a machine without a GPU")
def test_bf16_on_the_cpu_is_refused(panel):
    with pytest.raises(RnncastError, match="bf16 needs a CUDA GPU"):
        _fit(panel, precision="bf16")
    with pytest.raises(RnncastError, match="bf16 needs a CUDA GPU"):
        _fit(panel, device="auto", precision="bf16")


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"engine": "numpy", "device": "cuda"}, "numpy engine runs on the CPU only"),
    ({"engine": "numpy", "precision": "bf16"}, "numpy engine computes in float32 only"),
    ({"device": "tpu"}, "unknown device 'tpu'"),
    ({"precision": "fp16"}, "unknown precision 'fp16'"),
])
def test_bad_device_settings_are_refused_by_name(panel, kwargs, words):
    with pytest.raises(RnncastError, match=words):
        _fit(panel, **kwargs)


@pytest.mark.skipif(CUDA, reason="auto means cuda on this machine")
def test_auto_on_a_cpu_machine_trains_exactly_like_cpu(panel):
    a, b = _fit(panel, device="auto"), _fit(panel, device="cpu")
    assert a.history_.losses == b.history_.losses


def test_device_windows_gather_the_same_batches_as_the_host_view():
    rows = np.arange(60, dtype=np.float32).reshape(20, 3)
    windows = sliding_windows(rows, 5)  # (16, 5, 3) strided view
    index = np.array([0, 3, 7, 15, 2])
    host = WindowBatches(windows, index, torch.from_numpy)
    device = DeviceWindows(windows, index, torch.device("cpu"))
    batch = torch.tensor([4, 1, 2])
    assert len(device) == len(host) == 5
    assert torch.equal(device[batch], host[batch.numpy()])


def test_tensorboard_missing_is_a_one_line_error(panel, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)  # as if tensorboard were not installed
    with pytest.raises(RnncastError, match=r"--tensorboard needs the tensorboard package: pip install"):
        _fit(panel, tensorboard=tmp_path / "tb")


def test_tensorboard_logs_train_and_val_loss_per_round(panel, tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    f = _fit(panel, iterations=6, val_size=0.3, tensorboard=tmp_path / "tb")
    runs = sorted((tmp_path / "tb").iterdir())
    assert [r.name for r in runs] and runs[-1].name.startswith("fit-")
    events = EventAccumulator(str(runs[-1])).Reload()
    train = [(e.step, e.value) for e in events.Scalars("loss/train")]
    val = [e.value for e in events.Scalars("loss/val")]
    assert [s for s, _ in train] == list(range(1, 7))
    np.testing.assert_allclose([v for _, v in train], f.history_.losses, rtol=1e-6)
    np.testing.assert_allclose(val, f.history_.val_losses, rtol=1e-6)


@needs_gpu
@pytest.mark.parametrize("batch_size", [None, 16])
def test_cuda_training_matches_the_cpu_closely_and_returns_a_cpu_net(panel, batch_size):
    kwargs = {"iterations": 20} if batch_size is None else {"epochs": 2, "batch_size": batch_size}
    gpu, cpu = _fit(panel, device="cuda", **kwargs), _fit(panel, device="cpu", **kwargs)
    assert next(gpu.net_.parameters()).device.type == "cpu"
    np.testing.assert_allclose(gpu.history_.losses, cpu.history_.losses, rtol=1e-3, atol=1e-5)
    pd.testing.assert_frame_equal(gpu.predict(), cpu.predict(), rtol=1e-3, atol=1e-4)


@needs_gpu
def test_bf16_autocast_trains_on_cuda(panel):
    f = _fit(panel, device="cuda", precision="bf16", iterations=30, quantiles=(0.1, 0.9))
    assert np.isfinite(f.history_.losses).all() and f.history_.losses[-1] < f.history_.losses[0]


def test_a_fitted_forecaster_predicts_whatever_device_it_names(panel):
    f = _fit(panel)
    f.device, f.precision = "cuda", "bf16"  # e.g. trained on a GPU machine, used on a laptop
    assert len(f.predict()) == 2
