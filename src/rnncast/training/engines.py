"""The two engines behind one interface: ``torch`` (nn.RNN/LSTM/GRU) and ``numpy`` (rnncast.scratch).

Both build the same many-to-one network from a ``ModelSpec``, train through the same loop
(``training.run`` with the engine's stepper), and store weights in the same safetensors layout under
torch's parameter names (``rnn.weight_ih_l0`` ... ``fc.bias``), so a run trained by one engine loads
into the other. What only one engine has is refused by name: the numpy engine has no dropout,
torch has no sigmoid RNN. The numpy path never imports torch.
"""

from __future__ import annotations

import numpy as np

from rnncast.data.training_sets import WindowBatches, dense
from rnncast.errors import RnncastError
from rnncast.specs import ModelSpec, TrainSpec

ENGINES = ("torch", "numpy")


def check(engine: str, spec: ModelSpec) -> None:
    """Refuse an engine, or a setting the engine lacks, with a line that names it."""
    if engine not in ENGINES:
        raise RnncastError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if engine == "torch" and spec.nonlinearity == "sigmoid":
        raise RnncastError(
            "the torch engine has no sigmoid RNN (torch.nn.RNN offers tanh and relu); use --engine numpy"
        )
    if engine == "numpy" and spec.series_embedding:
        raise RnncastError("the numpy engine has no series embedding; use --engine torch")
    if engine == "numpy" and spec.likelihood:
        raise RnncastError("the numpy engine has the Gaussian likelihood's loss and gradient (rnncast.scratch.losses"
                           ".gaussian_nll) but no sampling forecaster; use --engine torch for --likelihood")
    if engine == "numpy" and spec.dropout > 0:
        raise RnncastError(f"the numpy engine has no dropout (got --dropout {spec.dropout}); use --engine torch")


def build(engine: str, spec: ModelSpec, input_size: int, output_size: int, seed: int, many_to_many: bool = False,
          n_series: int = 0, n_past: int = 0, anchor: str = "target", lags: tuple[int, ...] | None = None,
          flag_col: int | None = None):
    """A freshly initialised network; ``seed`` fixes its weights. ``lags``: each output's anchor row, counted
    back from the window's end (``normalize="season"``; ``rnncast.specs.anchor_lags``); ``flag_col``: the input
    column that says whether a series takes that anchor or the last value (``normalize="auto"``)."""
    check(engine, spec)
    if engine == "numpy":
        from rnncast.scratch import ScratchNet

        net = ScratchNet(kind=spec.kind, input_size=input_size, hidden_size=spec.hidden_size,
                         num_layers=spec.num_layers, output_size=output_size, nonlinearity=spec.nonlinearity,
                         structure="many_to_many" if many_to_many else "many_to_one", dtype=np.float32, seed=seed)
        if spec.relative:
            from rnncast.scratch.anchored import LastAnchored

            net = LastAnchored(net, n_past, anchor, lags=lags, shrink=1.0 if spec.shrink == "auto" else spec.shrink,
                               flag_col=flag_col)
        return net
    import torch

    from rnncast.models import build_net

    torch.manual_seed(seed)
    return build_net(spec, input_size, output_size, many_to_many, n_series, n_past, anchor, lags, flag_col)


def predict(engine: str, net, X: np.ndarray) -> np.ndarray:
    """Network outputs for windows ``X`` ``(N, L, F)`` float32 → ``(N, output_size)``."""
    if engine == "numpy":
        return getattr(net, "predict", net.forward)(X)  # LastAnchored forecasts keep their share
    import torch

    net.eval()
    device = next(net.parameters()).device  # a net still on its training device (validation on a GPU)
    with torch.no_grad():
        return net(torch.from_numpy(X).to(device)).float().cpu().numpy()


def stepper(engine: str, net, windows, train_idx, y, val_idx, y_val, spec: TrainSpec, full_batch: bool,
            quantiles=None, device: str = "cpu", precision: str = "fp32"):
    """The engine's stepper for ``training.run``: samples ``train_idx`` of the window view ``windows``.

    ``train_idx``/``val_idx`` are the samples' window starts (an int array or ``training_sets.SampleRanges``),
    ``y``/``y_val`` their targets by position (an array, or a ``training_sets.WindowBatches`` that gathers them
    from the stacked rows). Full batch materialises the training windows and targets once; mini-batches
    gather each batch's windows and targets.
    The torch engine trains on ``device`` in ``precision``, and under torchrun with DDP (``devices``).
    """
    if engine == "torch":
        from rnncast.training.devices import torch_steps

        return torch_steps(net, windows, train_idx, y, val_idx, y_val, spec, full_batch, quantiles, device,
                           precision)
    X_val = np.ascontiguousarray(windows[np.asarray(val_idx)]) if len(val_idx) else None
    y_val = dense(y_val) if len(val_idx) else None
    from rnncast.training.numpy_steps import NumpySteps

    if quantiles or spec.loss != "mse":
        what = "quantiles" if quantiles else f"--loss {spec.loss}"
        raise RnncastError(f"the numpy engine trains on MSE only; use --engine torch for {what}")
    if full_batch:
        X, y = np.ascontiguousarray(windows[np.asarray(train_idx)]), dense(y)
    else:
        X = WindowBatches(windows, train_idx, np.asarray)
    return NumpySteps(net, X, y, X_val, y_val, spec, full_batch)


def state_bytes(engine: str, nets) -> bytes:
    """The weights as safetensors bytes under torch's parameter names, each tensor with its own storage.

    ``nets``: one network, or an ensemble's list (names then start with ``members.<k>.``)."""
    nets = nets if isinstance(nets, list) else [nets]
    states = [net.state_dict() for net in nets]
    if len(nets) > 1:
        states = [{f"members.{k}.{name}": v for name, v in state.items()} for k, state in enumerate(states)]
    merged = {name: v for state in states for name, v in state.items()}
    if engine == "numpy":
        from safetensors.numpy import save

        return save({k: np.ascontiguousarray(v) for k, v in merged.items()})
    from safetensors.torch import save

    return save({k: v.detach().clone() for k, v in merged.items()})


def load_state(engine: str, nets, data: bytes, where: str) -> None:
    """Load safetensors ``data`` into ``nets`` (one, or an ensemble's list); a damaged file or a mismatch
    is a one-line error."""
    from safetensors import SafetensorError
    from safetensors.numpy import load

    try:
        state = load(data)
    except (SafetensorError, ValueError) as exc:
        raise RnncastError(f"{where} is damaged: {str(exc).splitlines()[0] if str(exc) else exc}") from None
    nets = nets if isinstance(nets, list) else [nets]
    prefixes = [f"members.{k}." for k in range(len(nets))] if len(nets) > 1 else [""]
    expected = {p + k: tuple(v.shape) for p, net in zip(prefixes, nets, strict=True)
                for k, v in net.state_dict().items()}
    got = {k: tuple(v.shape) for k, v in state.items()}
    if expected != got:
        diff = sorted(set(expected.items()) ^ set(got.items()))
        raise RnncastError(f"{where} does not fit the model in config.json: {diff[0][0]} differs")
    for prefix, net in zip(prefixes, nets, strict=True):
        own = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
        if engine == "numpy":
            net.load_state_dict(own)
            continue
        import torch

        net.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in own.items()})
