"""Figures of chapter 6, 모멘텀 (docs/momentum.md).

Every run starts at START on ``gdcore.functions.elongated`` (f = 0.1 x0² + 2 x1²); the
hyperparameters of each experiment live in the figure that draws it.
"""

from __future__ import annotations

from functools import cache, partial

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.ticker import FuncFormatter, NullLocator

from gdcore.functions import elongated
from gdcore.optim import SGD
from gdcore.run import minimize
from sitegen.figures import Theme, figure

START = (-5.0, -2.0)
WINDOW = ((-5.6, 3.0), (-2.6, 2.6))
LEVELS = [0.05, 0.25, 0.75, 1.5, 3, 5.5, 9, 14]
FIG12_LR, FIG12_BETA, FIG12_STEPS = 0.4, 0.5, 20  # fig12's runs; momentum-velocity follows the momentum one
VELOCITY_STEPS = 15
NESTEROV_RUN = (0.2, 0.9, 40)  # lr, beta, steps of the momentum-nesterov figure


def _path_panel(ax, theme: Theme, traj, color, title):
    """Contours of ``elongated``, one optimisation path, the start (■) and the minimum (★)."""
    X, Y, Z = elongated.grid(161, window=WINDOW)
    ax.contour(X, Y, Z, levels=LEVELS, colors=theme.muted, linewidths=0.8)
    ax.plot(*traj.points.T, "-o", color=color, markersize=3.2, linewidth=1.4)
    ax.plot(*traj.points[0], "s", color=theme.fg, markersize=6)
    ax.plot(0, 0, "*", color=theme.fg, markersize=11)
    ax.set_title(title, fontsize=12)
    ax.set_xlim(*WINDOW[0])
    ax.set_ylim(*WINDOW[1])
    ax.set_aspect("equal")
    ax.set_ylabel("$x_1$")


@figure(
    "fig12",
    alt=(
        "fig12: 가로로 길쭉한 타원 등고선 위에서 같은 학습률, 같은 걸음 수로 돌린 두 경로. "
        "위의 경사하강법은 좁은 세로 방향으로 위아래를 크게 오가는 지그재그를 그리며 최소점에 아직 멀리 있고, "
        "아래의 모멘텀은 처음 몇 걸음만 흔들린 뒤 진동이 빠르게 잦아들어 최소점 가까이에 닿는다."
    ),
    caption=(
        f"$f(x_0, x_1) = 0.1\\,x_0^2 + 2\\,x_1^2$에서 같은 출발점(■), 같은 학습률 $\\eta = {FIG12_LR:g}$로 "
        f"{FIG12_STEPS}걸음씩 간 경로. 위: 경사하강법(현재 기울기만 사용). "
        f"아래: 모멘텀 $\\beta = {FIG12_BETA:g}$ (`SGD(lr={FIG12_LR:g}, momentum={FIG12_BETA:g})`). "
        "제목의 $f(\\mathbf{x}_{20})$은 마지막 점의 함숫값으로, 빌드할 때 계산합니다."
    ),
)
def gd_vs_momentum(theme: Theme):
    lr, steps = FIG12_LR, FIG12_STEPS
    runs = [("경사하강법", 0.0, theme.blue), ("모멘텀", FIG12_BETA, theme.orange)]
    fig, axes = plt.subplots(2, 1, figsize=(6.0, 5.4), sharex=True)
    for ax, (label, beta, color) in zip(axes, runs):
        traj = minimize(elongated, START, partial(SGD, lr=lr, momentum=beta), steps=steps)
        title = f"{label} ($\\eta$ = {lr:g}, $\\beta$ = {beta:g}):  $f(\\mathbf{{x}}_{{{steps}}})$ = {traj.values[-1]:.2e}"
        _path_panel(ax, theme, traj, color, title)
    axes[1].set_xlabel("$x_0$")
    fig.tight_layout()
    return fig


