"""The search mode's controls: the data pool and its validation share, the trials and their ranges.

The book's §6.5 draws the learning rate as 10^U(−6, −2) and the weight decay as 10^U(−8, −4):
each range is typed as its two exponents, so "every decade equally likely" is what the form
says. The form shows a ``SearchState`` (``show_state``) and reports each edit as a partial
Compare ``State`` dict under ``"search"`` (``edited``); it keeps no settings of its own.
Hidden widths that cannot be read stay in their field and are reported by ``problem()``.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.models.hparam_search import STATE_KEY, SearchState
from app.models.runs import DIGITS
from app.widgets import palette
from engine import datasets, optimizers
from engine.training_setup import parse_hidden


def data_text(name: str) -> str:
    """A data choice as the combo shows it."""
    if name == DIGITS:
        return tr("Synthetic digits (images)")
    return tr("{name} (2-D)").format(name=tr(datasets.entry(name).display_name))


class SearchForm(QWidget):
    """``show_state(search_state)``; ``edited(dict)`` (``{"search": {...}}``) on every valid edit;
    ``problem()``: why the hidden widths cannot be read ("" when they can)."""

    edited = Signal(dict)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("searchForm")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.intro = QLabel(tr("The book's random search (DLFS §6.5): each trial draws a learning rate and "
                               "a weight decay log-uniformly, trains on the training part and is scored on "
                               "the validation set. The test data are never used."), self)
        self.intro.setObjectName("searchIntro")
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)

        data_box = QGroupBox(tr("Data and validation"), self)
        form = QFormLayout(data_box)
        form.setContentsMargins(6, 4, 6, 4)
        form.setVerticalSpacing(3)
        self.data_combo = QComboBox(data_box)
        self.data_combo.setObjectName("searchData")
        for name in [e.name for e in datasets.REGISTRY.entries()] + [DIGITS]:
            self.data_combo.addItem(data_text(name), name)
        self.data_combo.setToolTip(tr("The training data the search draws on (no test set is made)"))
        self.size_spin = self._spin("searchSize", 20, 20000, tr("Samples in the pool: training part + validation set"))
        self.val_spin = QDoubleSpinBox(data_box)
        self.val_spin.setObjectName("searchValPct")
        self.val_spin.setDecimals(1)
        self.val_spin.setRange(5, 50)
        self.val_spin.setKeyboardTracking(False)
        self.val_spin.setToolTip(tr("Share of the pool held out as the validation set, in % (book: 20 %)"))
        for label, field in (("Data", self.data_combo), ("Samples", self.size_spin), ("Validation %", self.val_spin)):
            form.addRow(tr(label), field)
        layout.addWidget(data_box)

        trial_box = QGroupBox(tr("Trials"), self)
        form = QFormLayout(trial_box)
        form.setContentsMargins(6, 4, 6, 4)
        form.setVerticalSpacing(3)
        self.trials_spin = self._spin("searchTrials", 1, 1000, tr("How many random (learning rate, weight decay) "
                                                                  "pairs to train (book: 100)"))
        self.ranges = {
            "lr_range": self._range("searchLr", -10.0, 1.0, tr("Learning rate = 10^U(lo, hi); book: −6 … −2")),
            "wd_range": self._range("searchWd", -12.0, 0.0, tr("Weight decay = 10^U(lo, hi); book: −8 … −4")),
        }
        self.seed_spin = self._spin("searchSeed", 0, 2**31 - 1, tr("Seed of the random draws: the same seed "
                                                                     "draws the same trials"))
        self.top_spin = self._spin("searchTop", 1, 100, tr("How many of the best trials the curves show (book: 20)"))
        for label, field in (("Trials", self.trials_spin), ("lr 10^", self.ranges["lr_range"][0]),
                             ("weight decay 10^", self.ranges["wd_range"][0]), ("Seed", self.seed_spin),
                             ("Best curves", self.top_spin)):
            form.addRow(tr(label), field)
        layout.addWidget(trial_box)

        net_box = QGroupBox(tr("Every trial's network and training"), self)
        form = QFormLayout(net_box)
        form.setContentsMargins(6, 4, 6, 4)
        form.setVerticalSpacing(3)
        self.hidden_edit = QLineEdit(net_box)
        self.hidden_edit.setObjectName("searchHidden")
        self.hidden_edit.setToolTip(tr("Hidden layer widths, e.g. 100, 100, 100 (1–8 layers)"))
        self.epochs_spin = self._spin("searchEpochs", 1, 1000, tr("Epochs every trial trains (book: 50)"))
        self.batch_spin = self._spin("searchBatch", 1, 4096, tr("Mini-batch size"))
        self.optimizer_combo = QComboBox(net_box)
        self.optimizer_combo.setObjectName("searchOptimizer")
        for e in optimizers.entries():
            self.optimizer_combo.addItem(e.display_name, e.name)
        self.optimizer_combo.setToolTip(tr("Every trial's optimizer (book: SGD); its learning rate is drawn"))
        for label, field in (("Hidden", self.hidden_edit), ("Epochs", self.epochs_spin), ("Batch", self.batch_spin),
                             ("Optimizer", self.optimizer_combo)):
            form.addRow(tr(label), field)
        layout.addWidget(net_box)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("searchCount")
        self.count_label.setWordWrap(True)
        layout.addWidget(self.count_label)

        for key, spin in (("size", self.size_spin), ("val_pct", self.val_spin), ("n_trials", self.trials_spin),
                          ("epochs", self.epochs_spin), ("batch", self.batch_spin), ("seed", self.seed_spin),
                          ("top_n", self.top_spin)):
            spin.valueChanged.connect(lambda v, k=key: self._emit({k: v}))
        for key, (_row, lo, hi) in self.ranges.items():
            for spin in (lo, hi):
                spin.valueChanged.connect(lambda _v, k=key, a=lo, b=hi: self._emit({k: [a.value(), b.value()]}))
        self.data_combo.currentIndexChanged.connect(lambda _i: self._emit({"data": self.data_combo.currentData()}))
        self.optimizer_combo.currentIndexChanged.connect(
            lambda _i: self._emit({"optimizer": self.optimizer_combo.currentData()}))
        self.hidden_edit.textChanged.connect(self._on_hidden)
        self.show_state(SearchState())
        palette.signals.changed.connect(self._recolor)
        self._recolor()

    def _spin(self, name, lo, hi, tip) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setObjectName(name)
        spin.setRange(lo, hi)
        spin.setToolTip(tip)
        spin.setKeyboardTracking(False)
        return spin

    def _range(self, name: str, lo: float, hi: float, tip: str):
        """A row of two exponent spin boxes, "lo … hi"."""
        row = QWidget(self)
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        spins = []
        for end in ("Lo", "Hi"):
            spin = QDoubleSpinBox(row)
            spin.setObjectName(f"{name}{end}")
            spin.setDecimals(1)
            spin.setSingleStep(0.5)
            spin.setRange(lo, hi)
            spin.setKeyboardTracking(False)
            spin.setToolTip(tip)
            spins.append(spin)
        box.addWidget(spins[0], 1)
        box.addWidget(QLabel("…", row))
        box.addWidget(spins[1], 1)
        return row, spins[0], spins[1]

    def _recolor(self, _dark: bool = False) -> None:
        for label in (self.count_label, self.intro):
            label.setStyleSheet(f"color: {palette.MUTED}")

    def _emit(self, partial: dict) -> None:
        self.edited.emit({STATE_KEY: partial})

    def _on_hidden(self, text: str) -> None:
        try:
            hidden = parse_hidden(text)
        except ValueError:
            self.edited.emit({})  # nothing to store; the panel shows ``problem()``
            return
        self._emit({"hidden": list(hidden)})

    def problem(self) -> str:
        """Why the hidden widths cannot be read, or ""."""
        try:
            parse_hidden(self.hidden_edit.text())
        except ValueError as exc:
            return str(exc)
        return ""

    def show_count(self, state: SearchState) -> None:
        """How many trials of how many epochs, on how many training and validation samples."""
        val = round(state.size * state.val_pct / 100)
        self.count_label.setText(tr("{trials} trials × {epochs} epochs on {train} training and {val} validation "
                                    "samples").format(trials=state.n_trials, epochs=state.epochs,
                                                      train=state.size - val, val=val))

    def show_state(self, state: SearchState) -> None:
        """Show ``state`` (no ``edited`` signals)."""
        spins = [s for _row, lo, hi in self.ranges.values() for s in (lo, hi)]
        widgets = [self.data_combo, self.size_spin, self.val_spin, self.trials_spin, self.seed_spin, self.top_spin,
                   self.hidden_edit, self.epochs_spin, self.batch_spin, self.optimizer_combo, *spins]
        blocked = [w.blockSignals(True) for w in widgets]
        try:
            self.data_combo.setCurrentIndex(self.data_combo.findData(state.data))
            for spin, value in ((self.size_spin, state.size), (self.val_spin, state.val_pct),
                                (self.trials_spin, state.n_trials), (self.seed_spin, state.seed),
                                (self.top_spin, state.top_n), (self.epochs_spin, state.epochs),
                                (self.batch_spin, state.batch)):
                spin.setValue(value)
            for key, (_row, lo, hi) in self.ranges.items():
                lo.setValue(getattr(state, key)[0])
                hi.setValue(getattr(state, key)[1])
            try:
                same = parse_hidden(self.hidden_edit.text()) == tuple(state.hidden)
            except ValueError:
                same = False
            if not same:
                self.hidden_edit.setText(", ".join(map(str, state.hidden)))
            self.optimizer_combo.setCurrentIndex(self.optimizer_combo.findData(state.optimizer))
        finally:
            for w, was in zip(widgets, blocked):
                w.blockSignals(was)
