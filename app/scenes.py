"""Lecture scenes: one click sets a panel up to show one claim of the lecture, with a short text.

A ``Scene`` names its panel, a ``setup(panel)`` that drives the panel through its public
controls, an explanation (what to look at and why), how many Steps to run once the panel's
computation has settled (e.g. 30 optimizer updates), and ``expect``: checkable facts about the
panel's state afterwards (``check(panel)`` lists what differs; the tests assert it is empty).
The facts are read by the ``READERS`` of each panel, so a scene states *what* it shows without
reaching into widgets.

Texts are English source strings; they are translated with ``tr()`` where they are shown
(``resources/i18n/ko/scenes.json``), because the language is chosen after this module loads.

``open_scene(window, name)`` shows the panel, runs the setup and returns a ``SceneRun`` that
finishes the scene asynchronously (wait for the computation, run its Steps); ``run_scene``
blocks until then (``--scene NAME --screenshot``, tests). ``install_menu(window)`` adds the
Lecture menu and dock (``app.widgets.scene_dock``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Callable

from PySide6.QtCore import QElapsedTimer, QEventLoop, QObject, QTimer, Signal

from app.i18n import tr
from app.panels.base import Panel

#: Lecture parts in outline order: key → heading (English source text).
PARTS = {
    "activations": "1. Activation functions",
    "optimizers": "2. Optimizers",
    "init": "3. Weight initialization",
    "techniques": "4. Batch norm, weight decay, dropout",
    "assignments": "Assignments",
}


@dataclass(frozen=True)
class Scene:
    """One lecture claim, set up in one click (see the module docstring)."""

    name: str
    part: str
    title: str
    panel_id: str
    setup: Callable[[Panel], None]
    explanation: str
    expect: dict = field(default_factory=dict)
    steps: int = 0
    then: Callable[[Panel], None] | None = None  # once the first computation has settled
    finished: Callable[[Panel], bool] | None = None  # long runs (training, grids): done when true

    def __post_init__(self):
        if self.part not in PARTS:
            raise ValueError(f"scene {self.name!r}: unknown part {self.part!r}; choose one of: {', '.join(PARTS)}")

    def check(self, panel: Panel) -> list[str]:
        """What differs between ``expect`` and the panel's state (empty: as stated)."""
        readers = READERS.get(self.panel_id, {})
        problems = []
        for key, want in self.expect.items():
            if key not in readers:
                problems.append(f"{key}: no reader for the {self.panel_id} panel")
                continue
            got = readers[key](panel)
            if not _matches(got, want):
                problems.append(f"{key}: expected {want!r}, got {got!r}")
        return problems


def _matches(got, want) -> bool:
    """Equality with float tolerance; a dict ``want`` checks only its own keys (recursively)."""
    if isinstance(want, dict):
        return isinstance(got, dict) and all(k in got and _matches(got[k], v) for k, v in want.items())
    if isinstance(want, (list, tuple)):
        return isinstance(got, (list, tuple)) and len(got) == len(want) and all(map(_matches, got, want))
    if isinstance(want, float) or isinstance(got, float):
        try:
            return math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-12)
        except (TypeError, ValueError):
            return False
    return got == want


# ---- reading a panel's state --------------------------------------------------------------------
def _opt_lanes(p) -> tuple:
    from app.panels.optimizers import LANES

    return tuple(key for (key, *_rest), on in zip(LANES, p.enabled) if on)


def _opt_hyper(p) -> dict:
    from app.panels.optimizers import LANES

    return {key: dict(h) for (key, *_rest), h, on in zip(LANES, p.hyper, p.enabled) if on}


def _opt_selected(p) -> str:
    from app.panels.optimizers import LANES

    return LANES[p.selected][0]


_ACT_TABS = ("depth", "dead", "stack", "softmax")


def _bp_phase(p) -> str:
    return p.trace.steps[p.index].phase if p.trace is not None else ""


def _bp_output_signs(p) -> tuple:
    """Signs of ∂L/∂w of the output unit's incoming weights (one per hidden unit)."""
    if p.trace is None:
        return ()
    return tuple(int(math.copysign(1, float(row[0]))) for row in p.trace.grad_W[-1])


def _training_finished(p) -> bool:
    return p.run is not None and p.run.trainer.done and not p.is_playing() and not p.is_busy()


