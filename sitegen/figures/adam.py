"""Figures of chapter 8, Adam과 AdamW (docs/adam.md)."""

from __future__ import annotations

from functools import cache, partial

import matplotlib.pyplot as plt
import numpy as np

from gdcore.functions import elongated, rosenbrock_2d
from gdcore.optim import SGD, Adam
from gdcore.run import minimize
from sitegen.claims import claim, first_step_is_diagonal
from sitegen.figures import Theme, answer, figure


BIAS_RUNS, BIAS_STEPS, BIAS_SEED = 2000, 50, 8  # independent gradient streams, steps, seed
GRAD_MEAN, GRAD_STD = 1.0, 0.5  # g_t = 1 + 0.5 z_t: E[g] = 1, E[g^2] = 1.25


@cache
def bias_correction_runs() -> dict[str, np.ndarray]:
    """``BIAS_RUNS`` independent runs of gdcore's Adam, one coordinate each (Adam is elementwise).

    Returns arrays of shape (steps, runs): the gradients ``g`` and the moments ``m``, ``v`` read
    from ``opt.state`` after each step, with their bias-corrected ``m_hat``, ``v_hat``.
    """
    rng = np.random.default_rng(BIAS_SEED)
    grads = GRAD_MEAN + GRAD_STD * rng.standard_normal((BIAS_STEPS, BIAS_RUNS))
    x = np.zeros(BIAS_RUNS)
    opt = Adam(x)  # torch defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8
    beta1, beta2 = opt.betas
    m, v = [], []
    for g in grads:
        opt.step(g)
        m.append(opt.state[0]["exp_avg"].copy())
        v.append(opt.state[0]["exp_avg_sq"].copy())
    t = np.arange(1, BIAS_STEPS + 1)[:, None]
    m, v = np.array(m), np.array(v)
    return {"g": grads, "m": m, "v": v, "m_hat": m / (1 - beta1**t), "v_hat": v / (1 - beta2**t)}


