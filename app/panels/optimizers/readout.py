"""The read-out of one optimizer's latest update: its rule in readable math and every quantity.

Shows what ``Optimizer.state_snapshot`` reports (gradient, velocity / G / M, V, M̂, V̂, the
effective learning rate per coordinate, the step actually taken, the step count) as an x / y
table, under the rule the code runs (PyTorch's form) and the lecture's form, with a note where
the two differ (ε inside or outside the square root, NAG's look-ahead point).

Colours come from ``palette`` when rendering, and a theme switch (``palette.signals.changed``)
re-renders. A formula is never wrapped mid-expression: when the rule and the numbers do not fit
side by side, the numbers go below the rule.
"""

from __future__ import annotations

import html
import math

import numpy as np
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QSizePolicy, QTextBrowser

from app.i18n import tr
from app.widgets import palette

MATH_FONT = ("DejaVu Serif", 10.5)
MONO_FONT = ("DejaVu Sans Mono", 9.0)
#: The read-out's card (background, border) per theme: light = a pale grey card, dark = the window's.
CARD = {False: ("#FAFAFA", "#DDDDDD"), True: ("#26282B", "#3A3C40")}


def stopped_color() -> str:
    """Text colour of a stopped path's state: dark red on light, vermillion on dark (≥ 3:1)."""
    return palette.OKABE_ITO["vermillion"] if palette.is_dark() else palette.ERROR_FG

#: Row labels for the snapshot keys, in display order.
QUANTITIES = (
    ("grad", "g = ∇f", "the gradient used by this update"),
    ("velocity", "V (velocity)", "V = −lr·b, the lecture's sign"),
    ("G", "G", "AdaGrad: Σ g²;  RMSProp: moving average of g²"),
    ("M", "M", "first moment (moving average of g)"),
    ("V", "V", "second moment (moving average of g²)"),
    ("M_hat", "M̂ = M/(1−β₁ᵗ)", "bias-corrected first moment"),
    ("V_hat", "V̂ = V/(1−β₂ᵗ)", "bias-corrected second moment"),
    ("effective_lr", "α_eff", "per-coordinate learning rate actually applied"),
    ("step", "Δw (step taken)", "the change added to (x, y)"),
)

EPS_NOTE = (
    "The lecture writes ε inside the root, √(G + ε); the code, like PyTorch, adds it outside, "
    "√G + ε. They differ only while G is about as small as ε."
)
NOTES = {
    "sgd": "Whether this is GD or SGD depends only on the gradient: full batch or a mini-batch.",
    "momentum": "PyTorch stores b = −V/lr, so b ← m·b + g is the lecture's V ← m·V − α·g.",
    "nag": "PyTorch tracks the look-ahead point W + m·V, so it needs the gradient only where it "
           "stands; the path drawn is that look-ahead point.",
    "adagrad": EPS_NOTE,
    "rmsprop": "γ is the decay rate (PyTorch calls it alpha). " + EPS_NOTE,
    "adam": EPS_NOTE.replace("√(G + ε)", "√(V̂ + ε)").replace("√G + ε", "√V̂ + ε").replace(
        "while G", "while V̂"),
    "adam_raw": "No bias correction: M and V start at 0, so they are biased toward 0 early on, V far more "
                "than M (β₂ is closer to 1). The first step is (1−β₁)/√(1−β₂) ≈ 3.16 times Adam's, "
                "and V's bias lasts for hundreds of steps.",
}


def _same_statement(text: str) -> str:
    """A statement in a comparable form: lr is the lecture's α, g its ∂L/∂W, annotations dropped."""
    text = text.split("   (")[0].strip()
    return text.replace("lr", "α").replace("∂L/∂W", "g").replace(" ", "")


def rule_lines(formula: str, torch_formula: str) -> tuple[list[str], list[str]]:
    """The lecture's statements, and only those statements of the code's rule that say otherwise.

    ``formula`` separates statements with ';', ``torch_formula`` with newlines. A statement the
    two forms share (e.g. AdaGrad's G ← G + g²) is shown once, under the lecture's rule; so each
    optimizer's rule appears once and the read-out stays short enough for the numbers beside it.
    """
    lecture = [t.strip() for t in formula.split(";") if t.strip()]
    same = {_same_statement(t) for t in lecture}
    code = [t.strip() for t in torch_formula.split("\n") if t.strip() and _same_statement(t) not in same]
    return lecture, code


def fmt(value) -> str:
    """A compact number: 4 significant digits, real minus sign, 'inf'/'nan' spelled out."""
    v = float(value)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "−∞" if v < 0 else "∞"
    return f"{v:.4g}".replace("-", "−")


