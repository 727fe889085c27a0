"""Figures and the results table of chapter 5, 확률적 경사하강법과 미니배치 (docs/sgd.md)."""

from __future__ import annotations

from functools import cache

import matplotlib.pyplot as plt
import numpy as np
from threadpoolctl import threadpool_limits

from gdcore.book import (
    DIGITS,
    LARGE_BATCH_SETTINGS,
    PATHS,
    final_val_errors,
    gradient_noise,
    regression_problem,
    sgd_path,
    steps_per_epoch,
)
from gdcore.book.escape import ESCAPE, escape_experiment
from gdcore.functions import landscape, landscape_points
from gdcore.models import LinearRegression
from gdcore.schedules import gradual_warmup, linear_scaling
from sitegen.claims import claim
from sitegen.figures import Theme, answer, figure, table


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


@cache
def batch_paths() -> dict[int, object]:
    """{batch size: trajectory} for full batch, mini-batch and single examples (fig9, fig11)."""
    problem = regression_problem()
    return {batch: sgd_path(problem, PATHS.w0, PATHS.lr, PATHS.steps, batch, rng=PATHS.seed)
            for batch in (PATHS.n, PATHS.minibatch, 1)}


GD_LABEL, MINIBATCH_LABEL, SGD_LABEL = (f"경사하강법 (B = N = {PATHS.n})", f"미니배치 (B = {PATHS.minibatch})",
                                        "SGD (B = 1)")


@figure(
    "fig9",
    alt=(
        "두 매개변수 최소제곱 문제의 손실 등고선 위에서 같은 출발점과 같은 학습률로 움직인 "
        "경사하강법과 확률적 경사하강법의 경로. 경사하강법의 경로는 매끄러운 곡선으로 최소점에 닿는다. "
        "예제 하나씩 쓰는 확률적 경사하강법은 처음 몇 걸음은 조금씩 움직이다가 예제 하나의 큰 기울기로 "
        "한 번에 최소점 근처까지 건너뛰고, 그 뒤로는 걸음마다 방향을 바꾸며 최소점 주위를 맴돈다."
    ),
    caption=(
        "같은 손실 $L(\\mathbf w) = \\frac{1}{2N}\\sum_i (\\mathbf x_i\\cdot\\mathbf w - y_i)^2$"
        f"($N = {PATHS.n}$) 위에서, "
        "같은 출발점(■)과 같은 학습률로 같은 걸음 수만큼 움직인 경로. ★는 정확한 최소점 $\\mathbf w^\\star$입니다. "
        f"왼쪽은 걸음마다 예제 {PATHS.n}개 전체의 평균 기울기를, 오른쪽은 무작위로 고른 예제 하나의 기울기를 씁니다. "
        "오른쪽의 긴 한 걸음은 손실이 큰 예제 하나가 만든 것입니다."
    ),
)
def gd_vs_sgd(theme: Theme):
    problem = regression_problem()
    runs = [(GD_LABEL, PATHS.n, theme.blue), (SGD_LABEL, 1, theme.orange)]
    fig, axes = plt.subplots(1, 2, figsize=(6.0, 3.4), sharey=True)
    for ax, (title, batch, color) in zip(axes, runs):
        traj = batch_paths()[batch]
        _contours(ax, theme, problem)
        ax.plot(*traj.points.T, "-o", color=color, markersize=2.5, linewidth=1.3, zorder=3)
        ax.set_title(f"{title}\n$\\eta$ = {PATHS.lr:g}, {PATHS.steps}걸음")
    axes[0].set_ylabel("$w_1$")
    fig.subplots_adjust(wspace=0.1)
    return fig


def _distances(batch: int) -> np.ndarray:
    return np.linalg.norm(batch_paths()[batch].points - regression_problem().w_star, axis=1)


