"""The Optimizers panel's lecture scenes (part 2), as data over ``app.models.optimizers``.

A scene races some lanes (every other lane is switched off) for a number of Steps; its checks
measure the recorded paths, losses and step sizes in the model.
"""

from __future__ import annotations

import numpy as np

from app.lecture import family
from app.lecture.scene import Check, Scene
from app.models.optimizers import KEYS
from engine import lr_sweep

BOOK = "book_quadratic"


def _race(surface: str, lanes: dict, select: str, batch: int | None = None) -> dict:
    """Partial state: only ``lanes`` (key → hyperparameters) race on ``surface`` from its start."""
    state = {"surface": surface, "start": None, "selected": select,
             "lanes": {k: {"enabled": k in lanes, **lanes.get(k, {})} for k in KEYS}}
    if batch is not None:
        state["batch"] = batch
    return state


def _path(m, key) -> np.ndarray:
    return m.track(key).path


def _y_crossings(m, key) -> int:
    y = _path(m, key)[:, 1]
    return int(np.count_nonzero(np.sign(y[1:]) != np.sign(y[:-1])))


def _loss_rises(m, key) -> int:
    t = m.track(key)
    return int(np.count_nonzero(np.diff(t.loss[: t.n]) > 0))


def _first_step_ratio(m, key) -> float:
    """|Δw| of lane ``key``'s first update over corrected Adam's."""
    return m.effective_step(key, 1) / m.effective_step("adam", 1)


def _final_loss(m, key) -> float:
    t = m.track(key)
    return float(t.loss[t.n - 1])


