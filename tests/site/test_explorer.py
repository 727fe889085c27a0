"""The optimizer explorer (sitegen/explorer.py, docs/assets/js/explorer.js).

Data tests: decoding a shipped data file gives gdcore.run.minimize's trajectories (to the int16
quantisation) and its exact losses, every preset's grid is complete, and a file stays under the
size budget.  Browser tests (skip or fail like tests/site/test_browser.py) build a small site whose
pages hold the three explorer markers and drive the widget: keyboard and select/radio changes draw
exactly the path and loss that gdcore computes for the new setting, in both themes, on a phone.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest

from gdcore import functions
from gdcore.optim import SGD
from gdcore.run import minimize
from sitegen import explorer, figures
from tools.browser import DESKTOP, PHONE, serve

ROOT = Path(__file__).resolve().parents[2]
BUDGET = 300_000  # bytes of explorer data per page


@pytest.fixture(scope="module")
def built() -> dict[str, Path]:
    return explorer.build()


def _decoded(key: str, built: dict[str, Path]):
    dataset = explorer.DATASETS[key]
    return dataset, *explorer.decode(built[explorer.file_names(dataset)["data"]].read_bytes())


def _check_run(dataset, r, header, losses, paths, curves, traj):
    """One decoded run against a gdcore trajectory."""
    assert losses[r] == traj.values[-1], "the shipped loss is not gdcore's float"
    n = len(paths[r])
    assert len(curves[r]) == n
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(curves[r], traj.values[:n].astype(np.float32))  # f at every drawn step
    assert header["diverged"][r] == (len(traj.points) if traj.diverged else 0)
    left = header["left"][r]
    assert header["text"][r] == explorer.status_text(dataset.steps, traj.values[-1], header["diverged"][r], left)
    xy = explorer.dequantise(dataset, paths[r])
    tol = 0.5 / dataset.q_per_unit + 1e-9
    if n == len(traj.points) and not left:
        np.testing.assert_allclose(xy, traj.points, rtol=0, atol=tol)
    else:  # the run left the int16 box: all points but the last are the path, the last is on its way out
        assert left == n - 1 and np.abs((traj.points[n - 1] - dataset.centre) * dataset.q_per_unit).max() >= explorer.Q_MAX - 0.5
        np.testing.assert_allclose(xy[:-1], traj.points[: n - 1], rtol=0, atol=tol)
        a, b, e = traj.points[n - 2], traj.points[n - 1], xy[-1]
        direction = (b - a) / np.linalg.norm(b - a)
        step = (e - a) / np.linalg.norm(e - a)
        assert np.dot(direction, step) > 0.999
        assert np.max(np.abs(paths[r][-1])) >= explorer.Q_MAX - 1


OPTIMIZERS = {  # what each page's explorer offers: what its chapter has taught
    "elongated-classic-gd": ["sgd"],
    "elongated": ["sgd", "nesterov"],
    "elongated-classic": ["sgd", "nesterov", "adagrad", "rmsprop", "adam"],
}


@pytest.mark.parametrize("key", list(explorer.DATASETS))
def test_every_grid_is_complete(key: str, built):
    dataset, header, losses, paths, curves = _decoded(key, built)
    O, S, L, M = dataset.shape
    assert header["shape"] == [O, S, L, M] and S >= 3 and L >= 10 and (M >= 4 or key == "elongated-classic-gd")
    assert len(paths) == len(losses) == len(curves) == len(header["text"]) == O * S * L * M
    assert [o.id for o in dataset.optimizers] == OPTIMIZERS[key]
    for path, diverged in zip(paths, header["diverged"]):
        assert 1 <= len(path) <= dataset.steps + 1
        assert diverged == 0 or 1 <= diverged <= dataset.steps
    assert np.all(np.isfinite(losses))
    # the grid shows something: some runs converge well, some diverge
    assert min(losses) < (1e-3 if M > 1 else 1e-2)
    assert sum(d > 0 for d in header["left"]) >= (10 if M > 1 else 3)


@pytest.mark.parametrize("key", list(explorer.DATASETS))
def test_decoded_runs_are_gdcore_trajectories(key: str, built):
    dataset, header, losses, paths, curves = _decoded(key, built)
    settings = list(dataset.settings())
    every = max(1, len(settings) // 60)
    sample = settings[::every] + [s for s in settings if header["diverged"][s[0]] or header["left"][s[0]]][::5]
    assert len(sample) >= min(60, len(settings))
    for r, choice, start, lr, mu in sample:
        traj = minimize(dataset.objective, list(start), choice.factory(lr, mu), dataset.steps, on_divergence="stop")
        _check_run(dataset, r, header, losses, paths, curves, traj)


def test_presets_and_their_defaults(built):
    assert set(explorer.PRESETS) == {"gradient-descent", "momentum", "comparison"}
    expected = {
        "gradient-descent": (functions.elongated_classic, "sgd", 0.0),
        "momentum": (functions.elongated, "sgd", 0.9),
        "comparison": (functions.elongated_classic, "adam", 0.9),
    }
    ladder = {float(f"{10 ** (k / explorer.LADDER):.2g}") for k in range(-16, 12)}
    for name, preset in explorer.PRESETS.items():
        objective, opt, mu = expected[name]
        dataset = explorer.DATASETS[preset.dataset]
        assert (dataset.objective, preset.optimizer, preset.momentum) == (objective, opt, mu)
        assert 3 <= len(dataset.starts) <= 4 and 50 <= dataset.steps <= 100
        for lrs in dataset.lrs.values():  # log-spaced: a constant ratio, up to the 2-digit rounding
            ratios = np.diff(np.log(lrs))
            assert 10 <= len(lrs) <= 15 and np.ptp(ratios) < 0.25 * ratios.mean()
            assert set(lrs) <= ladder, "every optimizer's stops come from one ladder (η is kept on a switch)"
        (x0, x1), (y0, y1) = dataset.window
        assert all(x0 < x < x1 and y0 < y < y1 for x, y in dataset.starts)
    # the stability limit the slider marks: gdcore.theory from the Hessian, 2/λmax = 1 on x0²/20 + x1²
    classic = explorer.DATASETS["elongated-classic"]
    assert classic.lam_max == pytest.approx(2.0, abs=1e-9)
    assert explorer.OPTIMIZERS["sgd"].limit(classic.lam_max, 0.0) == pytest.approx(1.0)
    assert explorer.OPTIMIZERS["sgd"].limit(classic.lam_max, 0.9) == pytest.approx(1.9)
    assert explorer.OPTIMIZERS["nesterov"].limit(classic.lam_max, 0.9) == pytest.approx(3.8 / 5.6)
    assert explorer.OPTIMIZERS["adam"].limit(classic.lam_max, 0.9) is None


def test_size_budget(built):
    for dataset in explorer.DATASETS.values():
        size = built[explorer.file_names(dataset)["data"]].stat().st_size
        assert size < BUDGET, f"{dataset.key}: {size} bytes of data"
    by_page = {}
    for preset in explorer.PRESETS.values():
        by_page[preset.name] = built[explorer.file_names(explorer.DATASETS[preset.dataset])["data"]].stat().st_size
    assert max(by_page.values()) < BUDGET


def test_a_path_that_leaves_the_box_ends_on_its_edge():
    dataset = explorer.DATASETS["elongated-classic"]
    q = explorer.quantise(dataset, [[1.0, 1.0], [2.0, -1.0], [1e200, -2e200], [3.0, 3.0]])
    assert len(q) == 3  # the path ends where it leaves the int16 box; (3, 3) is dropped
    assert abs(int(q[-1][1])) == explorer.Q_MAX  # it leaves through the bottom edge
    a, e = explorer.dequantise(dataset, q[1]), explorer.dequantise(dataset, q[2])
    assert np.dot((e - a) / np.linalg.norm(e - a), np.array([1.0, -2.0]) / np.sqrt(5)) > 0.9999


def test_marker_syntax_and_unknown_presets():
    assert explorer.MARKER.fullmatch("<!-- explorer momentum -->")
    assert explorer.used_presets(["a\n<!-- explorer comparison -->\nb", "<!-- explorer momentum -->"]) == [
        "comparison", "momentum"]
    with pytest.raises(ValueError, match="unknown explorer preset 'adam'"):
        explorer.used_presets(["<!-- explorer adam -->"])


def test_widget_html_without_javascript(built):
    """The static widget: the default path and its loss, controls hidden, two themed backgrounds."""
    page = explorer.expand_markers("x\n\n<!-- explorer momentum -->\n\ny\n", "momentum/")
    assert 'class="gdx__controls" hidden' in page
    assert 'src="../assets/explorer/' in page and "#only-light" in page and "#only-dark" in page
    dataset = explorer.DATASETS["elongated"]
    traj = minimize(functions.elongated, [-5.0, -2.0], partial(SGD, lr=0.056, momentum=0.9), 50, on_divergence="stop")
    value = float(re.search(r'data-value="([^"]+)"', page).group(1))
    assert value == traj.values[-1]
    points = re.search(r'<polyline class="gdx__path[^"]*" points="([^"]+)"', page).group(1)
    _check_polyline(dataset, points, traj)


def _check_polyline(dataset, points: str, traj, partial_path: bool = False) -> None:
    """The SVG polyline is the trajectory (up to where it leaves the drawable box, if it does)."""
    q = np.array([[int(v) for v in p.split(",")] for p in points.split()])
    q[:, 1] *= -1  # the SVG's y axis points down
    xy = explorer.dequantise(dataset, q)
    if partial_path:
        assert 2 <= len(xy) and np.abs(q[-1]).max() == explorer.Q_MAX
        xy = xy[:-1]
    else:
        assert len(xy) == len(traj.points)
    np.testing.assert_allclose(xy, traj.points[: len(xy)], rtol=0, atol=0.5 / dataset.q_per_unit + 1e-9)


# --- in the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory, newcomer_env) -> Path:
    """A small strict build: the site's config and assets, one page per preset."""
    tmp = tmp_path_factory.mktemp("explorer")
    docs = tmp / "docs"
    shutil.copytree(ROOT / "docs" / "assets", docs / "assets")
    (docs / "index.md").write_text("# 시험\n", encoding="utf-8")
    nav = "".join(f"  - {name}.md\n" for name in explorer.PRESETS)
    for name in explorer.PRESETS:
        (docs / f"{name}.md").write_text(f"# {name}\n\n앞 문단.\n\n<!-- explorer {name} -->\n\n뒤 문단.\n",
                                         encoding="utf-8")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = re.sub(r"^nav:\n(?:  .*\n)+", "nav:\n  - index.md\n" + nav, config, flags=re.M)
    config = re.sub(r"^watch:\n(?:  .*\n)+", "", config, flags=re.M)
    config = config.replace("  - sitegen/hooks.py", f"  - {ROOT / 'sitegen' / 'hooks.py'}")
    (tmp / "mkdocs.yml").write_text(f"docs_dir: {docs}\n{config}", encoding="utf-8")
    out = tmp / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(tmp / "mkdocs.yml"), "-d", str(out)],
        cwd=ROOT, env=newcomer_env, capture_output=True, text=True)
    assert proc.returncode == 0, f"build with explorer pages failed:\n{proc.stdout}\n{proc.stderr}"
    return out


