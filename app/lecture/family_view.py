"""The optimizers' family tree, drawn and clickable (Lecture ▸ Optimizer family tree).

Why: the lecture's optimizers are easier to remember as one tree than as six formulas. The
data (nodes, edges, what each edge adds, which scene each node opens) is ``app.lecture.family``;
this module only draws it on a ``QGraphicsView``. Clicking a node emits ``sceneRequested`` with
that optimizer's scene name; the ``Lecture`` that owns the dialog opens it through its runner
(``Lecture.open``), the same way the scene dock does.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QDialog,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from app.i18n import tr
from app.lecture import family
from app.widgets import palette

NODE_W, NODE_H = 210.0, 68.0
COLUMN_DX, ROW_DY = 250.0, 120.0
#: The scene that checks every edge on computed numbers.
FAMILY_SCENE = "optimizer-family"


def _node_colour(key: str) -> QColor:
    """Momentum's line blue, the adaptive line vermillion, Adam both (green), the root neutral."""
    index = {"sgd": None, "momentum": 1, "nag": 1, "adagrad": 5, "rmsprop": 5, "adam": 3}[key]
    return QColor(palette.MUTED) if index is None else palette.qcolor(index)


class FamilyTreeView(QGraphicsView):
    """The tree; ``sceneRequested(name)`` when a node is clicked; ``node_rect(key)`` for tests."""

    sceneRequested = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("familyTree")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setScene(QGraphicsScene(self))
        self._rects: dict[str, QRectF] = {}
        self.redraw()
        palette.signals.changed.connect(self.redraw)

    def _centre(self, node: family.Node) -> QPointF:
        return QPointF(node.column * COLUMN_DX, node.row * ROW_DY)

    def redraw(self, *_dark) -> None:
        """Edges with their labels, then the nodes on top (in the theme's colours)."""
        scene = self.scene()
        scene.clear()
        self._rects.clear()
        self.setBackgroundBrush(QBrush(QColor(palette.BACKGROUND)))
        fg, muted = QColor(palette.FOREGROUND), QColor(palette.MUTED)
        small = QFont()
        small.setPointSize(9)
        for edge in family.EDGES:
            a, b = self._centre(family.node(edge.parent)), self._centre(family.node(edge.child))
            start, end = QPointF(a.x(), a.y() + NODE_H / 2), QPointF(b.x(), b.y() - NODE_H / 2)
            scene.addLine(start.x(), start.y(), end.x(), end.y(), QPen(_node_colour(edge.child), 2))
            label = scene.addText(tr(edge.adds), small)
            label.setDefaultTextColor(muted)
            label.setTextWidth(150)
            mid = (start + end) / 2
            # each label sits on the side its line runs to, above the line's middle: clear of the line
            label.setPos(mid.x() + (4 if edge.side > 0 else -154), mid.y() - label.boundingRect().height())
        bold = QFont()
        bold.setBold(True)
        for node in family.NODES:
            c = self._centre(node)
            rect = QRectF(c.x() - NODE_W / 2, c.y() - NODE_H / 2, NODE_W, NODE_H)
            colour = _node_colour(node.key)
            fill = QColor(colour)
            fill.setAlpha(40)
            box = scene.addRect(rect, QPen(colour, 2), QBrush(QColor(palette.BACKGROUND)))
            scene.addRect(rect, QPen(Qt.PenStyle.NoPen), QBrush(fill))
            box.setToolTip(tr("Open the scene: {title}").format(title=node.label))
            box.setCursor(Qt.CursorShape.PointingHandCursor)
            title = scene.addText(node.label, bold)
            title.setDefaultTextColor(fg)
            title.setPos(rect.left() + 6, rect.top() + 2)
            rule = scene.addText(tr(node.rule), small)
            rule.setDefaultTextColor(muted)
            rule.setTextWidth(NODE_W - 10)
            rule.setPos(rect.left() + 6, rect.top() + 24)
            self._rects[node.key] = rect
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-10, -10, 10, 10))

    def node_rect(self, key: str) -> QRectF:
        """Where node ``key`` is, in scene coordinates."""
        return self._rects[key]

    def node_at(self, view_pos) -> str | None:
        """The key of the node under a viewport position, or None."""
        point = self.mapToScene(view_pos)
        return next((key for key, rect in self._rects.items() if rect.contains(point)), None)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt naming
        key = self.node_at(event.position().toPoint())
        if key is not None and event.button() == Qt.MouseButton.LeftButton:
            self.sceneRequested.emit(family.node(key).scene)
            event.accept()
            return
        super().mousePressEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        super().resizeEvent(event)
        self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)


class FamilyTreeDialog(QDialog):
    """A non-modal window with the tree and a button for the scene that checks its edges."""

    sceneRequested = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("familyTreeDialog")
        self.setWindowTitle(tr("Optimizer family tree"))
        self.view = FamilyTreeView(self)
        self.view.sceneRequested.connect(self.sceneRequested)
        note = QLabel(tr("Click an optimizer to open its lecture scene."), self)
        note.setWordWrap(True)
        self.check_button = QPushButton(tr("Check every edge on computed numbers"), self)
        self.check_button.setObjectName("familyCheckButton")
        self.check_button.clicked.connect(lambda: self.sceneRequested.emit(FAMILY_SCENE))
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.check_button)
        self.resize(900, 640)
