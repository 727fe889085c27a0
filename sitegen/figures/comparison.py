"""Figures and tables of the comparison page (docs/comparison.md).

Part (a) runs the optimizers of ``gdcore.optim`` on the 2-D test functions of
``gdcore.functions``; the runs of each path figure are defined once, in the constants below.
Part (b), the digits experiment, is in ``comparison_digits.py`` (a module of its own, so that a
cold build runs it in parallel with these figures).
"""

from __future__ import annotations

import re
from functools import cache, partial

import matplotlib.pyplot as plt
import numpy as np

from gdcore.functions import elongated_classic, rosenbrock_2d, saddle
from gdcore.optim import SGD, Adagrad, Adam, RMSprop
from gdcore.run import minimize
from sitegen.claims import checked_output, claim, first_step_is_diagonal
from sitegen.figures import Theme, answer, figure

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
FOUR_PANELS_START, FOUR_PANELS_STEPS = (-7.0, 2.0), 30
ROSENBROCK_START, ROSENBROCK_STEPS = (-1.2, 1.0), 1000
SADDLE_START, SADDLE_STEPS = (1.0, 1e-3), 40
SADDLE_RUNS = [
    ("SGD", SGD, {"lr": 0.1}),
    ("모멘텀", SGD, {"lr": 0.1, "momentum": 0.9}),
    ("AdaGrad", Adagrad, {"lr": 0.1}),
    ("Adam", Adam, {"lr": 0.1}),
]


@cache
def path_runs(figure_id: str) -> dict[str, object]:
    """{name: trajectory} of a path figure's runs (what it draws and its claims check)."""
    f, start, steps, runs = {
        "compare-four-panels": (elongated_classic, FOUR_PANELS_START, FOUR_PANELS_STEPS, FOUR_PANELS_RUNS),
        "compare-rosenbrock": (rosenbrock_2d, ROSENBROCK_START, ROSENBROCK_STEPS, ROSENBROCK_RUNS),
        "compare-saddle": (saddle, SADDLE_START, SADDLE_STEPS, SADDLE_RUNS),
    }[figure_id]
    return {name: minimize(f, start, partial(opt, **hyper), steps=steps) for name, opt, hyper in runs}


@figure(
    "compare-four-panels",
    alt=(
        "가로로 길쭉한 타원 등고선 위에 SGD, 모멘텀, AdaGrad, Adam이 같은 출발점 (-7, 2)에서 "
        f"{FOUR_PANELS_STEPS}걸음 간 경로를 네 칸에 나눠 그린 그림. SGD는 걸음마다 세로로 건너뛰는 지그재그를 그리며 가로로 다가가고, "
        f"모멘텀은 가로 방향으로 속도가 붙어 {FOUR_PANELS_STEPS}걸음 안에 최소점을 지나치고, AdaGrad는 세로 방향을 먼저 맞춘 뒤 "
        "가로축을 따라 곧게 들어가고, Adam은 대각선으로 출발해 골짜기를 가로지른 뒤 되돌아오며 최소점에 다가간다."
    ),
    caption=(
        "$f(x, y) = x^2/20 + y^2$(`gdcore.functions.elongated_classic`)에서 ■ $(-7, 2)$로부터 30걸음. "
        "학습률은 『밑바닥부터 시작하는 딥러닝』의 값 그대로이며 모두 PyTorch 식(`gdcore.optim`)입니다: "
        + ", ".join(_call(opt, hyper) for _, opt, hyper in FOUR_PANELS_RUNS) + ". "
        "제목의 $f(\\mathbf{x}_{30})$은 마지막 점의 함숫값으로, 빌드할 때 계산합니다. ★는 최소점 $(0, 0)$."
    ),
)
def four_panels(theme: Theme):
    f, start, steps = elongated_classic, FOUR_PANELS_START, FOUR_PANELS_STEPS
    colors = (theme.blue, theme.orange, theme.green, theme.red)
    window = ((-8.0, 8.0), (-3.0, 3.0))
    X, Y, Z = f.grid(161, window=window)
    fig, axes = plt.subplots(4, 1, figsize=(6.0, 8.6), sharex=True)
    for ax, (name, traj), color in zip(axes, path_runs("compare-four-panels").items(), colors):
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