def _turns(points: np.ndarray) -> np.ndarray:
    """The angle (degrees) between each pair of consecutive steps."""
    steps = np.diff(points, axis=0)
    cos = np.sum(steps[1:] * steps[:-1], axis=1) / (np.linalg.norm(steps[1:], axis=1) * np.linalg.norm(steps[:-1], axis=1))
    return np.degrees(np.arccos(np.clip(cos, -1, 1)))


@claim("fig9", "경사하강법의 경로는 매끄러운 곡선으로 최소점에 닿는다")
def _gd_is_smooth_and_arrives():
    assert _turns(batch_paths()[PATHS.n].points).max() < 10 and _distances(PATHS.n)[-1] < 0.05 * _distances(PATHS.n)[0]


@claim("fig9", "처음 몇 걸음은 조금씩 움직이다가 예제 하나의 큰 기울기로 한 번에 최소점 근처까지 건너뛰고")
def _sgd_jumps_once():
    lengths = np.linalg.norm(np.diff(batch_paths()[1].points, axis=0), axis=1)
    jump = int(lengths.argmax())
    d = _distances(1)
    assert jump <= 5 and lengths[:jump].sum() < 0.25 * lengths[jump], lengths[: jump + 1]
    assert lengths[jump] > 0.4 * lengths.sum() and d[jump + 1] < 0.15 * d[0], (lengths[jump], d[jump + 1])


@claim("fig9", "그 뒤로는 걸음마다 방향을 바꾸며 최소점 주위를 맴돈다")
def _sgd_wanders_afterwards():
    points = batch_paths()[1].points
    jump = int(np.linalg.norm(np.diff(points, axis=0), axis=1).argmax())
    after = _distances(1)[jump + 1 :]
    assert after.max() < 0.2 * _distances(1)[0] and after[-1] > 3 * _distances(PATHS.n)[-1], after
    assert np.mean(_turns(points[jump + 1 :]) > 60) > 0.4, "the path after the jump does not turn often"


@figure(
    "fig11",
    alt=(
        "같은 손실 등고선 위에 경사하강법, 확률적 경사하강법, 미니배치 경사하강법의 경로를 함께 그린 그림. "
        "미니배치의 경로는 경사하강법보다 조금 흔들리지만 예제 하나짜리 SGD보다 훨씬 덜 흔들린다."
    ),
    caption=(
        "문제, 출발점, 학습률, 걸음 수는 [](#fig9) 그대로이고 배치 크기만 바꾼 세 경로: "
        f"경사하강법($B = N = {PATHS.n}$), 미니배치($B = {PATHS.minibatch}$), SGD($B = 1$). 배치가 클수록 경로가 매끄럽습니다."
    ),
)
def three_paths(theme: Theme):
    problem = regression_problem()
    runs = [(GD_LABEL, PATHS.n, theme.blue), (MINIBATCH_LABEL, PATHS.minibatch, theme.green), (SGD_LABEL, 1, theme.orange)]
    fig, ax = plt.subplots(figsize=(5.4, 5.0))
    _contours(ax, theme, problem)
    for label, batch, color in runs:
        traj = batch_paths()[batch]
        ax.plot(*traj.points.T, "-", marker="o", color=color, markersize=2.5, linewidth=1.4, label=label, zorder=3)
    ax.set_ylabel("$w_1$")
    ax.set_title(f"$\\eta$ = {PATHS.lr:g}, {PATHS.steps}걸음")
    ax.legend(loc="lower right")
    return fig


def _off_gd_path(batch: int) -> np.ndarray:
    return np.linalg.norm(batch_paths()[batch].points - batch_paths()[PATHS.n].points, axis=1)


@claim("fig11", "미니배치의 경로는 경사하강법보다 조금 흔들리지만 예제 하나짜리 SGD보다 훨씬 덜 흔들린다")
def _minibatch_between():
    minibatch, single = _off_gd_path(PATHS.minibatch).mean(), _off_gd_path(1).mean()
    assert 0 < minibatch < 0.3 * single, (minibatch, single)


