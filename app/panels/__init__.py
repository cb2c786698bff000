"""The panel registry: what panels exist, in tab order, *without importing them*.

Each entry names the panel's id, module, class, title and one-line description, so the window
can build its tabs and menus at start-up and import a panel only when its tab is first opened
(``PanelInfo.load()``). A panel whose module is not installed (``find_spec`` finds nothing) is
left out. ``tests/test_panel_registry.py`` checks the titles here against the panel classes.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass


@dataclass(frozen=True)
class PanelInfo:
    """One panel as the registry knows it before it is imported."""

    panel_id: str
    module: str
    class_name: str
    title: str
    description: str = ""

    def load(self) -> type:
        """Import the panel's module and return its ``Panel`` subclass."""
        return getattr(importlib.import_module(self.module), self.class_name)

    @classmethod
    def of(cls, panel_class: type) -> "PanelInfo":
        """The entry of an already imported ``Panel`` subclass (tests register stand-ins)."""
        return cls(panel_class.panel_id, panel_class.__module__, panel_class.__qualname__,
                   panel_class.title, panel_class.description)


KNOWN = (
    PanelInfo("activations", "app.panels.activations", "ActivationsPanel", "Activations",
              "Activation functions, their derivatives, vanishing gradients and softmax"),
    PanelInfo("optimizers", "app.panels.optimizers", "OptimizersPanel", "Optimizers",
              "SGD, Momentum, NAG, AdaGrad, RMSProp and Adam racing on loss surfaces"),
    PanelInfo("init", "app.panels.init", "InitPanel", "Initialization",
              "Weight initialization: activation and gradient histograms per layer (A vs B)"),
    PanelInfo("training", "app.panels.training", "TrainingPanel", "Training",
              "Train a small network live: boundary, loss/accuracy, train/test gap, layer distributions"),
    PanelInfo("landscape", "app.panels.landscape", "LandscapePanel", "Landscape",
              "The real network's loss landscape, with SGD, Momentum and Adam paths on it"),
    PanelInfo("compare", "app.panels.compare", "ComparePanel", "Compare",
              "Assignment 1: vary dropout, activation, init, batch norm, … and compare the runs"),
    PanelInfo("backprop", "app.panels.backprop", "BackpropPanel", "Backprop",
              "Follow one sample through forward, loss, backward and the weight update"),
    PanelInfo("batchnorm", "app.panels.batchnorm", "BatchNormPanel", "Batch norm",
              "One mini-batch through batch normalization: forward, backward, train vs eval"),
)


def _installed(info: PanelInfo) -> bool:
    try:
        return importlib.util.find_spec(info.module) is not None
    except ModuleNotFoundError:
        return False


PANELS: dict[str, PanelInfo] = {info.panel_id: info for info in KNOWN if _installed(info)}


def names() -> list[str]:
    return list(PANELS)


def get(name: str) -> PanelInfo:
    """The entry for ``name``; unknown names raise ``ValueError`` listing the valid ones."""
    key = str(name).strip().lower()
    if key not in PANELS:
        raise ValueError(f"unknown panel {name!r}; choose one of: {', '.join(PANELS)}")
    return PANELS[key]