#: The book's activation-histogram experiment: 1000 samples × 100 features, 5 layers of 100.
BOOK_SIZES = {"Samples": 1000, "Features": 100, "Layers": 5, "Width": 100}

#: panel_id → {fact name: reader(panel)}; ``Scene.expect`` keys come from here.
READERS: dict[str, dict[str, Callable]] = {
    "activations": {
        "shown": lambda p: tuple(p.shown()),
        "tab": lambda p: _ACT_TABS[p.views.currentIndex()],
        "depth": lambda p: p.depth_spin.value(),
        "init": lambda p: p.init_combo.currentData(),
        "bias": lambda p: p.bias_slider.value(),
        "params": lambda p: {name: dict(v) for name, v in p.params.items()},
        "stack": lambda p: p.stack_view.state(),
        "logits": lambda p: tuple(p.logits()),
    },
    "optimizers": {
        "surface": lambda p: p.surface_name,
        "lanes": _opt_lanes,
        "hyper": _opt_hyper,
        "start": lambda p: tuple(p.start),
        "selected": _opt_selected,
        "steps": lambda p: p.step_count,
    },
    "init": {
        "A": lambda p: p.config("A"),
        "B": lambda p: p.config("B") if p.compare.isChecked() else None,
        "tab": lambda p: ("forward", "backward")[p.views.currentIndex()],
        "drawn": lambda p: tuple(sorted(p.results)),
        "sizes": lambda p: {key: spin.value() for key, spin in p.size_spins.items()},
    },
    "training": {
        "data": lambda p: p.spec,
        "settings": lambda p: p.settings,
        "finished": _training_finished,
    },
    "compare": {
        "preset": lambda p: p.preset_combo.currentData(),
        "runs": lambda p: len(p.specs),
        "results": lambda p: len(p.results),
    },
    "backprop": {
        "sizes": lambda p: tuple(p.setup.sizes),
        "activation": lambda p: p.setup.activation,
        "loss": lambda p: p.setup.loss,
        "phase": _bp_phase,
        "output_grad_signs": _bp_output_signs,
    },
}


# ---- setting panels up (public controls only) ---------------------------------------------------
def _pause(panel: Panel) -> None:
    if panel.is_playing():
        panel.play_pause()


def _activations(shown, tab: str, depth: int = 10, init: str = "xavier", bias: float = 0.0,
                 params: dict | None = None, stack: dict | None = None, logits=None, hover: float | None = None):
    """Setup for the Activations panel: defaults, then the given curves, tab and depth experiment."""

    def setup(p) -> None:
        _pause(p)
        p.reset()
        for name, check in p.checks.items():
            if check.isChecked() != (name in shown):
                check.setChecked(name in shown)
        for name, values in (params or {}).items():
            for value in values.values():
                p.sliders[name].setValue(value)
        p.init_combo.setCurrentIndex(p.init_combo.findData(init))
        p.bias_slider.setValue(bias)
        p.depth_spin.setValue(depth)
        p.views.setCurrentIndex(_ACT_TABS.index(tab))
        if stack is not None:
            p.stack_view.set_state(stack)
        if logits is not None:
            p.softmax_view.set_logits(list(logits))
        p.hover_at(hover)

    return setup


def _race(surface: str, lanes: dict, select: str, start=None, batch: int | None = None):
    """Setup for the Optimizer panel: only ``lanes`` (key → hyperparameters over the defaults) race."""

    def setup(p) -> None:
        from app.panels.optimizers import LANES

        _pause(p)
        p.reset()  # step 0 first, so the changes below do not replay an old step count
        keys = [k for k, *_ in LANES]
        for lane, key in enumerate(keys):
            if key in lanes:
                defaults = p.entries[LANES[lane][2]].extra["defaults"]
                p.set_hyper(lane, {**defaults, **lanes[key]})
            p.set_lane_enabled(lane, key in lanes, restart=False)
        if batch is not None:
            p.batch.setValue(batch)
        p.select_lane(keys.index(select))
        p.set_surface(surface, start)

    return setup


def _init_pair(a, b=None, tab: str = "forward"):
    """Setup for the Initialization panel: configuration A, and B (None: A alone)."""

    def setup(p) -> None:
        _pause(p)
        p.reset()  # the book's sizes and seed 0
        p.editors["A"].set_config(a)
        if b is not None:
            p.editors["B"].set_config(b)
        p.compare.setChecked(b is not None)
        p.views.setCurrentIndex(("forward", "backward").index(tab))

    return setup


