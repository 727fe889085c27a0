"""Figures of chapter 1, 편미분 (docs/partial-derivatives.md)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator

from gdcore.calculus import forward_diff, numerical_diff, partial, tangent_plane
from gdcore.functions import sphere
from sitegen.claims import claim, describes_only
from sitegen.figures import Theme, answer, figure


def _style_3d(ax, theme: Theme) -> None:
    """Transparent panes and theme-coloured grid, labels and ticks for a 3-D axes."""
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.set_pane_color((0, 0, 0, 0))
        axis.pane.set_edgecolor(theme.muted)
        axis._axinfo["grid"].update(color=theme.muted, linewidth=0.5)  # noqa: SLF001
        axis.line.set_color(theme.fg)
    ax.tick_params(colors=theme.fg, labelsize=11, pad=0)


@figure(
    "fig4-8",
    alt="함수 f(x0, x1) = x0² + x1²의 3차원 곡면. 원점에서 가장 낮고 "
        "원점에서 멀어질수록 모든 방향으로 똑같이 높아지는 그릇 모양이다.",
    caption=r"$f(x_0, x_1) = x_0^2 + x_1^2$의 그래프. 가로축 두 개가 입력 $x_0, x_1$, "
            r"높이가 출력 $f$입니다. 최솟값은 원점의 $f(0, 0) = 0$입니다.",
    fmt="webp",
)
def sphere_surface(theme: Theme) -> Figure:
    fig = plt.figure(figsize=(5.4, 4.6))
    ax = fig.add_subplot(projection="3d")
    X, Y, Z = sphere.grid(61)  # f on a 61 × 61 grid over [-5, 5]²
    ax.plot_surface(X, Y, Z, cmap=theme.cmap, rstride=2, cstride=2,
                    edgecolor=(0, 0, 0, 0.3), linewidth=0.2)
    ax.set_xlabel("$x_0$", labelpad=2)
    ax.set_ylabel("$x_1$", labelpad=2)
    ax.set_zlabel("$f(x_0, x_1)$", labelpad=4)
    ax.set_xticks([-4, -2, 0, 2, 4])
    ax.set_yticks([-4, -2, 0, 2, 4])
    ax.set_zticks([0, 10, 20, 30, 40, 50])
    ax.view_init(elev=28, azim=-60)
    ax.set_box_aspect(None, zoom=0.88)
    _style_3d(ax, theme)
    return fig


@figure(
    "fig2",
    alt="위는 곡면 f(x0, x1) = x0² + x1²을 평면 x1 = 4로 자른 모습이고, "
        "아래는 그 단면인 곡선 f(x0, 4) = x0² + 16과 x0 = 3에서 그은 접선이다. "
        "접선의 기울기는 점 (3, 4)에서의 편미분계수 ∂f/∂x0 = 6과 같다.",
    caption=r"위: 곡면을 평면 $x_1 = 4$(회색)로 자르면 주황색 곡선이 생깁니다. "
            r"아래: 그 곡선 $f(x_0, 4) = x_0^2 + 16$만 떼어 그린 것. 점 $(3, 4)$에서 그은 접선(빨간색)의 "
            r"기울기가 $\partial f/\partial x_0\,(3, 4)$입니다. 이 값은 `gdcore.calculus.partial`로 계산했습니다.",
    fmt="webp",
)
def slice_and_tangent(theme: Theme) -> Figure:
    x_fixed = 4.0  # the other coordinate, held constant
    point = np.array([3.0, x_fixed])  # where the partial derivative is taken
    slope = partial(sphere, point, 0)  # ∂f/∂x0 at (3, 4), central difference
    grad = sphere.grad(point)  # analytic gradient (6, 8): the tangent in the x0 direction uses grad[0]

    t = np.linspace(-5.0, 5.0, 201)  # x0 along the slice
    on_slice = np.stack([t, np.full_like(t, x_fixed)], axis=-1)
    curve = sphere(on_slice)  # f(x0, 4)
    near = np.linspace(0.6, 5.0, 50)  # part of the slice where the tangent line is drawn
    near_pts = np.stack([near, np.full_like(near, x_fixed)], axis=-1)
    tangent = tangent_plane(sphere(point), grad, point, near_pts)  # x1 stays 4, so only grad[0] counts
    z0 = float(sphere(point))

    fig = plt.figure(figsize=(5.4, 8.0))
    top = fig.add_axes((0.0, 0.45, 1.0, 0.57), projection="3d")
    top.computed_zorder = False  # draw in the order below: surface, plane, curve, tangent, point
    X, Y, Z = sphere.grid(41, window=((-5.0, 5.0), (-5.0, x_fixed)))  # the part with x1 <= 4
    top.plot_surface(X, Y, Z, cmap=theme.cmap, rstride=2, cstride=2, linewidth=0, alpha=0.6,
                     vmin=0, vmax=50)
    px, pz = np.meshgrid([-5.0, 5.0], [0.0, 50.0])  # the cutting plane x1 = 4
    top.plot_surface(px, np.full_like(px, x_fixed), pz, color=theme.muted, alpha=0.25, linewidth=0)
    top.plot(t, np.full_like(t, x_fixed), curve, color=theme.orange, linewidth=3)
    top.plot(near, np.full_like(near, x_fixed), tangent, color=theme.red, linewidth=2.5)
    top.scatter([point[0]], [point[1]], [z0], color=theme.red, s=45, depthshade=False)
    top.text(-5.0, x_fixed, 47, "$x_1 = 4$", color=theme.fg)
    top.set_xlabel("$x_0$", labelpad=0)
    top.set_ylabel("$x_1$", labelpad=0)
    top.set_zlabel("$f$", labelpad=0)
    top.set_xticks([-4, 0, 4])
    top.set_yticks([-4, 0, 4])
    top.set_zticks([0, 25, 50])
    top.set_xlim(-5, 5)
    top.set_ylim(-5, 5)
    top.set_zlim(0, 50)
    top.view_init(elev=22, azim=-72)
    top.set_box_aspect(None, zoom=0.95)
    _style_3d(top, theme)

    ax = fig.add_axes((0.14, 0.05, 0.82, 0.38))
    ax.plot(t, curve, color=theme.orange, linewidth=3, label="$f(x_0, 4) = x_0^2 + 16$")
    ax.plot(near, tangent, color=theme.red, linewidth=2, label=f"접선: 접선의 기울기 {slope:.0f}")
    ax.plot([point[0]], [z0], "o", color=theme.red, markersize=7)
    ax.annotate(f"$(x_0, f) = ({point[0]:.0f}, {z0:.0f})$", (point[0], z0), xytext=(-118, 12),
                textcoords="offset points", color=theme.fg)
    # slope triangle: one step of 1 in x0 raises the tangent by the slope
    ax.plot([3.0, 4.0, 4.0], [z0, z0, z0 + slope], color=theme.fg, linewidth=1.2, linestyle="--")
    ax.text(3.5, z0 - 1.0, "1", ha="center", va="top", color=theme.fg)
    ax.text(4.12, z0 + slope / 2, f"{slope:.0f}", ha="left", va="center", color=theme.fg)
    ax.set_xlabel("$x_0$  ($x_1 = 4$로 고정)")
    ax.set_ylabel("$f(x_0, 4)$")
    ax.set_xlim(-5, 5)
    ax.set_ylim(10, 45)
    ax.grid(True)
    ax.legend(loc="upper center")
    return fig


def difference_errors() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(h, |forward error|, |central error|) for f(x) = x³ at x = 1 (exact f'(1) = 3); NaN where 0."""
    def cube(x):
        return x * x * x

    hs = np.logspace(-13, -1, 121)
    forward = np.array([abs(forward_diff(cube, 1.0, h) - 3.0) for h in hs])
    central = np.array([abs(numerical_diff(cube, 1.0, h) - 3.0) for h in hs])
    forward[forward == 0] = np.nan  # an error of exactly 0 has no place on a log axis
    central[central == 0] = np.nan
    return hs, forward, central


