"""engine.schedules against stored torch.optim.lr_scheduler values (and live torch if present)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from engine import optimizers, schedules

REF = Path(__file__).parent / "data" / "torch_schedule_reference.npz"


def _cases():
    data = np.load(REF)
    out = []
    for key in data.files:
        if key.endswith("__spec"):
            case = key[: -len("__spec")]
            spec = json.loads(str(data[key]))
            out.append(pytest.param(spec["name"], spec["params"], data[case], id=case))
    return out


def test_every_schedule_has_a_stored_torch_reference():
    names = {p.values[0] for p in _cases()}
    assert names == set(schedules.names())


@pytest.mark.parametrize("name, params, expected", _cases())
def test_matches_torch_values(name, params, expected):
    sched = schedules.get(name, **params)
    got = sched.lr_at(np.arange(len(expected)))
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15 * params["lr"])
    # scalar calls equal the vectorized ones
    for t in (0, 1, len(expected) // 2, len(expected) - 1):
        assert sched.lr_at(t) == got[t]


def test_lr_at_zero_is_the_base_rate_except_warmups():
    for name in schedules.names():
        s = schedules.get(name, lr=0.2)
        if name in ("one_cycle", "linear_warmup_cosine"):
            assert s.lr_at(0) < 0.2
        else:
            assert s.lr_at(0) == pytest.approx(0.2, rel=1e-15)


@pytest.mark.parametrize("name, params, match", [
    ("nope", {}, "unknown schedule 'nope'; choose one of: constant, step"),
    ("step", {"step_size": 0}, "step_size must be an integer ≥ 1"),
    ("step", {"gamma": 1.5}, "gamma must be a number in"),
    ("step", {"sizes": 3}, "bad parameters for schedule 'step'"),
    ("constant", {"lr": -1}, "lr must be a finite number > 0"),
    ("constant", {"lr": float("nan")}, "lr must be a finite number > 0"),
    ("multistep", {"milestones": [30, 10]}, "milestones must be increasing"),
    ("multistep", {"milestones": 5}, "milestones must be a list"),
    ("cosine", {"lr": 0.1, "eta_min": 0.5}, "eta_min must be a number in"),
    ("warm_restarts", {"t_mult": 1.5}, "t_mult must be an integer"),
    ("one_cycle", {"total_steps": 3, "pct_start": 0.1}, "must lie strictly between"),
    ("inverse_time", {"k": -1}, "k must be a finite number"),
])
def test_bad_names_and_params_raise_helpful_errors(name, params, match):
    with pytest.raises(ValueError, match=match):
        schedules.get(name, **params)


def test_bad_step_index():
    s = schedules.get("constant")
    for bad in (-1, 1.5, np.array([0, -2])):
        with pytest.raises(ValueError, match="update index t"):
            s.lr_at(bad)


def test_optimizer_uses_the_schedule_per_update():
    """SGD with a step schedule: each update's size is lr_at(t)·g."""
    sched = schedules.get("step", lr=0.1, step_size=2, gamma=0.5)
    opt = optimizers.get("sgd", lr=0.1)
    opt.set_schedule(sched)
    p = np.zeros(1)
    seen = []
    for _ in range(6):
        before = p.copy()
        opt.step([p], [np.ones(1)])
        seen.append(float(before[0] - p[0]))
        assert opt.current_lr == sched.lr_at(opt.step_count - 1)
    np.testing.assert_allclose(seen, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025], rtol=1e-15)
    assert opt.state_snapshot()["effective_lr"][0] == 0.025
    opt.set_schedule(None)
    before = p.copy()
    opt.step([p], [np.ones(1)])
    assert before[0] - p[0] == pytest.approx(0.1) and opt.current_lr == 0.1


def test_live_torch_optimizers_with_schedules():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(3, 4))
    grads = rng.normal(size=(40, 3, 4))
    for opt_name, torch_opt in (("sgd", lambda p, lr: torch.optim.SGD([p], lr=lr)),
                                ("momentum", lambda p, lr: torch.optim.SGD([p], lr=lr, momentum=0.9)),
                                ("adam", lambda p, lr: torch.optim.Adam([p], lr=lr))):
        ours = optimizers.get(opt_name, lr=0.1)
        ours.set_schedule(schedules.get("cosine", lr=0.1, t_max=15))
        p = w0.copy()
        tp = torch.tensor(w0.copy(), requires_grad=True)
        topt = torch_opt(tp, 0.1)
        tsched = torch.optim.lr_scheduler.CosineAnnealingLR(topt, 15)
        for g in grads:
            ours.step([p], [g])
            tp.grad = torch.tensor(g)
            topt.step()
            tsched.step()
        np.testing.assert_allclose(p, tp.detach().numpy(), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("per, expected", [("update", [0.1, 0.05, 0.025, 0.0125, 0.00625, 0.003125]),
                                           ("epoch", [0.1, 0.1, 0.1, 0.05, 0.05, 0.05])])
def test_trainer_schedule_per_update_or_epoch(per, expected):
    from engine.datasets import make
    from engine.network import MLP
    from engine.training import Trainer

    x, y = make("xor", 24, seed=0)
    opt = optimizers.get("sgd", lr=0.1)
    t = Trainer(MLP(2, [4], 2), opt, x, y, batch_size=8, epochs=2,
                schedule=schedules.get("exponential", lr=0.1, gamma=0.5), schedule_per=per)
    assert t.steps_per_epoch == 3
    rates = []
    for _ in range(6):
        t.step()
        rates.append(opt.current_lr)
    np.testing.assert_allclose(rates, expected, rtol=1e-15)


def test_trainer_rejects_bad_schedule_per():
    from engine.datasets import make
    from engine.network import MLP
    from engine.training import Trainer

    x, y = make("xor", 24, seed=0)
    with pytest.raises(ValueError, match="schedule_per must be one of update, epoch"):
        Trainer(MLP(2, [4], 2), "sgd", x, y, schedule=schedules.get("constant"), schedule_per="week")
