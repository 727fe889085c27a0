"""Figures of the schedules chapter (docs/schedules.md).

The runs are the experiments of ``gdcore.book.schedules`` (every hyperparameter there, once);
the shapes are ``gdcore.schedules``' closed-form functions.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from gdcore import schedules as S
from gdcore.book.large_batch import DIGITS
from gdcore.book.schedules import DIGITS_SCHEDULES, NOISE, digits_schedule_runs, sgd_decay_runs
from sitegen.claims import claim, describes_only
from sitegen.figures import Theme, answer, figure

# the schedule-shapes figure: η_0, steps, warmup steps (from 1 % of η_0), StepLR's (step_size, γ), ExponentialLR's γ
SHAPE_LR, SHAPE_STEPS, SHAPE_WARMUP, SHAPE_STEP, SHAPE_GAMMA = 0.1, 100, 10, (30, 0.1), 0.97


def shapes() -> dict[str, np.ndarray]:
    """η_t for t = 0..SHAPE_STEPS of the five schedules the chapter names (closed forms)."""
    t = np.arange(SHAPE_STEPS + 1)
    warm = np.where(t < SHAPE_WARMUP, S.linear(np.minimum(t, SHAPE_WARMUP), SHAPE_LR, 0.01, 1.0, SHAPE_WARMUP),
                    S.cosine(np.maximum(t - SHAPE_WARMUP, 0), SHAPE_LR, T_max=SHAPE_STEPS - SHAPE_WARMUP))
    return {
        "고정": np.full(t.shape, SHAPE_LR),
        f"계단 StepLR({SHAPE_STEP[0]}, {SHAPE_STEP[1]:g})": S.step_decay(t, SHAPE_LR, *SHAPE_STEP),
        f"지수 ExponentialLR({SHAPE_GAMMA:g})": S.exponential(t, SHAPE_LR, gamma=SHAPE_GAMMA),
        f"코사인 CosineAnnealingLR({SHAPE_STEPS})": S.cosine(t, SHAPE_LR, T_max=SHAPE_STEPS),
        f"워밍업 {SHAPE_WARMUP} + 코사인": warm,
    }


@figure(
    "schedule-shapes",
    alt=(f"가로축이 걸음(0~{SHAPE_STEPS}), 세로축이 학습률인 그래프에 다섯 스케줄을 그린 그림. 고정은 {SHAPE_LR:g}의 수평선, "
         f"계단은 {SHAPE_STEP[0]}걸음마다 {SHAPE_STEP[1]:g}배로 떨어지는 계단, 지수는 걸음마다 {SHAPE_GAMMA:g}배로 줄어드는 곡선, "
         f"코사인은 {SHAPE_LR:g}에서 0까지 반 주기 코사인, 워밍업 + 코사인은 처음 {SHAPE_WARMUP}걸음 동안 "
         f"{0.01 * SHAPE_LR:g}에서 {SHAPE_LR:g}로 직선으로 오른 뒤 코사인으로 내려간다."),
    caption=(f"`gdcore.schedules`의 함수로 계산한 다섯 스케줄($\\eta_0 = {SHAPE_LR:g}$, {SHAPE_STEPS}걸음). 같은 값을 PyTorch와 "
             "같은 이름의 객체(`StepLR`, `ExponentialLR`, `CosineAnnealingLR`, `LinearLR`, `SequentialLR`)도 냅니다."),
)
def schedule_shapes(theme: Theme):
    colours = [theme.muted, theme.blue, theme.purple, theme.orange, theme.green]
    fig, ax = plt.subplots(figsize=(5.6, 4.6), constrained_layout=True)
    for (name, values), colour in zip(shapes().items(), colours, strict=True):
        ax.plot(values, color=colour, linewidth=2.0, label=name, drawstyle="steps-post" if "계단" in name else "default")
    ax.set_xlabel("걸음 $t$")
    ax.set_ylabel("학습률 $\\eta_t$")
    ax.set_xlim(0, SHAPE_STEPS)
    ax.set_ylim(0, SHAPE_LR * 1.08)
    fig.legend(fontsize=9, loc="outside lower center", ncol=2, frameon=False)  # below the plot: no curve under it
    return fig


describes_only("schedule-shapes", "the five shapes as their formulas give them; no comparison of outcomes")


def _two_panels(theme: Theme, colours: list[str], ratios: tuple[float, float]):
    """The chapter's two-panel figure: a shared x axis, the top panel ``ratios[0]`` tall against
    the bottom's ``ratios[1]``; returns (figure, top, bottom, one colour per schedule)."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(5.6, 6.0), sharex=True, constrained_layout=True,
                                      gridspec_kw={"height_ratios": list(ratios)})
    return fig, top, bottom, colours


