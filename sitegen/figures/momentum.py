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
from sitegen.claims import claim
from sitegen.figures import Theme, answer, figure

START = (-5.0, -2.0)
WINDOW = ((-5.6, 3.0), (-2.6, 2.6))
LEVELS = [0.05, 0.25, 0.75, 1.5, 3, 5.5, 9, 14]
FIG12_LR, FIG12_BETA, FIG12_STEPS = 0.4, 0.5, 20  # fig12's runs; momentum-velocity follows the momentum one
VELOCITY_STEPS = 14
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


@cache
def fig12_runs():
    """fig12's two runs, (gradient descent, momentum): what the figure draws and its claims check."""
    return tuple(minimize(elongated, START, partial(SGD, lr=FIG12_LR, momentum=beta), steps=FIG12_STEPS)
                 for beta in (0.0, FIG12_BETA))


@figure(
    "fig12",
    alt=(
        "가로로 길쭉한 타원 등고선 위에서 같은 학습률, 같은 걸음 수로 돌린 두 경로. "
        "위의 경사하강법은 가파른 세로 방향에서 걸음마다 부호를 바꾸며 지그재그하고 그 폭은 걸음마다 0.6배로 줄며, "
        f"완만한 가로 방향으로는 천천히 움직여 {FIG12_STEPS}걸음 뒤에도 최소점에서 멀다. "
        "아래의 모멘텀은 세로 진동이 오히려 더 오래 남지만, 가로 방향으로 속도가 쌓여 훨씬 멀리 가서 최소점 가까이에 닿는다."
    ),
    caption=(
        f"$f(x_0, x_1) = 0.1\\,x_0^2 + 2\\,x_1^2$에서 같은 출발점(■), 같은 학습률 $\\eta = {FIG12_LR:g}$로 "
        f"{FIG12_STEPS}걸음씩 간 경로. 위: 경사하강법(현재 기울기만 사용). "
        f"아래: 모멘텀 $\\beta = {FIG12_BETA:g}$ (`SGD(lr={FIG12_LR:g}, momentum={FIG12_BETA:g})`). "
        "세로 방향의 진동은 경사하강법에서 걸음마다 $|1 - 4\\eta| = 0.6$배, 모멘텀에서 약 $\\sqrt{\\beta} \\approx 0.71$배로 "
        "줄어 모멘텀 쪽이 더 오래 남습니다. 모멘텀이 이기는 것은 완만한 가로 방향입니다. "
        "제목의 $f(\\mathbf{x}_{20})$은 마지막 점의 함숫값으로, 빌드할 때 계산합니다."
    ),
)
def gd_vs_momentum(theme: Theme):
    runs = [("경사하강법", 0.0, theme.blue), ("모멘텀", FIG12_BETA, theme.orange)]
    fig, axes = plt.subplots(2, 1, figsize=(6.0, 5.4), sharex=True)
    for ax, (label, beta, color), traj in zip(axes, runs, fig12_runs()):
        title = (f"{label} ($\\eta$ = {FIG12_LR:g}, $\\beta$ = {beta:g}):  "
                 f"$f(\\mathbf{{x}}_{{{FIG12_STEPS}}})$ = {traj.values[-1]:.2e}")
        _path_panel(ax, theme, traj, color, title)
    axes[1].set_xlabel("$x_0$")
    fig.tight_layout()
    return fig


@claim("fig12", "걸음마다 부호를 바꾸며 지그재그하고 그 폭은 걸음마다 0.6배로 줄며")
def _gd_zigzag_shrinks_by_0_6():
    gd, _ = fig12_runs()
    x1 = gd.points[:, 1]
    assert np.all(np.sign(x1[1:]) == -np.sign(x1[:-1])), x1
    np.testing.assert_allclose(np.abs(x1[1:] / x1[:-1]), 0.6, rtol=1e-12)  # the alt's number: |1 - 4η|


