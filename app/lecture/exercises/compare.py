"""Exercises on the Compare panel's grid scenes: answers read from the finished grid's table.

The scenes train real grids in worker processes (a minute or more each), so their tests are
marked slow. Each answer is computed from ``CompareModel.final`` / ``search.rows()`` after the run.
"""

from __future__ import annotations

from app.lecture.exercise import Exercise


def _levels(config) -> dict:
    return dict(config)


def _gap_by_batchnorm(m) -> dict:
    """Mean final train − test accuracy gap with ("bn") and without ("plain") batch norm."""
    train, test = m.final("train_accuracy"), m.final("test_accuracy")
    out = {}
    for config, (mean, _sd) in train.items():
        out["bn" if _levels(config)["batchnorm"] else "plain"] = mean - test[config][0]
    return out


def _bn_answer(m) -> int:
    v = _gap_by_batchnorm(m)
    if abs(v["bn"] - v["plain"]) < 0.01:
        return 3
    return 1 if v["bn"] > v["plain"] else 2


_PENALTIES = {(0.003, 0.0, False): "l2", (0.0, 0.001, False): "l1", (0.0, 0.001, True): "prox"}


def _zeros(m) -> dict:
    """Share of weights exactly 0 with L2 alone, L1 alone (plain gradient) and L1 with the proximal step."""
    out = {}
    for config, (mean, _sd) in m.final("zero_weights").items():
        levels = _levels(config)
        name = _PENALTIES.get((levels["weight_decay"], levels["l1"], levels["l1_proximal"]))
        if name:
            out[name] = 100 * mean
    return out


def _zeros_answer(m) -> int:
    v = _zeros(m)
    positive = [k for k in ("l2", "l1", "prox") if v.get(k, 0) > 0]
    return 4 if not positive else 1 + ("l2", "l1", "prox").index(max(positive, key=v.get))


_REGULARIZERS = {(0.0, 0.0): "none", (0.1, 0.0): "wd", (0.0, 0.2): "drop", (0.1, 0.2): "both"}


def _test_accuracy(m) -> dict:
    """Final test accuracy (%) of none / weight decay / dropout / both."""
    out = {}
    for config, (mean, _sd) in m.final("test_accuracy").items():
        levels = _levels(config)
        out[_REGULARIZERS[(levels["weight_decay"], levels["dropout"])]] = 100 * mean
    return out


def _search(m) -> dict:
    rows = m.search.rows()
    return {"lr": rows[0]["lr"], "wd": rows[0]["weight_decay"], "acc": 100 * rows[0]["val_accuracy"]}


def _search_answer(m) -> int:
    lr = m.search.rows()[0]["lr"]
    return 1 if lr < 1e-4 else 2 if lr < 1e-3 else 3


EXERCISES = (
    Exercise(
        "batchnorm-overfitting-gap", "batchnorm-overfitting",
        "With batch norm, is the final train − test accuracy gap wider or narrower than without (3 seeds)?",
        _bn_answer,
        "The mean final gap is {bn:.2f} with batch norm and {plain:.2f} without: batch norm fits the "
        "training images faster, and its regularizing effect does not show here.",
        _gap_by_batchnorm,
        choices=("wider with batch norm", "narrower with batch norm", "about the same (within 0.01)"),
    ),
    Exercise(
        "l1-vs-l2-zeros", "l1-vs-l2",
        "Which penalty leaves the largest share of weights exactly 0?",
        _zeros_answer,
        "Weights exactly 0: L2 {l2:.1f} %, L1 as a gradient term {l1:.1f} %, L1 with the proximal step "
        "{prox:.1f} %. Only the proximal step clips a weight to 0; the plain L1 step overshoots it.",
        _zeros,
        choices=("L2", "L1 as a plain gradient term", "L1 with the proximal step", "none of them"),
    ),
    Exercise(
        "regularization-grid-test", "regularization-grid",
        "None, weight decay, dropout or both: which run ends with the highest test accuracy?",
        lambda m: 1 + ("none", "wd", "drop", "both").index(max(_test_accuracy(m), key=_test_accuracy(m).get)),
        "Final test accuracy: none {none:.1f} %, weight decay {wd:.1f} %, dropout {drop:.1f} %, both "
        "{both:.1f} %. A narrower gap is not a better model by itself.",
        _test_accuracy,
        choices=("none", "weight decay", "dropout", "both"),
    ),
    Exercise(
        "hyperparameter-search-lr", "hyperparameter-search",
        "Learning rates are drawn from 10^−6 … 10^−2. Where does the best trial's learning rate lie?",
        _search_answer,
        "The best trial used learning rate {lr:.2g} (weight decay {wd:.2g}) and reached {acc:.1f} % "
        "validation accuracy: only the top decade learns in this budget.",
        _search,
        choices=("below 10^−4", "10^−4 to 10^−3", "10^−3 to 10^−2"),
    ),
)
