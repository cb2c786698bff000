"""The Optimizers panel's learning-rate schedule scenes (issue #13), as data over its model.

Kept apart from ``optimizers.py`` (which appends them to its ``SCENES``) so the schedules' scenes
and their measurements live in one place. Where a scene's claim needs a run that is not on the
map (the same lane without warm-up, other restart periods), the check runs it with
``engine.trajectory`` from the model's own surface, start and lane settings: a computed result.
"""

from __future__ import annotations

import numpy as np

from app.lecture.scene import Check, Scene
from app.models.optimizers import KEYS, LANES
from engine import schedules, trajectory


def _race(surface: str, lanes: dict, select: str) -> dict:
    return {"surface": surface, "start": None, "selected": select,
            "lanes": {k: {"enabled": k in lanes, **lanes.get(k, {})} for k in KEYS}}


def _sign_changes(m, key, last: int) -> int:
    y = m.track(key).path[-(last + 1):, 1]
    return int(np.count_nonzero(np.sign(y[1:]) != np.sign(y[:-1])))


def _final_loss(m, key) -> float:
    t = m.track(key)
    return float(t.loss[t.n - 1])


def _solo(m, key, schedule, steps: int) -> trajectory.TrajectoryRunner:
    """Lane ``key``'s optimizer and hyperparameters from the model's start, with ``schedule``."""
    opt = trajectory.RunnerConfig(LANES[KEYS.index(key)][2], m.state.hyper(key), schedule=schedule)
    runner = trajectory.TrajectoryRunner(m.surface, opt, m.start)
    runner.run(steps)
    return runner


def _without_warmup(m) -> tuple[str, int]:
    """Adam's lane with the same cosine but no warm-up: (status, steps taken)."""
    lane = m.state.lane("adam")
    s = lane.schedule
    runner = _solo(m, "adam", schedules.get("cosine", lr=lane.lr, t_max=s.warmup + s.t_max), 300)
    return runner.status, runner.n_steps


def _other_restart_periods(m) -> dict:
    """SGD's lane with t_0 = 20 and 30 instead of 25: each run's status and final loss."""
    lane = m.state.lane("sgd")
    out = {}
    for t0 in (20, 30):
        r = _solo(m, "sgd", schedules.get("warm_restarts", lr=lane.lr, t_0=t0), 400)
        out[t0] = (r.status, round(float(r.losses[-1]), 2))
    return out


def _dips_visited(m, key, period: int) -> int:
    """Distinct integer points (Rastrigin's dips) the path sits in at the end of each cycle."""
    path = m.track(key).path
    ends = path[period::period]
    return len({tuple(np.round(p).astype(int)) for p in ends})


SCHEDULE_SCENES = (
    Scene(
        "lr-step-decay", "optimizers", "Step decay: a too-large rate that oscillates, then settles", "optimizers",
        "On x²/20 + y² the curvature in y is 2, so any lr above 2/2 = 1 overshoots in y, and lr 1.0 lands "
        "exactly on the mirror point: GD jumps between y = +2 and y = −2 for ever. SGD runs the same rule "
        "with the same lr, but its step schedule halves the rate every 20 updates (the lr curve under the "
        "loss plot). At step 21 the rate is 0.5, which jumps straight to the valley floor, and the loss falls.",
        state=_race("book_quadratic", {
            "gd": {"lr": 1.0},
            "sgd": {"lr": 1.0, "schedule": {"name": "step", "step_size": 20, "gamma": 0.5}}}, "sgd"), steps=60,
        checks=(
            Check("with the constant rate y changes sign on each of the last 20 steps and |y| stays ≥ 1.9",
                  lambda m: (_sign_changes(m, "gd", 20), abs(m.position("gd")[1])),
                  lambda r: r[0] == 20 and r[1] >= 1.9),
            Check("with step decay |y| < 1e-9 after 60 steps",
                  lambda m: abs(m.position("sgd")[1]), lambda y: y < 1e-9),
            Check("and the loss is < 1/100 of the constant rate's",
                  lambda m: _final_loss(m, "sgd") / _final_loss(m, "gd"), lambda r: r < 0.01),
        ),
    ),
    Scene(
        "warmup-adam", "optimizers", "Warm-up rescues Adam from a bad start", "optimizers",
        "Adam's first steps are about lr long in every coordinate, whatever the gradient: its averages "
        "know nothing yet. With lr 1.0 on Rosenbrock's curved valley that first jump is too far, and the "
        "same cosine schedule without warm-up throws Adam out of the view within a few steps. A linear "
        "warm-up starts at 0.1 × lr and reaches lr after 20 updates: by then M and V have seen the valley, "
        "and Adam follows it down to the minimum at (1, 1).",
        state=_race("rosenbrock", {
            "adam": {"lr": 1.0, "schedule": {"name": "linear_warmup_cosine", "warmup": 20, "t_max": 280,
                                             "start_factor": 0.1, "eta_min": 0.0}}}, "adam"), steps=300,
        checks=(
            Check("with warm-up Adam ends within 0.1 of the minimum (1, 1), loss < 0.01",
                  lambda m: (float(np.hypot(m.position("adam")[0] - 1, m.position("adam")[1] - 1)),
                             _final_loss(m, "adam")),
                  lambda r: r[0] < 0.1 and r[1] < 0.01),
            Check("the same Adam and cosine without warm-up leaves the view within 10 steps",
                  _without_warmup, lambda r: r[0] == "left_view" and r[1] <= 10),
        ),
    ),
    Scene(
        "cosine-restarts", "optimizers", "Cosine with warm restarts on Rastrigin: escape, by luck", "optimizers",
        "From (−3.3, 4.1) a small rate rolls into the nearest dip and stays. SGD with lr 0.02 and warm "
        "restarts every 25 updates gets its full rate back at each restart: the big steps throw it out of "
        "its dip, the cosine's small steps let it settle in another one. Here it hops through several dips "
        "and ends in the global minimum at (0, 0). GD with one long cosine (no restarts) from the same rate "
        "is thrown out of the view instead. Honestly: it is luck of the period. With t_0 = 20 or 30 the same "
        "SGD leaves the view; restarts explore, they do not guarantee the best dip.",
        state=_race("rastrigin", {
            "gd": {"lr": 0.02, "schedule": {"name": "cosine", "t_max": 400}},
            "sgd": {"lr": 0.02, "schedule": {"name": "warm_restarts", "t_0": 25, "t_mult": 1}}}, "sgd"), steps=400,
        checks=(
            Check("with restarts SGD sits in at least 4 different dips at the ends of its cycles",
                  lambda m: _dips_visited(m, "sgd", 25), lambda n: n >= 4),
            Check("and ends in the global minimum: loss < 0.01 (the start's dip has about 25)",
                  lambda m: _final_loss(m, "sgd"), lambda loss: loss < 0.01),
            Check("one long cosine from the same rate leaves the view",
                  lambda m: m.track("gd").status, lambda s: s == "left_view"),
            Check("with t_0 = 20 or 30 instead the same SGD leaves the view too (no guarantee)",
                  _other_restart_periods, lambda d: all(s == "left_view" for s, _loss in d.values())),
        ),
    ),
)
