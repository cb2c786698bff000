"""GradLab's version, read from the installed package metadata (a leaf: imports nothing of app)."""

from __future__ import annotations

FALLBACK = "0.1.0"  # pyproject's version, for a checkout run without installing


def app_version() -> str:
    """GradLab's version (installed metadata, else pyproject's default)."""
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("gradlab")
    except (ImportError, PackageNotFoundError):
        return FALLBACK