@figure(
    "momentum-velocity",
    alt=(
        "momentum-velocity: 모멘텀의 버퍼(속도)와 그 걸음의 기울기를 두 성분으로 나눠 걸음마다 그린 그림. "
        "위의 x1 성분에서는 기울기의 부호가 자주 바뀌고, 버퍼는 부호가 바뀔 때마다 기울기보다 작아져 진동이 빠르게 줄어든다. "
        "아래의 x0 성분에서는 기울기가 늘 같은 부호라서 버퍼가 기울기보다 커지도록 쌓인다."
    ),
    caption=(
        f"그림 fig12 아래 경로(모멘텀, $\\eta = {FIG12_LR:g}$, $\\beta = {FIG12_BETA:g}$)에서 걸음 $k$마다 쓴 기울기 $g_k$(점선)와 "
        "`SGD`의 버퍼 `state[0][\"momentum_buffer\"]` $b_k = \\beta\\, b_{k-1} + g_k$(실선). "
        "실제 이동은 $-\\eta\\, b_k$입니다. 위: 좁은 방향 $x_1$, 아래: 긴 방향 $x_0$."
    ),
)
def velocity(theme: Theme):
    lr, beta, steps = FIG12_LR, FIG12_BETA, VELOCITY_STEPS
    x = np.array(START)
    opt = SGD(x, lr=lr, momentum=beta)
    grads, buffers = [], []
    for _ in range(steps):
        g = elongated.grad(x)
        opt.step(g)
        grads.append(g)
        buffers.append(opt.state[0]["momentum_buffer"].copy())
    grads, buffers = np.array(grads), np.array(buffers)
    k = np.arange(1, steps + 1)

    fig, axes = plt.subplots(2, 1, figsize=(6.0, 5.0), sharex=True)
    panels = [(axes[0], 1, "좁은 방향 $x_1$: 부호가 바뀌며 줄어든다"), (axes[1], 0, "긴 방향 $x_0$: 같은 부호로 쌓인다")]
    for ax, i, title in panels:
        ax.axhline(0, color=theme.muted, linewidth=0.8)
        ax.plot(k, grads[:, i], "--o", color=theme.blue, markersize=4, linewidth=1.3, label=f"기울기 $g_{{k,{i}}}$")
        ax.plot(k, buffers[:, i], "-s", color=theme.orange, markersize=4.5, label=f"버퍼 $b_{{k,{i}}}$")
        ax.set_title(title, fontsize=12)
        ax.grid(True)
    axes[0].legend(loc="upper right", ncols=2)
    axes[1].legend(loc="lower right", ncols=2)
    axes[1].set_xlabel("걸음 $k$")
    axes[1].set_xticks(k[::2])
    fig.tight_layout()
    return fig


@figure(
    "momentum-nesterov",
    alt=(
        "momentum-nesterov: 같은 길쭉한 이차함수에서 모멘텀 0.9로 돌린 일반 모멘텀과 Nesterov 모멘텀의 경로. "
        "일반 모멘텀은 최소점을 크게 지나쳐 오른쪽으로 넘어갔다가 소용돌이치며 돌아오고, "
        "Nesterov는 덜 지나치고 더 빨리 최소점 근처로 모인다."
    ),
    caption=(
        f"같은 출발점, $\\eta = {NESTEROV_RUN[0]:g}$, $\\beta = {NESTEROV_RUN[1]:g}$로 {NESTEROV_RUN[2]}걸음. "
        f"위: 일반(heavy ball) 모멘텀 `SGD(momentum={NESTEROV_RUN[1]:g})`. "
        f"아래: `SGD(momentum={NESTEROV_RUN[1]:g}, nesterov=True)`. "
        "제목의 $f(\\mathbf{x}_{40})$은 빌드할 때 계산한 값입니다."
    ),
)
def nesterov_paths(theme: Theme):
    lr, beta, steps = NESTEROV_RUN
    runs = [("모멘텀", False, theme.orange), ("Nesterov", True, theme.green)]
    fig, axes = plt.subplots(2, 1, figsize=(6.0, 5.4), sharex=True)
    for ax, (label, nesterov, color) in zip(axes, runs):
        opt = partial(SGD, lr=lr, momentum=beta, nesterov=nesterov)
        traj = minimize(elongated, START, opt, steps=steps)
        title = f"{label} ($\\eta$ = {lr:g}, $\\beta$ = {beta:g}):  $f(\\mathbf{{x}}_{{{steps}}})$ = {traj.values[-1]:.2e}"
        _path_panel(ax, theme, traj, color, title)
    axes[1].set_xlabel("$x_0$")
    fig.tight_layout()
    return fig


