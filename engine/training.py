"""Mini-batch training as a stepper the app advances from a worker thread.

``Trainer.step()`` does one mini-batch (forward, backward, optimizer update) and returns its
``StepMetrics``; ``run()`` is the same as a generator that a ``cancel()`` from another thread
stops between two steps. Batches follow one permutation per epoch drawn from ``seed``, so the
same seed, model and settings give identical curves.

Divergence is a result, not a crash: when the loss, a gradient or an updated parameter is not
finite, the update is not applied (the parameters keep the last finite state), ``status``
becomes "diverged", ``stop_reason`` says why as data (``StopReason(kind="diverged", step=37,
problem="loss", value=nan)``; ``message`` is its English sentence), and training stops. A finite loss above ``max_loss`` (default 1e6) counts too: softmax cross-entropy is
computed stably, so an exploding run can stay finite for hundreds of steps (SGD with lr 1e6
reaches a loss of 1e15 at step 2 and 1e83 at step 5 on XOR) — its loss is the best alarm.

The monitor's heavier views are computed only when asked: ``layer_stats()`` summarizes the
last *training* pass per hidden layer, ``decision_grid()`` evaluates the model on a 2-D grid.

The model is an ``engine.network.MLP`` (or anything with its ``params``, ``loss``,
``loss_and_gradient``, ``predict``, ``accuracy`` and ``layer_records``); the optimizer is an
``engine.optimizers`` object (or a name, built with its defaults). An ``engine.schedules``
``schedule`` sets the optimizer's rate per update, or per epoch (``schedule_per="epoch"``:
every update of epoch e uses ``lr_at(e)``, as ``scheduler.step()`` once per epoch in PyTorch).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

import numpy as np

from engine import validate
from engine import stats
from engine.activations import Softmax
from engine.history import DecimatingSeries, RingBuffer

#: Metrics kept in ``Trainer.history`` (each a ``DecimatingSeries`` over the step number).
HISTORY_KEYS = (
    "loss", "accuracy", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "steps_per_sec",
)

#: How often a learning-rate schedule advances: after every update, or after every epoch.
SCHEDULE_PER = ("update", "epoch")

STATUSES = ("ready", "running", "finished", "diverged", "cancelled")
#: Why a run diverged (``StopReason.problem``): the loss is not finite, the loss is above
#: ``max_loss``, a gradient is not finite, the update overflowed, or NumPy raised.
PROBLEMS = ("loss", "loss_limit", "gradient", "overflow", "fp_pass", "fp_update")


@dataclass(frozen=True)
class StopReason:
    """Why a run stopped, as data: the app words it in its language (no sentence parsing).

    ``kind``: "finished" (``epochs`` done), "diverged" (``problem`` in ``PROBLEMS``, with the
    loss ``value`` and the ``limit`` it passed where that applies) or "cancelled". ``step``: the
    finished/cancelled run's last step, or the step that diverged (its update not applied).
    """

    kind: str
    step: int
    epochs: int | None = None
    problem: str = ""
    value: float | None = None
    limit: float | None = None

    def problem_text(self) -> str:
        """The problem in English (``loss = nan``)."""
        if self.problem == "loss":
            return f"loss = {self.value}"
        if self.problem == "loss_limit":
            return f"loss = {self.value:.3g} > {self.limit:g}"
        return {"gradient": "a gradient is not finite", "overflow": "the update overflowed",
                "fp_pass": "floating-point error in the forward/backward pass",
                "fp_update": "floating-point error in the update"}.get(self.problem, self.problem)

    def sentence(self) -> str:
        """The reason in English (logs, the engine's own users)."""
        if self.kind == "diverged":
            return f"diverged at step {self.step} ({self.problem_text()})"
        if self.kind == "finished":
            return f"finished {self.epochs} epochs ({self.step} steps)"
        return f"cancelled after step {self.step}"

#: Fixed histogram ranges for bounded activation outputs (others span their data).
_OUTPUT_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}