@figure(
    "central-diff-error",
    alt="간격 h에 따른 수치 미분 오차를 로그-로그 축에 그린 그래프. "
        "h가 줄면 전진 차분 오차는 h에 비례해, 중앙 차분 오차는 h²에 비례해 줄다가, "
        "h가 너무 작아지면 둘 다 반올림 오차 때문에 들쭉날쭉 다시 커진다.",
    caption=r"$f(x) = x^3$의 $x = 1$에서의 도함수(참값 $3$)를 `forward_diff`(전진 차분)와 "
            r"`numerical_diff`(중앙 차분)로 근사했을 때의 절대 오차. 오른쪽(큰 $h$)에서는 절단 오차가 "
            r"$h$와 $h^2$에 비례하는 직선(로그-로그 축에서 직선의 기울기 1과 2)을 따르고, 왼쪽(작은 $h$)에서는 반올림 오차가 대략 $1/h$에 비례해 "
            r"들쭉날쭉 커집니다. 점선은 gdcore의 기본값 $h = 10^{-4}$입니다.",
)
def central_diff_error(theme: Theme) -> Figure:
    hs, forward, central = difference_errors()

    fig, ax = plt.subplots(figsize=(5.6, 4.4))
    ax.loglog(hs, forward, color=theme.orange, label="전진 차분, 오차 $O(h)$")
    ax.loglog(hs, central, color=theme.blue, label="중앙 차분, 오차 $O(h^2)$")
    ax.axvline(1e-4, color=theme.muted, linestyle=":", linewidth=1.5)
    ax.text(1.3e-4, 1e-15, "$h = 10^{-4}$", color=theme.fg, va="bottom")
    ax.text(2e-3, 1e-2, "$\\propto h$", color=theme.orange, ha="right", va="bottom")
    ax.text(4e-3, 1e-7, "$\\propto h^2$", color=theme.blue, ha="left", va="top")
    ax.text(3e-13, 3e-2, "반올림 오차", color=theme.fg, va="center")
    ax.set_xlabel("간격 $h$")
    ax.set_ylabel("절대 오차")
    ax.set_xlim(1e-13, 1e-1)
    ax.set_ylim(1e-16, 1)
    powers = FuncFormatter(lambda v, _: f"$10^{{{round(np.log10(v))}}}$")  # mathtext: an ASCII-safe minus
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(LogLocator(base=10, numticks=8))
        axis.set_major_formatter(powers)
        axis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
    ax.grid(True, which="major")
    ax.legend(loc="lower left")
    return fig


