"""The Training panel's scenes: the book's overfitting experiment and two ways to narrow its gap.

Each scene trains one of ``engine.training_setup.PRESETS`` to its end (x axis in epochs, as in
the book) and checks the curves' end: train and test accuracy at the last epoch, measured on
the run the panel trained. The runs are deterministic (fixed seeds), so the numbers quoted in
the claims are what this run gives: overfitting ends at train 100 %, test ≈ 84 % (gap ≈ 0.16);
weight decay at train ≈ 91 %, gap ≈ 0.13; dropout at train ≈ 82 %, gap ≈ 0.11.
"""

from __future__ import annotations

from app.lecture.scene import Check, Scene
from app.models.training import preset_state
from engine.training_setup import PRESETS

_OVERFIT, _DECAY, _DROPOUT = list(PRESETS)
#: The overfitting run's final train–test accuracy gap is ≈ 0.16; the others must end below this.
NARROWER_GAP = 0.15


def _preset(name: str) -> dict:
    return {**preset_state(name), "x_unit": "epoch"}


def _finished(model) -> bool:
    return model.done


def _train_accuracy(model) -> float:
    return model.final("train_accuracy")


def _gap(model) -> float:
    return model.gap()


def _loss_fell(model) -> tuple[float, float]:
    return model.first("train_loss"), model.final("train_loss")


_TRAINED = Check("the train loss fell to less than half of its first value", _loss_fell,
                 lambda v: v[1] < 0.5 * v[0])

SCENES = (
    Scene("overfitting", "techniques", "Overfitting: 300 samples, 6 layers", "training",
          "A deep network trained on only 300 images: the train accuracy climbs towards 100 % while the "
          "test accuracy stays well below. The shaded gap between the curves is overfitting: the network "
          "memorizes its training set instead of learning what generalizes.",
          state=_preset(_OVERFIT), play=True, finished=_finished,
          checks=(Check("the train accuracy ends at ≥ 98 %", _train_accuracy, lambda v: v >= 0.98),
                  Check("the test accuracy ends ≥ 10 points below it", _gap, lambda v: v >= 0.10),
                  _TRAINED)),
    Scene("weight-decay", "techniques", "Weight decay narrows the gap", "training",
          "The same run with an L2 penalty ½λ‖W‖² (λ = 0.1) added to the loss. Large weights now cost "
          "something, so the network cannot rely on a few of them: train accuracy no longer reaches "
          "100 % and the gap to the test accuracy is smaller than in the overfitting scene.",
          state=_preset(_DECAY), play=True, finished=_finished,
          checks=(Check("the train accuracy stays below 99 %", _train_accuracy, lambda v: v < 0.99),
                  Check(f"the train–test gap ends below {NARROWER_GAP} (overfitting: ≈ 0.16)", _gap,
                        lambda v: 0.0 <= v < NARROWER_GAP),
                  _TRAINED)),
    Scene("dropout", "techniques", "Dropout narrows the gap", "training",
          "The same run with dropout 0.2: in every training step a random 20 % of the hidden units are "
          "switched off (and skipped in backprop). No unit can count on another, and training acts like an "
          "ensemble of thinned networks; the train/test gap is smaller than without it.",
          state=_preset(_DROPOUT), play=True, finished=_finished,
          checks=(Check(f"the train–test gap ends below {NARROWER_GAP} (without dropout: ≈ 0.16)", _gap,
                        lambda v: 0.0 <= v < NARROWER_GAP),
                  _TRAINED)),
)
