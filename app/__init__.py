"""GradLab's Qt layer: windows, panels and the workers that drive the engine.

Only this package imports Qt. It does no math beyond plumbing: every number it shows comes from
``engine``, computed in worker threads, and widgets are touched on the GUI thread only.
"""
