"""Figures and tables of chapter 4, 가중치 초기화 (docs/weight-initialization.md).

The step-0 figures and tables take every number from :func:`gdcore.book.activation_stats` (5 dense
layers of 100 units, 1000 standard-normal inputs, seed 0, the defaults of that function) or from
gdcore's sigmoid.  The training curves (``init-training-curves``) and their table come from
:func:`gdcore.book.init_training.init_training_runs` (hyperparameters: ``INIT_TRAINING``).
"""

from __future__ import annotations

import math
from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FixedLocator, FormatStrFormatter, MaxNLocator, NullLocator, PercentFormatter
from threadpoolctl import threadpool_limits

from gdcore.book import activation_stats
from gdcore.book.init_training import ACTIVATIONS_COMPARED, INIT_TRAINING, INITIALIZERS, InitRun, init_training_runs
from gdcore.init import he_normal, xavier_normal
from gdcore.models import ACTIVATIONS
from sitegen.claims import claim
from sitegen.figures import Theme, answer, figure, table

SEED = 0  # one seed for every figure and table of the chapter: all cases see the same inputs
SATURATION = 0.01  # φ'(z) below this counts as saturated, as in ActivationStats.saturated

# case id -> (label, init passed to activation_stats, activation)
CASES = {
    "std1-sigmoid": ("N(0, 1²)", 1.0, "sigmoid"),
    "std001-sigmoid": ("N(0, 0.01²)", 0.01, "sigmoid"),
    "std001-tanh": ("N(0, 0.01²)", 0.01, "tanh"),
    "xavier-sigmoid": ("Xavier", xavier_normal, "sigmoid"),
    "xavier-tanh": ("Xavier", xavier_normal, "tanh"),
    "he-relu": ("He", he_normal, "relu"),
    "he-sigmoid": ("He", he_normal, "sigmoid"),
    "xavier-relu": ("Xavier", xavier_normal, "relu"),
    "std1-relu": ("N(0, 1²)", 1.0, "relu"),
}


@lru_cache(maxsize=None)
def _stats(case: str):
    _, init, activation = CASES[case]
    return activation_stats(init, activation, rng=SEED)


def _saturation_threshold(level: float = SATURATION) -> float:
    """z* > 0 with σ'(z*) = level, by bisection on gdcore's sigmoid (σ' falls on z > 0)."""
    sigmoid, sigmoid_grad = ACTIVATIONS["sigmoid"]
    lo, hi = 0.0, 40.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        z = np.array(mid)
        lo, hi = (mid, hi) if sigmoid_grad(z, sigmoid(z)) > level else (lo, mid)
    return lo


LIMITS = {"sigmoid": ((0, 1), [0, 0.5, 1]), "tanh": ((-1, 1), [-1, 0, 1]), "relu": ((0, 5), [0, 5])}


def layer_histograms(case: str) -> tuple[np.ndarray, list[np.ndarray], list[float]]:
    """(bin edges, bar heights per layer, share of exact zeros per layer) of ``case``'s histograms.

    41 bins over the activation's range (0.5 for the sigmoid and 0 for tanh are bin centres); a bar's
    height is its fraction of all the layer's activations.  For ReLU the exact zeros (about half)
    are not a bar: their share is written in the panel instead.
    """
    stats = _stats(case)
    activation = CASES[case][2]
    limits = LIMITS[activation][0]
    bins = np.linspace(*limits, 42)
    heights, zeros = [], []
    for a in stats.activations:
        values = a.ravel()
        zeros.append(float(np.mean(values == 0)))
        if activation == "relu":
            values = values[values > 0]
        counts, _ = np.histogram(np.clip(values, *limits), bins=bins)
        heights.append(counts / a.size)
    return bins, heights, zeros


def roughness(heights: np.ndarray) -> float:
    """Total variation of the bars over twice the tallest: 1 for one smooth hump, more for spikes."""
    return float(np.abs(np.diff(np.concatenate([[0], heights, [0]]))).sum() / (2 * heights.max()))


