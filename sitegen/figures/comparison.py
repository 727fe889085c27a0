"""Figures and tables of the comparison page (docs/comparison.md).

Part (a) runs the optimizers of ``gdcore.optim`` on the 2-D test functions of
``gdcore.functions``; the runs of each path figure are defined once, in the constants below.
Part (b), the digits experiment, is in ``comparison_digits.py`` (a module of its own, so that a
cold build runs it in parallel with these figures).
"""

from __future__ import annotations

from functools import partial

import matplotlib.pyplot as plt
import numpy as np

from gdcore.functions import elongated_classic, rosenbrock_2d, saddle
from gdcore.optim import SGD, Adagrad, Adam, RMSprop
from gdcore.run import minimize
from sitegen.figures import Theme, figure

# Part (a): the runs of each path figure, defined once (captions and drawings read them).
FOUR_PANELS_RUNS = [  # the learning rates of 『밑바닥부터 시작하는 딥러닝』, in PyTorch's convention
    ("SGD", SGD, {"lr": 0.95}),
    ("모멘텀", SGD, {"lr": 0.1, "momentum": 0.9}),
    ("AdaGrad", Adagrad, {"lr": 1.5}),
    ("Adam", Adam, {"lr": 0.3}),
]
ROSENBROCK_RUNS = [  # SGD/momentum below the stability limit; adaptive methods at a step-length scale
    ("SGD", SGD, {"lr": 1e-3}),
    ("모멘텀", SGD, {"lr": 1e-3, "momentum": 0.9}),
    ("AdaGrad", Adagrad, {"lr": 0.5}),
    ("Adam", Adam, {"lr": 0.1}),
]


def _call(opt: type, hyper: dict) -> str:
    """``SGD(lr=0.1, momentum=0.9)``, for captions."""
    return f"`{opt.__name__}({', '.join(f'{k}={v:g}' for k, v in hyper.items())})`"


def _stability_limit(f, point, h: float = 1e-5) -> float:
    """2 / λ_max of the Hessian at ``point``, by central differences of gdcore's analytic gradient."""
    x = np.asarray(point, dtype=float)
    columns = [(f.grad(x + h * e) - f.grad(x - h * e)) / (2 * h) for e in np.eye(x.size)]
    return 2.0 / np.linalg.eigvalsh(np.column_stack(columns)).max()


ROSENBROCK_LIMIT = _stability_limit(rosenbrock_2d, rosenbrock_2d.minimum)


@figure(
    "compare-four-panels",
    alt=(
        "compare-four-panels: 가로로 길쭉한 타원 등고선 위에 SGD, 모멘텀, AdaGrad, Adam이 같은 출발점 (-7, 2)에서 "
        "30걸음 간 경로를 네 칸에 나눠 그린 그림. SGD는 세로로 크게 지그재그하며 가로로는 느리게 다가가고, "
        "모멘텀은 최소점을 지나쳤다가 되돌아오는 큰 곡선을 그리고, AdaGrad는 세로 방향을 먼저 맞춘 뒤 "
        "가로축을 따라 곧게 들어가고, Adam은 대각선으로 출발해 한 번 크게 돌며 최소점에 다가간다."
    ),
    caption=(
        "$f(x, y) = x^2/20 + y^2$(`gdcore.functions.elongated_classic`)에서 ■ $(-7, 2)$로부터 30걸음. "
        "학습률은 『밑바닥부터 시작하는 딥러닝』의 값 그대로이며 모두 PyTorch 식(`gdcore.optim`)입니다: "
        + ", ".join(_call(opt, hyper) for _, opt, hyper in FOUR_PANELS_RUNS) + ". "
        "제목의 $f(\\mathbf{x}_{30})$은 마지막 점의 함숫값으로, 빌드할 때 계산합니다. ★는 최소점 $(0, 0)$."
    ),
)
def four_panels(theme: Theme):
    f, start, steps = elongated_classic, (-7.0, 2.0), 30
    colors = (theme.blue, theme.orange, theme.green, theme.red)
    runs = [(name, partial(opt, **hyper), c) for (name, opt, hyper), c in zip(FOUR_PANELS_RUNS, colors)]
    window = ((-8.0, 8.0), (-3.0, 3.0))
    X, Y, Z = f.grid(161, window=window)
    fig, axes = plt.subplots(4, 1, figsize=(6.0, 8.6), sharex=True)
    for ax, (name, opt, color) in zip(axes, runs):
        traj = minimize(f, start, opt, steps=steps)
        ax.contour(X, Y, Z, levels=[0.1, 0.4, 1, 2, 3.5, 5.5], colors=theme.muted, linewidths=0.8)
        ax.plot(*traj.points.T, "-o", color=color, markersize=3, linewidth=1.4)
        ax.plot(*start, "s", color=theme.fg, markersize=6)
        ax.plot(0, 0, "*", color=theme.fg, markersize=11)
        ax.set_title(f"{name}:  $f(\\mathbf{{x}}_{{{steps}}})$ = {traj.values[-1]:.2e}", fontsize=12)
        ax.set_xlim(*window[0])
        ax.set_ylim(*window[1])
        ax.set_aspect("equal")
        ax.set_ylabel("$y$")
    axes[-1].set_xlabel("$x$")
    fig.tight_layout()
    return fig


