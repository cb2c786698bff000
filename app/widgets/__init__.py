"""Widgets shared by every panel: sliders, plot styling, colours and the error banner.

Panels compose these instead of copying code, so all of GradLab looks and behaves alike.
"""
