"""Dark and light themes for Qt (Fusion + QPalette) and pyqtgraph, chosen in View ▸ Theme.

A switch sets the application's QPalette (Qt widgets follow it), pyqtgraph's global
background/foreground (new plots read them) and ``palette.set_dark`` — which emits
``palette.signals.changed(dark)``: every view that draws with the palette's colours reads them
when drawing and connects its recolouring to that signal. Nothing polls or walks the widgets.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QColor, QPalette
from PySide6.QtWidgets import QApplication, QMenu, QStyleFactory

from app.i18n import tr
from app.settings_store import settings
from app.widgets import palette

SETTINGS_KEY = "ui/theme"
DEFAULT = "light"


@dataclass(frozen=True)
class Theme:
    name: str
    label: str
    dark: bool
    window: str
    base: str
    alternate: str
    text: str
    disabled: str
    button: str
    highlight: str
    link: str


THEMES = {
    "light": Theme("light", "Light", False, "#EFEFEF", "#FFFFFF", "#F5F5F5", "#1A1A1A", "#8A8A8A",
                   "#E8E8E8", "#0072B2", "#0060A0"),
    "dark": Theme("dark", "Dark", True, "#2B2D30", "#1E1F22", "#26282B", "#E4E4E4", "#7E7E7E",
                  "#3A3C40", "#3D8FD1", "#56B4E9"),
}

_current = DEFAULT


def names() -> list[str]:
    return list(THEMES)


def check(name: str) -> str:
    key = str(name).strip().lower()
    if key not in THEMES:
        raise ValueError(f"unknown theme {name!r}; choose one of: {', '.join(THEMES)}")
    return key


def current() -> str:
    return _current


def qt_palette(theme: Theme) -> QPalette:
    """The QPalette of ``theme`` (Fusion draws every widget from it)."""
    pal = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    colours = {
        role.Window: theme.window, role.WindowText: theme.text, role.Base: theme.base,
        role.AlternateBase: theme.alternate, role.ToolTipBase: theme.base, role.ToolTipText: theme.text,
        role.PlaceholderText: theme.disabled, role.Text: theme.text, role.Button: theme.button,
        role.ButtonText: theme.text, role.BrightText: "#FF5A36", role.Link: theme.link,
        role.Highlight: theme.highlight, role.HighlightedText: "#FFFFFF",
        role.Light: "#FFFFFF" if not theme.dark else "#4A4C50", role.Midlight: theme.button,
        role.Mid: "#A0A0A0" if not theme.dark else "#45474B", role.Dark: "#7A7A7A" if not theme.dark else "#151618",
        role.Shadow: "#404040" if not theme.dark else "#000000",
    }
    for r, c in colours.items():
        pal.setColor(r, QColor(c))
    for r in (role.WindowText, role.Text, role.ButtonText):
        pal.setColor(group.Disabled, r, QColor(theme.disabled))
    return pal


# ---- applying ----------------------------------------------------------------------------------
def apply(name: str, app: QApplication | None = None) -> Theme:
    """Make ``name`` the theme of the application, of pyqtgraph and of every palette-drawn view."""
    global _current
    theme = THEMES[check(name)]
    app = app or QApplication.instance()
    pg.setConfigOptions(background=palette.DARK["BACKGROUND"] if theme.dark else palette.LIGHT["BACKGROUND"],
                        foreground=palette.DARK["FOREGROUND"] if theme.dark else palette.LIGHT["FOREGROUND"])
    _current = theme.name
    if app is not None:
        if app.style().name().lower() != "fusion":
            app.setStyle(QStyleFactory.create("Fusion"))
        app.setPalette(qt_palette(theme))
    palette.set_dark(theme.dark)  # last: views that recolour on the signal see the new Qt palette
    return theme


def saved_theme() -> str:
    try:
        return check(settings().value(SETTINGS_KEY, DEFAULT))
    except ValueError:
        return DEFAULT


class ThemeMenu(QObject):
    """View ▸ Theme (Light / Dark): ``menu`` and ``actions``; applies the saved theme at start."""

    def __init__(self, window, persist: bool = True):
        super().__init__(window)
        self.persist = persist
        self.menu = QMenu(tr("&Theme"), window)
        self.menu.setObjectName("themeMenu")
        self.actions = QActionGroup(self)
        self.actions.setExclusive(True)
        for name, theme in THEMES.items():
            action = QAction(tr(theme.label), self)
            action.setObjectName(f"actionTheme_{name}")
            action.setCheckable(True)
            action.setData(name)
            action.triggered.connect(lambda _=False, n=name: self.choose(n))
            self.actions.addAction(action)
            self.menu.addAction(action)
        name = saved_theme() if persist else current()
        if not name == current() == DEFAULT:  # the default look needs no work (and keeps Qt's style)
            apply(name)
        self._check()

    def choose(self, name: str) -> None:
        """Apply ``name`` and remember it."""
        apply(name)
        if self.persist:
            settings().setValue(SETTINGS_KEY, current())
        self._check()

    def _check(self) -> None:
        for action in self.actions.actions():
            action.setChecked(action.data() == current())