@figure(
    "compare-rosenbrock",
    alt=(
        "compare-rosenbrock: 로젠브록 함수의 바나나 모양 골짜기 등고선 위에 SGD, 모멘텀, AdaGrad, Adam이 "
        "(-1.2, 1)에서 1000걸음 간 경로. 모두 먼저 골짜기 바닥으로 내려온 뒤 휘어진 바닥을 따라 (1, 1) 쪽으로 "
        "움직이는데, SGD와 AdaGrad는 골짜기 중간에 머물고 모멘텀과 Adam은 최소점 근처까지 간다. "
        "범례에 각 경로의 마지막 함숫값이 있다."
    ),
    caption=(
        "로젠브록 함수 $f = (1-x)^2 + 100\\,(y - x^2)^2$(`gdcore.functions.rosenbrock_2d`)에서 ■ $(-1.2, 1)$로부터 "
        "1000걸음. SGD와 모멘텀은 최소점의 가장 큰 곡률이 허용하는 안정 한계 "
        f"$\\eta < 2/\\lambda_{{\\max}} \\approx {ROSENBROCK_LIMIT:.4f}$ 아래, 적응적 방법은 걸음 길이 눈금의 학습률입니다: "
        + ", ".join(_call(opt, hyper) for _, opt, hyper in ROSENBROCK_RUNS) + ". "
        "범례의 $f(\\mathbf{x}_{1000})$은 빌드할 때 계산합니다. ★는 최소점 $(1, 1)$."
    ),
)
def rosenbrock_paths(theme: Theme):
    f, start, steps = rosenbrock_2d, (-1.2, 1.0), 1000
    colors = (theme.blue, theme.orange, theme.green, theme.red)
    runs = [(f"{name}, $\\eta$ = {hyper['lr']:g}", partial(opt, **hyper), c)
            for (name, opt, hyper), c in zip(ROSENBROCK_RUNS, colors)]
    window = ((-1.6, 1.6), (-0.5, 1.9))
    X, Y, Z = f.grid(301, window=window)
    fig, axes = plt.subplots(2, 2, figsize=(6.0, 5.6), sharex=True, sharey=True)
    for ax, (label, opt, color) in zip(axes.flat, runs):
        traj = minimize(f, start, opt, steps=steps)
        ax.contour(X, Y, Z, levels=np.geomspace(0.3, 300, 7), colors=theme.muted, linewidths=0.7)
        ax.plot(*traj.points.T, "-", color=color, linewidth=1.6)
        ax.plot(*traj.points[-1], "o", color=color, markersize=6)
        ax.plot(*start, "s", color=theme.fg, markersize=6)
        ax.plot(*f.minimum, "*", color=theme.fg, markersize=11)
        ax.set_title(f"{label}\n$f(\\mathbf{{x}}_{{{steps}}})$ = {traj.values[-1]:.1e}", fontsize=12)
        ax.set_xlim(*window[0])
        ax.set_ylim(*window[1])
    for ax in axes[1]:
        ax.set_xlabel("$x$")
    for ax in axes[:, 0]:
        ax.set_ylabel("$y$")
    fig.tight_layout()
    return fig