def _y_sign_changes(traj) -> int:
    y = traj.points[:, 1]
    return int(np.sum(np.sign(y[1:]) != np.sign(y[:-1])))


@claim("compare-four-panels", "SGD는 걸음마다 세로로 건너뛰는 지그재그를 그리며 가로로 다가가고")
def _sgd_zigzags_every_step():
    traj = path_runs("compare-four-panels")["SGD"]
    assert _y_sign_changes(traj) == FOUR_PANELS_STEPS and np.all(np.diff(traj.points[:, 0]) > 0)


@claim("compare-four-panels", f"모멘텀은 가로 방향으로 속도가 붙어 {FOUR_PANELS_STEPS}걸음 안에 최소점을 지나치고")
def _momentum_speeds_up_and_overshoots():
    x = path_runs("compare-four-panels")["모멘텀"].points[:, 0]
    assert np.all(np.diff(x) > 0) and x[-1] > 0, x[-1]
    assert np.diff(x).max() > 5 * np.diff(x)[0], np.diff(x)


@claim("compare-four-panels", "AdaGrad는 세로 방향을 먼저 맞춘 뒤 가로축을 따라 곧게 들어가고")
def _adagrad_settles_y_first():
    traj = path_runs("compare-four-panels")["AdaGrad"]
    x, y = traj.points.T
    settled = int(np.argmax(np.abs(y) < 0.01 * abs(y[0])))  # y within 1% of its start from here on
    assert 0 < settled and np.all(np.abs(y[settled:]) < 0.01 * abs(y[0])) and _y_sign_changes(traj) == 0, y[:6]
    assert x[settled] < 0.4 * x[0], ("x had gone more than 60% of the way before y settled", x[settled])


@claim("compare-four-panels", "Adam은 대각선으로 출발해 골짜기를 가로지른 뒤 되돌아오며 최소점에 다가간다")
def _adam_crosses_and_returns():
    traj = path_runs("compare-four-panels")["Adam"]
    first_step_is_diagonal(traj)
    y = traj.points[:, 1]
    assert y.min() < -0.5 and y[-1] > 0 and traj.values[-1] < traj.values[0] / 20, (y.min(), y[-1], traj.values[-1])


