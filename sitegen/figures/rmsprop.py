"""Figures of chapter 7, AdaGrad와 RMSProp (docs/rmsprop.md)."""

from __future__ import annotations

from functools import cache, partial

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter, NullFormatter

from gdcore.functions import elongated
from gdcore.optim import SGD, Adagrad, RMSprop
from gdcore.run import minimize
from sitegen.claims import claim, first_step_is_diagonal
from sitegen.figures import Theme, answer, figure

# The path experiment of both figures (the customary settings of Dive into Deep Learning,
# §12.6-12.8, on the same bowl f = 0.1 x0^2 + 2 x1^2): start, number of steps, optimizers.
PATH_START = (-5.0, -2.0)
PATH_STEPS = 20
GD = partial(SGD, lr=0.4)
ADAGRAD = partial(Adagrad, lr=0.4)
RMSPROP = partial(RMSprop, lr=0.4, alpha=0.9)


def _plain_log_ticks(axis) -> None:
    """Label a log axis 0.001, 0.01, ... in plain numbers (easier to read than 10^-n on a phone)."""
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


CONSTANT_STEPS, PATH_LR_STEPS = 1000, 100  # the two panels of adagrad-effective-lr


@cache
def effective_lr_curves() -> dict[str, np.ndarray]:
    """The four curves of adagrad-effective-lr: a constant gradient g = 1 with PyTorch's defaults
    (``ada_one``, ``rms_one``), and coordinate x1 of the path experiment (``ada_path``, ``rms_path``)."""
    one = lambda x: np.ones_like(x)  # noqa: E731 - the gradient of f(x) = x
    return {
        "ada_one": effective_lr(Adagrad, one, [0.0], CONSTANT_STEPS)[:, 0],
        "rms_one": effective_lr(RMSprop, one, [0.0], CONSTANT_STEPS)[:, 0],
        "ada_path": effective_lr(ADAGRAD, elongated.grad, PATH_START, PATH_LR_STEPS)[:, 1],
        "rms_path": effective_lr(RMSPROP, elongated.grad, PATH_START, PATH_LR_STEPS)[:, 1],
    }


