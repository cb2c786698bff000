"""Help ▸ Formulas for the visible panel, and Help ▸ About with the versions that matter.

The formulas come from the engine's registries — each entry's ``formula`` (the lecture's
form) and, for optimizers, ``torch_formula`` (the rule the code actually runs) — so the help
can never disagree with the code. The few layers that have no registry (batch norm, dropout,
weight decay, the losses) are described in ``LAYER_FORMULAS`` with the engine's conventions.
"""

from __future__ import annotations

import html
import platform
import sys

from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QTextBrowser, QVBoxLayout

from app.i18n import tr
from engine import activations, datasets, init, optimizers, surfaces

REGISTRIES = {
    "activations": activations.REGISTRY, "optimizers": optimizers.REGISTRY, "init": init.REGISTRY,
    "surfaces": surfaces.REGISTRY, "datasets": datasets.REGISTRY,
}
SECTION_TITLES = {
    "activations": "Activation functions", "optimizers": "Optimizers", "init": "Weight initialization",
    "surfaces": "Loss surfaces", "datasets": "Datasets", "layers": "Layers and losses",
}
# The second column, where the engine has one: what differs from the lecture's form.
SECOND_COLUMN = {"activations": ("derivative_formula", "Derivative"),
                 "optimizers": ("torch_formula", "As the code runs it (PyTorch form)")}
FORMULA_HEADER = {"optimizers": "Formula (lecture)"}

# (name, formula) for what has no registry, in the engine's conventions (see engine/layers.py).
LAYER_FORMULAS = {
    "batchnorm": ("Batch normalization",
                  "x̂ = (x − μ_B) / √(σ²_B + ε);  y = γ·x̂ + β\n"
                  "running = (1 − 0.1)·running + 0.1·batch statistic (PyTorch BatchNorm1d)"),
    "batchnorm_backward": ("Batch normalization, backward (L = Σ w·y in the Batch norm panel)",
                           "x_c = x − μ;  x_n = x_c / √(σ² + ε)\n"
                           "∂L/∂β = Σᵢ ∂L/∂y;  ∂L/∂γ = Σᵢ ∂L/∂y·x_n;  ∂L/∂x_n = ∂L/∂y·γ\n"
                           "∂L/∂σ² = Σᵢ ∂L/∂x_n·x_c·(−½)(σ² + ε)^(−3/2);  ∂L/∂μ = −Σᵢ ∂L/∂x_n / √(σ² + ε)\n"
                           "∂L/∂x = ∂L/∂x_n / √(σ² + ε) + ∂L/∂σ²·2x_c/N + ∂L/∂μ/N"),
    "dropout": ("Dropout (inverted)",
                "training: y = x·mask / (1 − p), mask ~ Bernoulli(1 − p);  evaluation: y = x"),
    "weight_decay": ("Weight decay (L2) and L1",
                     "L_total = L + ½·λ·Σ‖W‖² + λ₁·Σ|W|   (Dense weights only)\n"
                     "∂L_total/∂W = ∂L/∂W + λ·W + λ₁·sign(W)\n"
                     "L1 as a proximal step (option): ∂L/∂W + λ·W, then W ← sign(W)·max(|W| − lr·λ₁, 0)"),
    "cross_entropy": ("Softmax cross-entropy", "L = −(1/N) Σₙ log p_{n, tₙ};  ∂L/∂z = (p − t) / N"),
    "mse": ("Mean squared error", "L = ½·Σ (y − t)²;  ∂L/∂y = y − t"),
    "chain_rule": ("Chain rule", "∂L/∂w = ∂L/∂y · ∂y/∂z · ∂z/∂w;  w ← w − η·∂L/∂w"),
    "linear_stack": ("Stacking linear layers", "f(x) = a·x ⇒ f(f(f(x))) = a³·x: still linear"),
}

# What each panel runs: registry sections, then layer formulas.
PANEL_FORMULAS = {
    "activations": (["activations", "init"], ["linear_stack"]),
    "optimizers": (["optimizers", "surfaces"], []),
    "init": (["init", "activations"], ["batchnorm"]),
    "training": (["datasets", "optimizers", "activations", "init"],
                 ["batchnorm", "dropout", "weight_decay", "cross_entropy"]),
    "landscape": (["optimizers", "datasets", "activations"], ["cross_entropy"]),
    "compare": (["optimizers", "init"], ["batchnorm", "dropout", "weight_decay", "cross_entropy"]),
    "backprop": (["activations"], ["chain_rule", "mse", "cross_entropy"]),
    "batchnorm": ([], ["batchnorm", "batchnorm_backward"]),
}