@figure(
    "adam-bias-correction",
    alt=(
        f"평균 {GRAD_MEAN:g}, 표준편차 {GRAD_STD:g}인 잡음 섞인 기울기를 서로 독립으로 {BIAS_RUNS}번 "
        f"만들어 각각 Adam에 {BIAS_STEPS}걸음 넣고, 모멘트 추정값의 평균을 진한 선으로, 그중 한 번의 실행을 옅은 선으로 그린 그림. "
        "위 칸에서 보정 전 m_t의 평균은 0 근처에서 출발해 천천히 1로 올라가지만, 보정한 m̂_t의 평균은 첫 걸음부터 1 근처에 있다. "
        "한 번의 실행에서는 보정한 m̂_t가 처음 몇 걸음 동안 1에서 크게 벗어나 흔들린다. "
        f"아래 칸(로그 눈금)에서 보정 전 v_t의 평균은 {BIAS_STEPS}번째 걸음에도 참값 {GRAD_MEAN**2 + GRAD_STD**2:g}의 "
        "5퍼센트에 못 미치지만, "
        "보정한 v̂_t의 평균은 처음부터 참값 근처에 있다."
    ),
    caption=(
        "기울기 $g_t = 1 + 0.5\\,z_t$($z_t$는 표준정규 난수, $\\mathbb{E}[g] = 1$, $\\mathbb{E}[g^2] = 1.25$)를 "
        f"시드 {BIAS_SEED}의 생성기로 {BIAS_RUNS}줄 만들어, 줄마다 기본값($\\beta_1 = 0.9$, $\\beta_2 = 0.999$)의 "
        "`gdcore.optim.Adam`에 넣었습니다(Adam은 좌표마다 따로 계산하므로 한 번에 좌표 "
        f"{BIAS_RUNS}개로 돌렸습니다). 걸음마다 `opt.state[0]`의 `exp_avg`($m_t$)와 `exp_avg_sq`($v_t$)를 읽어, "
        "진한 선은 그 평균, 옅은 선과 점은 첫 줄 하나의 값입니다. "
        "보정값은 $\\hat m_t = m_t/(1-\\beta_1^t)$, $\\hat v_t = v_t/(1-\\beta_2^t)$입니다. "
        "보정한 값의 평균이 참값에 붙는 것이 보정의 뜻이고(편향이 없음), 한 번의 실행은 그 둘레에서 흔들립니다."
    ),
)
def bias_correction(theme: Theme):
    runs = bias_correction_runs()
    mean = {name: values.mean(axis=1) for name, values in runs.items()}
    one = {name: values[:, 0] for name, values in runs.items()}
    t = np.arange(1, BIAS_STEPS + 1)
    faint = {"linewidth": 1.0, "alpha": 0.45}

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(5.6, 6.6), sharex=True)
    ax1.plot(t, one["g"], "o", color=theme.muted, markersize=3.5, label="$g_t$ (한 줄)")
    ax1.axhline(GRAD_MEAN, color=theme.fg, linestyle="--", linewidth=1.2)
    ax1.plot(t, one["m"], color=theme.orange, **faint)
    ax1.plot(t, one["m_hat"], color=theme.blue, **faint)
    ax1.plot(t, mean["m"], color=theme.orange, label="$m_t$ 평균 (보정 전)")
    ax1.plot(t, mean["m_hat"], color=theme.blue, label="$\\hat m_t$ 평균 (보정 후)")
    ax1.text(BIAS_STEPS, GRAD_MEAN + 0.04, "$\\mathbb{E}[g] = 1$", color=theme.fg, ha="right", va="bottom")
    low = min(one["g"].min(), one["m_hat"].min(), 0.0)
    ax1.set_ylim(low - 0.15, max(one["g"].max(), one["m_hat"].max()) + 0.6)  # room for the legend
    ax1.set_ylabel("1차 모멘트")
    ax1.legend(loc="upper center", ncols=2, fontsize=11, handlelength=1.2, columnspacing=0.9)
    ax1.grid(True)

    true_v = GRAD_MEAN**2 + GRAD_STD**2
    ax2.semilogy(t, one["g"] ** 2, "o", color=theme.muted, markersize=3.5, label="$g_t^2$ (한 줄)")
    ax2.axhline(true_v, color=theme.fg, linestyle="--", linewidth=1.2)
    ax2.semilogy(t, one["v"], color=theme.orange, **faint)
    ax2.semilogy(t, one["v_hat"], color=theme.blue, **faint)
    ax2.semilogy(t, mean["v"], color=theme.orange, label="$v_t$ 평균 (보정 전)")
    ax2.semilogy(t, mean["v_hat"], color=theme.blue, label="$\\hat v_t$ 평균 (보정 후)")
    ax2.text(BIAS_STEPS, true_v * 1.5, "$\\mathbb{E}[g^2] = 1.25$", color=theme.fg, ha="right", va="bottom")
    shown = np.concatenate([one["g"] ** 2, one["v"], one["v_hat"], mean["v"], mean["v_hat"]])
    ax2.set_ylim(shown.min() / 3, shown.max() * 20)
    ax2.set_ylabel("2차 모멘트 (로그 눈금)")
    ax2.set_xlabel("걸음 $t$")
    ax2.legend(loc="lower right", fontsize=11)
    ax2.grid(True, which="major")
    ax2.set_xlim(0, BIAS_STEPS + 1)
    fig.tight_layout()
    return fig


@claim("adam-bias-correction", "보정 전 m_t의 평균은 0 근처에서 출발해 천천히 1로 올라가지만")
def _raw_first_moment_rises_slowly():
    m = bias_correction_runs()["m"].mean(axis=1)
    assert m[0] < 0.15 and m[9] < 0.7 and m[-1] > 0.95, m[[0, 9, -1]]
    t = np.arange(1, BIAS_STEPS + 1)
    np.testing.assert_allclose(m, GRAD_MEAN * (1 - 0.9**t), atol=0.03)  # E[m_t] = (1 - β1^t) E[g]


