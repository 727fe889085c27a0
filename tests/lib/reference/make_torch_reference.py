"""Write tests/lib/reference/torch_reference.json: float64 trajectories from torch.optim.

Run by hand (CI has no torch) with a separate torch venv OUTSIDE the repo,
never with uv and never adding torch to pyproject::

    cd /tmp && python3.11 -m venv /tmp/torchvenv
    /tmp/torchvenv/bin/pip install torch==2.13.0 numpy
    cd <this repository> && /tmp/torchvenv/bin/python tests/lib/reference/make_torch_reference.py

Each case runs ``STEPS`` steps of one torch optimizer (``foreach=False``,
i.e. the single-tensor code path) on one problem.  Gradients are computed
analytically with NumPy from the current parameters, so that
tests/lib/test_optim.py can replay the exact same computation with gdcore.
The problem definitions (A, b, start points) are stored in the JSON.

Problems
--------
``quadratic``   f(x) = 0.5 x^T A x - b^T x in 2-D, elongated (cond ~ 17), grad A x - b
``rosenbrock``  f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 from (-1.5, 2), small lr
``two_params``  the same quadratic form in 7-D, with the vector split into two
                parameter arrays of shapes (3,) and (2, 2)

Trajectories hold the start point and the parameters after every
``record_every`` steps (1 for the 2-D problems, 4 for ``two_params``).
JSON floats are written with ``repr`` (Python's json does this), so they
round-trip exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

STEPS = 100
OUT = Path(__file__).with_name("torch_reference.json")

PROBLEMS = {
    "quadratic": {
        "kind": "quadratic",
        "A": [[10.0, 2.0], [2.0, 1.0]],
        "b": [1.0, -1.0],
        "shapes": [[2]],
        "start": [[-2.0, 1.5]],
        "record_every": 1,
    },
    "rosenbrock": {
        "kind": "rosenbrock",
        "shapes": [[2]],
        "start": [[-1.5, 2.0]],
        "record_every": 1,
    },
    "two_params": {
        "kind": "quadratic",
        # symmetric positive definite 7x7: diagonal 1..4 plus a weak coupling
        "A": None,  # filled in below
        "b": [0.5, -1.0, 0.25, 1.0, 0.0, -0.5, 2.0],
        "shapes": [[3], [2, 2]],
        "start": [[1.0, -2.0, 0.5], [[0.3, -0.7], [1.2, -1.1]]],
        "record_every": 4,  # keeps the JSON small; every step is still replayed
    },
}
_A7 = np.diag([1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0])
_A7 += 0.2 * (np.eye(7, k=1) + np.eye(7, k=-1))
PROBLEMS["two_params"]["A"] = _A7.tolist()

# (optimizer, option name, kwargs); lr comes from LR[problem][optimizer] unless given
OPTIONS = [
    ("SGD", "plain", {}),
    ("SGD", "momentum", {"momentum": 0.9}),
    ("SGD", "dampening", {"momentum": 0.9, "dampening": 0.5}),
    ("SGD", "nesterov", {"momentum": 0.9, "nesterov": True}),
    ("SGD", "weight_decay", {"weight_decay": 0.1}),
    ("SGD", "momentum_wd", {"momentum": 0.9, "weight_decay": 0.1}),
    ("Adagrad", "plain", {}),
    ("Adagrad", "lr_decay", {"lr_decay": 0.05}),
    ("Adagrad", "initial_accumulator_value", {"initial_accumulator_value": 0.5}),
    ("Adagrad", "weight_decay", {"weight_decay": 0.1}),
    ("RMSprop", "plain", {}),
    ("RMSprop", "momentum", {"momentum": 0.9}),
    ("RMSprop", "centered", {"centered": True}),
    ("RMSprop", "centered_momentum", {"centered": True, "momentum": 0.9}),
    ("RMSprop", "weight_decay", {"weight_decay": 0.1}),
    ("Adam", "plain", {}),
    ("Adam", "weight_decay", {"weight_decay": 0.1}),
    ("Adam", "amsgrad", {"amsgrad": True}),
    ("Adam", "betas_eps", {"betas": [0.8, 0.99], "eps": 1e-6}),
    ("AdamW", "plain", {}),
    ("AdamW", "amsgrad", {"amsgrad": True}),
    ("AdamW", "wd_0.1", {"weight_decay": 0.1}),
]

LR = {
    "quadratic": {"SGD": 0.05, "Adagrad": 0.5, "RMSprop": 0.01, "Adam": 0.05, "AdamW": 0.05},
    "rosenbrock": {"SGD": 2e-4, "Adagrad": 0.05, "RMSprop": 1e-3, "Adam": 1e-2, "AdamW": 1e-2},
    "two_params": {"SGD": 0.1, "Adagrad": 0.3, "RMSprop": 0.01, "Adam": 0.05, "AdamW": 0.05},
}

# lr changed mid-run: after step 50 the lr is set to a new value
LR_CHANGE_CASES = [
    ("quadratic", "SGD", "momentum_lr_change", {"momentum": 0.9}, 0.05, {"50": 0.01}),
    ("quadratic", "Adam", "lr_change", {}, 0.05, {"50": 0.005}),
]


def gradient(problem: dict, arrays: list[np.ndarray]) -> list[np.ndarray]:
    """Analytic gradient; the test implements the very same formulas."""
    if problem["kind"] == "quadratic":
        A = np.asarray(problem["A"], dtype=np.float64)
        b = np.asarray(problem["b"], dtype=np.float64)
        flat = np.concatenate([a.ravel() for a in arrays])
        gflat = A @ flat - b
        out, k = [], 0
        for a in arrays:
            out.append(gflat[k : k + a.size].reshape(a.shape))
            k += a.size
        return out
    if problem["kind"] == "rosenbrock":
        x, y = arrays[0]
        r = y - x * x
        return [np.array([-2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r])]
    raise ValueError(problem["kind"])


def run_case(torch, problem, opt_name, kwargs, lr, lr_changes):
    tensors = [
        torch.tensor(np.asarray(s, dtype=np.float64), dtype=torch.float64) for s in problem["start"]
    ]
    kw = dict(kwargs)
    if "betas" in kw:
        kw["betas"] = tuple(kw["betas"])
    opt = getattr(torch.optim, opt_name)(tensors, lr=lr, foreach=False, **kw)
    traj = [np.concatenate([t.detach().numpy().ravel() for t in tensors]).tolist()]
    for step in range(1, STEPS + 1):
        grads = gradient(problem, [t.detach().numpy().copy() for t in tensors])
        for t, g in zip(tensors, grads):
            t.grad = torch.from_numpy(np.ascontiguousarray(g, dtype=np.float64))
        opt.step()
        if step % problem["record_every"] == 0:
            traj.append(np.concatenate([t.detach().numpy().ravel() for t in tensors]).tolist())
        if str(step) in lr_changes:
            for group in opt.param_groups:
                group["lr"] = lr_changes[str(step)]
    return traj


def main() -> None:
    import torch

    cases = []
    jobs = []
    for pname in PROBLEMS:
        for opt_name, option, kwargs in OPTIONS:
            jobs.append((pname, opt_name, option, kwargs, LR[pname][opt_name], {}))
    for pname, opt_name, option, kwargs, lr, changes in LR_CHANGE_CASES:
        jobs.append((pname, opt_name, option, kwargs, lr, changes))
    for pname, opt_name, option, kwargs, lr, changes in jobs:
        name = f"{pname}/{opt_name}/{option}"
        traj = run_case(torch, PROBLEMS[pname], opt_name, kwargs, lr, changes)
        assert np.all(np.isfinite(traj)), name
        cases.append(
            {
                "name": name,
                "problem": pname,
                "optimizer": opt_name,
                "lr": lr,
                "kwargs": kwargs,
                "lr_changes": changes,
                "trajectory": traj,
            }
        )
        print(f"{name}: final {traj[-1]}", flush=True)
    data = {
        "generator": "tests/lib/reference/make_torch_reference.py",
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "steps": STEPS,
        "trajectory_format": "row k = all parameters flattened and concatenated after k * record_every steps",
        "lr_changes_format": "{step: lr}: after that many steps, param_group['lr'] = lr",
        "problems": PROBLEMS,
        "cases": cases,
    }
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KB, {len(cases)} cases)")


if __name__ == "__main__":
    main()