@claim("fig11", "배치가 클수록 경로가 매끄럽습니다")
def _larger_batch_smoother():
    def wiggle(batch):  # path length over net displacement: 1 for a straight path
        points = batch_paths()[batch].points
        return np.linalg.norm(np.diff(points, axis=0), axis=1).sum() / np.linalg.norm(points[-1] - points[0])

    ratios = [wiggle(b) for b in (PATHS.n, PATHS.minibatch, 1)]
    assert ratios[0] < ratios[1] < ratios[2], ratios


#: The noise level whose runs the top panel of sgd-escape draws: every run's last point, and the path
#: of the first run (by seed) ending in each basin.
ESCAPE_SHOWN_TAU = 3.0
assert ESCAPE_SHOWN_TAU in ESCAPE.noise


def _first(result, basin: str) -> int:
    """The first run (by seed) of ``result`` that ends in ``basin``: the path the sgd-escape figure draws."""
    return int(np.flatnonzero(result.basin == basin)[0])


def _escape_counts() -> dict[str, np.ndarray]:
    """The sgd-escape figure's bottom panel: τ and, per τ, the runs ending in each basin or near the global minimum."""
    results = escape_experiment(ESCAPE)
    return {"tau": np.array([r.tau for r in results]), "escaped": np.array([r.escaped for r in results]),
            "stayed": np.array([r.stayed for r in results]), "near": np.array([r.near for r in results])}