@claim("fig12", "세로 진동이 오히려 더 오래 남지만")
def _momentum_oscillates_longer():
    gd, momentum = fig12_runs()
    larger = np.abs(momentum.points[1:, 1]) > np.abs(gd.points[1:, 1])
    assert larger.sum() >= 0.75 * FIG12_STEPS, f"momentum's |x1| is larger at only {larger.sum()} of {FIG12_STEPS} steps"
    tail = slice(-5, None)
    assert np.abs(momentum.points[tail, 1]).max() > 5 * np.abs(gd.points[tail, 1]).max()


@claim("fig12", "가로 방향으로 속도가 쌓여 훨씬 멀리 가서 최소점 가까이에 닿는다")
def _momentum_goes_further_along_x0():
    gd, momentum = fig12_runs()
    assert abs(momentum.points[-1, 0]) < 0.1 * abs(gd.points[-1, 0]), (momentum.points[-1], gd.points[-1])
    assert momentum.values[-1] < gd.values[-1] / 100, (momentum.values[-1], gd.values[-1])


@claim("fig12", f"완만한 가로 방향으로는 천천히 움직여 {FIG12_STEPS}걸음 뒤에도 최소점에서 멀다")
def _gd_is_far_after_20_steps():
    gd, _ = fig12_runs()
    assert len(gd.points) == FIG12_STEPS + 1 and abs(gd.points[-1, 0]) > 0.15 * abs(START[0]), gd.points[-1]


@cache
def velocity_run() -> tuple[np.ndarray, np.ndarray]:
    """(gradients, buffers), one row a step: fig12's momentum run, read from SGD's state."""
    x = np.array(START)
    opt = SGD(x, lr=FIG12_LR, momentum=FIG12_BETA)
    grads, buffers = [], []
    for _ in range(VELOCITY_STEPS):
        g = elongated.grad(x)
        opt.step(g)
        grads.append(g)
        buffers.append(opt.state[0]["momentum_buffer"].copy())
    return np.array(grads), np.array(buffers)


@figure(
    "momentum-velocity",
    alt=(
        "모멘텀의 버퍼(속도)와 그 걸음의 기울기를 두 성분으로 나눠 걸음마다 그린 그림. "
        "위의 x1 성분에서는 기울기의 부호가 두 걸음마다 바뀐다. 부호가 바뀐 걸음에서는 버퍼가 지난 값과 상쇄되어 "
        "기울기보다 작지만, 그다음 걸음에서는 기울기보다 크다. 버퍼도 부호를 바꾸며 진동하고 그 폭은 걸음마다 줄어든다. "
        "아래의 x0 성분에서는 기울기가 늘 같은 부호라서 버퍼가 기울기보다 커지도록 쌓인다."
    ),
    caption=(
        f"[](#fig12) 아래 경로(모멘텀, $\\eta = {FIG12_LR:g}$, $\\beta = {FIG12_BETA:g}$)에서 걸음 $k$마다 쓴 기울기 $g_k$(점선)와 "
        "`SGD`의 버퍼 `state[0][\"momentum_buffer\"]` $b_k = \\beta\\, b_{k-1} + g_k$(실선). "
        "실제 이동은 $-\\eta\\, b_k$입니다. 위: 좁은 방향 $x_1$, 아래: 긴 방향 $x_0$."
    ),
)
def velocity(theme: Theme):
    grads, buffers = velocity_run()
    k = np.arange(1, VELOCITY_STEPS + 1)

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


@claim("momentum-velocity", "기울기의 부호가 두 걸음마다 바뀐다")
def _x1_gradient_sign_flips_every_second_step():
    g = velocity_run()[0][:, 1]
    flips = np.flatnonzero(np.sign(g[1:]) != np.sign(g[:-1])) + 2  # the step k (from 1) whose sign is new
    assert list(flips) == list(range(2, VELOCITY_STEPS + 1, 2)), flips


