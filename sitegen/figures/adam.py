"""Figures of chapter 8, Adam과 AdamW (docs/adam.md)."""

from __future__ import annotations

from functools import partial

import matplotlib.pyplot as plt
import numpy as np

from gdcore.functions import elongated, rosenbrock_2d
from gdcore.optim import SGD, Adam
from gdcore.run import minimize
from sitegen.figures import Theme, figure


@figure(
    "adam-bias-correction",
    alt=(
        "adam-bias-correction: 평균 1, 표준편차 0.5인 잡음 섞인 기울기를 Adam에 50번 넣으며 "
        "모멘트 추정값을 그린 그림. 위 칸에서 보정 전 1차 모멘트 m_t는 0에서 출발해 천천히 1로 올라가지만 "
        "보정한 m̂_t는 첫 걸음부터 1 근처에 있다. 아래 칸(로그 눈금)에서 보정 전 2차 모멘트 v_t는 "
        "50번째 걸음에도 참값 1.25의 몇 퍼센트에 머무르지만, 보정한 v̂_t는 처음부터 참값 근처에 있다."
    ),
    caption=(
        "기울기 $g_t = 1 + 0.5\\,z_t$($z_t$는 시드를 고정한 표준정규 난수, $\\mathbb{E}[g] = 1$, "
        "$\\mathbb{E}[g^2] = 1.25$)를 기본값($\\beta_1 = 0.9$, $\\beta_2 = 0.999$)의 `gdcore.optim.Adam`에 넣고, "
        "걸음마다 `opt.state[0]` 의 `exp_avg`($m_t$)와 `exp_avg_sq`($v_t$)를 읽었습니다. "
        "보정값은 $\\hat m_t = m_t/(1-\\beta_1^t)$, $\\hat v_t = v_t/(1-\\beta_2^t)$입니다. "
        "아래 칸은 로그 눈금입니다."
    ),
)
def bias_correction(theme: Theme):
    steps, mean, std = 50, 1.0, 0.5
    rng = np.random.default_rng(8)
    grads = mean + std * rng.standard_normal(steps)
    x = np.zeros(1)
    opt = Adam(x)  # torch defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8
    beta1, beta2 = opt.betas
    m, v = [], []
    for g in grads:
        opt.step(np.array([g]))
        m.append(opt.state[0]["exp_avg"][0])
        v.append(opt.state[0]["exp_avg_sq"][0])
    t = np.arange(1, steps + 1)
    m, v = np.array(m), np.array(v)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(5.6, 6.6), sharex=True)
    ax1.plot(t, grads, "o", color=theme.muted, markersize=3.5, label="$g_t$ (관측)")
    ax1.axhline(mean, color=theme.fg, linestyle="--", linewidth=1.2)
    ax1.plot(t, m, color=theme.orange, label="$m_t$ (보정 전)")
    ax1.plot(t, m_hat, color=theme.blue, label="$\\hat m_t$ (보정 후)")
    ax1.text(steps, mean + 0.04, "$\\mathbb{E}[g] = 1$", color=theme.fg, ha="right", va="bottom")
    ax1.set_ylim(-0.1, 2.3)
    ax1.set_ylabel("1차 모멘트")
    ax1.legend(loc="upper center", ncols=3, fontsize=11, handlelength=1.2, columnspacing=0.9)
    ax1.grid(True)

    ax2.semilogy(t, grads**2, "o", color=theme.muted, markersize=3.5, label="$g_t^2$ (관측)")
    ax2.axhline(mean**2 + std**2, color=theme.fg, linestyle="--", linewidth=1.2)
    ax2.semilogy(t, v, color=theme.orange, label="$v_t$ (보정 전)")
    ax2.semilogy(t, v_hat, color=theme.blue, label="$\\hat v_t$ (보정 후)")
    ax2.text(steps, (mean**2 + std**2) * 1.5, "$\\mathbb{E}[g^2] = 1.25$", color=theme.fg, ha="right", va="bottom")
    ax2.set_ylim(3e-6, 30)
    ax2.set_ylabel("2차 모멘트 (로그 눈금)")
    ax2.set_xlabel("걸음 $t$")
    ax2.legend(loc="lower right", fontsize=11)
    ax2.grid(True, which="major")
    ax2.set_xlim(0, steps + 1)
    fig.tight_layout()
    return fig


