"""A multi-layer perceptron built from ``engine.layers`` (DLFS's MultiLayerNetExtend).

Per hidden layer: Dense → BatchNorm (optional) → activation → Dropout (optional); then an
output Dense and softmax cross-entropy. The loss adds ½·weight_decay·Σ‖W‖² (L2) and
l1·Σ|W| over Dense weights only (not biases, BN or PReLU parameters), as the lecture's weight
decay does.

L1 is applied in one of two ways. By default its subgradient l1·sign(W) joins the gradient:
that pulls weights *towards* 0 but a step of fixed size overshoots 0, so weights oscillate
around it and (almost) none ends *exactly* at 0. With ``l1_proximal=True`` the gradient holds
the data loss and L2 only, and after the optimizer step the trainer calls
``proximal_step(lr)``: the soft-threshold W ← sign(W)·max(|W| − lr·l1, 0), the proximal
operator of lr·l1·‖W‖₁ (ISTA). Weights whose magnitude the step would carry past 0 are set to
exactly 0, so the proximal step gives truly sparse weights. (With SGD this is exact proximal
gradient descent; with adaptive optimizers it is the common heuristic using their base lr.)

``params`` are the network's own arrays, the same objects for its whole life, so optimizers
update them in place; ``gradient``/``loss_and_gradient`` return the network's gradient arrays,
overwritten by the next backward pass (like PyTorch's ``.grad``) — copy them to keep them.
"""

from __future__ import annotations

import math

import numpy as np

from engine import validate
from engine import activations as _activations
from engine import init as _init
from engine.layers import (
    ActivationLayer,
    BatchNorm,
    Dense,
    Dropout,
    PReLU,
    SoftmaxCrossEntropy,
    float_dtype,
)