@figure(
    "sgd-escape",
    alt=(
        "전역 최소점, 지역 최소점, 그 사이의 안장점이 있는 함수의 등고선 위에 지역 최소점에서 출발해 "
        "기울기에 잡음을 더한 경사하강법 실행들의 마지막 점과 경로 두 개를 그리고, 아래에 잡음의 크기 τ마다 "
        f"실행 {ESCAPE.seeds}번 가운데 전역 최소점의 골짜기에서 끝난 수와 전역 최소점 가까이에서 끝난 수를 그린 그림. "
        "잡음이 없는 경사하강법(τ = 0)은 한 번도 지역 최소점을 떠나지 않는다. "
        "전역 골짜기에서 끝난 수는 τ가 커질수록 늘다가 중간 크기의 τ에서 가장 많고, 더 큰 τ에서는 다시 줄어든다. "
        "가장 큰 τ에서는 전역 최소점 가까이에서 끝난 실행이 거의 없다."
    ),
    caption=(
        "[](gradient-descent.md#fig8)의 함수(`gdcore.functions.landscape`)에서, 지역 최소점(●)에 놓인 점을 "
        f"기울기에 잡음을 더해 $\\eta = {ESCAPE.lr:g}$로 {ESCAPE.steps}걸음 옮긴 실행들"
        "(`gdcore.book.escape`, 빌드할 때 계산). "
        "걸음마다 쓰는 기울기는 $\\nabla f(\\mathbf x) + \\boldsymbol\\xi$이고, 잡음 $\\boldsymbol\\xi$는 좌표마다 "
        "분산이 $\\tau^2/2$인 정규분포에서 뽑아 $\\mathbb E\\lVert\\boldsymbol\\xi\\rVert^2 = \\tau^2$입니다. "
        f"위: $\\tau = {ESCAPE_SHOWN_TAU:g}$인 실행 {ESCAPE.seeds}개의 마지막 점(색은 끝난 골짜기)과, "
        "두 골짜기에서 각각 시드 순서로 첫 실행의 경로. "
        "★는 전역 최소점, ✕는 안장점입니다. "
        f"아래: $\\tau$마다 시드 {ESCAPE.seeds}개(모든 $\\tau$에서 같은 시드)의 결과. 어느 골짜기에서 끝났는지는 마지막 점에서 "
        f"잡음 없이 {ESCAPE.settle_steps}걸음 더 내려가 닿는 최소점으로 정하고, "
        f"'전역 최소점에서 {ESCAPE.near:g} 안'은 마지막 점이 전역 최소점에서 거리 {ESCAPE.near:g} 안에 있다는 뜻입니다."
    ),
)
def noise_escape(theme: Theme):
    results = {r.tau: r for r in escape_experiment(ESCAPE)}
    counts = _escape_counts()
    fig, (ax, ax_n) = plt.subplots(2, 1, figsize=(5.0, 8.0), height_ratios=(3.2, 2.2))

    X, Y, Z = landscape.grid(121)
    ax.contour(X, Y, Z, levels=np.linspace(-1.7, 1.5, 12), colors=theme.muted, linewidths=0.8,
               negative_linestyles="solid")
    shown = results[ESCAPE_SHOWN_TAU]
    ends = shown.paths[-1]
    for basin, color, label in (("global", theme.blue, "전역 골짜기에서 끝남"), ("local", theme.orange, "지역 골짜기에서 끝남")):
        mine = shown.basin == basin
        ax.plot(*ends[mine].T, "o", color=color, markersize=3.2, alpha=0.75, label=f"{label} ({mine.sum()}번)",
                zorder=3)
    for i, color in ((_first(shown, "global"), theme.blue), (_first(shown, "local"), theme.orange)):
        ax.plot(*shown.paths[:, i].T, "-", color=color, linewidth=0.8, alpha=0.7, zorder=2)
    for key, marker, size in (("global_min", "*", 16), ("local_min", "o", 10), ("saddle", "X", 10)):
        ax.plot(*landscape_points[key], marker, color=theme.fg, markersize=size, markeredgecolor=theme.surface,
                zorder=5)
    ax.set_title(f"$\\tau$ = {ESCAPE_SHOWN_TAU:g}, $\\eta$ = {ESCAPE.lr:g}, {ESCAPE.steps}걸음")
    ax.set_xlim(-3, 3)
    ax.set_ylim(-3, 3)
    ax.set_aspect("equal")
    ax.set_xticks([-3, -2, -1, 0, 1, 2, 3])
    ax.set_yticks([-3, -2, -1, 0, 1, 2, 3])
    ax.set_xlabel("$x_0$", labelpad=1)
    ax.set_ylabel("$x_1$")
    ax.legend(loc="upper left", framealpha=0.85, handlelength=1.4)

    tau = counts["tau"]
    ax_n.plot(tau, counts["escaped"], "-o", color=theme.blue, label="전역 골짜기에서 끝남")
    ax_n.plot(tau, counts["near"], "--s", color=theme.green, markersize=5,
              label=f"전역 최소점에서 {ESCAPE.near:g} 안")
    ax_n.annotate("경사하강법", (0, 0), xytext=(0.3, 0.55 * ESCAPE.seeds), color=theme.fg,
                  arrowprops=dict(arrowstyle="->", color=theme.fg))
    ax_n.set_xlabel("잡음의 크기 $\\tau$")
    ax_n.set_ylabel(f"실행 수 ({ESCAPE.seeds}번 중)")
    ax_n.set_xlim(-0.3, tau[-1] + 0.3)
    ax_n.set_ylim(-8, 1.3 * ESCAPE.seeds)  # room for the legend above the counts
    ax_n.set_yticks(np.arange(0, ESCAPE.seeds + 1, 50))
    ax_n.set_xticks(tau)
    ax_n.grid(True)
    ax_n.legend(loc="upper right", ncols=1)
    fig.subplots_adjust(hspace=0.32)
    return fig


def _rise_then_fall(counts: np.ndarray) -> int:
    """The index of the largest count, checked to be strictly inside, with counts not falling before it
    and not rising after it."""
    best = int(np.argmax(counts))
    assert 0 < best < len(counts) - 1, counts
    assert np.all(np.diff(counts[: best + 1]) >= 0) and np.all(np.diff(counts[best:]) <= 0), counts
    return best


