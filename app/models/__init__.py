"""Qt-free models, one module per panel: the panel's ``State`` and its non-Qt logic.

A model module (``app.models.<panel_id>``) defines

* ``State``: a frozen dataclass of every user-settable setting of the panel, built on
  :class:`app.models.base.StateBase` (``to_dict`` / ``from_dict`` / ``merged``), with defaults;
* a model class (e.g. ``OptimizersModel``) holding the current ``State`` and the logic that used
  to live in the widget (the race and its pacing, the training run, the compare grid, ...). The
  model owns no thread: it hands generators / callables to ``app.workers`` through the panel,
  and exposes plain numbers that views draw and scene checks read;
* ``migrate_legacy(values: dict) -> dict``: turns what the panel stored in a session file or
  QSettings before models existed (format 1) into a ``State.to_dict()``-shaped dict.

Nothing under ``app.models`` imports Qt, pyqtgraph or ``app.panels`` (tests/test_models_pure.py).
"""