@dataclass(frozen=True)
class StepMetrics:
    """What one step reports. Full-set numbers are None on steps that did not evaluate."""

    step: int  # 1-based number of this update
    epoch: int  # 1-based epoch this batch belongs to
    loss: float  # mini-batch loss (training mode: dropout on; penalties included)
    accuracy: float  # mini-batch accuracy of the same training-mode pass
    epoch_end: bool = False
    train_loss: float | None = None  # whole train set, eval mode
    train_accuracy: float | None = None
    test_loss: float | None = None  # whole test set, eval mode
    test_accuracy: float | None = None
    steps_per_sec: float = 0.0  # over the last few steps of the current run()




def _check_data(x, labels, what: str):
    x = np.asarray(x)
    labels = np.asarray(labels)
    if x.ndim != 2 or labels.ndim != 1 or len(x) != len(labels) or len(x) == 0:
        raise ValueError(f"{what}: need x of shape (n, d) and labels of shape (n,) with n ≥ 1, "
                         f"got {x.shape} and {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{what}: labels must be integers, got dtype {labels.dtype}")
    return validate.finite_rows(x, what), labels


def _check_fits(model, parts) -> None:
    """Each ``(x, y, what)`` of ``parts`` (x None: absent) fits the model's inputs and outputs."""
    n_in, n_out = getattr(model, "n_in", None), getattr(model, "n_out", None)
    for x, y, what in parts:
        if x is None:
            continue
        if n_in is not None and x.shape[1] != n_in:
            raise ValueError(f"the model takes {n_in} features, the {what} data has {x.shape[1]}")
        if n_out is not None and (y.min() < 0 or y.max() >= n_out):
            raise ValueError(f"{what} labels must be in [0, {n_out}) for a model with {n_out} "
                             f"outputs, got [{y.min()}, {y.max()}]")


def _all_finite(arrays) -> bool:
    return all(np.isfinite(a).all() for a in arrays)


def _batch_starts(n: int, batch_size: int) -> np.ndarray:
    """Start indices of an epoch's batches; a leftover single sample joins the previous batch
    (batch norm cannot normalize one sample)."""
    starts = np.arange(0, n, batch_size)
    if n % batch_size == 1 and len(starts) > 1:
        starts = starts[:-1]
    return np.append(starts, n)


