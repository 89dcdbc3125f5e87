"""Checkpoints: the whole training state every N optimizer steps, and resuming from it exactly.

One file, ``<directory>/checkpoint.safetensors``, replaced atomically (temporary name + rename) at
every save, so a kill at any moment leaves either the previous checkpoint or the new one, whole:

- tensors (safetensors): the weights (``net.*``), Adam's moments (``adam.m``, ``adam.v``) and, with
  early stopping, the best weights so far (``best.*``);
- JSON (in the safetensors header's metadata, key ``rnncast``): the position in the loop (round,
  next batch, the running loss of the unfinished epoch, steps taken), Adam's step count, the states
  of the batch-order generator (taken *before* the epoch's shuffle, so the same order is redrawn)
  and of torch's global RNG (dropout), the losses so far, the early-stopping counters, a SHA-256 of
  the tensors (a flipped byte is caught, not trained on), and the fingerprint of the run.

The fingerprint is the configuration (engine, model/window/train settings, input width, number of
series) plus a SHA-256 over the training arrays (every series' scaled input rows, the samples'
window starts, targets and validation flags). Resuming checks it first: a checkpoint of another
configuration or other data is refused with a line that names the difference, and a missing,
truncated or corrupt file is refused too; a resume never silently starts over. No pickle anywhere.

A resumed run repeats the uninterrupted one exactly on CPU: the same weights, moments, batch order
and RNG draws from the saved step on (tested by killing ``rnncast train`` with SIGKILL).
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnncast import atomic, outputs
from rnncast.errors import RnncastError

CHECKPOINT_FILE = "checkpoint.safetensors"
FORMAT = 1
METADATA_KEY = outputs.CHECKPOINT_METADATA_KEY


@dataclass
class Position:
    """Where a resumed loop continues: round ``round`` at batch offset ``batch`` with the epoch's running loss."""

    round: int
    batch: int
    partial_loss: float


def fingerprint(engine: str, specs: tuple, n_inputs: int, n_series: int, rows: list[np.ndarray], data) -> dict:
    """What a checkpoint must match: the configuration (JSON) and a hash of the training arrays.

    ``rows`` are the series' input rows and ``data`` the ``training_sets.TrainingSet`` built from them: the rows
    and which samples train and validate (their runs per series) fix every window and target.
    """
    from rnncast.specs import spec_to_dict

    model, window, train = specs
    config = {"engine": engine, "model": spec_to_dict(model), "window": spec_to_dict(window),
              "train": spec_to_dict(train), "n_inputs": int(n_inputs), "n_series": int(n_series)}
    digest = hashlib.sha256()
    for array in [*rows, data.starts.key(), data.train_samples.key(), data.val_samples.key()]:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        if array.size:  # an empty array (no validation samples) has no bytes, and memoryview refuses it
            digest.update(memoryview(array).cast("B"))
    shapes = {"rows": int(sum(len(r) for r in rows)), "samples": int(len(data.starts))}
    return {"config": json.loads(json.dumps(config)), "data": digest.hexdigest(), "shapes": shapes}


