"""The lecture runner's protocol (see BRIEF / app.lecture.scene), for the per-panel scene tests."""

from __future__ import annotations


def run_scene(qtbot, panel, scene, timeout_ms: int = 30000) -> list[str]:
    """Set ``panel`` up for ``scene`` exactly as the runner does; returns the failed checks."""
    if panel.is_playing():
        panel.play_pause()
    panel.reset()
    panel.apply_state(type(panel.state()).from_dict({}).merged(scene.state))
    if scene.play:
        panel.play_pause()
    assert panel.wait_ready(scene.steps, timeout_ms=timeout_ms), panel.last_error or f"{scene.name}: timed out"
    if scene.finished is not None:
        qtbot.waitUntil(lambda: scene.finished(panel.model), timeout=timeout_ms)
    return scene.check(panel.model)