def formulas(panel_id: str) -> list[tuple[str, str, list[tuple[str, str, str]]]]:
    """``[(section key, second column's header or "", [(name, formula, second), ...]), ...]``.

    ``formula`` is the lecture's form; the second column is the optimizers' ``torch_formula``
    (the equivalent rule the code runs) or the activations' derivative. Unknown panels get all.
    """
    registry_names, layer_names = PANEL_FORMULAS.get(panel_id, (list(REGISTRIES), list(LAYER_FORMULAS)))
    out = []
    for name in registry_names:
        key, header = SECOND_COLUMN.get(name, ("", ""))
        rows = [(e.display_name, e.formula, e.extra.get(key, "") if key else "") for e in REGISTRIES[name].entries()]
        out.append((name, header, rows))
    if layer_names:
        out.append(("layers", "", [(*LAYER_FORMULAS[n], "") for n in layer_names]))
    return out


def formulas_html(panel_id: str, title: str = "") -> str:
    """The Formulas dialog's text: one table per section."""
    def cell(text: str) -> str:  # the registries separate the lines of a rule with ";  "
        return html.escape(text).replace(";  ", "\n").replace("\n", "<br>")

    parts = [f"<h2>{cell(tr(title or panel_id))}: {cell(tr('formulas'))}</h2>"]
    mono = "style='font-family: monospace'"
    for section, header, rows in formulas(panel_id):
        extra = f"<th>{cell(tr(header))}</th>" if header else ""
        first = tr(FORMULA_HEADER.get(section, "Formula"))
        parts.append(f"<h3>{cell(tr(SECTION_TITLES[section]))}</h3><table cellspacing='0' cellpadding='4' border='1'>"
                     f"<tr><th>{cell(tr('Name'))}</th><th>{cell(first)}</th>{extra}</tr>")
        for name, formula, second in rows:
            extra = f"<td {mono}>{cell(second)}</td>" if header else ""
            parts.append(f"<tr><td>{cell(tr(name))}</td><td {mono}>{cell(formula)}</td>{extra}</tr>")
        parts.append("</table>")
    return "\n".join(parts)


def show_formulas(window) -> QDialog:
    panel = window.current_panel()
    dialog = QDialog(window)
    dialog.setObjectName("formulasDialog")
    dialog.setWindowTitle(tr("Formulas — {panel}").format(panel=tr(panel.title)))
    layout = QVBoxLayout(dialog)
    text = QTextBrowser(dialog)
    text.setObjectName("formulasText")
    text.setHtml(formulas_html(panel.panel_id, panel.title))
    layout.addWidget(text)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    dialog.resize(900, 600)
    dialog.setModal(False)
    dialog.show()
    return dialog


# ---- about -------------------------------------------------------------------------------------
def versions() -> dict[str, str]:
    """GradLab, Python, Qt, PySide6, pyqtgraph, NumPy and the BLAS in use."""
    import numpy
    import pyqtgraph
    import PySide6

    from app.version import app_version
    from engine.threads import blas_info

    try:
        blas = "; ".join(
            f"{b.get('internal_api', '?')} {b.get('version') or ''} ({b.get('num_threads', '?')} "
            f"{tr('threads')})".replace("  ", " ")
            for b in blas_info()
        ) or tr("none found")
    except Exception as exc:  # noqa: BLE001 - threadpoolctl missing or failing: say so
        blas = tr("unknown ({reason})").format(reason=exc)
    return {
        "GradLab": app_version(),
        "Python": f"{platform.python_version()} ({sys.platform})",
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "pyqtgraph": pyqtgraph.__version__,
        "NumPy": numpy.__version__,
        "BLAS": blas,
    }


def about_html() -> str:
    rows = "".join(f"<tr><td><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>" for k, v in versions().items())
    return (
        "<h3>GradLab</h3><p>"
        + tr("An offline lab where you watch a neural network being trained: activations, "
             "optimizers, initialization and regularization, following the lecture and "
             "chapter 6 of <i>Deep Learning from Scratch</i>.")
        + "</p><p>"
        + tr("Space: play/pause · → or N: step · R: reset · Ctrl+1…: panels")
        + f"</p><table cellpadding='2'>{rows}</table>"
    )


def show_about(window) -> None:
    QMessageBox.about(window, tr("About GradLab"), about_html())
