"""engine.layers: backprop of every layer vs central differences, BatchNorm vs PyTorch,
dropout statistics, the stable softmax cross-entropy, buffers and dtypes."""

from pathlib import Path

import numpy as np
import pytest

from engine import activations
from engine.gradcheck import numerical_gradient, relative_error
from engine.layers import ActivationLayer, BatchNorm, Dense, Dropout, PReLU, SoftmaxCrossEntropy

TOL = 1e-7
REFERENCE = Path(__file__).parent / "data" / "torch_layer_reference.npz"


def rng(seed=0):
    return np.random.default_rng(seed)


def off_kinks(shape, seed=0):
    x = rng(seed).standard_normal(shape) * 2
    return np.where(x >= 0, x + 0.05, x - 0.05)


def check_layer(layer, x, train=True, reseed=None):
    """Compare dx and every param grad with numerical gradients of Σ dout·forward(x)."""
    out = layer.forward(x, train)
    dout = rng(99).standard_normal(out.shape)

    def f():
        if reseed:
            reseed()
        return float(np.sum(dout * layer.forward(x, train)))

    if reseed:
        reseed()
    layer.forward(x, train)
    dx = np.array(layer.backward(dout), copy=True)
    grads = {k: g.copy() for k, g in layer.grads.items()}
    assert relative_error(dx, numerical_gradient(f, x)) < TOL
    for k, p in layer.params.items():
        num = numerical_gradient(f, p)
        assert np.abs(num).max() > 1e-3, f"{k}: vacuous check"
        assert relative_error(grads[k], num) < TOL, k
    return dx


def test_dense_gradients_and_values():
    W, b = rng(1).standard_normal((5, 3)), rng(2).standard_normal(3)
    layer = Dense(W, b)
    x = rng(3).standard_normal((4, 5))
    assert np.allclose(layer.forward(x), x @ W + b)
    check_layer(layer, x)
    assert layer.params["W"] is W  # the caller's array is the parameter (updated in place)


def test_dense_without_input_grad_returns_none_but_fills_grads():
    layer = Dense(rng(1).standard_normal((5, 3)), np.zeros(3), input_grad=False)
    x = rng(3).standard_normal((4, 5))
    layer.forward(x)
    assert layer.backward(np.ones((4, 3))) is None
    assert np.allclose(layer.grads["W"], x.T @ np.ones((4, 3)))
    assert np.allclose(layer.grads["b"], 4.0)


def test_dense_grads_are_overwritten_in_place_not_reallocated():
    layer = Dense(rng(1).standard_normal((5, 3)), np.zeros(3))
    gW = layer.grads["W"]
    for seed in (3, 4):
        x = rng(seed).standard_normal((4, 5))
        layer.forward(x)
        layer.backward(np.ones((4, 3)))
        assert layer.grads["W"] is gW and np.allclose(gW, x.T @ np.ones((4, 3)))  # not accumulated


def test_dense_bad_input():
    with pytest.raises(ValueError, match="2-D"):
        Dense(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="b must have shape"):
        Dense(np.zeros((2, 3)), np.zeros(2))
    with pytest.raises(ValueError, match=r"\(batch, 2\)"):
        Dense(np.zeros((2, 3)), np.zeros(3)).forward(np.zeros((4, 5)))


ACT_CASES = [(n, kw) for n in activations.names() if n != "prelu"
             for kw in ({"alpha": 0.2},) if n in ("leaky_relu", "elu")] + \
            [(n, {}) for n in activations.names() if n != "prelu"]


@pytest.mark.parametrize("name,kw", ACT_CASES, ids=lambda v: str(v))
def test_activation_layer_gradients(name, kw):
    layer = ActivationLayer(activations.get(name, **kw))
    x = off_kinks((4, 6), seed=5)
    out = layer.forward(x)
    assert np.allclose(out, activations.get(name, **kw).forward(x))
    if name == "step":  # derivative 0 everywhere: just check backward says so
        layer.forward(x)
        assert np.all(layer.backward(np.ones_like(x)) == 0)
        return
    check_layer(layer, x)


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "identity", "leaky_relu", "elu"])
def test_activation_layer_keeps_float32_and_does_not_modify_inputs(name):
    layer = ActivationLayer(name)
    x = off_kinks((4, 6)).astype(np.float32)
    dout = np.ones_like(x)
    x0, d0 = x.copy(), dout.copy()
    y = layer.forward(x)
    dx = layer.backward(dout)
    assert y.dtype == np.float32 and dx.dtype == np.float32
    assert np.array_equal(x, x0) and np.array_equal(dout, d0)
    assert layer.x is x and layer.dout is dout and layer.y is y and layer.dx is dx


def test_activation_layer_rejects_prelu_and_non_activations():
    with pytest.raises(ValueError, match="layers.PReLU"):
        ActivationLayer("prelu")
    with pytest.raises(ValueError, match="engine.activations"):
        ActivationLayer(np.tanh)
    with pytest.raises(ValueError, match="unknown activation"):
        ActivationLayer("swishy")