@cache
def _grid_experiment():
    """f(x_100) for every (β, η) of momentum-grid, NaN where the run diverged; once for both themes."""
    betas, lrs, steps, horizon = [0.0, 0.5, 0.9, 0.99], [0.1, 0.2, 0.4, 0.6, 0.8], 100, 2000
    final = np.full((len(betas), len(lrs)), np.nan)  # NaN marks a diverged run
    for r, beta in enumerate(betas):
        for c, lr in enumerate(lrs):
            opt = partial(SGD, lr=lr, momentum=beta)
            traj = minimize(elongated, START, opt, steps=horizon, on_divergence="stop")
            if not traj.diverged:
                final[r, c] = traj.values[steps]
    final.setflags(write=False)
    return betas, lrs, steps, final


@figure(
    "momentum-grid",
    alt=(
        "momentum-grid: 모멘텀 계수 β(0, 0.5, 0.9, 0.99)와 학습률 η(0.1, 0.2, 0.4, 0.6, 0.8)의 조합마다 "
        "100걸음 뒤 함숫값을 색과 숫자로 적은 격자. β = 0.5에서 η = 0.4~0.6일 때 가장 작고, "
        "β = 0은 η = 0.6부터, β = 0.5는 η = 0.8에서 발산하며, β = 0.99는 어느 학습률에서나 거의 줄지 않는다."
    ),
    caption=(
        "$f = 0.1\\,x_0^2 + 2\\,x_1^2$에서 `SGD(lr=η, momentum=β)`로 100걸음 간 뒤의 $f(\\mathbf{x}_{100})$ "
        "(색은 로그 눈금). 모든 칸을 `gdcore.run.minimize(..., on_divergence=\"stop\")`로 "
        "빌드할 때 계산합니다. '발산'은 2000걸음 안에 값이 한계(`gdcore.run.LIMIT`)를 넘어 멈춘 칸입니다."
    ),
    recolor=False,  # a raster heat map with the theme's grey, and cell text chosen by contrast
)
def grid(theme: Theme):
    betas, lrs, steps, final = _grid_experiment()

    fig, ax = plt.subplots(figsize=(5.6, 3.6))
    norm = LogNorm(vmin=np.nanmin(final), vmax=np.nanmax(final))
    cmap = plt.get_cmap(theme.cmap).copy()
    cmap.set_bad(theme.muted)
    image = ax.imshow(np.ma.masked_invalid(final), cmap=cmap, norm=norm, aspect="auto")
    for r in range(len(betas)):
        for c in range(len(lrs)):
            value = final[r, c]
            if np.isnan(value):
                text, color = "발산", theme.surface  # on the grey of cmap.set_bad(theme.muted)
            else:
                mantissa, exponent = f"{value:.0e}".split("e")
                text = f"{mantissa}e{int(exponent)}"
                color = "#1f2430" if norm(value) > 0.55 else "#ffffff"  # on the cell colour, either theme
            ax.text(c, r, text, ha="center", va="center", color=color, fontsize=12)
    ax.set_xticks(range(len(lrs)), [f"{lr:g}" for lr in lrs])
    ax.set_yticks(range(len(betas)), [f"{beta:g}" for beta in betas])
    ax.set_xlabel("학습률 $\\eta$")
    ax.set_ylabel("모멘텀 $\\beta$")
    ax.set_title(f"{steps}걸음 뒤 $f(\\mathbf{{x}}_{{{steps}}})$", fontsize=12)
    colorbar = fig.colorbar(image, ax=ax, pad=0.02)
    colorbar.set_label("$f(\\mathbf{x}_{100})$")
    colorbar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"1e{round(np.log10(v))}"))
    colorbar.ax.yaxis.set_minor_locator(NullLocator())
    fig.tight_layout()
    return fig
