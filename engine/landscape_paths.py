"""Training paths for the loss landscape: several optimizers from the same weights, recorded.

Part of the landscape computation (``engine.landscape`` projects these paths onto a plane).

``train_paths`` trains several optimizers from the same initial weights on the same batches
(same seed) and records their flat parameters every k steps.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np

from engine import optimizers, validate
from engine.training import StopReason, Trainer
from engine.trajectory import RunnerConfig


@dataclass
class PathRun:
    """One optimizer's recorded run: flat weights ``params[k]`` after ``steps[k]`` updates."""

    label: str
    optimizer: str
    hyper: dict
    steps: np.ndarray
    params: np.ndarray  # (T, P)
    losses: np.ndarray  # eval-mode loss on the training data at each recorded point
    status: str = "finished"
    stop_reason: StopReason | None = None  # why its training stopped (``engine.training``)

    @property
    def message(self) -> str:
        """The stop reason in English ("" if none)."""
        return self.stop_reason.sentence() if self.stop_reason is not None else ""

    @property
    def final(self) -> np.ndarray:
        return self.params[-1]


def _record_every(total_steps: int, max_points: int) -> int:
    return max(1, math.ceil(total_steps / max(1, max_points - 1)))


def train_paths(model, configs, x, labels, epochs: int = 50, batch_size: int = 16, seed: int = 0,
                record_every: int | None = None, max_points: int = 300):
    """Generator: train every config from ``model``'s current weights; returns ``[PathRun]``.

    Each run trains a deep copy of ``model`` (same initial weights, same dropout stream) with a
    ``Trainer`` of the same ``seed`` — hence the same mini-batches. ``configs`` are
    ``trajectory.RunnerConfig`` (optimizer, hyper, label; a config's own ``batch_size``
    overrides the shared one). Weights are recorded at step 0, every ``record_every`` steps
    (default: at most ``max_points`` per run) and at the last step. Yields
    ``(run index, label, steps done, steps total)`` at each record, so a worker can stop there.
    A diverged run keeps its last finite weights and its ``status``/``message``.
    """
    configs = [c if isinstance(c, RunnerConfig) else RunnerConfig(*c) for c in configs]
    if not configs:
        raise ValueError("choose at least one optimizer")
    epochs = validate.integer(epochs, "epochs", 1, 100_000)
    runs = []
    for index, cfg in enumerate(configs):
        label = cfg.display_label()
        net = copy.deepcopy(model)
        opt = optimizers.get(cfg.optimizer, **dict(cfg.hyper))
        trainer = Trainer(net, opt, x, labels, batch_size=cfg.batch_size or batch_size, epochs=epochs,
                          seed=seed)
        total = epochs * trainer.steps_per_epoch
        k = validate.integer(record_every, "record_every", allow_none=True) or _record_every(total, max_points)
        steps, params, losses = [], [], []

        def record():
            steps.append(trainer.step_count)
            params.append(net.get_flat_params().astype(np.float64))
            with np.errstate(all="ignore"):
                losses.append(float(net.loss(x, labels, train=False)))

        record()
        for _metrics in trainer.run():
            if trainer.step_count % k == 0:
                record()
                yield index, label, trainer.step_count, total
        if steps[-1] != trainer.step_count:
            record()
        yield index, label, trainer.step_count, total
        runs.append(PathRun(label, cfg.optimizer, dict(opt.hyper), np.array(steps), np.array(params),
                            np.array(losses), trainer.status, trainer.stop_reason))
    return runs
