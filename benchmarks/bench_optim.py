"""Time one optimizer step on 10 million float32 parameters.

For each optimizer (SGD, SGD+momentum, Adagrad, RMSprop, Adam, AdamW) this
prints the median time of one ``opt.step(grads)`` over several repeats,
after a few warmup steps; gdcore and the baseline take turns step by step so
that background load on a shared machine affects both alike.  When torch is importable, torch's ``foreach=True``
implementation with the same hyperparameters is timed beside it; otherwise
a plain in-place NumPy Adam (the textbook equations, no checks) is the
baseline.

Run::

    uv run python benchmarks/bench_optim.py                    # NumPy only
    PYTHONPATH=. /tmp/torchvenv/bin/python benchmarks/bench_optim.py   # with torch (a venv made as in
                                                                        # tests/lib/reference/make_torch_reference.py)

Options: ``--n`` (number of parameters), ``--repeats``, ``--warmup``,
``--threads`` (sets ``gdcore.optim.THREADS`` and torch's thread count; 1 = single-threaded).
Note: gdcore's step includes its input checks (shape/dtype, NaN/inf scan).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np

import gdcore.optim
from gdcore.optim import SGD, Adagrad, Adam, AdamW, RMSprop

CASES = [
    ("SGD", SGD, {"lr": 1e-3}),
    ("SGD+momentum", SGD, {"lr": 1e-3, "momentum": 0.9}),
    ("Adagrad", Adagrad, {}),
    ("RMSprop", RMSprop, {}),
    ("Adam", Adam, {}),
    ("AdamW", AdamW, {}),
]


def interleaved_median_ms(fns, repeats: int, warmup: int) -> list[float]:
    """Median time (ms) of each function; the functions take turns, so that
    background load on a shared machine hits all of them alike."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, ts in zip(fns, times):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
    return [1e3 * float(np.median(ts)) for ts in times]


def numpy_adam_baseline(n, rng):
    """The textbook Adam step, in place, with no checks (the NumPy floor)."""
    x = np.zeros(n, np.float32)
    g = rng.standard_normal(n, dtype=np.float32)
    m, v, tmp = np.zeros_like(x), np.zeros_like(x), np.empty_like(x)
    b1, b2, lr, eps = 0.9, 0.999, 1e-3, 1e-8
    t = 0

    def step():
        nonlocal t
        t += 1
        np.multiply(m, b1, out=m)  # m <- b1 m + (1 - b1) g
        np.add(m, np.multiply(g, 1 - b1, out=tmp), out=m)
        np.multiply(v, b2, out=v)  # v <- b2 v + (1 - b2) g^2
        np.add(v, np.multiply(np.square(g, out=tmp), 1 - b2, out=tmp), out=v)
        np.sqrt(v, out=tmp)  # d = sqrt(v) / sqrt(1 - b2^t) + eps
        np.divide(tmp, (1 - b2**t) ** 0.5, out=tmp)
        np.add(tmp, eps, out=tmp)
        np.divide(m, tmp, out=tmp)  # x <- x - lr / (1 - b1^t) m / d
        np.subtract(x, np.multiply(tmp, lr / (1 - b1**t), out=tmp), out=x)

    return step


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=None,
                    help="set gdcore.optim.THREADS and torch's threads (1 = no threads)")
    args = ap.parse_args()
    if args.threads is not None:
        gdcore.optim.THREADS = args.threads
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None and args.threads is not None:
        torch.set_num_threads(args.threads)  # the same thread count on both sides

    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"torch {torch.__version__ + f' ({torch.get_num_threads()} threads)' if torch else 'not importable'}, "
        f"{os.cpu_count()} CPUs, gdcore THREADS={gdcore.optim.THREADS}; n = {args.n:,} float32; median of {args.repeats} after {args.warmup} warmup, taking turns",
        flush=True,
    )
    rng = np.random.default_rng(0)
    rows = []
    for label, cls, kwargs in CASES:
        print(f"  timing {label} ...", file=sys.stderr, flush=True)
        x = rng.standard_normal(args.n, dtype=np.float32)
        g = rng.standard_normal(args.n, dtype=np.float32)
        opt = cls(x, **kwargs)
        fns = [lambda: opt.step(g)]
        if torch is not None:
            p = torch.from_numpy(rng.standard_normal(args.n, dtype=np.float32))
            p.grad = torch.from_numpy(g)
            topt = getattr(torch.optim, cls.__name__)([p], foreach=True, **kwargs)
            fns.append(topt.step)
        elif label == "Adam":
            fns.append(numpy_adam_baseline(args.n, rng))
        ours, *other = interleaved_median_ms(fns, args.repeats, args.warmup)
        other = other[0] if other else None
        del fns, opt, x
        rows.append((label, ours, other))

    other_name = "torch foreach" if torch is not None else "plain NumPy"
    print(f"\n| optimizer    | gdcore (ms) | {other_name} (ms) | ratio |")
    print("|--------------|------------:|" + "-" * (len(other_name) + 6) + ":|------:|")
    for label, ours, other in rows:
        o = f"{other:.1f}" if other is not None else "-"
        r = f"{ours / other:.2f}" if other is not None else "-"
        print(f"| {label:<12} | {ours:11.1f} | {o:>{len(other_name) + 5}} | {r:>5} |")
    print("ratio = gdcore / " + other_name + " (< 1 means gdcore is faster)")


if __name__ == "__main__":
    main()
