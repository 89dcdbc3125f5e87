"""Training samples. For an origin o (the first step to forecast; rows < o are history) the input window is
A[o-L : o]. What the network learns to output depends on the multi-step strategy:

    direct    (many-to-one, H outputs):     y[o : o+H]                      (the target only)
    recursive (one-to-many when predicting): P[o]                            (every past feature, 1 step)
    seq2seq   (many-to-many):               P[o-L+1 : o+1]                  (next step at every step)

recursive and seq2seq forecast all past features one step ahead and feed the forecast back as the
next input row, so past-only covariates are forecast along with the target, and every step sees its
own future-known covariates. The direct strategy reads the window only, so of the future-known
covariates it sees just those of the first forecast step (K[o] in row o-1); use recursive or
seq2seq when later steps' covariates matter.

Memory. The stacked rows are the only array that grows with the data: samples are runs of window
starts per series (``SampleRanges``), and a batch's windows and targets are gathered from strided
views of the rows when it is drawn (``WindowBatches``), so millions of samples add nothing per sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnncast.data.frame import SeriesFrame
from rnncast.data.input_rows import stack_rows
from rnncast.data.windows import sliding_windows

STRATEGIES = ("direct", "recursive", "seq2seq")


class SampleRanges:
    """Samples as one run of consecutive window starts per series, numbered run after run.

    Run ``k`` holds ``counts[k]`` samples of frame ``series[k]``: window starts ``first_start[k] + j`` and
    origins (first forecast step, a row of the frame) ``first_origin[k] + j``, ``j = 0 .. counts[k] - 1``.
    Nothing per sample is stored, so 20 million samples cost four arrays of one entry per series;
    ``ranges[idx]`` computes the window starts of positions ``idx`` (a batch) when they are needed, and
    ``np.asarray(ranges)`` all of them (as the int array of starts that this replaces).
    """

    def __init__(self, series, first_start, first_origin, counts):
        keep = np.asarray(counts) > 0
        self.series = np.asarray(series, dtype=np.int64)[keep]
        self.first_start = np.asarray(first_start, dtype=np.int64)[keep]
        self.first_origin = np.asarray(first_origin, dtype=np.int64)[keep]
        self.counts = np.asarray(counts, dtype=np.int64)[keep]
        self.ends = np.cumsum(self.counts)
        self.begins = self.ends - self.counts

    def __len__(self) -> int:
        return int(self.ends[-1]) if len(self.ends) else 0

    def locate(self, idx=slice(None)) -> tuple[np.ndarray, np.ndarray]:
        """Run number and place in the run of positions ``idx`` (int array, int or slice)."""
        p = np.arange(*idx.indices(len(self))) if isinstance(idx, slice) else np.asarray(idx, dtype=np.int64)
        if p.size and (p.min() < 0 or p.max() >= len(self)):
            raise IndexError(f"sample position out of range 0..{len(self) - 1}")
        k = np.searchsorted(self.ends, p, side="right")
        return k, p - self.begins[k]

    def __getitem__(self, idx) -> np.ndarray:
        k, j = self.locate(idx)
        return self.first_start[k] + j

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        starts = self[:]
        return starts if dtype is None else starts.astype(dtype)

    def origins(self, idx=slice(None)) -> np.ndarray:
        k, j = self.locate(idx)
        return self.first_origin[k] + j

    def series_of(self, idx=slice(None)) -> np.ndarray:
        return self.series[self.locate(idx)[0]]

    def key(self) -> np.ndarray:
        """The runs as one int64 array ``(4, n_runs)``: what identifies these samples (checkpoint fingerprints)."""
        return np.stack([self.series, self.first_start, self.first_origin, self.counts])


@dataclass
class TrainingSet:
    """The samples of a panel: windows and targets are views of the stacked input rows, gathered per batch.

    ``starts`` (all samples, in series order), ``train`` and ``held_out`` (validation) are
    ``SampleRanges``; ``targets`` gathers targets of all samples by position (``targets[idx]``). The
    per-sample masks and numbers (``val``, ``unused``, ``is_train``, ``series``, ``origins``) are built
    when asked for, which only small data, tests and metric-based validation do.
    """

    windows: np.ndarray  # (R - L + 1, L, F + K) view of the stacked rows
    target_view: np.ndarray  # target_view[s]: the targets of the sample whose window starts at row s (a view)
    starts: SampleRanges  # every sample
    train_samples: SampleRanges  # trained on
    val_samples: SampleRanges  # held out for validation

    @property
    def targets(self) -> WindowBatches:
        """``(N, H)`` direct, ``(N, F)`` recursive, ``(N, L, F)`` seq2seq, gathered by position."""
        return WindowBatches(self.target_view, self.starts, np.asarray)

    def _mask(self, part: SampleRanges) -> np.ndarray:
        begin = dict(zip(self.starts.series.tolist(), (self.starts.begins - self.starts.first_origin).tolist(),
                         strict=True))
        mask = np.zeros(len(self.starts), dtype=bool)
        for k, origin, n in zip(part.series.tolist(), part.first_origin.tolist(), part.counts.tolist(), strict=True):
            mask[begin[k] + origin : begin[k] + origin + n] = True
        return mask

    @property
    def val(self) -> np.ndarray:
        """(N,) bool: held out for validation."""
        return self._mask(self.val_samples)

    @property
    def train(self) -> np.ndarray:
        """(N,) bool: trained on."""
        return self._mask(self.train_samples)

    @property
    def unused(self) -> np.ndarray:
        """(N,) bool: neither trained nor validated on (its targets overlap the validation's)."""
        return ~self.val & ~self.train

    @property
    def series(self) -> np.ndarray:
        """(N,) which frame each sample comes from."""
        return self.starts.series_of()

    @property
    def origins(self) -> np.ndarray:
        """(N,) each sample's first forecast step, a row of its frame."""
        return self.starts.origins()

    def split(self) -> tuple[SampleRanges, WindowBatches, SampleRanges, WindowBatches]:
        """``train_starts, train_targets, val_starts, val_targets``: nothing copied, gathered per batch."""
        return (self.train_samples, WindowBatches(self.target_view, self.train_samples, np.asarray),
                self.val_samples, WindowBatches(self.target_view, self.val_samples, np.asarray))


def training_set(frames: list[SeriesFrame], rows: list[np.ndarray], L: int, H: int, strategy: str,
                 val_size: float | str, history: int | None = None) -> TrainingSet:
    """Every sample whose input and targets lie inside one series' observed rows.

    Series ``i``'s samples have origins ``L .. T_i - steps`` (window starts ``offset_i + 0 ..``).
    Validation: ``val_size`` = a fraction holds out the last ``ceil(n_i · val_size)`` of each series'
    samples (at most all but one); ``"horizon"`` holds out the last H values of each series (N-BEATS's
    and the competitions' way): the one direct window that forecasts them (the last H one-step windows
    for recursive and seq2seq) is validated on, and the direct windows whose targets reach into them
    are not trained on. ``history`` = k keeps only each series' last k training windows (N-BEATS's
    history limit: the recent past, and a bounded cost per series); the older ones are unused.
    Either way each series' training samples come first and its validation
    samples last, so both are one run per series (``SampleRanges``) and nothing per sample is built.
    """
    stacked = stack_rows(rows)  # (R, F + K)
    F = frames[0].values.shape[1]
    offsets = np.concatenate([[0], np.cumsum([len(r) for r in rows])[:-1]]).astype(np.int64)
    steps = H if strategy == "direct" else 1
    counts = np.array([max(len(frame) - steps + 1 - L, 0) for frame in frames], dtype=np.int64)
    if val_size == "horizon":
        first_val = np.array([len(frame) - H for frame in frames], dtype=np.int64)  # the first held-out value
        n_train = np.clip(first_val - steps + 1 - L, 0, counts)  # origins <= first_val - steps
        val_first = np.maximum(first_val, L)  # origins >= first_val (for direct: just the last one)
        n_val = np.maximum(L + counts - val_first, 0)
    else:
        n_val = np.zeros_like(counts)
        if val_size > 0:  # a series with one window validates nothing
            n_val = np.maximum(np.minimum(np.ceil(counts * val_size).astype(np.int64), counts - 1), 0)
        n_train = counts - n_val
        val_first = L + n_train
    ids = np.arange(len(frames))
    past = stacked[:, :F]  # (R, F) view
    if strategy == "direct":
        target_view = sliding_windows(past[:, F - 1 : F], H)[L:, :, 0]  # (R - H + 1 - L, H)
    elif strategy == "recursive":
        target_view = past[L:]  # (R - L, F)
    else:
        target_view = sliding_windows(past, L)[1:]  # (R - L, L, F)
    skip = np.maximum(n_train - history, 0) if history is not None else np.zeros_like(counts)  # the older ones
    return TrainingSet(sliding_windows(stacked, L), target_view,
                       SampleRanges(ids, offsets, np.full_like(counts, L), counts),
                       SampleRanges(ids, offsets + skip, L + skip, n_train - skip),
                       SampleRanges(ids, offsets + val_first - L, val_first, n_val))


class WindowBatches:
    """Samples ``index`` of a strided view, gathered per batch: ``batches[idx]`` copies just those.

    ``windows[s]`` is what a sample whose window starts at row ``s`` needs: its input window, or its
    targets (``TrainingSet.target_view``); ``index`` maps positions to starts (an array, ``SampleRanges``).
    """

    def __init__(self, windows: np.ndarray, index: np.ndarray, convert):
        self.windows, self.index, self.convert = windows, index, convert

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, idx):
        at = self.index[idx if isinstance(idx, slice) else np.asarray(idx)]
        return self.convert(np.ascontiguousarray(self.windows[at]))

    def with_convert(self, convert) -> WindowBatches:
        return WindowBatches(self.windows, self.index, convert)


