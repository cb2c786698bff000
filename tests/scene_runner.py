"""The lecture scene runner's protocol (brief of issue #10), for the per-panel scene tests."""


def run_scene(panel, scene, qtbot, timeout_ms: int = 20000) -> list[str]:
    """Set ``panel`` up as the runner does and return the scene's failed checks."""
    if panel.is_playing():
        panel.play_pause()
    panel.reset()
    panel.apply_state(type(panel.state()).from_dict({}).merged(scene.state))
    if scene.play:
        panel.play_pause()
    assert panel.wait_ready(scene.steps), panel.last_error
    if scene.finished is not None:
        qtbot.waitUntil(lambda: scene.finished(panel.model), timeout=timeout_ms)
    return scene.check(panel.model)
