"""Fonts that render Hangul everywhere, and Qt's and pyqtgraph's own strings in Korean.

``resources/fonts/NanumGothic.ttf`` (SIL OFL, licence beside it) is registered with Qt at
start-up, so Korean never shows as boxes on a machine without a Korean font: it follows the
system UI font in the application font's family list, so every Hangul glyph comes from it
while Latin letters and numbers keep the system font. pyqtgraph's titles, axis labels and legends use the application font, so
setting it before the widgets are built covers the plots too.
"""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QFontInfo
from PySide6.QtWidgets import QApplication

from app import i18n

HANGUL_FAMILY = "NanumGothic"

_registered: list[str] | None = None
_base_family: str | None = None
_qt_translators: list[QTranslator] = []


def register_fonts() -> list[str]:
    """Register every bundled font once; returns the font families they provide.

    The fonts are read as bytes (``importlib.resources``), so they load from a wheel or a zip
    as well; a missing or unreadable font raises ``i18n.ResourceError``.
    """
    global _registered
    if _registered is None:
        families: list[str] = []
        folder = i18n.resource_dir("fonts")
        paths = sorted((f for f in folder.iterdir() if f.name.endswith((".ttf", ".otf"))), key=lambda f: f.name)
        for path in paths:
            font_id = QFontDatabase.addApplicationFontFromData(path.read_bytes())
            if font_id < 0:
                raise i18n.ResourceError(f"the bundled font resources/fonts/{path.name} cannot be loaded")
            families += QFontDatabase.applicationFontFamilies(font_id)
        if HANGUL_FAMILY not in families:
            raise i18n.ResourceError(f"the bundled Korean font {HANGUL_FAMILY} (resources/fonts) is missing; "
                                     "reinstall GradLab with pip install .")
        _registered = families
    return list(_registered)


def hangul_family() -> str:
    """The family used for Korean: the bundled NanumGothic (or any installed one)."""
    register_fonts()
    return HANGUL_FAMILY


def apply_language_font(app: QApplication | None, lang: str) -> QFont | None:
    """Make ``app``'s font render ``lang`` (call before building widgets); returns the font."""
    global _base_family
    if app is None:
        return None
    register_fonts()
    font = QFont(app.font())
    if _base_family is None:
        # the family actually used ("DejaVu Sans"), not an alias such as "Sans Serif": Qt skips
        # a family list's aliases and would give every glyph to NanumGothic
        _base_family = QFontInfo(font).family()
    # Latin text and digits stay in the system's UI font in both languages: NanumGothic's small
    # full stop reads like a comma ("0,3") at UI sizes. Hangul, which that font lacks, falls
    # through to NanumGothic before any system fallback.
    font.setFamilies([_base_family, HANGUL_FAMILY])
    app.setFont(font)
    install_qt_translator(app, lang)
    return font


class CatalogueTranslator(QTranslator):
    """Answers Qt-side lookups from GradLab's catalogue.

    pyqtgraph builds its right-click menus and export dialog with
    ``QCoreApplication.translate("ViewBox", "View All")``; their Korean lives in
    ``resources/i18n/ko/pyqtgraph.json`` like every other string. Other contexts are left to
    Qt's own catalogue (an empty answer means "not mine").
    """

    CONTEXTS = frozenset({"ViewBox", "PlotItem", "GraphicsScene", "Exporter", "Form", "GradientEditorItem"})

    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: D102 - Qt override
        if context in self.CONTEXTS and source_text:
            return i18n.catalogue().get(source_text, "")
        return ""

    def isEmpty(self) -> bool:  # noqa: N802 - Qt naming
        return False


def install_qt_translator(app: QApplication, lang: str) -> bool:
    """Load Qt's own catalogue (Yes/No/Cancel, file dialogs, key names) and pyqtgraph's strings."""
    global _qt_translators
    for translator in _qt_translators:
        app.removeTranslator(translator)
    _qt_translators = []
    if lang == "en":
        return True
    catalogue = CatalogueTranslator(app)
    app.installTranslator(catalogue)
    _qt_translators.append(catalogue)
    qt = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not qt.load(QLocale(lang), "qtbase", "_", folder):
        return False
    app.installTranslator(qt)
    _qt_translators.append(qt)
    return True
