"""The optimizer explorer: sliders over a grid of gdcore runs, computed at build time.

A page places a widget with a marker line of its own::

    <!-- explorer momentum -->

where the name is one of :data:`PRESETS` (``gradient-descent``, ``momentum``, ``comparison``).
The hook (``sitegen/markers.py``) replaces the marker with :func:`widget_html`: the objective's
contours (matplotlib, a light and a dark variant, drawn with the figures' ``Theme`` colours), an
inline SVG with the preset's default path, the loss after ``steps`` steps, and the controls
(hidden until ``docs/assets/js/explorer.js`` has loaded the data, so without JavaScript the page
shows the default path as a static figure).

Every number the widget shows comes from :func:`gdcore.run.minimize` (``on_divergence="stop"``):
for each dataset, every optimizer x learning rate x momentum x start point of the grid below is run
once at build time and shipped as one binary file (:func:`encode`); the JavaScript only draws it.
There is no second implementation of an optimizer or an objective anywhere.

Data file layout (little-endian), read by ``explorer.js`` and by :func:`decode`::

    uint32 L | L bytes of JSON header, space-padded so that 4 + L is a multiple of 8
    | float64 loss[R] | float32 curve[sum(count)] | int16 points[sum(count), 2]

``curve`` holds f at every stored point of every run (gdcore's values, rounded to float32: the
widget's loss-per-step plot and the value shown at each step of the playback).

The header holds, per run r (index order optimizer, start, lr, momentum), ``count[r]`` (points
stored), ``diverged[r]`` (the step at which the run diverged, 0 if it did not) and ``text[r]``
(the loss as shown, formatted here).  Coordinates are quantised as ``q = round((x - centre) * Q)``
with ``Q = 4096 / (half of the window's larger side)``: the window spans ±4096 on its long axis,
so the error is at most half of 1/Q (0.0012 on a window 20 wide) and int16 reaches 8 windows
out.  A run whose next point lies farther out (it blew up) ends at the point where its segment
leaves that box, so the line heads off in the right direction and nothing huge reaches the SVG.
"""

from __future__ import annotations

import functools
import html
import io
import json
import re
import struct
import time
import warnings
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gdcore import functions
from gdcore.optim import SGD, Adagrad, Adam, RMSprop
from gdcore.run import minimize
from gdcore.theory import curvatures, lr_limit
from sitegen.util import WorkerPool, atomic_write, fingerprint, from_page, process_pool, worker_count

ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = ROOT / ".cache" / "explorer"
MARKER = re.compile(r"^<!-- explorer (?P<name>[\w-]+) -->[ \t]*$", re.MULTILINE)
Q_HALF = 4096  # quantisation units in half of the window's longer side
Q_MAX = 32767


#: learning rates per decade on the sliders: every optimizer's stops are taken from one ladder,
#: 10^(k/4) to two significant digits (..., 0.1, 0.18, 0.32, 0.56, 1, 1.8, ...), so a learning rate
#: that two optimizers both offer is kept exactly when the reader switches between them
LADDER = 4


def _lr_grid(lo: float, hi: float) -> tuple[float, ...]:
    """The ladder's learning rates from lo to hi (both on the ladder), rounded to two significant digits."""
    k0, k1 = round(LADDER * np.log10(lo)), round(LADDER * np.log10(hi))
    grid = tuple(float(f"{10 ** (k / LADDER):.2g}") for k in range(k0, k1 + 1))
    assert grid[0] == lo and grid[-1] == hi, f"{lo} and {hi} must be on the ladder: {grid}"
    return grid


# --- optimizers: how the two sliders map to gdcore.optim ------------------------------------


@dataclass(frozen=True)
class OptimizerChoice:
    id: str
    label: str
    momentum_label: str  # what the second slider means for this optimizer
    short: str  # its symbol in the one-line summary of the setting
    has_momentum: bool = True  # False: the second slider does nothing (AdaGrad), and is disabled

    def limit(self, lam_max: float, momentum: float) -> float | None:
        """The largest stable learning rate on a quadratic (gdcore.theory), ``None`` for the
        adaptive methods, whose step is not η times the gradient."""
        if self.id in ("sgd", "nesterov"):
            return lr_limit(lam_max, momentum, nesterov=self.id == "nesterov" and momentum > 0)
        return None

    def factory(self, lr: float, momentum: float) -> Callable[[np.ndarray], object]:
        """The optimizer for ``minimize``; everything else keeps gdcore's (= torch's) defaults."""
        if self.id == "sgd":
            return functools.partial(SGD, lr=lr, momentum=momentum)
        if self.id == "nesterov":
            # torch and gdcore refuse nesterov=True with momentum 0; it would be plain SGD anyway
            return functools.partial(SGD, lr=lr, momentum=momentum, nesterov=momentum > 0)
        if self.id == "adagrad":
            return functools.partial(Adagrad, lr=lr)
        if self.id == "rmsprop":
            return functools.partial(RMSprop, lr=lr, momentum=momentum)
        if self.id == "adam":
            return functools.partial(Adam, lr=lr, betas=(momentum, 0.999))
        raise ValueError(f"unknown optimizer {self.id!r}")


