"""engine.network.MLP: whole-network gradient checks, regularization, determinism, state,
layer records, float32 and argument validation."""

import numpy as np
import pytest

from engine.gradcheck import numerical_gradient, relative_error
from engine.layers import BatchNorm, Dropout
from engine.network import MLP

TOL = 1e-7
ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "identity"]


def data(n=8, n_in=5, n_out=3, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, n_in)), rng.integers(0, n_out, n)


def nonzero_biases(net, seed=2):
    """Random biases keep pre-activations off ReLU's kink (an all-dead row makes z = b = 0)."""
    rng = np.random.default_rng(seed)
    for name, p in zip(net.param_names, net.params):
        if name.endswith(".b"):
            p[:] = rng.uniform(0.05, 0.3, p.shape)


def check_network(net, x, y, reseed_dropout=False):
    def reseed():
        for i, layer in enumerate(net.layers):
            if isinstance(layer, Dropout):
                layer.rng = np.random.default_rng(1000 + i)

    def f():
        if reseed_dropout:
            reseed()
        return net.loss(x, y)

    if reseed_dropout:
        reseed()
    loss, grads = net.loss_and_gradient(x, y)
    grads = [g.copy() for g in grads]
    assert loss == pytest.approx(f(), rel=1e-14)
    num = numerical_gradient(f, net.params)
    # one relative error over all parameters: biases feeding batch norm have true gradient 0,
    # and their numerical gradient is rounding noise that a per-array ratio would blow up
    err = relative_error(np.concatenate([g.ravel() for g in grads]), np.concatenate([n.ravel() for n in num]))
    assert err < TOL
    for name, g, n in zip(net.param_names, grads, num):
        if np.abs(n).max() > 1e-4:
            assert relative_error(g, n) < 1e-6, name
    return grads


