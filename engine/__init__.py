"""GradLab's engine: every computation of the lecture in pure NumPy.

The engine never imports Qt. The app drives it from worker threads, so every long computation
here is a stepper or a generator that can be advanced one unit at a time and abandoned at any
point. Submodules are imported lazily by their users (``from engine import optimizers``).
"""

__all__ = [
    "activations",
    "datasets",
    "digits",
    "gradcheck",
    "history",
    "init",
    "init_experiment",
    "layers",
    "mnist_io",
    "network",
    "optimizers",
    "registry",
    "stats",
    "surfaces",
    "threads",
    "training",
    "trajectory",
]