@pytest.fixture(scope="module")
def server(site: Path):
    with serve(site) as base:
        yield base


def _open(browser, base: str, path: str, theme: str = "light", viewport: dict = DESKTOP):
    from test_browser import _open as open_page  # console errors, page errors, other hosts

    context, page, problems = open_page(browser, base, path, theme, viewport)
    page.locator(".gdx").scroll_into_view_if_needed()
    page.wait_for_selector(".gdx.gdx--ready", timeout=15000)
    # bytes transferred (headers included) for the explorer's data files, from the Resource Timing API
    sizes = page.evaluate("""() => Object.fromEntries(performance.getEntriesByType('resource')
        .filter(e => e.name.endsWith('.bin')).map(e => [e.name, e.transferSize]))""")
    assert sizes, "no explorer data was fetched"
    return context, page, problems, sizes


def _state(page) -> tuple[str, float, str]:
    return (page.get_attribute(".gdx__path", "points"),
            float(page.get_attribute(".gdx__loss", "data-value")),
            page.inner_text(".gdx__loss"))


def _expect(page, dataset, traj, partial_path: bool = False) -> None:
    points, value, text = _state(page)
    assert value == traj.values[-1]
    diverged = len(traj.points) if traj.diverged else 0
    q = (traj.points - dataset.centre) * dataset.q_per_unit
    outside = np.flatnonzero(np.abs(q).max(axis=1) > explorer.Q_MAX - 0.5)
    left = int(outside[0]) if len(outside) else 0
    assert text == explorer.status_text(dataset.steps, traj.values[-1], diverged, left)
    assert f"{traj.values[-1]:.4g}" in text
    _check_polyline(dataset, points, traj, partial_path)