@claim("adam-bias-correction", "보정한 m̂_t의 평균은 첫 걸음부터 1 근처에 있다")
def _corrected_first_moment_is_unbiased():
    m_hat = bias_correction_runs()["m_hat"].mean(axis=1)
    assert np.all(np.abs(m_hat - GRAD_MEAN) < 0.05), m_hat


@claim("adam-bias-correction", "한 번의 실행에서는 보정한 m̂_t가 처음 몇 걸음 동안 1에서 크게 벗어나 흔들린다")
def _one_run_wanders_early():
    m_hat = bias_correction_runs()["m_hat"][:, 0]
    early, late = np.abs(m_hat[:5] - GRAD_MEAN).max(), np.abs(m_hat[20:] - GRAD_MEAN).max()
    assert early > 0.3 and early > 2 * late, (early, late)


@claim("adam-bias-correction", f"보정 전 v_t의 평균은 {BIAS_STEPS}번째 걸음에도 참값 {GRAD_MEAN**2 + GRAD_STD**2:g}의 5퍼센트에 못 미치지만")
def _raw_second_moment_stays_tiny():
    v = bias_correction_runs()["v"].mean(axis=1)
    assert v[-1] < 0.05 * (GRAD_MEAN**2 + GRAD_STD**2), v[-1]


@claim("adam-bias-correction", "보정한 v̂_t의 평균은 처음부터 참값 근처에 있다")
def _corrected_second_moment_is_unbiased():
    v_hat = bias_correction_runs()["v_hat"].mean(axis=1)
    assert np.all(np.abs(v_hat / (GRAD_MEAN**2 + GRAD_STD**2) - 1) < 0.05), v_hat


# adam-paths: objective, start, steps, [(label, optimizer factory)], contour levels, window
ADAM_PATHS = [
    (elongated, (-4.5, 2.0), 50,
     [("Adam, $\\eta$=0.3", partial(Adam, lr=0.3)),
      ("모멘텀 SGD, $\\eta$=0.05", partial(SGD, lr=0.05, momentum=0.9))],
     [0.05, 0.2, 0.5, 1, 2, 4, 8], ((-5.0, 1.5), (-2.2, 2.5))),
    (rosenbrock_2d, (-1.2, 1.0), 1000,
     [("Adam, $\\eta$=0.1", partial(Adam, lr=0.1)),
      ("모멘텀 SGD, $\\eta$=0.001", partial(SGD, lr=1e-3, momentum=0.9))],
     [0.5, 2, 5, 10, 25, 50, 100, 200], ((-1.6, 1.6), (-0.4, 1.8))),
]


@cache
def adam_path_runs():
    """[[Adam, momentum SGD] trajectories] of each panel of adam-paths."""
    return [[minimize(f, start, opt, steps=steps) for _, opt in runs] for f, start, steps, runs, *_ in ADAM_PATHS]


