"""The Compare panel's run controls: Run/Cancel, Re-run selected, Reset and the progress bar.

They sit on top of the form column (under the mode), so they stay visible at 1280×720 without
scrolling; the panel connects them (``ComparePanel._build_ui``).
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app.i18n import tr


class RunControls(QWidget):
    """``run_button``, ``subset_button``, ``reset_button`` in a row, ``progress_bar`` below."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        self.run_button = QPushButton(tr("▶ &Run grid"), self)
        self.run_button.setObjectName("runButton")
        self.run_button.setToolTip(tr("Train every configuration × seed in worker processes (Space); "
                                      "while it runs: cancel everything at once"))
        self.reset_button = QPushButton(tr("R&eset"), self)
        self.reset_button.setObjectName("resetButton")
        self.reset_button.setToolTip(tr("Cancel a running grid and clear the results (R)"))
        self.subset_button = QPushButton(tr("Re-run se&lected"), self)
        self.subset_button.setObjectName("runSelectedButton")
        self.subset_button.setToolTip(tr("Run only the configurations selected in the table (a subset of the "
                                         "grid), e.g. again with more seeds"))
        self.subset_button.setEnabled(False)
        buttons.addWidget(self.run_button, 1)
        buttons.addWidget(self.subset_button)
        buttons.addWidget(self.reset_button)
        layout.addLayout(buttons)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setObjectName("compareProgress")
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat(tr("idle"))
        self.progress_bar.setToolTip(tr("Share of all epochs trained; runs finished; time left (estimated)"))
        layout.addWidget(self.progress_bar)
