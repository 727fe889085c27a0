"""Figures of chapter 7, AdaGrad와 RMSProp (docs/rmsprop.md)."""

from __future__ import annotations

from functools import partial

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter, NullFormatter

from gdcore.functions import elongated
from gdcore.optim import SGD, Adagrad, RMSprop
from gdcore.run import minimize
from sitegen.figures import Theme, figure

# The path experiment of both figures (the customary settings of Dive into Deep Learning,
# §12.6-12.8, on the same bowl f = 0.1 x0^2 + 2 x1^2): start, number of steps, optimizers.
PATH_START = (-5.0, -2.0)
PATH_STEPS = 20
GD = partial(SGD, lr=0.4)
ADAGRAD = partial(Adagrad, lr=0.4)
RMSPROP = partial(RMSprop, lr=0.4, alpha=0.9)


def _plain_log_ticks(axis) -> None:
    """Label a log axis 0.001, 0.01, ... in plain text (mathtext's 10^-n would need U+2212)."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def effective_lr(make_opt, grad, x0, steps: int) -> np.ndarray:
    """Run ``steps`` steps and return, for every step and coordinate, the step taken divided by
    the gradient used: (x_before - x_after) / g, i.e. the learning rate that plain gradient descent
    would have needed to take the same step (measured, not recomputed from a formula)."""
    x = np.array(x0, dtype=np.float64)
    opt = make_opt(x)
    out = np.empty((steps, x.size))
    for k in range(steps):
        g = grad(x)
        before = x.copy()
        opt.step(g)
        out[k] = (before - x) / g
    return out


@figure(
    "adagrad-effective-lr",
    alt=(
        "adagrad-effective-lr: 걸음마다 실제로 쓰인 유효 학습률을 AdaGrad와 RMSProp에 대해 그린 두 그래프. "
        "위: 기울기가 늘 1일 때 AdaGrad의 유효 학습률은 로그-로그 눈금에서 기울기 -1/2인 직선으로 계속 줄고, "
        "RMSProp은 학습률의 10배 가까이에서 시작해 학습률 값에 머문다. "
        "아래: 길쭉한 그릇 함수를 실제로 내려갈 때 x1 좌표의 유효 학습률. AdaGrad는 계속 줄고, "
        "RMSProp은 기울기가 작아지자 커져서 경사하강법의 안정 한계를 넘는다."
    ),
    caption=(
        "유효 학습률(한 걸음의 크기를 그 걸음에 쓴 기울기로 나눈 값, 곧 같은 걸음을 내딛으려면 경사하강법에 "
        "필요했을 학습률)을 `gdcore.optim`의 실제 걸음에서 잰 값. "
        "위: 기울기가 늘 $g = 1$일 때(둘 다 PyTorch 기본값 $\\eta = 0.01$, RMSProp은 $\\alpha = 0.99$). "
        "AdaGrad는 $\\eta/\\sqrt{t}$로 끝없이 줄고, RMSProp은 $\\eta/\\sqrt{1-\\alpha^t}$로 처음에만 크다가 $\\eta$에 머뭅니다. "
        "아래: $f = 0.1x_0^2 + 2x_1^2$을 $(-5, -2)$에서 $\\eta = 0.4$로 내려갈 때 $x_1$ 좌표의 값"
        "(RMSProp은 $\\alpha = 0.9$). 점선은 $x_1$ 방향(곡률 4)에서 경사하강법이 발산하지 않는 학습률의 한계 $2/4$입니다. "
        "기울기가 빠르게 작아지자 AdaGrad의 누적합은 더 늘지 않아 유효 학습률이 작은 값에 멈추고, "
        "RMSProp의 유효 학습률은 커져서 점선을 넘었다가 그 근처에서 흔들립니다."
    ),
)
def effective_learning_rates(theme: Theme):
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(5.6, 7.0))

    # top: a constant gradient g = 1, PyTorch's default hyperparameters
    steps = 1000
    t = np.arange(1, steps + 1)
    one = lambda x: np.ones_like(x)  # noqa: E731 - the gradient of f(x) = x
    ada = effective_lr(Adagrad, one, [0.0], steps)[:, 0]
    rms = effective_lr(RMSprop, one, [0.0], steps)[:, 0]
    top.loglog(t, ada, color=theme.orange, label="AdaGrad")
    top.loglog(t, rms, color=theme.blue, label="RMSProp")
    top.set_title("기울기가 늘 1일 때 (PyTorch 기본값)")
    top.set_xlabel("걸음 t")
    top.set_ylabel("유효 학습률")
    top.annotate("기울기 -1/2", xy=(t[99], ada[99]), xytext=(12, -30), textcoords="offset points",
                 color=theme.orange, arrowprops={"arrowstyle": "-", "color": theme.orange})
    for axis in (top.xaxis, top.yaxis):
        _plain_log_ticks(axis)
    top.grid(True, which="major")
    top.legend(loc="lower left")

    # bottom: the real run of the path figure, coordinate x1 (the steep one)
    steps = 100
    t = np.arange(1, steps + 1)
    ada = effective_lr(ADAGRAD, elongated.grad, PATH_START, steps)[:, 1]
    rms = effective_lr(RMSPROP, elongated.grad, PATH_START, steps)[:, 1]
    curvature = elongated.grad(np.array([0.0, 1.0]))[1]  # f's second derivative along x1
    bottom.semilogy(t, ada, color=theme.orange, label="AdaGrad")
    bottom.semilogy(t, rms, color=theme.blue, label="RMSProp")
    bottom.axhline(2 / curvature, color=theme.fg, linestyle="--", linewidth=1.2)
    bottom.text(1, 2 / curvature * 2.6, "점선: 안정 한계 2/4", ha="left", va="bottom", color=theme.fg)
    bottom.set_title("$f = 0.1x_0^2 + 2x_1^2$을 내려갈 때, $x_1$ 좌표")
    bottom.set_xlabel("걸음 t")
    bottom.set_ylabel("유효 학습률")
    _plain_log_ticks(bottom.yaxis)
    bottom.grid(True, which="major")
    bottom.legend(loc="lower right")
    fig.tight_layout(h_pad=1.5)
    return fig


@figure(
    "rmsprop-paths",
    alt=(
        "rmsprop-paths: 길쭉한 그릇 모양 함수의 등고선 위에 같은 출발점에서 20걸음씩 내려간 "
        "경사하강법, AdaGrad, RMSProp의 경로를 위아래로 그린 그림. 경사하강법은 가파른 x1 방향으로 "
        "지그재그하며 완만한 x0 방향으로는 느리게 가고, AdaGrad와 RMSProp의 첫 걸음은 두 좌표로 같은 거리만큼 "
        "대각선으로 움직인다. AdaGrad는 걸음이 점점 줄어 최소점에 못 미치고, RMSProp은 최소점 가까이에 닿는다."
    ),
    caption=(
        "$f(x_0, x_1) = 0.1x_0^2 + 2x_1^2$에서 같은 출발점(■) $(-5, -2)$로 20걸음. 학습률은 모두 $\\eta = 0.4$, "
        "RMSProp은 $\\alpha = 0.9$(Tieleman과 Hinton의 강의와 같은 값)입니다. 제목의 $f$는 마지막 점의 함숫값으로, "
        "빌드할 때 계산합니다. 적응적 방법의 첫 걸음은 기울기의 크기와 상관없이 두 좌표로 같은 거리를 갑니다."
    ),
)
def paths(theme: Theme):
    runs = [("경사하강법", GD, theme.red), ("AdaGrad", ADAGRAD, theme.orange), ("RMSProp", RMSPROP, theme.blue)]
    (xmin, xmax), (ymin, ymax) = (-5.6, 1.2), (-2.6, 2.0)
    X, Y, Z = elongated.grid(161, window=((xmin, xmax), (ymin, ymax)))
    fig, axes = plt.subplots(3, 1, figsize=(5.6, 7.2), sharex=True)
    for ax, (name, make_opt, color) in zip(axes, runs):
        traj = minimize(elongated, PATH_START, make_opt, steps=PATH_STEPS)
        ax.contour(X, Y, Z, levels=[0.1, 0.5, 1.5, 3, 5, 8], colors=theme.muted, linewidths=0.8)
        ax.plot(*traj.points.T, "-o", color=color, markersize=3.5, linewidth=1.5)
        ax.plot(*traj.points[0], "s", color=theme.fg, markersize=6)
        ax.plot(0, 0, "*", color=theme.fg, markersize=11)
        ax.set_title(f"{name}:  {PATH_STEPS}걸음 뒤 f = {traj.values[-1]:.3g}")
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
        ax.set_ylabel("$x_1$")
    axes[-1].set_xlabel("$x_0$")
    fig.tight_layout(h_pad=0.8)
    return fig