class OptimizerReadout(QTextBrowser):
    """``show_update(...)`` renders one snapshot; ``clear_update`` shows the rule only."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("optimizerReadout")
        self.setOpenLinks(False)
        self.setToolTip(tr(
            "The latest update of the selected optimizer: the rule the code runs, and every "
            "quantity of that update per coordinate (x, y)"
        ))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.last_html = ""
        self.last_update: dict | None = None  # the last show_update arguments, to re-render
        self._apply_theme()
        palette.signals.changed.connect(self._on_theme)

    def _apply_theme(self) -> None:
        bg, border = CARD[palette.is_dark()]
        self.setStyleSheet(
            f"QTextBrowser {{ background: {bg}; color: {palette.FOREGROUND}; border: 1px solid {border}; }}")

    def _on_theme(self, _dark: bool) -> None:
        self._apply_theme()
        if self.last_update is not None:
            self.show_update(**self.last_update)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        super().resizeEvent(event)
        if self.last_update is not None:
            self.show_update(**self.last_update)  # side by side or stacked, whichever now fits

    @staticmethod
    def numbers_width() -> int:
        """Pixels of the numbers table: the widest row label and two columns of 4-digit numbers."""
        mono = QFont(MONO_FONT[0])
        mono.setPointSizeF(MONO_FONT[1])
        widest = max(QFontMetrics(mono).horizontalAdvance(tr(title)) for _k, title, _t in QUANTITIES)
        return widest + 2 * (QFontMetrics(mono).horizontalAdvance("−0.0008888") + 14) + 4

    @classmethod
    def side_by_side_width(cls, formula: str, torch_formula: str) -> int:
        """Pixels the rule and the numbers need next to each other without wrapping a formula."""
        math_font = QFont(MATH_FONT[0])
        math_font.setPointSizeF(MATH_FONT[1])
        lecture, code = rule_lines(formula, tr(torch_formula))
        rule = max(QFontMetrics(math_font).horizontalAdvance(t) for t in lecture + code)
        text = QFontMetrics(QFont())
        heads = max(text.horizontalAdvance(t) for t in (tr("lecture"), "(PyTorch)")) + 12
        return heads + rule + 16 + cls.numbers_width() + 12  # + the gap and the document margins

    def show_update(self, *, name: str, label: str, color: str, formula: str, torch_formula: str,
                    snapshot: dict | None, status: str = "", context: str = "",
                    footnote: str = "") -> None:
        """Render the rule of optimizer ``name`` and, when given, its latest ``snapshot``.

        ``footnote`` (e.g. what the map's arrows show) goes under the numbers.
        """
        self.last_update = dict(name=name, label=label, color=color, formula=formula, torch_formula=torch_formula,
                          snapshot=snapshot, status=status, context=context, footnote=footnote)
        e = html.escape
        left = self._rule_html(name, label, color, formula, torch_formula, snapshot, status, context)
        right = self._numbers_html(snapshot)
        if footnote:
            right += f"<div style='color:{palette.MUTED}; font-size:9pt; margin-top:6px'>{e(footnote)}</div>"
        if self.viewport().width() >= self.side_by_side_width(formula, torch_formula):
            text = (
                "<table width='100%' cellspacing=0 cellpadding=0><tr>"
                f"<td valign=top style='padding-right:16px'>{left}</td>"
                f"<td valign=top width={self.numbers_width()}>{right}</td></tr></table>"
            )
        else:  # too narrow for both: the numbers go below the rule
            text = f"{left}<div style='margin-top:6px'>{right}</div>"
        if text != self.last_html:
            self.last_html = text
            bar = self.verticalScrollBar().value()
            self.setHtml(text)
            self.verticalScrollBar().setValue(bar)

    @staticmethod
    def _rule_html(name, label, color, formula, torch_formula, snapshot, status, context) -> str:
        e = html.escape
        parts = [
            f"<div style='color:{palette.FOREGROUND}'>"
            f"<span style='color:{color}; font-size:15pt'>■</span> <b style='font-size:12pt'>{e(label)}</b>"
        ]
        count = (snapshot or {}).get("step_count", 0) or 0
        parts.append(" &nbsp; " + tr("step t = {t}").format(t=f"<b>{count}</b>"))
        parts.append("</div>")
        if status:
            parts.append(f"<div style='color:{stopped_color()}'><b>{e(status)}</b></div>")
        if context:
            parts.append(f"<div style='color:{palette.MUTED}'>{e(context)}</div>")
        def lines(statements):  # one statement a line, never wrapped inside
            return "<br>".join(f"<nobr>{e(t)}</nobr>" for t in statements)

        math_style = f"font-family:{MATH_FONT[0]}, serif; font-size:{MATH_FONT[1]}pt; white-space:nowrap"
        muted = palette.MUTED
        lecture, code = rule_lines(formula, tr(torch_formula))
        rows = [(tr("lecture"), lecture)] + ([(tr("runs<br>(PyTorch)"), code)] if code else [])
        parts.append(
            "<table cellspacing=0 cellpadding=1 style='margin-top:3px'>"
            + "".join(f"<tr><td style='color:{muted}; padding-right:8px'>{head}</td>"
                      f"<td style='{math_style}'>{lines(body)}</td></tr>" for head, body in rows)
            + "</table>"
        )
        note = NOTES.get(name)
        if note:
            parts.append(f"<div style='color:{palette.MUTED}; font-size:9pt'>{e(tr(note))}</div>")
        return "".join(parts)

    @staticmethod
    def _numbers_html(snapshot) -> str:
        e = html.escape
        parts = []
        rows = []
        for key, title, tip in QUANTITIES:
            value = (snapshot or {}).get(key)
            if value is None:
                continue
            v = np.asarray(value, dtype=float).ravel()
            cells = "".join(f"<td align=right style='padding-left:14px'>{fmt(c)}</td>" for c in v[:2])
            rows.append(f"<tr><td title='{e(tr(tip))}'><nobr>{e(tr(title))}</nobr></td>{cells}</tr>")
        if rows:
            parts.append(
                f"<table cellspacing=0 cellpadding=1 style='font-family:{MONO_FONT[0]}, monospace'>"
                f"<tr style='color:{palette.MUTED}'><td></td><td align=right>x</td><td align=right>y</td></tr>"
                + "".join(rows) + "</table>"
            )
        else:
            parts.append(f"<div style='color:{palette.MUTED}; margin-top:6px'>{tr('No update yet: press Step or Play.')}</div>")
        return "".join(parts)