class MLP:
    """Fully connected classifier; see the module docstring for the layer order and loss.

    ``seed`` fixes the weights and every dropout mask. Weights and dropout draw from separate
    streams, so the same seed gives the same initial weights with or without dropout/batch norm
    (fair side-by-side comparisons).
    """

    def __init__(
        self,
        n_in: int,
        hidden_sizes,
        n_out: int,
        activation: str = "relu",
        init: str = "he",
        batchnorm: bool = False,
        dropout: float = 0.0,
        weight_decay: float = 0.0,
        l1: float = 0.0,
        seed=0,
        l1_proximal: bool = False,
        dtype=np.float64,
        activation_kwargs: dict | None = None,
        init_kwargs: dict | None = None,
    ):
        self.n_in = validate.integer(n_in, "n_in")
        try:
            hidden = [int(h) if isinstance(h, (int, np.integer)) and not isinstance(h, bool) else h
                      for h in hidden_sizes]
        except TypeError:
            raise ValueError(f"hidden_sizes must be a sequence of integers ≥ 1, got {hidden_sizes!r}") from None
        self.hidden_sizes = [validate.integer(h, "every hidden size") for h in hidden]
        if n_out == 1:  # a softmax over one class is always 1: nothing to learn, loss always 0
            raise ValueError("n_out must be ≥ 2: the output is a softmax over n_out classes "
                             "(use n_out=2 for a yes/no problem), got 1")
        self.n_out = validate.integer(n_out, "n_out", minimum=2)
        self.activation = _activations.REGISTRY.canonical(activation)
        self.activation_kwargs = dict(activation_kwargs or {})
        _activations.get(self.activation, **self.activation_kwargs)  # bad kwargs fail here
        self.init = _init.REGISTRY.canonical(init)
        self.init_kwargs = dict(init_kwargs or {})
        initializer = _init.get(self.init, **self.init_kwargs)
        self.batchnorm = bool(batchnorm)
        self.dropout = validate.number(dropout, "dropout", minimum=0)
        if self.dropout >= 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
        self.weight_decay = validate.number(weight_decay, "weight_decay", minimum=0)
        self.l1 = validate.number(l1, "l1", minimum=0)
        self.l1_proximal = bool(l1_proximal)
        self.dtype = float_dtype(dtype)
        self.seed = validate.seed(seed)

        init_seq, dropout_seq = np.random.SeedSequence(seed).spawn(2)
        init_rng = np.random.default_rng(init_seq)
        dropout_rngs = [np.random.default_rng(s) for s in dropout_seq.spawn(len(self.hidden_sizes))]

        self.layers: list = []
        self.layer_names: list[str] = []
        self.dense_layers: list[Dense] = []
        self.activation_layers: list = []
        self.batchnorm_layers: list[BatchNorm] = []
        sizes = [self.n_in, *self.hidden_sizes, self.n_out]
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            W = initializer(fan_in, fan_out, init_rng, dtype=self.dtype)
            dense = Dense(W, np.zeros(fan_out, self.dtype), input_grad=i > 1)
            self._add(f"dense{i}", dense)
            self.dense_layers.append(dense)
            if i == len(sizes) - 1:
                break
            if self.batchnorm:
                bn = BatchNorm(fan_out, dtype=self.dtype)
                self._add(f"bn{i}", bn)
                self.batchnorm_layers.append(bn)
            if _activations.REGISTRY.entry(self.activation).extra.get("learned"):  # PReLU: α is a parameter
                act = PReLU(**self.activation_kwargs, dtype=self.dtype)
                self._add(f"prelu{i}", act)
            else:
                act = ActivationLayer(self.activation, **self.activation_kwargs)
                self._add(f"act{i}", act)
            self.activation_layers.append(act)
            if self.dropout > 0:
                self._add(f"dropout{i}", Dropout(self.dropout, rng=dropout_rngs[i - 1]))
        self.loss_layer = SoftmaxCrossEntropy()

        self.param_names = [f"{name}.{k}" for name, layer in zip(self.layer_names, self.layers)
                            for k in layer.params]
        self.params = [p for layer in self.layers for p in layer.params.values()]
        self.grads = [g for layer in self.layers for g in layer.grads.values()]
        self._l2_buffers = [np.empty_like(d.params["W"]) for d in self.dense_layers]

    def _add(self, name: str, layer) -> None:
        self.layer_names.append(name)
        self.layers.append(layer)

    # --- forward / backward -------------------------------------------------------------
    def _input(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 2 or x.shape[1] != self.n_in or x.shape[0] == 0:
            raise ValueError(f"input must have shape (batch ≥ 1, {self.n_in}), got {x.shape}")
        return x

    def _forward(self, x, train: bool) -> np.ndarray:
        out = self._input(x)
        for layer in self.layers:
            out = layer.forward(out, train)
        return out

    def regularization(self) -> float:
        """½·weight_decay·Σ‖W‖² + l1·Σ|W| over the Dense weights."""
        total = 0.0
        if self.weight_decay:
            total += 0.5 * self.weight_decay * sum(float(np.vdot(d.params["W"], d.params["W"]))
                                                   for d in self.dense_layers)
        if self.l1:
            total += self.l1 * sum(float(np.abs(d.params["W"]).sum()) for d in self.dense_layers)
        return total

    def loss(self, x, labels, train: bool = True) -> float:
        """Mean softmax cross-entropy plus the weight penalties (train=False: eval-mode BN/dropout)."""
        logits = self._forward(x, train)
        return self.loss_layer.forward(logits, labels) + self.regularization()

    def loss_and_gradient(self, x, labels):
        """(loss, grads) from one training-mode forward and backward pass; grads match ``params``."""
        loss = self.loss(x, labels, train=True)
        dout = self.loss_layer.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        for dense, tmp in zip(self.dense_layers, self._l2_buffers):
            W, gW = dense.params["W"], dense.grads["W"]
            if self.weight_decay:
                np.multiply(W, self.weight_decay, out=tmp)
                gW += tmp
            if self.l1 and not self.l1_proximal:
                np.sign(W, out=tmp)
                tmp *= self.l1
                gW += tmp
        return loss, self.grads

    def proximal_step(self, lr: float) -> None:
        """The L1 soft-threshold after an optimizer step (``l1_proximal`` only; else nothing).

        W ← sign(W)·max(|W| − lr·l1, 0) on every Dense weight matrix, in place.
        """
        if not (self.l1 and self.l1_proximal):
            return
        threshold = float(lr) * self.l1
        for dense, tmp in zip(self.dense_layers, self._l2_buffers):
            W = dense.params["W"]
            np.abs(W, out=tmp)
            tmp -= threshold
            np.maximum(tmp, 0.0, out=tmp)
            np.copysign(tmp, W, out=W)

    def weight_arrays(self) -> list[np.ndarray]:
        """The Dense weight matrices (the arrays L1/L2 act on), the network's own objects."""
        return [d.params["W"] for d in self.dense_layers]

    def gradient(self, x, labels):
        """Gradients of ``loss(x, labels)`` (training mode), one array per entry of ``params``."""
        return self.loss_and_gradient(x, labels)[1]

    def predict(self, x) -> np.ndarray:
        """Logits in evaluation mode (running BN statistics, no dropout); a fresh array."""
        return self._forward(x, train=False).copy()

    def accuracy(self, x, labels) -> float:
        logits = self._forward(x, train=False)
        labels = SoftmaxCrossEntropy.check_labels(labels, logits.shape[0], self.n_out)
        return float(np.mean(np.argmax(logits, axis=1) == labels))

    # --- inspection ---------------------------------------------------------------------
    def layer_records(self) -> list[dict]:
        """One dict per hidden layer (copies; None until the corresponding pass ran):

        - ``name``: "hidden1", …; ``activation_name``: e.g. "relu"
        - ``pre_activation``: the last input of the activation (Dense or BatchNorm output)
        - ``activation``: the last activation output (before dropout)
        - ``grad_activation``: dL/d(activation output) on the last backward pass
        - ``grad_pre_activation``: dL/d(pre-activation) on the last backward pass

        The forward fields come from the last forward pass of any kind (``predict`` included).
        """

        def copy(a):
            return None if a is None else np.array(a, copy=True)

        return [
            {
                "name": f"hidden{i}",
                "activation_name": self.activation,
                "pre_activation": copy(act.x),
                "activation": copy(act.y),
                "grad_activation": copy(act.dout),
                "grad_pre_activation": copy(act.dx),
            }
            for i, act in enumerate(self.activation_layers, start=1)
        ]

    # --- state ----------------------------------------------------------------------------
    def _state_arrays(self) -> dict[str, np.ndarray]:
        state = dict(zip(self.param_names, self.params))
        for name, layer in zip(self.layer_names, self.layers):
            if isinstance(layer, BatchNorm):
                state[f"{name}.running_mean"] = layer.running_mean
                state[f"{name}.running_var"] = layer.running_var
        return state

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of all parameters and batch-norm running statistics, by name."""
        return {k: v.copy() for k, v in self._state_arrays().items()}

    def load_state_dict(self, state: dict) -> None:
        """Copy ``state`` (from ``state_dict``) into the network's arrays, in place."""
        own = self._state_arrays()
        missing, extra = set(own) - set(state), set(state) - set(own)
        if missing or extra:
            raise ValueError(f"state_dict mismatch: missing {sorted(missing)}, unexpected {sorted(extra)}")
        for k, target in own.items():
            src = np.asarray(state[k])
            if src.shape != target.shape:
                raise ValueError(f"state_dict {k!r} has shape {src.shape}, expected {target.shape}")
        for k, target in own.items():
            np.copyto(target, state[k], casting="same_kind")

    @property
    def n_params(self) -> int:
        return sum(p.size for p in self.params)

    def get_flat_params(self) -> np.ndarray:
        """All parameters concatenated in ``params`` order (a copy)."""
        return np.concatenate([p.ravel() for p in self.params])

    def set_flat_params(self, v) -> None:
        """Inverse of ``get_flat_params``: writes into the existing parameter arrays."""
        v = np.asarray(v)
        if v.shape != (self.n_params,):
            raise ValueError(f"flat parameter vector must have shape ({self.n_params},), got {v.shape}")
        start = 0
        for p in self.params:
            p[...] = v[start:start + p.size].reshape(p.shape)
            start += p.size

    def __repr__(self) -> str:
        return (f"MLP({self.n_in}, {self.hidden_sizes}, {self.n_out}, activation={self.activation!r}, "
                f"init={self.init!r}, batchnorm={self.batchnorm}, dropout={self.dropout:g}, "
                f"weight_decay={self.weight_decay:g}, l1={self.l1:g}{' (proximal)' if self.l1_proximal else ''}, dtype={self.dtype.name})")
