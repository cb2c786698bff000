"""The Training form's learning-rate schedule row: which schedule, its parameters, per update or epoch.

Shows and forwards only: ``changed(spec, per)`` carries ``RunSettings.schedule`` (None for a
constant rate) and ``schedule_per``; text that does not parse or a schedule the engine rejects
goes out as ``invalid(message)`` and changes nothing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QWidget

from app.i18n import tr
from app.models.schedule_settings import SCHEDULE_PER, ScheduleSetting, params_text, parse_params
from engine import schedules

PER_LABELS = {"update": "per update", "epoch": "per epoch"}


class ScheduleRow(QWidget):
    """Combo of schedules, their parameters as ``name=value`` text, and update/epoch."""

    changed = Signal(object, str)
    invalid = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.combo = QComboBox(self)
        self.combo.setObjectName("trainingScheduleCombo")
        for e in schedules.entries():
            self.combo.addItem(tr(e.display_name), e.name)
            self.combo.setItemData(self.combo.count() - 1, tr(e.formula), Qt.ItemDataRole.ToolTipRole)
        self.combo.setToolTip(tr("How the learning rate changes during training"))
        self.edit = QLineEdit(self)
        self.edit.setObjectName("trainingScheduleParams")
        self.edit.setToolTip(tr("The schedule's parameters as name=value pairs; Enter applies them"))
        self.per = QComboBox(self)
        self.per.setObjectName("trainingSchedulePer")
        for key in SCHEDULE_PER:
            self.per.addItem(tr(PER_LABELS[key]), key)
        self.per.setToolTip(tr("The schedule's t counts updates (mini-batches) or epochs"))
        row.addWidget(self.combo)
        row.addWidget(self.edit, 1)
        row.addWidget(self.per)
        self.combo.currentIndexChanged.connect(lambda _i: self._emit(new_name=True))
        self.edit.editingFinished.connect(self._emit)
        self.per.currentIndexChanged.connect(lambda _i: self._emit())
        self.lr = 0.01

    def show_schedule(self, spec: dict | None, per: str, lr: float) -> None:
        """Show ``spec`` (a ``RunSettings.schedule``) without emitting."""
        setting = ScheduleSetting.of(spec)
        self.lr = float(lr)
        for w in (self.combo, self.per):
            w.blockSignals(True)
        self.combo.setCurrentIndex(self.combo.findData(setting.name))
        self.per.setCurrentIndex(self.per.findData(per))
        for w in (self.combo, self.per):
            w.blockSignals(False)
        self.edit.setText(params_text(setting))
        self.edit.setCursorPosition(0)  # the start of the text, not its end, when it is clipped
        self.edit.setEnabled(bool(setting.params()))

    def _emit(self, new_name: bool = False) -> None:
        name = self.combo.currentData()
        try:
            params = {} if new_name else parse_params(name, self.edit.text())
            setting = ScheduleSetting.of({"name": name, **params})
            setting.build(self.lr)  # the engine's own check
        except ValueError as exc:
            self.invalid.emit(str(exc))
            return
        self.edit.setText(params_text(setting))
        self.edit.setCursorPosition(0)  # the start of the text, not its end, when it is clipped
        self.edit.setEnabled(bool(setting.params()))
        spec = None if setting.is_constant() else setting.spec(self.lr)
        self.changed.emit(spec, self.per.currentData())