def _run(dataset, opt: str, start: int, lr: float, mu: float):
    return minimize(dataset.objective, list(dataset.starts[start]), explorer.OPTIMIZERS[opt].factory(lr, mu),
                    dataset.steps, on_divergence="stop")


@pytest.mark.browser
def test_chapter_3_keyboard_and_the_stability_limit(server: str, browser):
    """Ch. 3 offers plain gradient descent only; the keyboard walks the learning rates; the ▲ marks
    2/λmax = 1, and the first rate above it diverges."""
    dataset = explorer.DATASETS["elongated-classic-gd"]
    lrs = dataset.lrs["sgd"]
    context, page, problems, sizes = _open(browser, server, "/gradient-descent/")
    assert page.locator(".gdx__opt option").count() == 1 and page.locator(".gdx__opt").is_hidden()
    assert page.locator(".gdx__mu").is_hidden()
    _expect(page, dataset, _run(dataset, "sgd", 0, 0.32, 0.0))
    assert page.inner_text(".gdx__setting") == "SGD, η = 0.32, 시작점 (−7, 2):"
    assert page.inner_text(".gdx__limit-text") == "안정 한계 η = 1 (2/λmax)"
    arrow = page.locator(".gdx__limit-arrow").bounding_box()
    scale = page.locator(".gdx__scale").bounding_box()
    at = np.log(1.0 / lrs[0]) / np.log(lrs[-1] / lrs[0])
    assert abs(arrow["x"] + arrow["width"] / 2 - (scale["x"] + at * scale["width"])) < 1.5
    page.focus(".gdx__lr")
    for lr in lrs[lrs.index(0.32) + 1 :]:
        page.keyboard.press("ArrowRight")
        assert page.inner_text(".gdx__lr-value") == f"{lr:g}"
        traj = _run(dataset, "sgd", 0, lr, 0.0)
        _expect(page, dataset, traj, partial_path=lr > 1)
    assert traj.values[-1] > 1e6 and "발산" in page.inner_text(".gdx__loss")  # 1.8 > 2/λmax
    assert "gdx__path--diverged" in page.get_attribute(".gdx__path", "class")
    context.close()
    assert not problems, problems
    assert sum(sizes.values()) < BUDGET, sizes


