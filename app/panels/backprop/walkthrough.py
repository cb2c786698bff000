"""Assignment 2's worked answer: one update of the Backprop panel's network, every number printed.

``walkthrough_html(model)`` writes the set-up, then every step of the trace — forward, loss,
backward, update — with its one-line explanation and its formula with the numbers (the same
``TraceStep`` texts the panel shows), the table of parameters with backprop's and the numerical
gradient and the updated values, and the loss before and after the update. ``write_walkthrough``
saves it as HTML, or as a PDF through QTextDocument and QPdfWriter (Hangul embedded: the
document's font lists the bundled NanumGothic after the UI family).

Everything is read from the model's current trace: nothing here computes a number itself.
"""

from __future__ import annotations

import html

from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtCore import QMarginsF

from app import fonts
from app.i18n import tr
from app.panels.backprop.steps import PHASE_TITLES, step_text
from app.panels.backprop.table import COLUMNS
from engine import activations
from engine import backprop_trace as bt

PDF_DPI = 300


def _e(text: str) -> str:
    return html.escape(str(text))


def _setup_rows(setup: bt.BackpropSetup) -> list[tuple[str, str]]:
    return [
        (tr("Layers"), "-".join(map(str, setup.sizes))),
        (tr("Hidden f"), activations.get(setup.activation).display_name),
        (tr("Loss"), tr(bt.LOSSES[setup.loss][0])),
        (tr("Input x"), ", ".join(bt.fmt(v) for v in setup.x)),
        (tr("Target t"), ", ".join(bt.fmt(v) for v in setup.target)),
        (tr("η (lr)"), bt.fmt(setup.lr)),
    ]


def walkthrough_html(model) -> str:
    """The worked answer of ``model``'s current trace as an HTML document (translated texts)."""
    trace = model.trace
    if trace is None:
        raise ValueError("the trace is not computed yet")
    out = ["<html><head><meta charset='utf-8'><title>", _e(tr("Assignment 2: one update, worked out")),
           "</title></head><body>", f"<h1>{_e(tr('Assignment 2: one update, worked out'))}</h1>",
           "<table border='1' cellspacing='0' cellpadding='3'>"]
    out += [f"<tr><th align='left'>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in _setup_rows(trace.setup)]
    out.append("</table>")
    phase = None
    for n, step in enumerate(trace.steps, 1):
        if step.phase != phase:
            if phase is not None:
                out.append("</ol>")
            phase = step.phase
            out.append(f"<h2>{_e(tr(PHASE_TITLES[phase]))}</h2><ol start='{n}'>")
        formula = "<br>".join(_e(part) for part in step.formula.split(";  "))  # an update: one line per parameter
        out.append(f"<li><p>{_e(step_text(step))}<br><code>{formula}</code></p></li>")
    out.append("</ol>")
    out.append(f"<h2>{_e(tr('Every parameter'))}</h2><table border='1' cellspacing='0' cellpadding='3'><tr>")
    out += [f"<th>{_e(tr(h))}</th>" for h in COLUMNS]
    out.append("</tr>")
    for row in trace.rows:
        cells = (row.name, bt.fmt(row.value), bt.fmt(row.grad), bt.fmt(row.numerical), f"{row.rel_error:.1e}",
                 bt.fmt(row.updated))
        out.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>")
    out.append("</table>")
    out.append(f"<p><b>{_e(tr('Loss before the update: {before}, after it: {after}').format(before=bt.fmt(trace.loss), after=bt.fmt(model.loss_after())))}</b></p>")
    out.append("</body></html>")
    return "".join(out)


def document_font() -> QFont:
    font = QFont()
    font.setFamilies([QFont().family(), fonts.hangul_family()])
    font.setPointSizeF(10)
    return font


def write_walkthrough(model, path: str) -> None:
    """Save the worked answer to ``path``: ``.html`` as HTML, anything else as a PDF (A4)."""
    text = walkthrough_html(model)
    if path.lower().endswith((".html", ".htm")):
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return
    writer = QPdfWriter(path)
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    writer.setTitle(tr("Assignment 2: one update, worked out"))
    writer.setCreator("GradLab")
    document = QTextDocument()
    document.setDefaultFont(document_font())
    document.setHtml(text)
    document.print_(writer)