@claim("momentum-velocity", "부호가 바뀐 걸음에서는 버퍼가 지난 값과 상쇄되어 기울기보다 작지만, 그다음 걸음에서는 기울기보다 크다")
def _buffer_smaller_on_flips_larger_after():
    g, b = (a[:, 1] for a in velocity_run())
    flip, after = slice(1, None, 2), slice(2, None, 2)  # k = 2, 4, ... and k = 3, 5, ...
    assert np.all(np.abs(b[flip]) < np.abs(g[flip])), (b[flip], g[flip])
    assert np.all(np.abs(b[after]) > np.abs(g[after])), (b[after], g[after])


@claim("momentum-velocity", "버퍼도 부호를 바꾸며 진동하고 그 폭은 걸음마다 줄어든다")
def _buffer_oscillates_with_a_shrinking_envelope():
    b = velocity_run()[1][:, 1]
    assert np.sum(np.sign(b[1:]) != np.sign(b[:-1])) >= VELOCITY_STEPS // 2 - 1, b
    envelope = np.abs(b).reshape(-1, 2).max(axis=1)  # the largest |b| of each pair of steps
    assert np.all(np.diff(envelope) < 0), envelope


@claim("momentum-velocity", "기울기가 늘 같은 부호라서 버퍼가 기울기보다 커지도록 쌓인다")
def _x0_buffer_accumulates():
    g, b = (a[:, 0] for a in velocity_run())
    assert np.all(g < 0) and np.all(b < 0), (g, b)
    assert np.all(np.abs(b[1:]) > np.abs(g[1:])), (b, g)


@cache
def nesterov_runs():
    """(heavy-ball momentum, Nesterov) of the momentum-nesterov figure."""
    lr, beta, steps = NESTEROV_RUN
    return tuple(minimize(elongated, START, partial(SGD, lr=lr, momentum=beta, nesterov=nesterov), steps=steps)
                 for nesterov in (False, True))


@figure(
    "momentum-nesterov",
    alt=(
        "같은 길쭉한 이차함수에서 모멘텀 0.9로 돌린 일반 모멘텀과 Nesterov 모멘텀의 경로. "
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
    runs = [("모멘텀", theme.orange), ("Nesterov", theme.green)]
    fig, axes = plt.subplots(2, 1, figsize=(6.0, 5.4), sharex=True)
    for ax, (label, color), traj in zip(axes, runs, nesterov_runs()):
        title = f"{label} ($\\eta$ = {lr:g}, $\\beta$ = {beta:g}):  $f(\\mathbf{{x}}_{{{steps}}})$ = {traj.values[-1]:.2e}"
        _path_panel(ax, theme, traj, color, title)
    axes[1].set_xlabel("$x_0$")
    fig.tight_layout()
    return fig


@claim("momentum-nesterov", "일반 모멘텀은 최소점을 크게 지나쳐 오른쪽으로 넘어갔다가 소용돌이치며 돌아오고")
def _heavy_ball_overshoots_and_returns():
    heavy, _ = nesterov_runs()
    x0 = heavy.points[:, 0]
    assert x0.max() > 0.3 * abs(START[0]) and x0[-1] < x0.max() / 2, (x0.max(), x0[-1])
    assert np.sum(np.sign(heavy.points[1:, 1]) != np.sign(heavy.points[:-1, 1])) >= 6


@claim("momentum-nesterov", "Nesterov는 덜 지나치고 더 빨리 최소점 근처로 모인다")
def _nesterov_overshoots_less_and_gets_closer():
    heavy, nesterov = nesterov_runs()
    assert nesterov.points[:, 0].max() < heavy.points[:, 0].max()
    distance = [np.linalg.norm(t.points[1:], axis=1) for t in (heavy, nesterov)]
    assert np.all(distance[1] < distance[0]), "Nesterov is not closer at every step"


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
        "모멘텀 계수 β(0, 0.5, 0.9, 0.99)와 학습률 η(0.1, 0.2, 0.4, 0.6, 0.8)의 조합마다 "
        "100걸음 뒤 함숫값을 색과 숫자로 적은 격자. β = 0.5에서 η = 0.4~0.6일 때 가장 작고, "
        "β = 0은 η = 0.6부터, β = 0.5는 η = 0.8에서 발산하며, β = 0.99는 모든 학습률에서 다른 β보다 큰 값이 남고 "
        "η = 0.8에서는 출발점보다 높다."
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
                text = f"{mantissa}e{int(exponent)}".replace("-", "\u2212")
                color = "#1f2430" if norm(value) > 0.55 else "#ffffff"  # on the cell colour, either theme
            ax.text(c, r, text, ha="center", va="center", color=color, fontsize=12)
    ax.set_xticks(range(len(lrs)), [f"{lr:g}" for lr in lrs])
    ax.set_yticks(range(len(betas)), [f"{beta:g}" for beta in betas])
    ax.set_xlabel("학습률 $\\eta$")
    ax.set_ylabel("모멘텀 $\\beta$")
    ax.set_title(f"{steps}걸음 뒤 $f(\\mathbf{{x}}_{{{steps}}})$", fontsize=12)
    colorbar = fig.colorbar(image, ax=ax, pad=0.02)
    colorbar.set_label("$f(\\mathbf{x}_{100})$")
    colorbar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"1e{round(np.log10(v))}".replace("-", "\u2212")))
    colorbar.ax.yaxis.set_minor_locator(NullLocator())
    fig.tight_layout()
    return fig