OPTIMIZERS = {
    o.id: o
    for o in (
        OptimizerChoice("sgd", "SGD", "모멘텀 μ (SGD의 momentum)", "μ"),
        OptimizerChoice("nesterov", "SGD + 네스테로프", "모멘텀 μ (네스테로프)", "μ"),
        OptimizerChoice("adagrad", "AdaGrad", "AdaGrad에는 모멘텀이 없습니다", "", has_momentum=False),
        OptimizerChoice("rmsprop", "RMSprop", "모멘텀 (RMSprop의 momentum)", "momentum"),
        OptimizerChoice("adam", "Adam", "β1 (Adam의 1차 모멘트 감쇠율)", "β1"),
    )
}

HELP = (
    "학습률 슬라이더는 로그 눈금입니다(한 칸마다 약 1.8배). 슬라이더 아래의 ▲는 이 함수에서 그 설정이 수렴하는 학습률의 "
    "상한(안정 한계)입니다. SGD는 2(1+μ)/λ<sub>max</sub>, 네스테로프는 2(1+μ)/((1+2μ)λ<sub>max</sub>)이고, "
    "λ<sub>max</sub>는 가장 가파른 방향의 곡률(헤세 행렬의 가장 큰 고윳값)입니다. 적응형 방법(RMSprop, Adam)은 "
    "기울기의 크기로 걸음을 나누므로 이런 한계 표시가 없습니다. "
    "둘째 슬라이더는 옵티마이저마다 뜻이 다릅니다: SGD와 네스테로프에서는 모멘텀 μ(<code>SGD(momentum=μ)</code>), "
    "RMSprop에서는 <code>RMSprop(momentum=μ)</code>(α = 0.99), Adam에서는 β1(<code>Adam(betas=(β1, 0.999))</code>)입니다. "
    "네스테로프는 μ = 0이면 보통 SGD와 같습니다. AdaGrad에는 둘째 슬라이더가 없습니다. "
    "나머지 값은 모두 PyTorch와 같은 기본값입니다. AdamW는 Adam에 분리된 가중치 감쇠를 더한 방법이라(8장) "
    "이 도구에서는 뺐습니다. "
    "그림의 빈 원(시작점)을 눌러도 시작점이 바뀝니다. ‘재생’은 경로를 한 걸음씩 그리고, 아래의 작은 그래프는 "
    "걸음마다의 손실(로그 눈금)입니다. "
    "경로와 손실은 빌드할 때 <code>gdcore.run.minimize</code>가 격자의 모든 조합을 계산해 둔 값이고, "
    "이 페이지의 JavaScript는 그것을 그리기만 합니다. 값이 너무 커지면 그 걸음에서 멈추고 “발산”으로 표시합니다."
)


# --- datasets and presets: the only place the grids are written ------------------------------


@dataclass(frozen=True)
class Dataset:
    """One objective with its start points and the full hyperparameter grid (one data file)."""

    key: str
    objective: functions.Objective
    starts: tuple[tuple[float, float], ...]
    lrs: dict[str, tuple[float, ...]]  # optimizer id -> learning rates (the log slider's stops)
    momenta: tuple[float, ...]
    steps: int
    view: functions.Window | None = None  # the drawn window (default: the objective's)

    @property
    def optimizers(self) -> list[OptimizerChoice]:
        return [OPTIMIZERS[o] for o in self.lrs]

    @property
    def shape(self) -> tuple[int, int, int, int]:
        lens = {len(v) for v in self.lrs.values()}
        assert len(lens) == 1, f"{self.key}: every optimizer needs the same number of learning rates"
        return (len(self.lrs), len(self.starts), lens.pop(), len(self.momenta))

    def index(self, opt: int, start: int, lr: int, momentum: int) -> int:
        _, S, L, M = self.shape
        return ((opt * S + start) * L + lr) * M + momentum

    def settings(self):
        """Every (run index, optimizer, start, lr, momentum), in the data file's order."""
        for o, choice in enumerate(self.optimizers):
            for s, start in enumerate(self.starts):
                for li, lr in enumerate(self.lrs[choice.id]):
                    for m, mu in enumerate(self.momenta):
                        yield self.index(o, s, li, m), choice, start, lr, mu

    @property
    def window(self) -> functions.Window:
        return self.view or self.objective.window

    @property
    def centre(self) -> tuple[float, float]:
        (x0, x1), (y0, y1) = self.window
        return ((x0 + x1) / 2, (y0 + y1) / 2)

    @property
    def q_per_unit(self) -> float:
        (x0, x1), (y0, y1) = self.window
        return Q_HALF / (max(x1 - x0, y1 - y0) / 2)

    @property
    def lam_max(self) -> float:
        """The largest curvature of the objective at its minimum (gdcore.theory.curvatures)."""
        return float(curvatures(self.objective)[-1])