def _book_race(p) -> None:
    _pause(p)
    p.reset()
    p.book_preset()


def _init_preset(index: int, tab: str = "forward"):
    def setup(p) -> None:
        _pause(p)
        p.apply_preset(index)
        p.views.setCurrentIndex(("forward", "backward").index(tab))

    return setup


def _training(preset: str):
    """Setup for the Training panel: a book preset, trained live."""

    def setup(p) -> None:
        _pause(p)
        p.apply_preset(preset)
        p.x_unit.setCurrentIndex(p.x_unit.findData(True))  # epochs: the book's x axis
        p.play_pause()  # starts as soon as the run is built

    return setup


def _compare(preset: str):
    """Setup for the Compare panel: a preset, and its grid run at once."""

    def setup(p) -> None:
        p.reset()
        p.load_preset(preset)
        p.run_grid()

    return setup


def _backprop(sizes=(2, 2, 1), activation: str = "sigmoid", seed: int = 0):
    def setup(p) -> None:
        from engine import backprop_trace as bt

        _pause(p)
        base = bt.BackpropSetup()
        if tuple(sizes) != base.sizes:
            base = base.with_sizes(tuple(sizes), seed)
        p.set_setup(dataclasses.replace(base, activation=activation))

    return setup


def _go_to(phase: str):
    def then(p) -> None:
        p.go_to_phase(phase)

    return then


def _go_to_last(p) -> None:
    p.go_to(p.n_steps - 1)


def _init_config(activation: str, init_key: str, batchnorm: bool = False):
    from app.models.init import Config as InitConfig

    return InitConfig(activation, init_key, batchnorm=batchnorm)