@pytest.mark.parametrize("alpha", [0.25, 0.05, 1.7])
def test_prelu_gradients(alpha):
    layer = PReLU(alpha)
    assert layer.params["alpha"].shape == (1,)
    x = off_kinks((5, 4), seed=7)
    assert np.allclose(layer.forward(x), np.where(x > 0, x, alpha * x))
    check_layer(layer, x)


def test_prelu_float32():
    layer = PReLU(dtype=np.float32)
    y = layer.forward(off_kinks((3, 3)).astype(np.float32))
    dx = layer.backward(np.ones((3, 3), np.float32))
    assert y.dtype == dx.dtype == layer.grads["alpha"].dtype == np.float32


def make_bn(F=4, seed=8):
    bn = BatchNorm(F)
    bn.params["gamma"][:] = rng(seed).uniform(0.5, 2.0, F)
    bn.params["beta"][:] = rng(seed + 1).standard_normal(F)
    return bn


def test_batchnorm_train_gradients_and_normalization():
    bn = make_bn()
    x = rng(10).standard_normal((6, 4)) * 3 + 2
    bn.params["gamma"][:] = 1.0
    bn.params["beta"][:] = 0.0
    y = bn.forward(x)
    assert np.allclose(y.mean(axis=0), 0, atol=1e-12)
    assert np.allclose(y.var(axis=0), 1 / (1 + 1e-5 / x.var(axis=0)))
    bn = make_bn()
    check_layer(bn, x, train=True)


def test_batchnorm_eval_gradients():
    bn = make_bn()
    bn.running_mean[:] = [0.5, -1.0, 2.0, 0.0]
    bn.running_var[:] = [1.5, 0.3, 4.0, 1.0]
    x = rng(11).standard_normal((5, 4))
    y = bn.forward(x, train=False)
    expected = (x - bn.running_mean) / np.sqrt(bn.running_var + 1e-5) * bn.params["gamma"] + bn.params["beta"]
    assert np.allclose(y, expected)
    check_layer(bn, x, train=False)


def run_bn_like_reference(ref, dtype=np.float64):
    bn = BatchNorm(ref["gamma"].size, eps=float(ref["eps"]), momentum=float(ref["momentum"]), dtype=dtype)
    bn.params["gamma"][:] = ref["gamma"]
    bn.params["beta"][:] = ref["beta"]
    results = {k: [] for k in ("y", "dx", "dgamma", "dbeta", "running_mean", "running_var")}
    for x, dout in zip(ref["x"], ref["dout"]):
        results["y"].append(bn.forward(x.astype(dtype)).copy())
        results["dx"].append(bn.backward(dout.astype(dtype)).copy())
        results["dgamma"].append(bn.grads["gamma"].copy())
        results["dbeta"].append(bn.grads["beta"].copy())
        results["running_mean"].append(bn.running_mean.copy())
        results["running_var"].append(bn.running_var.copy())
    out = {k: np.array(v) for k, v in results.items()}
    out["y_eval"] = bn.forward(ref["x_eval"].astype(dtype), train=False).copy()
    out["dx_eval"] = bn.backward(ref["dout_eval"].astype(dtype)).copy()
    out["dgamma_eval"] = bn.grads["gamma"].copy()
    out["dbeta_eval"] = bn.grads["beta"].copy()
    return out


def test_batchnorm_matches_stored_pytorch_values():
    """3 training steps (running stats use the unbiased variance), then eval; from torch 2.13."""
    ref = dict(np.load(REFERENCE))
    got = run_bn_like_reference(ref)
    for k, v in got.items():
        assert relative_error(v, ref[k]) < 1e-12, k
    # the unbiased correction matters: a biased update would differ by far more than 1e-12
    assert not np.allclose(ref["running_var"][0], 0.9 + 0.1 * ref["x"][0].var(axis=0))


def test_batchnorm_matches_live_pytorch():
    torch = pytest.importorskip("torch")
    ref = dict(np.load(REFERENCE))
    bn = torch.nn.BatchNorm1d(4, eps=1e-5, momentum=0.1, dtype=torch.float64)
    with torch.no_grad():
        bn.weight.copy_(torch.from_numpy(ref["gamma"]))
        bn.bias.copy_(torch.from_numpy(ref["beta"]))
    x = torch.from_numpy(ref["x"][0]).requires_grad_(True)
    y = bn(x)
    y.backward(torch.from_numpy(ref["dout"][0]))
    got = run_bn_like_reference(ref)
    assert relative_error(got["y"][0], y.detach().numpy()) < 1e-12
    assert relative_error(got["dx"][0], x.grad.numpy()) < 1e-12
    assert relative_error(got["dgamma"][0], bn.weight.grad.numpy()) < 1e-12
    assert relative_error(got["running_var"][0], bn.running_var.numpy()) < 1e-12