MOMENTA = (0.0, 0.5, 0.8, 0.9, 0.99)
CLASSIC_STARTS = ((-7.0, 2.0), (-9.0, -4.0), (6.0, 4.5))

DATASETS = {
    d.key: d
    for d in (
        Dataset(  # ch. 3: plain gradient descent only (momentum is taught in ch. 6)
            key="elongated-classic-gd",
            objective=functions.elongated_classic,  # x0²/20 + x1²: curvatures 0.1 and 2
            starts=CLASSIC_STARTS,
            lrs={"sgd": _lr_grid(0.01, 1.8)},  # plain SGD diverges above lr = 1 (= 2 / curvature 2)
            momenta=(0.0,),
            steps=50,
        ),
        Dataset(  # the comparison page: every method of the comparison (AdaGrad's runs repeat per μ)
            key="elongated-classic",
            objective=functions.elongated_classic,
            starts=CLASSIC_STARTS,
            lrs={
                "sgd": _lr_grid(0.01, 1.8),
                "nesterov": _lr_grid(0.01, 1.8),
                "adagrad": _lr_grid(0.032, 5.6),
                "rmsprop": _lr_grid(0.0056, 1.0),
                "adam": _lr_grid(0.018, 3.2),
            },
            momenta=(0.0, 0.5, 0.9, 0.99),
            steps=50,
        ),
        Dataset(  # ch. 6: momentum and Nesterov
            key="elongated",
            objective=functions.elongated,  # 0.1 x0² + 2 x1²: curvatures 0.2 and 4, as in ch. 6
            starts=((-5.0, -2.0), (-4.0, 2.5), (4.5, 1.0)),
            lrs={
                "sgd": _lr_grid(0.0056, 1.0),  # plain SGD diverges above lr = 0.5
                "nesterov": _lr_grid(0.0056, 1.0),
            },
            momenta=MOMENTA,
            steps=50,
            view=((-6.0, 6.0), (-3.0, 3.0)),  # the objective's window, wide enough for x0 = -5
        ),
    )
}


@dataclass(frozen=True)
class Preset:
    """What a marker shows: a dataset and the setting the widget starts with."""

    name: str
    dataset: str
    optimizer: str
    lr: float
    momentum: float
    start: tuple[float, float]


PRESETS = {
    p.name: p
    for p in (
        Preset("gradient-descent", "elongated-classic-gd", "sgd", lr=0.32, momentum=0.0, start=(-7.0, 2.0)),
        Preset("momentum", "elongated", "sgd", lr=0.056, momentum=0.9, start=(-5.0, -2.0)),
        Preset("comparison", "elongated-classic", "adam", lr=0.32, momentum=0.9, start=(-7.0, 2.0)),
    )
}


def preset_indices(preset: Preset) -> tuple[int, int, int, int]:
    """(optimizer, start, lr, momentum) indices of a preset's default setting (exact grid values)."""
    d = DATASETS[preset.dataset]
    return (
        list(d.lrs).index(preset.optimizer),
        d.starts.index(preset.start),
        d.lrs[preset.optimizer].index(preset.lr),
        d.momenta.index(preset.momentum),
    )


for _preset in PRESETS.values():  # a default must be a point of its grid: fail at import, not in a build
    preset_indices(_preset)


# --- computing and encoding -------------------------------------------------------------------


def format_loss(value: float) -> str:
    return f"{value:.4g}"


def status_text(steps: int, loss: float, diverged: int, left: int = 0) -> str:
    """What the widget's live output says about one run (the loss comes from gdcore).

    ``diverged``: the step at which ``minimize`` stopped the run (values beyond
    ``gdcore.run.LIMIT``); ``left``: the step at which the path left the drawable box, eight
    windows wide (it is then growing geometrically; LIMIT is hundreds of steps away).
    """
    if diverged:
        return f"발산: {diverged}번째 걸음에서 값이 너무 커져 멈춤 (마지막 유한한 f = {format_loss(loss)})"
    if left:
        return f"발산: {left}번째 걸음에 그림 창의 8배 밖으로 나감 ({steps}걸음 뒤 f = {format_loss(loss)})"
    return f"{steps}걸음 뒤 손실 f = {format_loss(loss)}"


