"""Figures and the results table of chapter 5, 확률적 경사하강법과 미니배치 (docs/sgd.md)."""

from __future__ import annotations

from functools import cache

import matplotlib.pyplot as plt
import numpy as np
from threadpoolctl import threadpool_limits

from gdcore.experiments import (
    DIGITS,
    LARGE_BATCH_SETTINGS,
    PATHS,
    final_val_errors,
    regression_problem,
    steps_per_epoch,
)
from gdcore.models import LinearRegression
from gdcore.schedules import gradual_warmup, linear_scaling
from gdcore.train import gradient_noise, sgd_path
from sitegen.figures import Theme, figure, table


def _contours(ax, theme: Theme, problem) -> None:
    """The loss contours of the regression problem, its minimiser (★) and the common start (■)."""
    w0s, w1s = np.linspace(-2.0, 4.0, 161), np.linspace(-3.0, 3.0, 161)
    W0, W1 = np.meshgrid(w0s, w1s)
    levels = problem.loss_star + np.array([0.02, 0.1, 0.3, 0.7, 1.3, 2.2, 3.5, 5.0])
    ax.contour(W0, W1, problem.loss_grid(W0, W1), levels=levels, colors=theme.muted, linewidths=0.8)
    ax.plot(*problem.w_star, "*", color=theme.fg, markersize=13, zorder=4)
    ax.plot(*PATHS.w0, "s", color=theme.fg, markersize=7, zorder=4)
    ax.set_xlim(-2.0, 4.0)
    ax.set_ylim(-3.0, 3.0)
    ax.set_aspect("equal")
    ax.set_xlabel("$w_0$")


@figure(
    "fig9",
    alt=(
        "fig9: 두 매개변수 최소제곱 문제의 손실 등고선 위에서 같은 출발점과 같은 학습률로 움직인 "
        "경사하강법과 확률적 경사하강법의 경로. 경사하강법의 경로는 매끄러운 곡선으로 최소점에 닿고, "
        "예제 하나씩 쓰는 확률적 경사하강법의 경로는 방향이 걸음마다 바뀌며 지그재그로 최소점 근처에 모인다."
    ),
    caption=(
        "같은 손실 $L(\\mathbf w) = \\frac{1}{2N}\\sum_i (\\mathbf x_i\\cdot\\mathbf w - y_i)^2$"
        f"($N = {PATHS.n}$) 위에서, "
        "같은 출발점(■)과 같은 학습률로 같은 걸음 수만큼 움직인 경로. ★는 정확한 최소점 $\\mathbf w^\\star$입니다. "
        f"왼쪽은 걸음마다 예제 {PATHS.n}개 전체의 평균 기울기를, 오른쪽은 무작위로 고른 예제 하나의 기울기를 씁니다."
    ),
)
def gd_vs_sgd(theme: Theme):
    problem = regression_problem()
    runs = [("경사하강법 (B = N)", PATHS.n, theme.blue), ("SGD (B = 1)", 1, theme.orange)]
    fig, axes = plt.subplots(1, 2, figsize=(6.0, 3.4), sharey=True)
    for ax, (title, batch, color) in zip(axes, runs):
        traj = sgd_path(problem, PATHS.w0, PATHS.lr, PATHS.steps, batch, rng=PATHS.seed)
        _contours(ax, theme, problem)
        ax.plot(*traj.points.T, "-o", color=color, markersize=2.5, linewidth=1.3, zorder=3)
        ax.set_title(f"{title}\n$\\eta$ = {PATHS.lr:g}, {PATHS.steps}걸음")
    axes[0].set_ylabel("$w_1$")
    fig.subplots_adjust(wspace=0.1)
    return fig


@figure(
    "fig11",
    alt=(
        "fig11: 같은 손실 등고선 위에 경사하강법, 확률적 경사하강법, 미니배치 경사하강법의 경로를 함께 그린 그림. "
        "미니배치의 경로는 경사하강법보다 조금 흔들리지만 예제 하나짜리 SGD보다 훨씬 덜 흔들린다."
    ),
    caption=(
        "[그림 fig9](#fig9)와 같은 문제, 출발점, 학습률, 걸음 수에서 배치 크기만 바꾼 세 경로: "
        f"경사하강법($B = N = {PATHS.n}$), 미니배치($B = {PATHS.minibatch}$), SGD($B = 1$). 배치가 클수록 경로가 매끄럽습니다."
    ),
)
def three_paths(theme: Theme):
    problem = regression_problem()
    runs = [
        (f"GD (B = {PATHS.n})", PATHS.n, theme.blue, "-"),
        (f"미니배치 (B = {PATHS.minibatch})", PATHS.minibatch, theme.green, "-"),
        ("SGD (B = 1)", 1, theme.orange, "-"),
    ]
    fig, ax = plt.subplots(figsize=(5.4, 5.0))
    _contours(ax, theme, problem)
    for label, batch, color, style in runs:
        traj = sgd_path(problem, PATHS.w0, PATHS.lr, PATHS.steps, batch, rng=PATHS.seed)
        ax.plot(*traj.points.T, style, marker="o", color=color, markersize=2.5, linewidth=1.4, label=label, zorder=3)
    ax.set_ylabel("$w_1$")
    ax.set_title(f"$\\eta$ = {PATHS.lr:g}, {PATHS.steps}걸음")
    ax.legend(loc="lower right")
    return fig