class Checkpointer:
    """Saves the training state every ``every`` steps into ``directory``; with ``resume`` restores it first.

    ``training.run`` calls ``restore`` once before the loop and ``step_done`` after every step that
    ends a batch in mid-epoch and after every round; a save happens when the step count is a
    multiple of ``every`` (``None``: resume only, then keep the interval the checkpoint was made with).
    ``announce`` prints one line on stderr when a run resumes (the Forecaster's ``progress``).
    """

    def __init__(self, directory: str | Path, every: int | None, resume: bool, run_fingerprint: dict,
                 announce: bool = False, name: str = CHECKPOINT_FILE):
        if every is not None and (isinstance(every, bool) or not isinstance(every, int) or every < 1):
            raise RnncastError(f"checkpoint_every must be a positive whole number, got {every!r}")
        self.path = Path(directory) / name
        self.every, self.resume, self.fingerprint, self.announce = every, resume, run_fingerprint, announce
        self.seconds_before, self.started = 0.0, time.perf_counter()  # training time of earlier runs

    # -- saving ---------------------------------------------------------------------------------
    def step_done(self, steps, result, watch, round_: int, batch: int, partial_loss: float, order_state,
                  average=None) -> None:
        """Save if ``result.steps`` is a multiple of the interval; ``order_state`` None = the generator's now;
        ``average``: the run's ``averaging.WeightAverage`` (swa), saved with it."""
        if self.every is None or result.steps % self.every:
            return
        arrays, info = steps.resume_state()
        if order_state is not None:
            info["order_rng"] = order_state
        arrays = {k: np.ascontiguousarray(v) for k, v in arrays.items()}
        arrays.update(_snapshot_arrays("net", steps.snapshot()))
        early = None
        if watch is not None:
            early = {"best_loss": _finite_or_none(watch.best_loss), "best_step": watch.best_step,
                     "misses": watch.misses}
            if watch.best_state is not None:
                arrays.update(_snapshot_arrays("best", watch.best_state))
        if average is not None and average.count:
            arrays.update(_snapshot_arrays("swa", average.mean))
        meta = {
            "format": FORMAT, "every": self.every, "fingerprint": self.fingerprint, "stepper": info,
            "position": {"round": round_, "batch": batch, "partial_loss": partial_loss, "steps": result.steps},
            "losses": result.losses, "val_losses": result.val_losses, "early_stop": early,
            "swa_rounds": average.count if average is not None else 0,
            "seconds": self.seconds_before + time.perf_counter() - self.started, "sha256": _tensor_digest(arrays),
        }
        from safetensors.numpy import save

        atomic.write_file(self.path, save(arrays, metadata={METADATA_KEY: json.dumps(meta)}), outputs.CHECKPOINT)

    # -- resuming -------------------------------------------------------------------------------
    def restore(self, steps, result, watch, average=None) -> Position | None:
        """With ``resume``: load the checkpoint into the stepper, ``result`` and ``watch``; its position.

        Refuses (``RnncastError``) a missing, damaged or foreign checkpoint; never starts over silently.
        """
        self.started = time.perf_counter()
        if not self.resume:
            return None
        arrays, meta = self._read()
        self._check_fingerprint(meta.get("fingerprint"))
        try:
            steps.load_resume_state(arrays, meta["stepper"])
            steps.restore(_fill(steps.snapshot(), "net", arrays))
            position = meta["position"]
            result.losses = [float(v) for v in meta["losses"]]
            result.val_losses = [float(v) for v in meta["val_losses"]]
            result.steps = int(position["steps"])
            result.seconds = self.seconds_before = float(meta["seconds"])
            if watch is not None:
                early = meta["early_stop"]
                watch.best_loss = math.inf if early["best_loss"] is None else float(early["best_loss"])
                watch.best_step, watch.misses = early["best_step"], int(early["misses"])
                if any(k.startswith("best.") or k == "best" for k in arrays):
                    watch.best_state = _fill(steps.snapshot(), "best", arrays)
            if average is not None and meta.get("swa_rounds"):
                average.count, average.mean = int(meta["swa_rounds"]), _fill(steps.snapshot(), "swa", arrays)
            if self.every is None:
                self.every = int(meta["every"])
            if self.announce:
                print(f"rnncast: resuming from {self.path} after step {result.steps}", file=sys.stderr)
            return Position(int(position["round"]), int(position["batch"]), float(position["partial_loss"]))
        except (KeyError, TypeError, ValueError, RuntimeError) as exc:
            raise RnncastError(f"checkpoint {self.path} is damaged: {type(exc).__name__} {exc}".splitlines()[0]) \
                from None

    def _read(self) -> tuple[dict, dict]:
        from safetensors import SafetensorError, safe_open

        if not self.path.is_file():
            raise RnncastError(f"no checkpoint to resume from at {self.path}; start without --resume")
        try:
            with safe_open(str(self.path), framework="numpy") as f:
                meta = json.loads((f.metadata() or {})[METADATA_KEY])
                arrays = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 (safe_open is not a dict)
        except (SafetensorError, OSError, KeyError, ValueError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise RnncastError(f"checkpoint {self.path} is damaged (truncated or not a checkpoint): {first}") \
                from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise RnncastError(f"checkpoint {self.path} has an unknown format {meta.get('format')!r}"
                               f" (this rnncast reads format {FORMAT})")
        if meta.get("sha256") != _tensor_digest(arrays):
            raise RnncastError(f"checkpoint {self.path} is damaged: its tensors do not match their checksum")
        return arrays, meta

    def _check_fingerprint(self, saved) -> None:
        now = self.fingerprint
        if not isinstance(saved, dict):
            raise RnncastError(f"checkpoint {self.path} is damaged: it has no fingerprint")
        if saved.get("config") != now["config"]:
            key, then, current = _first_difference(saved.get("config"), now["config"])
            raise RnncastError(f"checkpoint {self.path} is of a different configuration ({key}: {then} in the"
                               f" checkpoint, {current} now); start over without --resume")
        if saved.get("data") != now["data"]:
            shapes = saved.get("shapes") or {}
            raise RnncastError(
                f"checkpoint {self.path} was made on different training data ({shapes.get('rows')} rows and"
                f" {shapes.get('samples')} samples then, {now['shapes']['rows']} and {now['shapes']['samples']}"
                f" now{', values differ' if shapes == now['shapes'] else ''}); start over without --resume")


def _snapshot_arrays(prefix: str, snapshot) -> dict[str, np.ndarray]:
    """A stepper's snapshot (torch: name → tensor; numpy: one flat array) as named NumPy arrays."""
    if isinstance(snapshot, dict):
        return {f"{prefix}.{k}": _numpy(v) for k, v in snapshot.items()}
    return {prefix: _numpy(snapshot)}


def _fill(template, prefix: str, arrays: dict):
    """``template`` (a fresh snapshot of the same stepper) with its values replaced by the saved arrays."""
    if not isinstance(template, dict):
        template[...] = _shaped(arrays[prefix], template.shape)
        return template
    for name, tensor in template.items():
        saved = _shaped(arrays[f"{prefix}.{name}"], tuple(tensor.shape))
        tensor.copy_(tensor.new_tensor(saved))  # a torch tensor; new_tensor keeps its dtype and device
    return template


def _shaped(array: np.ndarray, shape: tuple) -> np.ndarray:
    if tuple(array.shape) != tuple(shape):
        raise ValueError(f"a saved tensor has shape {tuple(array.shape)}, the model's has {tuple(shape)}")
    return array


def _numpy(value) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor (any device)
        value = value.detach().cpu().numpy()
    return np.ascontiguousarray(value)


def _tensor_digest(arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}:{array.dtype.str}{array.shape}".encode())
        digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _first_difference(then, now, where: str = "") -> tuple[str, object, object]:
    """The first setting (dotted name) whose value differs between two nested dicts."""
    if isinstance(then, dict) and isinstance(now, dict):
        for key in [*now, *(k for k in then if k not in now)]:
            if then.get(key) != now.get(key):
                return _first_difference(then.get(key), now.get(key), f"{where}.{key}" if where else key)
    return where or "settings", then, now


def for_fit(forecaster, specs: tuple, rows: list[np.ndarray], data, stage: str = "") -> Checkpointer | None:
    """The ``Checkpointer`` of ``forecaster``'s ``checkpoint`` / ``checkpoint_every`` / ``resume`` settings
    for one training run of a fit, or None when it asks for none; contradictory settings are refused.

    A fit may train several times (ensemble members, the refit after early stopping): ``stage`` names
    the run, and each has its own file (``checkpoint.safetensors`` for the first, ``checkpoint-<stage>…``
    for the others). Resuming, the first run's file must exist; a later run without a file had not
    saved yet when the process stopped, so it starts from its beginning, as the uninterrupted run did.
    """
    directory, every, resume = forecaster.checkpoint, forecaster.checkpoint_every, bool(forecaster.resume)
    if directory is None:
        if every is not None or resume:
            raise RnncastError("checkpoint_every and resume need a checkpoint directory (checkpoint=DIR)")
        return None
    if every is None and not resume:
        raise RnncastError(f"checkpoint={str(directory)!r} needs checkpoint_every=N (or resume=True)")
    if forecaster.conformal:
        raise RnncastError("checkpoints do not cover the backtests that calibrate conformal intervals;"
                           " drop conformal or the checkpoint settings")
    run_fingerprint = fingerprint(forecaster.engine, specs, rows[0].shape[1], len(rows), rows, data)
    name = CHECKPOINT_FILE if not stage else CHECKPOINT_FILE.replace(".safetensors", f"-{stage}.safetensors")
    if resume and stage and not (Path(directory) / name).is_file():
        resume = False
    return Checkpointer(directory, every, resume, run_fingerprint, announce=bool(forecaster.progress), name=name)


def add_options(parser) -> None:
    """``rnncast train``'s checkpoint options."""
    group = parser.add_argument_group("checkpoints")
    group.add_argument("--checkpoint-every", type=int, metavar="N", help="save the training state every N steps")
    group.add_argument("--checkpoint", metavar="DIR", help=f"where {CHECKPOINT_FILE} goes (default: the run"
                                                           " directory, which the finished run then replaces)")
    group.add_argument("--resume", action="store_true", help="continue from the checkpoint (same settings and data)")


def options_from(args, run_dir: Path) -> dict:
    """The Forecaster's checkpoint settings from those options; the default directory is ``run_dir``."""
    every, resume, directory = (getattr(args, name, None) for name in ("checkpoint_every", "resume", "checkpoint"))
    if every is None and not resume:
        if directory is not None:
            raise RnncastError("--checkpoint DIR needs --checkpoint-every N (or --resume)")
        return {}
    return {"checkpoint": str(directory or run_dir), "checkpoint_every": every, "resume": bool(resume)}
