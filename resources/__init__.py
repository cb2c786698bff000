"""GradLab's data files: translations (``i18n/<lang>/*.json``) and the bundled Hangul font.

This folder is installed as the package ``gradlab_resources`` (see ``setup.py``), so the files
travel inside the wheel and are read with ``importlib.resources`` from a wheel, a zip or an
editable install alike. ``app.i18n.resource_root()`` finds it.
"""