@pytest.mark.browser
def test_comparison_offers_every_method_and_keeps_eta(server: str, browser):
    dataset = explorer.DATASETS["elongated-classic"]
    context, page, problems, sizes = _open(browser, server, "/comparison/")
    labels = page.locator(".gdx__opt option").all_inner_texts()
    assert labels == ["SGD", "SGD + 네스테로프", "AdaGrad", "RMSprop", "Adam"]
    _expect(page, dataset, _run(dataset, "adam", 0, 0.32, 0.9))
    page.select_option(".gdx__opt", label="SGD")  # η = 0.32 is on SGD's grid: kept, not the slider position
    assert page.inner_text(".gdx__lr-value") == "0.32" and page.inner_text(".gdx__note") == ""
    _expect(page, dataset, _run(dataset, "sgd", 0, 0.32, 0.9))
    assert page.inner_text(".gdx__limit-text") == "안정 한계 η = 1.9 (2(1+μ)/λmax): 눈금 밖"
    page.select_option(".gdx__opt", label="AdaGrad")
    assert page.locator(".gdx__mu").is_disabled() and page.inner_text(".gdx__lr-value") == "0.32"
    assert page.locator(".gdx__limit").is_hidden()  # no such limit for an adaptive method
    _expect(page, dataset, _run(dataset, "adagrad", 0, 0.32, 0.9))
    page.fill(".gdx__lr", str(len(dataset.lrs["adagrad"]) - 1))  # 5.6: not on RMSprop's grid
    page.select_option(".gdx__opt", label="RMSprop")
    assert page.inner_text(".gdx__lr-value") == "1"
    assert page.inner_text(".gdx__note") == " (RMSprop 격자에 없는 η = 5.6 대신 가장 가까운 1)"
    assert "가장 가까운 1" in page.inner_text(".gdx__out")  # in the live region: announced
    _expect(page, dataset, _run(dataset, "rmsprop", 0, 1.0, 0.9))
    page.select_option(".gdx__opt", label="Adam")
    page.check('.gdx input[type="radio"] >> nth=2')
    page.fill(".gdx__mu", "1")  # momentum grid index 1 -> beta1 = 0.5
    assert page.inner_text(".gdx__mu-label").startswith("β1")
    _expect(page, dataset, _run(dataset, "adam", 2, 1.0, 0.5))
    context.close()
    assert not problems, problems


