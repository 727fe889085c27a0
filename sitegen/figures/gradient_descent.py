"""Figures of chapter 3, 경사하강법 (docs/gradient-descent.md)."""

from __future__ import annotations

from functools import cache, partial

import matplotlib.pyplot as plt
import numpy as np

from gdcore.functions import landscape, landscape_points, sphere
from gdcore.optim import SGD
from gdcore.run import minimize
from sitegen.claims import claim
from sitegen.figures import Theme, answer, figure


FIG7_START, FIG7_STEPS = (3.0, 2.0), 10
FIG7_RUNS = [("너무 작다", 0.02), ("알맞다", 0.3), ("너무 크다", 1.05)]


@cache
def learning_rate_runs():
    """fig7's three runs, in FIG7_RUNS order."""
    return [minimize(sphere, FIG7_START, partial(SGD, lr=lr), steps=FIG7_STEPS, on_divergence="stop")
            for _, lr in FIG7_RUNS]


@figure(
    "fig7",
    alt=(
        "같은 함수 f = x0² + x1²에서 학습률만 바꾼 경사하강법 세 번의 경로. "
        "학습률이 너무 작으면 최소점 쪽으로 조금밖에 움직이지 못하고, 알맞으면 몇 걸음 만에 원점에 닿으며, "
        "너무 크면 원점을 사이에 두고 좌우로 튀면서 점점 멀어진다."
    ),
    caption=(
        "같은 출발점(■)에서 $f(x_0, x_1) = x_0^2 + x_1^2$을 학습률 $\\eta$만 바꿔 같은 횟수만큼 내려간 경로. "
        "위에서부터 학습률이 너무 작을 때, 알맞을 때, 너무 클 때이고, 제목 끝의 값은 마지막 점의 함숫값으로 빌드할 때 계산합니다. "
        "이 함수에서는 매 걸음이 $x_{n+1} = (1 - 2\\eta)\\,x_n$이므로 $\\eta > 1$이면 발산합니다."
    ),
)
def learning_rates(theme: Theme):
    (xmin, xmax), (ymin, ymax) = (-9.0, 9.0), (-6.0, 6.0)  # every path stays on the line x1 = (2/3) x0
    X, Y, Z = sphere.grid(121, window=((xmin, xmax), (ymin, ymax)))

    fig, axes = plt.subplots(3, 1, figsize=(4.8, 9.0), sharex=True)
    for ax, (label, lr), traj, color in zip(axes, FIG7_RUNS, learning_rate_runs(), (theme.blue, theme.green, theme.red)):
        ax.contour(X, Y, Z, levels=[1, 4, 16, 36, 64], colors=theme.muted, linewidths=0.8)
        ax.plot(*traj.points.T, "-o", color=color, markersize=4, linewidth=1.5)
        ax.plot(*traj.points[0], "s", color=theme.fg, markersize=7)
        ax.plot(0, 0, "*", color=theme.fg, markersize=12)
        shown = len(traj.points) - 1
        ax.set_title(f"{label}: $\\eta$ = {lr:g},  $f(x_{{{shown}}})$ = {traj.values[-1]:.2g}")
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
        ax.set_aspect("equal")
        ax.set_yticks([-5, 0, 5])
        ax.set_ylabel("$x_1$")
    axes[-1].set_xticks([-8, -4, 0, 4, 8])
    axes[-1].set_xlabel("$x_0$")
    fig.tight_layout(h_pad=0.6)
    return fig


@claim("fig7", "학습률이 너무 작으면 최소점 쪽으로 조금밖에 움직이지 못하고")
def _small_rate_barely_moves():
    d = np.linalg.norm(learning_rate_runs()[0].points, axis=1)
    assert d[-1] > 0.5 * d[0], d[[0, -1]]


@claim("fig7", "알맞으면 몇 걸음 만에 원점에 닿으며")
def _good_rate_arrives():
    d = np.linalg.norm(learning_rate_runs()[1].points, axis=1)
    assert d[4] < 0.05 * d[0] and d[-1] < 1e-3 * d[0], d