@claim("sgd-escape", "잡음이 없는 경사하강법(τ = 0)은 한 번도 지역 최소점을 떠나지 않는다")
def _gd_never_leaves():
    gd = escape_experiment(ESCAPE)[0]
    assert gd.tau == 0 and gd.escaped == 0 and gd.stayed == gd.runs, (gd.escaped, gd.stayed)
    moved = np.linalg.norm(gd.paths - np.array(ESCAPE.start), axis=2).max()
    assert moved < 1e-9, moved


@claim("sgd-escape", "전역 골짜기에서 끝난 수는 τ가 커질수록 늘다가 중간 크기의 τ에서 가장 많고, 더 큰 τ에서는 다시 줄어든다")
def _escapes_rise_then_fall():
    counts = _escape_counts()
    best = _rise_then_fall(counts["escaped"])
    assert counts["escaped"][best] >= 0.75 * ESCAPE.seeds, counts["escaped"]
    assert counts["escaped"][-1] <= counts["escaped"][best] - 0.1 * ESCAPE.seeds, counts["escaped"]
    assert np.all(counts["escaped"] + counts["stayed"] == ESCAPE.seeds), counts  # every run settled in one basin


@claim("sgd-escape", "가장 큰 τ에서는 전역 최소점 가까이에서 끝난 실행이 거의 없다")
def _largest_noise_scatters():
    near = _escape_counts()["near"]
    assert near[-1] <= 0.05 * ESCAPE.seeds and near.max() >= 0.3 * ESCAPE.seeds, near


@cache
def noise_measurements():
    """(measured noise at a few batch sizes, the exact formula at every B < N, N) of gradient-noise."""
    problem = regression_problem()
    model = LinearRegression(2)
    sizes = [1, 2, 5, 10, 20, 50, 80, 95, 99]
    noise = gradient_noise(model, [np.array(PATHS.w0)], problem.X, problem.y, sizes, rng=PATHS.seed, trials=2000)
    N = len(problem.X)
    exact = gradient_noise(model, [np.array(PATHS.w0)], problem.X, problem.y, np.arange(1, N), rng=0, trials=1)
    return noise, exact.predicted, N


@figure(
    "gradient-noise",
    alt=(
        "미니배치 기울기가 전체 기울기에서 벗어난 정도(제곱 오차의 평균)를 배치 크기에 따라 "
        "로그-로그 눈금으로 그린 그림. 측정값이 공식 τ²(N-B)/(B(N-1)) 곡선 위에 놓이고, 배치가 커질수록 "
        "대략 1/B로 줄다가 B가 N에 가까워지면 더 빨리 0으로 떨어진다."
    ),
    caption=(
        "[](#fig9)의 문제에서 출발점 $\\mathbf w_0$의 미니배치 기울기 $\\mathbf g_B$가 전체 기울기 $\\mathbf g$에서 "
        "벗어난 정도 $\\mathbb E\\lVert\\mathbf g_B - \\mathbf g\\rVert^2$. 점은 배치 크기마다 무작위 배치 2000개로 잰 값, "
        "실선은 비복원 추출의 정확한 공식, 점선은 복원 추출의 $\\tau^2/B$입니다($\\tau^2$는 예제 하나의 기울기가 $\\mathbf g$에서 벗어난 제곱 크기의 평균). "
        "($B = N$이면 값이 정확히 0이라 로그 눈금에 그리지 않았습니다.)"
    ),
)
def noise_vs_batch(theme: Theme):
    noise, exact, N = noise_measurements()
    B = np.arange(1, N)

    fig, ax = plt.subplots(figsize=(5.6, 4.0))
    ax.loglog(B, noise.variance / B, ":", color=theme.muted, label="$\\tau^2/B$ (복원 추출)")
    ax.loglog(B, exact, "-", color=theme.blue, label="$\\tau^2(N-B)/(B(N-1))$")
    ax.loglog(noise.batch_sizes, noise.measured, "o", color=theme.orange, markersize=7, label="측정값")
    ax.set_xlabel("배치 크기 $B$")
    ax.set_ylabel("$\\mathbb{E}\\,\\Vert g_B - g\\Vert^2$")
    ax.set_title(f"N = {N}")
    ax.grid(True, which="major")
    ax.legend(loc="lower left")
    return fig


