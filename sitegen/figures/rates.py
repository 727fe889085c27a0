"""The convergence-rate figure of chapter 6 (docs/momentum.md): the (η, β) plane of heavy-ball
momentum on ``gdcore.functions.elongated`` (f = 0.1 x0² + 2 x1², κ = 20).

Left (top on a phone) the closed form of ``gdcore.theory``; right the same quantity measured on
gdcore runs.  The grid and the run length live here once.
"""

from __future__ import annotations

from functools import cache, partial

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap

from gdcore.functions import elongated
from gdcore.optim import SGD
from gdcore.run import minimize
from gdcore.theory import curvatures, heavy_ball_best, heavy_ball_rate, heavy_ball_regime, measured_rate
from sitegen.claims import claim
from sitegen.figures import Theme, figure

START = (-5.0, -2.0)
LR_RANGE, BETA_RANGE = (0.02, 1.2), (0.0, 0.98)
FINE = 181  # closed form: points per axis
RUN_LRS = np.round(np.arange(0.05, 1.2001, 0.05), 2)  # gdcore runs: one per cell
RUN_BETAS = np.round(np.arange(0.0, 0.9501, 0.05), 2)
RUN_STEPS = 100
RATE_LEVELS = [0.6, 0.65, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0]
_KAPPA = float(curvatures(elongated)[-1] / curvatures(elongated)[0])  # the condition number, 20
GRID_BEST = (0.5, 0.6)  # (β, η) of the best cell of the momentum-grid figure (sitegen/figures/momentum.py)


@cache
def closed_form():
    """(lrs, betas, rate[β, η], regime[β, η]) of gdcore.theory on a fine grid; regime 0/1/2 =
    monotone/oscillating/divergent."""
    lams = curvatures(elongated)
    lrs = np.linspace(*LR_RANGE, FINE)
    betas = np.linspace(*BETA_RANGE, FINE)
    L, B = np.meshgrid(lrs, betas)
    rate = heavy_ball_rate(lams, L, B)
    names = heavy_ball_regime(lams, L, B)
    regime = np.select([names == "monotone", names == "oscillating"], [0, 1], 2)
    return lrs, betas, rate, regime


@cache
def measured():
    """The per-step factor of a gdcore run (``measured_rate`` over its second half) for every cell
    of (RUN_BETAS × RUN_LRS); NaN where the run diverged: gdcore stopped it, or it grew (a factor
    of 1 or more: in RUN_STEPS steps a run growing 1.2-fold a step does not reach gdcore's limit)."""
    out = np.full((len(RUN_BETAS), len(RUN_LRS)), np.nan)
    for r, beta in enumerate(RUN_BETAS):
        for c, lr in enumerate(RUN_LRS):
            run = minimize(elongated, START, partial(SGD, lr=float(lr), momentum=float(beta)), RUN_STEPS,
                           on_divergence="stop")
            factor = np.inf if run.diverged else measured_rate(run.points, elongated.minimum)
            if factor < 1:
                out[r, c] = factor
    out.setflags(write=False)
    return out


def _optimum():
    lr, beta, rate = heavy_ball_best(curvatures(elongated))
    return lr, beta, rate


@figure(
    "momentum-phase",
    alt=(
        "가로축이 학습률 η, 세로축이 모멘텀 β인 평면을 위아래 두 칸에 그린 그림. 위 칸은 이론식으로 구한 걸음당 수렴 배율의 "
        "등고선과 세 영역(한쪽에서 다가감, 진동하며 다가감, 발산)이고, 아래 칸은 같은 평면의 격자에서 gdcore로 돌린 실행마다 잰 "
        "배율이다. 두 칸 모두 오른쪽 위가 발산 영역이고, 가장 빠른 곳(별표)은 η ≈ 0.67, β ≈ 0.40에서 걸음당 0.63배다. "
        "별표에서 왼쪽 아래(작은 η와 β)로 갈수록 배율이 커진다."
    ),
    caption=(
        f"${elongated.latex}$($\\kappa = {_KAPPA:g}$)에서 `SGD(lr=η, momentum=β)`의 걸음당 수렴 배율. "
        "위: `gdcore.theory.heavy_ball_rate`(두 곡률에서 특성근의 가장 큰 크기)의 등고선과 "
        f"`heavy_ball_regime`의 세 영역. 아래: 격자의 칸마다 `gdcore.run.minimize`로 {RUN_STEPS}걸음을 돌려 뒤쪽 절반에서 잰 배율"
        "(`measured_rate`, 회색은 발산). 별표는 이론의 최적점 $(\\eta^\\star, \\beta^\\star)$, 원은 "
        f"[](#momentum-grid)에서 가장 좋았던 칸 $(\\eta, \\beta) = ({GRID_BEST[1]:g}, {GRID_BEST[0]:g})$로, "
        "그 격자에서 최적점에 가장 가까운 칸입니다."
    ),
    # the palette colours only (the regions, the text) and viridis: the dark variant is the light one recoloured
)
def phase(theme: Theme):
    lrs, betas, rate, regime = closed_form()
    runs = measured()
    lr_star, beta_star, _ = _optimum()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(5.6, 7.6), sharex=True, constrained_layout=True)
    regions = ListedColormap([theme.blue, theme.orange, theme.muted])
    top.contourf(lrs, betas, regime, levels=[-0.5, 0.5, 1.5, 2.5], cmap=regions, alpha=0.28)
    lines = top.contour(lrs, betas, np.where(rate < 1, rate, np.nan), levels=RATE_LEVELS[:-1], colors=theme.fg,
                        linewidths=0.8)
    top.clabel(lines, fmt=lambda v: f"{v:g}", fontsize=9)
    top.text(0.08, 0.08, "한쪽에서\n다가감", color=theme.blue, fontsize=11, fontweight="bold")
    top.text(0.5, 0.86, "진동하며 다가감", color=theme.orange, fontsize=11, fontweight="bold", ha="center")
    top.text(1.0, 0.2, "발산", color=theme.fg, fontsize=12, fontweight="bold", ha="center")
    top.set_title("이론: 걸음당 배율과 세 영역", fontsize=12)
    cmap = plt.get_cmap(theme.cmap).with_extremes(bad=theme.muted)
    norm = BoundaryNorm(RATE_LEVELS, cmap.N)
    image = bottom.pcolormesh(RUN_LRS, RUN_BETAS, np.ma.masked_invalid(runs), cmap=cmap, norm=norm, shading="nearest")
    bottom.set_title(f"gdcore 실행 {runs.size}개에서 잰 배율 (회색: 발산)", fontsize=12)
    fig.colorbar(image, ax=bottom, label="걸음당 배율", shrink=0.9)
    for ax in (top, bottom):
        ax.plot(lr_star, beta_star, "*", color=theme.fg, markersize=15, markeredgecolor=theme.surface)
        ax.plot(GRID_BEST[1], GRID_BEST[0], "o", markersize=9, markerfacecolor="none", markeredgecolor=theme.fg,
                markeredgewidth=1.6)
        ax.set_ylabel("모멘텀 β")
        ax.set_xlim(*LR_RANGE)
        ax.set_ylim(BETA_RANGE[0], BETA_RANGE[1])
    bottom.set_xlabel("학습률 η")
    return fig


