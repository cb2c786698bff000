"""Help ▸ Glossary: the lecture's terms in English and Korean, with a one-line definition.

The table is ``app.glossary.TERMS`` as it is — the same list the catalogue test checks — so
the words a student looks up here are exactly the words every panel uses. The definition
follows the interface language; the filter box matches the English term, the Korean term and
the shown definition, so a student can type either "overfitting" or "오버피팅". The last
column lists the words other textbooks use for the same idea, so a student who meets them
elsewhere knows they mean the same thing.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app import glossary, i18n
from app.i18n import tr

COLUMNS = ("English", "Korean", "Definition", "Also called (not used here)")


class GlossaryDialog(QDialog):
    """A filterable table of ``glossary.terms()``; ``set_filter`` is what the filter box calls."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("glossaryDialog")
        self.setWindowTitle(tr("Glossary"))
        self.terms = glossary.terms()
        self.language = i18n.language()
        layout = QVBoxLayout(self)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("glossaryFilter")
        self.filter_edit.setPlaceholderText(tr("Filter: type a word in English or Korean"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.set_filter)
        layout.addWidget(self.filter_edit)
        self.table = self._build_table()
        layout.addWidget(self.table)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("glossaryCount")
        layout.addWidget(self.count_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(1000, 640)
        self.set_filter("")

    def _build_table(self) -> QTableWidget:
        table = QTableWidget(len(self.terms), len(COLUMNS), self)
        table.setObjectName("glossaryTable")
        table.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setWordWrap(True)
        for row, term in enumerate(self.terms):
            definition = term.definition_ko if self.language == "ko" else term.definition_en
            cells = (term.en, term.ko, definition, ", ".join(glossary.avoided_words(term)))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(row, column, item)
        header = table.horizontalHeader()
        for column, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.Stretch,
                                       QHeaderView.ResizeMode.Interactive)):
            header.setSectionResizeMode(column, mode)
        table.setColumnWidth(3, 240)
        # rows follow their wrapped text at whatever width the Definition column gets
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        return table

    def set_filter(self, text: str) -> None:
        """Show only the rows whose terms or definition contain ``text`` (case-insensitive)."""
        for row, term in enumerate(self.terms):
            self.table.setRowHidden(row, not glossary.matches(term, text, self.language))
        shown = len(self.visible_keys())
        self.count_label.setText(tr("{shown} of {total} terms").format(shown=shown, total=len(self.terms)))

    def visible_keys(self) -> list[str]:
        """The ``Term.key`` of every row the filter leaves visible, in table order."""
        return [term.key for row, term in enumerate(self.terms) if not self.table.isRowHidden(row)]


def show_glossary(parent) -> GlossaryDialog:
    """Open the glossary beside the window (not modal: students keep it open while working)."""
    dialog = GlossaryDialog(parent)
    dialog.setModal(False)
    dialog.show()
    return dialog