@pytest.mark.browser
def test_playback_starts_and_reset(server: str, browser):
    dataset = explorer.DATASETS["elongated"]
    context, page, problems, sizes = _open(browser, server, "/momentum/")
    default = _state(page)
    traj = _run(dataset, "sgd", 0, 0.056, 0.9)
    page.click(".gdx__stepper")  # at step 50: back to the start
    assert page.inner_text(".gdx__k-value") == "0" and len(page.get_attribute(".gdx__path", "points").split()) == 1
    for k in (1, 2):
        page.click(".gdx__stepper")
        assert len(page.get_attribute(".gdx__path", "points").split()) == k + 1
        assert page.inner_text(".gdx__loss") == f"{k}번째 걸음의 손실 f = {float(np.float32(traj.values[k])):.4g}"
        curve = page.get_attribute(".gdx__curve-line", "points").split()
        assert len(curve) == k + 1
    page.fill(".gdx__k", "10")
    assert len(page.get_attribute(".gdx__path", "points").split()) == 11
    page.click(".gdx__toggle")
    assert page.get_attribute(".gdx__toggle", "aria-pressed") == "true"
    assert page.get_attribute(".gdx__out", "aria-live") == "off"  # no announcement per frame
    page.wait_for_function("document.querySelector('.gdx__k-value').textContent === '50'", timeout=20000)
    page.wait_for_function("document.querySelector('.gdx__toggle').getAttribute('aria-pressed') === 'false'")
    assert page.get_attribute(".gdx__out", "aria-live") == "polite"
    assert _state(page) == default  # the whole run again, with gdcore's final words

    # a start point is a click on its circle too
    box = page.locator(".gdx__start-hit").nth(2).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.is_checked('.gdx input[type="radio"] >> nth=2')
    _expect(page, dataset, _run(dataset, "sgd", 2, 0.056, 0.9))
    page.fill(".gdx__mu", "0")
    page.select_option(".gdx__opt", label="SGD + 네스테로프")
    page.click(".gdx__reset")
    assert _state(page) == default and page.inner_text(".gdx__opt option:checked") == "SGD"
    context.close()
    assert not problems, problems


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_result_line_keeps_its_height(server: str, browser, viewport: dict, built):
    """Every text the line can show fits its fixed height: the controls never move mid-drag."""
    dataset, header, *_ = _decoded("elongated-classic", built)
    settings = [f"{c.label}, η = {lr:g}, {c.short} = {mu:g}, 시작점 (−9, −4):" for _, c, _, lr, mu in dataset.settings()]
    longest_setting = max(settings, key=len)
    note = " (SGD + 네스테로프 격자에 없는 η = 0.0056 대신 가장 가까운 0.01)"
    context, page, problems, sizes = _open(browser, server, "/comparison/", "light", viewport)
    top = page.locator(".gdx__controls").bounding_box()["y"]
    overflow = page.evaluate("""([setting, texts, note]) => {
        const out = document.querySelector('.gdx__out'); const bad = [];
        for (const text of texts) {
            out.querySelector('.gdx__setting').textContent = setting;
            out.querySelector('.gdx__loss').textContent = text;
            out.querySelector('.gdx__note').textContent = note;
            if (out.scrollHeight > out.clientHeight + 1) bad.push(text);
        }
        return bad; }""", [longest_setting, sorted(set(header["text"]), key=len)[-40:], note])
    assert not overflow, f"texts taller than the result line at {viewport['width']} px: {overflow[:3]}"
    assert page.locator(".gdx__controls").bounding_box()["y"] == top
    context.close()
    assert not problems, problems


