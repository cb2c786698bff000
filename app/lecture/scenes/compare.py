"""The Compare panel's lecture scenes: book presets run as grids, checked on the finished table.

Each scene loads a preset of ``engine.experiments.PRESETS`` (its whole ``State``), runs the grid
(``play``) and waits until every run has reported (``finished``). The checks read the
per-configuration final values from ``CompareModel.final`` — computed results, not the setup.
"""

from __future__ import annotations

from app.lecture.scene import Check, Scene
import math

from app.models import compare_effects
from app.models.compare import CompareModel, preset_state
from engine import experiments, hparam_search

_GRIDS = list(experiments.PRESETS)


def _preset(index: int) -> dict:
    return preset_state(_GRIDS[index]).to_dict()


def _finished(model: CompareModel) -> bool:
    return model.finished


def _final(model: CompareModel, key: str) -> dict:
    """``{frozenset of (factor, level): mean final value}`` over the finished configurations."""
    return {frozenset(config): mean for config, (mean, _sd) in model.final(key).items()}


def _runs(model: CompareModel) -> tuple[int, int]:
    return len(model.results), len(model.failed)


def _learning_scales(model: CompareModel, batchnorm: bool, above: float = 0.2) -> tuple[int, int]:
    """(scales that end with a test accuracy above ``above`` (2× chance on 10 digits), scales run)."""
    acc = [value for config, value in _final(model, "test_accuracy").items() if ("batchnorm", batchnorm) in config]
    return sum(value > above for value in acc), len(acc)


def _regularized(model: CompareModel, key: str) -> dict:
    """``{"none"|"weight decay"|"dropout"|"both": final value}`` of the 2 × 2 grid."""
    names = {(0.0, 0.0): "none", (0.1, 0.0): "weight decay", (0.0, 0.2): "dropout", (0.1, 0.2): "both"}
    out = {}
    for config, value in _final(model, key).items():
        levels = dict(config)
        out[names[(levels["weight_decay"], levels["dropout"])]] = round(value, 4)
    return out


def _smaller_than_none(values: dict) -> bool:
    return len(values) == 4 and all(values[k] < values["none"] for k in ("weight decay", "dropout", "both"))


def _effect(model: CompareModel, factor: str, context: tuple) -> float:
    """The paired effect of ``factor`` (seed by seed, ``app.models.compare_effects``) at ``context``."""
    found = [e for e in compare_effects.effects(model.results.values(), model.factor_names, factor)
             if e.context == context]
    return found[0].diff_mean if found else math.nan


def _by_activation(model: CompareModel, batchnorm: bool) -> dict:
    """``{activation: mean final test accuracy}`` with or without batch norm."""
    return {dict(config)["activation"]: value for config, value in _final(model, "test_accuracy").items()
            if ("batchnorm", batchnorm) in config}


def _search_finished(model: CompareModel) -> bool:
    return model.search.finished


def _trials(model: CompareModel) -> tuple[int, int]:
    return len(model.search.results), len(model.search.failed)


def _best_and_worst(model: CompareModel) -> tuple[float, float]:
    """(best, worst) final validation accuracy of the search's trials."""
    acc = [row["val_accuracy"] for row in model.search.rows()]
    return round(acc[0], 4), round(acc[-1], 4)


def _best_lrs(model: CompareModel, n: int = 3) -> list[float]:
    """The learning rates of the ``n`` best trials."""
    return [float(f"{row['lr']:.3g}") for row in model.search.rows()[:n]]


def _best_wd_decades(model: CompareModel, n: int = 3) -> float:
    """How many decades of weight decay the ``n`` best trials span."""
    wd = [row["weight_decay"] for row in model.search.rows()[:n]]
    return round(math.log10(max(wd) / min(wd)), 2)


def _small_lr_best(model: CompareModel, below: float = 1e-3) -> float:
    """The best validation accuracy of any trial with a learning rate below ``below``."""
    return round(max(row["val_accuracy"] for row in model.search.rows() if row["lr"] < below), 4)