class Trainer:
    """Trains ``model`` with ``optimizer`` one mini-batch per ``step()``.

    ``epochs=None`` trains until cancelled. Full train/test evaluations (eval mode) happen at
    each epoch end and, with ``eval_every``, every that many steps. The last partial batch of an
    epoch is used, not dropped. ``history`` maps each of ``HISTORY_KEYS`` to a
    ``DecimatingSeries`` of at most ``history_capacity`` points. ``max_loss=None`` turns the
    loss ceiling of the divergence check off.
    """

    _SPEED_WINDOW = 50  # steps over which steps_per_sec is measured

    def __init__(self, model, optimizer, x_train, y_train, x_test=None, y_test=None,
                 batch_size: int = 32, epochs: int | None = None, seed: int = 0,
                 eval_every: int | None = None, history_capacity: int = 2000,
                 max_loss: float | None = 1e6, schedule=None, schedule_per: str = "update"):
        self.model = model
        if isinstance(optimizer, str):
            from engine import optimizers

            optimizer = optimizers.get(optimizer)
        self.optimizer = optimizer
        self.x_train, self.y_train = _check_data(x_train, y_train, "train data")
        if (x_test is None) != (y_test is None):
            raise ValueError("give both x_test and y_test, or neither")
        self.x_test = self.y_test = None
        if x_test is not None:
            self.x_test, self.y_test = _check_data(x_test, y_test, "test data")
        _check_fits(model, ((self.x_train, self.y_train, "train"), (self.x_test, self.y_test, "test")))
        self.batch_size = validate.integer(batch_size, "batch_size")
        self.epochs = validate.integer(epochs, "epochs", allow_none=True)
        self.eval_every = validate.integer(eval_every, "eval_every", allow_none=True)
        self.seed = validate.seed(seed)
        if max_loss is not None:
            try:
                limit = float(max_loss)
            except (TypeError, ValueError):
                limit = math.nan
            if not limit > 0:
                raise ValueError(f"max_loss must be a number > 0 or None, got {max_loss!r}")
            max_loss = limit
        self.max_loss = max_loss
        self._starts = _batch_starts(len(self.x_train), self.batch_size)
        self.steps_per_epoch = len(self._starts) - 1
        if schedule_per not in SCHEDULE_PER:
            raise ValueError(f"schedule_per must be one of {', '.join(SCHEDULE_PER)}, got {schedule_per!r}")
        self.schedule_per = schedule_per
        if schedule is not None:  # per epoch: the schedule advances once per epoch of updates
            every = self.steps_per_epoch if schedule_per == "epoch" else 1
            self.optimizer.set_schedule(schedule, every=every)
        self.history = {key: DecimatingSeries(history_capacity) for key in HISTORY_KEYS}

        self._rng = np.random.default_rng(seed)
        self._order = self._rng.permutation(len(self.x_train))
        self._cancel = threading.Event()
        # Held while the model computes, so a monitor request never sees a half-done pass.
        self._lock = threading.RLock()
        self._step_times = RingBuffer(self._SPEED_WINDOW + 1)
        # The model's forward records are overwritten by every pass (eval ones too), so they are
        # copied just before the first non-training pass that follows a training step.
        self._records: list[dict] | None = None
        self._model_holds_training_pass = False
        self._backup = [np.empty_like(p) for p in model.params]  # undo buffer for a bad update
        self.step_count = 0  # updates applied
        self.status = "ready"
        self.diverged_at: int | None = None
        self.stop_reason: StopReason | None = None
        self.last_metrics: StepMetrics | None = None

    # --------------------------------------------------------------------------- stepping
    @property
    def epoch(self) -> int:
        """1-based epoch of the next batch."""
        return self.step_count // self.steps_per_epoch + 1

    @property
    def message(self) -> str:
        """``stop_reason`` in English ("" while it runs)."""
        return self.stop_reason.sentence() if self.stop_reason is not None else ""

    @property
    def done(self) -> bool:
        return self.status in ("finished", "diverged", "cancelled")

    def cancel(self) -> None:
        """Stop after the current step (thread-safe): ``run()`` returns, ``step()`` returns None."""
        self._cancel.set()

    def replace_data(self, x_train, y_train, x_test=None, y_test=None) -> None:
        """Train on other samples from the next step on, same model and optimizer state (data
        edited while it trains, e.g. drawn points); the batch order is redrawn, the step count goes on."""
        x_train, y_train = _check_data(x_train, y_train, "train data")
        tests = (None, None) if x_test is None else _check_data(x_test, y_test, "test data")
        _check_fits(self.model, ((x_train, y_train, "train"), (*tests, "test")))
        with self._lock:
            self.x_train, self.y_train = x_train, y_train
            self.x_test, self.y_test = tests
            self._starts = _batch_starts(len(x_train), self.batch_size)
            self.steps_per_epoch = len(self._starts) - 1
            self._order = self._rng.permutation(len(x_train))

    def step(self) -> StepMetrics | None:
        """One mini-batch update; None when finished, diverged or cancelled."""
        if self._cancel.is_set() and not self.done:
            self.status, self.stop_reason = "cancelled", StopReason("cancelled", self.step_count)
        if self.done:
            return None
        with self._lock:
            metrics = self._step()
        if metrics is not None:
            self._record(metrics)
        return metrics

    def run(self, max_steps: int | None = None):
        """Generator of ``StepMetrics`` until finished, diverged, cancelled or ``max_steps`` taken.

        After ``max_steps`` (a pause) the status goes back to "ready" and a new ``run()``
        continues where this one stopped.
        """
        max_steps = validate.integer(max_steps, "max_steps", allow_none=True)
        taken = 0
        self._step_times.clear()  # a pause must not count as slowness
        try:
            while max_steps is None or taken < max_steps:
                if self.status == "ready":
                    self.status = "running"
                metrics = self.step()
                if metrics is None:
                    return
                taken += 1
                yield metrics
        finally:
            if self.status == "running":
                self.status = "ready"

    def _step(self) -> StepMetrics | None:
        step = self.step_count + 1
        index = self.step_count % self.steps_per_epoch
        if index == 0 and self.step_count:
            self._order = self._rng.permutation(len(self.x_train))
        batch = self._order[self._starts[index]:self._starts[index + 1]]
        xb, yb = self.x_train[batch], self.y_train[batch]
        if not len(self._step_times):
            self._step_times.append(time.perf_counter())

        with np.errstate(all="ignore"):
            loss, problem, limit = self._update(xb, yb)
            self._records, self._model_holds_training_pass = None, True
            accuracy = math.nan if problem else self._batch_accuracy(xb, yb)
        if problem:
            self.status = "diverged"
            self.diverged_at = step
            self.stop_reason = StopReason("diverged", step, problem=problem, value=loss, limit=limit)
            return None
        self.step_count = step
        epoch_end = index == self.steps_per_epoch - 1
        evaluate = epoch_end or (self.eval_every is not None and step % self.eval_every == 0)
        full = self._evaluate() if evaluate else {}
        self._step_times.append(time.perf_counter())
        times = self._step_times.values
        speed = float((len(times) - 1) / (times[-1] - times[0])) if times[-1] > times[0] else 0.0
        if epoch_end and self.epochs is not None and step >= self.epochs * self.steps_per_epoch:
            self.status = "finished"
            self.stop_reason = StopReason("finished", step, epochs=self.epochs)
        epoch = (step - 1) // self.steps_per_epoch + 1
        return StepMetrics(step, epoch, loss, accuracy, epoch_end, steps_per_sec=speed, **full)

    def _update(self, xb, yb) -> tuple[float, str | None, float | None]:
        """Forward, backward and optimizer step; ``(loss, None, None)`` or ``(loss, problem,
        limit)`` (``problem`` in ``PROBLEMS``) with the parameters left as they were."""
        params = self.model.params
        try:
            loss, grads = self.model.loss_and_gradient(xb, yb)
        except FloatingPointError:  # a caller's np.seterr(all="raise")
            return math.nan, "fp_pass", None
        loss = float(loss)
        if not math.isfinite(loss):
            return loss, "loss", None
        if self.max_loss is not None and loss > self.max_loss:
            return loss, "loss_limit", self.max_loss
        if not _all_finite(grads):
            return loss, "gradient", None
        for keep, p in zip(self._backup, params):
            np.copyto(keep, p)
        try:
            self.optimizer.step(params, grads)
            if getattr(self.model, "l1_proximal", False):  # L1 soft-threshold (engine.network)
                self.model.proximal_step(self.optimizer.hyper["lr"])
            problem = None if _all_finite(params) else "overflow"
        except FloatingPointError:
            problem = "fp_update"
        if problem:  # back to the last finite state
            for keep, p in zip(self._backup, params):
                np.copyto(p, keep)
        return loss, problem, None

    def _batch_accuracy(self, xb, yb) -> float:
        """Accuracy of the training pass just made (its softmax output), without another pass."""
        probs = getattr(getattr(self.model, "loss_layer", None), "probs", None)
        if probs is not None and probs.shape[0] == len(yb):
            return float(np.mean(np.argmax(probs, axis=1) == yb))
        self._keep_records()
        return float(self.model.accuracy(xb, yb))

    def _keep_records(self) -> None:
        """Copy the training pass's layer records before an eval pass overwrites them."""
        if self._model_holds_training_pass:
            self._records = self.model.layer_records()
            self._model_holds_training_pass = False

    def _evaluate(self) -> dict:
        self._keep_records()
        model, out = self.model, {}
        with np.errstate(all="ignore"):
            out["train_loss"] = float(model.loss(self.x_train, self.y_train, train=False))
            out["train_accuracy"] = float(model.accuracy(self.x_train, self.y_train))
            if self.x_test is not None:
                out["test_loss"] = float(model.loss(self.x_test, self.y_test, train=False))
                out["test_accuracy"] = float(model.accuracy(self.x_test, self.y_test))
        return out

    def _record(self, m: StepMetrics) -> None:
        self.last_metrics = m
        for key in HISTORY_KEYS:
            value = getattr(m, key)
            if value is not None:
                self.history[key].append(m.step, value)

    def evaluate(self) -> dict:
        """Full train (and test) loss and accuracy now, in eval mode."""
        with self._lock:
            return self._evaluate()

    # --------------------------------------------------------------------------- monitor views
    def layer_stats(self, bins: int = 30) -> list[dict]:
        """Per hidden layer, from the last training pass (batch): summaries and histograms.

        Each item: ``name``, ``activation_name``, ``dead_share`` (``stats.dead_unit_share`` of
        the pre-activations) and ``stats.summary`` dicts ``activation``, ``pre_activation``,
        ``gradient`` (dL/d pre-activation: the back-propagated signal), ``weight`` and
        ``weight_gradient`` (the Dense layer feeding it), plus ``histograms``: the same keys →
        ``(counts, edges)``. Empty before the first step.
        """
        with self._lock:
            if self._model_holds_training_pass:
                records = self.model.layer_records()
            else:
                records = self._records
            dense = getattr(self.model, "dense_layers", [])
            weights = [(d.params["W"].copy(), d.grads["W"].copy()) for d in dense]
        if not records:
            return []
        out = []
        for i, rec in enumerate(records):
            kind = rec.get("activation_name")
            arrays = {
                "activation": rec["activation"],
                "pre_activation": rec["pre_activation"],
                "gradient": rec["grad_pre_activation"],
            }
            if i < len(weights):
                arrays["weight"], arrays["weight_gradient"] = weights[i]
            item = {"name": rec.get("name", f"hidden{i + 1}"), "activation_name": kind,
                    "histograms": {}}
            for key, a in arrays.items():
                if a is None:
                    item[key] = None
                    continue
                item[key] = stats.summary(a, kind=kind if key == "activation" else None)
                hist_range = _OUTPUT_RANGE.get(kind) if key == "activation" else None
                item["histograms"][key] = stats.histogram(a, bins=bins, range=hist_range)
            pre = rec["pre_activation"]
            item["dead_share"] = None if pre is None else stats.dead_unit_share(pre)
            out.append(item)
        return out

    def weight_zeros(self, small: float = 1e-3) -> tuple[int, int, int]:
        """``(exactly 0, |w| < small, total)`` over the model's weight matrices (L1's sparsity)."""
        arrays = getattr(self.model, "weight_arrays", None)
        if arrays is None:
            return 0, 0, 0
        with self._lock:
            return stats.zero_counts(arrays(), small)

    def decision_grid(self, bounds, n: int = 100, plane=None) -> dict:
        """The model's class probabilities on an ``n × n`` grid over ``bounds`` (eval mode).

        ``plane = (centre, components (2, d))`` for more than 2 features: grid point ``p`` is the
        input ``centre + p @ components`` (a 2-D slice, e.g. ``engine.csv_data.pca_2d``'s plane).

        ``bounds = (x_min, x_max, y_min, y_max)`` (e.g. ``datasets.BOUNDS``). Returns ``{"xs":
        (n,), "ys": (n,), "probs": (n, n, n_classes), "classes": (n, n) int}`` in image order:
        ``probs[i, j]`` is the point ``(xs[j], ys[i])``.
        """
        n = validate.integer(n, "n")
        if n < 2:
            raise ValueError(f"n must be ≥ 2, got {n}")
        try:
            x0, x1, y0, y1 = (float(b) for b in bounds)
        except (TypeError, ValueError):
            raise ValueError(f"bounds must be (x_min, x_max, y_min, y_max), got {bounds!r}") from None
        if not (all(map(math.isfinite, (x0, x1, y0, y1))) and x0 < x1 and y0 < y1):
            raise ValueError(f"bounds must be finite with x_min < x_max and y_min < y_max, got {bounds!r}")
        if plane is None and self.x_train.shape[1] != 2:
            raise ValueError(f"decision_grid needs 2-D inputs (or a plane), the data has {self.x_train.shape[1]} "
                             "features")
        xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
        gx, gy = np.meshgrid(xs, ys)
        points = np.column_stack([gx.ravel(), gy.ravel()])
        if plane is not None:
            centre, components = (np.asarray(a, dtype=np.float64) for a in plane)
            points = centre + points @ components
        with self._lock, np.errstate(all="ignore"):
            self._keep_records()
            logits = np.asarray(self.model.predict(points))
            probs = Softmax().forward(logits).reshape(n, n, -1)
        return {"xs": xs, "ys": ys, "probs": probs, "classes": probs.argmax(axis=-1)}
