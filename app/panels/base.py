"""The base class of every panel: actions, readiness, workers, errors and state.

A panel is one lecture topic (Activations, Optimizers, ...). The main window shows one at a time
and forwards the global actions (Play/Pause, Step, Reset) to the visible one. Subclasses:

* set ``panel_id`` (e.g. ``"activations"``; the objectName becomes ``activationsPanel``) and
  ``title``, and build their widgets inside ``self.content`` (give it a layout);
* run engine work through ``self.channel(name).submit(...)`` (latest wins, see app.workers) or
  ``self.add_stepper(Stepper(...))`` for animations, never on the GUI thread, so that
  ``shutdown()`` can stop everything and errors land in ``self.banner``;
* make every other timer with ``self.add_pacer(...)`` (``app.pacing``: ``Ticker`` for Play,
  ``Coalescer`` / ``Throttle`` for redraws), never a bare ``QTimer``: one pacing helper, and
  ``shutdown()`` cancels them all;
* call ``self.mark_ready()`` once the first computation is *drawn* (``--screenshot`` waits for
  ``ready``) and ``self.mark_stepped()`` after each Step is drawn (``--steps N`` waits for N);
* override ``play_pause`` / ``step`` / ``reset`` if they animate (the defaults do nothing except
  count the step), or, when Play only repeats a cheap GUI-thread action every so often, call
  ``self.add_player(tick, interval_ms)`` (an ``app.pacing.Ticker``) and keep the defaults
  (Play/Pause, ``is_playing`` and ``shutdown`` then drive it);
* hold their Qt-free model in ``self.model`` (``app.models.<panel_id>``) and implement
  ``state()`` (the model's current ``State``) and ``apply_state(state)`` (show it, so that
  ``panel.state() == state`` afterwards). Settings, sessions, scenes and the command line use
  only these two and ``self.model``; they never read a widget.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QVBoxLayout, QWidget

from app.i18n import tr
from app.widgets.error_banner import ErrorBanner
from app.pacing import Stepper, Ticker
from app.workers import DEFAULT_TIMEOUT_MS, Channel


class Panel(QWidget):
    """One topic of the lecture. See the module docstring for the subclass contract.

    Signals: ``ready()`` once, when the first computation has been drawn; ``stepped(count)``
    after each step is drawn; ``errorOccurred(message)`` whenever an error is shown;
    ``statusMessage(text)`` for the window's status bar; ``playingChanged(bool)``.
    """

    panel_id: str = ""
    title: str = ""
    description: str = ""  # one line, used as the tab's tooltip

    ready = Signal()
    stepped = Signal(int)
    errorOccurred = Signal(str)
    statusMessage = Signal(str)
    playingChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        if not self.panel_id:
            raise ValueError(f"{type(self).__name__} must set panel_id")
        self.setObjectName(f"{self.panel_id}Panel")
        self.is_ready = False
        self.step_count = 0
        self.last_error = ""
        self._channels: dict[str, Channel] = {}
        self._steppers: list[Stepper] = []
        self._pacers: list = []
        self._shut_down = False
        self.player: Ticker | None = None  # see add_player
        self._on_play_start = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.setSpacing(4)
        self.banner = ErrorBanner(self)
        outer.addWidget(self.banner)
        self.content = QWidget(self)
        self.content.setObjectName(f"{self.panel_id}Content")
        outer.addWidget(self.content, 1)

    # ---- global actions (the main window calls these on the visible panel) --------------------
    def play_pause(self) -> None:
        """Start or pause the panel's animation (its ``player``, if any); others ignore it."""
        player = self.player
        if player is None:
            return
        if player.active:
            player.stop()
        else:
            if self._on_play_start is not None:
                self._on_play_start()
            player.start()
        self.playingChanged.emit(self.is_playing())

    def step(self) -> None:
        """Advance exactly one step. The default has nothing to advance and just counts it."""
        self.mark_stepped()

    def reset(self) -> None:
        """Return to the initial state (what that means is the panel's choice; documented there)."""

    def carry_over(self):
        """What the rebuilt window's panel takes over on a language switch (``take_over``); None:
        nothing beyond the settings the window saves and restores."""
        return None

    def take_over(self, carried) -> None:
        """Show ``carried`` (``carry_over`` of this panel in the window being replaced)."""

    def discards(self) -> str:
        """What ``reset`` would throw away that took long to compute, as a question ("" = nothing)."""
        return ""

    def request_reset(self) -> bool:
        """The user's Reset (window action, Reset buttons): asks first when ``discards()`` says
        results would be lost; ``reset()`` itself (scenes, tests) never asks."""
        question = self.discards()
        if question:
            buttons = QMessageBox.StandardButton
            answer = QMessageBox.question(self, tr("Reset"), question, buttons.Reset | buttons.Cancel, buttons.Cancel)
            if answer != buttons.Reset:
                return False
        self.reset()
        return True

    def is_playing(self) -> bool:
        return self.player is not None and self.player.active

    def add_player(self, tick, interval_ms: int, on_start=None) -> Ticker:
        """Play = call ``tick()`` every ``interval_ms`` on the GUI thread until paused.

        For a cheap action a student should be able to follow (the next backprop step, the next
        random draw); work that takes time belongs in a ``Stepper`` or a channel. ``on_start()``
        runs before each start (e.g. rewind when at the end). ``tick`` may call ``play_pause()``
        to stop itself.
        """
        self.player = self.add_pacer(Ticker(tick, interval_ms))
        self._on_play_start = on_start
        return self.player

    # ---- workers -------------------------------------------------------------------------------
    def channel(self, name: str, keep_running: bool = False) -> Channel:
        """The panel's latest-wins channel ``name`` (created on first use; errors → banner).

        ``keep_running`` (fixed at creation) lets a running job finish before the newest
        waiting one starts; see ``app.workers.Channel``.
        """
        ch = self._channels.get(name)
        if ch is None:
            ch = Channel(name, self, keep_running=keep_running)
            ch.errored.connect(self.show_error)
            self._channels[name] = ch
        return ch

    def add_stepper(self, stepper: Stepper) -> Stepper:
        """Register an animation stepper so errors reach the banner and shutdown stops it."""
        stepper.setParent(self)
        stepper.errored.connect(self.show_error)
        stepper.playingChanged.connect(self.playingChanged)
        self._steppers.append(stepper)
        return stepper

    def add_pacer(self, pacer):
        """Register a ``Ticker``, ``Coalescer`` or ``Throttle`` (``app.pacing``): parented to the
        panel and cancelled by ``shutdown()``, so no timer fires into a closed panel."""
        pacer.setParent(self)
        self._pacers.append(pacer)
        return pacer

    def is_busy(self) -> bool:
        """True while any channel of this panel runs or waits."""
        return any(ch.busy for ch in self._channels.values())

    def shutdown(self, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> bool:
        """Stop every worker and stepper of this panel and join their threads (idempotent)."""
        self._shut_down = True
        ok = True
        for pacer in self._pacers:
            pacer.cancel()
        for stepper in self._steppers:
            ok = stepper.shutdown(timeout_ms) and ok
        for ch in self._channels.values():
            ok = ch.shutdown(timeout_ms) and ok
        return ok

    # ---- errors --------------------------------------------------------------------------------
    def show_error(self, message: str, details: str = "") -> None:
        """Show ``message`` in the panel's banner (and tell the window)."""
        self.last_error = message
        self.banner.show_error(message, details)
        self.errorOccurred.emit(message)

    def clear_error(self) -> None:
        self.last_error = ""
        self.banner.clear()

    # ---- readiness -------------------------------------------------------------------------------
    def mark_ready(self) -> None:
        """Call when the first computation has been drawn; emits ``ready`` once."""
        if not self.is_ready:
            self.is_ready = True
            self.ready.emit()

    def mark_stepped(self) -> None:
        """Call after a Step has been drawn; emits ``stepped(step_count)``."""
        self.step_count += 1
        self.stepped.emit(self.step_count)

    def wait_ready(self, steps: int = 0, timeout_ms: int = 20000) -> bool:
        """Spin the event loop until ``ready``, then run ``steps`` Steps and wait for each.

        Used by ``--screenshot``/``--steps`` and tests. Returns False on timeout, or as soon
        as an error is shown (``last_error`` says which) instead of waiting for the timeout.
        """
        clock = QElapsedTimer()
        clock.start()

        def spin_until(done) -> bool:
            loop = QEventLoop()
            poll = QTimer()
            poll.setInterval(5)
            stop = lambda: done() or self.last_error or clock.elapsed() > timeout_ms  # noqa: E731
            poll.timeout.connect(lambda: loop.quit() if stop() else None)
            poll.start()
            if not stop():
                loop.exec()
            poll.stop()
            return bool(done()) and not self.last_error

        if not spin_until(lambda: self.is_ready):
            return False
        target = self.step_count + int(steps)
        for _ in range(int(steps)):
            before = self.step_count
            self.step()
            if not spin_until(lambda: self.step_count > before):
                return False
        return self.step_count >= target

    # ---- state (the one persistence path: app.models.base) --------------------------------------
    model = None  # the panel's Qt-free model (set by the subclass)

    def state(self):
        """The panel's current ``State`` (``app.models.<panel_id>.State``)."""
        raise NotImplementedError(f"{type(self).__name__}.state()")

    def apply_state(self, state) -> None:
        """Show ``state`` (a ``State``); afterwards ``self.state() == state``."""
        raise NotImplementedError(f"{type(self).__name__}.apply_state()")
