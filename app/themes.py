"""Dark and light themes for Qt (Fusion + QPalette) and pyqtgraph, chosen in View ▸ Theme.

Qt widgets follow the application palette. pyqtgraph plots do not: their colours are set when
each item is built, often from constants imported from ``app.widgets.palette``. So a theme
switch (1) flips ``palette``'s neutral colours and pyqtgraph's global options, which new plots
read, and (2) walks every existing pyqtgraph view and recolours its *neutral* (grey) colours:
in the dark theme dark greys used for lines and text become light and light greys used for
fills become dark, and the reverse for the light theme. Hues (the Okabe–Ito series colours,
colour maps, images) are left alone. The walk is idempotent, so it is simply run again for
panels built later (``MainWindow`` builds panels lazily) and after a panel redraws.

Non-pyqtgraph canvases (the backprop graph) keep their own light drawing: a white card is
readable in a dark window, and their items are restyled on every redraw from light constants.
For the same reason a widget that hard-codes a light background in its style sheet, or a
table/list whose items hard-code dark text, becomes a "light island": it keeps the light
palette in the dark theme, so its default text stays dark on light.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction, QActionGroup, QColor, QPalette, QPen
import re

from PySide6.QtWidgets import QApplication, QListWidget, QMenu, QStyleFactory, QTableWidget, QWidget

from app.i18n import tr
from app.widgets import palette

SETTINGS_KEY = "ui/theme"
DEFAULT = "light"
SATURATION_MAX = 40  # of 255: below this a colour counts as a neutral grey


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


# ---- recolouring pyqtgraph items ---------------------------------------------------------------
def _neutral(c: QColor) -> bool:
    return c.hsvSaturation() <= SATURATION_MAX or c.hsvHue() < 0


def _to_dark(c: QColor, stroke: bool) -> QColor | None:
    """Dark theme: a dark neutral stroke or a light neutral fill, inverted; else None."""
    if not c.isValid() or not _neutral(c) or (c.lightness() < 128) != stroke:
        return None
    if stroke and c.rgb() & 0xFFFFFF == 0:  # Okabe–Ito's black series: the theme's stand-in
        out = QColor(palette.DARK["black"])
        out.setAlpha(c.alpha())
        return out
    return QColor(255 - c.red(), 255 - c.green(), 255 - c.blue(), c.alpha())


def _to_light(c: QColor) -> QColor | None:
    """Light theme: a dark-theme palette colour (made while dark) back to its light twin."""
    twins = {palette.DARK[k].lower(): palette.LIGHT[k] for k in ("BACKGROUND", "FOREGROUND", "MUTED", "black")}
    twin = twins.get(c.name().lower()) if c.isValid() else None
    if twin is None:
        return None
    out = QColor(twin)
    out.setAlpha(c.alpha())
    return out


def _pen_slot(get, set_):
    def setter(c):
        pen = QPen(pg.mkPen(get()))
        pen.setColor(c)
        set_(pen)
    return (lambda: pg.mkPen(get()).color() if get() is not None else None), setter


def _brush_slot(get, set_):
    def setter(c):
        brush = pg.mkBrush(get())
        brush.setColor(c)
        set_(brush)
    return (lambda: pg.mkBrush(get()).color() if get() is not None else None), setter


def _label_text(item, c):
    item.setText(item.text, color=QColor(c))


def _axis_label(item, c):
    item.labelStyle["color"] = c.name()
    item._updateLabel()


def _slots(item) -> list[tuple[str, object, object, bool]]:
    """``(key, get_colour, set_colour, is_stroke)`` for each themeable colour of ``item``."""
    out = []

    def pen(key, get, set_, stroke=True):
        out.append((key, *_pen_slot(get, set_), stroke))

    def brush(key, get, set_, stroke=False):
        out.append((key, *_brush_slot(get, set_), stroke))

    owned = isinstance(item.parentItem(), pg.PlotDataItem)
    if isinstance(item, pg.AxisItem):
        pen("pen", item.pen, item.setPen)
        pen("text", item.textPen, item.setTextPen)
        if item.labelStyle.get("color") is not None:
            out.append(("label", lambda: pg.mkColor(item.labelStyle["color"]), lambda c: _axis_label(item, c), True))
    elif isinstance(item, pg.LabelItem) and item.opts.get("color") is not None:
        out.append(("color", lambda: pg.mkColor(item.opts["color"]), lambda c: _label_text(item, c), True))
    elif isinstance(item, pg.TextItem):
        out.append(("color", lambda: QColor(item.color), item.setColor, True))
    elif isinstance(item, pg.PlotDataItem):
        if item.opts.get("pen") is not None:
            pen("pen", lambda: item.opts["pen"], item.setPen)
        if item.opts.get("symbol") is not None:
            pen("symbolPen", lambda: item.opts["symbolPen"], item.setSymbolPen)
            brush("symbolBrush", lambda: item.opts["symbolBrush"], item.setSymbolBrush, stroke=True)
    elif isinstance(item, pg.PlotCurveItem) and not owned:
        pen("pen", lambda: item.opts["pen"], item.setPen)
    elif isinstance(item, pg.ScatterPlotItem) and not owned:
        pen("pen", lambda: item.opts["pen"], item.setPen)
        brush("brush", lambda: item.opts["brush"], item.setBrush, stroke=True)
    elif isinstance(item, pg.InfiniteLine):
        pen("pen", lambda: item.pen, item.setPen)
    elif isinstance(item, pg.LegendItem):
        brush("brush", lambda: item.opts["brush"], item.setBrush)
        pen("pen", lambda: item.opts["pen"], item.setPen)
    elif isinstance(item, pg.BarGraphItem):
        if item.opts.get("pen") is not None:
            pen("pen", lambda: item.opts["pen"], lambda p: item.setOpts(pen=p))
        if item.opts.get("brush") is not None:
            brush("brush", lambda: item.opts["brush"], lambda b: item.setOpts(brush=b), stroke=True)
    return out


def _recolour_item(item, dark: bool) -> None:
    if isinstance(item, pg.LabelItem) and item.opts.get("color") is None:
        # drawn with pyqtgraph's foreground of the moment: redraw if that changed
        fg = pg.getConfigOption("foreground")
        if getattr(item, "_gradlab_fg", None) != fg and item.text:
            item._gradlab_fg = fg
            item.setText(item.text)
        return
    undo = item.__dict__.setdefault("_gradlab_undo", {}) if dark else item.__dict__.get("_gradlab_undo", {})
    for key, get, set_, stroke in _slots(item):
        colour = get()
        if colour is None:
            continue
        if dark:
            new = _to_dark(colour, stroke)
            if new is not None:
                undo[key] = (colour.rgba(), new.rgba())
        else:
            original = undo.pop(key, None)
            if original is not None and colour.rgba() == original[1]:
                new = QColor.fromRgba(original[0])
            else:
                new = _to_light(colour)
        if new is not None:
            set_(new)


def recolour_view(view: pg.GraphicsView, dark: bool | None = None) -> None:
    """Theme one pyqtgraph view: its background and the neutral colours of all its items."""
    dark = palette.is_dark() if dark is None else dark
    if view.backgroundBrush().color().name().lower() != palette.BACKGROUND.lower():
        view.setBackground(palette.BACKGROUND)
    scene = view.scene()
    if scene is None:
        return
    for item in scene.items():
        _recolour_item(item, dark)


_SHEET_BACKGROUND = re.compile(r"background(?:-color)?\s*:\s*(#[0-9a-fA-F]{3,8}|white)")
ISLAND = "gradlabLightIsland"


def _hard_codes_light(widget: QWidget) -> bool:
    """True if ``widget`` assumes a light look: a light style-sheet background or dark item text."""
    sheet = widget.styleSheet()
    if sheet:
        for colour in _SHEET_BACKGROUND.findall(sheet):
            if QColor(colour).lightness() > 200:
                return True
    items = ()
    if isinstance(widget, QTableWidget):
        items = (widget.item(r, c) for r in range(widget.rowCount()) for c in range(widget.columnCount()))
    elif isinstance(widget, QListWidget):
        items = (widget.item(r) for r in range(widget.count()))
    for item in items:
        if item is not None:
            brush = item.foreground()
            if brush.style() != brush.style().NoBrush and brush.color().lightness() < 90:
                return True
    return False


def light_islands(root, dark: bool) -> int:
    """Give widgets under ``root`` that hard-code a light look the light palette (dark theme only)."""
    light = qt_palette(THEMES["light"])
    count = 0
    for widget in [root, *root.findChildren(QWidget)]:
        island = bool(widget.property(ISLAND))
        if dark and not island and _hard_codes_light(widget):
            widget.setPalette(light)
            widget.setProperty(ISLAND, True)
            island = True
        elif not dark and island:
            widget.setPalette(QPalette())
            widget.setProperty(ISLAND, False)
            island = False
        count += island
    return count


def recolour(root) -> int:
    """Theme every pyqtgraph view under ``root`` (a widget) and its light islands; returns the views."""
    views = root.findChildren(pg.GraphicsView)
    for view in views:
        recolour_view(view)
    light_islands(root, palette.is_dark())
    return len(views)


# ---- applying ----------------------------------------------------------------------------------
def apply(name: str, app: QApplication | None = None) -> Theme:
    """Make ``name`` the theme of the application and of every existing and future plot."""
    global _current
    theme = THEMES[check(name)]
    app = app or QApplication.instance()
    palette.set_dark(theme.dark)
    pg.setConfigOptions(background=palette.BACKGROUND, foreground=palette.FOREGROUND)
    _current = theme.name
    if app is not None:
        if app.style().name().lower() != "fusion":
            app.setStyle(QStyleFactory.create("Fusion"))
        app.setPalette(qt_palette(theme))
        for top in app.topLevelWidgets():
            recolour(top)
    return theme


def saved_theme() -> str:
    from app.main_window import settings

    value = settings().value(SETTINGS_KEY, DEFAULT)
    try:
        return check(value)
    except ValueError:
        return DEFAULT


def set_theme(window, name: str) -> None:
    """View ▸ Theme: apply ``name`` and remember it."""
    apply(name)
    if getattr(window, "persist", True):
        from app.main_window import settings

        settings().setValue(SETTINGS_KEY, current())
    for action in window.theme_actions.actions():
        action.setChecked(action.data() == current())


class _Follower(QObject):
    """Re-themes the visible panel when it is built or shown, and every ``INTERVAL_MS`` while dark.

    Panels create plot items as they redraw, often from the light constants; the walk is
    idempotent and cheap (1–4 ms for the busiest panel, measured), so it simply runs again.
    """

    INTERVAL_MS = 400

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.timer = QTimer(self)
        self.timer.setInterval(self.INTERVAL_MS)
        self.timer.timeout.connect(self.tick)
        window.tabs.currentChanged.connect(lambda _index: self.tick())
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt naming
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.timer.stop()
        return False

    def tick(self) -> None:
        if not palette.is_dark() or self.window.tabs.count() == 0:
            return
        panel = self.window.current_panel()
        if panel is not None:
            recolour(panel)

    def follow(self, on: bool) -> None:
        if on:
            self.timer.start()
        else:
            self.timer.stop()
        self.tick()


def _choose(window, name: str) -> None:
    set_theme(window, name)
    window.theme_follower.follow(THEMES[name].dark)


def install(window) -> None:
    """View ▸ Theme (Light / Dark), and the saved theme applied to this window."""
    from app.session import find_menu

    view_menu = find_menu(window, window.panel_actions.actions()[0]) if window.panel_actions.actions() else None
    menu = QMenu(tr("&Theme"), window)
    menu.setObjectName("themeMenu")
    window.theme_actions = QActionGroup(window)
    window.theme_actions.setExclusive(True)
    for name, theme in THEMES.items():
        action = QAction(tr(theme.label), window)
        action.setObjectName(f"actionTheme_{name}")
        action.setCheckable(True)
        action.setData(name)
        action.triggered.connect(lambda _=False, n=name: _choose(window, n))
        window.theme_actions.addAction(action)
        menu.addAction(action)
    if view_menu is not None:
        view_menu.addSeparator()
        view_menu.addMenu(menu)
    window.theme_menu = menu
    window.theme_follower = _Follower(window)
    name = saved_theme() if window.persist else current()
    if not name == current() == DEFAULT:  # the default look needs no work (and keeps Qt's style)
        apply(name)
    for action in window.theme_actions.actions():
        action.setChecked(action.data() == current())
    window.theme_follower.follow(THEMES[current()].dark)
