"""Help ▸ Formulas (F1), Help ▸ Glossary and Help ▸ About: the window's ``HelpMenu``.

Only the actions exist at start-up; ``app.help`` (and the engine registries it reads) and
``app.help_glossary`` load when the user asks for help.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QKeySequence

from app.i18n import tr


class HelpMenu(QObject):
    """``formulas_action``, ``glossary_action``, ``about_action``; ``formulas_dialog`` and
    ``glossary_dialog`` are the last such dialogs shown."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.formulas_dialog = None
        self.glossary_dialog = None
        self.formulas_action = window.make_action(
            "actionFormulas", tr("&Formulas of this panel…"), self.show_formulas,
            [QKeySequence.StandardKey.HelpContents], tr("The formulas the visible panel computes"))
        self.glossary_action = window.make_action(
            "actionGlossary", tr("&Glossary…"), self.show_glossary, [],
            tr("The lecture's terms in Korean and English, with definitions"))
        self.about_action = window.make_action(
            "actionAbout", tr("&About GradLab"), self.show_about, [], tr("About GradLab"))

    def show_formulas(self):
        from app import help as app_help

        self.formulas_dialog = app_help.show_formulas(self.window)
        return self.formulas_dialog

    def show_glossary(self):
        from app import help_glossary

        self.glossary_dialog = help_glossary.show_glossary(self.window)
        return self.glossary_dialog

    def show_about(self) -> None:
        from app import help as app_help

        app_help.show_about(self.window)
