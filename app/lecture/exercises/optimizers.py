"""Exercises on the Optimizers panel's scenes (part 2): predictions read back from the raced paths."""

from __future__ import annotations

import numpy as np

from app.lecture.exercise import Exercise


def _path(m, key) -> np.ndarray:
    return m.track(key).path


def _y_crossings(m, key) -> int:
    y = _path(m, key)[:, 1]
    return int(np.count_nonzero(np.sign(y[1:]) != np.sign(y[:-1])))


def _rises(m, key) -> int:
    t = m.track(key)
    return int(np.count_nonzero(np.diff(t.loss[: t.n]) > 0))


def _final_loss(m, key) -> float:
    t = m.track(key)
    return float(t.loss[t.n - 1])


def _distance(m, key, to=(0.0, 0.0)) -> float:
    x, y = m.position(key)
    return float(np.hypot(x - to[0], y - to[1]))


def _max_x(m, key) -> float:
    return float(_path(m, key)[:, 0].max())


def _which(a: bool, b: bool) -> int:
    """1: only the first, 2: only the second, 3: both, 4: neither."""
    return {(True, False): 1, (False, True): 2, (True, True): 3}.get((a, b), 4)


def _gd_sgd(m) -> dict:
    return {"gd": _rises(m, "gd"), "sgd": _rises(m, "sgd")}


def _local(m) -> dict:
    x, y = m.position("gd")
    return {"x": x, "y": y, "loss": _final_loss(m, "gd"), "dip": _distance(m, "gd", (-3, 4))}


def _local_answer(m) -> int:
    if _distance(m, "gd") < 0.1:
        return 1
    return 2 if _distance(m, "gd", (-3, 4)) < 0.1 else 3


def _saddle(m) -> dict:
    return {"gd": abs(m.position("gd")[1]), "mom": abs(m.position("momentum")[1])}


def _overshoot(m) -> dict:
    return {"mom": _max_x(m, "momentum"), "sgd": _max_x(m, "sgd")}


def _overshoot_answer(m) -> int:
    x = _max_x(m, "momentum")
    return 1 if x > 0.5 else 2 if x > 0 else 3


def _nag(m) -> dict:
    return {"nag": _max_x(m, "nag"), "mom": _max_x(m, "momentum")}


def _nag_answer(m) -> int:
    v = _nag(m)
    return 3 if abs(v["nag"] - v["mom"]) < 1e-9 else 1 if v["nag"] < v["mom"] else 2


def _adagrad(m) -> dict:
    x, y = m.position("adagrad")
    return {"x": x, "y": y, "distance": _distance(m, "adagrad"),
            "share": 100 * m.effective_step("adagrad", 100) / m.effective_step("adagrad", 1)}


def _adagrad_answer(m) -> int:
    if m.track("adagrad").status == "left_view":
        return 4
    if _distance(m, "adagrad") < 0.1:
        return 1
    return 3 if m.position("adagrad")[0] < -2 else 2


def _rmsprop(m) -> dict:
    return {"rmsprop": _distance(m, "rmsprop"), "adagrad": _distance(m, "adagrad")}


def _adam(m) -> dict:
    return {"adam": _y_crossings(m, "adam"), "rmsprop": _y_crossings(m, "rmsprop")}


def _adam_answer(m) -> int:
    v = _adam(m)
    return 3 if v["adam"] == v["rmsprop"] else 1 if v["adam"] > v["rmsprop"] else 2


def _bias(m) -> dict:
    return {"ratio": m.effective_step("adam_raw", 1) / m.effective_step("adam", 1),
            "raw": m.effective_step("adam_raw", 1), "adam": m.effective_step("adam", 1)}


_FOUR = ("sgd", "momentum", "adagrad", "adam")


def _short(key: str) -> str:
    """A template's placeholder for lane ``key`` (English words in placeholders upset the Korean glossary)."""
    return "mom" if key == "momentum" else key


def _four(m) -> dict:
    return {_short(k): _y_crossings(m, k) for k in _FOUR}


def _lr(m) -> dict:
    return {"gd_loss": _final_loss(m, "gd"),
            "y": float(np.abs(_path(m, "sgd")[:, 1]).max())}


def _lr_answer(m) -> int:
    if m.track("sgd").status == "left_view":
        return 3
    return 1 if _final_loss(m, "sgd") < _final_loss(m, "gd") else 2


def _why_adam(m) -> dict:
    return {"sgd": _final_loss(m, "sgd"), "adam": _final_loss(m, "adam")}