def test_backgrounds_have_ticked_axes(built):
    """The contour background has axes with ticks and names; the path's SVG covers its plot area."""
    for dataset in explorer.DATASETS.values():
        svg = built[explorer.file_names(dataset)["light"]].read_text(encoding="utf-8")
        assert 'id="xtick_1"' in svg and 'id="ytick_1"' in svg and 'id="text_' in svg
        width, height, box = explorer.plot_box(dataset)
        (x0, x1), (y0, y1) = dataset.window
        assert box["left"] > 0.05 and box["top"] + box["height"] < 0.95
        assert box["width"] * width / (box["height"] * height) == pytest.approx((x1 - x0) / (y1 - y0))


@pytest.mark.browser
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_themes_phone_width_and_transfer(server: str, browser, theme: str):
    colours = {"light": figures.LIGHT, "dark": figures.DARK}[theme]
    for path in [f"/{name}/" for name in explorer.PRESETS]:
        context, page, problems, sizes = _open(browser, server, path, theme, PHONE)
        shown = page.evaluate("""() => [...document.querySelectorAll('.gdx__bg')]
            .filter(i => i.offsetParent !== null).map(i => [i.getAttribute('src'), i.naturalWidth])""")
        assert len(shown) == 1 and shown[0][0].endswith(f"#only-{theme}") and shown[0][1] > 0, shown
        stroke = page.evaluate("getComputedStyle(document.querySelector('.gdx__path')).stroke")
        r, g, b = (int(colours.orange[i : i + 2], 16) for i in (1, 3, 5))
        assert stroke == f"rgb({r}, {g}, {b})", stroke
        width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1] == PHONE["width"], f"{path}: horizontal scrolling at phone width {width}"
        box = page.locator(".gdx").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        # keyboard: the range input shows a visible focus ring
        page.focus(".gdx__lr")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"
        context.close()
        assert not problems, f"{path}: {problems}"
        assert 0 < sum(sizes.values()) < BUDGET, sizes


@pytest.mark.browser
def test_static_figure_without_javascript(server: str, browser):
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(urlparse(r.url).path))
    page.goto(server + "/momentum/", wait_until="load")
    assert page.locator(".gdx__controls").is_hidden()
    assert len(page.get_attribute(".gdx__path", "points").split()) == 51
    assert "50걸음 뒤 손실" in page.inner_text(".gdx__loss")
    assert not [p for p in requests if p.endswith(".bin")], "data fetched without JavaScript"
    assert page.locator(".gdx__curve").is_hidden()  # drawn by the script only
    context.close()


def test_explorer_script_is_deferred(site: Path):
    html = (site / "momentum" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<script src="[^"]*assets/js/explorer\.js" defer>', html)
