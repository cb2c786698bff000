"""Two decision boundaries side by side: the panel's network and its comparison.

Why: some lecture points are a contrast, not a single picture — XOR with a linear network
(identity activation) next to a ReLU one, or dropout's full network next to the mean of its
thinned networks (``app.models.training_pair``). ``BoundaryPair`` holds the panel's own
``DecisionBoundaryView`` (``main``) and a second one (``partner``) shown only while a comparison
is chosen, plus a one-line read-out of the numbers the comparison is about.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.i18n import tr
from app.models.training_pair import ENSEMBLE, ENSEMBLE_MASKS, NONE
from app.panels.training.boundary import DecisionBoundaryView
from app.widgets import palette


def _percent(value) -> str:
    return "–" if value is None or value != value else f"{100 * value:.1f} %"


def readout_text(activation: str, compare: str, view: dict | None) -> str:
    """The read-out line: what the comparison measures, in the user's language."""
    if compare == NONE or view is None:
        return ""
    if compare == ENSEMBLE:
        return tr("test accuracy: full network {full} · mean of {n} thinned networks {ensemble} · "
                  "mean |Δp| {dp}").format(full=_percent(view["full_accuracy"]), n=ENSEMBLE_MASKS,
                                           ensemble=_percent(view["ensemble_accuracy"]),
                                           dp=f"{view['mean_abs_dp']:.4f}")
    return tr("train / test accuracy: {main} {train} / {test} · {other} {train2} / {test2}").format(
        main=activation, train=_percent(view["main_train_accuracy"]), test=_percent(view["main_test_accuracy"]),
        other=compare,
        train2=_percent(view["train_accuracy"]), test2=_percent(view["test_accuracy"]))


class BoundaryPair(QWidget):
    """``main`` and ``partner`` boundary views in a row, the read-out below (see the module docstring)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("boundaryPair")
        self.main = DecisionBoundaryView(self)
        self.partner = DecisionBoundaryView(self)
        self.partner.setObjectName("partnerBoundary")
        self.readout = QLabel(self)
        self.readout.setObjectName("compareReadout")
        self.readout.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.main, 1)
        row.addWidget(self.partner, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row, 1)
        layout.addWidget(self.readout)
        self.show_compare(NONE, "")

    def show_compare(self, compare: str, activation: str) -> None:
        """Show (or hide) the second view, with both views' titles saying which is which."""
        on = compare != NONE
        self.partner.setVisible(on)
        self.readout.setVisible(on)
        self.readout.setText("")
        self.readout.setStyleSheet(f"color: {palette.MUTED}")
        if compare == ENSEMBLE:
            self.main.set_title(tr("Full network"))
            self.partner.set_title(tr("Mean of {n} masks").format(n=ENSEMBLE_MASKS))
        elif on:
            self.main.set_title(tr("{name} network").format(name=activation))
            self.partner.set_title(tr("{name} network").format(name=compare))
        else:
            self.main.set_title(tr("Decision boundary"))
        self.partner.clear_grid()

    def set_points(self, *args) -> None:
        self.partner.set_points(*args)

    def set_view(self, view: dict, text: str) -> None:
        """A ``training_pair`` view from the worker: its grid (2-D data) and the read-out line."""
        if view.get("grid") is not None:
            self.partner.set_grid(view["grid"])
        self.readout.setText(text)