def _why_adam_answer(m) -> int:
    v = _why_adam(m)
    if abs(v["sgd"] - v["adam"]) <= 0.01 * max(v["sgd"], v["adam"]):
        return 3
    return 1 if v["sgd"] < v["adam"] else 2


def _sign_changes(m, key, last: int) -> int:
    y = _path(m, key)[-(last + 1):, 1]
    return int(np.count_nonzero(np.sign(y[1:]) != np.sign(y[:-1])))


def _constant_rate(m) -> dict:
    return {"flips": _sign_changes(m, "gd", 20), "y": abs(m.position("gd")[1]),
            "decayed": abs(m.position("sgd")[1])}


def _constant_rate_answer(m) -> int:
    if m.track("gd").status == "left_view":
        return 3
    v = _constant_rate(m)
    return 2 if v["flips"] == 20 and v["y"] >= 1.9 else 1


_FAMILY = ("gd", "momentum", "adagrad", "adam")


def _family(m) -> dict:
    return {_short(k): _distance(m, k) for k in ("gd", "momentum", "nag", "adagrad", "rmsprop", "adam")}


EXERCISES = (
    Exercise(
        "gd-vs-sgd-rises", "gd-vs-sgd",
        "GD and SGD (mini-batch of 10) run 60 steps on real data. Whose loss goes up on some step?",
        lambda m: _which(_rises(m, "gd") > 0, _rises(m, "sgd") > 0),
        "GD's loss went up on {gd} of 60 steps, SGD's on {sgd}: a mini-batch's gradient is noisy, "
        "the full batch's is not.",
        _gd_sgd,
        choices=("only GD's", "only SGD's", "both", "neither"),
    ),
    Exercise(
        "local-minimum-where", "local-minimum",
        "GD starts at (−3.3, 4.1) on Rastrigin's surface. Where is it after 60 steps?",
        _local_answer,
        "GD ended at ({x:.2f}, {y:.2f}), {dip:.3f} from the dip at (−3, 4), with loss {loss:.1f} "
        "(the global minimum's is 0): the gradient is 0 in a local minimum, so nothing moves it.",
        _local,
        choices=("at the global minimum (0, 0)", "in the nearest dip, near (−3, 4)", "still far from any dip"),
    ),
    Exercise(
        "sgd-zigzag-count", "sgd-zigzag",
        "SGD with lr 0.95 on x²/20 + y² for 30 steps: how many times does its y change sign (a number)?",
        lambda m: _y_crossings(m, "sgd"),
        "y changed sign {n} times in 30 steps: every step jumps across the steep y direction, while x "
        "is still at {x:.2f}.",
        lambda m: {"n": _y_crossings(m, "sgd"), "x": m.position("sgd")[0]}, tolerance=0.5,
    ),
    Exercise(
        "saddle-point-escape", "saddle-point",
        "GD and Momentum start almost on the ridge of a saddle. Which has left it (|y| > 1) after 30 steps?",
        lambda m: _which(abs(m.position("gd")[1]) > 1, abs(m.position("momentum")[1]) > 1),
        "After 30 steps |y| is {gd:.3f} for GD and {mom:.2f} for Momentum: the velocity carries "
        "Momentum through the flat region.",
        _saddle,
        choices=("only GD", "only Momentum", "both", "neither"),
    ),
    Exercise(
        "momentum-overshoot-x", "momentum-overshoot",
        "Momentum (lr 0.1, m 0.9) runs 30 steps from (−7, 2). Does it pass the minimum at x = 0?",
        _overshoot_answer,
        "Momentum's x reached {mom:.2f}, past the minimum, while SGD's got only to {sgd:.2f}: "
        "the sum of past steps carries it on.",
        _overshoot,
        choices=("yes, by more than 0.5", "yes, by less than 0.5", "no, it stays short of it"),
    ),
    Exercise(
        "nag-less", "nag-vs-momentum",
        "NAG and Momentum with the same lr and m: which overshoots x = 0 less?",
        _nag_answer,
        "Furthest x: NAG {nag:.2f}, Momentum {mom:.2f}. NAG takes the gradient at the look-ahead "
        "point and brakes earlier.",
        _nag,
        choices=("NAG", "Momentum", "the same"),
    ),
    Exercise(
        "adagrad-where", "adagrad-decay",
        "After 100 steps (lr 0.3, from (−7, 2)), where is AdaGrad?",
        _adagrad_answer,
        "AdaGrad is at ({x:.2f}, {y:.3f}), {distance:.2f} from the minimum: its 100th step is only "
        "{share:.1f} % of its first, because G only grows.",
        _adagrad,
        choices=("at the minimum (within 0.1)", "past x = −2, not yet at the minimum",
                 "still far along x (x < −2)", "it has left the map"),
    ),
    Exercise(
        "adagrad-share", "adagrad-decay",
        "AdaGrad's 100th step is what percentage of its first step (a number, in %)?",
        lambda m: _adagrad(m)["share"],
        "The 100th step is {share:.2f} % of the first: the learning rate is divided by √G, and G sums "
        "every squared gradient.",
        _adagrad, tolerance=2.0,
    ),
    Exercise(
        "rmsprop-arrives", "rmsprop",
        "AdaGrad and RMSProp, same lr 0.3, 40 steps. Which ends within 0.05 of the minimum?",
        lambda m: _which(_distance(m, "adagrad") < 0.05, _distance(m, "rmsprop") < 0.05),
        "Distance to the minimum after 40 steps: RMSProp {rmsprop:.3f}, AdaGrad {adagrad:.2f}. RMSProp "
        "forgets old gradients, so its step size does not die.",
        _rmsprop,
        choices=("only AdaGrad", "only RMSProp", "both", "neither"),
    ),
    Exercise(
        "adam-crossings", "adam",
        "Adam and RMSProp (lr 0.3) run 40 steps. Which crosses y = 0 more often?",
        _adam_answer,
        "y changed sign {adam} times for Adam and {rmsprop} times for RMSProp: Adam's average M "
        "smooths the back-and-forth like momentum.",
        _adam,
        choices=("Adam", "RMSProp", "equally often"),
    ),
    Exercise(
        "adam-bias-ratio", "adam-bias-correction",
        "Without bias correction, how many times longer is Adam's first step (a number)?",
        lambda m: _bias(m)["ratio"],
        "The first step is {raw:.3f} without correction and {adam:.3f} with it: {ratio:.2f} times, "
        "0.1/√0.001 ≈ 3.16.",
        _bias, tolerance=0.3,
    ),
    Exercise(
        "book-optimizers-straight", "book-optimizers",
        "The book's four optimizers on x²/20 + y² for 30 steps. Whose y never changes sign?",
        lambda m: 1 + int(np.argmin([_y_crossings(m, k) for k in _FOUR])),
        "Sign changes of y: SGD {sgd}, Momentum {mom}, AdaGrad {adagrad}, Adam {adam}. AdaGrad damps "
        "the steep y direction at once and goes straight.",
        _four,
        choices=("SGD", "Momentum", "AdaGrad", "Adam"),
    ),
    Exercise(
        "learning-rate-105", "learning-rate",
        "Learning rate 1.05 instead of 0.95 on the same valley, 20 steps. What happens?",
        _lr_answer,
        "With lr 1.05 |y| reached {y:.1f} within 20 steps, while lr 0.95 reached loss {gd_loss:.3f}: "
        "slightly too large is enough to diverge.",
        _lr,
        choices=("it converges faster", "it converges a little slower", "it swings wider and leaves the map"),
    ),
    Exercise(
        "family-farthest", "optimizer-family",
        "The family races 30 steps from (−7, 2). Who ends farthest from the minimum?",
        lambda m: 1 + int(np.argmax([_distance(m, k) for k in _FAMILY])),
        "Distance to the minimum: GD {gd:.2f}, Momentum {mom:.2f}, NAG {nag:.2f}, AdaGrad {adagrad:.2f}, "
        "RMSProp {rmsprop:.2f}, Adam {adam:.2f}: every member improves on GD.",
        _family,
        choices=("GD", "Momentum", "AdaGrad", "Adam"),
    ),
    Exercise(
        "why-adam-lower", "why-adam",
        "SGD (lr 0.95) and Adam (lr 0.3) on x²/20 + y² for 30 steps. Which ends with the lower loss?",
        _why_adam_answer,
        "The final loss is {sgd:.3f} for SGD and {adam:.3f} for Adam: lr 0.95 is tuned to this surface. "
        "Adam's gain is a step size per coordinate and a wide range of working rates, not a lower loss here.",
        _why_adam,
        choices=("SGD", "Adam", "about the same (within 1 %)"),
    ),
    Exercise(
        "lr-step-decay-constant", "lr-step-decay",
        "GD with a constant lr 1.0 on x²/20 + y², 60 steps. What does y do over the last 20 steps?",
        _constant_rate_answer,
        "y changed sign on {flips} of the last 20 steps and ends at |y| = {y:.2f}: lr 1.0 lands on the "
        "mirror point each time. With step decay the same rule ends at |y| = {decayed:.1e}.",
        _constant_rate,
        choices=("it settles at 0", "it jumps between +2 and −2 for ever", "it grows and leaves the map"),
    ),
)