@claim("momentum-grid", "β = 0.5에서 η = 0.4~0.6일 때 가장 작고")
def _best_cells():
    betas, lrs, _, final = _grid_experiment()
    order = np.argsort(np.where(np.isnan(final), np.inf, final), axis=None)[:2]
    best = {(betas[i // len(lrs)], lrs[i % len(lrs)]) for i in order}
    assert best == {(0.5, 0.4), (0.5, 0.6)}, best


@claim("momentum-grid", "β = 0은 η = 0.6부터, β = 0.5는 η = 0.8에서 발산하며")
def _diverged_cells():
    betas, lrs, _, final = _grid_experiment()
    diverged = {(betas[r], lrs[c]) for r, c in zip(*np.nonzero(np.isnan(final)))}
    assert diverged == {(0.0, 0.6), (0.0, 0.8), (0.5, 0.8)}, diverged


@claim("momentum-grid", "β = 0.99는 모든 학습률에서 다른 β보다 큰 값이 남고 η = 0.8에서는 출발점보다 높다")
def _beta_099_is_worst():
    betas, lrs, _, final = _grid_experiment()
    row = betas.index(0.99)
    others = np.delete(final, row, axis=0)
    assert np.nanmin(final[row]) > np.nanmax(others), (final[row], np.nanmax(others))
    start = float(elongated(np.array(START)))
    assert final[row, lrs.index(0.8)] > start > np.nanmax(final[row, :-1]), (final[row], start)



# --- the page's 정리 (docs/momentum.md) --------------------------------------------------------


@claim("momentum.md", "가파른 방향에서는 진동하고 완만한 방향에서는 기어갑니다")
def _summary_gd_oscillates_and_crawls():
    _gd_zigzag_shrinks_by_0_6()
    _gd_is_far_after_20_steps()


@claim("momentum.md", "기울기가 일정하면 그 성분은 쌓여 최대 $1/(1-\\beta)$ 배가 되고")
def _summary_constant_gradient_accumulates():
    for beta in (0.5, 0.9):
        x = np.zeros(1)
        opt = SGD(x, lr=1e-3, momentum=beta)
        buffers = []
        for _ in range(200):
            opt.step(np.ones(1))
            buffers.append(opt.state[0]["momentum_buffer"][0])
        assert np.all(np.diff(buffers) >= 0) and max(buffers) <= 1 / (1 - beta) + 1e-12, max(buffers)
        assert buffers[-1] > 0.999 / (1 - beta), buffers[-1]


@claim("momentum.md", "가파른 방향의 진동은 오히려 더 오래 남을 수 있습니다")
def _summary_oscillation_lasts_longer():
    _momentum_oscillates_longer()


@claim("momentum.md", "[](#fig12)에서 경사하강법은 걸음마다 0.6배, 모멘텀은 약 $\\sqrt{\\beta} \\approx 0.71$배로 줄어듭니다")
def _summary_decay_rates():
    _gd_zigzag_shrinks_by_0_6()
    _, momentum = fig12_runs()
    x1 = np.abs(momentum.points[:, 1])
    envelope = np.array([x1[k : k + 4].max() for k in range(0, FIG12_STEPS - 3, 2)])
    rate = (envelope[-1] / envelope[0]) ** (1 / (2 * (len(envelope) - 1)))  # per step, over the run
    assert abs(rate - 0.71) < 0.05 and abs(np.sqrt(FIG12_BETA) - 0.71) < 0.005, rate  # the summary's numbers


@claim("momentum.md", "관성 때문에 최소점을 지나칠 수 있지만 전체로는 대개 빠릅니다")
def _summary_momentum_usually_faster():
    betas, lrs, _, final = _grid_experiment()
    plain = final[betas.index(0.0)]
    wins = total = 0
    for row in range(1, len(betas)):
        for col in range(len(lrs)):
            if np.isnan(final[row, col]):
                continue
            total += 1
            wins += bool(np.isnan(plain[col]) or final[row, col] < plain[col])
    assert wins > total / 2, (wins, total)


@claim("momentum.md", "진동을 더 잘 누르지만 안정한 학습률의 범위는 더 좁습니다")
def _summary_nesterov():
    heavy, nesterov = nesterov_runs()
    assert np.abs(nesterov.points[-10:, 1]).max() < 0.1 * np.abs(heavy.points[-10:, 1]).max()
    lr, beta = 0.4, 0.5  # stable for heavy ball (η λmax = 1.6 < 2(1 + β) = 3), not for Nesterov (limit 1.5)
    heavy, nesterov = (minimize(elongated, START, partial(SGD, lr=lr, momentum=beta, nesterov=n), steps=500)
                       for n in (False, True))
    assert heavy.values[-1] < 1e-20 * heavy.values[0] and nesterov.values[-1] > 1e20 * nesterov.values[0]


# --- exercises ---------------------------------------------------------------------------------


@answer("mom-best-beta-kappa100", tol=5e-5)
def _best_beta_for_kappa_100() -> float:
    """Exercise 6.1: Polyak's best momentum β* on the quadratic with curvatures 1 and 100 (κ = 100)."""
    import numpy as np

    from gdcore.functions import quadratic
    from gdcore.theory import curvatures, heavy_ball_best

    return heavy_ball_best(curvatures(quadratic(np.diag([1.0, 100.0]))))[1]


@answer("mom-constant-slope-step10", tol=5e-5)
def _tenth_step_on_a_constant_slope() -> float:
    """Exercise 6.2: the length of the 10th step of SGD(lr=0.01, momentum=0.9) under a constant gradient 3."""
    import numpy as np

    from gdcore.optim import SGD

    x = np.zeros(1)
    opt = SGD(x, lr=0.01, momentum=0.9)
    for _ in range(10):
        before = x[0]
        opt.step(np.array([3.0]))
    return before - x[0]


@answer("mom-nesterov-limit", tol=5e-5)
def _nesterov_limit_at_beta_0_8() -> float:
    """Exercise 6.3: the largest stable learning rate of Nesterov momentum (β = 0.8) on ``elongated``."""
    from gdcore.functions import elongated
    from gdcore.theory import curvatures, lr_limit

    return lr_limit(curvatures(elongated).max(), 0.8, nesterov=True)
