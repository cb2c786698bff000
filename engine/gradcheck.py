"""Numerical gradients: the check that backpropagation is right (DLFS §5.6, "gradient check").

Central differences, (f(x+ε) − f(x−ε)) / 2ε, have error O(ε²), so in float64 with ε = 1e-6 a
correct analytic gradient agrees to about 1e-8 relative error; a wrong one is off by O(1).
The arrays are perturbed *in place* (and restored), so ``f`` can close over a network's own
parameter arrays, exactly as the tests and the "backprop step-through" panel do.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np


def numerical_gradient(f: Callable[[], float], arrays, eps: float = 1e-6):
    """∂f/∂a for each array ``a`` in ``arrays`` (one array or a sequence), by central differences.

    ``f()`` takes no arguments and must read the arrays it depends on; each element is nudged by
    ±``eps`` in place and restored exactly afterwards, even if ``f`` raises. Returns one gradient
    array per input (or a single array if a single array was given).
    """
    eps = float(eps)
    if not np.isfinite(eps) or eps <= 0:
        raise ValueError(f"eps must be a finite positive number, got {eps!r}")
    single = isinstance(arrays, np.ndarray)
    seq: Sequence[np.ndarray] = [arrays] if single else list(arrays)
    grads = []
    for a in seq:
        if not isinstance(a, np.ndarray) or not np.issubdtype(a.dtype, np.floating):
            raise ValueError("numerical_gradient perturbs float ndarrays in place; got "
                             f"{type(a).__name__}{'' if not hasattr(a, 'dtype') else ' of ' + str(a.dtype)}")
        g = np.zeros(a.shape, dtype=np.float64)
        flat_g = g.reshape(-1)
        for k, idx in enumerate(np.ndindex(a.shape)):
            old = a[idx]
            try:
                a[idx] = old + eps
                f_plus = float(f())
                a[idx] = old - eps
                f_minus = float(f())
            finally:
                a[idx] = old
            flat_g[k] = (f_plus - f_minus) / (2.0 * eps)
        grads.append(g)
    return grads[0] if single else grads


def relative_error(a, b, tiny: float = 1e-12) -> float:
    """max|a − b| / max(max|a|, max|b|, tiny) over whole arrays: scale-free, 0 when equal.

    Using the largest magnitude (not elementwise ratios) keeps tiny entries whose difference is
    pure rounding noise from dominating the result.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error needs equal shapes, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))), tiny)
    return float(np.max(np.abs(a - b))) / scale
