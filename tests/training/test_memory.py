"""What keeps a large panel small (issue #6): samples as runs, targets gathered per batch, validation in
chunks, an int32 epoch order with torch's numbers, frames that are views of the caller's columns."""

import numpy as np
import pandas as pd
import pytest
import torch

from rnncast.data.frame import SeriesFrame, to_frame
from rnncast.data.input_rows import input_rows
from rnncast.data.panel import _runs, to_panel
from rnncast.data.series_scaling import fit_scaling
from rnncast.data.training_sets import WindowBatches, training_set
from rnncast.data.windows import sliding_windows
from rnncast.models import build_net
from rnncast.specs import ModelSpec, TrainSpec
from rnncast.training import loop as training


def _frames():
    return [SeriesFrame(np.column_stack([np.arange(n) + 100.0 * k, np.arange(n) * 10.0 + k]), ["x", "y"], "y",
                        uid=str(k)) for k, n in enumerate([12, 9, 4, 15])]  # the third: one-step targets only


def _rows(frames):
    return [input_rows(f, fit_scaling("none", f), []) for f in frames]


@pytest.mark.parametrize("val_size", [0.0, 0.3, "horizon"])
@pytest.mark.parametrize("strategy", ["direct", "recursive", "seq2seq"])
def test_runs_and_lazy_targets_equal_the_per_sample_arrays(strategy, val_size):
    frames, L, H = _frames(), 3, 2
    rows = _rows(frames)
    data = training_set(frames, rows, L, H, strategy, val_size)
    stacked = np.concatenate(rows)
    steps = H if strategy == "direct" else 1
    offsets = np.cumsum([0] + [len(r) for r in rows])[:-1]
    counts = [max(len(f) - steps + 1 - L, 0) for f in frames]
    starts = np.concatenate([off + np.arange(n) for n, off in zip(counts, offsets, strict=True)])
    np.testing.assert_array_equal(np.asarray(data.starts), starts)
    np.testing.assert_array_equal(data.windows[data.starts], sliding_windows(stacked, L)[starts])
    past = stacked[:, :2]
    expected = {"direct": lambda s: sliding_windows(past[:, 1:2], H)[s + L, :, 0], "recursive": lambda s: past[s + L],
                "seq2seq": lambda s: sliding_windows(past, L)[s + 1]}[strategy]
    np.testing.assert_array_equal(data.targets[:], expected(starts))
    train, y_train, val, y_val = data.split()
    # positions index the training samples in order: series by series, the held-out ones left out
    np.testing.assert_array_equal(np.asarray(train), starts[data.train])
    np.testing.assert_array_equal(np.asarray(val), starts[data.val])
    batch = np.array([len(train) - 1, 0, 2])
    np.testing.assert_array_equal(y_train[batch], expected(starts[data.train][batch]))
    np.testing.assert_array_equal(y_val[:], expected(starts[data.val]))
    np.testing.assert_array_equal(val.origins(), data.origins[data.val])
    np.testing.assert_array_equal(train.series_of(), data.series[data.train])
    assert not (data.train & data.val).any()
    assert set(data.series.tolist()) == {k for k, f in enumerate(frames) if len(f) - steps + 1 > L}  # none too short
    with pytest.raises(IndexError):
        train[[len(train)]]


def test_validation_in_chunks_equals_one_pass(monkeypatch):
    frames = _frames()
    data = training_set(frames, _rows(frames), 3, 2, "direct", 0.5)
    _, _, val, y_val = data.split()
    torch.manual_seed(0)
    net = build_net(ModelSpec(kind="lstm", hidden_size=4), input_size=2, output_size=2)
    spec = TrainSpec(epochs=1, batch_size=4)
    lazy = (WindowBatches(data.windows, val, torch.from_numpy), WindowBatches(y_val.windows, val, torch.from_numpy))
    dense = tuple(torch.from_numpy(np.ascontiguousarray(a[:])) for a in lazy)
    whole = training.TorchSteps(net, dense[0], dense[1], *dense, spec, full_batch=True).val_loss()
    monkeypatch.setattr(training, "VAL_CHUNK", 4)  # 13 validation windows: chunks of 4, 4, 4, 1
    chunked = training.TorchSteps(net, *lazy, *lazy, spec, full_batch=False).val_loss()
    assert len(val) == 13 and chunked == pytest.approx(whole, rel=1e-6)


def test_epoch_order_is_int32_with_torchs_int64_numbers():
    net = build_net(ModelSpec(kind="lstm", hidden_size=2), input_size=1)
    steps = training.TorchSteps(net, torch.zeros(5, 2, 1), torch.zeros(5, 1), None, None,
                                TrainSpec(epochs=2, batch_size=2, seed=7), full_batch=False)
    first, second = steps.permutation(1000), steps.permutation(1000)
    generator = torch.Generator().manual_seed(7)
    assert first.dtype == torch.int32
    assert torch.equal(first.long(), torch.randperm(1000, generator=generator))
    assert torch.equal(second.long(), torch.randperm(1000, generator=generator))


def test_a_long_tables_series_are_views_of_its_columns():
    stamps = np.tile(pd.date_range("2000", periods=50).to_numpy(), 2)  # ns on pandas 2, us on pandas 3: kept
    df = pd.DataFrame({"unique_id": np.repeat(["a", "b"], 50), "ds": stamps, "y": np.arange(100.0)})
    panel = to_panel(df)
    b = panel.series[1]
    assert np.shares_memory(b.values, df["y"].to_numpy()) and np.shares_memory(b.timestamps, df["ds"].to_numpy())
    assert not b.values.flags.writeable and not b.timestamps.flags.writeable  # nothing writes the caller's data
    np.testing.assert_array_equal(b.y, np.arange(50.0, 100.0))
    assert list(df.columns) == ["unique_id", "ds", "y"]
    shuffled = to_frame(df.iloc[[2, 0, 1]], exclude=("unique_id",))  # out of time order: sorted, a copy
    np.testing.assert_array_equal(shuffled.y, [0.0, 1.0, 2.0])


def test_id_runs_are_joined_across_chunk_borders():
    ids = np.array(["a"] * 5 + ["b"] * 3 + ["a"] * 2 + ["c"] * 7, dtype=object)
    for chunk in (2, 3, 5, 100):
        edges, labels = _runs(ids, "unique_id", as_text=False, chunk=chunk)
        assert edges.tolist() == [0, 5, 8, 10, 17] and labels == ["a", "b", "a", "c"]
    panel = to_panel(pd.DataFrame({"unique_id": ids, "y": np.arange(17.0)}))  # "a" twice: its rows are gathered
    assert panel.ids == ["a", "b", "c"] and panel.series[0].y.tolist() == [0, 1, 2, 3, 4, 8, 9]


def test_device_windows_take_sample_runs_and_an_int32_order():
    from rnncast.training.devices import DeviceWindows

    frames = _frames()
    data = training_set(frames, _rows(frames), 3, 2, "direct", 0.3)
    train = data.split()[0]
    order = torch.tensor([4, 0, len(train) - 1], dtype=torch.int32)
    device = DeviceWindows(data.windows, train, torch.device("cpu"))
    assert torch.equal(device[order], WindowBatches(data.windows, train, torch.from_numpy)[order])