SCENES = (
    Scene(
        "gd-vs-sgd", "optimizers", "GD vs SGD on real data", "optimizers",
        "On a real linear-regression loss GD uses all samples for each step and walks smoothly "
        "downhill. SGD uses a mini-batch of 10: each step is much cheaper but its gradient is noisy, "
        "so its path wobbles around GD's and its loss curve is jagged, sometimes going up. Both head for the "
        "minimum (the star) at about the same pace per step.",
        state=_race("data", {"gd": {"lr": 0.1}, "sgd": {"lr": 0.1}}, "sgd", batch=10), steps=60,
        checks=(
            Check("SGD's loss goes up on at least 5 of 60 steps, GD's never",
                  lambda m: (_loss_rises(m, "sgd"), _loss_rises(m, "gd")), lambda r: r[0] >= 5 and r[1] == 0),
            Check("both lower the loss to < 5 % of where they started",
                  lambda m: [_final_loss(m, k) / m.track(k).loss[0] for k in ("gd", "sgd")],
                  lambda ratios: all(r < 0.05 for r in ratios)),
        ),
    ),
    Scene(
        "local-minimum", "optimizers", "GD stops in a local minimum", "optimizers",
        "Rastrigin's surface has a dip near every point with whole-number coordinates. From (−3.3, 4.1) "
        "GD rolls into the nearest dip, near (−3, 4), and stops there: the gradient is 0, so nothing moves "
        "it, although the global minimum at (0, 0) is far lower (loss about 25 against 0). Momentum "
        "lands in the same dip; past gradients help with saddles and shallow dips, not with deep ones.",
        state=_race("rastrigin", {"gd": {"lr": 0.002}, "momentum": {"lr": 0.002, "momentum": 0.9}}, "gd"), steps=60,
        checks=(
            Check("GD and Momentum both end within 0.1 of the dip at (−3, 4)",
                  lambda m: [float(np.hypot(x + 3, y - 4)) for x, y in (m.position("gd"), m.position("momentum"))],
                  lambda d: max(d) < 0.1),
            Check("where the loss is still > 20 (the global minimum's is 0)",
                  lambda m: _final_loss(m, "gd"), lambda loss: loss > 20),
        ),
    ),
    Scene(
        "sgd-zigzag", "optimizers", "The zig-zag on x²/20 + y² comes from the valley's shape", "optimizers",
        "The book's surface curves 20 times more in y than in x (curvature ratio 20:1). The gradient "
        "points mostly across the valley, so with lr 0.95 each step jumps from wall to wall in y while "
        "creeping along x. The gradient here is exact, so this is not sampling noise: GD, racing too, "
        "takes the very same zig-zag (its path lies under SGD's). The noise of mini-batches is another kind of wobble (scene 'GD "
        "vs SGD on real data'). This zig-zag is what momentum and adaptive rates were invented to fix.",
        state=_race(BOOK, {"gd": {"lr": 0.95}, "sgd": {"lr": 0.95}}, "sgd"), steps=30,
        checks=(
            Check("SGD's y changes sign on every one of the 30 steps", lambda m: _y_crossings(m, "sgd"),
                  lambda n: n == 30),
            Check("GD (exact gradient, same lr) zig-zags the same: its y changes sign on every step too",
                  lambda m: (_y_crossings(m, "gd"), float(np.abs(_path(m, "gd") - _path(m, "sgd")).max())),
                  lambda r: r[0] == 30 and r[1] < 1e-12),
            Check("while x is still short of the minimum (x < −0.2)", lambda m: m.position("sgd")[0],
                  lambda x: x < -0.2),
        ),
    ),
    Scene(
        "saddle-point", "optimizers", "A saddle point: GD stalls, momentum escapes", "optimizers",
        "Starting almost on the ridge, the gradient along y is tiny, so GD slides into the flat "
        "saddle at (0, 0) and nearly stops there. Momentum carries its velocity through the flat "
        "region, rolls off the saddle and is already circling the minimum at (0, √2) after the same 30 steps.",
        state=_race("saddle", {"gd": {"lr": 0.05}, "momentum": {"lr": 0.05, "momentum": 0.9}}, "momentum"), steps=30,
        checks=(
            Check("Momentum's path leaves y = 0 (|y| > 1 after 30 steps)", lambda m: abs(m.position("momentum")[1]),
                  lambda y: y > 1),
            Check("GD is still near the saddle, |y| < 1/5 of Momentum's",
                  lambda m: abs(m.position("gd")[1]) / abs(m.position("momentum")[1]), lambda r: r < 0.2),
        ),
    ),
    Scene(
        "momentum-overshoot", "optimizers", "Momentum: faster, but it overshoots", "optimizers",
        "Momentum adds up past steps (V ← m·V − α∇L), so it rolls along the flat x direction much "
        "faster than SGD. The same velocity carries it past the minimum at (0, 0) and back: it swings "
        "around the target before settling. The solid arrow is V, the dashed one −∇L.",
        state=_race(BOOK, {"sgd": {"lr": 0.95}, "momentum": {"lr": 0.1, "momentum": 0.9}}, "momentum"), steps=30,
        checks=(
            Check("Momentum overshoots the minimum: its x passes 0 by > 0.5",
                  lambda m: float(_path(m, "momentum")[:, 0].max()), lambda x: x > 0.5),
            Check("SGD never reaches x = 0", lambda m: float(_path(m, "sgd")[:, 0].max()), lambda x: x < 0),
        ),
    ),
    Scene(
        "nag-vs-momentum", "optimizers", "NAG: look ahead, oscillate less", "optimizers",
        "Same learning rate and momentum. NAG takes the gradient at the look-ahead point W + m·V, so "
        "it brakes before it reaches a wall: its swings across y are smaller and it overshoots (0, 0) "
        "less than plain momentum. The read-out shows the form PyTorch runs.",
        state=_race(BOOK, {"momentum": {"lr": 0.1, "momentum": 0.9}, "nag": {"lr": 0.1, "momentum": 0.9}}, "nag"),
        steps=30,
        checks=(
            Check("NAG overshoots x = 0 less than Momentum",
                  lambda m: (float(_path(m, "nag")[:, 0].max()), float(_path(m, "momentum")[:, 0].max())),
                  lambda xs: 0 < xs[0] < xs[1]),
            Check("NAG's swings across y (after step 5) are smaller than Momentum's",
                  lambda m: [float(np.abs(_path(m, k)[5:, 1]).max()) for k in ("nag", "momentum")],
                  lambda ys: ys[0] < ys[1]),
        ),
    ),
    Scene(
        "adagrad-decay", "optimizers", "AdaGrad: the step size dies", "optimizers",
        "AdaGrad divides the learning rate by √G, and G adds up every squared gradient. The steep y "
        "direction is tamed at once, but G never shrinks: the effective rate in the read-out keeps "
        "falling, and after 100 steps AdaGrad is still crawling along x, far from the minimum at (0, 0).",
        state=_race(BOOK, {"adagrad": {"lr": 0.3}}, "adagrad"), steps=100,
        checks=(
            Check("AdaGrad's effective step after 100 updates is < 5 % of its first",
                  lambda m: m.effective_step("adagrad", 100) / m.effective_step("adagrad", 1), lambda r: r < 0.05),
            Check("and it is still far from the minimum (x < −2)", lambda m: m.position("adagrad")[0],
                  lambda x: x < -2),
        ),
    ),
    Scene(
        "rmsprop", "optimizers", "RMSProp keeps learning where AdaGrad stalls", "optimizers",
        "Same learning rate. RMSProp replaces AdaGrad's sum with a moving average of g² (decay γ = 0.9), "
        "so old gradients are forgotten and the step size does not die: RMSProp reaches the minimum "
        "while AdaGrad is still on its way.",
        state=_race(BOOK, {"adagrad": {"lr": 0.3}, "rmsprop": {"lr": 0.3, "decay_rate": 0.9}}, "rmsprop"), steps=40,
        checks=(
            Check("after 40 steps RMSProp is within 0.05 of (0, 0), AdaGrad still > 1 away",
                  lambda m: [float(np.hypot(*m.position(k))) for k in ("rmsprop", "adagrad")],
                  lambda d: d[0] < 0.05 and d[1] > 1),
        ),
    ),
    Scene(
        "adam", "optimizers", "Adam = momentum + RMSProp", "optimizers",
        "Adam keeps a momentum-like average M of the gradients and an RMSProp-like average V of their "
        "squares. Both start at 0, so early on they are biased toward 0; dividing by 1−β₁ᵗ and 1−β₂ᵗ "
        "(M̂, V̂) removes that bias. Without it the first step would be about 3 times larger, not "
        "smaller (scene 'Adam without bias correction'). Its path has momentum's drive with RMSProp's "
        "per-coordinate step; the read-out shows M̂ and V̂ and notes that PyTorch adds ε outside the "
        "square root.",
        state=_race(BOOK, {"momentum": {"lr": 0.1, "momentum": 0.9}, "rmsprop": {"lr": 0.3, "decay_rate": 0.9},
                           "adam": {"lr": 0.3}}, "adam"), steps=40,
        checks=(
            Check("Adam overshoots x = 0 less than Momentum",
                  lambda m: [float(_path(m, k)[:, 0].max()) for k in ("adam", "momentum")], lambda xs: xs[0] < xs[1]),
            Check("and crosses y = 0 far fewer times than RMSProp (< half)",
                  lambda m: (_y_crossings(m, "adam"), _y_crossings(m, "rmsprop")), lambda n: 2 * n[0] < n[1]),
        ),
    ),
    Scene(
        "adam-bias-correction", "optimizers", "Adam without bias correction", "optimizers",
        "M and V start at 0, so early on they are biased toward 0: after one step M = 0.1·g and "
        "V = 0.001·g². Uncorrected, lr·M/√V is 0.1/√0.001 ≈ 3.16·lr per coordinate (0.95 at lr 0.3), "
        "about 3 times corrected Adam's 0.3: the correction removes the bias, it does not enlarge small "
        "steps. V's bias fades slowly (β₂ = 0.999), so the uncorrected steps stay larger. RMSProp "
        "(γ = 0.9) is biased the same way: its first step is also ≈ 3.16·lr (the lecture's 'early "
        "estimates are biased').",
        state=_race(BOOK, {"adam": {"lr": 0.3}, "adam_raw": {"lr": 0.3}, "rmsprop": {"lr": 0.3, "decay_rate": 0.9}},
                    "adam_raw"), steps=30,
        checks=(
            Check("without bias correction Adam's first step is about 3 times as long (ratio 2.5 … 4)",
                  lambda m: _first_step_ratio(m, "adam_raw"), lambda r: 2.5 < r < 4),
            Check("RMSProp's first step is also about 3 times Adam's (ratio 2.5 … 4)",
                  lambda m: _first_step_ratio(m, "rmsprop"), lambda r: 2.5 < r < 4),
            Check("over the first 10 steps the uncorrected steps stay over twice as long as Adam's",
                  lambda m: float(m.track("adam_raw").step_size[1:11].mean() / m.track("adam").step_size[1:11].mean()),
                  lambda r: r > 2),
        ),
    ),
    Scene(
        "book-optimizers", "optimizers", "The book's four optimizers side by side", "optimizers",
        "Deep Learning from Scratch, fig. 6-8: x²/20 + y² from (−7, 2), 30 steps. SGD (lr 0.95) "
        "zig-zags, Momentum (lr 0.1) swings like a ball in a bowl, AdaGrad (lr 1.5) goes straight after "
        "damping y, and Adam (lr 0.3) rolls in with less swinging.",
        state=_race(BOOK, {"sgd": {"lr": 0.95}, "momentum": {"lr": 0.1, "momentum": 0.9}, "adagrad": {"lr": 1.5},
                           "adam": {"lr": 0.3}}, "adam"), steps=30,
        checks=(
            Check("SGD zig-zags: y changes sign on every step", lambda m: _y_crossings(m, "sgd"), lambda n: n == 30),
            Check("AdaGrad goes straight: its y never changes sign", lambda m: _y_crossings(m, "adagrad"),
                  lambda n: n == 0),
            Check("Adam swings past x = 0 less than Momentum",
                  lambda m: [float(_path(m, k)[:, 0].max()) for k in ("adam", "momentum")], lambda xs: xs[0] < xs[1]),
        ),
    ),
    Scene(
        "learning-rate", "optimizers", "The learning rate is hard to choose", "optimizers",
        "Here the gradient is exact, so GD and SGD run the same rule; only the learning rate differs. "
        "With 0.95 every step across the valley overshoots a little less; with 1.05 a little more, so "
        "the path swings wider and wider and leaves the map. Slightly too large is enough to diverge.",
        state=_race(BOOK, {"gd": {"lr": 0.95}, "sgd": {"lr": 1.05}}, "sgd"), steps=20,
        checks=(
            Check("with lr 1.05 the path leaves the map", lambda m: m.track("sgd").status, lambda s: s == "left_view"),
            Check("with lr 0.95 |y| shrinks on every step",
                  lambda m: bool(np.all(np.diff(np.abs(_path(m, "gd")[:, 1])) < 0)), lambda shrinks: shrinks),
        ),
    ),
)