def test_batchnorm_float32_close_to_reference():
    ref = dict(np.load(REFERENCE))
    got = run_bn_like_reference(ref, np.float32)
    for k, v in got.items():
        assert v.dtype == np.float32, k
        assert relative_error(v, ref[k]) < 1e-5, k


def test_batchnorm_bad_input():
    with pytest.raises(ValueError, match="num_features"):
        BatchNorm(0)
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm(3, momentum=1.5)
    with pytest.raises(ValueError, match="more than 1 sample"):
        BatchNorm(3).forward(np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"\(batch, 3\)"):
        BatchNorm(3).forward(np.zeros((4, 2)))
    BatchNorm(3).forward(np.zeros((1, 3)), train=False)  # one sample is fine in eval


def test_dropout_gradients_with_fixed_mask():
    layer = Dropout(0.4)

    def reseed():
        layer.rng = np.random.default_rng(123)

    x = rng(12).standard_normal((6, 5))
    check_layer(layer, x, reseed=reseed)
    assert 0 < np.count_nonzero(layer.mask) < layer.mask.size


def test_dropout_statistics_scaling_and_eval_identity():
    ratio = 0.3
    layer = Dropout(ratio, rng=0)
    x = np.ones((200, 500))
    y = layer.forward(x)
    kept = y != 0
    assert abs(kept.mean() - (1 - ratio)) < 0.01
    assert np.allclose(y[kept], 1 / (1 - ratio))
    assert abs(y.mean() - 1.0) < 0.02  # inverted dropout keeps the expectation
    assert layer.forward(x, train=False) is x
    assert layer.backward(x) is x  # eval: gradient passes through


def test_dropout_float32_and_ratio_zero():
    layer = Dropout(0.5, rng=1)
    x = np.ones((4, 4), np.float32)
    assert layer.forward(x).dtype == np.float32
    assert layer.backward(np.ones((4, 4), np.float32)).dtype == np.float32
    assert Dropout(0.0).forward(x) is x


def test_dropout_same_seed_same_mask():
    a, b = Dropout(0.5, rng=7), Dropout(0.5, rng=7)
    x = np.ones((10, 10))
    assert np.array_equal(a.forward(x), b.forward(x))
    assert not np.array_equal(a.forward(x), Dropout(0.5, rng=8).forward(x))


@pytest.mark.parametrize("ratio", [1.0, -0.1, 1.5, float("nan")])
def test_dropout_bad_ratio(ratio):
    with pytest.raises(ValueError, match="ratio"):
        Dropout(ratio)


def test_softmax_cross_entropy_gradient_and_value():
    loss = SoftmaxCrossEntropy()
    z = rng(13).standard_normal((5, 4)) * 3
    labels = np.array([0, 3, 1, 1, 2])
    value = loss.forward(z, labels)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert value == pytest.approx(-np.mean(np.log(p[np.arange(5), labels])), rel=1e-12)
    dz = loss.backward().copy()
    num = numerical_gradient(lambda: loss.forward(z, labels), z)
    assert relative_error(dz, num) < TOL
    loss.forward(z, labels)  # the last numerical call saw a perturbed z
    assert relative_error(loss.backward(2.0), 2 * dz) < 1e-15


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    loss = SoftmaxCrossEntropy()
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]])
    value = loss.forward(z, np.array([1, 2]))
    expected = (2000.0 + np.log1p(np.exp(-1000.0) + np.exp(-2000.0)) + np.log1p(np.exp(1.0))) / 2
    assert np.isfinite(value) and value == pytest.approx(expected, rel=1e-12)
    d = loss.backward()
    assert np.all(np.isfinite(d))
    assert np.allclose(d.sum(axis=1), 0)
    z32 = z.astype(np.float32)
    assert np.isfinite(loss.forward(z32, np.array([0, 1]))) and loss.backward().dtype == np.float32


@pytest.mark.parametrize("labels, match", [
    (np.array([0, 3]), r"in \[0, 3\)"), (np.array([-1, 0]), r"in \[0, 3\)"),
    (np.array([0.0, 1.0]), "integer"), (np.array([0, 1, 2]), "2 integer"),
])
def test_softmax_cross_entropy_bad_labels(labels, match):
    with pytest.raises(ValueError, match=match):
        SoftmaxCrossEntropy().forward(np.zeros((2, 3)), labels)


def test_outputs_are_reused_buffers_until_shape_changes():
    """Documented contract: returned arrays are the layer's buffers (no per-step allocation)."""
    layer = Dense(np.ones((3, 2)), np.zeros(2))
    a = layer.forward(np.ones((4, 3)))
    b = layer.forward(np.zeros((4, 3)))
    assert a is b
    c = layer.forward(np.zeros((5, 3)))
    assert c.shape == (5, 2)