def _short(x: float) -> str:
    """Two significant digits; below 0.001 as mantissa × 10^exponent (mathtext)."""
    if x >= 1e-3:
        return f"{x:#.2g}"
    mantissa, exponent = f"{x:.1e}".split("e")
    return f"${mantissa}\\times10^{{{int(exponent)}}}$"


def _histogram_row(theme: Theme, case: str):
    """Five narrow histograms, one per layer, of the activations of ``case`` (fractions, shared y)."""
    stats = _stats(case)
    activation = CASES[case][2]
    limits, ticks = LIMITS[activation]
    bins, heights, zeros = layer_histograms(case)
    fig, axes = plt.subplots(1, len(stats.activations), figsize=(6.0, 2.3), sharey=True)
    for l, (ax, h) in enumerate(zip(axes, heights), start=1):
        note = f"sd {_short(stats.std[l - 1])}"
        if activation == "relu":  # half the units are exactly 0: give their share in words, not as a bar
            note += f"\n0: {zeros[l - 1]:.0%}"
        ax.hist(bins[:-1], bins=bins, weights=h, color=theme.blue, edgecolor="none")
        ax.set_title(f"{l}층", fontsize=12)
        ax.set_xlim(*limits)
        ax.set_xticks(ticks)
        ax.set_xticklabels([f"{t:g}".replace("-", "\u2212") for t in ticks])
        labels = ax.get_xticklabels()
        labels[0].set_horizontalalignment("left")  # keep each panel's labels inside it
        labels[-1].set_horizontalalignment("right")
        ax.tick_params(axis="y", left=l == 1, labelleft=l == 1)
        ax.text(0.97, 0.96, note, transform=ax.transAxes, ha="right", va="top", fontsize=11, color=theme.fg)
        for side in ("top", "right") + (("left",) if l > 1 else ()):
            ax.spines[side].set_visible(False)
    axes[0].set_ylabel("비율")
    axes[0].yaxis.set_major_locator(MaxNLocator(2))
    axes[0].yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    top = max(ax.get_ylim()[1] for ax in axes)
    axes[0].set_ylim(0, top * 1.45)  # room for the sd note above the bars
    fig.supxlabel("활성값", fontsize=12, y=0.0)
    fig.subplots_adjust(wspace=0.2, bottom=0.24)
    return fig


_HIST_ALT = (
    "평균 0, {init} 가중치를 쓴 {act} 신경망(100개 유닛 5층, 표준정규 입력 1000개)의 층별 활성값 히스토그램 5개. "
)


@figure(
    "fig10",
    alt=(
        "시그모이드 함수와 그 도함수. 시그모이드는 z = 0에서 0.5를 지나 0과 1 사이의 S자를 그리고, "
        "도함수는 z = 0에서 가장 큰 값 0.25를 가진 종 모양이다. |z|가 커지면 도함수가 0에 붙는 포화 구간을 "
        "양쪽에 색으로 칠했다."
    ),
    caption=(
        "시그모이드 $\\sigma(z) = 1/(1 + e^{-z})$와 도함수 $\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))$. "
        "색칠한 양쪽 구간은 $\\sigma'(z) < 0.01$인 포화 구간으로, 경계 $|z|$는 빌드할 때 gdcore의 시그모이드에서 "
        "이분법으로 구합니다. 여기로 들어간 유닛은 출력이 0이나 1에 붙고, 뒤에서 온 기울기에 0.01보다 작은 수를 곱해 넘깁니다."
    ),
)
def sigmoid_saturation(theme: Theme):
    sigmoid, sigmoid_grad = ACTIVATIONS["sigmoid"]
    z = np.linspace(-10, 10, 801)
    a = sigmoid(z)
    edge = _saturation_threshold()

    fig, ax = plt.subplots(figsize=(5.6, 3.6))
    for lo, hi in ((-10, -edge), (edge, 10)):
        ax.axvspan(lo, hi, color=theme.orange, alpha=0.18, linewidth=0)
    ax.plot(z, a, color=theme.blue, label="$\\sigma(z)$")
    ax.plot(z, sigmoid_grad(z, a), color=theme.red, label="$\\sigma'(z)$")
    ax.text(-(edge + 10) / 2, 0.55, f"포화\n|z| > {edge:.2f}", ha="center", color=theme.fg)
    ax.text((edge + 10) / 2, 0.35, f"포화\n|z| > {edge:.2f}", ha="center", color=theme.fg)
    ax.annotate("$\\sigma'(0) = 0.25$", xy=(0, 0.25), xytext=(1.2, 0.12), color=theme.fg,
                arrowprops={"arrowstyle": "->", "color": theme.fg})
    ax.set_xlim(-10, 10)
    ax.set_ylim(-0.03, 1.05)
    ax.set_xticks([-10, -5, 0, 5, 10])
    ax.set_yticks([0, 0.25, 0.5, 1])
    ax.set_xlabel("$z$")
    ax.grid(True)
    ax.legend(loc="center left", bbox_to_anchor=(0.0, 0.78))
    return fig


