"""A tiny panel with a Qt-free model, for testing the shell (window, settings, sessions, lecture).

Real panels convert to models in parallel; the shell's tests must not depend on them. The fake
model computes a result on every Step (``total``), so scene checks can measure something.
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass

from PySide6.QtWidgets import QHBoxLayout, QSpinBox

from app import panels as registry
from app.lecture.scene import Check, Scene
from app.models.base import StateBase, setting
from app.panels.base import Panel


@dataclass(frozen=True)
class FakeState(StateBase):
    depth: int = setting(3, lo=1, hi=20)
    label: str = setting("a", choices=("a", "b", "c"))
    rate: float = setting(0.5, lo=0.0, hi=10.0)


class FakeModel:
    """Adds ``rate`` to ``total`` on every step (the computed result checks read)."""

    def __init__(self):
        self.state = FakeState()
        self.steps = 0
        self.total = 0.0

    def step(self) -> None:
        self.steps += 1
        self.total += self.state.rate

    def reset(self) -> None:
        self.steps, self.total = 0, 0.0


class FakePanel(Panel):
    """Records the global actions; its depth spin box is the one control bound to the model."""

    panel_id = "fake"
    title = "Fake"
    description = "A stand-in panel"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = FakeModel()
        self.calls: list[str] = []
        self.playing = False
        self.spin = QSpinBox(self.content)
        self.spin.setObjectName("fakeDepth")
        self.spin.setRange(1, 20)
        self.spin.setValue(self.model.state.depth)
        self.spin.valueChanged.connect(lambda v: self.apply_state(self.model.state.replace(depth=v)))
        QHBoxLayout(self.content).addWidget(self.spin)
        self.channel("first").submit(lambda: 1, on_return=lambda _r: self.mark_ready())

    def state(self) -> FakeState:
        return self.model.state

    def apply_state(self, state: FakeState) -> None:
        self.model.state = state
        self.spin.blockSignals(True)
        self.spin.setValue(state.depth)
        self.spin.blockSignals(False)

    def play_pause(self):
        self.calls.append("play_pause")
        self.playing = not self.playing
        self.playingChanged.emit(self.playing)

    def is_playing(self):
        return self.playing

    def step(self):
        self.calls.append("step")
        self.model.step()
        self.mark_stepped()

    def reset(self):
        self.calls.append("reset")
        self.model.reset()


class OtherFakePanel(FakePanel):
    panel_id = "fake2"
    title = "Fake 2"


FAKE_SCENES = (
    Scene("fake-sum", "optimizers", "Fake: steps add up", "fake", "Each Step adds the rate to the total.",
          state={"rate": 2.0, "label": "b"}, steps=3,
          checks=(Check("three steps of 2 add up to 6", lambda m: m.total, lambda v: abs(v - 6.0) < 1e-12),)),
    Scene("fake-wrong", "activations", "Fake: a claim that fails", "fake", "The total is claimed to be 100.",
          state={"rate": 1.0}, steps=2,
          checks=(Check("the total reaches 100", lambda m: m.total, lambda v: v >= 100),
                  Check("the model stepped", lambda m: m.steps, lambda v: v > 0))),
)



def install(monkeypatch, *, scenes: bool = True) -> None:
    """Register the fake panels (and their scene module) for one test; see the ``fake_panels`` fixture."""
    for cls in (FakePanel, OtherFakePanel):
        monkeypatch.setitem(registry.PANELS, cls.panel_id, registry.PanelInfo.of(cls))
    if scenes:
        module = types.ModuleType("app.lecture.scenes.fake")
        module.SCENES = FAKE_SCENES
        monkeypatch.setitem(sys.modules, "app.lecture.scenes.fake", module)
