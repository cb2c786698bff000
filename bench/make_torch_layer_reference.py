"""Write tests/data/torch_layer_reference.npz: BatchNorm1d values computed by PyTorch.

Run once (needs torch, the bench extra): ``python bench/make_torch_layer_reference.py``.
tests/test_layers.py compares engine.layers.BatchNorm with these numbers, so the tests
themselves never need torch. Three training steps (forward + backward, running statistics
updated with momentum 0.1), then one evaluation-mode forward and backward.
"""

from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "torch_layer_reference.npz"
N, F, STEPS, MOMENTUM, EPS = 6, 4, 3, 0.1, 1e-5


def main() -> None:
    rng = np.random.default_rng(20261126)
    xs = rng.standard_normal((STEPS, N, F)) * 3.0 + 1.5
    douts = rng.standard_normal((STEPS, N, F))
    gamma = rng.uniform(0.5, 2.0, F)
    beta = rng.standard_normal(F)
    x_eval = rng.standard_normal((N, F)) * 2.0
    dout_eval = rng.standard_normal((N, F))

    bn = torch.nn.BatchNorm1d(F, eps=EPS, momentum=MOMENTUM, dtype=torch.float64)
    with torch.no_grad():
        bn.weight.copy_(torch.from_numpy(gamma))
        bn.bias.copy_(torch.from_numpy(beta))
    out = {"x": xs, "dout": douts, "gamma": gamma, "beta": beta, "x_eval": x_eval,
           "dout_eval": dout_eval, "eps": EPS, "momentum": MOMENTUM}
    ys, dxs, dgammas, dbetas, rms, rvs = [], [], [], [], [], []
    bn.train()
    for x, dout in zip(xs, douts):
        bn.zero_grad()
        xt = torch.from_numpy(x).requires_grad_(True)
        y = bn(xt)
        y.backward(torch.from_numpy(dout))
        ys.append(y.detach().numpy().copy())
        dxs.append(xt.grad.numpy().copy())
        dgammas.append(bn.weight.grad.numpy().copy())
        dbetas.append(bn.bias.grad.numpy().copy())
        rms.append(bn.running_mean.numpy().copy())
        rvs.append(bn.running_var.numpy().copy())
    bn.eval()
    bn.zero_grad()
    xt = torch.from_numpy(x_eval).requires_grad_(True)
    y = bn(xt)
    y.backward(torch.from_numpy(dout_eval))
    out.update(y=np.array(ys), dx=np.array(dxs), dgamma=np.array(dgammas), dbeta=np.array(dbetas),
               running_mean=np.array(rms), running_var=np.array(rvs),
               y_eval=y.detach().numpy().copy(), dx_eval=xt.grad.numpy().copy(),
               dgamma_eval=bn.weight.grad.numpy().copy(), dbeta_eval=bn.bias.grad.numpy().copy())
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **out)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, torch {torch.__version__})")


if __name__ == "__main__":
    main()