class ScaledTargets(WindowBatches):
    """Direct targets with one more column, the scale of each sample's series: ``(N, H + 1)``.

    The log scaler stores ``z = (log y - μ_i) / σ_i``, so ``σ_i · (ẑ - z) = log(ŷ / y)``: a loss on the
    forecasts' ratios (``training.losses.RatioLoss``: MAPE, sMAPE) needs σ_i next to each target.
    ``index`` is a ``SampleRanges`` (it knows each sample's series); ``scale[i]`` is σ_i.
    """

    def __init__(self, windows: np.ndarray, index: SampleRanges, convert, scale: np.ndarray):
        super().__init__(windows, index, convert)
        self.scale = np.asarray(scale, dtype=np.float32)

    @classmethod
    def of(cls, targets: WindowBatches, scale: np.ndarray) -> ScaledTargets:
        return cls(targets.windows, targets.index, targets.convert, scale)

    def __getitem__(self, idx):
        k, j = self.index.locate(idx if isinstance(idx, slice) else np.asarray(idx))  # runs located once
        y = np.ascontiguousarray(self.windows[self.index.first_start[k] + j])
        return self.convert(np.concatenate([y, self.scale[self.index.series[k]][:, None]], axis=1))

    def with_convert(self, convert) -> ScaledTargets:
        return ScaledTargets(self.windows, self.index, convert, self.scale)


def dense(y) -> np.ndarray:
    """Per-sample values as one array: a lazy ``WindowBatches`` gathers all of its samples."""
    return y[:] if isinstance(y, WindowBatches) else np.asarray(y)


def batches_of(y, convert):
    """``y`` for per-batch access through ``convert``: a lazy ``WindowBatches`` stays lazy, an array is
    converted once (``convert`` is ``torch.from_numpy`` or ``np.asarray``)."""
    if isinstance(y, WindowBatches):
        return y.with_convert(convert)
    return convert(np.ascontiguousarray(y))