def run(dataset: Dataset, choice: OptimizerChoice, start, lr: float, momentum: float):
    """One run of the grid, exactly as a reader would compute it with gdcore."""
    return minimize(dataset.objective, list(start), choice.factory(lr, momentum), dataset.steps,
                    on_divergence="stop")


def quantise(dataset: Dataset, points: np.ndarray) -> np.ndarray:
    """int16 coordinates of a path; a path leaving the int16 box ends where it crosses the box
    (so the path has fewer points than the trajectory exactly when it left the box)."""
    c = np.array(dataset.centre)
    q = (np.asarray(points, dtype=np.float64) - c) * dataset.q_per_unit
    inside = np.all(np.abs(q) <= Q_MAX, axis=1)
    if not inside.all():
        k = int(np.argmin(inside))  # first point outside (k >= 1: starts are in the window)
        a, b = q[k - 1], q[k]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.nanmin(np.where(np.abs(b) > Q_MAX, (np.sign(b) * Q_MAX - a) / (b - a), np.inf))
        q = np.vstack([q[:k], a + t * (b - a)])
    return np.clip(np.rint(q), -Q_MAX, Q_MAX).astype("<i2")


def _run_chunk(key: str, chunk: list[int]) -> list[tuple[int, np.ndarray, float, int, int, np.ndarray]]:
    dataset = DATASETS[key]
    settings = {i: rest for i, *rest in dataset.settings()}
    out = []
    for i in chunk:
        traj = run(dataset, *settings[i])
        diverged = len(traj.points) if traj.diverged else 0  # the step that blew up
        q = quantise(dataset, traj.points)
        left = len(q) - 1 if len(q) < len(traj.points) or np.abs(q[-1]).max() == Q_MAX else 0
        out.append((i, q, float(traj.values[-1]), diverged, left, traj.values[: len(q)]))
    return out


def distinct_runs(dataset: Dataset) -> dict[int, int]:
    """``{run index: the index whose run it repeats}``: an optimizer without momentum (AdaGrad)
    gives the same run for every momentum of the grid, computed once (the first momentum's)."""
    same = {}
    for i, choice, *_ in dataset.settings():
        same[i] = i if choice.has_momentum else i - i % len(dataset.momenta)
    return same


def submit(dataset: Dataset, pool: WorkerPool, parts: int = 4) -> list[Future]:
    """Share a dataset's distinct runs out among ``pool``'s workers, in ``parts`` chunks; for :func:`compute`."""
    indices = sorted(set(distinct_runs(dataset).values()))
    return [pool.submit(_run_chunk, dataset.key, indices[w::parts]) for w in range(parts)]


def compute(dataset: Dataset, futures: list[Future] | None = None) -> bytes:
    """Run the whole grid with gdcore.run.minimize and return the data file's bytes.

    ``futures``: the runs already handed to a process pool by :func:`submit` (each run is the
    same call there); without them every run is computed here.
    """
    n = int(np.prod(dataset.shape))
    indices = list(range(n))
    same = distinct_runs(dataset)
    if futures is not None:
        computed = [r for future in futures for r in future.result()]
    else:
        computed = _run_chunk(dataset.key, sorted(set(same.values())))
    by_index = {r[0]: r for r in computed}
    results = [(i, *by_index[same[i]][1:]) for i in indices]
    header = {
        "key": dataset.key,
        "steps": dataset.steps,
        "shape": list(dataset.shape),
        "centre": list(dataset.centre),
        "q_per_unit": dataset.q_per_unit,
        "count": [len(r[1]) for r in results],
        "diverged": [r[3] for r in results],
        "left": [r[4] for r in results],
        "text": [status_text(dataset.steps, r[2], r[3], r[4]) for r in results],
    }
    return encode(header, np.array([r[2] for r in results]), [r[1] for r in results], [r[5] for r in results])


def encode(header: dict, losses: np.ndarray, paths: list[np.ndarray], curves: list[np.ndarray]) -> bytes:
    assert [len(c) for c in curves] == [len(p) for p in paths] == header["count"]
    text = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
    text += b" " * (-(4 + len(text)) % 8)
    with np.errstate(over="ignore"):  # a value beyond float32 (a run on its way out) is stored as inf
        curve = np.concatenate(curves).astype("<f4")
    return (struct.pack("<I", len(text)) + text + np.asarray(losses, "<f8").tobytes() + curve.tobytes()
            + b"".join(np.asarray(p, "<i2").tobytes() for p in paths))


