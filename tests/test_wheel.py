"""The built wheel works on its own: grammar inside, installed outside the source tree.

These tests build the wheel and install it in a new virtual environment, so
they need the package index for the build backend and for lark.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import portspec
from portspec.cli import main

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]

# Every form, with the kind of value it is: (flag for `portspec parse`, spec).
FORMS = [
    ("--publish", "80"),
    ("--publish", "8080:80"),
    ("--publish", "127.0.0.1:8080:80"),
    ("--publish", "[::1]:8080:80"),
    ("--publish", "8000-8010:80"),
    ("--publish", "published=8080,target=80,protocol=udp"),
    ("--expose", "7000-7010/udp"),
    ("--link", "db:database"),
]
CANONICAL = [
    "80",
    "8080:80",
    "127.0.0.1:8080:80",
    "[::1]:8080:80",
    "8000-8010:80",
    "8080:80/udp",
    "7000-7010/udp",
    "db:database",
]

# Run inside the new environment: where portspec was imported from, and every form.
PROBE = """
import json, sys
from importlib import resources
import portspec
from portspec import parse_expose, parse_link, parse_publish

parsers = {"--publish": parse_publish, "--expose": parse_expose, "--link": parse_link}
values = [parsers[flag](spec) for flag, spec in json.loads(sys.argv[1])]
print(json.dumps({
    "file": portspec.__file__,
    "version": portspec.__version__,
    "grammar": sorted(p.name for p in resources.files("portspec").joinpath("grammar").iterdir()),
    "canonical": [str(value) for value in values],
    "repr": [repr(value) for value in values],
}))
"""


@dataclass(frozen=True)
class Installed:
    """A virtual environment, outside the source tree, with the wheel installed."""

    wheel: Path
    venv: Path
    workdir: Path

    @property
    def bin(self) -> Path:
        return self.venv / ("Scripts" if os.name == "nt" else "bin")

    @property
    def python(self) -> Path:
        return self.bin / "python"

    def run(self, *argv: str | Path) -> subprocess.CompletedProcess[str]:
        # No PYTHONPATH and a cwd outside the checkout: only the wheel can be imported.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        return subprocess.run(
            [str(arg) for arg in argv],
            cwd=self.workdir,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )


def _check(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"{result.args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    _check(
        subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
            capture_output=True,
            text=True,
            check=False,
        )
    )
    (wheel,) = dist.glob("portspec-*.whl")
    venv = base / "venv"
    _check(
        subprocess.run(
            [sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True, check=False
        )
    )
    workdir = base / "elsewhere"
    workdir.mkdir()
    env = Installed(wheel, venv, workdir)
    _check(env.run(env.python, "-m", "pip", "install", "--quiet", wheel))
    return env


def test_wheel_contents(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
        (entry_points,) = (n for n in names if n.endswith(".dist-info/entry_points.txt"))
        scripts = wheel.read(entry_points).decode()
    assert {
        "portspec/__init__.py",
        "portspec/__main__.py",
        "portspec/cli/__init__.py",
        "portspec/grammar/ports.lark",
        "portspec/grammar/link.lark",
        "portspec/py.typed",
    } <= names
    assert "portspec = portspec.cli:main" in scripts
    assert not any(name.startswith(("tests/", "grammar/")) for name in names)


def test_grammar_in_wheel_is_the_source_grammar(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        for name in ("ports.lark", "link.lark"):
            packaged = wheel.read(f"portspec/grammar/{name}").decode("utf-8")
            assert packaged == (ROOT / "grammar" / name).read_text(encoding="utf-8")


def _site_files(package: Path) -> set[Path]:
    # Python's own bytecode cache is not the grammar's doing.
    return {
        path.relative_to(package)
        for path in package.rglob("*")
        if "__pycache__" not in path.parts and not path.name.endswith(".pyc")
    }


def test_installed_package_parses_every_form(installed: Installed) -> None:
    # A first run finds the installed package, before anything has parsed.
    locate = "import pathlib, portspec; print(pathlib.Path(portspec.__file__).parent)"
    package = Path(_check(installed.run(installed.python, "-c", locate)).strip())
    assert installed.venv in package.parents
    before = _site_files(package)

    probe = _check(installed.run(installed.python, "-c", PROBE, json.dumps(FORMS)))
    result: dict[str, Any] = json.loads(probe)
    assert result["version"] == portspec.__version__
    assert result["grammar"] == ["link.lark", "ports.lark"]
    assert result["canonical"] == CANONICAL
    # The same values as this source tree gives.
    assert result["repr"] == [repr(_parse_here(flag, spec)) for flag, spec in FORMS]
    # Loading the grammar wrote no cache (or anything else) into the package.
    assert _site_files(package) == before


def test_installed_console_script(installed: Installed) -> None:
    version = _check(installed.run(installed.bin / "portspec", "--version"))
    assert version == f"portspec {portspec.__version__}\n"
    for flag in ("--publish", "--expose", "--link"):
        specs = [spec for kind, spec in FORMS if kind == flag]
        out = _check(
            installed.run(installed.bin / "portspec", "parse", flag, "--format=json", *specs)
        )
        assert json.loads(out) == _json_here(flag, specs)


def test_installed_python_dash_m(installed: Installed) -> None:
    result = installed.run(installed.python, "-m", "portspec", "parse", "8080:80", "99999")
    assert (result.returncode, result.stdout) == (1, "8080:80\n")
    assert result.stderr.startswith("error: ")
    assert "^" in result.stderr
    assert "Traceback" not in result.stderr


def _parse_here(flag: str, spec: str) -> object:
    parsers: dict[str, Callable[[str], object]] = {
        "--publish": portspec.parse_publish,
        "--expose": portspec.parse_expose,
        "--link": portspec.parse_link,
    }
    return parsers[flag](spec)


def _json_here(flag: str, specs: list[str]) -> Any:
    out = _captured_main(["parse", flag, "--format=json", *specs])
    return json.loads(out)


def _captured_main(argv: list[str]) -> str:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(argv) == 0
    return buffer.getvalue()
