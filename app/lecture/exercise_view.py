"""Lecture ▸ Exercises: predict, run the scene, see the answer computed from the panel's model.

Why: students learn most when they commit to a prediction before they see the result. The
dialog lists the exercises by lecture part with each one's state (not done / right / wrong,
kept in the settings store), shows the question and its choices (or a number field), and
only once an answer is picked lets the user run the scene. The scene runs through the
``Lecture`` (``Lecture.open``: the panel is shown and set up by the lecture runner); when the
run is done the answer is computed from the panel's model (``Exercise.answer``) and revealed
with the explanation filled with the measured numbers.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import settings_store
from app.i18n import tr
from app.lecture import exercise_catalogue
from app.lecture.scene import PARTS
from app.widgets import palette

_ID_ROLE = Qt.ItemDataRole.UserRole
STATES = {"right": "right", "wrong": "wrong", None: "not done"}  # English source of the state column


def status_text(state: str | None) -> str:
    mark = {"right": "✓ ", "wrong": "✗ "}.get(state, "")
    return mark + tr(STATES[state])


class ExercisesDialog(QDialog):
    """``ExercisesDialog(lecture)``: list, question, answer, run, reveal (see the module docstring).

    ``select(id)``, ``choose(n)`` / ``set_number(x)`` and ``run_button`` drive it like a user;
    ``run`` is the last ``SceneRun``; ``result`` is True/False once revealed (None before).
    """

    def __init__(self, lecture, parent=None):
        super().__init__(parent)
        self.setObjectName("exercisesDialog")
        self.setWindowTitle(tr("Exercises"))
        self.lecture = lecture
        self.exercise = None
        self.run = None
        self.result: bool | None = None
        self._given: float | None = None

        self.tree = QTreeWidget(self)
        self.tree.setObjectName("exerciseTree")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([tr("State"), tr("Exercise")])
        self.tree.setWordWrap(True)
        self.tree.currentItemChanged.connect(self._on_current)
        self.progress = QLabel(self)
        self.progress.setObjectName("exerciseProgress")
        self.reset_button = QPushButton(tr("Reset progress"), self)
        self.reset_button.setObjectName("resetProgress")
        self.reset_button.clicked.connect(self.reset_progress)
        left = QWidget(self)
        left_col = QVBoxLayout(left)
        left_col.setContentsMargins(0, 0, 0, 0)
        left_col.addWidget(self.tree, 1)
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.reset_button)
        left_col.addLayout(row)

        right = QWidget(self)
        self.column = QVBoxLayout(right)
        self.scene_label = QLabel(right)
        self.scene_label.setObjectName("exerciseScene")
        self.question = QLabel(right)
        self.question.setObjectName("exerciseQuestion")
        self.question.setWordWrap(True)
        font = self.question.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.question.setFont(font)
        self.choices_box = QWidget(right)
        self.choices_col = QVBoxLayout(self.choices_box)
        self.choices_col.setContentsMargins(12, 0, 0, 0)
        self.group = QButtonGroup(self)
        self.group.idClicked.connect(lambda _n: self._answer_changed())
        self.number = QDoubleSpinBox(right)
        self.number.setObjectName("exerciseNumber")
        self.number.setRange(-1e6, 1e6)
        self.number.setDecimals(4)
        self.number.valueChanged.connect(lambda _v: self._answer_changed())
        self.run_button = QPushButton(tr("Run the scene and check my answer"), right)
        self.run_button.setObjectName("runExercise")
        self.run_button.clicked.connect(self.start)
        self.verdict = QLabel(right)
        self.verdict.setObjectName("exerciseVerdict")
        self.reveal = QLabel(right)
        self.reveal.setObjectName("exerciseReveal")
        self.reveal.setWordWrap(True)
        self.reveal.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for widget in (self.scene_label, self.question, self.choices_box, self.number, self.run_button,
                       self.verdict, self.reveal):
            self.column.addWidget(widget)
        self.column.addStretch(1)

        split = QSplitter(self)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        hint = QLabel(tr("Pick your answer first, then run the scene: the answer is computed from what "
                         "the panel shows."), self)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(split, 1)
        self.resize(900, 520)
        self.fill()

    # ---- the list --------------------------------------------------------------------------------
    def fill(self) -> None:
        """The exercises under their lecture parts, each with its stored state."""
        progress = settings_store.exercise_progress()
        current = self.exercise.id if self.exercise else None
        self.tree.blockSignals(True)
        self.tree.clear()
        for part, group in exercise_catalogue.by_part().items():
            top = QTreeWidgetItem(self.tree, [tr(PARTS[part]), ""])
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            top.setFirstColumnSpanned(True)
            for exercise in group:
                item = QTreeWidgetItem(top, [status_text(progress.get(exercise.id)), tr(exercise.question)])
                item.setData(0, _ID_ROLE, exercise.id)
                item.setToolTip(1, tr(exercise.question))
        self.tree.expandAll()
        widest = max(self.tree.fontMetrics().horizontalAdvance(status_text(s)) for s in STATES)
        self.tree.setColumnWidth(0, widest + 2 * self.tree.indentation() + 16)  # children are indented
        self.tree.blockSignals(False)
        total = len(exercise_catalogue.exercises())
        right = sum(1 for v in progress.values() if v == "right")
        self.progress.setText(tr("{done} of {total} done, {right} right").format(
            done=len(progress), total=total, right=right))
        if current:
            self._select_item(current)

    def items(self) -> dict[str, QTreeWidgetItem]:
        out = {}
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            for j in range(top.childCount()):
                out[top.child(j).data(0, _ID_ROLE)] = top.child(j)
        return out

    def status_of(self, exercise_id: str) -> str:
        return self.items()[exercise_id].text(0)

    def _select_item(self, exercise_id: str) -> None:
        item = self.items().get(exercise_id)
        if item is not None:
            self.tree.blockSignals(True)
            self.tree.setCurrentItem(item)
            self.tree.blockSignals(False)

    def reset_progress(self) -> None:
        settings_store.reset_exercise_progress()
        self.fill()

    # ---- one exercise ----------------------------------------------------------------------------
    def select(self, exercise_id: str) -> None:
        """Show exercise ``exercise_id``'s question (the answer hidden until it has run)."""
        self._select_item(exercise_id)
        self._show(exercise_catalogue.get(exercise_id))

    def _on_current(self, item, _previous) -> None:
        exercise_id = item.data(0, _ID_ROLE) if item is not None else None
        if exercise_id:
            self._show(exercise_catalogue.get(exercise_id))

    def _show(self, exercise) -> None:
        from app.lecture import catalogue

        if self.run is not None:
            self.run.done.disconnect(self._on_done)
            self.run = None
        self.exercise, self.result, self._given = exercise, None, None
        self.scene_label.setText(tr("Scene: {title}").format(title=tr(catalogue.get(exercise.scene).title)))
        self.scene_label.setStyleSheet(f"color: {palette.MUTED}")
        self.question.setText(tr(exercise.question))
        for button in self.group.buttons():
            self.group.removeButton(button)
            button.deleteLater()
        for n, choice in enumerate(exercise.choices, 1):
            button = QRadioButton(f"{n}) {tr(choice)}", self.choices_box)
            button.setObjectName(f"choice{n}")
            self.group.addButton(button, n)
            self.choices_col.addWidget(button)
        self.choices_box.setEnabled(True)  # a run of another exercise may have locked them
        self.number.setEnabled(True)
        self.choices_box.setVisible(not exercise.is_number)
        self.number.setVisible(exercise.is_number)
        self.number.blockSignals(True)
        self.number.setValue(0)
        self.number.blockSignals(False)
        self.number.setToolTip(tr("answer with a number (± {tolerance:g} counts as right)").format(
            tolerance=exercise.tolerance or 0))
        self._number_touched = False
        self.verdict.clear()
        self.reveal.clear()
        self._answer_changed(initial=True)

    def choose(self, n: int) -> None:
        self.group.button(n).click()

    def set_number(self, value: float) -> None:
        self.number.setValue(value)

    def _answer_changed(self, initial: bool = False) -> None:
        if self.exercise is None:
            return
        if self.exercise.is_number:
            self._number_touched = self._number_touched or not initial
            ready = self._number_touched
        else:
            ready = self.group.checkedId() > 0
        self.run_button.setEnabled(ready and self.run is None)

    def given(self) -> float:
        return float(self.number.value()) if self.exercise.is_number else float(self.group.checkedId())

    def start(self) -> None:
        """Lock the answer and run the exercise's scene on its panel (the reveal follows ``done``)."""
        if self.exercise is None:
            return
        self._given = self.given()
        self.choices_box.setEnabled(False)
        self.number.setEnabled(False)
        self.run_button.setEnabled(False)
        self.verdict.setText(tr("Running the scene…"))
        self.verdict.setStyleSheet("")
        self.reveal.clear()
        self.run = self.lecture.open(self.exercise.scene)
        self.run.done.connect(self._on_done)

    def _on_done(self, _ok: bool) -> None:
        run, exercise = self.run, self.exercise
        self.run = None
        self.choices_box.setEnabled(True)
        self.number.setEnabled(True)
        if run.message:  # the scene itself failed: nothing to compare with
            self.verdict.setText(tr("The scene did not finish: {reason}").format(reason=run.message))
            self._answer_changed()
            return
        model = run.panel.model
        self.result = exercise.is_right(self._given, model)
        settings_store.save_exercise_result(exercise.id, self.result)
        colour = palette.qcolor(2).name() if self.result else palette.ERROR_FG
        self.verdict.setText(tr("Right!") if self.result else tr("Wrong."))
        self.verdict.setStyleSheet(f"font-weight: bold; color: {colour}")
        self.reveal.setText(tr("Answer: {key}").format(key=exercise.key_text(model)) + "\n\n" + exercise.explain(model))
        self.fill()
        self._answer_changed()