@claim("fig4-8", "원점에서 가장 낮고 원점에서 멀어질수록 모든 방향으로 똑같이 높아지는 그릇 모양이다")
def _bowl():
    X, Y, Z = sphere.grid(61)
    np.testing.assert_allclose(Z, X**2 + Y**2)  # a function of the distance from the origin only
    assert np.unravel_index(Z.argmin(), Z.shape) == (30, 30) and Z.min() == 0


describes_only("fig2", "the section and its tangent; the slope 6 is an equality that partial() computes")


def _slope(h, error, keep) -> float:
    ok = keep & np.isfinite(error)
    return float(np.polyfit(np.log(h[ok]), np.log(error[ok]), 1)[0])


@claim("central-diff-error", "h가 줄면 전진 차분 오차는 h에 비례해, 중앙 차분 오차는 h²에 비례해 줄다가")
def _truncation_orders():
    hs, forward, central = difference_errors()
    assert abs(_slope(hs, forward, hs >= 1e-3) - 1) < 0.05 and abs(_slope(hs, central, hs >= 1e-4) - 2) < 0.05


@claim("central-diff-error", "h가 너무 작아지면 둘 다 반올림 오차 때문에 들쭉날쭉 다시 커진다")
def _round_off_grows():
    hs, forward, central = difference_errors()
    for error in (forward, central):
        best = int(np.nanargmin(error))
        assert 1e-9 < hs[best] < 1e-4 and error[0] > 1e5 * error[best], (hs[best], error[0])
        assert -1.2 < _slope(hs, error, hs <= 1e-8) < -0.8


@claim("central-diff-error", "반올림 오차가 대략 $1/h$에 비례해")
def _round_off_one_over_h():
    hs, forward, central = difference_errors()
    assert all(-1.2 < _slope(hs, e, hs <= 1e-8) < -0.8 for e in (forward, central))



@claim("partial-derivatives.md", "절단 오차가 전진 차분의 $O(h)$보다 작은 $O(h^2)$입니다")
def _summary_central_is_second_order():
    _truncation_orders()
    hs, forward, central = difference_errors()
    big = hs >= 1e-4
    assert np.all(central[big] < forward[big]), "central differences are not more accurate at h >= 1e-4"


@claim("partial-derivatives.md", "$h$가 너무 작으면 반올림 오차가 $1/h$로 커지므로 $h$에는 최적 범위가 있습니다")
def _summary_round_off():
    _round_off_grows()


# --- exercises ---------------------------------------------------------------------------------


@answer("pd-tilted-partial-x1", tol=5e-4)
def _tilted_partial_x1() -> float:
    """Exercise 1.1: ∂f/∂x1 of ellipse_tilted at (1, −2), by a central difference."""
    from gdcore.calculus import partial
    from gdcore.functions import ellipse_tilted

    return partial(ellipse_tilted, [1.0, -2.0], 1)


@answer("pd-exp-central-error", tol=5e-5)
def _exp_central_error() -> float:
    """Exercise 1.2: the error of the central difference of exp at x = 0 with h = 0.1 (exact f'(0) = 1)."""
    import math

    from gdcore.calculus import numerical_diff

    return numerical_diff(math.exp, 0.0, 0.1) - 1.0


@answer("pd-exp-best-k", tol=0.5)
def _exp_best_k() -> float:
    """Exercise 1.3: the k of h = 10^−k (k = 1, ..., 12) with the smallest mean central-difference error
    of exp over the 101 points x = 0.950, 0.951, ..., 1.050."""
    import math

    import numpy as np

    from gdcore.calculus import numerical_diff

    xs = 1.0 + 0.001 * np.arange(-50, 51)
    mean_errors = [np.mean([abs(numerical_diff(math.exp, x, 10.0**-k) - math.exp(x)) for x in xs])
                   for k in range(1, 13)]
    return 1 + int(np.argmin(mean_errors))
