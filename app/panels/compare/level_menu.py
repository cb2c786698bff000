"""Levels picked, not typed: a menu of checkable levels in each factor's text field ("▾").

Choice factors (activation, init, optimizer) and on/off factors list their levels in the UI
language; ticking one writes the ticked levels back into the field in the grid's spelling, so
the text (``State.levels``, the one persistence path) stays the truth and numbers can still be
typed. Init levels show their standard deviation ("Normal (fixed std) (std 0.01)", "He (Kaiming) (std √(2/fan_in))").
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit, QMenu, QStyle, QWidget

from app.i18n import tr
from engine import activations, experiments, init as _init, optimizers

#: What each initializer's std is, shown beside its name (the "normal" level means std 0.01).
INIT_STD = {"normal": "0.01", "xavier": "√(2/(fan_in+fan_out))", "xavier_uniform": "√(2/(fan_in+fan_out))",
            "he": "√(2/fan_in)", "he_uniform": "√(2/fan_in)", "lecun": "√(1/fan_in)"}


def level_choices(factor: str) -> list[str]:
    """The levels a factor offers in its menu ([] for numeric factors: those are typed)."""
    f = experiments.factor(factor)
    if f.kind == "bool":
        return ["off", "on"]
    return list(f.choices) if f.kind == "choice" else []


def level_label(factor: str, level: str) -> str:
    """"꺼짐", "He (Kaiming) (std √(2/fan_in))", … — a level as the menu shows it (the registry's display name)."""
    registry = {"activation": activations.REGISTRY, "init": _init.REGISTRY, "optimizer": optimizers.REGISTRY}.get(factor)
    if registry is None:
        return tr(level)
    entry = registry.entry(level)
    text = tr(entry.display_name)
    if factor == "init":
        std = INIT_STD.get(level, "")  # the std each initializer draws with (engine.init)
        return tr("{name} (std {std})").format(name=text, std=std) if std else text
    return text


def ticked(factor: str, text: str) -> set:
    """The canonical levels the field's text names now (unreadable text: none)."""
    try:
        return {experiments.format_level(v) for v in experiments.parse_levels(factor, text)}
    except ValueError:
        return set()


class LevelButton(QObject):
    """A "▾" inside ``edit`` (a trailing action: no extra width) whose menu ticks ``factor``'s levels."""

    def __init__(self, factor: str, edit: QLineEdit, parent: QWidget | None = None):
        super().__init__(parent)
        self.factor, self.edit = factor, edit
        self.setObjectName(f"pick_{factor}")
        self._menu = QMenu(edit)
        self._menu.setObjectName(f"levels_menu_{factor}")
        self._menu.aboutToShow.connect(self._fill)
        self.action = QAction(edit.style().standardIcon(QStyle.StandardPixmap.SP_ArrowDown), "▾", edit)
        self.action.setToolTip(tr("Pick the levels from a list"))
        self.action.triggered.connect(lambda: self._menu.popup(edit.mapToGlobal(edit.rect().bottomRight())))
        edit.addAction(self.action, QLineEdit.ActionPosition.TrailingPosition)
        self._fill()

    def menu(self) -> QMenu:
        return self._menu

    def setEnabled(self, on: bool) -> None:  # noqa: N802 - as a widget's
        self.action.setEnabled(on)
        self.action.setVisible(on)

    def isEnabled(self) -> bool:  # noqa: N802
        return self.action.isEnabled()

    def _fill(self) -> None:
        """The menu from the field's current text (so typing and picking agree)."""
        menu = self.menu()
        menu.clear()
        now = ticked(self.factor, self.edit.text())
        for level in level_choices(self.factor):
            action = menu.addAction(level_label(self.factor, level))
            action.setCheckable(True)
            action.setChecked(any(t.split(":")[0] == level for t in now))
            action.setData(level)
            action.toggled.connect(lambda _on: self._write())

    def _write(self) -> None:
        """The ticked levels into the field (numbers typed for optimizers, "adam:0.01", are kept)."""
        kept = {t.split(":")[0]: t for t in ticked(self.factor, self.edit.text())}
        levels = [kept.get(a.data(), a.data()) for a in self.menu().actions() if a.isChecked()]
        self.edit.setText(", ".join(levels))
