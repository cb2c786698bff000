"""A module-wide, shown panel for the scene tests of one panel (one panel serves every scene)."""

import pytest


def shown_panel(panel_class):
    """A module-scoped ``panel`` fixture: one shown ``panel_class`` for all scenes of a test file."""

    @pytest.fixture(scope="module")
    def panel(qapp):
        p = panel_class()
        p.resize(1280, 800)
        p.show()
        yield p
        assert p.shutdown()
        p.deleteLater()

    return panel