@claim("fig7", "너무 크면 원점을 사이에 두고 좌우로 튀면서 점점 멀어진다")
def _large_rate_bounces_away():
    points = learning_rate_runs()[2].points
    assert np.all(np.sign(points[1:, 0]) == -np.sign(points[:-1, 0]))
    assert np.all(np.diff(np.linalg.norm(points, axis=1)) > 0)


@cache
def _landscape_experiment():
    """The runs of fig8, computed once for both themes: (lr, steps, [trajectory per start])."""
    lr, steps = 0.1, 300
    gd = partial(SGD, lr=lr)
    global_min = np.array(landscape_points["global_min"])

    def ends_global(start):
        end = minimize(landscape, start, gd, steps=steps).points[-1]
        return np.linalg.norm(end - global_min) < 1e-3

    # a start on the line x1 = 2.5 just beside the boundary between the two basins, by bisection
    left, right = -2.5, 0.0  # (left, 2.5) ends in the local minimum, (right, 2.5) in the global one
    assert not ends_global([left, 2.5]) and ends_global([right, 2.5])
    for _ in range(40):
        mid = (left + right) / 2
        left, right = (left, mid) if ends_global([mid, 2.5]) else (mid, right)
    starts = [(-2.5, -2.5), (2.5, -2.5), (2.5, 2.5), (-2.5, 0.5), (right, 2.5)]
    return lr, steps, [minimize(landscape, start, gd, steps=steps) for start in starts]


@figure(
    "fig8",
    alt=(
        "전역 최소점, 지역 최소점, 그 사이의 안장점이 있는 함수의 등고선 위에 "
        "다섯 출발점에서 시작한 경사하강법 경로를 그리고, 아래에 걸음마다의 기울기 크기를 로그 눈금으로 그린 그림. "
        "세 경로는 전역 최소점으로, 두 경로는 얕은 지역 최소점으로 간다. 두 골짜기의 경계 가까이에서 출발한 경로는 "
        "안장점에 다가가 기울기 크기가 거의 0으로 떨어진 채 오래 머문 뒤에야 전역 최소점으로 내려간다."
    ),
    caption=(
        "위: 전역 최소점, 지역 최소점, 안장점이 하나씩 있는 함수(`gdcore.functions.landscape`)에서 "
        "다섯 출발점(■)으로 경사하강법을 돌린 경로. 어느 최소점에 닿는지는 출발점이 정합니다. "
        "왼쪽 위 출발점은 두 골짜기의 경계에 아주 가깝게 고른 점(이분법으로 찾음)입니다. "
        "아래: 걸음마다의 기울기 크기 $\\lVert\\nabla f(x_k)\\rVert$(로그 눈금). 그 경로는 안장점 근처에서 "
        "기울기가 거의 0이 되어, 한 걸음 $\\eta\\lVert\\nabla f\\rVert$도 거의 0이 된 채 오래 머뭅니다."
    ),
)
def landscape_runs(theme: Theme):
    lr, steps, runs = _landscape_experiment()
    global_min = np.array(landscape_points["global_min"])

    fig, (ax, ax_g) = plt.subplots(2, 1, figsize=(5.0, 7.6), height_ratios=(3.2, 1.6))
    X, Y, Z = landscape.grid(151)
    ax.contour(X, Y, Z, levels=np.linspace(-1.7, 1.5, 12), colors=theme.muted, linewidths=0.8,
               negative_linestyles="solid")
    marks = [
        ("global_min", "*", 15, "전역 최소점", (0.2, -0.55)),
        ("local_min", "o", 9, "지역 최소점", (-0.9, -0.65)),
        ("saddle", "X", 10, "안장점", (0.1, -0.6)),
    ]
    for key, marker, size, name, (dx, dy) in marks:
        px, py = landscape_points[key]
        ax.plot(px, py, marker, color=theme.fg, markersize=size, zorder=3)
        ax.annotate(
            name, (px, py), xytext=(px + dx, py + dy), color=theme.fg, fontsize=12,
            bbox=dict(boxstyle="round,pad=0.2", fc=theme.surface, ec="none", alpha=0.85),
        )

    colors = {True: theme.blue, False: theme.orange}
    labelled = set()
    for traj in runs:
        to_global = bool(np.linalg.norm(traj.points[-1] - global_min) < 1e-3)
        label = None
        if to_global not in labelled:
            label = "전역 최소점으로" if to_global else "지역 최소점으로"
            labelled.add(to_global)
        color = colors[to_global]
        ax.plot(*traj.points.T, "-o", color=color, markersize=2.2, linewidth=1.3, label=label, zorder=2)
        ax.plot(*traj.points[0], "s", color=color, markersize=7, zorder=2)
        ax_g.semilogy(traj.grad_norms, color=color, linewidth=1.6)
        if traj is runs[-1]:  # the run from the basin boundary: mark where it passes the saddle
            k = int(np.argmin(np.linalg.norm(traj.points - landscape_points["saddle"], axis=1)))
            ax_g.annotate("안장점 근처", (k, traj.grad_norms[k]), xytext=(k + 25, 1e-7), color=theme.fg,
                          arrowprops=dict(arrowstyle="->", color=theme.fg))

    ax.set_title(f"경사하강법, $\\eta$ = {lr:g}, {steps}걸음")
    ax.set_xlim(-3, 3)
    ax.set_ylim(-3, 3)
    ax.set_xticks([-3, -2, -1, 0, 1, 2, 3])
    ax.set_yticks([-3, -2, -1, 0, 1, 2, 3])
    ax.set_aspect("equal")
    ax.set_xlabel("$x_0$")
    ax.set_ylabel("$x_1$")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False)

    ax_g.set_ylim(1e-8, 10)
    ax_g.set_yticks([1e-8, 1e-6, 1e-4, 1e-2, 1], ["1e\u22128", "1e\u22126", "1e\u22124", "0.01", "1"])
    ax_g.minorticks_off()
    ax_g.set_xlim(0, steps)
    ax_g.set_xticks(range(0, steps + 1, 100))
    ax_g.set_xlabel("걸음 $k$")
    ax_g.set_ylabel(r"$\Vert\nabla f(x_k)\Vert$")
    ax_g.grid(True)
    fig.subplots_adjust(hspace=0.45)
    return fig