@figure(
    "gradient-noise",
    alt=(
        "gradient-noise: 미니배치 기울기가 전체 기울기에서 벗어난 정도(제곱 오차의 평균)를 배치 크기에 따라 "
        "로그-로그 눈금으로 그린 그림. 측정값이 공식 σ²(N-B)/(B(N-1)) 곡선 위에 놓이고, 배치가 커질수록 "
        "대략 1/B로 줄다가 B가 N에 가까워지면 더 빨리 0으로 떨어진다."
    ),
    caption=(
        "[그림 fig9](#fig9)의 문제에서 출발점 $\\mathbf w_0$의 미니배치 기울기 $\\mathbf g_B$가 전체 기울기 $\\mathbf g$에서 "
        "벗어난 정도 $\\mathbb E\\lVert\\mathbf g_B - \\mathbf g\\rVert^2$. 점은 배치 크기마다 무작위 배치 2000개로 잰 값, "
        "실선은 비복원 추출의 정확한 공식, 점선은 복원 추출의 $\\sigma^2/B$입니다. "
        "($B = N$이면 값이 정확히 0이라 로그 눈금에 그리지 않았습니다.)"
    ),
)
def noise_vs_batch(theme: Theme):
    problem = regression_problem()
    model = LinearRegression(2)
    sizes = [1, 2, 5, 10, 20, 50, 80, 95, 99]
    noise = gradient_noise(model, [np.array(PATHS.w0)], problem.X, problem.y, sizes, rng=PATHS.seed, trials=2000)
    N = len(problem.X)
    B = np.arange(1, N)
    exact = gradient_noise(model, [np.array(PATHS.w0)], problem.X, problem.y, B, rng=0, trials=1).predicted

    fig, ax = plt.subplots(figsize=(5.6, 4.0))
    ax.loglog(B, noise.variance / B, ":", color=theme.muted, label="$\\sigma^2/B$ (복원 추출)")
    ax.loglog(B, exact, "-", color=theme.blue, label="$\\sigma^2(N-B)/(B(N-1))$")
    ax.loglog(noise.batch_sizes, noise.measured, "o", color=theme.orange, markersize=7, label="측정값")
    ax.set_xlabel("배치 크기 $B$")
    ax.set_ylabel("$\\mathbb{E}\\,\\Vert g_B - g\\Vert^2$")
    ax.set_title(f"N = {N}")
    ax.grid(True, which="major")
    ax.legend(loc="lower left")
    return fig


#: Goyal et al.'s ImageNet setting: 1,281,167 training images, η = 0.1 per 256, batch 8192, 5 warmup epochs.
IMAGENET_TRAIN, GOYAL_BATCH, GOYAL_BASE_BATCH, GOYAL_BASE_LR, GOYAL_WARMUP_EPOCHS = 1_281_167, 8192, 256, 0.1, 5


@figure(
    "warmup-schedule",
    alt=(
        "warmup-schedule: 처음 10 에폭 동안의 학습률 그래프 두 개. Goyal 방식은 0.1에서 시작해 5 에폭 동안 "
        "직선으로 3.2까지 오르고, 많은 라이브러리의 방식은 0에서 시작해 같은 기간에 3.2까지 오른다. "
        "그 뒤로 둘 다 3.2로 일정하다."
    ),
    caption=(
        f"배치 {GOYAL_BATCH}에서의 점진적 워밍업(`gdcore.schedules.gradual_warmup`): 가로축은 에폭(ImageNet 훈련 이미지 "
        f"{IMAGENET_TRAIN:,}장 기준의 걸음 수를 한 에폭의 걸음 수로 나눈 값). 처음 {GOYAL_WARMUP_EPOCHS} 에폭 동안 "
        f"학습률이 걸음마다 같은 양씩 오릅니다. Goyal 등은 $\\eta = {GOYAL_BASE_LR:g}$에서, 많은 라이브러리는 0에서 출발합니다. "
        "점선은 워밍업 없이 처음부터 $k\\eta$를 쓰는 경우입니다."
    ),
)
def warmup_schedule(theme: Theme):
    target = linear_scaling(GOYAL_BASE_LR, GOYAL_BATCH, GOYAL_BASE_BATCH)
    per_epoch = steps_per_epoch(IMAGENET_TRAIN, GOYAL_BATCH)
    warmup_steps = GOYAL_WARMUP_EPOCHS * per_epoch
    steps = np.arange(10 * per_epoch + 1)
    epochs = steps / per_epoch
    fig, ax = plt.subplots(figsize=(5.6, 3.6))
    ax.axhline(target, linestyle=":", color=theme.muted, label="워밍업 없음")
    ax.plot(epochs, gradual_warmup(steps, target, warmup_steps, start_lr=GOYAL_BASE_LR), color=theme.blue,
            label=f"Goyal 등: {GOYAL_BASE_LR:g}에서 시작")
    ax.plot(epochs, gradual_warmup(steps, target, warmup_steps), "--", color=theme.orange, label="0에서 시작")
    ax.set_xlabel("에폭")
    ax.set_ylabel("학습률")
    ax.set_xlim(0, 10)
    ax.set_ylim(0, target * 1.1)
    ax.grid(True)
    ax.legend(loc="lower right")
    return fig


