"""How long the site takes to build and serve, on a fresh clone, as a newcomer runs it.

    uv run python benchmarks/bench_build.py                      # 3 cold + 3 warm builds, serve
    uv run python benchmarks/bench_build.py --cold 10 --warm 0 --busy 2 --no-serve

Clones the committed HEAD of this checkout into a temporary folder (no ``.cache/``, no ``site/``)
and runs, with the environment this script was started with (only ``PYTHONPATH`` is set, to the
clone, so that the clone's ``sitegen`` and ``gdcore`` are imported rather than the editable
install's):

- ``--cold N`` strict builds, each with the build cache removed first;
- ``--warm N`` strict builds with the cache kept;
- ``mkdocs serve --livereload`` from cold: seconds until the first page answers, then seconds
  from a text edit of a page until the edited page is served.

``--busy K`` keeps K busy-loop processes running during the cold builds (a machine doing other
work: the import race of issue 11 showed up only then).  Every run's time is printed, then the
medians.  A failed build stops the script with its output.  Python writes no bytecode cache when
``PYTHONDONTWRITEBYTECODE`` is set: every import is then compiled again (about 1.4 s more a build).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _busy() -> None:
    while True:
        pass


def clone(dest: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(ROOT), str(dest)], check=True)
    # the pinned KaTeX is installed once (npm ci), like the Python packages: installing is not building
    subprocess.run([sys.executable, "-c", "from sitegen.katex import ensure_installed; ensure_installed()"],
                   cwd=ROOT, check=True)
    (dest / "sitegen" / "node_modules").symlink_to(ROOT / "sitegen" / "node_modules")
    return dest


def build(repo: Path, env: dict[str, str], site: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)],
                          cwd=repo, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"build failed after {seconds:.1f} s:\n{proc.stdout}\n{proc.stderr}")
    return seconds


def _get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read()
    except OSError:
        return None


def _wait(proc: subprocess.Popen, check, limit: float = 600) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        if proc.poll() is not None:
            sys.exit(f"mkdocs serve exited with {proc.returncode}")
        if check():
            return time.perf_counter() - start
        time.sleep(0.1)
    sys.exit(f"mkdocs serve: nothing after {limit:.0f} s")


def serve(repo: Path, env: dict[str, str]) -> tuple[float, float]:
    """(seconds to the first page from cold, seconds from a text edit to the edited page)."""
    shutil.rmtree(repo / ".cache", ignore_errors=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--livereload", "-a", f"127.0.0.1:{port}"],
                            cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        first = _wait(proc, lambda: _get(f"http://127.0.0.1:{port}/") is not None)
        page = repo / "docs" / "gradient.md"
        sentence = f"벤치마크 문장 {time.time_ns()}"
        page.write_text(page.read_text(encoding="utf-8") + f"\n{sentence}\n", encoding="utf-8")
        rebuild = _wait(proc, lambda: sentence.encode() in (_get(f"http://127.0.0.1:{port}/gradient/") or b""))
    finally:
        proc.terminate()
        proc.wait()
    return first, rebuild


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cold", type=int, default=3, help="cold strict builds (cache removed before each)")
    parser.add_argument("--warm", type=int, default=3, help="warm strict builds")
    parser.add_argument("--busy", type=int, default=0, help="busy-loop processes during the cold builds")
    parser.add_argument("--no-serve", dest="serve", action="store_false", help="skip the serve measurement")
    args = parser.parse_args()
    for name in ("cold", "warm", "busy"):
        if getattr(args, name) < 0:
            parser.error(f"--{name} must be 0 or more, got {getattr(args, name)}")

    with tempfile.TemporaryDirectory(prefix="gdcore-bench-") as tmp:
        repo = clone(Path(tmp) / "clone")
        env = {**os.environ, "PYTHONPATH": str(repo)}
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True,
                              text=True).stdout.strip()
        print(f"clone of {head} in {repo}; {os.cpu_count()} CPUs; "
              f"PYTHONDONTWRITEBYTECODE={'set' if os.environ.get('PYTHONDONTWRITEBYTECODE') else 'unset'}",
              flush=True)
        results: dict[str, list[float]] = {}
        busy = [multiprocessing.Process(target=_busy, daemon=True) for _ in range(args.busy)]
        for p in busy:
            p.start()
        try:
            for i in range(args.cold):
                shutil.rmtree(repo / ".cache", ignore_errors=True)
                seconds = build(repo, env, Path(tmp) / "site")
                results.setdefault("cold build", []).append(seconds)
                print(f"cold build {i + 1}/{args.cold}: {seconds:.1f} s"
                      + (f" (with {args.busy} busy processes)" if args.busy else ""), flush=True)
        finally:
            for p in busy:
                p.terminate()
        if args.warm and not (repo / ".cache").exists():
            build(repo, env, Path(tmp) / "site")  # fill the cache
        for i in range(args.warm):
            seconds = build(repo, env, Path(tmp) / "site")
            results.setdefault("warm build", []).append(seconds)
            print(f"warm build {i + 1}/{args.warm}: {seconds:.2f} s", flush=True)
        if args.serve:
            first, rebuild = serve(repo, env)
            results["serve: first page, from cold"] = [first]
            results["serve: text edit to served page"] = [rebuild]
            print(f"serve from cold: first page after {first:.1f} s; a text edit served after {rebuild:.1f} s",
                  flush=True)
        print("\nmedians:")
        for name, values in results.items():
            print(f"  {name}: {statistics.median(values):.2f} s (runs: {len(values)})")


if __name__ == "__main__":
    main()
