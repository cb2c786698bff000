"""MNIST / Fashion-MNIST readers on small valid and corrupt files built in tmp_path (no downloads)."""

import gzip
import os

import numpy as np
import pytest

from engine.mnist_io import (
    FASHION_CLASSES,
    DatasetError,
    find_cached_datasets,
    load_dataset,
    load_idx,
    load_mnist_npz,
)

CODES = {np.dtype("u1"): 0x08, np.dtype("i1"): 0x09, np.dtype("i2"): 0x0B, np.dtype("i4"): 0x0C,
         np.dtype("f4"): 0x0D, np.dtype("f8"): 0x0E}


def idx_bytes(array) -> bytes:
    array = np.asarray(array)
    header = bytes([0, 0, CODES[array.dtype], array.ndim])
    header += b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_idx(path, array, gz=False):
    data = idx_bytes(array)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def fake_set(seed=0, n_train=12, n_test=5):
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test, dtype=np.uint8),
    }


NAMES = {"x_train": "train-images-idx3-ubyte", "y_train": "train-labels-idx1-ubyte",
         "x_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte"}


def write_idx_folder(folder, parts, gz=False):
    folder.mkdir(parents=True, exist_ok=True)
    for key, array in parts.items():
        write_idx(folder / (NAMES[key] + (".gz" if gz else "")), array, gz)
    return folder


def check_loaded(ds, parts):
    for split in ("train", "test"):
        x, y = getattr(ds, f"x_{split}"), getattr(ds, f"y_{split}")
        assert x.dtype == np.float32 and x.shape == (len(parts[f"x_{split}"]), 784)
        assert 0.0 <= x.min() and x.max() <= 1.0
        np.testing.assert_allclose(x * 255, parts[f"x_{split}"].reshape(len(x), -1), atol=1e-4)
        assert y.dtype == np.int64
        np.testing.assert_array_equal(y, parts[f"y_{split}"])
    assert ds.image_shape == (28, 28)


def expect_error(match, fn, *args, name=None):
    with pytest.raises(DatasetError, match=match) as info:
        fn(*args)
    if name is not None:
        assert name in str(info.value)  # the message names the culprit file
    return info.value


# -- IDX -------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["u1", "i1", "i2", "i4", "f4", "f8"])
@pytest.mark.parametrize("gz", [False, True])
def test_idx_round_trip(tmp_path, dtype, gz):
    a = (np.arange(2 * 3 * 4) - 7).reshape(2, 3, 4).astype(dtype) if dtype != "u1" else \
        np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    got = load_idx(write_idx(tmp_path / ("a.idx.gz" if gz else "a.idx"), a, gz))
    assert got.dtype == np.dtype(dtype) and got.dtype.isnative
    np.testing.assert_array_equal(got, a)


def test_gzip_is_detected_by_content_not_name(tmp_path):
    a = np.arange(6, dtype=np.uint8)
    p = tmp_path / "labels-without-suffix"
    p.write_bytes(gzip.compress(idx_bytes(a)))
    np.testing.assert_array_equal(load_idx(p), a)


@pytest.mark.parametrize("data, match", [
    (b"\x00\x00", "too short"),
    (b"\x12\x34\x08\x01" + b"\x00" * 8, "bad magic number 0x12340801"),
    (b"\x00\x00\x0a\x01\x00\x00\x00\x01\x00", "unknown IDX data type code 0x0A"),
    (b"\x00\x00\x08\x00", "0 dimensions"),
    (b"\x00\x00\x08\x03\x00\x00\x00\x02", "truncated header"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x05abc", r"truncated: shape \(5,\) of uint8 needs 5 data bytes, the file has 3"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x02abcd", "2 unexpected bytes"),
    (b"\x00\x00\x0c\x01\x00\x00\x00\x02" + b"\x00" * 7, "needs 8 data bytes"),
])
def test_corrupt_idx(tmp_path, data, match):
    p = tmp_path / "bad-idx"
    p.write_bytes(data)
    err = expect_error(match, load_idx, p, name=str(p))
    assert isinstance(err, ValueError) and err.path == str(p)


