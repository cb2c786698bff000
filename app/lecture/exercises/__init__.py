"""Exercises as data, one module per panel (``EXERCISES`` tuple), like ``app.lecture.scenes``."""