# ---- the scenes ---------------------------------------------------------------------------------
def _build() -> dict[str, Scene]:
    from engine import experiments, training_setup

    ic = _init_config
    book_quad = "book_quadratic"
    train = list(training_setup.PRESETS)
    grids = list(experiments.PRESETS)
    scenes = [
        # 1. activations
        Scene("linear-stacking", "activations", "Stacking linear layers gains nothing", "activations",
              _activations(("identity", "relu"), "stack", stack={"slope": 0.9, "depth": 5, "activation": "identity"}),
              "Five layers of f(x) = 0.9·x are one layer: the stacked curve is the straight line 0.9⁵·x. "
              "Its derivative is the constant a, whatever the input, so a deeper linear network can only "
              "rescale its input. Pick ReLU in the stacking tab to see a nonlinearity bend the result.",
              expect={"tab": "stack", "stack": {"activation": "identity", "depth": 5}}),
        Scene("sigmoid-vanishing", "activations", "Sigmoid: the gradient vanishes layer by layer",
              "activations", _activations(("sigmoid", "relu"), "depth", depth=10, hover=0.0),
              "The right plot shows σ′(x) ≤ 0.25 (the read-out at x = 0). In the lower plot the gradient "
              "reaching each of 10 layers falls by a factor of about 4 per sigmoid layer on a log scale, "
              "while ReLU (slope 1 for x > 0) keeps orders of magnitude more. Press Step to add layers "
              "and watch the sigmoid line sink further.",
              expect={"shown": ("sigmoid", "relu"), "tab": "depth", "depth": 10}),
        Scene("sigmoid-zigzag", "activations", "Sigmoid is not zero-centred: one sign for all updates",
              "backprop", _backprop((2, 3, 1), "sigmoid"),
              "The hidden sigmoids output only positive values, so the output unit's gradients "
              "∂L/∂w = δ·h all share the sign of δ (the shaded rows of the table). Its weights can only "
              "all grow or all shrink together, so reaching weights of mixed signs takes a zig-zag path. "
              "Set Hidden f to Tanh: its outputs have both signs and so do the gradients.",
              expect={"sizes": (2, 3, 1), "activation": "sigmoid", "phase": "update",
                      "output_grad_signs": (-1, -1, -1)},
              then=_go_to_last),
        Scene("tanh", "activations", "Tanh: zero-centred, but it still vanishes", "activations",
              _activations(("sigmoid", "tanh"), "depth", depth=10, hover=0.0),
              "Tanh runs from −1 to 1 through 0, so its outputs have both signs (no zig-zag), and its "
              "slope at 0 is 1 instead of 0.25. The lower plot shows that its gradient still shrinks with "
              "depth, only more slowly than the sigmoid's.",
              expect={"shown": ("sigmoid", "tanh"), "tab": "depth"}),
        Scene("dying-relu", "activations", "Dying ReLU", "activations",
              _activations(("relu", "leaky_relu", "elu"), "dead", depth=10, init="he", bias=-1.5),
              "A bias of −1.5 (as after one too-large update) pushes most inputs below 0, where ReLU outputs "
              "0 and passes a gradient of exactly 0: the plot counts units that are 0 for every sample, "
              "layer by layer. Leaky ReLU and ELU keep a small slope for x < 0, so none of their units die.",
              expect={"shown": ("relu", "leaky_relu", "elu"), "tab": "dead", "bias": -1.5, "init": "he"}),
        Scene("relu-variants", "activations", "Leaky ReLU, PReLU and ELU", "activations",
              _activations(("relu", "leaky_relu", "elu", "prelu"), "depth", depth=10, init="he",
                           params={"leaky_relu": {"alpha": 0.1}}, hover=-2.0),
              "All three change only the negative side of ReLU. Leaky ReLU keeps the lecture's slope 0.1, "
              "PReLU's slope a (0.25 here) is learned in training, and ELU bends smoothly to −α. The read-out "
              "at x = −2 shows f′ = 0 for ReLU but not for the others: their units keep learning.",
              expect={"shown": ("relu", "leaky_relu", "elu", "prelu"), "params": {"leaky_relu": {"alpha": 0.1}}}),
        Scene("softmax", "activations", "Softmax: shares that sum to 1", "activations",
              _activations(("sigmoid", "tanh", "relu", "leaky_relu", "elu"), "softmax", logits=(0.3, 2.9, 4.0)),
              "The book's logits 0.3, 2.9 and 4.0 become probabilities 0.018, 0.245 and 0.737: each in (0, 1), "
              "together exactly 1, and the order is kept. Edit a logit to see every share change, because "
              "each is eᶻ divided by the sum over all classes.",
              expect={"tab": "softmax", "logits": (0.3, 2.9, 4.0)}),
        # 2. optimizers
        Scene("gd-vs-sgd", "optimizers", "GD vs SGD on real data", "optimizers",
              _race("data", {"gd": {"lr": 0.1}, "sgd": {"lr": 0.1}}, "sgd", batch=10),
              "On a real linear-regression loss GD uses all samples for each step and walks smoothly "
              "downhill. SGD uses a mini-batch of 10: each step is much cheaper but its gradient is noisy, "
              "so its path wobbles around GD's and its loss curve is jagged, sometimes going up. Both head for the "
              "minimum (the star) at about the same pace per step.",
              expect={"surface": "data", "lanes": ("gd", "sgd"), "steps": 60}, steps=60),
        Scene("local-minimum", "optimizers", "GD stops in a local minimum", "optimizers",
              _race("rastrigin", {"gd": {"lr": 0.002}, "momentum": {"lr": 0.002, "momentum": 0.9}}, "gd"),
              "Rastrigin's surface has a dip near every point with whole-number coordinates. From (−3.3, 4.1) "
              "GD rolls into the nearest dip, near (−3, 4), and stops there: the gradient is 0, so nothing moves "
              "it, although the global minimum at (0, 0) is far lower (loss about 25 against 0). Momentum "
              "lands in the same dip; past gradients help with saddles and shallow dips, not with deep ones.",
              expect={"surface": "rastrigin", "lanes": ("gd", "momentum"), "steps": 60}, steps=60),
        Scene("sgd-zigzag", "optimizers", "SGD zig-zags on x²/20 + y²", "optimizers",
              _race(book_quad, {"sgd": {"lr": 0.95}}, "sgd"),
              "The book's surface is 20 times steeper in y than in x. The gradient points mostly across the "
              "valley, so SGD with lr 0.95 jumps from wall to wall in y while creeping along x: the zig-zag "
              "that momentum and adaptive rates were invented to fix.",
              expect={"surface": book_quad, "lanes": ("sgd",), "hyper": {"sgd": {"lr": 0.95}},
                      "start": (-7.0, 2.0), "steps": 30}, steps=30),
        Scene("saddle-point", "optimizers", "A saddle point: GD stalls, momentum escapes", "optimizers",
              _race("saddle", {"gd": {"lr": 0.05}, "momentum": {"lr": 0.05, "momentum": 0.9}}, "momentum"),
              "Starting almost on the ridge, the gradient along y is tiny, so GD slides into the flat "
              "saddle at (0, 0) and nearly stops there. Momentum carries its velocity through the flat "
              "region, rolls off the saddle and is already circling the minimum at (0, √2) after the same 30 steps.",
              expect={"surface": "saddle", "lanes": ("gd", "momentum"), "steps": 30}, steps=30),
        Scene("momentum-overshoot", "optimizers", "Momentum: faster, but it overshoots", "optimizers",
              _race(book_quad, {"sgd": {"lr": 0.95}, "momentum": {"lr": 0.1, "momentum": 0.9}}, "momentum"),
              "Momentum adds up past steps (V ← m·V − α∇L), so it rolls along the flat x direction much "
              "faster than SGD. The same velocity carries it past the minimum at (0, 0) and back: it swings "
              "around the target before settling. The solid arrow is V, the dashed one −∇L.",
              expect={"surface": book_quad, "lanes": ("sgd", "momentum"),
                      "hyper": {"momentum": {"lr": 0.1, "momentum": 0.9}}, "steps": 30}, steps=30),
        Scene("nag-vs-momentum", "optimizers", "NAG: look ahead, oscillate less", "optimizers",
              _race(book_quad, {"momentum": {"lr": 0.1, "momentum": 0.9}, "nag": {"lr": 0.1, "momentum": 0.9}},
                    "nag"),
              "Same learning rate and momentum. NAG takes the gradient at the look-ahead point W + m·V, so "
              "it brakes before it reaches a wall: its swings across y are smaller and it overshoots (0, 0) "
              "less than plain momentum. The read-out shows the form PyTorch runs.",
              expect={"surface": book_quad, "lanes": ("momentum", "nag"), "steps": 30}, steps=30),
        Scene("adagrad-decay", "optimizers", "AdaGrad: the step size dies", "optimizers",
              _race(book_quad, {"adagrad": {"lr": 0.3}}, "adagrad"),
              "AdaGrad divides the learning rate by √G, and G adds up every squared gradient. The steep y "
              "direction is tamed at once, but G never shrinks: the effective rate in the read-out keeps "
              "falling, and after 100 steps AdaGrad is still crawling along x, far from the minimum at (0, 0).",
              expect={"surface": book_quad, "lanes": ("adagrad",), "steps": 100}, steps=100),
        Scene("rmsprop", "optimizers", "RMSProp keeps learning where AdaGrad stalls", "optimizers",
              _race(book_quad, {"adagrad": {"lr": 0.3}, "rmsprop": {"lr": 0.3, "decay_rate": 0.9}}, "rmsprop"),
              "Same learning rate. RMSProp replaces AdaGrad's sum with a moving average of g² (decay γ = 0.9), "
              "so old gradients are forgotten and the step size does not die: RMSProp reaches the minimum "
              "while AdaGrad is still on its way.",
              expect={"surface": book_quad, "lanes": ("adagrad", "rmsprop"), "steps": 40}, steps=40),
        Scene("adam", "optimizers", "Adam = momentum + RMSProp", "optimizers",
              _race(book_quad, {"momentum": {"lr": 0.1, "momentum": 0.9}, "rmsprop": {"lr": 0.3, "decay_rate": 0.9},
                                "adam": {"lr": 0.3}}, "adam"),
              "Adam keeps a momentum-like average M of the gradients and an RMSProp-like average V of their "
              "squares, both bias-corrected (M̂, V̂) so the first steps are not too small. Its path has "
              "momentum's drive with RMSProp's per-coordinate step; the read-out shows M̂ and V̂ and notes "
              "that PyTorch adds ε outside the square root.",
              expect={"surface": book_quad, "lanes": ("momentum", "rmsprop", "adam"), "steps": 40}, steps=40),
        Scene("book-optimizers", "optimizers", "The book's four optimizers side by side", "optimizers",
              _book_race,
              "Deep Learning from Scratch, fig. 6-8: x²/20 + y² from (−7, 2), 30 steps. SGD (lr 0.95) "
              "zig-zags, Momentum (lr 0.1) swings like a ball in a bowl, AdaGrad (lr 1.5) goes straight after "
              "damping y, and Adam (lr 0.3) rolls in with less swinging.",
              expect={"surface": book_quad, "lanes": ("sgd", "momentum", "adagrad", "adam"),
                      "start": (-7.0, 2.0), "steps": 30}, steps=30),
        Scene("learning-rate", "optimizers", "The learning rate is hard to choose", "optimizers",
              _race(book_quad, {"gd": {"lr": 0.95}, "sgd": {"lr": 1.05}}, "sgd"),
              "Here the gradient is exact, so GD and SGD run the same rule; only the learning rate differs. "
              "With 0.95 every step across the valley overshoots a little less; with 1.05 a little more, so "
              "the path swings wider and wider and leaves the map. Slightly too large is enough to diverge.",
              expect={"surface": book_quad, "lanes": ("gd", "sgd"), "hyper": {"sgd": {"lr": 1.05}}, "steps": 20},
              steps=20),
        # 3. initialization
        Scene("init-std-0.01", "init", "Init std 0.01: every neuron the same", "init",
              _init_pair(ic("sigmoid", "std0.01"), ic("tanh", "std0.01")),
              "With weights from N(0, 0.01²) every weighted sum is nearly 0, so all sigmoid outputs pile up at "
              "0.5 (A) and tanh outputs collapse onto 0 (B). Neurons that all output the same value also "
              "receive the same update: the layer acts like a single neuron and cannot express much.",
              expect={"A": ic("sigmoid", "std0.01"), "B": ic("tanh", "std0.01"), "tab": "forward",
                      "sizes": BOOK_SIZES}),
        Scene("init-std-1", "init", "Init std 1: saturated sigmoids", "init",
              _init_pair(ic("sigmoid", "std1")),
              "With weights from N(0, 1) the weighted sums are large, so the sigmoid outputs pile up at 0 and "
              "1 in every layer. There σ′ ≈ 0: the 'saturated' column counts about half of all outputs, and "
              "those units pass almost no gradient to their weights, which is the vanishing gradient of the "
              "lecture. Compare the healthy spread in the Xavier scene.",
              expect={"A": ic("sigmoid", "std1"), "B": None, "tab": "forward", "sizes": BOOK_SIZES}),
        Scene("init-xavier", "init", "Xavier keeps sigmoid layers spread", "init", _init_preset(1),
              "Xavier draws weights with std √(2/(n_in + n_out)) (0.1 for these 100-unit layers), so each "
              "layer's output has about the variance of its input. B's histograms stay spread over (0, 1) in "
              "every layer, while A (std 1) is saturated at 0 and 1. Xavier suits sigmoid and tanh; the log "
              "plot shows that the gradient still shrinks through sigmoid layers (σ′ ≤ 0.25).",
              expect={"A": ic("sigmoid", "std1"), "B": ic("sigmoid", "xavier"), "sizes": BOOK_SIZES}),
        Scene("init-he", "init", "He for ReLU", "init", _init_preset(4),
              "ReLU zeroes half of its inputs, so with Xavier (A) the spread halves at every layer and the "
              "activations shrink towards 0. He uses std √(2/n_in), twice Xavier's variance, and keeps every "
              "layer's distribution the same (B). The spike of zeros is cut off; the 'zeros' column "
              "counts it.",
              expect={"A": ic("relu", "xavier"), "B": ic("relu", "he"), "sizes": BOOK_SIZES}),
        # 4. other techniques
        Scene("batchnorm", "techniques", "Batch norm vs none", "init", _init_preset(5),
              "Both use the bad std 1 weights. Without batch norm (A) the sigmoids saturate; with it (B) "
              "every unit's sum is normalized over the batch (x̂ = (x − μ)/σ, then γx̂ + β) before the "
              "activation, so "
              "the histograms stay spread whatever the weight scale. That is why it makes training less "
              "dependent on the initialization.",
              expect={"A": ic("sigmoid", "std1"), "B": ic("sigmoid", "std1", batchnorm=True), "sizes": BOOK_SIZES}),
        Scene("batchnorm-training", "techniques", "Batch norm in training, 16 init scales", "compare",
              _compare(grids[3]),
              "The book's fig. 6-19: the same network trained from 16 weight scales, without (solid) and with "
              "batch norm (dashed). Without it only a narrow band of scales learns at all; with it almost "
              "every scale learns, and faster. The grid trains 32 runs in worker processes.",
              expect={"preset": grids[3], "runs": 32}, finished=lambda p: not p.is_busy()),
        Scene("overfitting", "techniques", "Overfitting: 300 samples, 6 layers", "training",
              _training(train[0]),
              "A deep network trained on only 300 images: the train accuracy climbs towards 100 % while the "
              "test accuracy stays well below. The shaded gap between the curves is overfitting: the network "
              "memorizes its training set instead of learning what generalizes.",
              expect={"data": training_setup.PRESETS[train[0]][0], "settings": training_setup.PRESETS[train[0]][1]},
              finished=_training_finished),
        Scene("weight-decay", "techniques", "Weight decay narrows the gap", "training", _training(train[1]),
              "The same run with an L2 penalty ½λ‖W‖² (λ = 0.1) added to the loss. Large weights now cost "
              "something, so the network cannot rely on a few of them: train accuracy no longer reaches "
              "100 % and the gap to the test accuracy is smaller than in the overfitting scene.",
              expect={"settings": training_setup.PRESETS[train[1]][1]}, finished=_training_finished),
        Scene("dropout", "techniques", "Dropout narrows the gap", "training", _training(train[2]),
              "The same run with dropout 0.2: in every training step a random 20 % of the hidden units are "
              "switched off (and skipped in backprop). No unit can count on another, and training acts like an "
              "ensemble of thinned networks; the train/test gap is smaller than without it.",
              expect={"settings": training_setup.PRESETS[train[2]][1]}, finished=_training_finished),
        Scene("regularization-grid", "techniques", "Weight decay and dropout side by side", "compare",
              _compare(grids[4]),
              "Four runs of the book's overfitting set-up: none, weight decay λ = 0.1, dropout 0.2 and both. "
              "Plot test accuracy or the train/test gap and compare the final numbers in the table: each "
              "technique trades a little train accuracy for a smaller gap.",
              expect={"preset": grids[4], "runs": 4}, finished=lambda p: not p.is_busy()),
        # assignments
        Scene("assignment-1", "assignments", "Assignment 1: change one thing, compare", "compare",
              _compare(grids[0]),
              "The lecture's first assignment: change dropout, activation, initialization or batch norm and "
              "compare the models. Here ReLU vs tanh, each with and without batch norm, two seeds each, on "
              "the spiral; the table compares their final accuracies. Edit the factors on the left and Run again.",
              expect={"preset": grids[0], "runs": 8}, finished=lambda p: not p.is_busy()),
        Scene("assignment-2", "assignments", "Assignment 2: follow backprop to the update", "backprop",
              _backprop(), then=_go_to("backward"), explanation=(
                  "The second assignment: follow one sample through the network. The forward pass and the loss "
                  "are done; press Step to walk the backward pass, where every ∂L/∂w is a product of local "
                  "derivatives (the chain rule), and on to the update w ← w − η·∂L/∂w. The table checks each "
                  "gradient against a numerical one."),
              expect={"sizes": (2, 2, 1), "activation": "sigmoid", "phase": "backward"}),
    ]
    return {s.name: s for s in scenes}


