"""The UCI optical-recognition digits: 1,797 real handwritten digits as 8×8 images, offline.

E. Alpaydin and C. Kaynak, "Optical Recognition of Handwritten Digits", UCI Machine Learning
Repository (1998), CC BY 4.0; scikit-learn ships the same file (``load_digits``). 43 writers'
32×32 bitmaps were cut into 4×4 blocks and the ink counted per block, so each pixel is an
integer 0…16. GradLab bundles them as ``resources/data/uci_digits.npz`` (``images`` uint8
(1797, 64), ``labels`` uint8) so a *real* image set trains in seconds without any download,
beside the synthetic digits (``engine.digits``) and MNIST files the user opens.

The engine does not import the app, so ``default_file()`` finds the bundled file the way
``app.i18n.resource_root`` does: the installed ``gradlab_resources`` package, else the
``resources/`` folder of a source checkout.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import numpy as np

NAME = "UCI digits (8×8)"
IMAGE_SHAPE = (8, 8)
N_CLASSES = 10
CLASS_NAMES = tuple(str(d) for d in range(10))
N_SAMPLES = 1797
MAX_INK = 16.0  # each pixel counts the inked pixels of a 4×4 block
_FILE = ("data", "uci_digits.npz")


def default_file():
    """The bundled npz (a ``Traversable`` or ``Path``); ``FileNotFoundError`` if it is missing."""
    try:
        found = importlib.resources.files("gradlab_resources").joinpath(*_FILE)
    except ModuleNotFoundError:
        found = Path(__file__).resolve().parent.parent.joinpath("resources", *_FILE)
    if not found.is_file():
        raise FileNotFoundError(f"GradLab's bundled UCI digits (resources/{'/'.join(_FILE)}) are missing; "
                                "reinstall GradLab with pip install .")
    return found


def load(file=None) -> tuple[np.ndarray, np.ndarray]:
    """``(x, labels)``: ``x`` float64 (1797, 64) in [0, 1] (ink / 16), labels int64 0…9."""
    source = default_file() if file is None else file
    with source.open("rb") if hasattr(source, "open") else open(source, "rb") as f:
        with np.load(f) as archive:
            images, labels = archive["images"], archive["labels"]
    if images.shape != (N_SAMPLES, 64) or labels.shape != (N_SAMPLES,):
        raise ValueError(f"the UCI digits file has shapes {images.shape}, {labels.shape}; "
                         f"expected ({N_SAMPLES}, 64) and ({N_SAMPLES},)")
    return images.astype(np.float64) / MAX_INK, labels.astype(np.int64)