@figure(
    "fig-init-hist-std1",
    alt=_HIST_ALT.format(init="표준편차 1인 정규분포", act="시그모이드")
    + "모든 층에서 활성값이 0과 1 양 끝에 몰려 U자 모양을 이룬다.",
    caption=(
        "가중치 $w \\sim \\mathcal N(0, 1^2)$, 시그모이드. 100개 입력의 가중합 $z$가 넓게 퍼져 "
        "유닛의 절반 안팎이 포화 구간에 들어가고, 활성값이 0과 1에 몰립니다. 칸 안의 sd는 그 층 활성값의 표준편차이고, "
        "막대의 높이는 그 층 활성값 전체에서 차지하는 비율입니다(이 장의 히스토그램 모두 같음)."
    ),
)
def hist_std1_sigmoid(theme: Theme):
    return _histogram_row(theme, "std1-sigmoid")


@figure(
    "fig-init-hist-std001",
    alt=_HIST_ALT.format(init="표준편차 0.01인 정규분포", act="시그모이드")
    + "모든 층에서 활성값이 0.5 둘레의 몇 칸에 좁게 모인다. 1층은 작은 종 모양이고, 2층부터는 가운데 한 칸에 약 70%가 들어간다.",
    caption=(
        "가중치 $w \\sim \\mathcal N(0, 0.01^2)$, 시그모이드. $z$가 0 근처에 머물러 활성값은 모두 "
        "$\\sigma(0) = 0.5$ 둘레의 몇 칸에 들어갑니다. 0으로 무너지는 것이 아니라 **0.5에 모이고 퍼짐(sd)이 아주 작은** 것이며, "
        "2층부터는 그 작은 퍼짐마저 입력에 따른 변화가 아니라 유닛 사이의 차이입니다."
    ),
)
def hist_std001_sigmoid(theme: Theme):
    return _histogram_row(theme, "std001-sigmoid")


@figure(
    "fig-init-hist-std001-tanh",
    alt=_HIST_ALT.format(init="표준편차 0.01인 정규분포", act="tanh")
    + "1층은 0 둘레의 작은 종 모양이고, 2층부터는 활성값이 거의 모두 0 한 칸에 모이며, 칸 안에 적은 표준편차가 층마다 약 10분의 1로 줄어든다.",
    caption=(
        "가중치 $w \\sim \\mathcal N(0, 0.01^2)$, tanh. tanh는 0을 지나므로($\\tanh 0 = 0$) 활성값이 0으로 모이고, "
        "표준편차(칸 안의 sd)가 층을 지날 때마다 거의 같은 비율로 줄어듭니다."
    ),
)
def hist_std001_tanh(theme: Theme):
    return _histogram_row(theme, "std001-tanh")