@figure(
    "adam-paths",
    alt=(
        "길쭉한 이차함수와 로젠브록 함수의 등고선 위에 Adam과 모멘텀 SGD의 경로를 겹쳐 그린 그림. "
        "이차함수에서 모멘텀 SGD는 가파른 방향으로 크게 출렁이며 휘어 들어가고, Adam은 처음에 두 좌표를 "
        "같은 크기로 움직여 대각선으로 출발한 뒤 모멘텀 SGD의 절반쯤 되는 폭으로 출렁이며 최소점 쪽으로 간다. "
        "로젠브록 함수에서는 둘 다 바나나 모양 골짜기를 따라 최소점 (1, 1) 가까이 간다. "
        "범례에 각 경로의 마지막 함숫값이 있다."
    ),
    caption=(
        "위: $f = 0.1\\,x_0^2 + 2\\,x_1^2$(`gdcore.functions.elongated`), 아래: 로젠브록 함수 "
        "$f = (1-x_0)^2 + 100\\,(x_1 - x_0^2)^2$(`gdcore.functions.rosenbrock_2d`). "
        "같은 출발점(■)에서 Adam(파랑)과 모멘텀 SGD(주황, $\\mu = 0.9$)를 같은 걸음 수만큼 돌렸습니다. "
        "위 그림의 출발점은 6·7장 그림의 $(-5, -2)$가 아니라 $(-4.5, 2)$입니다. "
        "학습률 $\\eta$(코드의 `lr`, Adam 논문의 $\\alpha$)와 마지막 함숫값 $f(x_n)$은 범례에 있습니다(빌드할 때 계산). "
        "★는 최소점입니다."
    ),
)
def paths(theme: Theme):
    fig, axes = plt.subplots(2, 1, figsize=(5.6, 8.2), height_ratios=(1, 1.1))
    for ax, (f, start, steps, runs, levels, window), trajs in zip(axes, ADAM_PATHS, adam_path_runs()):
        X, Y, Z = f.grid(201, window=window)
        ax.contour(X, Y, Z, levels=levels, colors=theme.muted, linewidths=0.8)
        for (label, _), traj, color, z in zip(runs, trajs, (theme.blue, theme.orange), (3, 2)):
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


def _sign_changes(values: np.ndarray) -> int:
    return int(np.sum(np.sign(values[1:]) != np.sign(values[:-1])))


@claim("adam-paths", "모멘텀 SGD는 가파른 방향으로 크게 출렁이며 휘어 들어가고")
def _momentum_swings_across_the_valley():
    _, sgd = adam_path_runs()[0]
    assert _sign_changes(sgd.points[:, 1]) >= 5 and sgd.points[:, 1].min() < -1.0, sgd.points[:, 1].min()


@claim("adam-paths", "Adam은 처음에 두 좌표를 같은 크기로 움직여 대각선으로 출발한 뒤")
def _adam_starts_diagonally():
    adam, _ = adam_path_runs()[0]
    first_step_is_diagonal(adam)
    np.testing.assert_allclose(abs(adam.points[1] - adam.points[0]), [0.3, 0.3], rtol=1e-6)  # each is lr


@claim("adam-paths", "모멘텀 SGD의 절반쯤 되는 폭으로 출렁이며 최소점 쪽으로 간다")
def _adam_swings_half_as_wide():
    adam, sgd = adam_path_runs()[0]
    ratio = adam.points[:, 1].min() / sgd.points[:, 1].min()  # the deepest swing below the valley floor
    assert 0.35 < ratio < 0.65 and _sign_changes(adam.points[:, 1]) < _sign_changes(sgd.points[:, 1]), ratio
    assert adam.values[-1] < 0.01 * adam.values[0], adam.values[-1]


@claim("adam-paths", "둘 다 바나나 모양 골짜기를 따라 최소점 (1, 1) 가까이 간다")
def _both_follow_the_banana_valley():
    for traj in adam_path_runs()[1]:
        x, y = traj.points[50:].T
        assert np.median(np.abs(y - x**2)) < 0.01, np.median(np.abs(y - x**2))
        assert np.linalg.norm(traj.points[-1] - np.array([1.0, 1.0])) < 0.02, traj.points[-1]



# --- the page's 정리 (docs/adam.md) -----------------------------------------------------------


