"""Figures of chapter 2, 기울기 (gradient): docs/gradient.md."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from gdcore.calculus import directional_derivative, steepest_path
from gdcore.functions import ellipse_tilted, sphere
from sitegen.claims import claim, describes_only
from sitegen.figures import Theme, answer, figure


def gradient_grid() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """fig4-9's arrows: the grid (GX, GY) and ∇f there, shape (9, 9, 2)."""
    ticks = np.arange(-4.0, 5.0, 1.0)
    GX, GY = np.meshgrid(ticks, ticks)
    return GX, GY, sphere.grad(np.stack([GX, GY], axis=-1))


@figure(
    "fig4-9",
    alt=(
        "f(x0, x1) = x0² + x1²의 등위선 위에 격자점마다 음의 기울기 -∇f를 화살표로 그린 그림. "
        "모든 화살표가 최소점인 원점을 향하고, 원점에서 멀수록 길다."
    ),
    caption=(
        r"$f(x_0, x_1) = x_0^2 + x_1^2$의 음의 기울기 $-\nabla f = (-2x_0, -2x_1)$. "
        r"화살표 길이는 정규화하지 않았습니다: 모든 화살표에 같은 축척을 써서, 길이가 $\lVert\nabla f\rVert$에 비례합니다"
        r"(오른쪽 위의 기준 화살표가 $\lVert\nabla f\rVert = 10$). 회색 곡선은 등위선입니다."
    ),
)
def negative_gradient_field(theme: Theme):
    fig, ax = plt.subplots(figsize=(4.6, 4.6))
    X, Y, Z = sphere.grid(121)  # circles: a finer grid draws the same curves
    ax.contour(X, Y, Z, levels=[1, 4, 9, 16, 25], colors=theme.muted, linewidths=0.8)

    GX, GY, G = gradient_grid()
    scale = 12.0  # one unit of the plot = a gradient of length 12: the same for every arrow
    arrows = ax.quiver(GX, GY, -G[..., 0], -G[..., 1], color=theme.blue,
                       angles="xy", scale_units="xy", scale=scale, width=0.006)
    ax.quiverkey(arrows, 1.0, 5.4, 10.0, r"기준: $\|\nabla f\| = 10$", labelpos="E",
                 coordinates="data", color=theme.blue, labelcolor=theme.fg)
    ax.plot(*sphere.minimum, marker="*", markersize=16, color=theme.red, linestyle="none")
    ax.annotate("최소점 (0, 0)", sphere.minimum, xytext=(0.35, -0.6), color=theme.red,
                bbox=dict(boxstyle="round,pad=0.15", facecolor=theme.surface, edgecolor="none", alpha=0.85))

    ax.set(xlim=(-5, 5), ylim=(-5, 6), xlabel="$x_0$", ylabel="$x_1$")
    ax.set_aspect("equal")
    return fig


@claim("fig4-9", "모든 화살표가 최소점인 원점을 향하고, 원점에서 멀수록 길다")
def _arrows_point_home_longer_farther():
    GX, GY, G = gradient_grid()
    position = np.stack([GX, GY], axis=-1)
    r = np.linalg.norm(position, axis=-1)
    away = r > 0
    to_origin = -position
    cos = np.sum(-G * to_origin, axis=-1)[away] / (np.linalg.norm(G, axis=-1)[away] * r[away])
    np.testing.assert_allclose(cos, 1.0)  # -∇f points at the origin
    np.testing.assert_allclose(np.linalg.norm(G, axis=-1), 2 * r)  # longer in proportion to r