@figure(
    "fig-init-hist-xavier-sigmoid",
    alt=_HIST_ALT.format(init="Xavier 정규분포", act="시그모이드")
    + "활성값이 0.5를 중심으로 퍼지며, 1층은 매끈한 종 모양이지만 3층부터는 뾰족한 막대가 들쭉날쭉한 모양이 된다.",
    caption=(
        "Xavier 정규분포 $\\mathcal N\\!\\left(0, \\frac{2}{N_\\text{in} + N_\\text{out}}\\right)$, 시그모이드. "
        "포화 없이 0.5 둘레에 퍼지지만 3층부터는 막대가 들쭉날쭉합니다. 출력의 평균이 0.5라서 유닛마다 입력과 거의 상관없는 "
        "값에 머물고, 막대 하나하나가 거의 유닛 하나이기 때문입니다."
    ),
)
def hist_xavier_sigmoid(theme: Theme):
    return _histogram_row(theme, "xavier-sigmoid")


@figure(
    "fig-init-hist-xavier-tanh",
    alt=_HIST_ALT.format(init="Xavier 정규분포", act="tanh")
    + "활성값이 0을 중심으로 -1과 1 사이에 퍼지고, 층이 깊어질수록 폭이 조금씩 좁아진다.",
    caption=(
        "Xavier 정규분포, tanh. 0 둘레에 고르게 퍼지고 포화도 거의 없습니다. 폭은 층마다 조금씩 줄어듭니다"
        "(tanh의 기울기가 0에서만 1이고 밖에서는 1보다 작기 때문)."
    ),
)
def hist_xavier_tanh(theme: Theme):
    return _histogram_row(theme, "xavier-tanh")


@figure(
    "fig-init-hist-he-relu",
    alt=_HIST_ALT.format(init="He 정규분포", act="ReLU")
    + "0보다 큰 활성값의 분포가 다섯 층에서 거의 같은 모양이고, 각 층에서 활성값의 약 절반이 정확히 0이다.",
    caption=(
        "He 정규분포 $\\mathcal N\\!\\left(0, \\frac{2}{N_\\text{in}}\\right)$, ReLU. 막대는 0보다 큰 활성값만 그렸고"
        "(5 이상은 마지막 칸), 정확히 0인 활성값의 비율은 칸 안에 숫자로 적었습니다. 다섯 층의 모양이 거의 같고, "
        "sd는 층을 지나며 조금씩 커지지만 1.25배 안에 머뭅니다."
    ),
)
def hist_he_relu(theme: Theme):
    return _histogram_row(theme, "he-relu")


@figure(
    "fig-init-hist-he-sigmoid",
    alt=_HIST_ALT.format(init="He 정규분포", act="시그모이드")
    + "Xavier와 시그모이드의 조합처럼 0.5 둘레에 퍼지고 3층부터 뾰족한 막대가 들쭉날쭉하며, 폭이 조금 더 넓다.",
    caption=(
        "He 정규분포, 시그모이드. 분산이 Xavier의 두 배(이 층들은 $N_\\text{in} = N_\\text{out}$)라 조금 더 넓게 퍼질 뿐, "
        "Xavier·시그모이드와 같은 모양입니다. He의 인수 2가 전제하는 ReLU의 '절반이 0' 성질이 시그모이드에는 없습니다."
    ),
)
def hist_he_sigmoid(theme: Theme):
    return _histogram_row(theme, "he-sigmoid")


_ACT_NAMES = {"sigmoid": "시그모이드", "tanh": "tanh", "relu": "ReLU"}