def _split(model: CompareModel) -> tuple[int, int, int]:
    """(training samples, validation samples, samples in both) of the search's data."""
    data = model.search.split()
    return len(data.y_train), len(data.y_test), hparam_search.shared_rows(data.x_train, data.x_test)


def _per_seed(model: CompareModel, key: str) -> dict:
    """``{batch norm on?: sorted final values of ``key`` per seed}`` ("accuracy_gap": train − test)."""
    out: dict = {False: [], True: []}
    for result in model.results.values():
        value = (result.final("train_accuracy") - result.final("test_accuracy") if key == "accuracy_gap"
                 else result.final(key))
        out[dict(result.config)["batchnorm"]].append(round(value, 4))
    return {k: sorted(v) for k, v in out.items()}


def _mean_at_epoch(model: CompareModel, key: str, epoch: int) -> dict:
    """``{batch norm on?: mean of ``key`` over the seeds at ``epoch``}``."""
    return {dict(s.config)["batchnorm"]: round(float(s.mean[key][epoch]), 4) for s in model.summaries()
            if len(s.mean[key]) > epoch}


def _weight_shares(model: CompareModel) -> dict:
    """``{"L2"|"L1"|"L1 proximal"|"none": (share |w| < 1e-3, share exactly 0)}`` (means over seeds)."""
    names = {(0.003, 0.0, False): "L2", (0.0, 0.001, False): "L1", (0.0, 0.001, True): "L1 proximal",
             (0.0, 0.0, False): "none"}
    small, zero = model.final("small_weights"), model.final("zero_weights")
    out = {}
    for config in small:
        levels = dict(config)
        name = names.get((levels["weight_decay"], levels["l1"], levels["l1_proximal"]))
        if name:
            out[name] = (round(small[config][0], 4), round(zero[config][0], 4))
    return out


def _exact_zeros(model: CompareModel) -> dict:
    """``{proximal L1 in force?: [share exactly 0 of each such configuration]}``."""
    out: dict = {False: [], True: []}
    for config, (mean, _sd) in model.final("zero_weights").items():
        levels = dict(config)
        out[bool(levels["l1"] > 0 and levels["l1_proximal"])].append(round(mean, 4))
    return out


def _by_batchnorm(model: CompareModel, key: str) -> dict:
    """``{batch norm on?: mean final ``key`` over the seeds}``."""
    return {dict(config)["batchnorm"]: round(mean, 4) for config, (mean, _sd) in model.final(key).items()}


def _bn_gap_wider(v: dict) -> bool:
    """Every seed with batch norm ends with a wider gap than every seed without (3 seeds each)."""
    return len(v[False]) == len(v[True]) == 3 and min(v[True]) > max(v[False])


