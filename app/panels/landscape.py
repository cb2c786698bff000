"""The Landscape panel: the loss surface of a real network, with the optimizers' paths on it.

Toy surfaces show the idea; this shows the network itself. Several optimizers train the same
small MLP from the same initial weights on the same mini-batches (``engine.landscape``); the
map is a 2-D slice of the training loss through the **final weights of the reference
optimizer** (the "Centre at" choice, Adam by default), along two directions — the top two
principal directions of the recorded trajectories, or filter-normalised random directions
(Li et al., 2018) — with every recorded trajectory projected onto that plane. The reference
path ends exactly at the centre (the white star); the others end where their own final weights
project, which may lie off the plane: the read-out says how far, and what share of all the
paths' movement the plane holds.

Global actions: **Play** = Compute (or Cancel while computing); **Step** = replay the paths
in tenths of the training (each Step shows one more tenth; after the last, the whole paths
again); **Reset** = every control back to its default, and compute.

The whole computation (training, directions, grid, contour lines) runs on the "landscape"
channel with a progress bar; Cancel aborts it between two chunks.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, replace

import numpy as np
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr, tr_message
from app.panels.base import Panel
from app.widgets.optimizer_editor import SciSpinBox
from app.widgets.palette import FOREGROUND, MUTED, series_color
from app.widgets.plots import add_legend, configure
from app.widgets.surface_3d import Surface3D
from app.widgets.surface_levels import surface_image
from app.widgets.surface_view import SurfaceView
from app.widgets.training_form import parse_hidden
from engine import activations, datasets, optimizers
from engine import landscape as L

#: Optimizers offered, in lane order (same colours as the Optimizer panel's lanes).
OPTIMIZERS = ("sgd", "momentum", "nag", "adagrad", "rmsprop", "adam")
_LANE_COLOR = {name: series_color(i + 1) for i, name in enumerate(OPTIMIZERS)}
DIRECTION_LABELS = {"pca": "PCA of the paths", "random": "Random (filter-normalised)"}
REVEAL_STEPS = 10
#: The engine's progress messages (``engine.landscape``), shown translated.
PROGRESS_MESSAGES = ("training {label}: step {done} of {total}", "loss on the grid: {done} of {total} points")


def landscape_job(settings: L.Settings):
    """Worker: the landscape for ``settings`` plus its map picture; yields ``Progress``."""
    result = yield from L.compute_from_settings(settings)
    sl = result.slice
    image = surface_image(sl.xs, sl.ys, sl.loss, log_colors=True)
    return result, image


class LandscapePanel(Panel):
    """The loss landscape of a small MLP with several optimizers' paths (see the module doc)."""

    panel_id = "landscape"
    title = "Landscape"
    description = "The real network's loss landscape, with SGD, Momentum and Adam paths on it"

    def __init__(self, parent: QWidget | None = None, settings: L.Settings | None = None):
        super().__init__(parent)
        configure()
        self.result: L.Landscape | None = None
        self.image = None
        self.reveal = REVEAL_STEPS  # tenths of each path shown
        self.computing = False
        self._build_ui()
        jobs = self.channel("landscape")
        jobs.idle.connect(lambda: self._set_computing(False))
        jobs.errored.connect(lambda _msg: self._set_computing(False))
        self.set_settings(settings or L.Settings())
        self.compute()

    # ---- UI ------------------------------------------------------------------------------------------
    def _build_ui(self) -> None:
        outer = QHBoxLayout(self.content)
        outer.setContentsMargins(0, 0, 0, 0)
        side = QWidget(self.content)
        side.setFixedWidth(300)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)

        net_box = QGroupBox(tr("Data and network"), side)
        form = QFormLayout(net_box)
        self.dataset_combo = QComboBox(net_box)
        self.dataset_combo.setObjectName("landscapeDataset")
        for e in datasets.REGISTRY.entries():
            self.dataset_combo.addItem(tr(e.display_name), e.name)
        self.dataset_combo.setToolTip(tr("The 2-D training set; its whole training loss is the landscape"))
        self.hidden_edit = QLineEdit(net_box)
        self.hidden_edit.setObjectName("landscapeHidden")
        self.hidden_edit.setToolTip(tr("Hidden layer widths, e.g. 16, 16 (2 inputs and one output per class)"))
        self.activation_combo = QComboBox(net_box)
        self.activation_combo.setObjectName("landscapeActivation")
        for e in activations.entries():
            if e.extra.get("elementwise", True) and e.name not in ("step", "prelu"):
                self.activation_combo.addItem(tr(e.display_name), e.name)
        self.epochs_spin = self._int_spin("landscapeEpochs", 1, 2000, tr("Epochs every optimizer trains"))
        self.batch_spin = self._int_spin("landscapeBatch", 1, 1000, tr("Mini-batch size (the same batches for all)"))
        self.seed_spin = self._int_spin("landscapeSeed", 0, 99999, tr("Initial weights and batch order"))
        form.addRow(tr("Data set"), self.dataset_combo)
        form.addRow(tr("Hidden"), self.hidden_edit)
        form.addRow(tr("Activation"), self.activation_combo)
        form.addRow(tr("Epochs"), self.epochs_spin)
        form.addRow(tr("Batch size"), self.batch_spin)
        form.addRow(tr("Seed"), self.seed_spin)
        side_layout.addWidget(net_box)

        opt_box = QGroupBox(tr("Optimizers (same start, same batches)"), side)
        grid = QGridLayout(opt_box)
        grid.setContentsMargins(6, 4, 6, 4)
        self.opt_checks: dict[str, QCheckBox] = {}
        self.lr_spins: dict[str, SciSpinBox] = {}
        for row, name in enumerate(OPTIMIZERS):
            entry = optimizers.REGISTRY.entry(name)
            check = QCheckBox(entry.display_name, opt_box)
            check.setObjectName(f"landscapeOpt_{name}")
            check.setStyleSheet(f"QCheckBox {{ color: {_LANE_COLOR[name]}; font-weight: bold }}")
            check.setToolTip(entry.formula)
            lr = SciSpinBox(1e-5, 10.0, True, opt_box)
            lr.setObjectName(f"landscapeLr_{name}")
            lr.setToolTip(tr("{name} learning rate").format(name=entry.display_name))
            grid.addWidget(check, row, 0)
            grid.addWidget(QLabel("lr", opt_box), row, 1)
            grid.addWidget(lr, row, 2)
            self.opt_checks[name], self.lr_spins[name] = check, lr
        self.reference_combo = QComboBox(opt_box)
        self.reference_combo.setObjectName("landscapeReference")
        for name in OPTIMIZERS:
            self.reference_combo.addItem(optimizers.REGISTRY.entry(name).display_name, name)
        self.reference_combo.setToolTip(tr("The map is centred on this optimizer's final weights (ticked for you)"))
        grid.addWidget(QLabel(tr("Centre at"), opt_box), len(OPTIMIZERS), 0)
        grid.addWidget(self.reference_combo, len(OPTIMIZERS), 1, 1, 2)
        side_layout.addWidget(opt_box)

        plane_box = QGroupBox(tr("Slice"), side)
        pform = QFormLayout(plane_box)
        self.directions_combo = QComboBox(plane_box)
        self.directions_combo.setObjectName("landscapeDirections")
        for key, label in DIRECTION_LABELS.items():
            self.directions_combo.addItem(tr(label), key)
        self.directions_combo.setToolTip(
            tr("PCA: the plane the paths move in most (Li et al. §7).\n"
               "Random: filter-normalised Gaussian directions (Li et al. §4); the paths barely show in them."))
        self.resolution_spin = self._int_spin("landscapeResolution", 5, 201, tr("Grid points per side (odd: the centre is on the grid)"))
        self.resolution_spin.setSingleStep(2)
        self.fit_check = QCheckBox(tr("Fit the paths"), plane_box)
        self.fit_check.setObjectName("landscapeFit")
        self.fit_check.setToolTip(tr("Size the grid to hold every projected path (else ± the extent)"))
        self.extent_spin = QDoubleSpinBox(plane_box)
        self.extent_spin.setObjectName("landscapeExtent")
        self.extent_spin.setRange(0.01, 100.0)
        self.extent_spin.setDecimals(2)
        self.extent_spin.setToolTip(tr("Half-width of the grid in direction units (PCA: parameter distance; "
                                       "random: multiples of each filter's norm)"))
        self.fit_check.toggled.connect(lambda on: self.extent_spin.setEnabled(not on))
        extent_row = QHBoxLayout()
        extent_row.addWidget(self.fit_check)
        extent_row.addWidget(self.extent_spin)
        self.view3d_check = QCheckBox(tr("3-D surface"), plane_box)
        self.view3d_check.setObjectName("landscape3d")
        self.view3d_check.setToolTip(tr("Show the slice as a 3-D surface (needs OpenGL)"))
        self.view3d_check.toggled.connect(self.set_3d)
        pform.addRow(tr("Directions"), self.directions_combo)
        pform.addRow(tr("Resolution"), self.resolution_spin)
        pform.addRow(tr("Extent ±"), extent_row)
        pform.addRow(self.view3d_check)
        side_layout.addWidget(plane_box)

        self.compute_button = QPushButton(tr("&Compute"), side)
        self.compute_button.setObjectName("landscapeCompute")
        self.compute_button.setToolTip(tr("Train the optimizers and compute the slice (Space); again to cancel"))
        self.compute_button.clicked.connect(self.play_pause)
        self.progress = QProgressBar(side)
        self.progress.setObjectName("landscapeProgress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress_label = QLabel("", side)
        self.progress_label.setObjectName("landscapeProgressLabel")
        self.progress_label.setStyleSheet(f"color: {MUTED}")
        side_layout.addWidget(self.compute_button)
        side_layout.addWidget(self.progress)
        side_layout.addWidget(self.progress_label)
        side_layout.addStretch(1)
        outer.addWidget(side)

        right = QVBoxLayout()
        self.stack = QStackedWidget(self.content)
        self.view = SurfaceView(len(OPTIMIZERS), self.content)
        self.view.setToolTip(tr("Loss on the plane through the centre; coloured lines: the projected paths"))
        self.view.start.setToolTip(tr("The common initial weights, projected"))
        self.view.minima.setToolTip(tr("The centre: the reference optimizer's final weights"))
        self.view.minima.setZValue(12)  # above the path heads: the reference's head sits on it
        self.view.plot.getAxis("bottom").setLabel(tr("α  (direction 1)"), color=FOREGROUND)
        self.view.plot.getAxis("left").setLabel(tr("β  (direction 2)"), color=FOREGROUND)
        self.legend = add_legend(self.view.plot, corner="top-left")
        self.view.set_lanes([(optimizers.REGISTRY.entry(n).display_name, _LANE_COLOR[n], False)
                             for n in OPTIMIZERS])
        self.stack.addWidget(self.view)
        self.view3d = None  # built when first asked for (it probes OpenGL)
        right.addWidget(self.stack, 1)
        self.info = QLabel(self.content)
        self.info.setObjectName("landscapeInfo")
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        right.addWidget(self.info)
        outer.addLayout(right, 1)

    def _int_spin(self, name: str, lo: int, hi: int, tip: str) -> QSpinBox:
        spin = QSpinBox(self.content)
        spin.setObjectName(name)
        spin.setRange(lo, hi)
        spin.setToolTip(tip)
        spin.setKeyboardTracking(False)
        return spin

    # ---- settings <-> controls ------------------------------------------------------------------------
    def set_settings(self, s: L.Settings) -> None:
        """Show ``s`` in the controls (computing is separate: ``compute()``)."""
        self.dataset_combo.setCurrentIndex(max(0, self.dataset_combo.findData(s.dataset)))
        self.hidden_edit.setText(", ".join(str(h) for h in s.hidden))
        self.activation_combo.setCurrentIndex(max(0, self.activation_combo.findData(s.activation)))
        self.epochs_spin.setValue(s.epochs)
        self.batch_spin.setValue(s.batch_size)
        self.seed_spin.setValue(s.seed)
        chosen = dict(s.optimizers)
        for name in OPTIMIZERS:
            self.opt_checks[name].setChecked(name in chosen)
            self.lr_spins[name].setValue(float(chosen.get(name, L.DEFAULT_LR[name])))
        self.reference_combo.setCurrentIndex(max(0, self.reference_combo.findData(s.reference)))
        self.directions_combo.setCurrentIndex(max(0, self.directions_combo.findData(s.directions)))
        self.resolution_spin.setValue(s.resolution)
        self.fit_check.setChecked(s.extent is None)
        self.extent_spin.setValue(1.0 if s.extent is None else float(s.extent))
        self.extent_spin.setEnabled(s.extent is not None)
        self._base_noise, self._base_samples = s.noise, s.n_samples

    def settings(self) -> L.Settings:
        """The controls as ``Settings``; ValueError names a bad control."""
        reference = self.reference_combo.currentData()
        self.opt_checks[reference].setChecked(True)  # the centre's optimizer must train
        chosen = tuple((n, self.lr_spins[n].value()) for n in OPTIMIZERS if self.opt_checks[n].isChecked())
        return L.Settings(
            dataset=self.dataset_combo.currentData(), noise=self._base_noise, n_samples=self._base_samples,
            hidden=parse_hidden(self.hidden_edit.text()), activation=self.activation_combo.currentData(),
            optimizers=chosen, reference=reference, epochs=self.epochs_spin.value(),
            batch_size=self.batch_spin.value(), seed=self.seed_spin.value(),
            directions=self.directions_combo.currentData(), resolution=self.resolution_spin.value(),
            extent=None if self.fit_check.isChecked() else self.extent_spin.value(),
        )

    # ---- computing -----------------------------------------------------------------------------------
    def compute(self) -> None:
        """Start a computation with the current controls (replaces a running one)."""
        try:
            settings = self.settings()
        except ValueError as exc:
            self.show_error(tr_message(str(exc)))
            return
        self.clear_error()
        self._set_computing(True)
        self.progress.setValue(0)
        self.progress_label.setText(tr("starting…"))
        self._started = time.perf_counter()
        self.channel("landscape").submit(landscape_job, settings, on_yield=self._on_progress, on_return=self._on_result)

    def cancel(self) -> None:
        """Stop the running computation (the last drawn landscape stays)."""
        if self.computing:
            self.channel("landscape").cancel()
            self.progress_label.setText(tr("cancelled"))
            self.statusMessage.emit(tr("Landscape computation cancelled"))

    def _set_computing(self, on: bool) -> None:
        if on == self.computing:
            return
        self.computing = on
        self.compute_button.setText(tr("&Cancel") if on else tr("&Compute"))
        self.playingChanged.emit(on)

    def _on_progress(self, p: L.Progress) -> None:
        self.progress.setValue(int(round(1000 * p.fraction)))
        self.progress_label.setText(tr_message(p.message, PROGRESS_MESSAGES))

    def _on_result(self, value) -> None:
        self.result, self.image = value
        self.reveal = REVEAL_STEPS
        self.progress.setValue(1000)
        self.progress_label.setText(tr("done in {total} s (the {n}-point grid: {grid} s)").format(
            total=f"{time.perf_counter() - self._started:.1f}", n=self.result.slice.loss.size,
            grid=f"{self.result.slice.seconds:.2f}"))
        self._draw()
        self.mark_ready()

    # ---- drawing -------------------------------------------------------------------------------------
    def _names(self) -> list[str]:
        return [r.optimizer for r in self.result.runs]

    def _draw(self) -> None:
        res, sl = self.result, self.result.slice
        ref = res.runs[res.reference]
        bounds = ((sl.xs[0], sl.xs[-1]), (sl.ys[0], sl.ys[-1]))
        plane = tr("PCA plane") if res.directions == "pca" else tr("random filter-normalised plane")
        title = tr("Training loss around {name}'s final weights · {plane} · holds {share} % of the paths' movement").format(
            name=ref.label, plane=plane, share=f"{100 * res.captured:.0f}")
        self.view.set_surface(self.image, bounds, [(0.0, 0.0)], title, value_name=tr("loss"))
        self.view.value_at = lambda x, y: sl.interpolate([(x, y)])[0]
        self.view.set_start(*res.start)
        self.legend.clear()
        names = self._names()
        self.view.set_lanes([(optimizers.REGISTRY.entry(n).display_name, _LANE_COLOR[n], n in names)
                             for n in OPTIMIZERS])
        self._draw_paths()
        if self.view3d is not None and self.stack.currentIndex() == 1:
            self._draw_3d()
        self._write_info()

    def _shown(self, coords: np.ndarray) -> np.ndarray:
        n = len(coords)
        k = max(1, int(np.ceil(n * self.reveal / REVEAL_STEPS)))
        return coords[:k]

    def _draw_paths(self) -> None:
        res = self.result
        for run, coords in zip(res.runs, res.coords):
            lane = OPTIMIZERS.index(run.optimizer)
            message = tr("diverged") if run.status == "diverged" else ""
            self.view.set_path(lane, self._shown(coords), message)
            self.legend.addItem(self.view.slots[lane].curve, run.label)
        self.view.commit_heads()

    def _write_info(self) -> None:
        res = self.result
        rows = []
        for i, (run, off) in enumerate(zip(res.runs, res.off_plane)):
            color = _LANE_COLOR[run.optimizer]
            where = tr("the centre") if i == res.reference else tr("{distance} off the plane").format(
                distance=f"{off[-1]:.3g}")
            rows.append(f"<span style='color:{color}'>■</span> <b>{run.label}</b> (lr {run.hyper['lr']:g}): "
                        + tr("final loss {loss}, ends at {where}").format(loss=f"{run.losses[-1]:.4g}", where=where)
                        + (f" — {tr_message(run.message)}" if run.status == "diverged" else ""))
        if res.directions == "pca":
            e = res.explained
            note = tr("Directions: the top two principal directions of all recorded weights minus the centre "
                      "({first} % + {second} %).").format(first=f"{100 * e[0]:.0f}", second=f"{100 * e[1]:.0f}")
        else:
            note = tr("Directions: Gaussian, each unit's weights scaled to that unit's weight norm "
                      "(biases not perturbed). Random planes miss almost all of a path's movement.")
        centre = tr("Loss at the centre {loss}. Square: the common start; star: the centre.").format(
            loss=f"{res.slice.center_loss:.4g}")
        self.info.setText(" &nbsp; ".join(rows) + f"<br><span style='color:{MUTED}'>{note} {centre}</span>")

    # ---- 3-D -------------------------------------------------------------------------------------------
    def set_3d(self, on: bool) -> None:
        """Show the 3-D surface (built on first use; a message where OpenGL is missing)."""
        if on and self.view3d is None:
            self.view3d = Surface3D(self.content)
            self.stack.addWidget(self.view3d)
            if not self.view3d.available:
                self.statusMessage.emit(self.view3d.problem)
        self.stack.setCurrentIndex(1 if on else 0)
        if on and self.result is not None:
            self._draw_3d()

    def _draw_3d(self) -> None:
        sl, res = self.result.slice, self.result
        paths = []
        for run, coords in zip(res.runs, res.coords):
            shown = self._shown(coords)
            paths.append((shown, sl.interpolate(shown), _LANE_COLOR[run.optimizer]))
        self.view3d.set_data(sl.xs, sl.ys, sl.loss, paths)

    # ---- global actions ------------------------------------------------------------------------------
    def play_pause(self) -> None:
        """Compute, or cancel a running computation."""
        if self.computing:
            self.cancel()
        else:
            self.compute()

    def is_playing(self) -> bool:
        return self.computing

    def step(self) -> None:
        """Show one more tenth of every path (after the whole paths: the first tenth again)."""
        if self.result is None:
            self.mark_stepped()
            return
        self.reveal = 1 if self.reveal >= REVEAL_STEPS else self.reveal + 1
        self.legend.clear()
        self._draw_paths()
        if self.view3d is not None and self.stack.currentIndex() == 1:
            self._draw_3d()
        self.progress_label.setText(tr("paths: first {share} % of the training").format(share=10 * self.reveal))
        self.mark_stepped()

    def reset(self) -> None:
        """Every control back to its default, then compute."""
        self.set_settings(L.Settings())
        self.compute()

    # ---- persistence -------------------------------------------------------------------------------------
    def save_settings(self, settings: QSettings) -> None:
        try:
            state = asdict(self.settings())
        except ValueError:
            return
        settings.setValue("state", json.dumps(state))

    def restore_settings(self, settings: QSettings) -> None:
        try:
            state = json.loads(settings.value("state", "") or "{}")
            if state:
                s = L.Settings(**{**asdict(L.Settings()), **state})
                s = replace(s, hidden=tuple(s.hidden), optimizers=tuple(tuple(o) for o in s.optimizers))
                self.set_settings(s)
                self.compute()
        except (ValueError, TypeError, KeyError) as exc:
            self.show_error(tr("Could not restore the landscape panel's settings: {error}").format(error=exc))