@figure(
    "fig4",
    alt=(
        "점 (3, 4)에서 f(x0, x1) = x0² + x1²의 방향 미분 D_u f를 단위 벡터 u와 ∇f 사이의 각 θ에 대해 그린 그래프. "
        "θ = 0에서 최댓값 |∇f|, θ = π/2에서 0, θ = π에서 최솟값 -|∇f|인 코사인 곡선이다."
    ),
    caption=(
        r"$f = x_0^2 + x_1^2$, 점 $\mathbf{x} = (3, 4)$에서 단위 벡터 $\mathbf{u}$를 한 바퀴 돌리며 잰 방향 미분. "
        r"점은 `directional_derivative`(중앙 차분)로 잰 값, 곡선은 $\lVert\nabla f\rVert\cos\theta$입니다. "
        r"$\theta$는 $\mathbf{u}$와 $\nabla f(\mathbf{x})$ 사이의 각입니다."
    ),
)
def directional_derivative_vs_angle(theme: Theme):
    x = np.array(FIG4_POINT)
    g = sphere.grad(x)
    norm = float(np.linalg.norm(g))
    e = g / norm  # unit vector along ∇f
    e_perp = np.array([-e[1], e[0]])  # e turned by +90°

    def u(theta):  # the unit vector at angle theta from ∇f
        return np.cos(theta) * e + np.sin(theta) * e_perp

    thetas, measured = directional_derivatives()
    fine = np.linspace(-np.pi, np.pi, 400)

    fig, ax = plt.subplots(figsize=(5.0, 3.6))
    ax.axhline(0.0, color=theme.muted, linewidth=0.8)
    ax.plot(fine, norm * np.cos(fine), color=theme.blue, label=r"$\|\nabla f\|\cos\theta$")
    ax.plot(thetas, measured, "o", color=theme.orange, markersize=5, label="중앙 차분으로 잰 값")
    marks = ((0.0, r"$\nabla f$ 방향: $+\|\nabla f\|$ = ", (10, 6), "left", "bottom"),
             (np.pi / 2, "수직 방향: ", (10, 6), "left", "bottom"),
             (np.pi, r"반대 방향: $-\|\nabla f\|$ = ", (-12, -8), "right", "top"))
    for t, text, offset, ha, va in marks:
        value = round(directional_derivative(sphere, x, u(t)), 6) + 0.0  # + 0.0 turns -0.0 into 0.0
        ax.plot([t], [value], "o", markersize=10, markerfacecolor="none", markeredgecolor=theme.red,
                markeredgewidth=2)
        ax.annotate(f"{text}{value:.0f}", (t, value), xytext=offset, textcoords="offset points",
                    color=theme.red, ha=ha, va=va)

    ax.set_xticks(np.arange(-2, 3) * np.pi / 2, [r"$-\pi$", r"$-\pi/2$", "0", r"$\pi/2$", r"$\pi$"])
    ax.set(xlim=(-np.pi - 0.15, np.pi + 0.15), ylim=(-1.6 * norm, 2.1 * norm),
           xlabel=r"$\mathbf{u}$와 $\nabla f$ 사이의 각 $\theta$", ylabel=r"$D_{\mathbf{u}} f(\mathbf{x})$")
    ax.legend(loc="upper left")
    ax.grid(True)
    return fig


FIG4_POINT = (3.0, 4.0)


def directional_derivatives() -> tuple[np.ndarray, np.ndarray]:
    """fig4's measured points: angles θ from ∇f at FIG4_POINT and D_u f there (central differences)."""
    x = np.array(FIG4_POINT)
    g = sphere.grad(x)
    e = g / np.linalg.norm(g)
    e_perp = np.array([-e[1], e[0]])
    thetas = np.linspace(-np.pi, np.pi, 25)
    return thetas, np.array([directional_derivative(sphere, x, np.cos(t) * e + np.sin(t) * e_perp) for t in thetas])


@claim("fig4", "θ = 0에서 최댓값 |∇f|, θ = π/2에서 0, θ = π에서 최솟값 -|∇f|인 코사인 곡선이다")
def _cosine_of_the_angle():
    thetas, measured = directional_derivatives()
    norm = np.linalg.norm(sphere.grad(np.array(FIG4_POINT)))
    np.testing.assert_allclose(measured, norm * np.cos(thetas), atol=1e-8)
    assert thetas[measured.argmax()] == 0 and abs(thetas[measured.argmin()]) == np.pi


ELLIPSE_WINDOW = ((-2.4, 2.4), (-2.4, 2.4))  # fig5 and fig6 show the same region of ellipse_tilted