@claim("gradient-noise", "측정값이 공식 τ²(N-B)/(B(N-1)) 곡선 위에 놓이고")
def _measured_on_the_formula():
    noise, _, _ = noise_measurements()
    ratio = np.asarray(noise.measured) / np.asarray(noise.predicted)
    assert np.all(np.abs(ratio - 1) < 0.1), ratio


@claim("gradient-noise", "대략 1/B로 줄다가 B가 N에 가까워지면 더 빨리 0으로 떨어진다")
def _one_over_b_then_faster():
    noise, _, _ = noise_measurements()
    B, measured = np.asarray(noise.batch_sizes, float), np.asarray(noise.measured)
    slopes = np.diff(np.log(measured)) / np.diff(np.log(B))
    small = B[1:] <= 20
    assert np.all((-1.25 < slopes[small]) & (slopes[small] < -0.9)), slopes
    assert slopes[-1] < -5 and np.all(np.diff(slopes[~small]) < 0), slopes


#: Goyal et al.'s ImageNet setting: 1,281,167 training images, η = 0.1 per 256, batch 8192, 5 warmup epochs.
IMAGENET_TRAIN, GOYAL_BATCH, GOYAL_BASE_BATCH, GOYAL_BASE_LR, GOYAL_WARMUP_EPOCHS = 1_281_167, 8192, 256, 0.1, 5


def warmup_schedules() -> dict[str, np.ndarray]:
    """The warmup-schedule figure's curves: steps, epochs, Goyal's and the zero-start schedule."""
    target = linear_scaling(GOYAL_BASE_LR, GOYAL_BATCH, GOYAL_BASE_BATCH)
    per_epoch = steps_per_epoch(IMAGENET_TRAIN, GOYAL_BATCH)
    warmup_steps = GOYAL_WARMUP_EPOCHS * per_epoch
    steps = np.arange(10 * per_epoch + 1)
    return {"target": target, "per_epoch": per_epoch, "steps": steps, "epochs": steps / per_epoch,
            "goyal": gradual_warmup(steps, target, warmup_steps, start_lr=GOYAL_BASE_LR),
            "zero": gradual_warmup(steps, target, warmup_steps)}


