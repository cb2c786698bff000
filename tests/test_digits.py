"""Synthetic digits: shape, balance, determinism, range, speed, and learnable but not trivial."""


import numpy as np
import pytest

from engine import digits


def nearest_centroid_accuracy(x_train, y_train, x_test, y_test):
    centroids = np.stack([x_train[y_train == c].mean(axis=0) for c in range(10)])
    d = (x_test ** 2).sum(1)[:, None] - 2 * x_test @ centroids.T + (centroids ** 2).sum(1)
    return float(np.mean(d.argmin(axis=1) == y_test))


def test_shapes_dtypes_range_and_balance():
    x, y = digits.make_digits(1003, seed=1)
    assert x.shape == (1003, 784) and x.dtype == np.float32
    assert y.shape == (1003,) and y.dtype == np.int64
    assert x.min() >= 0.0 and x.max() <= 1.0
    counts = np.bincount(y, minlength=10)
    assert counts.max() - counts.min() <= 1 and counts.sum() == 1003
    assert not np.array_equal(y[:10], np.arange(10))  # shuffled, not in class order
    assert digits.make_digits(5, dtype=np.float64)[0].dtype == np.float64


def test_mnist_like_images():
    """White strokes on black: mostly background, a fully lit core, centred, ~20 px tall."""
    x, _ = digits.make_digits(500, seed=2)
    imgs = x.reshape(-1, 28, 28)
    assert 0.7 < np.mean(x == 0) < 0.9  # MNIST: 81 % exact zeros
    assert np.all(x.max(axis=1) == 1.0)
    border = np.concatenate([imgs[:, 0], imgs[:, -1], imgs[:, :, 0], imgs[:, :, -1]], axis=1)
    assert np.mean(border.max(axis=1) > 0) < 0.03  # hardly ever cut off at the edge
    rows = np.nonzero(imgs.sum(axis=2) > 0)
    heights = np.array([np.ptp(rows[1][rows[0] == i]) + 1 for i in range(len(imgs))])
    assert 16 <= np.median(heights) <= 24
    mass = imgs.sum(axis=(0, 1))
    centre_x = (mass * np.arange(28)).sum() / mass.sum()
    assert abs(centre_x - 13.5) < 1.5


def test_deterministic_per_seed():
    a = digits.make_digits(300, seed=7, noise=0.1)
    b = digits.make_digits(300, seed=7, noise=0.1)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    c = digits.make_digits(300, seed=8, noise=0.1)
    assert not np.array_equal(a[0], c[0])


def test_noise_and_distortion_knobs():
    clean, y = digits.make_digits(200, seed=3, distortion=0.0)
    # without distortion every sample is its template at one of a few stroke widths
    ones = clean[y == 1]
    assert np.abs(ones - ones.mean(0)).max() < 1.0 and np.all(clean.max(axis=1) == 1.0)
    noisy, _ = digits.make_digits(200, seed=3, noise=0.2)
    assert noisy.min() >= 0.0 and noisy.max() <= 1.0
    assert np.mean(noisy == 0) < 0.6  # the background is no longer clean
    for bad in (dict(noise=-0.1), dict(distortion=float("nan")), dict(noise="a")):
        with pytest.raises(ValueError):
            digits.make_digits(10, **bad)
    with pytest.raises(ValueError, match="n_samples"):
        digits.make_digits(0)
    with pytest.raises(ValueError, match="dtype"):
        digits.make_digits(5, dtype=np.int32)


def test_learnable_but_not_trivial():
    x, y = digits.make_digits(3000, seed=0)
    acc = nearest_centroid_accuracy(x[:2000], y[:2000], x[2000:], y[2000:])
    assert 0.6 < acc < 0.95  # chance is 0.1; MNIST's nearest-centroid accuracy is 0.82
    # harder with more distortion, easy without: the knob really controls difficulty
    xc, yc = digits.make_digits(1000, seed=0, distortion=0.0)
    assert nearest_centroid_accuracy(xc[:500], yc[:500], xc[500:], yc[500:]) > 0.97
    xw, yw = digits.make_digits(3000, seed=0, distortion=2.0)
    assert nearest_centroid_accuracy(xw[:2000], yw[:2000], xw[2000:], yw[2000:]) < acc - 0.1


def test_softmax_regression_beats_nearest_centroid():
    x, y = digits.make_digits(2500, seed=4)
    xt, yt, xs, ys = x[:2000], y[:2000], x[2000:], y[2000:]
    w, b, onehot = np.zeros((784, 10), np.float32), np.zeros(10, np.float32), np.eye(10, dtype=np.float32)[yt]
    for _ in range(60):
        z = xt @ w + b
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) / len(xt)
        w -= 1.0 * (xt.T @ g)
        b -= 1.0 * g.sum(axis=0)
    acc = float(np.mean((xs @ w + b).argmax(axis=1) == ys))
    assert acc > 0.8
    assert acc > nearest_centroid_accuracy(xt, yt, xs, ys)



def test_labelled_as_synthetic():
    assert "not MNIST" in digits.NAME and digits.CLASS_NAMES == tuple("0123456789")