@figure(
    "fig5",
    alt=(
        "기울어진 타원 모양 등위선을 가진 f(x0, x1) = 1.5x0² + 2x0x1 + 1.5x1²에서, 두 등위선 위 여러 점의 "
        "기울기 방향 화살표와 그 점의 접선을 그린 그림. 화살표와 접선이 모든 점에서 직각을 이룬다."
    ),
    caption=(
        r"$f(x_0, x_1) = 1.5x_0^2 + 2x_0x_1 + 1.5x_1^2$의 등위선 $f = 0.5$와 $f = 2$(진한 곡선). "
        r"주황 화살표는 $\nabla f$의 방향(길이는 모두 같게 맞춤), 초록 선분은 등위선의 접선입니다. "
        r"접선은 기울기를 쓰지 않고 등위선 위의 이웃한 두 점으로 구했는데도, 두 방향은 모든 점에서 직각입니다."
    ),
)
def gradient_perpendicular_to_level_curves(theme: Theme):
    f = ellipse_tilted
    window = ELLIPSE_WINDOW
    X, Y, Z = f.grid(161, window=window)

    def on_level(c, phi):
        # f is quadratic, so f(s·d) = s²·f(d): the level-c point on the ray in direction d is d·sqrt(c / f(d))
        d = np.stack([np.cos(phi), np.sin(phi)], axis=-1)
        return d * np.sqrt(c / f(d))[..., None]

    fig, ax = plt.subplots(figsize=(4.6, 4.6))
    ax.contour(X, Y, Z, levels=[0.125, 1.0, 3.5, 5.0, 7.0], colors=theme.muted, linewidths=0.8)
    phis = np.linspace(0.0, 2 * np.pi, 400)
    arrow, half_tangent, corner = 0.5, 0.3, 0.09
    for c, n_points in ((0.5, 4), (2.0, 8)):
        curve = on_level(c, phis)
        ax.plot(curve[:, 0], curve[:, 1], color=theme.fg, linewidth=1.8)
        for phi in np.linspace(0.0, 2 * np.pi, n_points, endpoint=False) + 0.3:
            p = on_level(c, phi)
            t = on_level(c, phi + 1e-6) - on_level(c, phi - 1e-6)  # tangent from two neighbours on the curve
            t /= np.linalg.norm(t)
            g = f.grad(p)
            n = g / np.linalg.norm(g)  # direction of ∇f
            ax.plot(*np.transpose([p - half_tangent * t, p + half_tangent * t]), color=theme.green, linewidth=2.2)
            ax.annotate("", p + arrow * n, p, arrowprops=dict(arrowstyle="-|>", color=theme.orange,
                                                              linewidth=2.0, mutation_scale=14))
            # a small square in the corner between the tangent and the gradient: a right angle
            square = np.array([p + corner * t, p + corner * (t + n), p + corner * n])
            ax.plot(square[:, 0], square[:, 1], color=theme.fg, linewidth=1.0)
            ax.plot(*p, "o", color=theme.fg, markersize=3.5)

    ax.plot([], [], color=theme.orange, label=r"$\nabla f$ 방향")
    ax.plot([], [], color=theme.green, label="등위선의 접선")
    ax.legend(loc="upper right")
    ax.set(xlim=window[0], ylim=window[1], xlabel="$x_0$", ylabel="$x_1$")
    ax.set_aspect("equal")
    return fig


STEEPEST_STARTS = ((1.6, -0.4), (-0.9, 1.3))  # fig6's starting points
STEEPEST_STEP = 0.002