@claim("momentum-phase", "가장 빠른 곳(별표)은 η ≈ 0.67, β ≈ 0.40에서 걸음당 0.63배다")
def _the_optimum():
    lr, beta, rate = _optimum()
    assert (round(lr, 2), round(beta, 2), round(rate, 2)) == (0.67, 0.40, 0.63), (lr, beta, rate)
    lrs, betas, closed, _ = closed_form()
    r, c = np.unravel_index(np.nanargmin(closed), closed.shape)
    assert abs(lrs[c] - lr) < 0.02 and abs(betas[r] - beta) < 0.02, (lrs[c], betas[r])


@claim("momentum-phase", "두 칸 모두 오른쪽 위가 발산 영역이고")
def _divergence_top_right():
    *_, regime = closed_form()
    runs = measured()
    assert regime[-1, -1] == 2 and np.isnan(runs[-1, -1])
    assert regime[0, 0] != 2 and not np.isnan(runs[0, 0])
    # where the closed form says divergent (beyond the edge), the runs diverged too, and vice versa
    lams = curvatures(elongated)
    disagree = [(b, lr) for i, b in enumerate(RUN_BETAS) for j, lr in enumerate(RUN_LRS)
                if (heavy_ball_rate(lams, lr, b) >= 1.01) != bool(np.isnan(runs[i, j]))
                and abs(heavy_ball_rate(lams, lr, b) - 1) > 0.01]
    assert not disagree, disagree


@claim("momentum-phase", "그 격자에서 최적점에 가장 가까운 칸입니다")
def _grid_best_is_nearest():
    from sitegen.figures.momentum import _grid_experiment  # the momentum-grid figure's runs

    lr, beta, _ = _optimum()
    betas, lrs, _, final = _grid_experiment()
    nearest = (min(betas, key=lambda b: abs(b - beta)), min(lrs, key=lambda x: abs(x - lr)))
    assert nearest == GRID_BEST, nearest
    r, c = np.unravel_index(np.nanargmin(final), final.shape)
    assert (betas[r], lrs[c]) == GRID_BEST, (betas[r], lrs[c])


@claim("momentum-phase", "아래 칸은 같은 평면의 격자에서 gdcore로 돌린 실행마다 잰 배율이다")
def _runs_agree_with_the_closed_form():
    """Where a run converged, its measured factor is the closed form's within 5% (all but a few
    cells at the edge of the monotone region, where a double root slows the tail down)."""
    lams = curvatures(elongated)
    runs = measured()
    off = [(b, lr) for i, b in enumerate(RUN_BETAS) for j, lr in enumerate(RUN_LRS)
           if not np.isnan(runs[i, j]) and heavy_ball_rate(lams, lr, b) < 0.99
           and abs(runs[i, j] / heavy_ball_rate(lams, lr, b) - 1) > 0.05]
    assert len(off) <= 0.05 * np.isfinite(runs).sum(), off


@claim("momentum-phase", "별표에서 왼쪽 아래(작은 η와 β)로 갈수록 배율이 커진다")
def _slower_towards_the_lower_left():
    lr, beta, _ = _optimum()
    t = np.linspace(0, 1, 50)
    lams = curvatures(elongated)
    closed = heavy_ball_rate(lams, lr - t * (lr - LR_RANGE[0]), beta * (1 - t))
    assert np.all(np.diff(closed) > 0), closed
    runs = measured()  # the runs' cells on the same line, from the optimum's cell down to (0.05, 0)
    cells = [runs[int(round(b / 0.05)), int(round((x - 0.05) / 0.05))]
             for x, b in zip(np.linspace(0.65, 0.05, 13), np.linspace(0.4, 0.0, 13), strict=True)]
    assert np.all(np.diff(cells) > -0.01), cells