@cache
def _digits_results():
    """All runs of the large-batch experiment, once per build (the table and the figure share them)."""
    with threadpool_limits(1):  # tiny matrices: BLAS threads only add overhead, much more on a busy machine
        return final_val_errors(DIGITS)


@table("large-batch-results")
def large_batch_results() -> str:
    results = _digits_results()
    head = (
        "| 설정 | 배치 | 학습률 | 워밍업 | 걸음 수 | 최종 검증 오차 (평균) | 시드별 범위 |\n"
        "| --- | ---: | ---: | --- | ---: | ---: | ---: |\n"
    )
    rows = []
    for i, s in enumerate(LARGE_BATCH_SETTINGS, 1):
        errors, runs = results[s.name]
        warm = f"{s.warmup_start_lr:g} → {s.lr:g}, {s.warmup_epochs} 에폭" if s.warmup_epochs else "없음"
        flag = " (발산)" if any(h.diverged for h in runs) else ""
        rows.append(
            f"| ({i}) {s.label} | {s.batch_size} | {s.lr:g} | {warm} | {runs[0].steps} | "
            f"{100 * errors.mean():.1f}%{flag} | {100 * errors.min():.1f}–{100 * errors.max():.1f}% |"
        )
    return head + "\n".join(rows) + "\n"


@figure(
    "large-batch-curves",
    alt=(
        "large-batch-curves: 손글씨 숫자 데이터에서 네 가지 설정으로 학습한 MLP의 에폭별 훈련 손실(위, 로그 눈금)과 "
        "검증 오차(아래). 큰 배치에 학습률만 키운 설정은 초반에 훈련 손실이 크게 치솟았다가 내려오고, "
        "워밍업을 더한 설정은 그 치솟음이 작으며 검증 오차가 작은 배치 설정에 가깝게 내려간다. "
        "큰 배치에 같은 학습률을 쓴 설정은 걸음 수가 적어 오차가 가장 천천히 줄어든다."
    ),
    caption=(
        f"`gdcore.experiments.run_large_batch`로 네 설정을 시드 {len(DIGITS.seeds)}개씩 돌려 평균한 곡선(빌드할 때 계산). "
        "위: 에폭이 끝날 때의 전체 훈련 손실(로그 눈금), 아래: 검증 오차. 모든 설정이 같은 에폭 수, 즉 같은 수의 예제를 봅니다."
    ),
)
def large_batch_curves(theme: Theme):
    results = _digits_results()
    colors = [theme.blue, theme.muted, theme.red, theme.green]
    styles = ["-", ":", "--", "-"]
    fig, (ax_l, ax_e) = plt.subplots(2, 1, figsize=(5.8, 6.6), sharex=True)
    for s, color, style in zip(LARGE_BATCH_SETTINGS, colors, styles):
        runs = results[s.name][1]
        epochs = np.arange(len(runs[0].epoch_loss))
        ax_l.semilogy(epochs, np.mean([h.epoch_loss for h in runs], axis=0), style, color=color, label=s.label)
        ax_e.plot(epochs, 100 * np.mean([h.val_error for h in runs], axis=0), style, color=color, label=s.label)
    ax_l.set_ylabel("훈련 손실")
    ax_l.grid(True)
    ax_e.set_ylabel("검증 오차 (%)")
    ax_e.set_ylim(0, 40)
    ax_e.set_xlabel("에폭")
    ax_e.set_xlim(0, DIGITS.epochs)
    ax_e.grid(True)
    ax_l.legend(loc="lower left", bbox_to_anchor=(0.0, 1.02), ncols=2, frameon=False,
                handlelength=1.6, columnspacing=1.0)
    fig.subplots_adjust(hspace=0.08)
    return fig