@figure(
    "fig6",
    alt=(
        "기울어진 타원 모양 등위선을 가진 f(x0, x1) = 1.5x0² + 2x0x1 + 1.5x1² 위에서, 한 점에서 출발한 "
        "최급강하 경로(최소점으로)와 최급상승 경로(바깥으로)를 그린 그림. 두 경로가 모든 등위선을 직각으로 가로지른다."
    ),
    caption=(
        f"같은 함수에서 두 점 ${STEEPEST_STARTS[0]}$와 ${STEEPEST_STARTS[1]}$(둥근 점)에서 출발한 가장 가파른 "
        r"내리막(파랑, $-\nabla f$를 따라감)과 오르막(빨강, $+\nabla f$를 따라감). "
        f"`steepest_path`로 아주 작은 보폭({STEEPEST_STEP:g})을 밟아 연속 경로에 가깝게 그렸습니다. "
        r"경로는 곧게 최소점으로 가지 않고 휘어지며, 지나는 모든 등위선과 직각으로 만납니다."
    ),
)
def steepest_paths_cross_level_curves(theme: Theme):
    f = ellipse_tilted
    window = ELLIPSE_WINDOW
    X, Y, Z = f.grid(161, window=window)
    fig, ax = plt.subplots(figsize=(4.6, 4.6))
    ax.contour(X, Y, Z, levels=[0.05, 0.25, 0.6, 1.2, 2.0, 3.2, 4.8, 7.0], colors=theme.muted, linewidths=0.9)
    for i, (start, (down, up)) in enumerate(zip(STEEPEST_STARTS, steepest_paths())):
        inside = np.all(np.abs(up) <= 2.4, axis=1)
        up = up[: np.argmin(inside) if not inside.all() else len(up)]  # stop where the path leaves the plot
        ax.plot(down[:, 0], down[:, 1], color=theme.blue, linewidth=2.4,
                label="최급강하 ($-\\nabla f$)" if i == 0 else None)
        ax.plot(up[:, 0], up[:, 1], color=theme.red, linewidth=2.4,
                label="최급상승 ($+\\nabla f$)" if i == 0 else None)
        for path, color, k in ((down, theme.blue, 100), (up, theme.red, len(up) // 2)):
            ax.annotate("", path[k + 3], path[k], arrowprops=dict(arrowstyle="-|>", color=color,
                                                                  linewidth=2.0, mutation_scale=18))
        ax.plot(*start, "o", color=theme.fg, markersize=7)
    ax.plot(*f.minimum, marker="*", markersize=15, color=theme.fg, linestyle="none")
    ax.legend(loc="upper right")
    ax.set(xlim=window[0], ylim=window[1], xlabel="$x_0$", ylabel="$x_1$")
    ax.set_aspect("equal")
    return fig


describes_only("fig5", "a right angle at every point: an equality, checked by the chapter's code blocks")


def steepest_paths() -> list[tuple[np.ndarray, np.ndarray]]:
    """fig6's (descent, ascent) paths from each start, as drawn (before the ascent is cut at the frame)."""
    return [(steepest_path(ellipse_tilted, start, step=STEEPEST_STEP, n=3000),
             steepest_path(ellipse_tilted, start, step=STEEPEST_STEP, n=3000, ascent=True))
            for start in STEEPEST_STARTS]


@claim("fig6", "두 경로가 모든 등위선을 직각으로 가로지른다")
def _paths_cross_level_curves_at_right_angles():
    for path in (p for pair in steepest_paths() for p in pair):
        steps = np.diff(path, axis=0)
        g = ellipse_tilted.grad(path[:-1])
        cos = np.abs(np.sum(steps * g, axis=1)) / (np.linalg.norm(steps, axis=1) * np.linalg.norm(g, axis=1))
        assert cos.min() > 0.999, cos.min()  # along ±∇f, i.e. perpendicular to the level curve


@claim("fig6", "경로는 곧게 최소점으로 가지 않고 휘어지며")
def _descent_paths_curve():
    for down, _ in steepest_paths():
        first = down[1] - down[0]
        to_min = np.asarray(ellipse_tilted.minimum) - down[0]
        angle = np.degrees(np.arccos(first @ to_min / (np.linalg.norm(first) * np.linalg.norm(to_min))))
        assert angle > 20 and np.linalg.norm(down[-1] - ellipse_tilted.minimum) < 0.01, angle


describes_only("gradient.md", "definitions and equalities (D_u f = ∇f·u, right angles), printed by checked code blocks")


# --- exercises ---------------------------------------------------------------------------------


@answer("grad-directional-1-2", tol=5e-4)
def _directional_along_1_2() -> float:
    """Exercise 2.1: D_u f of ellipse_tilted at (1, 0) along u = (1, 2)/√5, by a central difference."""
    import numpy as np

    from gdcore.calculus import directional_derivative
    from gdcore.functions import ellipse_tilted

    v = np.array([1.0, 2.0])
    return directional_derivative(ellipse_tilted, [1.0, 0.0], v / np.linalg.norm(v))


@answer("grad-steepest-rate", tol=5e-4)
def _steepest_descent_rate() -> float:
    """Exercise 2.2: the rate of steepest descent of ellipse_tilted at (2, 1), ‖∇f‖."""
    import numpy as np

    from gdcore.functions import ellipse_tilted

    return float(np.linalg.norm(ellipse_tilted.grad(np.array([2.0, 1.0]))))


@answer("grad-tangent-plane", tol=5e-4)
def _tangent_plane_value() -> float:
    """Exercise 2.3: the tangent plane of ellipse_tilted at a = (1, 0), evaluated at (1.2, −0.1)."""
    import numpy as np

    from gdcore.calculus import tangent_plane
    from gdcore.functions import ellipse_tilted

    a = np.array([1.0, 0.0])
    return float(tangent_plane(ellipse_tilted(a), ellipse_tilted.grad(a), a, np.array([1.2, -0.1])))