def _reached(traj, key: str) -> bool:
    return bool(np.linalg.norm(traj.points[-1] - np.array(landscape_points[key])) < 1e-3)


@claim("fig8", "세 경로는 전역 최소점으로, 두 경로는 얕은 지역 최소점으로 간다")
def _three_global_two_local():
    runs = _landscape_experiment()[2]
    assert sum(_reached(t, "global_min") for t in runs) == 3 and sum(_reached(t, "local_min") for t in runs) == 2
    assert landscape(np.array(landscape_points["local_min"])) > landscape(np.array(landscape_points["global_min"]))


@claim("fig8", "안장점에 다가가 기울기 크기가 거의 0으로 떨어진 채 오래 머문 뒤에야 전역 최소점으로 내려간다")
def _boundary_run_lingers_at_the_saddle():
    runs = _landscape_experiment()[2]
    slow = runs[-1]
    small = np.asarray(slow.grad_norms) < 1e-3
    longest, current = 0, 0
    for flag in small:
        current = current + 1 if flag else 0
        longest = max(longest, current)
    assert longest >= 40 and _reached(slow, "global_min"), longest

    def arrival(traj):
        return int(np.argmax(np.linalg.norm(traj.points - traj.points[-1], axis=1) < 1e-2))

    assert arrival(slow) > 3 * max(arrival(t) for t in runs[:-1]), [arrival(t) for t in runs]


# --- exercises ---------------------------------------------------------------------------------


@answer("gd-factor-inverse-lmax", tol=5e-4)
def _factor_at_inverse_lmax() -> float:
    """Exercise 3.1: gradient descent's per-step factor on ``elongated`` at η = 1/λ_max."""
    from gdcore.functions import elongated
    from gdcore.theory import curvatures, gd_rate

    lam = curvatures(elongated)
    return gd_rate(lam, 1 / lam.max())


@answer("gd-steps-to-1e-6", tol=0.5)
def _steps_to_one_millionth() -> float:
    """Exercise 3.2: steps for the distance to shrink to 1e-6 at the best fixed rate (theory)."""
    import math

    from gdcore.functions import elongated
    from gdcore.theory import curvatures, gd_best

    return math.ceil(math.log(1e-6) / math.log(gd_best(curvatures(elongated))[1]))
