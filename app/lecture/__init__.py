"""The lecture as data: scenes (and later exercises and handouts) over the panel models.

``app.lecture.scene`` defines :class:`Scene` and :class:`Check`; ``app.lecture.scenes.<panel_id>``
holds each panel's scenes as a ``SCENES`` tuple; the catalogue, the runner, the Lecture menu and
dock live beside them. Nothing here touches a panel's widgets: a scene is applied through
``panel.apply_state(...)`` and checked on ``panel.model``.
"""
