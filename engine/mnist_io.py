"""Real MNIST / Fashion-MNIST from files the user already has: IDX (raw or .gz) or Keras' npz.

GradLab never downloads. ``find_cached_datasets()`` looks where Keras and torchvision keep their
copies; ``load_dataset(path)`` opens a file or folder the user picked. Anything wrong — bad magic
number, truncated data, wrong shapes, image/label counts that differ, a file that is not what
its name says — raises ``DatasetError`` (a ``ValueError``) whose message names the file and the
problem, so the app can show it and keep the dataset it already has.

IDX (LeCun's format): two zero bytes, a type code (0x08 uint8 … 0x0E float64), the number of
dimensions, one big-endian uint32 per dimension, then the data, big-endian, row-major.
"""

from __future__ import annotations

import gzip
import math
import os
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from engine import validate

#: Extra places to search, separated by ``os.pathsep``; searched before the usual cache folders.
ENV_VAR = "GRADLAB_DATASETS"

#: IDX type codes → big-endian NumPy dtypes.
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}

FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

#: The four IDX files of a set; also matches "train-images.idx3-ubyte" and a ".gz" suffix.
_IDX_NAME = re.compile(r"^(train|t10k)-(images|labels)[-.]idx([13])-ubyte(\.gz)?$", re.IGNORECASE)
#: (split, kind) in a file name → the dataset part it holds, and that part's canonical file name.
_PARTS = {("train", "images"): "x_train", ("train", "labels"): "y_train",
          ("t10k", "images"): "x_test", ("t10k", "labels"): "y_test"}
_FILE_NAMES = {"x_train": "train-images-idx3-ubyte", "y_train": "train-labels-idx1-ubyte",
               "x_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte"}
_GZIP_MAGIC, _ZIP_MAGIC = b"\x1f\x8b", b"PK\x03\x04"


class DatasetError(ValueError):
    """A dataset file is missing, corrupt or not what was expected; ``path`` names it."""

    def __init__(self, path, problem: str):
        self.path, self.problem = str(path), problem
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True)
class ImageDataset:
    """Train/test images as rows in [0, 1] (``x_*`` (n, rows·cols)) and int64 labels."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    name: str
    source: str
    image_shape: tuple[int, int]
    class_names: tuple[str, ...]

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


class CachedDataset(NamedTuple):
    """A dataset found on disk (not loaded yet): pass ``path`` to ``load_dataset``."""

    name: str
    path: Path


# -- IDX -----------------------------------------------------------------------------------

def _read(path: Path) -> bytes:
    """The file's bytes, gunzipped if it starts with the gzip magic (whatever its name)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(path, "no such file") from None
    except OSError as exc:
        raise DatasetError(path, f"cannot be read ({exc.strerror or exc})") from None
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except EOFError:
            raise DatasetError(path, "gzip data is truncated (incomplete download?)") from None
        except (OSError, zlib.error) as exc:
            raise DatasetError(path, f"corrupt gzip data ({exc})") from None
    elif path.suffix.lower() == ".gz":
        raise DatasetError(path, "named .gz but is not gzip-compressed")
    return data


def load_idx(path) -> np.ndarray:
    """The array stored in an IDX file (raw or gzipped), in native byte order."""
    path = Path(path)
    data = _read(path)
    if len(data) < 4:
        raise DatasetError(path, f"too short for an IDX header ({len(data)} bytes)")
    magic = int.from_bytes(data[:4], "big")
    if data[:2] != b"\0\0":
        raise DatasetError(path, f"bad magic number 0x{magic:08X}: not an IDX file "
                                 "(IDX starts with 0x0000, then a type code and the rank)")
    code, ndim = data[2], data[3]
    if code not in IDX_DTYPES:
        raise DatasetError(path, f"unknown IDX data type code 0x{code:02X} (magic 0x{magic:08X}); "
                                 f"valid: {', '.join(f'0x{c:02X}' for c in IDX_DTYPES)}")
    if ndim == 0:
        raise DatasetError(path, "IDX header declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetError(path, f"truncated header: {ndim} dimensions need {header} bytes, "
                                 f"the file has {len(data)}")
    dims = tuple(int(d) for d in np.frombuffer(data, ">u4", ndim, 4))
    dtype = np.dtype(IDX_DTYPES[code])
    expected = math.prod(dims) * dtype.itemsize
    found = len(data) - header
    if found < expected:
        raise DatasetError(path, f"truncated: shape {dims} of {dtype.name} needs {expected} data "
                                 f"bytes, the file has {found}")
    if found > expected:
        raise DatasetError(path, f"{found - expected} unexpected bytes after the data of shape {dims}")
    array = np.frombuffer(data, dtype, math.prod(dims), header).reshape(dims)
    return array.astype(dtype.newbyteorder("="))


# -- building a dataset --------------------------------------------------------------------