SCENES: dict[str, Scene] = _build()


def names() -> list[str]:
    return list(SCENES)


def get(name: str) -> Scene:
    """The scene ``name``; unknown names raise ``ValueError`` listing the valid ones."""
    key = str(name).strip().lower()
    if key not in SCENES:
        raise ValueError(f"unknown scene {name!r}; choose one of: {', '.join(SCENES)}")
    return SCENES[key]


def by_part() -> dict[str, list[Scene]]:
    """Scenes grouped by lecture part, in outline order."""
    out: dict[str, list[Scene]] = {part: [] for part in PARTS}
    for scene in SCENES.values():
        out[scene.part].append(scene)
    return out


# ---- running a scene ----------------------------------------------------------------------------
class SceneRun(QObject):
    """Finishes an opened scene: waits for the panel's computation, runs ``then`` and the Steps.

    Polls the panel (ready, not busy, and with ``complete`` the scene's ``finished``) so it
    works the same for every panel. ``done(ok)`` fires once; ``ok`` is False on an error in the
    panel or a timeout (``message`` says which). ``cancel()`` stops it quietly (a newer scene
    was opened). The window's menu runs scenes without ``complete``: a student may pause a long
    training run, which is no failure; screenshots and tests wait for the end.
    """

    done = Signal(bool)
    POLL_MS = 20
    STEP_TIMEOUT_MS = 15000

    def __init__(self, scene: Scene, panel: Panel, timeout_ms: int = 120000, complete: bool = True,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.scene, self.panel = scene, panel
        self.complete = bool(complete)
        self.timeout_ms = int(timeout_ms)
        self.ok: bool | None = None
        self.message = ""
        self._phase = "settle"
        self._steps_left = scene.steps
        self._count_before = 0
        self._clock = QElapsedTimer()
        self._step_clock = QElapsedTimer()
        self._connected = False
        self._timer = QTimer(self)
        self._timer.setInterval(self.POLL_MS)
        self._timer.timeout.connect(self._poll)

    def start(self) -> "SceneRun":
        self._clock.start()
        self._timer.start()
        self.panel.stepped.connect(self._on_stepped)  # the next Step at once, not at the next poll
        self._connected = True
        return self

    def _on_stepped(self, _count: int) -> None:
        if self._timer.isActive():
            QTimer.singleShot(0, self, self._poll)

    @property
    def running(self) -> bool:
        return self.ok is None and self._timer.isActive()

    def cancel(self) -> None:
        self._timer.stop()
        self._disconnect()

    def _disconnect(self) -> None:
        if self._connected:
            self._connected = False
            try:
                self.panel.stepped.disconnect(self._on_stepped)
            except (RuntimeError, TypeError):  # the panel is gone
                pass

    def _settled(self) -> bool:
        p = self.panel
        return p.is_ready and not p.is_busy()

    def _end(self, ok: bool, message: str = "") -> None:
        self._timer.stop()
        self._disconnect()
        self.ok, self.message = ok, message
        self.done.emit(ok)

    def _poll(self) -> None:
        if not self._timer.isActive():
            return
        p = self.panel
        if p.last_error:
            self._end(False, tr("the {panel} panel failed: {error}").format(panel=p.panel_id, error=p.last_error))
            return
        if self._clock.elapsed() > self.timeout_ms:
            self._end(False, tr("scene {name} did not finish in {seconds} s").format(
                name=self.scene.name, seconds=f"{self.timeout_ms / 1000:g}"))
            return
        if self._phase == "settle":
            if not self._settled():
                return
            if self.scene.then is not None:
                self.scene.then(p)
            self._phase = "steps"
        if self._phase == "steps":
            if self._steps_left and self._step_clock.isValid() and p.step_count <= self._count_before:
                if self._step_clock.elapsed() > self.STEP_TIMEOUT_MS:
                    self._end(False, tr("scene {name}: a Step did not finish in time").format(name=self.scene.name))
                return  # the Step in flight is not drawn yet
            if self._steps_left > 0:
                self._steps_left -= 1
                self._count_before = p.step_count
                self._step_clock.start()
                p.step()
                return
            self._phase = "finish"
        if self._phase == "finish":
            waiting = self.complete and self.scene.finished is not None and not self.scene.finished(p)
            if self._settled() and not waiting:
                self._end(True)

    def wait(self) -> bool:
        """Spin the event loop until ``done``; True if the scene finished as stated."""
        if self.ok is None and self._timer.isActive():
            loop = QEventLoop()
            self.done.connect(loop.quit)
            if self.ok is None:
                loop.exec()
        return bool(self.ok)


def open_scene(window, name: str, timeout_ms: int = 120000, complete: bool = True) -> SceneRun:
    """Show scene ``name`` in ``window``: its panel, set up, explained; finished asynchronously.

    ``complete``: the run also waits for the scene's ``finished`` (e.g. training to the end).
    """
    scene = get(name)
    previous = getattr(window, "scene_run", None)
    if previous is not None:
        previous.cancel()
    panel = window.show_panel(scene.panel_id)
    panel.clear_error()
    scene.setup(panel)
    dock = getattr(window, "scene_dock", None)
    if dock is not None:
        dock.show_scene(scene)
    run = SceneRun(scene, panel, timeout_ms, complete, parent=window)
    window.scene_run = run
    return run.start()


def run_scene(window, name: str, timeout_ms: int = 120000) -> SceneRun:
    """``open_scene`` and wait until it finished (``--scene NAME --screenshot``, tests)."""
    run = open_scene(window, name, timeout_ms)
    run.wait()
    return run


def install_menu(window) -> None:
    """Add the Lecture menu and the scene dock to ``window`` (see ``app.widgets.scene_dock``)."""
    from app.widgets.scene_dock import install

    install(window)