@claim("adam.md", "$\\beta_2 = 0.999$인 $v$는 특히 오래 치우치며, 보정이 없으면 첫 걸음들이 커집니다")
def _summary_v_biased_longer_steps_larger():
    runs = bias_correction_runs()
    m, v = runs["m"].mean(axis=1), runs["v"].mean(axis=1)
    assert m[19] > 0.85 * GRAD_MEAN and v[-1] < 0.05 * (GRAD_MEAN**2 + GRAD_STD**2), (m[19], v[-1])
    raw = np.abs(runs["m"] / np.sqrt(runs["v"])).mean(axis=1)  # the step without correction, over lr
    corrected = np.abs(runs["m_hat"] / np.sqrt(runs["v_hat"])).mean(axis=1)
    assert np.all(raw[:10] > 2 * corrected[:10]), raw[:10] / corrected[:10]


@claim("adam.md", "기울기의 눈금과 상관없이 거의 lr입니다")
def _summary_first_step_is_lr():
    scales = np.array([1e-4, 1e-2, 1.0, 1e2, 1e4])
    x = np.zeros(scales.size)
    Adam(x, lr=0.01).step(scales)
    np.testing.assert_allclose(-x, 0.01, rtol=1e-3)


@claim("adam.md", "좌표마다 세기가 달라지고, `AdamW`는\n  $\\theta \\leftarrow \\theta(1-\\alpha\\lambda)$로 모든 좌표를 같은 비율로 줄입니다")
def _summary_l2_versus_decoupled_decay():
    from gdcore.optim import AdamW

    def decay_effect(opt_class, **kw):
        with_decay, without = np.ones(2), np.ones(2)
        a, b = opt_class(with_decay, lr=0.01, weight_decay=0.1, **kw), opt_class(without, lr=0.01, weight_decay=0.0, **kw)
        for _ in range(10):
            g = np.array([0.0, 1.0])  # one coordinate without gradient, one with
            a.step(g.copy())
            b.step(g.copy())
        return with_decay - without

    l2, decoupled = decay_effect(Adam), decay_effect(AdamW)
    assert abs(l2[0]) > 100 * abs(l2[1]), l2  # L2 through the adaptive scaling: very unequal
    assert abs(decoupled[0] / decoupled[1] - 1) < 0.1, decoupled  # decoupled: nearly the same rate


# --- the chapter's exercises (연습 8.1-8.3): answers computed by gdcore ---------------------------


@answer("adam-uncorrected-first-step-b2-099", tol=5e-4)
def _uncorrected_first_step_at_beta2_099() -> float:
    """Exercise 8.1: Adam's first step without bias correction, over the corrected step, at betas=(0.9, 0.99)."""
    import numpy as np

    from gdcore.optim import Adam

    lr, g = 0.01, 0.5
    x = np.zeros(1)
    opt = Adam(x, lr=lr, betas=(0.9, 0.99))
    opt.step(np.array([g]))
    m, v = opt.state[0]["exp_avg"][0], opt.state[0]["exp_avg_sq"][0]
    return lr * m / (np.sqrt(v) + opt.eps) / abs(x[0])  # the uncorrected step over the one gdcore took


@answer("adam-v-correction-below-2", tol=0.5)
def _first_step_v_correction_below_two() -> float:
    """Exercise 8.2: the first t at which 1 / (1 - beta2^t) < 2 (v_t passes half of g^2), default betas."""
    import numpy as np

    from gdcore.optim import Adam

    opt = Adam(np.zeros(1))
    while opt.t == 0 or opt.state[0]["exp_avg_sq"][0] <= 0.5:  # g = 1: v_t = 1 - beta2^t
        opt.step(np.array([1.0]))
    return opt.t


@answer("adam-adamw-half-life", tol=0.5)
def _adamw_steps_to_halve_an_unused_weight() -> float:
    """Exercise 8.3: steps until AdamW(lr=1e-3, weight_decay=0.1) halves a weight whose loss gradient is 0."""
    import math

    import numpy as np

    from gdcore.optim import AdamW

    x = np.ones(1)
    AdamW(x, lr=1e-3, weight_decay=0.1).step(np.zeros(1))
    return math.ceil(math.log(0.5) / math.log(x[0]))  # x[0] is the factor of one step