def test_corrupt_gzip(tmp_path):
    good = gzip.compress(idx_bytes(np.arange(1000, dtype=np.uint8)))
    truncated = tmp_path / "t.gz"
    truncated.write_bytes(good[: len(good) // 2])
    expect_error("truncated", load_idx, truncated, name="t.gz")
    broken = tmp_path / "b.gz"
    broken.write_bytes(good[:10] + bytes(b ^ 0xFF for b in good[10:30]) + good[30:])
    expect_error("corrupt gzip", load_idx, broken, name="b.gz")
    fake = tmp_path / "f.gz"
    fake.write_bytes(idx_bytes(np.arange(3, dtype=np.uint8)))
    expect_error("not gzip", load_idx, fake)
    expect_error("no such file", load_idx, tmp_path / "missing")


# -- folders of IDX files --------------------------------------------------------------------

def test_keras_fashion_folder_of_gz_files(tmp_path):
    parts = fake_set(1)
    ds = load_dataset(write_idx_folder(tmp_path / "fashion-mnist", parts, gz=True))
    check_loaded(ds, parts)
    assert ds.name == "Fashion-MNIST" and ds.class_names == FASHION_CLASSES and ds.n_classes == 10


def test_raw_files_torchvision_root_and_single_file(tmp_path):
    parts = fake_set(2)
    raw = write_idx_folder(tmp_path / "data" / "MNIST" / "raw", parts)
    for target in (raw, tmp_path / "data" / "MNIST", tmp_path / "data", raw / NAMES["y_test"]):
        ds = load_dataset(target)
        check_loaded(ds, parts)
        assert ds.name == "MNIST" and ds.class_names == tuple("0123456789")
        assert ds.source == str(raw)


def test_dotted_names_and_float64(tmp_path):
    parts = fake_set(3)
    folder = tmp_path / "digits"
    folder.mkdir()
    for key, array in parts.items():  # some downloads name them train-images.idx3-ubyte
        write_idx(folder / NAMES[key].replace("-idx", ".idx"), array)
    ds = load_dataset(folder, dtype=np.float64)
    assert ds.x_train.dtype == np.float64 and ds.name == "digits"


def test_missing_file_is_named(tmp_path):
    parts = fake_set()
    folder = write_idx_folder(tmp_path / "mnist", parts)
    (folder / NAMES["y_test"]).unlink()
    expect_error(r"missing t10k-labels-idx1-ubyte\[\.gz\]", load_dataset, folder)


def test_count_mismatch_names_the_label_file(tmp_path):
    parts = fake_set()
    parts["y_train"] = parts["y_train"][:-1]
    folder = write_idx_folder(tmp_path / "mnist", parts)
    expect_error("11 training labels for 12 training images", load_dataset, folder,
                 name=NAMES["y_train"])


def test_wrong_shapes(tmp_path):
    parts = fake_set()
    parts["x_train"], parts["y_train"] = parts["y_train"], parts["x_train"]  # swapped files
    folder = write_idx_folder(tmp_path / "swapped", parts)
    expect_error(r"training images have shape \(12,\)", load_dataset, folder, name=NAMES["x_train"])
    parts = fake_set()
    parts["x_test"] = parts["x_test"][:, :20, :20]
    expect_error("test images are 20×20, training images 28×28", load_dataset,
                 write_idx_folder(tmp_path / "sizes", parts))
    parts = fake_set()
    parts["y_test"] = parts["y_test"].astype(np.float32)
    expect_error("expected integer class labels", load_dataset, write_idx_folder(tmp_path / "fl", parts))


def test_corrupt_member_of_a_folder(tmp_path):
    folder = write_idx_folder(tmp_path / "mnist", fake_set(), gz=True)
    p = folder / (NAMES["x_test"] + ".gz")
    p.write_bytes(p.read_bytes()[:-20])
    expect_error("truncated", load_dataset, folder, name=p.name)


def test_unknown_files_and_folders(tmp_path):
    expect_error("no such file or folder", load_dataset, tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    expect_error("no MNIST files here", load_dataset, tmp_path / "empty")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    expect_error("neither an npz archive nor", load_dataset, text)


# -- npz ---------------------------------------------------------------------------------------

def test_keras_npz(tmp_path):
    parts = fake_set(4)
    p = tmp_path / "mnist.npz"
    np.savez_compressed(p, **parts)
    for loader in (load_mnist_npz, load_dataset):
        ds = loader(p)
        check_loaded(ds, parts)
        assert ds.name == "MNIST"
    # a folder holding mnist.npz works too, and flattened float images in [0, 1] are accepted
    np.savez(tmp_path / "other.npz", **{k: (v.reshape(len(v), -1) / 255.0 if k[0] == "x" else v)
                                        for k, v in parts.items()})
    check_loaded(load_dataset(tmp_path), parts)
    check_loaded(load_mnist_npz(tmp_path / "other.npz"), parts)


def test_bad_npz(tmp_path):
    parts = fake_set()
    fake = tmp_path / "mnist.npz"
    fake.write_bytes(b"this is not a zip archive")
    expect_error("not an npz file", load_mnist_npz, fake, name="mnist.npz")
    expect_error("not an npz file", load_dataset, fake)

    partial = tmp_path / "partial.npz"
    np.savez(partial, x_train=parts["x_train"], y_train=parts["y_train"])
    expect_error("lacks x_test, y_test", load_mnist_npz, partial)

    good = tmp_path / "good.npz"
    np.savez_compressed(good, **parts)
    cut = tmp_path / "cut.npz"
    cut.write_bytes(good.read_bytes()[:200])
    expect_error("corrupt npz", load_mnist_npz, cut, name="cut.npz")

    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, **{**parts, "y_test": np.array([object()] * 5)})
    expect_error("pickled Python objects", load_mnist_npz, pickled)

    mismatch = tmp_path / "mismatch.npz"
    np.savez(mismatch, **{**parts, "y_test": parts["y_test"][:3]})
    expect_error("3 test labels for 5 test images", load_mnist_npz, mismatch)

    values = tmp_path / "values.npz"
    np.savez(values, **{**parts, "x_train": parts["x_train"] * 300.0})
    expect_error("expected 0…255 or 0…1", load_mnist_npz, values)
    expect_error("no such file", load_mnist_npz, tmp_path / "missing.npz")


# -- cache folders -----------------------------------------------------------------------------

def test_find_cached_datasets(tmp_path):
    home, cwd, extra = tmp_path / "home", tmp_path / "project", tmp_path / "elsewhere"
    assert find_cached_datasets(home=home, cwd=cwd, environ={}) == []
    (home / ".keras" / "datasets").mkdir(parents=True)
    np.savez(home / ".keras" / "datasets" / "mnist.npz", **fake_set())
    write_idx_folder(home / ".keras" / "datasets" / "fashion-mnist", fake_set(), gz=True)
    write_idx_folder(cwd / "data" / "MNIST" / "raw", fake_set())
    write_idx_folder(home / "data" / "FashionMNIST" / "raw", fake_set())
    incomplete = write_idx_folder(cwd / "data" / "FashionMNIST" / "raw", fake_set())
    (incomplete / NAMES["x_train"]).unlink()
    write_idx_folder(extra / "my-set", fake_set())
    found = find_cached_datasets(home=home, cwd=cwd, environ={"GRADLAB_DATASETS": str(extra / "my-set")})
    assert [(f.name, f.path) for f in found] == [
        ("my-set", extra / "my-set"),
        ("MNIST", home / ".keras" / "datasets" / "mnist.npz"),
        ("Fashion-MNIST", home / ".keras" / "datasets" / "fashion-mnist"),
        ("MNIST", cwd / "data" / "MNIST" / "raw"),
        ("Fashion-MNIST", home / "data" / "FashionMNIST" / "raw"),
    ]
    for f in found:  # every hit really loads
        assert load_dataset(f.path).x_train.shape == (12, 784)


def test_find_cached_respects_keras_home_and_dedupes(tmp_path):
    keras = tmp_path / "kh"
    (keras / "datasets").mkdir(parents=True)
    np.savez(keras / "datasets" / "mnist.npz", **fake_set())
    env = {"KERAS_HOME": str(keras), "GRADLAB_DATASETS": os.pathsep.join([str(keras / "datasets"), ""])}
    found = find_cached_datasets(home=tmp_path / "h", cwd=tmp_path / "c", environ=env)
    assert [f.path for f in found] == [keras / "datasets" / "mnist.npz"]