def _rows(values) -> str:
    header = "| 초기화 | 활성화 | 1층 | 2층 | 3층 | 4층 | 5층 |"
    lines = [header, "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for case, (label, _, activation) in CASES.items():
        cells = " | ".join(f"{x:.3g}" for x in values(_stats(case)))
        lines.append(f"| {label} | {_ACT_NAMES[activation]} | {cells} |")
    return "\n".join(lines)


@table("init-activation-std")
def activation_std_table() -> str:
    """Standard deviation of every layer's activations a_l, for every case (seed 0)."""
    return _rows(lambda s: s.std)


@table("init-saturation")
def saturation_table() -> str:
    """Fraction of units with φ'(z) < 0.01 (ReLU: z ≤ 0) in every layer, for every case (seed 0)."""
    return _rows(lambda s: s.saturated)


@table("init-grad-norms")
def grad_norm_table() -> str:
    """‖∂L/∂W_l‖ of every layer, for every case, and the ratio layer 1 / layer 5 (seed 0)."""
    header = "| 초기화 | 활성화 | 1층 | 2층 | 3층 | 4층 | 5층 | 1층 ÷ 5층 |"
    lines = [header, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for case, (label, _, activation) in CASES.items():
        g = _stats(case).grad_norms
        cells = " | ".join(f"{x:.3g}" for x in g)
        lines.append(f"| {label} | {_ACT_NAMES[activation]} | {cells} | {g[0] / g[-1]:.3g} |")
    return "\n".join(lines)


# --- claims: each histogram's words, checked on the same statistics (seed 0) -------------------


def _heights(case: str) -> list[np.ndarray]:
    return layer_histograms(case)[1]


@claim("fig10", "|z|가 커지면 도함수가 0에 붙는 포화 구간을")
def _sigmoid_saturates():
    sigmoid, sigmoid_grad = ACTIVATIONS["sigmoid"]
    edge = _saturation_threshold()
    z = np.linspace(edge, 40, 400)
    assert 4 < edge < 5 and np.all(sigmoid_grad(z, sigmoid(z)) <= SATURATION + 1e-12), edge


@claim("fig-init-hist-std1", "모든 층에서 활성값이 0과 1 양 끝에 몰려 U자 모양을 이룬다")
def _std1_u_shape():
    for a in _stats("std1-sigmoid").activations:
        ends = np.mean((a < 0.05) | (a > 0.95))
        middle = np.mean(np.abs(a - 0.5) < 0.1)
        assert ends > 0.6 and middle < 0.1, (ends, middle)


@claim("fig-init-hist-std1", "유닛의 절반 안팎이 포화 구간에 들어가고")
def _std1_half_saturated():
    saturated = np.asarray(_stats("std1-sigmoid").saturated)
    assert np.all((0.4 <= saturated) & (saturated <= 0.7)), saturated


@claim("fig-init-hist-std001", "모든 층에서 활성값이 0.5 둘레의 몇 칸에 좁게 모인다")
def _std001_narrow():
    bins = layer_histograms("std001-sigmoid")[0]
    for h in _heights("std001-sigmoid"):
        used = bins[:-1][h > 0]
        assert (h > 0).sum() <= 10 and np.all(np.abs(used + np.diff(bins)[0] / 2 - 0.5) < 0.15), used


@claim("fig-init-hist-std001", "1층은 작은 종 모양이고, 2층부터는 가운데 한 칸에 약 70%가 들어간다")
def _std001_layer_shapes():
    heights = _heights("std001-sigmoid")
    assert (heights[0] > 0).sum() >= 7 and roughness(heights[0]) < 1.05 and heights[0].max() < 0.5
    for h in heights[1:]:
        assert 0.6 < h.max() < 0.8 and h.argmax() == len(h) // 2, h.max()


@claim("fig-init-hist-std001", "2층부터는 그 작은 퍼짐마저 입력에 따른 변화가 아니라 유닛 사이의 차이입니다")
def _std001_spread_is_between_units():
    for a in _stats("std001-sigmoid").activations[1:]:  # a: (inputs, units)
        within, between = a.std(axis=0).mean(), a.mean(axis=0).std()
        assert within < 0.1 * between, (within, between)


@claim("fig-init-hist-std001-tanh", "1층은 0 둘레의 작은 종 모양이고, 2층부터는 활성값이 거의 모두 0 한 칸에 모이며")
def _std001_tanh_collapses():
    heights = _heights("std001-tanh")
    assert (heights[0] > 0).sum() >= 10 and heights[0].max() < 0.3
    assert all(h.max() > 0.98 and h.argmax() == len(h) // 2 for h in heights[1:]), [h.max() for h in heights]


@claim("fig-init-hist-std001-tanh", "칸 안에 적은 표준편차가 층마다 약 10분의 1로 줄어든다")
def _std001_tanh_tenfold():
    std = np.asarray(_stats("std001-tanh").std)
    ratios = std[1:] / std[:-1]
    assert np.all((0.09 < ratios) & (ratios < 0.11)), ratios


@claim("fig-init-hist-xavier-sigmoid", "1층은 매끈한 종 모양이지만 3층부터는 뾰족한 막대가 들쭉날쭉한 모양이 된다")
def _xavier_sigmoid_spiky_from_layer_3():
    rough = [roughness(h) for h in _heights("xavier-sigmoid")]
    assert rough[0] < 1.1 and min(rough[2:]) > 1.3, rough


@claim("fig-init-hist-xavier-tanh", "층이 깊어질수록 폭이 조금씩 좁아진다")
def _xavier_tanh_narrows_slowly():
    ratios = np.asarray(_stats("xavier-tanh").std)
    ratios = ratios[1:] / ratios[:-1]
    assert np.all((0.75 < ratios) & (ratios < 1)), ratios


@claim("fig-init-hist-he-relu", "0보다 큰 활성값의 분포가 다섯 층에서 거의 같은 모양이고, 각 층에서 활성값의 약 절반이 정확히 0이다")
def _he_relu_same_shape_half_zero():
    _, heights, zeros = layer_histograms("he-relu")
    moved = [float(np.abs(h - heights[0]).sum()) for h in heights]  # share of the bars' area that differs
    assert max(moved) < 0.06, moved
    assert all(0.4 < z < 0.6 for z in zeros), zeros


@claim("fig-init-hist-he-relu", "sd는 층을 지나며 조금씩 커지지만 1.25배 안에 머뭅니다")
def _he_relu_spread_stays():
    std = np.asarray(_stats("he-relu").std)
    assert np.all(np.diff(std) > 0) and std.max() / std.min() < 1.25, std


@claim("fig-init-hist-he-sigmoid", "3층부터 뾰족한 막대가 들쭉날쭉하며, 폭이 조금 더 넓다")
def _he_sigmoid_like_xavier_but_wider():
    rough = [roughness(h) for h in _heights("he-sigmoid")]
    assert min(rough[2:]) > 1.25 > rough[1], rough
    ratio = np.asarray(_stats("he-sigmoid").std) / np.asarray(_stats("xavier-sigmoid").std)
    assert np.all((1.1 < ratio) & (ratio < 1.5)), ratio



# --- training: loss curves of a deep MLP from three initialisations (gdcore.book.init_training) ---

LN10 = math.log(10)  # the loss of a model that gives all ten classes the same probability
EARLY = 3  # with ReLU, He is below Xavier for this many epochs after the start
LOW = 0.01  # with ReLU, Xavier and He both end below this training loss
SIGMOID_YLIM = (1, 3)  # the sigmoid panel's loss axis: the runs stay near ln 10, so a narrow range
INIT_LABELS = {"small": f"N(0, {INIT_TRAINING.small_std:g}²)", "xavier": "Xavier", "he": "He"}
ACTIVATION_LABELS = {"sigmoid": "시그모이드", "relu": "ReLU"}


def training_runs() -> dict[tuple[str, str], InitRun]:
    """The six runs of ``INIT_TRAINING`` (cached in gdcore.book), trained with one BLAS thread."""
    with threadpool_limits(1):  # tiny matrices: one BLAS thread is several times faster
        return init_training_runs()


def _loss(activation: str, init: str) -> np.ndarray:
    """Training loss after every epoch (entry 0: before training) of one run."""
    return training_runs()[activation, init].history.epoch_loss


def _mlp_text() -> str:
    return "-".join(str(n) for n in INIT_TRAINING.sizes)


_E = INIT_TRAINING.epochs


@figure(
    "init-training-curves",
    alt=(
        f"손글씨 숫자 데이터에서 {INIT_TRAINING.dense_layers}층 MLP를 세 가지 초기화로 {_E} 에폭 학습한 훈련 손실 곡선 두 칸"
        f"(로그 눈금). 위 칸은 시그모이드, 아래 칸은 ReLU 신경망이다. "
        f"두 칸 모두에서 {INIT_LABELS['small']}은 {_E} 에폭 내내 ln 10 ≈ {LN10:.2f}에 붙어 있다. "
        f"ReLU에서는 Xavier와 He 모두 {EARLY} 에폭 만에 손실이 ln 10의 절반 아래로 내려가고 둘 다 {LOW:g} 아래로 끝난다. "
        f"처음 {EARLY} 에폭 동안은 He가 Xavier보다 낮고, 마지막에는 둘이 거의 같다. "
        "시그모이드에서는 Xavier도 첫 에폭 뒤로 줄곧 ln 10 근처에 머물고, He만 학습이 절반을 넘긴 뒤에야 ln 10 아래로 "
        "뚜렷이 내려간다."
    ),
    caption=(
        f"`gdcore.book.init_training`의 실험: {_mlp_text()} MLP(편향은 0에서 시작), "
        f"`SGD(lr={INIT_TRAINING.lr:g}, momentum={INIT_TRAINING.momentum:g})`, 배치 {INIT_TRAINING.batch_size}, "
        f"시드 {INIT_TRAINING.seed} 하나. 여섯 실행은 데이터 분할과 미니배치 순서가 같고 초기화와 활성화 함수만 다릅니다. "
        "손실은 에폭마다 잰 **전체 훈련 세트**의 교차 엔트로피(로그 눈금)이고, 점선은 열 클래스에 같은 확률을 주는 모델의 손실 "
        f"$\\ln 10$입니다. 위 칸의 세로축은 {SIGMOID_YLIM[0]}에서 {SIGMOID_YLIM[1]}까지만 보여 줍니다."
    ),
)
def init_training_curves(theme: Theme):
    colours = {"small": theme.red, "xavier": theme.blue, "he": theme.orange}
    styles = {"small": "-", "xavier": "-", "he": "--"}
    widths = {"small": 3.0, "xavier": 1.8, "he": 1.8}  # drawn first and wider, the small start shows under Xavier
    legend = {"small": f"$\\mathcal{{N}}(0,\\ {INIT_TRAINING.small_std:g}^2)$", "xavier": "Xavier", "he": "He"}
    epochs = np.arange(_E + 1)
    fig, axes = plt.subplots(2, 1, figsize=(4.8, 5.4), sharex=True, constrained_layout=True,
                             gridspec_kw={"height_ratios": [1, 1.6]})
    for ax, activation in zip(axes, ACTIVATIONS_COMPARED, strict=True):
        ax.axhline(LN10, color=theme.fg, linestyle=":", linewidth=1.2, zorder=3)  # on top: the small start runs on it
        for init in INITIALIZERS:
            ax.semilogy(epochs, _loss(activation, init), styles[init], color=colours[init], linewidth=widths[init],
                        label=legend[init])
        ax.set_title(ACTIVATION_LABELS[activation])
        ax.set_ylabel("훈련 손실")
        ax.grid(True)
    top, bottom = axes
    top.set_ylim(*SIGMOID_YLIM)
    top.yaxis.set_major_locator(FixedLocator([1, 1.5, 2, 3]))
    top.yaxis.set_major_formatter(FormatStrFormatter("%g"))
    top.yaxis.set_minor_locator(NullLocator())
    top.text(0.5 * _E, LN10 * 1.03, "ln 10", ha="center", va="bottom", color=theme.fg, fontsize=11)
    bottom.set_ylim(3e-4, 6)
    bottom.yaxis.set_minor_locator(NullLocator())  # decades only: the curves span four of them
    bottom.text(_E - 0.3, LN10 * 1.15, "ln 10", ha="right", va="bottom", color=theme.fg, fontsize=11)
    bottom.set_xlim(0, _E)
    bottom.set_xlabel("에폭")
    top.legend(loc="lower left", framealpha=0.9, ncols=3)
    return fig


@claim("init-training-curves", f"두 칸 모두에서 {INIT_LABELS['small']}은 {_E} 에폭 내내 ln 10 ≈ {LN10:.2f}에 붙어 있다")
def _small_start_stays_at_ln10():
    for activation in ACTIVATIONS_COMPARED:
        gap = np.abs(_loss(activation, "small") - LN10)
        assert gap.max() < 0.01, (activation, gap.max())


@claim("init-training-curves",
       f"ReLU에서는 Xavier와 He 모두 {EARLY} 에폭 만에 손실이 ln 10의 절반 아래로 내려가고 둘 다 {LOW:g} 아래로 끝난다")
def _relu_xavier_and_he_learn():
    for init in ("xavier", "he"):
        loss = _loss("relu", init)
        assert loss[EARLY] < 0.5 * LN10 and loss[-1] < LOW, (init, loss[EARLY], loss[-1])


@claim("init-training-curves", f"처음 {EARLY} 에폭 동안은 He가 Xavier보다 낮고, 마지막에는 둘이 거의 같다")
def _relu_he_ahead_early():
    he, xavier = _loss("relu", "he"), _loss("relu", "xavier")
    assert np.all(he[1:EARLY + 1] < xavier[1:EARLY + 1]), (he[:EARLY + 1], xavier[:EARLY + 1])
    assert abs(math.log(he[-1] / xavier[-1])) < math.log(1.5), (he[-1], xavier[-1])  # within 1.5x, on a log axis


@claim("init-training-curves", "시그모이드에서는 Xavier도 첫 에폭 뒤로 줄곧 ln 10 근처에 머물고")
def _sigmoid_xavier_stays_near_ln10():
    gap = np.abs(_loss("sigmoid", "xavier")[1:] / LN10 - 1)
    assert gap.max() < 0.05, gap.max()  # within 5 %


@claim("init-training-curves", "He만 학습이 절반을 넘긴 뒤에야 ln 10 아래로 뚜렷이 내려간다")
def _sigmoid_only_he_escapes_late():
    he = _loss("sigmoid", "he")
    assert np.all(he[: _E // 2 + 1] > 0.95 * LN10), he[: _E // 2 + 1]  # still near ln 10 at half time
    assert he[-1] < 0.7 * LN10, he[-1]
    for init in ("small", "xavier"):  # the only one: the others never go 5 % below ln 10
        assert _loss("sigmoid", init).min() > 0.95 * LN10, init


@table("init-training-results")
def init_training_results() -> str:
    """Training loss before training, after ``EARLY`` epochs and at the end, and the final validation error."""
    lines = [
        f"| 활성화 | 초기화 | 학습 전 손실 | {EARLY} 에폭 뒤 | {_E} 에폭 뒤 | 검증 오류율 |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    runs = training_runs()
    for activation in ACTIVATIONS_COMPARED:
        for init in INITIALIZERS:
            run = runs[activation, init]
            loss = run.history.epoch_loss
            cells = " | ".join(f"{x:.3f}" if x >= 1 else f"{x:.3g}" for x in (loss[0], loss[EARLY], loss[-1]))
            lines.append(f"| {ACTIVATION_LABELS[activation]} | {INIT_LABELS[init]} | {cells} | {100 * run.val_error:.1f}% |")
    return "\n".join(lines)


# --- exercises ---------------------------------------------------------------------------------


@answer("init-he-std-linear", tol=5e-5)
def _he_std_of_linear_512_256() -> float:
    """Exercise 4.1: the std of kaiming_normal_(nonlinearity="relu") on nn.Linear(512, 256): fan_in = 512."""
    from gdcore.init import init_std

    return init_std("he", 512, 256)


@answer("init-relu-shrink", tol=5e-4)
def _relu_shrink_factor() -> float:
    """Exercise 4.3: the expected factor of std(z) per ReLU layer of width 256 with W ~ N(0, 0.05²),
    √(½·N_in·s²) = s / (He's std)."""
    from gdcore.init import init_std

    return 0.05 / init_std("he", 256, 256)