@figure(
    "adam-paths",
    alt=(
        "adam-paths: 길쭉한 이차함수와 로젠브록 함수의 등고선 위에 Adam과 모멘텀 SGD의 경로를 겹쳐 그린 그림. "
        "이차함수에서 모멘텀 SGD는 가파른 방향으로 크게 출렁이며 휘어 들어가고, Adam은 처음에 두 좌표를 "
        "같은 크기로 움직여 대각선으로 출발한 뒤 골짜기를 따라 내려간다. 로젠브록 함수에서는 둘 다 "
        "바나나 모양 골짜기를 따라 최소점 (1, 1) 쪽으로 간다. 범례에 각 경로의 마지막 함숫값이 있다."
    ),
    caption=(
        "위: $f = 0.1\\,x_0^2 + 2\\,x_1^2$(`gdcore.functions.elongated`), 아래: 로젠브록 함수 "
        "$f = (1-x_0)^2 + 100\\,(x_1 - x_0^2)^2$(`gdcore.functions.rosenbrock_2d`). "
        "같은 출발점(■)에서 Adam(파랑)과 모멘텀 SGD(주황, $\\mu = 0.9$)를 같은 걸음 수만큼 돌렸습니다. "
        "학습률(Adam은 $\\alpha$, SGD는 $\\eta$)은 범례에, 마지막 함숫값 $f(x_n)$도 범례에 있습니다(빌드할 때 계산). ★는 최소점입니다."
    ),
)
def paths(theme: Theme):
    panels = [
        # objective, start, steps, [(label, optimizer factory)], contour levels, window
        (elongated, [-4.5, 2.0], 50,
         [("Adam, $\\alpha$=0.3", partial(Adam, lr=0.3)),
          ("모멘텀 SGD, $\\eta$=0.05", partial(SGD, lr=0.05, momentum=0.9))],
         [0.05, 0.2, 0.5, 1, 2, 4, 8], ((-5.0, 1.5), (-2.2, 2.5))),
        (rosenbrock_2d, [-1.2, 1.0], 1000,
         [("Adam, $\\alpha$=0.1", partial(Adam, lr=0.1)),
          ("모멘텀 SGD, $\\eta$=0.001", partial(SGD, lr=1e-3, momentum=0.9))],
         [0.5, 2, 5, 10, 25, 50, 100, 200], ((-1.6, 1.6), (-0.4, 1.8))),
    ]
    fig, axes = plt.subplots(2, 1, figsize=(5.6, 8.2), height_ratios=(1, 1.1))
    for ax, (f, start, steps, runs, levels, window) in zip(axes, panels):
        X, Y, Z = f.grid(201, window=window)
        ax.contour(X, Y, Z, levels=levels, colors=theme.muted, linewidths=0.8)
        for (label, opt), color, z in zip(runs, (theme.blue, theme.orange), (3, 2)):
            traj = minimize(f, start, opt, steps=steps)
            ax.plot(*traj.points.T, "-", color=color, linewidth=1.6, zorder=z,
                    label=f"{label}\n$f(x_{{{steps}}})$ = {traj.values[-1]:.2g}")
            if steps <= 100:
                ax.plot(*traj.points.T, "o", color=color, markersize=2.5, zorder=z)
        ax.plot(*start, "s", color=theme.fg, markersize=7)
        ax.plot(*f.minimum, "*", color=theme.fg, markersize=13)
        ax.set_xlim(*window[0])
        ax.set_ylim(*window[1])
        ax.locator_params(axis="y", nbins=5)  # 0.25 steps crowd the axis on a phone
        ax.set_aspect("equal")
        ax.set_xlabel("$x_0$")
        ax.set_ylabel("$x_1$")
        ax.set_title(f"{'길쭉한 이차함수' if f is elongated else '로젠브록 함수'}, {steps}걸음")
    axes[0].legend(loc="upper right", framealpha=0.9)
    axes[1].legend(loc="upper center", framealpha=0.9)
    fig.tight_layout()
    return fig