# ---- the family tree (issue #11): each edge of app.lecture.family measured on engine.optimizers --------
def _distance_to_minimum(m) -> dict:
    return {k: float(np.hypot(*m.position(k))) for k in ("gd", "momentum", "nag", "adagrad", "rmsprop", "adam")}


SCENES = SCENES + (
    Scene(
        "optimizer-family", "optimizers", "The optimizers' family tree", "optimizers",
        "GD is the root. One line adds a velocity: Momentum sums past gradients, NAG takes the gradient "
        "where that velocity leads. The other line divides each parameter's step by the size of its past "
        "gradients: AdaGrad by the square root of their sum of squares, RMSProp by a moving average. Adam "
        "joins both lines: Momentum's average M and RMSProp's average V, bias-corrected. The map races the "
        "whole family for 30 steps; the checks run engine.optimizers to show that every edge of the tree "
        "(Lecture ▸ Optimizer family tree) says what the code does.",
        state=_race(BOOK, {"gd": {"lr": 0.1}, "momentum": {"lr": 0.1, "momentum": 0.9},
                           "nag": {"lr": 0.1, "momentum": 0.9}, "adagrad": {"lr": 1.5},
                           "rmsprop": {"lr": 0.3, "decay_rate": 0.9}, "adam": {"lr": 0.3}}, "adam"), steps=30,
        checks=(
            Check("Momentum and NAG with m = 0 follow GD's path exactly; with m = 0.9 they leave it and differ",
                  lambda _m: family.measure_momentum_edges(),
                  lambda d: d["momentum0_vs_gd"] == 0 == d["nag0_vs_gd"] and d["momentum_vs_gd"] > 1
                  and d["nag_vs_momentum"] > 0.1),
            Check("on a constant slope AdaGrad's 1000th step is lr/√1000 (< 5 % of lr), RMSProp's stays ≈ lr",
                  lambda _m: family.measure_adaptive_edges(),
                  lambda d: d["adagrad_last"] < 0.05 and abs(d["rmsprop_last"] - 1) < 0.01),
            Check("on the same gradients Adam's M = (1 − β₁)·Momentum's sum and Adam's V = RMSProp's average",
                  lambda _m: family.measure_adam_edges(),
                  lambda d: d["m_vs_momentum"] < 1e-12 and d["v_vs_rmsprop"] < 1e-12),
            Check("Adam with β₁ = 0 is RMSProp with bias correction: RMSProp's step = Adam's / √(1 − β₂ᵗ)",
                  lambda _m: family.measure_adam_rmsprop_steps(),
                  lambda d: d["relative_error"] < 1e-9 and d["adam_step_vs_lr"] < 1e-9),
            Check("on the map every member of the family ends nearer the minimum than GD",
                  _distance_to_minimum, lambda d: all(d[k] < d["gd"] for k in d if k != "gd")),
        ),
    ),
)


