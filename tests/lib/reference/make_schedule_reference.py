"""Write tests/lib/reference/schedule_reference.json: learning rates from torch.optim.lr_scheduler.

Run by hand (CI has no torch), like make_torch_reference.py, with the torch venv outside the repo::

    /tmp/torchvenv/bin/python tests/lib/reference/make_schedule_reference.py

Each case creates ``torch.optim.SGD`` on one parameter with the case's ``lr``, the case's
schedulers on it (in order; a ``sequential`` case wraps them in ``SequentialLR``), and records
``param_groups[0]["lr"]`` after creation and after each of ``steps`` rounds of
``optimizer.step(); scheduler.step()``.  tests/lib/test_schedules.py replays every case with
gdcore.schedules and compares every value (to 1e-12).
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).with_name("schedule_reference.json")

CASES = [
    {"name": "step", "lr": 0.1, "steps": 60, "schedulers": [["StepLR", {"step_size": 7, "gamma": 0.5}]]},
    {"name": "exponential", "lr": 0.1, "steps": 60, "schedulers": [["ExponentialLR", {"gamma": 0.93}]]},
    {"name": "cosine", "lr": 0.05, "steps": 30, "schedulers": [["CosineAnnealingLR", {"T_max": 30}]]},
    {"name": "cosine-past-T_max", "lr": 0.1, "steps": 100,
     "schedulers": [["CosineAnnealingLR", {"T_max": 40, "eta_min": 0.001}]]},
    {"name": "linear-warmup", "lr": 0.1, "steps": 20,
     "schedulers": [["LinearLR", {"start_factor": 0.01, "total_iters": 10}]]},
    {"name": "linear-decay", "lr": 0.2, "steps": 60,
     "schedulers": [["LinearLR", {"start_factor": 1.0, "end_factor": 0.05, "total_iters": 50}]]},
    {"name": "warmup-cosine", "lr": 0.1, "steps": 100, "milestones": [5],
     "schedulers": [["LinearLR", {"start_factor": 0.01, "total_iters": 5}], ["CosineAnnealingLR", {"T_max": 95}]]},
    {"name": "exponential-then-step", "lr": 0.3, "steps": 40, "milestones": [12],
     "schedulers": [["ExponentialLR", {"gamma": 0.9}], ["StepLR", {"step_size": 10, "gamma": 0.5}]]},
    {"name": "three-stretches", "lr": 0.05, "steps": 50, "milestones": [4, 20],
     "schedulers": [["LinearLR", {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 4}],
                    ["ExponentialLR", {"gamma": 0.95}], ["CosineAnnealingLR", {"T_max": 20}]]},
]


def run(torch, case: dict) -> list[float]:
    param = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([param], lr=case["lr"])
    made = [getattr(torch.optim.lr_scheduler, name)(opt, **kwargs) for name, kwargs in case["schedulers"]]
    if "milestones" in case:
        scheduler = torch.optim.lr_scheduler.SequentialLR(opt, made, milestones=case["milestones"])
    else:
        (scheduler,) = made
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(case["steps"]):
        opt.step()
        scheduler.step()
        lrs.append(opt.param_groups[0]["lr"])
    return [float(v) for v in lrs]


def main() -> None:
    import torch

    for case in CASES:
        case["lrs"] = run(torch, case)
        print(f"{case['name']}: {case['lrs'][:4]} ... {case['lrs'][-1]}", flush=True)
    data = {
        "generator": "tests/lib/reference/make_schedule_reference.py",
        "torch_version": torch.__version__,
        "lrs_format": "lrs[0]: after creating the scheduler(s); lrs[k]: after k rounds of opt.step(); scheduler.step()",
        "cases": CASES,
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {OUT} ({len(CASES)} cases)")


if __name__ == "__main__":
    main()
