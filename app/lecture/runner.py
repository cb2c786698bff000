"""Running a scene on its panel: the one protocol every scene follows.

::

    if panel.is_playing(): panel.play_pause()
    panel.reset()
    panel.apply_state(type(panel.state()).from_dict({}).merged(scene.state))   # defaults + scene
    if scene.play: panel.play_pause()
    # the first computation drawn and settled, then scene.steps Steps, each drawn (wait_ready)
    # then, if given, until scene.finished(panel.model)
    problems = scene.check(panel.model)

``SceneRun`` does the set-up at once and the waiting asynchronously (the GUI stays live; the
dock shows the checks when ``done`` fires). ``run_blocking`` waits for it by spinning the event
loop (``--scene NAME --screenshot``, tests). "Settled" means ``is_ready`` and no worker busy:
``is_ready`` is set once per panel, so after ``apply_state`` only an idle panel has drawn the
new state.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QEventLoop, QObject, QTimer, Signal

from app.i18n import tr
from app.lecture.scene import Scene


def set_up(scene: Scene, panel) -> None:
    """The protocol's synchronous part: stop, reset, show defaults + the scene's state, maybe Play."""
    if panel.is_playing():
        panel.play_pause()
    panel.clear_error()
    panel.reset()
    panel.apply_state(type(panel.state()).from_dict({}).merged(scene.state))
    if scene.play:
        panel.play_pause()


class SceneRun(QObject):
    """One run of ``scene`` on ``panel``: ``start()``, then ``done(ok)``.

    Afterwards ``outcomes`` lists ``(claim, problem or None)`` per check, ``problems`` the failed
    ones (``scene.check(panel.model)``) and ``message`` why the run itself failed ('' if not).
    ``ok`` is True when the run finished and every check holds. ``timeout_ms=0``: no time limit
    (the GUI: a paused training run just waits for the user).
    """

    done = Signal(bool)
    POLL_MS = 20

    def __init__(self, scene: Scene, panel, timeout_ms: int = 120000, parent: QObject | None = None):
        super().__init__(parent)
        self.scene, self.panel = scene, panel
        self.timeout_ms = int(timeout_ms)
        self.ok: bool | None = None
        self.message = ""
        self.outcomes: list[tuple[str, str | None]] = []
        self.problems: list[str] = []
        self._phase = "settle"
        self._steps_left = int(scene.steps)
        self._count_before = 0
        self._clock = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setInterval(self.POLL_MS)
        self._timer.timeout.connect(self._poll)

    def start(self) -> "SceneRun":
        """Set the scene up and start waiting for it."""
        set_up(self.scene, self.panel)
        self._clock.start()
        self.panel.stepped.connect(self._on_stepped)  # the next Step at once, not at the next poll
        self._timer.start()
        return self

    @property
    def running(self) -> bool:
        return self.ok is None and self._timer.isActive()

    def cancel(self) -> None:
        """Stop waiting (a new scene was opened, or the window closes)."""
        if self._timer.isActive():
            self._timer.stop()
            self._disconnect()

    def _disconnect(self) -> None:
        try:
            self.panel.stepped.disconnect(self._on_stepped)
        except (RuntimeError, TypeError):  # already disconnected, or the panel is gone
            pass

    def _on_stepped(self, _count: int) -> None:
        if self._timer.isActive():
            QTimer.singleShot(0, self, self._poll)

    def _settled(self) -> bool:
        return self.panel.is_ready and not self.panel.is_busy()

    def _end(self, ok: bool, message: str = "") -> None:
        self._timer.stop()
        self._disconnect()
        self.ok, self.message = ok, message
        self.done.emit(ok)

    def _check(self) -> None:
        model = self.panel.model
        self.outcomes = [(c.claim, c.run(model)) for c in self.scene.checks]
        self.problems = self.scene.check(model)
        self._end(not self.problems)

    def _poll(self) -> None:
        if not self._timer.isActive():
            return
        p = self.panel
        if p.last_error:
            self._end(False, tr("the {panel} panel failed: {error}").format(panel=p.panel_id, error=p.last_error))
            return
        if self.timeout_ms and self._clock.elapsed() > self.timeout_ms:
            self._end(False, tr("scene {name} did not finish in {seconds} s").format(
                name=self.scene.name, seconds=f"{self.timeout_ms / 1000:g}"))
            return
        if self._phase == "settle":
            if not self._settled():
                return
            self._phase = "steps"
        if self._phase == "steps":
            if self._count_before and p.step_count < self._count_before:
                return  # the Step in flight is not drawn yet
            if self._steps_left > 0:
                self._steps_left -= 1
                self._count_before = p.step_count + 1
                p.step()
                return
            self._phase = "finish"
        if self._phase == "finish":
            finished = self.scene.finished is None or self.scene.finished(p.model)
            if finished and self._settled():
                self._check()

    def wait(self) -> bool:
        """Spin the event loop until ``done``; True if the scene finished and its checks hold."""
        if self.running:
            loop = QEventLoop()
            self.done.connect(loop.quit)
            if self.running:
                loop.exec()
        return bool(self.ok)


def run_blocking(scene: Scene, panel, timeout_ms: int = 120000) -> SceneRun:
    """Run ``scene`` on ``panel`` and return once it has finished (tests, ``--scene --screenshot``)."""
    run = SceneRun(scene, panel, timeout_ms).start()
    run.wait()
    return run
