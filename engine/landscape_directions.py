"""The plane of a loss-landscape slice: its two directions, and projecting weights onto it.

Part of the landscape computation (``engine.landscape`` chains it with training and the slice).

Directions (flat vectors in ``model.get_flat_params()`` order):

``random_direction`` — filter-normalised Gaussian directions (Li et al., §4). A raw Gaussian
    direction is meaningless across layers of different scale (ReLU networks are invariant to
    scaling one layer up and the next down), so each *filter* of the direction is rescaled to
    the norm of the same filter of the weights. For a Dense layer a filter is one output unit's
    incoming weights: the column ``W[:, j]`` (PyTorch stores it as row j of ``weight``, which
    the paper's code iterates over). ``norm="layer"`` rescales the whole matrix instead.
    1-D parameters (biases, batch-norm γ/β, the PReLU slope) follow the paper's code
    (``normalize_directions_for_weights``): ``bias="zero"`` (its ``--xignore biasbn``, the
    default here) leaves them out of the slice; ``bias="weights"`` uses the weights themselves
    as their direction.
``pca_directions`` — the top two principal directions of the recorded trajectories relative to
    the centre (Li et al., §7: random directions in high dimension are nearly orthogonal to the
    path, so its projection looks like noise; PCA gives the plane the path actually moves in).
    The rows θᵢ − c are *not* mean-centred (the paper's code calls scikit-learn's PCA, which
    is): the uncentred SVD gives the plane that keeps the most of ‖θᵢ − c‖², i.e. the one whose
    least-squares projections, drawn here, lose the least.

``project`` gives the least-squares plane coordinates (α, β) of recorded weights and
``plane_distance`` how far each lies off the plane.
"""

from __future__ import annotations

import numpy as np

from engine import validate

NORMS = ("filter", "layer")
BIAS_MODES = ("zero", "weights")
EPS = 1e-10  # Li et al.'s guard against an all-zero filter of the random direction


def random_direction(model, rng=None, norm: str = "filter", bias: str = "zero") -> np.ndarray:
    """One filter- (or layer-) normalised Gaussian direction; see the module docstring."""
    validate.choice(norm, NORMS, "normalisation")
    validate.choice(bias, BIAS_MODES, "bias mode")
    rng = np.random.default_rng(rng)
    parts = []
    for p in model.params:
        w = np.asarray(p, dtype=np.float64)
        d = rng.standard_normal(w.shape)  # drawn for every array: the bias mode never moves W's
        if w.ndim <= 1:
            d = np.zeros_like(w) if bias == "zero" else w.copy()
        elif norm == "filter":
            d *= np.linalg.norm(w, axis=0) / (np.linalg.norm(d, axis=0) + EPS)
        else:
            d *= np.linalg.norm(w) / (np.linalg.norm(d) + EPS)
        parts.append(d.ravel())
    return np.concatenate(parts)


def random_directions(model, seed=0, norm: str = "filter", bias: str = "zero"):
    """Two independent ``random_direction``s from one seed: ``(d1, d2)``."""
    rng = np.random.default_rng(seed)
    return (random_direction(model, rng, norm, bias), random_direction(model, rng, norm, bias))


def pca_directions(trajectories, center):
    """Top two principal directions of the points θᵢ − c of all ``trajectories``.

    Returns ``(d1, d2, explained)``: orthonormal rows, and the share of Σ‖θᵢ − c‖² each keeps.
    The sign of each direction is fixed (its largest entry is positive), so reruns agree.
    """
    c = np.asarray(center, dtype=np.float64)
    rows = [np.asarray(t, dtype=np.float64).reshape(-1, c.size) - c for t in trajectories]
    M = np.concatenate(rows) if rows else np.empty((0, c.size))
    if len(M) < 2 or c.size < 2:
        raise ValueError(f"PCA directions need at least 2 recorded points of ≥ 2 parameters, got {M.shape}")
    _u, s, vt = np.linalg.svd(M, full_matrices=False)
    total = float(np.sum(s**2))
    if not total > 0:
        raise ValueError("the trajectories never leave the centre: no direction to show")
    dirs = []
    for v in vt[:2]:
        dirs.append(v if v[np.argmax(np.abs(v))] > 0 else -v)
    explained = np.array([s[0] ** 2, s[1] ** 2 if len(s) > 1 else 0.0]) / total
    return dirs[0], dirs[1], explained


def project(points, center, d1, d2) -> np.ndarray:
    """Least-squares coordinates (α, β) of ``points`` (T, P) in the plane c + α·d₁ + β·d₂."""
    D = np.column_stack([d1, d2]).astype(np.float64)
    X = np.asarray(points, dtype=np.float64).reshape(-1, D.shape[0]) - np.asarray(center, dtype=np.float64)
    coef, *_ = np.linalg.lstsq(D, X.T, rcond=None)
    return coef.T


def plane_distance(points, center, d1, d2) -> np.ndarray:
    """How far each point lies off the plane (‖θ − c − α·d₁ − β·d₂‖ at its projection)."""
    D = np.column_stack([d1, d2]).astype(np.float64)
    X = np.asarray(points, dtype=np.float64).reshape(-1, D.shape[0]) - np.asarray(center, dtype=np.float64)
    return np.linalg.norm(X - project(points, center, d1, d2) @ D.T, axis=1)