@figure(
    "sgd-decay",
    alt=(f"예제 하나짜리 SGD를 네 가지 학습률로 {NOISE.steps}걸음 돌린 두 그래프(로그-로그 축). 위는 걸음마다의 학습률, 아래는 최소 손실보다 "
         f"남은 손실(시드 {len(NOISE.seeds)}개의 평균)이다. 고정 학습률은 처음 수백 걸음 뒤로 잡음 수준에서 더 내려가지 않는다. η₀/(1+t/τ)는 끝까지 "
         "계속 내려가 고정 학습률보다 수십 배 낮게 끝난다. 지수 감쇠는 학습률이 너무 빨리 0이 되어 일찍 멈춘다. "
         "코사인은 마지막 걸음에서 가장 낮다."),
    caption=(f"[5장](sgd.md)의 두 매개변수 최소제곱 문제에서 배치 1의 SGD($\\eta_0 = {NOISE.lr:g}$). 아래는 전체 손실에서 최솟값 $L^\\star$를 뺀 값의 "
             "시드 평균. `gdcore.book.schedules.sgd_decay_runs`가 `gdcore.run.minimize`와 `gdcore.schedules`의 "
             "`LambdaLR`, `ExponentialLR`, `CosineAnnealingLR`로 계산합니다."),
)
def sgd_decay(theme: Theme):
    runs = sgd_decay_runs()
    fig, top, bottom, colours = _two_panels(theme, [theme.muted, theme.blue, theme.purple, theme.orange], (1, 1.6))
    steps = np.arange(1, NOISE.steps + 1)
    labels = {"고정": "고정 $\\eta_0$", "1/t 감쇠": "$\\eta_0/(1 + t/%g)$" % NOISE.inverse_time,
              "지수 감쇠": "$\\eta_0 \\cdot %g^t$" % NOISE.fast_gamma, "코사인": "코사인 ($T = %d$)" % NOISE.steps}
    for (name, (rates, excess)), colour in zip(runs.items(), colours, strict=True):
        top.plot(steps, rates, color=colour, linewidth=1.8, label=labels[name])
        bottom.plot(steps, excess[1:], color=colour, linewidth=1.6, label=labels[name])
    top.set_yscale("log")
    top.set_ylim(1e-6, 0.3)
    top.set_ylabel("학습률")
    bottom.set_xscale("log")
    bottom.set_yscale("log")
    bottom.set_ylabel("L(w) − L*")
    bottom.set_xlabel("걸음")
    bottom.legend(fontsize=9, loc="lower left", frameon=False)
    return fig


def _excess(name: str) -> np.ndarray:
    return sgd_decay_runs()[name][1]


def _names():
    return list(sgd_decay_runs())


@claim("sgd-decay", "고정 학습률은 처음 수백 걸음 뒤로 잡음 수준에서 더 내려가지 않는다")
def _fixed_stalls():
    fixed = _excess(_names()[0])
    early, late = fixed[300:1000].mean(), fixed[-500:].mean()
    assert late > 0.3 * early, (early, late)  # not even a factor of 3 down after step 1000


