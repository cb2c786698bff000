"""Write tests/data/torch_schedule_reference.npz: torch.optim.lr_scheduler values, step by step.

Run with a Python that has torch (not GradLab's venv):
    python bench/make_torch_schedule_reference.py
For every case in ``CASES`` (a GradLab schedule name, its parameters, and the torch scheduler
that engine/schedules.py says it equals) it records ``get_last_lr()[0]`` after 0, 1, …, N−1
calls of ``scheduler.step()``. Keys: ``<case>`` → float64 array; ``<case>__spec`` → the GradLab
name and parameters as a JSON string, so the test rebuilds the schedule without this file.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import torch
from torch.optim import SGD, lr_scheduler as S

N = 600
OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "torch_schedule_reference.npz"


def _opt(lr):
    return SGD([torch.zeros(1, dtype=torch.float64, requires_grad=True)], lr=lr)


def seq_warmup_cosine(o, warmup, t_max, eta_min, start_factor):
    return S.SequentialLR(o, [S.LinearLR(o, start_factor=start_factor, end_factor=1.0, total_iters=warmup),
                              S.CosineAnnealingLR(o, T_max=t_max, eta_min=eta_min)], milestones=[warmup])


# case name: (gradlab name, params incl. lr, torch builder(optimizer), number of steps)
CASES = {
    "constant": ("constant", {"lr": 0.05}, lambda o: S.ConstantLR(o, factor=1.0, total_iters=0), N),
    "step_a": ("step", {"lr": 0.1, "step_size": 30, "gamma": 0.1}, lambda o: S.StepLR(o, 30, 0.1), N),
    "step_b": ("step", {"lr": 0.3, "step_size": 7, "gamma": 0.9}, lambda o: S.StepLR(o, 7, 0.9), N),
    "multistep_a": ("multistep", {"lr": 0.1, "milestones": [50, 120, 400], "gamma": 0.5},
                    lambda o: S.MultiStepLR(o, [50, 120, 400], 0.5), N),
    "multistep_b": ("multistep", {"lr": 1.0, "milestones": [1, 2, 300], "gamma": 0.3},
                    lambda o: S.MultiStepLR(o, [1, 2, 300], 0.3), N),
    "exponential_a": ("exponential", {"lr": 0.1, "gamma": 0.99}, lambda o: S.ExponentialLR(o, 0.99), N),
    "exponential_b": ("exponential", {"lr": 2.0, "gamma": 0.95}, lambda o: S.ExponentialLR(o, 0.95), N),
    "cosine_a": ("cosine", {"lr": 0.1, "t_max": 200, "eta_min": 0.0},
                 lambda o: S.CosineAnnealingLR(o, 200, 0.0), N),
    "cosine_b": ("cosine", {"lr": 0.05, "t_max": 77, "eta_min": 0.001},
                 lambda o: S.CosineAnnealingLR(o, 77, 0.001), N),
    "warm_restarts_a": ("warm_restarts", {"lr": 0.1, "t_0": 50, "t_mult": 1, "eta_min": 0.0},
                        lambda o: S.CosineAnnealingWarmRestarts(o, 50, 1, 0.0), N),
    "warm_restarts_b": ("warm_restarts", {"lr": 0.1, "t_0": 10, "t_mult": 2, "eta_min": 0.002},
                        lambda o: S.CosineAnnealingWarmRestarts(o, 10, 2, 0.002), N),
    "warm_restarts_c": ("warm_restarts", {"lr": 0.02, "t_0": 3, "t_mult": 3, "eta_min": 0.0},
                        lambda o: S.CosineAnnealingWarmRestarts(o, 3, 3, 0.0), N),
    "linear_warmup_cosine_a": ("linear_warmup_cosine",
                               {"lr": 0.1, "warmup": 20, "t_max": 300, "eta_min": 0.0, "start_factor": 0.1},
                               lambda o: seq_warmup_cosine(o, 20, 300, 0.0, 0.1), N),
    "linear_warmup_cosine_b": ("linear_warmup_cosine",
                               {"lr": 0.01, "warmup": 100, "t_max": 150, "eta_min": 1e-4, "start_factor": 0.25},
                               lambda o: seq_warmup_cosine(o, 100, 150, 1e-4, 0.25), N),
    "one_cycle_a": ("one_cycle", {"lr": 0.1, "total_steps": N, "pct_start": 0.3, "div_factor": 25.0,
                                  "final_div_factor": 1e4},
                    lambda o: S.OneCycleLR(o, 0.1, total_steps=N, pct_start=0.3, anneal_strategy="cos",
                                           cycle_momentum=False, div_factor=25.0, final_div_factor=1e4), N),
    "one_cycle_b": ("one_cycle", {"lr": 0.5, "total_steps": 333, "pct_start": 0.45, "div_factor": 10.0,
                                  "final_div_factor": 100.0},
                    lambda o: S.OneCycleLR(o, 0.5, total_steps=333, pct_start=0.45, anneal_strategy="cos",
                                           cycle_momentum=False, div_factor=10.0, final_div_factor=100.0), 333),
    "inverse_time_a": ("inverse_time", {"lr": 0.1, "k": 0.01}, lambda o: S.LambdaLR(o, lambda t: 1 / (1 + 0.01 * t)), N),
    "inverse_time_b": ("inverse_time", {"lr": 0.3, "k": 0.5}, lambda o: S.LambdaLR(o, lambda t: 1 / (1 + 0.5 * t)), N),
}


def record(build, lr, n) -> np.ndarray:
    opt = _opt(lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = build(opt)
        out = []
        for _ in range(n):
            out.append(sched.get_last_lr()[0])
            opt.step()
            sched.step()
    return np.asarray(out, dtype=np.float64)


def main() -> int:
    arrays = {}
    for case, (name, params, build, n) in CASES.items():
        arrays[case] = record(build, params["lr"], n)
        arrays[case + "__spec"] = np.array(json.dumps({"name": name, "params": params}))
    arrays["torch_version"] = np.array(torch.__version__)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {OUT} ({len(CASES)} cases, torch {torch.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