@figure(
    "compare-rosenbrock",
    alt=(
        "로젠브록 함수의 바나나 모양 골짜기 등고선 위에 SGD, 모멘텀, AdaGrad, Adam이 "
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
    f, start, steps = rosenbrock_2d, ROSENBROCK_START, ROSENBROCK_STEPS
    colors = (theme.blue, theme.orange, theme.green, theme.red)
    labels = [f"{name}, $\\eta$ = {hyper['lr']:g}" for name, _, hyper in ROSENBROCK_RUNS]
    window = ((-1.6, 1.6), (-0.5, 1.9))
    X, Y, Z = f.grid(301, window=window)
    fig, axes = plt.subplots(2, 2, figsize=(6.0, 5.6), sharex=True, sharey=True)
    for ax, label, traj, color in zip(axes.flat, labels, path_runs("compare-rosenbrock").values(), colors):
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


@claim("compare-rosenbrock", "모두 먼저 골짜기 바닥으로 내려온 뒤")
def _all_reach_the_valley_floor_first():
    for name, traj in path_runs("compare-rosenbrock").items():
        x, y = traj.points.T
        first = int(np.argmax(np.abs(y - x**2) < 0.05))
        assert 0 < first <= 10 and np.median(np.abs(y[first:] - x[first:] ** 2)) < 0.05, (name, first)


@claim("compare-rosenbrock", "SGD와 AdaGrad는 골짜기 중간에 머물고 모멘텀과 Adam은 최소점 근처까지 간다")
def _momentum_and_adam_get_there():
    runs = path_runs("compare-rosenbrock")
    f = {name: traj.values[-1] for name, traj in runs.items()}
    assert min(f["SGD"], f["AdaGrad"]) > 100 * max(f["모멘텀"], f["Adam"]), f
    far = {name: np.linalg.norm(traj.points[-1] - 1.0) for name, traj in runs.items()}
    assert far["SGD"] > 0.3 and far["AdaGrad"] > 0.3 and far["모멘텀"] < 0.05 and far["Adam"] < 0.05, far


@figure(
    "compare-saddle",
    alt=(
        "안장점이 있는 f = x² - y²에서 안정한 축(y = 0) 바로 옆 (1, 0.001)에서 출발한 네 옵티마이저. "
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
    f, start, steps = saddle, SADDLE_START, SADDLE_STEPS
    colors = (theme.blue, theme.orange, theme.green, theme.red)
    window = ((-1.2, 1.2), (-0.3, 1.5))
    X, Y, Z = f.grid(161, window=window)
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(6.0, 7.4), height_ratios=(1, 1))
    ax1.contour(X, Y, Z, levels=np.linspace(-2, 1.4, 18), colors=theme.muted, linewidths=0.7)
    for (name, traj), color in zip(path_runs("compare-saddle").items(), colors):
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
    ax1.legend(loc="upper left", ncols=2, framealpha=0.9)
    ax2.axhline(1.0, color=theme.fg, linestyle=":", linewidth=1.0)
    ax2.set_ylim(5e-4, 1e2)
    ax2.set_xlim(0, steps)
    ax2.set_xlabel("걸음 $k$")
    ax2.set_ylabel("$|y_k|$ (로그 눈금)")
    ax2.grid(True, which="major")
    ax2.legend(loc="upper left", ncols=2, framealpha=0.9)
    fig.tight_layout()
    return fig


def _escape_step(traj) -> int:
    """The first step at which |y| > 1."""
    return int(np.argmax(np.abs(traj.points[:, 1]) > 1))


@claim("compare-saddle", "SGD와 모멘텀은 먼저 x축을 따라 안장점 쪽으로 끌려간 뒤에야 위로 빠져나가고")
def _sgd_and_momentum_slide_toward_the_saddle_first():
    for name in ("SGD", "모멘텀"):
        x, y = path_runs("compare-saddle")[name].points.T
        grown = int(np.argmax(np.abs(y) > 0.01))  # when y has grown ten times
        assert SADDLE_START[0] - x[grown] > 0.9, (name, x[grown])


@claim("compare-saddle", "AdaGrad와 Adam은 첫 걸음부터 대각선으로 벗어난다")
def _adaptive_first_step_is_diagonal():
    for name in ("AdaGrad", "Adam"):
        first_step_is_diagonal(path_runs("compare-saddle")[name], rtol=1e-3)


@claim("compare-saddle", "AdaGrad와 Adam은 첫 걸음에 |y|를 백 배로 키우고")
def _adaptive_multiply_y_by_a_hundred():
    for name in ("AdaGrad", "Adam"):
        y = np.abs(path_runs("compare-saddle")[name].points[:, 1])
        assert 90 < y[1] / y[0] < 110, (name, y[1] / y[0])


@claim("compare-saddle", "모멘텀은 가속하며 커지고")
def _momentum_accelerates():
    momentum = path_runs("compare-saddle")["모멘텀"]
    y = np.abs(momentum.points[: _escape_step(momentum), 1])
    ratios = y[1:] / y[:-1]  # the growth of |y| at every step until it passes 1
    assert ratios[-1] > ratios[0] + 0.2 and ratios[0] > 1, ratios


@claim("compare-saddle", "SGD는 일정한 비율로 커져 가장 늦게 1을 넘는다")
def _sgd_grows_geometrically_and_escapes_last():
    runs = path_runs("compare-saddle")
    y = np.abs(runs["SGD"].points[:, 1])
    np.testing.assert_allclose(y[1:] / y[:-1], 1.2, rtol=1e-9)
    steps = {name: _escape_step(traj) for name, traj in runs.items()}
    assert all(k > 0 for k in steps.values()) and max(steps, key=steps.get) == "SGD", steps


# --- the page's 정리 (docs/comparison.md) ------------------------------------------------------


@claim("comparison.md", "길쭉한 그릇에서 SGD는 지그재그합니다")
def _summary_sgd_zigzags():
    _sgd_zigzags_every_step()


@claim("comparison.md", f"모멘텀은 가로 방향으로 속도가 붙어 {FOUR_PANELS_STEPS}걸음 안에 최소점을 지나치고")
def _summary_momentum_overshoots():
    _momentum_speeds_up_and_overshoots()


@claim("comparison.md", "AdaGrad와 Adam은 첫 걸음부터 두 좌표를 같은 크기로 움직여")
def _summary_adaptive_first_step():
    for name in ("AdaGrad", "Adam"):
        first_step_is_diagonal(path_runs("compare-four-panels")[name])


@claim("comparison.md", "휘어진 골짜기에서는 안정 한계에 묶인 SGD가 가장 느리고, 걸음이 줄지 않는 Adam과 속도를 쌓는 모멘텀이 최소점에 닿습니다")
def _summary_rosenbrock():
    f = {name: traj.values[-1] for name, traj in path_runs("compare-rosenbrock").items()}
    assert max(f, key=f.get) == "SGD", f
    _momentum_and_adam_get_there()


def _saddle_steps() -> dict[str, tuple[int, int, float]]:
    """{optimizer: (steps at y0 = 1e-3, steps at y0 = 1e-6, first-step growth)} from the page's checked output."""
    out = checked_output("comparison.md", "y0=1e-6에서")
    rows = re.findall(r"^(\S+): \|y\| > 1까지 y0=1e-3에서 (\d+)걸음, y0=1e-6에서 (\d+)걸음 / 첫 걸음에 y가 ([\d.]+)배$",
                      out, re.MULTILINE)
    assert len(rows) == 6, out
    return {name: (int(a), int(b), float(g)) for name, a, b, g in rows}


ADAPTIVE = ("AdaGrad", "RMSprop", "Adam")  # as the page's code names them


@claim("comparison.md", "첫 걸음에 작은 $y$를 $y_0$와 상관없이 약 0.1로 키우므로($y_0 = 10^{-3}$이면 약 100배)")
def _summary_adaptive_first_step_times_100():
    steps = _saddle_steps()
    assert all(90 < steps[name][2] < 110 for name in ADAPTIVE), steps
    assert all(steps[name][2] < 2 for name in steps if name not in ADAPTIVE), steps


@claim("comparison.md", "빠져나오는 걸음 수가 $y_0$에 거의 좌우되지 않습니다")
def _summary_escape_does_not_depend_on_y0():
    steps = _saddle_steps()
    assert all(steps[name][0] == steps[name][1] for name in ADAPTIVE), steps
    assert all(steps[name][1] > 1.5 * steps[name][0] for name in steps if name not in ADAPTIVE), steps


@claim("comparison.md", "가장 먼저 빠져나오는 것은 Adam이고, $y_0 = 10^{-3}$에서는 Nesterov가 AdaGrad와 RMSProp보다 빠릅니다")
def _summary_escape_order():
    first = {name: s[0] for name, s in _saddle_steps().items()}
    assert min(first, key=first.get) == "Adam" and first["Nesterov"] < min(first["AdaGrad"], first["RMSprop"]), first


# --- the chapter's exercises (연습 10.1, 10.3): answers computed by gdcore --------------------------


@answer("cmp-adam-steps-below-1e-6", tol=0.5)
def _adam_steps_below_one_millionth() -> float:
    """Exercise 10.1: the first step at which the four-panel figure's Adam run has f < 1e-6."""
    from gdcore.functions import elongated_classic
    from gdcore.run import minimize

    (_, opt, hyper), = [run for run in FOUR_PANELS_RUNS if run[0] == "Adam"]
    values = minimize(elongated_classic, FOUR_PANELS_START, partial(opt, **hyper), steps=400).values
    assert values.min() < 1e-6, values.min()
    return int(np.argmax(values < 1e-6))


@answer("cmp-saddle-sgd-escape-1e-9", tol=0.5)
def _sgd_escape_steps_from_one_billionth() -> float:
    """Exercise 10.3: steps until |y| > 1 for the saddle figure's SGD run started at (1, 1e-9)."""
    from gdcore.functions import saddle
    from gdcore.run import minimize

    (_, opt, hyper), = [run for run in SADDLE_RUNS if run[0] == "SGD"]
    traj = minimize(saddle, [SADDLE_START[0], 1e-9], partial(opt, **hyper), steps=300)
    assert np.abs(traj.points[:, 1]).max() > 1, "no escape within 300 steps"
    return _escape_step(traj)
