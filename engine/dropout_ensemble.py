"""Dropout as an ensemble: the mean prediction of many thinned networks vs the full network.

Why: the lecture says dropout trains an ensemble of thinned networks (each mini-batch sees
another random subset of the hidden units) and that at test time the *full* network, scaled,
stands in for the ensemble's average. This module measures how good that stand-in is. A
thinned network is the trained network with one random dropout mask per hidden layer, shared
by every input (one network, not one mask per sample); with inverted dropout
(``engine.layers.Dropout``) its kept units are scaled by 1/(1 − p) and the full network needs
no scaling at test time. ``ensemble_probs`` averages the softmax outputs of ``n_masks`` thinned
networks; ``full_probs`` is the full network's; ``compare`` gives both accuracies and the mean
|Δp| between them, and ``convergence`` the |Δp| for growing ensembles: it falls towards a small
floor (the weight-scaling rule is exact only for a linear network), not to 0.

The masks come from their own generator (``seed``), so an ensemble never changes the masks the
network's training draws. Vectorized: the masks of a chunk are stacked along the batch axis
(``MAX_ROWS`` rows at a time), no loop over samples.
"""

from __future__ import annotations

import numpy as np

from engine import validate
from engine.activations import Softmax
from engine.layers import Dense, Dropout

#: Rows (masks × points) pushed through the network at once: bounds the memory of a pass.
MAX_ROWS = 1 << 16


def _softmax(logits: np.ndarray) -> np.ndarray:
    return np.asarray(Softmax().forward(logits))


def dropout_ratio(model) -> float:
    """The network's dropout ratio p (0 when it has no dropout layers)."""
    ratios = [layer.ratio for layer in model.layers if isinstance(layer, Dropout)]
    return float(ratios[0]) if ratios else 0.0


def full_probs(model, x) -> np.ndarray:
    """(N, K) class probabilities of the full network (evaluation mode: no dropout)."""
    return _softmax(model.predict(x))


def _forward_layer(layer, out: np.ndarray) -> np.ndarray:
    if isinstance(layer, Dense):
        return out @ layer.params["W"] + layer.params["b"]  # not layer.forward: its buffers stay the run's
    return np.array(layer.forward(out, train=False))  # activation, PReLU, batch norm: evaluation mode


def _thinned_logits(model, x: np.ndarray, masks: list[np.ndarray]) -> np.ndarray:
    """Logits of ``m`` thinned networks on ``x``: (m, N, K). ``masks[i]``: (m, width_i) per dropout layer.

    The layers before the first dropout are the same for every thinned network: computed once
    on the N points; from there the m networks run stacked as m·N rows."""
    m, n = masks[0].shape[0], x.shape[0]
    out = x
    k = 0
    for layer in model.layers:
        if isinstance(layer, Dropout):
            out = (out.reshape(-1, n, out.shape[-1]) * masks[k][:, None, :]).reshape(m * n, -1)
            k += 1
        else:
            out = _forward_layer(layer, out)
    return out.reshape(m, n, -1)


def _masks(model, count: int, rng: np.random.Generator) -> list[np.ndarray]:
    """``count`` masks per dropout layer: 0 or 1/(1 − p) per unit, as ``Dropout`` draws them."""
    out = []
    for layer in model.layers:
        if isinstance(layer, Dropout):
            width = int(model.hidden_sizes[len(out)])  # dropout layer i masks hidden layer i
            keep = rng.random((count, width)) >= layer.ratio
            out.append(keep / (1.0 - layer.ratio))
    return out


def thinned_logits(model, x, n_masks: int, seed: int = 0) -> np.ndarray:
    """(n_masks, N, K): the logits of ``n_masks`` random thinned networks (masks from ``seed``)."""
    n_masks = validate.integer(n_masks, "n_masks")
    x = np.asarray(x, dtype=float)
    masks = _masks(model, n_masks, np.random.default_rng(seed))
    if not masks:  # no dropout: every thinned network is the full one
        return np.broadcast_to(model.predict(x), (n_masks, x.shape[0], model.n_out)).copy()
    chunk = max(1, MAX_ROWS // max(1, x.shape[0]))
    return np.concatenate([_thinned_logits(model, x, [m[i:i + chunk] for m in masks])
                           for i in range(0, n_masks, chunk)], axis=0)


def thinned_probs(model, x, n_masks: int, seed: int = 0) -> np.ndarray:
    """(n_masks, N, K): the class probabilities of ``n_masks`` random thinned networks."""
    return _softmax(thinned_logits(model, x, n_masks, seed))


def ensemble_probs(model, x, n_masks: int = 100, seed: int = 0) -> np.ndarray:
    """(N, K): the mean of ``n_masks`` thinned networks' class probabilities."""
    return thinned_probs(model, x, n_masks, seed).mean(axis=0)


def compare(model, x, labels, n_masks: int = 100, seed: int = 0) -> dict:
    """The full network vs the ensemble on ``(x, labels)``: ``{"full_accuracy",
    "ensemble_accuracy", "mean_abs_dp"}`` (mean over points and classes of |p_ens − p_full|)."""
    labels = np.asarray(labels)
    full = full_probs(model, x)
    ens = ensemble_probs(model, x, n_masks, seed)
    return {"full_accuracy": float(np.mean(full.argmax(axis=1) == labels)),
            "ensemble_accuracy": float(np.mean(ens.argmax(axis=1) == labels)),
            "mean_abs_dp": float(np.mean(np.abs(ens - full)))}


def convergence(model, x, counts=(1, 10, 100, 1000), seed: int = 0) -> dict[int, float]:
    """Mean |p_ens − p_full| for an ensemble of each size in ``counts`` (nested: the first k
    masks of one draw), so the numbers show the average settling as the ensemble grows."""
    counts = [validate.integer(c, "every count") for c in counts]
    probs = thinned_probs(model, x, max(counts), seed)
    full = full_probs(model, x)
    running = np.cumsum(probs, axis=0)
    return {c: float(np.mean(np.abs(running[c - 1] / c - full))) for c in counts}