@figure(
    "adagrad-effective-lr",
    alt=(
        "걸음마다 실제로 쓰인 유효 학습률을 AdaGrad와 RMSProp에 대해 그린 두 그래프. "
        "위: 기울기가 늘 1일 때 AdaGrad의 유효 학습률은 로그-로그 기울기가 −1/2인 직선으로 계속 줄고, "
        "RMSProp은 학습률의 10배 가까이에서 시작해 학습률 값에 머문다. "
        "아래: 길쭉한 그릇 함수를 실제로 내려갈 때 x1 좌표의 유효 학습률. AdaGrad는 처음 스무 걸음쯤 줄다가 거의 멈추고, "
        "RMSProp은 기울기가 작아지자 커져서 경사하강법의 안정 한계를 넘는다."
    ),
    caption=(
        "유효 학습률(한 걸음의 크기를 그 걸음에 쓴 기울기로 나눈 값. 즉 같은 걸음을 내딛으려면 경사하강법에 "
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

    curves = effective_lr_curves()
    # top: a constant gradient g = 1, PyTorch's default hyperparameters
    t = np.arange(1, CONSTANT_STEPS + 1)
    ada, rms = curves["ada_one"], curves["rms_one"]
    top.loglog(t, ada, color=theme.orange, label="AdaGrad")
    top.loglog(t, rms, color=theme.blue, label="RMSProp")
    top.set_title("기울기가 늘 1일 때 (PyTorch 기본값)")
    top.set_xlabel("걸음 t")
    top.set_ylabel("유효 학습률")
    top.annotate("로그-로그 기울기 −1/2", xy=(t[99], ada[99]), xytext=(-6, -34), textcoords="offset points",
                 ha="right", color=theme.orange, arrowprops={"arrowstyle": "-", "color": theme.orange})
    for axis in (top.xaxis, top.yaxis):
        _plain_log_ticks(axis)
    top.grid(True, which="major")
    top.legend(loc="upper right")

    # bottom: the real run of the path figure, coordinate x1 (the steep one)
    t = np.arange(1, PATH_LR_STEPS + 1)
    ada, rms = curves["ada_path"], curves["rms_path"]
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


STABLE_X1 = 2 / 4  # gradient descent's stability limit along x1 (curvature 4)


@claim("adagrad-effective-lr", "AdaGrad의 유효 학습률은 로그-로그 기울기가 −1/2인 직선으로 계속 줄고")
def _adagrad_one_over_sqrt_t():
    ada = effective_lr_curves()["ada_one"]
    slope = np.polyfit(np.log(np.arange(1, CONSTANT_STEPS + 1)), np.log(ada), 1)[0]
    assert abs(slope + 0.5) < 0.005 and np.all(np.diff(ada) < 0), slope


@claim("adagrad-effective-lr", "RMSProp은 학습률의 10배 가까이에서 시작해 학습률 값에 머문다")
def _rmsprop_starts_high_then_stays():
    rms, lr = effective_lr_curves()["rms_one"], 0.01  # PyTorch's default lr
    assert 9 < rms[0] / lr <= 10 and np.all(np.abs(rms[-500:] / lr - 1) < 0.01), (rms[0], rms[-1])


@claim("adagrad-effective-lr", "AdaGrad는 처음 스무 걸음쯤 줄다가 거의 멈추고")
def _adagrad_stops_shrinking():
    ada = effective_lr_curves()["ada_path"]
    assert ada[0] / ada[19] > 1.8 and ada[19] / ada[-1] < 1.01, (ada[0], ada[19], ada[-1])


@claim("adagrad-effective-lr", "RMSProp은 기울기가 작아지자 커져서 경사하강법의 안정 한계를 넘는다")
def _rmsprop_passes_the_limit():
    rms = effective_lr_curves()["rms_path"]
    assert rms[0] < STABLE_X1 and rms.max() > 2 * STABLE_X1, (rms[0], rms.max())


@claim("adagrad-effective-lr", "RMSProp의 유효 학습률은 커져서 점선을 넘었다가 그 근처에서 흔들립니다")
def _rmsprop_hovers_near_the_limit():
    late = effective_lr_curves()["rms_path"][60:]
    assert 0.5 * STABLE_X1 < late.min() < STABLE_X1 < late.max() < 2 * STABLE_X1, (late.min(), late.max())


@cache
def path_runs() -> dict[str, object]:
    """{name: trajectory} of rmsprop-paths."""
    return {name: minimize(elongated, PATH_START, make_opt, steps=PATH_STEPS)
            for name, make_opt in (("경사하강법", GD), ("AdaGrad", ADAGRAD), ("RMSProp", RMSPROP))}


@figure(
    "rmsprop-paths",
    alt=(
        "길쭉한 그릇 모양 함수의 등고선 위에 같은 출발점에서 20걸음씩 내려간 "
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
    colors = (theme.red, theme.orange, theme.blue)
    (xmin, xmax), (ymin, ymax) = (-5.6, 1.2), (-2.6, 2.0)
    X, Y, Z = elongated.grid(161, window=((xmin, xmax), (ymin, ymax)))
    fig, axes = plt.subplots(3, 1, figsize=(5.6, 7.2), sharex=True)
    for ax, (name, traj), color in zip(axes, path_runs().items(), colors):
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


@claim("rmsprop-paths", "경사하강법은 가파른 x1 방향으로 지그재그하며 완만한 x0 방향으로는 느리게 가고")
def _gd_zigzags_and_crawls():
    x0, x1 = path_runs()["경사하강법"].points.T
    assert np.all(np.sign(x1[1:]) == -np.sign(x1[:-1])) and x0[-1] < 0.15 * PATH_START[0], x0[-1]


@claim("rmsprop-paths", "AdaGrad와 RMSProp의 첫 걸음은 두 좌표로 같은 거리만큼 대각선으로 움직인다")
def _adaptive_first_step_diagonal():
    for name in ("AdaGrad", "RMSProp"):
        first_step_is_diagonal(path_runs()[name])


@claim("rmsprop-paths", "AdaGrad는 걸음이 점점 줄어 최소점에 못 미치고")
def _adagrad_falls_short():
    traj = path_runs()["AdaGrad"]
    lengths = np.linalg.norm(np.diff(traj.points, axis=0), axis=1)
    assert lengths[-1] < 0.2 * lengths[0] and traj.values[-1] > 0.1, (lengths[[0, -1]], traj.values[-1])


@claim("rmsprop-paths", "RMSProp은 최소점 가까이에 닿는다")
def _rmsprop_arrives():
    assert path_runs()["RMSProp"].values[-1] < 1e-3 * path_runs()["RMSProp"].values[0]



# --- the page's 정리 (docs/rmsprop.md) ---------------------------------------------------------


@claim("rmsprop.md", "첫 걸음에서는\n  곡률과 상관없이 모든 좌표가 같은 거리를 움직입니다")
def _summary_first_step():
    _adaptive_first_step_diagonal()


@claim("rmsprop.md", "AdaGrad의 누적합은 줄지 않으므로 유효 학습률이 계속 작아집니다. 기울기가 일정하면 걸음은 $\\eta/\\sqrt{t}$입니다")
def _summary_adagrad_shrinks():
    _adagrad_one_over_sqrt_t()


@claim("rmsprop.md", "$\\pm\\eta/2$ 사이를 오가는 순환")
def _summary_rmsprop_cycle():
    traj = minimize(elongated, PATH_START, RMSPROP, steps=3000)
    lr = RMSPROP.keywords["lr"]
    late = traj.points[-20:]
    np.testing.assert_allclose(np.abs(late), lr / 2, rtol=1e-3)  # every late point at ±η/2 in both coordinates
    assert np.all(np.sign(late[1:, 1]) != np.sign(late[:-1, 1])) or np.all(np.sign(late[1:, 0]) != np.sign(late[:-1, 0]))


# --- exercises ---------------------------------------------------------------------------------


@answer("rms-adagrad-effective-lr", tol=5e-5)
def _adagrad_effective_lr_from_keras_start() -> float:
    """Exercise 7.1: Adagrad(lr=0.1, initial_accumulator_value=0.1) after ten steps of the gradient 0.5:
    its effective learning rate η/(√G_10 + ε), read from the optimizer's state."""
    import numpy as np

    from gdcore.optim import Adagrad

    x = np.zeros(1)
    opt = Adagrad(x, lr=0.1, initial_accumulator_value=0.1)
    for _ in range(10):
        opt.step(np.array([0.5]))
    return opt.lr / (np.sqrt(opt.state[0]["sum"][0]) + opt.eps)


@answer("rms-first-step", tol=5e-5)
def _rmsprop_first_step() -> float:
    """Exercise 7.2: how far x0 moves in the first step of RMSprop(lr=0.001, alpha=0.999) from (−5, −2)."""
    import numpy as np

    from gdcore.functions import elongated
    from gdcore.optim import RMSprop

    start = np.array([-5.0, -2.0])
    x = start.copy()
    RMSprop(x, lr=0.001, alpha=0.999).step(elongated.grad(x))
    return abs(x[0] - start[0])


@answer("rms-cycle-value", tol=5e-5)
def _rmsprop_cycle_value() -> float:
    """Exercise 7.3: f on the two-point cycle RMSprop(lr=0.2, alpha=0.9) falls into on ``elongated``."""
    from functools import partial

    from gdcore.functions import elongated
    from gdcore.optim import RMSprop
    from gdcore.run import minimize

    return minimize(elongated, [-5.0, -2.0], partial(RMSprop, lr=0.2, alpha=0.9), steps=1000).values[-1]