@claim("sgd-decay", "η₀/(1+t/τ)는 끝까지 계속 내려가 고정 학습률보다 수십 배 낮게 끝난다")
def _inverse_time_keeps_going():
    fixed, inverse = _excess(_names()[0]), _excess(_names()[1])
    checkpoints = [inverse[k] for k in (300, NOISE.steps // 2, 3 * NOISE.steps // 4, NOISE.steps)]
    assert all(a > b for a, b in zip(checkpoints, checkpoints[1:])), checkpoints
    assert fixed[-200:].mean() > 20 * inverse[-200:].mean(), (fixed[-200:].mean(), inverse[-200:].mean())


@claim("sgd-decay", "지수 감쇠는 학습률이 너무 빨리 0이 되어 일찍 멈춘다")
def _exponential_stops_short():
    fast, inverse = _excess(_names()[2]), _excess(_names()[1])
    assert abs(fast[-1] / fast[500] - 1) < 0.01, (fast[500], fast[-1])  # nothing moves after step 500
    assert fast[-1] > 10 * inverse[-1], (fast[-1], inverse[-1])
    assert NOISE.lr / (1 - NOISE.fast_gamma) < 5  # Σ η_t is finite: the rates add up to 3.3 at most


@claim("sgd-decay", "코사인은 마지막 걸음에서 가장 낮다")
def _cosine_lowest_at_the_end():
    finals = {name: _excess(name)[-1] for name in _names()}
    assert min(finals, key=finals.get) == _names()[3], finals


@figure(
    "digits-schedules",
    alt=(f"손글씨 숫자 MLP를 모멘텀 SGD(학습률 {DIGITS_SCHEDULES.lr:g})로 {DIGITS_SCHEDULES.epochs} 에폭 학습한 두 그래프, "
         "네 스케줄. 위는 에폭마다의 훈련 손실(로그 눈금), "
         "아래는 검증 오류율이다. 고정 학습률은 손실이 10⁶ 넘게 치솟아 검증 오류율이 10% 넘게 남는다. 감쇠하는 세 스케줄은 "
         "모두 5% 아래로 끝나고, 워밍업 + 코사인은 처음 다섯 에폭 동안 손실이 다른 스케줄보다 훨씬 낮다."),
    caption=(f"`gdcore.book.schedules.digits_schedule_runs`: 64-{DIGITS.hidden}-10 MLP(`activation=\"{DIGITS.activation}\"`), "
             f"`SGD(lr={DIGITS_SCHEDULES.lr:g}, momentum=0.9)`, 배치 {DIGITS_SCHEDULES.batch_size}, "
             f"시드 {len(DIGITS_SCHEDULES.seeds)}개의 평균. 스케줄은 `gdcore.train.fit`의 `schedule`로 줍니다(계단은 전체의 "
             f"{DIGITS_SCHEDULES.step_every:.0%}마다 {DIGITS_SCHEDULES.step_gamma:g}배, "
             f"워밍업은 전체의 {DIGITS_SCHEDULES.warmup:.0%})."),
)
def digits_schedules_figure(theme: Theme):
    runs = digits_schedule_runs()
    fig, top, bottom, colours = _two_panels(theme, [theme.muted, theme.blue, theme.orange, theme.green], (1, 1))
    epochs = np.arange(DIGITS_SCHEDULES.epochs + 1)
    for (name, histories), colour in zip(runs.items(), colours, strict=True):
        top.plot(epochs, np.mean([h.epoch_loss for h in histories], axis=0), color=colour, linewidth=1.8, label=name)
        bottom.plot(epochs, 100 * np.mean([h.val_error for h in histories], axis=0), color=colour, linewidth=1.8,
                    label=name)
    top.set_yscale("log")
    top.set_ylabel("훈련 손실")
    bottom.set_ylabel("검증 오류율 (%)")
    bottom.set_ylim(0, 30)
    bottom.set_xlabel("에폭")
    top.legend(fontsize=9, loc="upper right", frameon=False)
    return fig


def _digits(i: int, what: str) -> np.ndarray:
    """The seed mean of ``what`` (an epoch array of History) for the i-th schedule:
    0 constant, 1 step, 2 cosine, 3 warmup + cosine."""
    histories = list(digits_schedule_runs().values())[i]
    return np.mean([getattr(h, what) for h in histories], axis=0)


@claim("digits-schedules", "고정 학습률은 손실이 10⁶ 넘게 치솟아 검증 오류율이 10% 넘게 남는다")
def _constant_blows_up():
    assert _digits(0, "epoch_loss").max() > 1e6
    assert _digits(0, "val_error")[-1] > 0.10


@claim("digits-schedules", "감쇠하는 세 스케줄은 모두 5% 아래로 끝나고")
def _decays_recover():
    finals = [_digits(i, "val_error")[-1] for i in (1, 2, 3)]
    assert max(finals) < 0.05, finals


@claim("digits-schedules", "워밍업 + 코사인은 처음 다섯 에폭 동안 손실이 다른 스케줄보다 훨씬 낮다")
def _warmup_protects_the_start():
    warm = _digits(3, "epoch_loss")[1:6]
    for i in (0, 1, 2):
        rest = _digits(i, "epoch_loss")[1:6]
        assert np.all(3 * warm < rest), (i, warm, rest)


# --- the chapter's 정리 ---------------------------------------------------------------------------

@claim("schedules.md", "SGD는 고정 학습률로는 잡음 수준의 바닥에서 멈추지 못합니다")
def _summary_fixed():
    _fixed_stalls()


@claim("schedules.md", "너무 빨리 줄이면 최소점에 닿기 전에 멈춥니다")
def _summary_too_fast():
    _exponential_stops_short()


@claim("schedules.md", "고정 학습률에서 RMSProp이 빠지는 순환은 학습률을 줄이면 함께 줄어듭니다")
def _summary_rmsprop_cycle():
    """The chapter's code block: RMSprop(lr=0.4, alpha=0.9) with and without a 400-step cosine."""
    from functools import partial

    from gdcore.functions import elongated
    from gdcore.optim import RMSprop
    from gdcore.run import minimize

    rmsprop = partial(RMSprop, lr=0.4, alpha=0.9)
    fixed = minimize(elongated, [-5.0, -2.0], rmsprop, steps=400)
    decayed = minimize(elongated, [-5.0, -2.0], S.scheduled(rmsprop, lambda opt: S.CosineAnnealingLR(opt, T_max=400)),
                       steps=400)
    assert min(fixed.values[200:]) > 0.05, min(fixed.values[200:])  # the cycle: it never settles
    assert decayed.values[200] > decayed.values[300] > decayed.values[400] and decayed.values[400] < 1e-20


@claim("schedules.md", "큰 학습률은 처음 몇 걸음을 망가뜨리기 쉽고, 짧은 워밍업이 그 구간을 지켜 줍니다")
def _summary_warmup():
    _constant_blows_up()
    _warmup_protects_the_start()


# --- the chapter's exercises (연습 9.1-9.3): answers computed by gdcore ---------------------------


@answer("sched-exponential-matching-step", tol=5e-5)
def _gamma_matching_step_decay_at_90() -> float:
    """Exercise 9.1: the γ of ExponentialLR that meets StepLR(step_size=30, gamma=0.1) at step 90."""
    from gdcore.schedules import step_decay

    lr = 0.1
    return (step_decay(90, lr, step_size=30, gamma=0.1) / lr) ** (1 / 90)


@answer("sched-warmup-cosine-step-150", tol=5e-5)
def _warmup_cosine_rate_at_150() -> float:
    """Exercise 9.2: the rate at step 150 of 10 warmup steps (from 1 %) then a 190-step cosine, η_0 = 0.4."""
    import numpy as np

    from gdcore.optim import SGD
    from gdcore.schedules import CosineAnnealingLR, LinearLR, SequentialLR

    opt = SGD(np.zeros(1), lr=0.4)
    schedule = SequentialLR(opt, [LinearLR(opt, start_factor=0.01, total_iters=10), CosineAnnealingLR(opt, T_max=190)],
                            milestones=[10])
    for _ in range(150):
        opt.step(np.zeros(1))
        schedule.step()
    return opt.lr


@answer("sched-inverse-time-passes-exponential", tol=0.5)
def _steps_for_inverse_time_to_pass_the_exponential_total() -> float:
    """Exercise 9.3: the first T with Σ_{t<T} η_0/(1 + t/τ) > Σ_t η_0 γ^t (the sgd-decay figure's two decays)."""
    import numpy as np

    from gdcore.optim import SGD
    from gdcore.schedules import LambdaLR, exponential

    lr, tau, gamma = 0.1, 100.0, 0.97
    exponential_total = float(exponential(np.arange(2000), lr, gamma).sum())  # the rest is below 1e-27
    opt = SGD(np.zeros(1), lr=lr)
    schedule = LambdaLR(opt, lambda t: 1 / (1 + t / tau))
    total, steps = 0.0, 0
    while total <= exponential_total:
        total += opt.lr  # the rate step `steps` uses
        steps += 1
        opt.step(np.zeros(1))
        schedule.step()
    return steps