def _images(path, x, what: str, dtype) -> tuple[np.ndarray, tuple[int, int]]:
    """(n, rows, cols) or (n, side²) pixels → float rows in [0, 1] and the image shape."""
    x = np.asarray(x)
    if x.ndim == 2 and x.shape[1] > 0 and math.isqrt(x.shape[1]) ** 2 == x.shape[1]:
        side = math.isqrt(x.shape[1])
        x = x.reshape(len(x), side, side)
    if x.ndim != 3 or 0 in x.shape:
        raise DatasetError(path, f"{what} have shape {x.shape}; expected (n, rows, cols) images")
    if x.dtype.kind not in "uif":
        raise DatasetError(path, f"{what} have dtype {x.dtype}; expected numbers")
    if x.dtype == np.uint8:
        scale = 1 / 255
    else:
        try:  # row = image, column = pixel (row-major), as the rows the trainer will see
            validate.finite_rows(x.reshape(len(x), -1), what)
        except ValueError as exc:
            raise DatasetError(path, str(exc)) from None
        lo, hi = float(np.min(x)), float(np.max(x))
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo < 0 or hi > 255:
            raise DatasetError(path, f"{what} have values in [{lo:g}, {hi:g}]; expected 0…255 or 0…1")
        scale = 1.0 if hi <= 1 and x.dtype.kind == "f" else 1 / 255
    flat = x.reshape(len(x), -1).astype(dtype)
    flat *= dtype.type(scale)
    return flat, x.shape[1:]


def _labels(path, y, what: str) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1:
        raise DatasetError(path, f"{what} have shape {y.shape}; expected one label per image (n,)")
    if y.dtype.kind not in "ui":
        raise DatasetError(path, f"{what} have dtype {y.dtype}; expected integer class labels")
    if y.size and y.min() < 0:
        raise DatasetError(path, f"{what} contain negative values")
    return y.astype(np.int64)


def _name(path: Path) -> str:
    text = str(path).lower()
    if "fashion" in text:
        return "Fashion-MNIST"
    if "mnist" in text:
        return "MNIST"
    return path.stem if path.is_file() else path.name


def _dataset(source: Path, parts: dict, files: dict, dtype) -> ImageDataset:
    """Validate and convert ``parts`` (x_train, y_train, x_test, y_test); ``files`` names each."""
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    x_train, shape = _images(files["x_train"], parts["x_train"], "training images", dtype)
    x_test, test_shape = _images(files["x_test"], parts["x_test"], "test images", dtype)
    y_train = _labels(files["y_train"], parts["y_train"], "training labels")
    y_test = _labels(files["y_test"], parts["y_test"], "test labels")
    for split, x, y in (("training", x_train, y_train), ("test", x_test, y_test)):
        if len(x) != len(y):
            key = "y_train" if split == "training" else "y_test"
            raise DatasetError(files[key], f"{len(y)} {split} labels for {len(x)} {split} images")
    if shape != test_shape:
        raise DatasetError(files["x_test"], f"test images are {test_shape[0]}×{test_shape[1]}, "
                                            f"training images {shape[0]}×{shape[1]}")
    name = _name(source)
    # MNIST and Fashion-MNIST have 10 classes: a label outside them is an error, never a silently
    # widened class count. Any other set has the classes its labels show (0 … the largest).
    known = name in ("MNIST", "Fashion-MNIST")
    n_classes = 10 if known else int(max(y_train.max(initial=0), y_test.max(initial=0))) + 1
    for key, y in (("y_train", y_train), ("y_test", y_test)):
        outside = np.flatnonzero(y >= n_classes)
        if outside.size:
            i = int(outside[0])
            raise DatasetError(files[key], f"label {y[i]} at row {i} is outside the {n_classes} classes "
                                           f"0…{n_classes - 1} ({outside.size} labels are)")
    class_names = FASHION_CLASSES if name == "Fashion-MNIST" else tuple(str(c) for c in range(n_classes))
    return ImageDataset(x_train, y_train, x_test, y_test, name, str(source), tuple(shape), class_names)


# -- npz -----------------------------------------------------------------------------------