def decode(data: bytes) -> tuple[dict, np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """(header, losses, int16 paths, float32 curves) of a data file; the same reading as explorer.js."""
    (length,) = struct.unpack_from("<I", data)
    header = json.loads(data[4 : 4 + length])
    runs = len(header["count"])
    points = int(np.sum(header["count"]))
    losses = np.frombuffer(data, "<f8", runs, 4 + length)
    curve = np.frombuffer(data, "<f4", points, 4 + length + 8 * runs)
    flat = np.frombuffer(data, "<i2", offset=4 + length + 8 * runs + 4 * points).reshape(-1, 2)
    ends = np.cumsum(header["count"])
    assert ends[-1] == len(flat), "data file: point count does not match the header"
    return header, losses, np.split(flat, ends[:-1]), np.split(curve, ends[:-1])


def dequantise(dataset: Dataset, q: np.ndarray) -> np.ndarray:
    return np.asarray(q, dtype=np.float64) / dataset.q_per_unit + np.array(dataset.centre)


# --- backgrounds: the objective's contours, light and dark --------------------------------------

#: the background's size in inches and its margins (room for the ticks and axis names), chosen so
#: that the tick labels are about 11 px tall on a 390-px phone and the plot keeps its aspect ratio
FIG_WIDTH = 4.6
MARGIN = {"left": 0.46, "right": 0.14, "top": 0.1, "bottom": 0.44}


def plot_box(dataset: Dataset) -> tuple[float, float, dict[str, float]]:
    """(figure width, figure height) in inches and the plot area in fractions of the figure
    (``left``, ``top``, ``width``, ``height``, from the top-left corner): where the path's SVG lies."""
    (x0, x1), (y0, y1) = dataset.window
    inner_w = FIG_WIDTH - MARGIN["left"] - MARGIN["right"]
    inner_h = inner_w * (y1 - y0) / (x1 - x0)
    height = inner_h + MARGIN["top"] + MARGIN["bottom"]
    return FIG_WIDTH, height, {"left": MARGIN["left"] / FIG_WIDTH, "top": MARGIN["top"] / height,
                               "width": inner_w / FIG_WIDTH, "height": inner_h / height}


def draw_background(dataset: Dataset, theme) -> bytes:
    """SVG of the objective's level curves with ticked axes (the path is drawn on top, in HTML)."""
    from sitegen import figures

    plt = figures.pyplot()
    from matplotlib.ticker import FuncFormatter

    (x0, x1), (y0, y1) = dataset.window
    width, height, box = plot_box(dataset)
    with plt.rc_context({**theme.rc(), "savefig.bbox": "standard", "font.size": 10}), warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*Glyph .* missing from")
        fig = plt.figure(figsize=(width, height))
        try:
            ax = fig.add_axes((box["left"], 1 - box["top"] - box["height"], box["width"], box["height"]))
            X, Y, Z = dataset.objective.grid(161, dataset.window)
            levels = np.geomspace(max(float(Z.min()), 1e-3) + 0.02, float(Z.max()), 14)
            ax.contour(X, Y, Z, levels=levels, cmap=theme.cmap, linewidths=1.0)
            ax.axhline(0, color=theme.muted, linewidth=0.6, linestyle=(0, (2, 3)))
            ax.axvline(0, color=theme.muted, linewidth=0.6, linestyle=(0, (2, 3)))
            if dataset.objective.minimum is not None:
                ax.plot(*dataset.objective.minimum, marker="*", markersize=13, color=theme.fg,
                        markeredgecolor="none")
            ax.set_xlim(x0, x1)
            ax.set_ylim(y0, y1)
            ax.set_xlabel("$x_0$", labelpad=1)
            ax.set_ylabel("$x_1$", labelpad=1, rotation=0)
            ax.tick_params(length=3, pad=2)
            plain = FuncFormatter(lambda v, _: f"{v:g}".replace("-", "\u2212"))  # −10, not −10.0
            ax.xaxis.set_major_formatter(plain)
            ax.yaxis.set_major_formatter(plain)
            buf = io.BytesIO()
            fig.savefig(buf, format="svg", metadata={"Date": None})
        finally:
            plt.close(fig)
    assert figures.FONT_FAMILY  # the figures module set up the rc (fonts) this drawing uses
    return buf.getvalue()


# --- build: cached generated files ----------------------------------------------------------------


def _fingerprint(key: str) -> str:
    """The figures' rule (the same machinery draws the backgrounds), with this file."""
    from sitegen import figures

    return fingerprint([*figures.MACHINERY_FILES, Path(__file__)], key)


_BUILT: dict[str, dict[str, str]] = {}  # dataset key -> file names of the last build()


def file_names(dataset: Dataset) -> dict[str, str]:
    """Output names of a dataset's files; as fixed by the last :func:`build` (the fingerprint
    hashes gdcore's files, which may change on disk while a build runs)."""
    if dataset.key in _BUILT:
        return _BUILT[dataset.key]
    fp = _fingerprint(dataset.key)[:10]
    # the backgrounds depend on the objective and the window only: datasets that share both
    # (chapter 3's and the comparison's) share the files, drawn once
    (x0, x1), (y0, y1) = dataset.window
    view = f"{dataset.objective.name}-{_fingerprint(f'{dataset.objective.name} {x0} {x1} {y0} {y1}')[:10]}"
    return {
        "data": f"{dataset.key}-{fp}.bin",
        "light": f"{view}-light.svg",
        "dark": f"{view}-dark.svg",
    }


def missing(presets: list[str] | None = None, cache_dir: Path = CACHE_DIR) -> bool:
    """True if a file that :func:`build` makes for these presets is not cached yet."""
    keys = {PRESETS[p].dataset for p in (PRESETS if presets is None else presets)}
    return any(not (cache_dir / name).exists() for key in keys for name in file_names(DATASETS[key]).values())


def build(presets: list[str] | None = None, cache_dir: Path = CACHE_DIR,
          log: Callable[[str], None] = print, workers: int | None = None,
          pool: WorkerPool | None = None) -> dict[str, Path]:
    """Compute the data and backgrounds the given presets need (default: all) unless cached.

    Returns ``{output name under assets/explorer/: cached path}``.  The runs go to ``pool`` if
    one is given (the site build shares its figure pool), else to a pool of ``workers``
    processes (default: up to 4 CPUs; 1 computes in this process); the backgrounds are drawn
    here meanwhile.
    """
    from sitegen import figures

    cache_dir.mkdir(parents=True, exist_ok=True)
    keys = sorted({PRESETS[p].dataset for p in (PRESETS if presets is None else presets)})
    out: dict[str, Path] = {}
    todo: list[tuple[Dataset, str, Path]] = []
    _BUILT.clear()
    for key in keys:
        _BUILT[key] = file_names(DATASETS[key])
        for kind, name in _BUILT[key].items():
            if name in out:  # a background another dataset shares
                continue
            out[name] = cache_dir / name
            if not out[name].exists():
                todo.append((DATASETS[key], kind, out[name]))
    if not todo:
        return out
    start = time.perf_counter()
    runs = sum(int(np.prod(d.shape)) for d, kind, _ in todo if kind == "data")
    own_pool = None
    if pool is None and runs and (workers or _default_workers()) > 1:
        pool = own_pool = process_pool(workers or _default_workers())
    try:
        futures = {path: submit(dataset, pool) for dataset, kind, path in todo if kind == "data" and pool}
        for dataset, kind, path in sorted(todo, key=lambda job: job[1] == "data"):  # backgrounds first
            if kind == "data":
                data = compute(dataset, futures.get(path))
            else:
                data = draw_background(dataset, figures.LIGHT if kind == "light" else figures.DARK)
            atomic_write(path, data)
    finally:
        if own_pool is not None:
            own_pool.shutdown()
    drawn = sum(kind != "data" for _, kind, _ in todo)
    where = f"{pool.workers} worker process(es)" if pool else "this process"
    log(f"explorer: {runs} runs of gdcore.run.minimize ({where}) and {drawn} backgrounds in "
        f"{time.perf_counter() - start:.1f} s")
    return out


def _default_workers() -> int:
    return min(4, worker_count())


def used_presets(texts) -> list[str]:
    """Names of the presets whose markers occur in the given Markdown texts (unknown names fail)."""
    used = set()
    for text in texts:
        for name in MARKER.findall(text):
            if name not in PRESETS:
                raise ValueError(f"unknown explorer preset {name!r}; known: {', '.join(PRESETS)}")
            used.add(name)
    return sorted(used)


# --- the widget's HTML ----------------------------------------------------------------------------


def _num(v: float) -> str:
    return f"{v:g}"


def _point(p) -> str:
    return f"({_num(p[0])}, {_num(p[1])})".replace("-", "−")


def _pct(v: float) -> str:
    return f"{100 * v:.3f}%"


def widget_html(name: str, page_url: str, uid: str, cache_dir: Path = CACHE_DIR) -> str:
    """The widget for a marker: static default path + hidden controls (explorer.js brings them).

    ``page_url`` is the page's URL relative to the site (``momentum/``): links in raw HTML are not
    rewritten by MkDocs, so they are made relative to where the page is served.
    """
    from sitegen import figures

    if name not in PRESETS:
        raise ValueError(f"{page_url}: unknown explorer preset {name!r}; known: {', '.join(PRESETS)}")
    preset = PRESETS[name]
    d = DATASETS[preset.dataset]
    names = file_names(d)
    base = from_page("assets/explorer", page_url)
    header, losses, paths, _ = decode((cache_dir / names["data"]).read_bytes())
    o, s, li, m = preset_indices(preset)
    r = d.index(o, s, li, m)
    (x0, x1), (y0, y1) = d.window
    q = d.q_per_unit
    vb = (round((x0 - d.centre[0]) * q), round(-(y1 - d.centre[1]) * q),
          round((x1 - x0) * q), round((y1 - y0) * q))
    points = " ".join(f"{a},{-b}" for a, b in paths[r].tolist())
    end = paths[r][-1].tolist()
    lam_max = d.lam_max
    config = {
        "data": f"{base}/{names['data']}",
        "key": d.key,
        "steps": d.steps,
        "shape": list(d.shape),
        "optimizers": [
            {"id": c.id, "label": c.label, "momentum": c.momentum_label, "short": c.short,
             "hasMomentum": c.has_momentum, "lrs": [_num(v) for v in d.lrs[c.id]],
             # the stability limit for each momentum of the grid (gdcore.theory.lr_limit), or null
             "limits": [c.limit(lam_max, mu) for mu in d.momenta]} for c in d.optimizers
        ],
        "momenta": [_num(v) for v in d.momenta],
        "starts": [[round((a - d.centre[0]) * q), round((b - d.centre[1]) * q)] for a, b in d.starts],
        "defaults": [o, s, li, m],
        "lamMax": lam_max,
    }
    fig_w, fig_h, box = plot_box(d)
    width, height = 600, round(600 * fig_h / fig_w)
    formula = d.objective.latex
    alt = (f"목적함수 {d.objective.name}의 등고선, 가로축 x₀ ∈ [{_num(x0)}, {_num(x1)}], "
           f"세로축 x₁ ∈ [{_num(y0)}, {_num(y1)}]; 별표는 최솟값").replace("-", "−")
    imgs = "".join(
        f'<img class="gdx__bg" src="{base}/{names[t.name]}#only-{t.name}" alt="{html.escape(alt)}" '
        f'width="{width}" height="{height}" loading="lazy" decoding="async">'
        for t in figures.THEMES
    )
    colours = (f"--gdx-path-light:{figures.LIGHT.orange};--gdx-path-dark:{figures.DARK.orange};"
               f"--gdx-bad-light:{figures.LIGHT.red};--gdx-bad-dark:{figures.DARK.red};"
               f"--gdx-start-light:{figures.LIGHT.blue};--gdx-start-dark:{figures.DARK.blue}")
    place = (f"left:{_pct(box['left'])};top:{_pct(box['top'])};"
             f"width:{_pct(box['width'])};height:{_pct(box['height'])}")
    opt_options = "".join(
        f'<option value="{i}"{" selected" if i == o else ""}>{html.escape(c.label)}</option>'
        for i, c in enumerate(d.optimizers)
    )
    hit = round(0.035 * vb[2])  # a touch target about 24 px wide on a phone
    starts_svg = "".join(
        f'<g class="gdx__start-target" data-start="{i}"><circle class="gdx__start-hit" cx="{a}" cy="{-b}" r="{hit}"/>'
        f'<circle class="gdx__start{" gdx__start--on" if i == s else ""}" cx="{a}" cy="{-b}" r="{round(0.012 * vb[2])}"/></g>'
        for i, (a, b) in enumerate(config["starts"])
    )
    radios = "".join(
        f'<label class="gdx__radio"><input type="radio" name="{uid}-start" value="{i}"'
        f'{" checked" if i == s else ""}> {_point(p)}</label>'
        for i, p in enumerate(d.starts)
    )
    lrs = d.lrs[preset.optimizer]
    one_optimizer = len(d.optimizers) == 1
    with_momentum = len(d.momenta) > 1
    setting = _setting_text(d, o, preset.lr, preset.momentum, s)
    diverged = "gdx__path--diverged" if header["diverged"][r] or header["left"][r] else ""
    # ch. 3 teaches one method: no choice to offer (the select stays, hidden, for the script)
    opt_row = (f'<div class="gdx__row"{" hidden" if one_optimizer else ""}><label for="{uid}-opt">옵티마이저</label>'
               f'<select id="{uid}-opt" class="gdx__opt">{opt_options}</select></div>')
    mu_row = (f'<div class="gdx__row"{"" if with_momentum else " hidden"}><label for="{uid}-mu"><span class="gdx__mu-label">'
              f'{html.escape(d.optimizers[o].momentum_label)}</span><span class="gdx__mu-value"> = {_num(preset.momentum)}</span></label>'
              f'<input type="range" id="{uid}-mu" class="gdx__mu" min="0" max="{len(d.momenta) - 1}" step="1" value="{m}" '
              f'aria-valuetext="{_num(preset.momentum)}"></div>')
    parts = [
        f'<div class="gdx" id="{uid}" data-gdx="{html.escape(json.dumps(config, ensure_ascii=False))}" style="{colours}">',
        '<div class="gdx__plot">',
        imgs,
        f'<svg class="gdx__svg" style="{place}" viewBox="{" ".join(map(str, vb))}" preserveAspectRatio="none" '
        'aria-hidden="true" focusable="false">',
        f'<g class="gdx__starts">{starts_svg}</g>',
        f'<polyline class="gdx__path {diverged}" points="{points}"/>',
        f'<circle class="gdx__end {diverged}" cx="{end[0]}" cy="{-end[1]}" r="{round(0.01 * vb[2])}"/>',
        "</svg></div>",
        '<svg class="gdx__curve" viewBox="0 0 600 130" role="img" aria-label="걸음마다의 손실 그래프" hidden></svg>',
        f'<p class="gdx__out" role="status" aria-live="polite"><span class="gdx__setting">'
        f'{html.escape(setting)}</span> <span class="gdx__loss" data-value="{float(losses[r])!r}" '
        f'data-diverged="{header["diverged"][r]}">{html.escape(header["text"][r])}</span>'
        '<span class="gdx__note"></span></p>',
        '<div class="gdx__controls" hidden>',
        '<div class="gdx__play" role="group" aria-label="재생">'
        '<button type="button" class="gdx__button gdx__toggle" aria-pressed="false">▶ 재생</button>'
        '<button type="button" class="gdx__button gdx__stepper">한 걸음 ▸</button>'
        f'<label class="gdx__k-label" for="{uid}-k">걸음 <span class="gdx__k-value">{d.steps}</span>/{d.steps}</label>'
        f'<input type="range" id="{uid}-k" class="gdx__k" min="0" max="{d.steps}" step="1" value="{d.steps}">'
        '<button type="button" class="gdx__button gdx__reset">처음 설정으로</button></div>',
        opt_row,
        f'<div class="gdx__row gdx__lr-row"><label for="{uid}-lr">학습률 η = <span class="gdx__lr-value">{_num(preset.lr)}</span></label>'
        f'<input type="range" id="{uid}-lr" class="gdx__lr" min="0" max="{len(lrs) - 1}" step="1" value="{li}" '
        f'aria-valuetext="{_num(preset.lr)}" aria-describedby="{uid}-limit">'
        '<div class="gdx__scale"><span class="gdx__ticks" aria-hidden="true"></span>'
        f'<span class="gdx__limit" id="{uid}-limit"></span></div></div>',
        mu_row,
        f'<fieldset class="gdx__row gdx__starts-field"><legend>시작점</legend>{radios}</fieldset>',
        f'<details class="gdx__help"><summary>이 도구에 대해</summary><p>{HELP}</p></details>',
        "</div></div>",
    ]
    taught = "" if not one_optimizer else " 모멘텀 같은 다른 방법은 뒤의 장에서 같은 도구로 다룹니다."
    caption = (f"${formula}$의 등고선(별표: 최솟값, 원: 시작점)과 그 위에서 옵티마이저가 {d.steps}걸음 간 경로. "
               f"경로와 손실은 빌드할 때 `gdcore.run.minimize`가 계산했습니다.{taught}")
    return "".join(parts) + f"\n\n{caption}\n{{: .gdx-caption }}\n"


def _setting_text(d: Dataset, o: int, lr: float, momentum: float, s: int) -> str:
    """The setting as the result line names it (explorer.js writes the same words)."""
    choice = d.optimizers[o]
    text = f"{choice.label}, η = {_num(lr)}"
    if len(d.momenta) > 1 and choice.has_momentum:
        text += f", {choice.short} = {_num(momentum)}"
    return text + f", 시작점 {_point(d.starts[s])}:"


def expand_markers(markdown: str, page_url: str) -> str:
    """Replace every explorer marker of a page by its widget (ids unique on the page).

    The widget's script comes with the first widget of a page, deferred, and only there: on a
    page without an explorer the script cost a long task of its own at start-up (Lighthouse's
    total blocking time on /weight-initialization/ 250 ms -> about 150 ms without it).
    """
    count = iter(range(1, 1000))
    script = from_page("assets/js/explorer.js", page_url)

    def one(mt: re.Match) -> str:
        k = next(count)
        html_text = widget_html(mt.group("name"), page_url, f"gdx-{mt.group('name')}-{k}")
        return html_text if k > 1 else f'<script src="{script}" defer></script>\n' + html_text

    return MARKER.sub(one, markdown)