# ---- "Why Adam?" (issue #15): what Adam buys on the book's surface, measured ------------------------
def _why_adam_rates(_model=None) -> dict:
    """Per-axis α_eff after 30 steps (Adam lr 0.3, SGD lr 0.95) and each one's working lr range."""
    adam = lr_sweep.effective_lr_history(BOOK, "adam", 30, lr=0.3)[-1]
    sgd = lr_sweep.effective_lr_history(BOOK, "sgd", 30, lr=0.95)[-1]
    sweeps = lr_sweep.sweep_all(BOOK, lr_sweep.default_lrs(), 30, names=("sgd", "adam"))
    widths = {k: lr_sweep.range_width(s.working_range(0.05)) for k, s in sweeps.items()}
    return {"adam_x": float(adam[0]), "adam_y": float(adam[1]), "sgd_x": float(sgd[0]), "sgd_y": float(sgd[1]),
            "sgd_width": widths["sgd"], "adam_width": widths["adam"]}


SCENES = SCENES + (
    Scene(
        "why-adam", "optimizers", "Why Adam? Not a lower loss here, but a step size per coordinate", "optimizers",
        "Honestly: on x²/20 + y² with the book's rates SGD ends lower than Adam (after 30 steps about 0.013 "
        "against 0.10). lr 0.95 is tuned to this surface: just below 1, where SGD's steps across the steep y "
        "direction would start to blow up. What Adam buys is a step size per coordinate: its α_eff grows to "
        "about 0.8 along the flat x and stays about 0.2 across the steep y, while SGD uses 0.95 for both "
        "(the 'Step size per axis' tab). And it is robust: sweeping lr from 0.001 to 10 (the 'lr sweep' "
        "tab), Adam gets below loss 0.05 in 30 steps over a range of rates about 8 times wide, SGD only "
        "over about 1.4 times. With a rate that is not hand-tuned, Adam is the safer choice.",
        state=_race(BOOK, {"sgd": {"lr": 0.95}, "adam": {"lr": 0.3}}, "adam"), steps=30,
        checks=(
            Check("with the book's rates SGD ends lower than Adam after 30 steps",
                  lambda m: (_final_loss(m, "sgd"), _final_loss(m, "adam")), lambda r: r[0] < r[1]),
            Check("Adam's α_eff after 30 steps is over 3 times larger in x than in y; SGD's is the same in both",
                  _why_adam_rates, lambda d: d["adam_x"] > 3 * d["adam_y"] and d["sgd_x"] == d["sgd_y"]),
            Check("Adam gets below loss 0.05 over an lr range over 5 times as wide (top/bottom) as SGD's",
                  _why_adam_rates, lambda d: d["adam_width"] > 5 * d["sgd_width"] > 0),
        ),
    ),
)


# issue #13: learning-rate schedules (their own module)
from app.lecture.scenes.optimizers_schedules import SCHEDULE_SCENES  # noqa: E402

SCENES = SCENES + SCHEDULE_SCENES