@figure(
    "warmup-schedule",
    alt=(
        "처음 10 에폭 동안의 학습률 그래프 두 개. Goyal 방식은 0.1에서 시작해 5 에폭 동안 "
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
    curves = warmup_schedules()
    target, epochs = curves["target"], curves["epochs"]
    fig, ax = plt.subplots(figsize=(5.6, 3.6))
    ax.axhline(target, linestyle=":", color=theme.muted, label="워밍업 없음")
    ax.plot(epochs, curves["goyal"], color=theme.blue, label=f"Goyal 등: {GOYAL_BASE_LR:g}에서 시작")
    ax.plot(epochs, curves["zero"], "--", color=theme.orange, label="0에서 시작")
    ax.set_xlabel("에폭")
    ax.set_ylabel("학습률")
    ax.set_xlim(0, 10)
    ax.set_ylim(0, target * 1.1)
    ax.grid(True)
    ax.legend(loc="lower right")
    return fig


@claim("warmup-schedule", "Goyal 방식은 0.1에서 시작해 5 에폭 동안 직선으로 3.2까지 오르고, 많은 라이브러리의 방식은 0에서 시작해 같은 기간에 3.2까지 오른다")
def _both_ramps_reach_the_target_together():
    c = warmup_schedules()
    end = GOYAL_WARMUP_EPOCHS * c["per_epoch"]
    assert c["goyal"][0] == GOYAL_BASE_LR and c["zero"][0] == 0 and c["target"] == 3.2
    for curve in (c["goyal"], c["zero"]):
        assert int(np.argmax(curve >= c["target"])) == end
        assert np.ptp(np.diff(curve[: end + 1])) < 1e-12  # a straight line: the same rise every step


@claim("warmup-schedule", "그 뒤로 둘 다 3.2로 일정하다")
def _both_flat_after_warmup():
    c = warmup_schedules()
    end = GOYAL_WARMUP_EPOCHS * c["per_epoch"]
    assert np.all(c["goyal"][end:] == c["target"]) and np.all(c["zero"][end:] == c["target"])


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


def _curves(name: str, what: str) -> np.ndarray:
    """(seeds, epochs) array of a large-batch setting's ``epoch_loss`` or ``val_error``."""
    return np.array([getattr(h, what) for h in _digits_results()[name][1]])


@figure(
    "large-batch-curves",
    alt=(
        "손글씨 숫자 데이터에서 네 가지 설정으로 학습한 MLP의 에폭별 훈련 손실(위, 로그 눈금)과 "
        "검증 오차(아래). 진한 선은 시드 다섯 개의 중앙값, 옅은 선은 시드 하나하나다. "
        "큰 배치에 학습률만 키운 설정은 모든 시드에서 초반에 훈련 손실이 처음의 몇 배로 치솟았다가 내려온다. "
        "워밍업을 더한 설정은 시드 하나만 워밍업이 끝난 뒤 손실이 치솟고 나머지 시드는 처음 손실 위로 오르지 않으며, "
        "검증 오차는 학습률만 키운 설정보다 작은 배치 설정에 가깝게 내려간다. "
        "큰 배치에 같은 학습률을 쓴 설정은 걸음 수가 적어 학습 후반 내내 검증 오차가 가장 크다."
    ),
    caption=(
        f"`gdcore.book.run_large_batch`로 네 설정을 시드 {len(DIGITS.seeds)}개씩 돌린 곡선(빌드할 때 계산). "
        "진한 선은 에폭마다의 중앙값, 옅은 선은 시드마다의 곡선입니다. 평균을 그리면 한 시드의 치솟음이 로그 눈금의 "
        "곡선 전체를 끌어올리므로 중앙값을 그렸습니다. "
        "위: 에폭이 끝날 때의 전체 훈련 손실(로그 눈금), 아래: 검증 오차. 모든 설정이 같은 에폭 수, 즉 같은 수의 예제를 봅니다."
    ),
)
def large_batch_curves(theme: Theme):
    colors = [theme.blue, theme.muted, theme.red, theme.green]
    styles = ["-", ":", "--", "-"]
    fig, (ax_l, ax_e) = plt.subplots(2, 1, figsize=(5.8, 6.6), sharex=True)
    for s, color, style in zip(LARGE_BATCH_SETTINGS, colors, styles):
        loss, error = _curves(s.name, "epoch_loss"), 100 * _curves(s.name, "val_error")
        epochs = np.arange(loss.shape[1])
        for seed_loss, seed_error in zip(loss, error):
            ax_l.semilogy(epochs, seed_loss, "-", color=color, linewidth=0.7, alpha=0.3)
            ax_e.plot(epochs, seed_error, "-", color=color, linewidth=0.7, alpha=0.3)
        ax_l.semilogy(epochs, np.median(loss, axis=0), style, color=color, label=s.label)
        ax_e.plot(epochs, np.median(error, axis=0), style, color=color, label=s.label)
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


def _setting(name: str):
    return next(s for s in LARGE_BATCH_SETTINGS if s.name == name)


@claim("large-batch-curves", "큰 배치에 학습률만 키운 설정은 모든 시드에서 초반에 훈련 손실이 처음의 몇 배로 치솟았다가 내려온다")
def _scaled_spikes_in_every_seed():
    loss = _curves("scaled", "epoch_loss")
    early = loss[:, 1:11].max(axis=1)
    assert np.all(early > 5 * loss[:, 0]) and np.all(loss[:, -1] < loss[:, 0] / 10), (early, loss[:, [0, -1]])


@claim("large-batch-curves", "워밍업을 더한 설정은 시드 하나만 워밍업이 끝난 뒤 손실이 치솟고 나머지 시드는 처음 손실 위로 오르지 않으며")
def _warmup_spikes_in_one_seed_after_warmup():
    loss = _curves("warmup", "epoch_loss")
    rises = loss[:, 1:].max(axis=1) > loss[:, 0]
    assert rises.sum() == 1, loss[:, 1:].max(axis=1) / loss[:, 0]
    peak_epoch = int(loss[rises][0, 1:].argmax()) + 1
    assert peak_epoch > _setting("warmup").warmup_epochs, peak_epoch


@claim("large-batch-curves", "검증 오차는 학습률만 키운 설정보다 작은 배치 설정에 가깝게 내려간다")
def _warmup_error_ends_near_small_batch():
    final = {name: np.median(_curves(name, "val_error")[:, -1]) for name in ("small", "scaled", "warmup")}
    assert abs(final["warmup"] - final["small"]) < abs(final["scaled"] - final["small"]) / 2, final


@claim("large-batch-curves", "큰 배치에 같은 학습률을 쓴 설정은 걸음 수가 적어 학습 후반 내내 검증 오차가 가장 크다")
def _large_batch_same_lr_is_worst_late():
    medians = np.array([np.median(_curves(s.name, "val_error"), axis=0) for s in LARGE_BATCH_SETTINGS])
    large = [s.name for s in LARGE_BATCH_SETTINGS].index("large")
    late = medians[:, DIGITS.epochs // 2 :]
    assert np.all(late.argmax(axis=0) == large), late.argmax(axis=0)



# --- the page's 정리 (docs/sgd.md) -------------------------------------------------------------


@claim("sgd.md", "분산이 커서 경로가 흔들리고,\n  학습률이 고정이면 최소점 주변을 맴돕니다")
def _summary_sgd_wanders():
    _sgd_wanders_afterwards()


@claim("sgd.md", "잡음의 분산(제곱 오차의 기댓값)은 대략 $1/B$로 줄고, $B$가 $N$에 가까워지면 유한 모집단 보정 때문에 더 빨리 0으로 떨어집니다")
def _summary_noise_one_over_b():
    _one_over_b_then_faster()


# --- exercises ---------------------------------------------------------------------------------


@answer("sgd-noise-b10", tol=5e-3)
def _noise_of_a_batch_of_ten() -> float:
    """Exercise 5.3: E‖g_B − g‖² at the start w0 of the chapter's regression problem, B = 10 drawn
    without replacement (the exact formula τ²(N − B)/(B(N − 1)), not a measurement)."""
    import numpy as np

    from gdcore.book import PATHS, gradient_noise, regression_problem

    problem = regression_problem()
    noise = gradient_noise(problem.model, [np.array(PATHS.w0)], problem.X, problem.y, [10], rng=0, trials=1)
    return noise.predicted[0]


@answer("sgd-warmup-lr", tol=5e-5)
def _warmup_lr_at_step_1000() -> float:
    """Exercise 5.4: Goyal et al.'s gradual warmup (from η = 0.1 per 256 to kη over 5 epochs) for
    batch 2048 on ImageNet's 1,281,167 training images, at step t = 1000."""
    from gdcore.book import steps_per_epoch
    from gdcore.schedules import gradual_warmup, linear_scaling

    target = linear_scaling(0.1, 2048, 256)
    return gradual_warmup(1000, target, 5 * steps_per_epoch(1_281_167, 2048), start_lr=0.1)