@pytest.mark.parametrize("batchnorm", [False, True], ids=["plain", "bn"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradient_matches_numerical(activation, batchnorm):
    net = MLP(5, [6, 4], 3, activation=activation, init="xavier", batchnorm=batchnorm, seed=3)
    nonzero_biases(net)
    x, y = data()
    grads = check_network(net, x, y)
    if batchnorm:  # a bias before batch norm is cancelled by the mean subtraction
        assert np.abs(grads[net.param_names.index("dense1.b")]).max() < 1e-12


@pytest.mark.parametrize("batchnorm", [False, True], ids=["plain", "bn"])
def test_gradient_with_weight_decay_l1_and_dropout(batchnorm):
    net = MLP(5, [7, 6], 3, activation="tanh", batchnorm=batchnorm, dropout=0.3,
              weight_decay=0.3, l1=0.05, seed=4)
    nonzero_biases(net)
    x, y = data(10)
    check_network(net, x, y, reseed_dropout=True)


def test_prelu_network_learns_alpha_and_activation_kwargs():
    net = MLP(5, [6, 4], 3, activation="prelu", activation_kwargs={"alpha": 0.1}, seed=5)
    assert [n for n in net.param_names if "alpha" in n] == ["prelu1.alpha", "prelu2.alpha"]
    assert net.params[net.param_names.index("prelu1.alpha")][0] == pytest.approx(0.1)
    nonzero_biases(net)
    grads = check_network(net, *data())
    assert abs(grads[net.param_names.index("prelu1.alpha")][0]) > 1e-6


def test_regularization_terms_in_loss():
    x, y = data()
    plain = MLP(5, [6], 3, seed=6)
    reg = MLP(5, [6], 3, seed=6, weight_decay=0.2, l1=0.03)
    Ws = [p for n, p in zip(reg.param_names, reg.params) if n.endswith(".W")]
    expected = 0.1 * sum((W**2).sum() for W in Ws) + 0.03 * sum(np.abs(W).sum() for W in Ws)
    assert reg.loss(x, y) == pytest.approx(plain.loss(x, y) + expected, rel=1e-12)
    # biases are not penalized
    for n, p in zip(reg.param_names, reg.params):
        if n.endswith(".b"):
            p += 5.0
    assert reg.loss(x, y) - reg.regularization() == pytest.approx(reg.loss_layer.forward(reg._forward(x, True), y))


def test_params_are_the_same_objects_and_in_place_updates_work():
    net = MLP(5, [6, 4], 3, seed=7)
    x, y = data()
    params = net.params
    ids = [id(p) for p in params]
    loss0, grads = net.loss_and_gradient(x, y)
    grads_ids = [id(g) for g in grads]
    for _ in range(30):
        _, grads = net.loss_and_gradient(x, y)
        for p, g in zip(net.params, grads):
            p -= 0.1 * g
    assert [id(p) for p in net.params] == ids and [id(g) for g in grads] == grads_ids
    assert [id(d.params["W"]) for d in net.dense_layers] == [id(net.params[i]) for i in (0, 2, 4)]
    assert net.loss(x, y) < 0.5 * loss0
    assert [g.shape for g in net.gradient(x, y)] == [p.shape for p in net.params]


def test_param_names_and_layer_order():
    net = MLP(4, [3, 2], 2, activation="prelu", batchnorm=True, dropout=0.5)
    assert net.param_names == ["dense1.W", "dense1.b", "bn1.gamma", "bn1.beta", "prelu1.alpha",
                               "dense2.W", "dense2.b", "bn2.gamma", "bn2.beta", "prelu2.alpha",
                               "dense3.W", "dense3.b"]
    assert net.layer_names == ["dense1", "bn1", "prelu1", "dropout1", "dense2", "bn2", "prelu2",
                               "dropout2", "dense3"]
    assert [type(l).__name__ for l in net.layers][:4] == ["Dense", "BatchNorm", "PReLU", "Dropout"]
    assert all(not np.any(p) for n, p in zip(net.param_names, net.params) if n.endswith(".b"))
    # nobody needs dL/dx of the data: the first layer skips the largest backward matmul
    assert [d.input_grad for d in net.dense_layers] == [False, True, True]


def test_init_scales_follow_initializer():
    he = MLP(400, [300], 10, init="he", seed=0)
    assert he.params[0].std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    small = MLP(400, [300], 10, init="normal", init_kwargs={"std": 0.01}, seed=0)
    assert small.params[0].std() == pytest.approx(0.01, rel=0.02)


def test_determinism_same_seed_same_weights_and_dropout_masks():
    x, y = data(20)
    a = MLP(5, [16, 16], 3, dropout=0.5, seed=11)
    b = MLP(5, [16, 16], 3, dropout=0.5, seed=11)
    for p, q in zip(a.params, b.params):
        assert np.array_equal(p, q)
    for _ in range(3):
        la, ga = a.loss_and_gradient(x, y)
        lb, gb = b.loss_and_gradient(x, y)
        assert la == lb and all(np.array_equal(g, h) for g, h in zip(ga, gb))
    c = MLP(5, [16, 16], 3, dropout=0.5, seed=12)
    assert not np.array_equal(a.params[0], c.params[0])
    # dropout draws its own stream: the weights do not depend on whether dropout/BN is on
    d = MLP(5, [16, 16], 3, seed=11, batchnorm=True)
    assert np.array_equal(a.params[0], d.params[0])
    # masks differ from step to step
    drop = next(l for l in a.layers if isinstance(l, Dropout))
    a.loss(x, y)
    m1 = drop.mask.copy()
    a.loss(x, y)
    assert not np.array_equal(m1, drop.mask)


def test_predict_and_accuracy_use_eval_mode():
    net = MLP(5, [32], 3, dropout=0.5, batchnorm=True, seed=3)
    x, y = data(50)
    p1, p2 = net.predict(x), net.predict(x)
    assert np.array_equal(p1, p2) and p1 is not p2  # no dropout, fresh arrays
    assert not np.array_equal(net.loss(x, y, train=True), net.loss(x, y, train=True))
    assert net.loss(x, y, train=False) == net.loss(x, y, train=False)
    acc = net.accuracy(x, y)  # the training passes above moved the running statistics
    assert acc == np.mean(np.argmax(net.predict(x), axis=1) == y)
    assert net.predict(x[:1]).shape == (1, 3)  # one sample works in eval even with batch norm


def test_training_reaches_high_accuracy_on_separable_data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)  # XOR-like: needs the hidden layer
    net = MLP(2, [16, 16], 2, activation="tanh", init="xavier", batchnorm=True, seed=0)
    for _ in range(300):
        _, grads = net.loss_and_gradient(x, y)
        for p, g in zip(net.params, grads):
            p -= 0.1 * g
    assert net.accuracy(x, y) > 0.95


def test_batchnorm_running_stats_update_only_in_training():
    net = MLP(5, [6], 3, batchnorm=True)
    bn = next(l for l in net.layers if isinstance(l, BatchNorm))
    x, y = data()
    net.predict(x)
    assert np.all(bn.running_mean == 0) and np.all(bn.running_var == 1)
    net.loss(x, y)
    assert np.any(bn.running_mean != 0)


def test_layer_records():
    net = MLP(5, [6, 4], 3, activation="tanh", dropout=0.25, seed=2)
    assert [r["grad_activation"] for r in net.layer_records()] == [None, None]
    x, y = data()
    net.loss_and_gradient(x, y)
    recs = net.layer_records()
    assert [r["name"] for r in recs] == ["hidden1", "hidden2"]
    r1 = recs[0]
    assert r1["pre_activation"].shape == r1["activation"].shape == r1["grad_activation"].shape == (8, 6)
    assert np.allclose(r1["activation"], np.tanh(r1["pre_activation"]))
    assert np.allclose(r1["grad_pre_activation"], r1["grad_activation"] * (1 - r1["activation"] ** 2))
    # dL/dW1 = xᵀ · dL/dz1 ties the record to the real backward pass
    assert np.allclose(net.grads[0], x.T @ r1["grad_pre_activation"])
    assert np.allclose(net.grads[1], r1["grad_pre_activation"].sum(axis=0))
    # gradient into the activation output went through dropout: zero where units were dropped
    dropped = net.layers[2].mask == 0
    assert dropped.any() and np.all(r1["grad_activation"][dropped] == 0)
    # copies, not the live buffers
    r1["activation"][:] = 123
    assert not np.any(net.layer_records()[0]["activation"] == 123)


def test_layer_records_bn_pre_activation_is_normalized():
    net = MLP(5, [6], 3, batchnorm=True, seed=2)
    x, y = data(16)
    net.loss_and_gradient(x, y)
    z = net.layer_records()[0]["pre_activation"]
    assert np.allclose(z.mean(axis=0), 0, atol=1e-10) and np.allclose(z.std(axis=0), 1, atol=1e-3)


def test_state_dict_roundtrip_and_flat_params():
    net = MLP(5, [6, 4], 3, batchnorm=True, activation="prelu", seed=2)
    x, y = data()
    net.loss_and_gradient(x, y)
    state = net.state_dict()
    assert "bn1.running_mean" in state and "bn2.running_var" in state and "prelu1.alpha" in state
    before = net.predict(x)
    ids = [id(p) for p in net.params]
    for _ in range(3):
        _, grads = net.loss_and_gradient(x, y)
        for p, g in zip(net.params, grads):
            p -= 0.5 * g
    assert not np.allclose(net.predict(x), before)
    net.load_state_dict(state)
    assert np.array_equal(net.predict(x), before) and [id(p) for p in net.params] == ids
    state["dense1.W"][:] = 0  # a copy: does not touch the network
    assert np.any(net.params[0])
    with pytest.raises(ValueError, match="missing"):
        net.load_state_dict({k: v for k, v in state.items() if k != "dense1.W"})
    with pytest.raises(ValueError, match="shape"):
        net.load_state_dict({**state, "dense1.W": np.zeros((2, 2))})

    flat = net.get_flat_params()
    assert flat.shape == (net.n_params,) == (sum(p.size for p in net.params),)
    net.set_flat_params(np.arange(net.n_params, dtype=float))
    assert net.params[0].flat[0] == 0 and net.params[-1].flat[-1] == net.n_params - 1
    assert [id(p) for p in net.params] == ids
    net.set_flat_params(flat)
    assert np.array_equal(net.get_flat_params(), flat)
    with pytest.raises(ValueError, match="flat parameter vector"):
        net.set_flat_params(flat[:-1])


def test_float32_end_to_end():
    x, y = data(16)
    net = MLP(5, [6, 4], 3, batchnorm=True, dropout=0.2, weight_decay=0.1, l1=0.01,
              activation="elu", dtype=np.float32)
    loss, grads = net.loss_and_gradient(x, y)  # float64 input is cast once at the door
    assert isinstance(loss, float) and np.isfinite(loss)
    assert all(p.dtype == np.float32 for p in net.params)
    assert all(g.dtype == np.float32 for g in grads)
    assert net.predict(x).dtype == np.float32
    for rec in net.layer_records():
        for k in ("pre_activation", "activation", "grad_activation", "grad_pre_activation"):
            assert rec[k].dtype == np.float32, k
    assert all(l.running_var.dtype == np.float32 for l in net.batchnorm_layers)
    assert net.get_flat_params().dtype == np.float32
    for act in ACTIVATIONS:
        n = MLP(5, [4], 3, activation=act, dtype=np.float32)
        assert all(g.dtype == np.float32 for g in n.gradient(x, y)), act
    f64 = MLP(5, [6, 4], 3, batchnorm=True, activation="elu", seed=0)
    assert abs(f64.loss(x, y) - MLP(5, [6, 4], 3, batchnorm=True, activation="elu",
                                     dtype=np.float32, seed=0).loss(x, y)) < 1e-5


@pytest.mark.parametrize("kwargs, match", [
    ({"n_in": 0}, "n_in"), ({"n_in": -3}, "n_in"), ({"hidden_sizes": [4, -1]}, "hidden size"),
    ({"hidden_sizes": [4, 0]}, "hidden size"), ({"hidden_sizes": 4}, "hidden_sizes"),
    ({"n_out": 0}, "n_out"), ({"activation": "swish"}, "unknown activation"),
    ({"init": "orthogonal"}, "unknown initializer"), ({"dropout": 1.0}, "dropout"),
    ({"dropout": -0.1}, "dropout"), ({"weight_decay": -1e-3}, "weight_decay"),
    ({"l1": -1.0}, "l1"), ({"dtype": np.int32}, "float32 or float64"),
    ({"activation": "leaky_relu", "activation_kwargs": {"beta": 1}}, "bad parameters"),
    ({"init_kwargs": {"std": 0.1}}, "bad parameters"),
])
def test_bad_arguments(kwargs, match):
    args = {"n_in": 5, "hidden_sizes": [4], "n_out": 3, **kwargs}
    with pytest.raises(ValueError, match=match):
        MLP(**args)


def test_bad_data():
    net = MLP(5, [4], 3)
    x, y = data()
    with pytest.raises(ValueError, match=r"shape \(batch ≥ 1, 5\)"):
        net.loss(x[:, :4], y)
    with pytest.raises(ValueError, match=r"shape \(batch ≥ 1, 5\)"):
        net.predict(x[0])
    with pytest.raises(ValueError, match=r"in \[0, 3\)"):
        net.loss(x, np.full(8, 3))
    with pytest.raises(ValueError, match=r"in \[0, 3\)"):
        net.accuracy(x, np.full(8, -1))
    with pytest.raises(ValueError, match="integer"):
        net.loss_and_gradient(x, y.astype(float))
    with pytest.raises(ValueError, match="8 integer"):
        net.loss(x, y[:5])


def test_no_hidden_layers_is_softmax_regression():
    net = MLP(5, [], 3, seed=0)
    assert net.param_names == ["dense1.W", "dense1.b"] and net.layer_records() == []
    nonzero_biases(net)
    check_network(net, *data())


def _l1_run(proximal: bool):
    """The default spiral network (1152 weights) with L1 λ₁ = 0.003, SGD lr 0.1, 40 epochs."""
    from engine.training_setup import DataSpec, RunSettings, make_data, make_trainer

    s = RunSettings(l1=0.003, l1_proximal=proximal, optimizer="sgd", hyper={"lr": 0.1}, epochs=40)
    trainer = make_trainer(make_data(DataSpec()), s)
    for _ in trainer.run():
        pass
    assert trainer.status == "finished"
    return trainer.weight_zeros()


def test_l1_proximal_step_gives_exact_zeros_subgradient_none():
    sub_exact, sub_small, total = _l1_run(False)
    prox_exact, prox_small, _ = _l1_run(True)
    assert total == 1152
    assert sub_exact == 0 and sub_small > 100  # pulled towards 0, never onto it
    assert prox_exact > total // 2 and prox_exact <= prox_small


def test_proximal_step_is_the_soft_threshold():
    net = MLP(3, [4], 2, l1=0.5, l1_proximal=True, seed=1)
    before = [w.copy() for w in net.weight_arrays()]
    net.proximal_step(0.2)  # threshold 0.1
    for w0, w in zip(before, net.weight_arrays()):
        assert np.array_equal(w, np.sign(w0) * np.maximum(np.abs(w0) - 0.1, 0.0))
    x, y = data()
    _loss, grads = net.loss_and_gradient(x[:, :3], y % 2)
    plain = MLP(3, [4], 2, seed=1)
    plain.set_flat_params(net.get_flat_params())
    _l, g_plain = plain.loss_and_gradient(x[:, :3], y % 2)
    assert all(np.array_equal(a, b) for a, b in zip(grads, g_plain))  # no sign(W) term in the gradient