def load_mnist_npz(path, dtype=np.float32) -> ImageDataset:
    """Keras' ``mnist.npz`` (or any npz with x_train, y_train, x_test, y_test)."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            head = f.read(4)
    except FileNotFoundError:
        raise DatasetError(path, "no such file") from None
    except OSError as exc:
        raise DatasetError(path, f"cannot be read ({exc.strerror or exc})") from None
    if head != _ZIP_MAGIC:
        raise DatasetError(path, "not an npz file (npz files are zip archives)")
    keys = tuple(_FILE_NAMES)
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in keys if k not in npz.files]
            if missing:
                raise DatasetError(path, f"lacks {', '.join(missing)} (has: {', '.join(npz.files) or 'nothing'})")
            parts = {k: npz[k] for k in keys}
    except DatasetError:
        raise
    except ValueError as exc:
        if "allow_pickle" not in str(exc):
            raise DatasetError(path, f"corrupt npz archive ({exc})") from None
        raise DatasetError(path, "holds pickled Python objects, which are not loaded "
                                 "(unpickling can run code)") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise DatasetError(path, f"corrupt npz archive ({exc})") from None
    return _dataset(path, parts, dict.fromkeys(keys, path), dtype)


# -- folders ---------------------------------------------------------------------------------

def _idx_files(folder: Path) -> dict:
    """{"x_train": path, …} for the IDX files in ``folder`` (uncompressed preferred)."""
    found = {}
    try:
        entries = sorted(folder.iterdir(), key=lambda p: (p.suffix.lower() == ".gz", p.name))
    except OSError:
        return found
    for entry in entries:
        m = _IDX_NAME.match(entry.name)
        if m and entry.is_file():
            found.setdefault(_PARTS[(m.group(1).lower(), m.group(2).lower())], entry)
    return found


def _load_idx_folder(folder: Path, files: dict, dtype) -> ImageDataset:
    missing = [name for key, name in _FILE_NAMES.items() if key not in files]
    if missing:
        raise DatasetError(folder, f"missing {', '.join(m + '[.gz]' for m in missing)}")
    parts = {key: load_idx(p) for key, p in files.items()}
    return _dataset(folder, parts, files, dtype)


def _candidates(folder: Path):
    """Where a set may sit under ``folder``: itself, then torchvision's layouts."""
    yield folder
    for sub in ("raw", "MNIST/raw", "FashionMNIST/raw", "fashion-mnist"):
        yield folder / sub


def load_dataset(path, dtype=np.float32) -> ImageDataset:
    """Load MNIST-style data from an npz file, an IDX file (its folder's four files are used),
    or a folder holding the four IDX files, ``mnist.npz`` or torchvision's ``MNIST/raw``."""
    path = Path(path).expanduser()
    if not path.exists():
        raise DatasetError(path, "no such file or folder")
    if path.is_file():
        with path.open("rb") as f:
            head = f.read(4)
        if head == _ZIP_MAGIC or path.suffix.lower() == ".npz":
            return load_mnist_npz(path, dtype)
        if _IDX_NAME.match(path.name):
            return _load_idx_folder(path.parent, _idx_files(path.parent), dtype)
        raise DatasetError(path, "neither an npz archive nor one of the four MNIST IDX files "
                                 "(train-images-idx3-ubyte[.gz], …)")
    for folder in _candidates(path):
        files = _idx_files(folder)
        if files:  # all four, or an error that says which are missing
            return _load_idx_folder(folder, files, dtype)
    npz = sorted(path.glob("*.npz"))
    if npz:
        return load_mnist_npz(path / "mnist.npz" if (path / "mnist.npz").is_file() else npz[0], dtype)
    raise DatasetError(path, "no MNIST files here: expected train-images-idx3-ubyte[.gz], "
                             "train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], "
                             "t10k-labels-idx1-ubyte[.gz] or an npz archive")


def find_cached_datasets(home=None, cwd=None, environ=None) -> list[CachedDataset]:
    """Datasets already on disk, without loading them: ``$GRADLAB_DATASETS`` entries first, then
    Keras (``$KERAS_HOME`` or ``~/.keras``: ``datasets/mnist.npz``, ``datasets/fashion-mnist/``)
    and torchvision (``./data`` and ``~/data``: ``MNIST/raw``, ``FashionMNIST/raw``).

    Only cheap checks are made (the files exist); ``load_dataset`` may still reject one.
    """
    home = Path.home() if home is None else Path(home)
    cwd = Path.cwd() if cwd is None else Path(cwd)
    environ = os.environ if environ is None else environ
    places: list[Path] = [Path(p).expanduser() for p in environ.get(ENV_VAR, "").split(os.pathsep) if p]
    keras = Path(environ["KERAS_HOME"]) if environ.get("KERAS_HOME") else home / ".keras"
    places += [keras / "datasets" / "mnist.npz", keras / "datasets" / "fashion-mnist"]
    for root in (cwd / "data", home / "data"):
        places += [root / "MNIST" / "raw", root / "FashionMNIST" / "raw"]
    found, seen = [], set()
    for place in places:
        hit = _find_in(place)
        if hit is not None and hit.resolve() not in seen:
            seen.add(hit.resolve())
            found.append(CachedDataset(_name(hit), hit))
    return found


def _find_in(place: Path) -> Path | None:
    """``place`` (or the folder under it that holds the files) if it looks like a dataset."""
    try:
        if place.is_file():
            return place if place.suffix.lower() == ".npz" else None
        if not place.is_dir():
            return None
        for folder in _candidates(place):
            if len(_idx_files(folder)) == 4:
                return folder
        mnist = place / "mnist.npz"
        return mnist if mnist.is_file() else None
    except OSError:
        return None