SCENES: tuple[Scene, ...] = (
    Scene("batchnorm-training", "techniques", "Batch norm in training, 16 init scales", "compare",
          "The book's fig. 6-19: the same network trained from 16 weight scales, without (solid) and with "
          "batch norm (dashed). Without it only a narrow band of scales learns at all; with it almost "
          "every scale learns, and faster. The grid trains 32 runs in worker processes.",
          state=_preset(3), play=True, finished=_finished,
          checks=(
              Check("all 32 runs finished and none failed", _runs, lambda v: v == (32, 0)),
              Check("with batch norm at least 14 of the 16 init scales learn (final test accuracy > 20 %, "
                    "twice chance)", lambda m: _learning_scales(m, True), lambda v: v[1] == 16 and v[0] >= 14),
              Check("without batch norm at most 3 of the 16 init scales learn (a narrow band)",
                    lambda m: _learning_scales(m, False), lambda v: v[1] == 16 and v[0] <= 3),
          )),
    Scene("regularization-grid", "techniques", "Weight decay and dropout side by side", "compare",
          "Four runs of the book's overfitting set-up for 150 epochs: none, weight decay λ = 0.1, dropout 0.2 "
          "and both. Plot the train/test gap, then test accuracy, and compare the final numbers in the table. "
          "Each technique ends with a smaller gap, but mostly because it holds the train accuracy down (to "
          "≈ 90 % with weight decay, ≈ 70 % with dropout): the test accuracy falls as well, and the run "
          "without regularization ends with the highest test accuracy here. A narrower gap is not a better "
          "model by itself; whether test accuracy rises depends on the data and on training long enough "
          "(the Training panel's dropout scene runs the book's 301 epochs).",
          state=_preset(4), play=True, finished=_finished,
          checks=(
              Check("all 4 runs finished and none failed", _runs, lambda v: v == (4, 0)),
              Check("weight decay, dropout and both each end with a smaller train − test gap than neither",
                    lambda m: _regularized(m, "accuracy_gap"), _smaller_than_none),
              Check("weight decay, dropout and both each end with a lower train accuracy than neither",
                    lambda m: _regularized(m, "train_accuracy"), _smaller_than_none),
              Check("and each ends with a lower test accuracy than neither (the gap narrows, the test accuracy "
                    "does not rise)", lambda m: _regularized(m, "test_accuracy"), _smaller_than_none),
          )),
    Scene("batchnorm-overfitting", "techniques", "Does batch norm reduce overfitting?", "compare",
          "The lecture lists \"less overfitting\" among batch norm's benefits (the noise of mini-batch "
          "statistics acts a little like dropout). Measured on the book's overfitting set-up, 3 seeds, 50 "
          "epochs: batch norm fits the 300 training images much faster (train accuracy ≈ 96 % at epoch 20, "
          "≈ 45 % without), but its train − test gap is wider, not narrower (≈ 0.55 vs ≈ 0.16), and its test "
          "accuracy lower. Batch norm's main effect is faster, more robust training; its regularizing effect "
          "is small and does not show here. Against overfitting use weight decay, dropout or more data — "
          "and check such claims on your own data.",
          state={**_preset(5), "metric": "accuracy_gap"}, play=True, finished=_finished,
          checks=(
              Check("all 6 runs (2 configurations × 3 seeds) finished and none failed", _runs,
                    lambda v: v == (6, 0)),
              Check("at epoch 20 the mean train accuracy with batch norm is over 30 points above the one without",
                    lambda m: _mean_at_epoch(m, "train_accuracy", 20),
                    lambda v: len(v) == 2 and v[True] > v[False] + 0.3),
              Check("every seed with batch norm ends with a wider train − test gap than every seed without",
                    lambda m: _per_seed(m, "accuracy_gap"), _bn_gap_wider),
              Check("the mean final test accuracy with batch norm is lower than without",
                    lambda m: _by_batchnorm(m, "test_accuracy"), lambda v: len(v) == 2 and v[True] < v[False]),
          )),
    Scene("l1-vs-l2", "techniques", "L1 vs L2: which makes weights sparse?", "compare",
          "Both penalties pull weights towards 0, but differently: L2's pull λ·w shrinks with the weight, so "
          "weights get small but hardly ever tiny; L1's pull λ₁·sign(w) has the same size however small the "
          "weight, so many weights end next to 0 (≈ 20 % below 1e-3 here, vs < 1 % with L2). Exactly 0, "
          "though, they become only with L1's proximal step, which clips a weight to 0 when the step would "
          "carry it across (≈ 15 % of all weights here); as a plain gradient term L1 overshoots 0 and none "
          "is exactly 0. All the networks still classify the moons (test accuracy ≈ 100 %).",
          state=_preset(6), play=True, finished=_finished,
          checks=(
              Check("all 16 runs (8 configurations × 2 seeds) finished and none failed", _runs,
                    lambda v: v == (16, 0)),
              Check("with L1 alone over 10 % of the weights end below 1e-3, with L2 alone under 2 %",
                    _weight_shares, lambda v: len(v) == 4 and v["L1"][0] > 0.10 and v["L2"][0] < 0.02),
              Check("over 10 % of the weights are exactly 0 in every configuration with L1's proximal step, "
                    "none in any other", _exact_zeros,
                    lambda v: len(v[True]) == 2 and len(v[False]) == 6 and min(v[True]) > 0.10
                    and max(v[False]) == 0.0),
              Check("every configuration still ends with a test accuracy above 90 %",
                    lambda m: sorted(round(a, 4) for a in _final(m, "test_accuracy").values()),
                    lambda v: len(v) == 8 and v[0] > 0.9),
          )),
    Scene("assignment-1", "assignments", "Assignment 1: change one thing, compare", "compare",
          "The lecture's first assignment: change dropout, activation, initialization or batch norm and "
          "compare the models. Here ReLU vs sigmoid, each with and without batch norm, two seeds each, in a "
          "deep net (5 hidden layers of 32, plain SGD 0.1, 40 epochs) on the spiral. The lecture's points "
          "show: without batch norm ReLU learns only slowly (≈ 60 % test accuracy) and sigmoid not at all "
          "(50 %, chance: its gradients vanish through five layers); with batch norm ReLU reaches ≈ 90 %. "
          "The Effects tab gives each change with the other factor held fixed; Report… writes it up. Edit the "
          "factors on the left and Run again.",
          state=_preset(0), play=True, finished=_finished,
          checks=(
              Check("all 8 runs (4 configurations × 2 seeds) finished and none failed", _runs,
                    lambda v: v == (8, 0)),
              Check("batch norm raises ReLU's mean final test accuracy by more than 15 points",
                    lambda m: _effect(m, "batchnorm", (("activation", "relu"),)), lambda d: d > 0.15),
              Check("without batch norm sigmoid stays near chance (test accuracy ≤ 55 %) and ReLU beats it",
                    lambda m: _by_activation(m, False),
                    lambda v: v.get("sigmoid", math.nan) <= 0.55 and v.get("relu", math.nan) > v["sigmoid"]),
              Check("ReLU with batch norm ends above 80 % test accuracy",
                    lambda m: _by_activation(m, True).get("relu", math.nan), lambda a: a > 0.8),
          )),
    Scene("hyperparameter-search", "techniques", "Hyperparameter search: learning rate × weight decay",
          "compare",
          "The book's random search (§6.5): every trial draws a learning rate from 10^U(−6, −2) and a weight "
          "decay from 10^U(−8, −4), trains on 80 % of the training data and is scored on the other 20 %, the "
          "validation set; the test data are never used, so they still measure generalization afterwards. "
          "Scaled down to run in seconds: 16 trials, 3 × 64 ReLU, SGD, batches of 20, 20 epochs on 400 "
          "synthetic digits (book: 100 trials, 6 × 100, 50 epochs). The scatter shows what the book found: "
          "the learning rate decides, the weight decay hardly matters in this range. Only the top decade of "
          "learning rates learns in this budget; narrow the ranges to it and search again.",
          state={"mode": "search", "search": {"n_trials": 16, "epochs": 20, "hidden": [64, 64, 64], "batch": 20,
                                              "size": 400, "top_n": 5}},
          play=True, finished=_search_finished,
          checks=(
              Check("all 16 trials finished and none failed", _trials, lambda v: v == (16, 0)),
              Check("the validation set is 20 % of the 400 samples and shares no sample with the training part",
                    _split, lambda v: v == (320, 80, 0)),
              Check("the best trial's validation accuracy is at least 40 points above the worst's",
                    _best_and_worst, lambda v: v[0] - v[1] >= 0.4),
              Check("the 3 best trials all have a learning rate above 10^-3", _best_lrs,
                    lambda lrs: len(lrs) == 3 and min(lrs) > 1e-3),
              Check("no trial with a learning rate below 10^-3 gets past 20 % validation accuracy (twice chance)",
                    _small_lr_best, lambda best: best <= 0.2),
              Check("the 3 best trials' weight decays lie more than two decades apart (it hardly matters here)",
                    _best_wd_decades, lambda decades: decades > 2),
          )),
)