@figure(
    "compare-saddle",
    alt=(
        "compare-saddle: 안장점이 있는 f = x² - y²에서 안정한 축(y = 0) 바로 옆 (1, 0.001)에서 출발한 네 옵티마이저. "
        "위 칸에서 SGD와 모멘텀은 먼저 x축을 따라 안장점 쪽으로 끌려간 뒤에야 위로 빠져나가고, AdaGrad와 Adam은 "
        "첫 걸음부터 대각선으로 벗어난다. 아래 칸(로그 눈금)은 걸음마다의 |y|로, AdaGrad와 Adam은 첫 걸음에 |y|를 "
        "백 배로 키우고, 모멘텀은 가속하며 커지고, SGD는 일정한 비율로 커져 가장 늦게 1을 넘는다."
    ),
    caption=(
        "$f(x, y) = x^2 - y^2$(`gdcore.functions.saddle`, 원점이 안장점)에서 $(1, 10^{-3})$로부터, 모두 "
        "$\\eta = 0.1$(모멘텀 $\\mu = 0.9$). 위: 경로(점선은 $|y| = 1$). 아래: 걸음마다 $|y_k|$(로그 눈금). "
        "$|y|$가 1을 넘는 걸음 수는 본문의 코드 블록이 출력합니다."
    ),
)
def saddle_escape(theme: Theme):
    f, start, steps = saddle, (1.0, 1e-3), 40
    runs = [
        ("SGD", partial(SGD, lr=0.1), theme.blue),
        ("모멘텀", partial(SGD, lr=0.1, momentum=0.9), theme.orange),
        ("AdaGrad", partial(Adagrad, lr=0.1), theme.green),
        ("Adam", partial(Adam, lr=0.1), theme.red),
    ]
    window = ((-1.2, 1.2), (-0.3, 1.5))
    X, Y, Z = f.grid(161, window=window)
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(6.0, 7.4), height_ratios=(1, 1))
    ax1.contour(X, Y, Z, levels=np.linspace(-2, 1.4, 18), colors=theme.muted, linewidths=0.7)
    for name, opt, color in runs:
        traj = minimize(f, start, opt, steps=steps)
        inside = np.abs(traj.points[:, 1]) <= window[1][1]
        last = int(np.argmin(inside)) + 1 if not inside.all() else len(inside)
        ax1.plot(*traj.points[:last].T, "-o", color=color, markersize=2.6, linewidth=1.3, label=name)
        ax2.semilogy(np.arange(steps + 1), np.abs(traj.points[:, 1]), "-", color=color, label=name)
    ax1.axhline(1.0, color=theme.fg, linestyle=":", linewidth=1.0)
    ax1.plot(*start, "s", color=theme.fg, markersize=6)
    ax1.plot(0, 0, "x", color=theme.fg, markersize=9, mew=2)
    ax1.set_xlim(*window[0])
    ax1.set_ylim(*window[1])
    ax1.set_aspect("equal")
    ax1.set_xlabel("$x$")
    ax1.set_ylabel("$y$")
    ax2.axhline(1.0, color=theme.fg, linestyle=":", linewidth=1.0)
    ax2.set_ylim(5e-4, 1e2)
    ax2.set_xlim(0, steps)
    ax2.set_xlabel("걸음 $k$")
    ax2.set_ylabel("$|y_k|$ (로그 눈금)")
    ax2.grid(True, which="major")
    ax2.legend(loc="upper left", ncols=2, framealpha=0.9)
    fig.tight_layout()
    return fig
