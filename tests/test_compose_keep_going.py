"""A bad compose entry is one finding at its place; every other entry is still checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from portspec.errors import PortSpecError
from portspec.lint import Context, Source, lint
from portspec.sources.compose import load_compose

_PLANTED = """\
services:
  web:
    image: nginx
    ports: ["8080:80", 2222:22]
    links: [cache]
  db:
    image: postgres
    ports: ["5432:5432"]
  admin:
    image: adminer
    ports: ["127.0.0.1:8080:8080"]
  bad:
    image: alpine
    ports: ["99999:80"]
"""


def test_every_fault_of_the_file_in_one_run(tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text(_PLANTED)
    found = lint([Source("compose.yaml", "compose", path=path)], ctx=Context()).diagnostics
    assert sorted((d.code, d.line, d.column) for d in found) == [
        ("PS001", 14, 14),
        ("PS101", 4, 13),
        ("PS111", 5, 13),
        ("PS301", 4, 24),
        ("PS301", 8, 13),
        ("PS304", 5, 13),
        ("PS305", 4, 24),
    ]
    conflict = next(d for d in found if d.code == "PS101")
    assert "admin" in conflict.message
    assert ":11:" in conflict.message


def test_library_still_refuses_what_compose_refuses(tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text(_PLANTED)
    with pytest.raises(PortSpecError, match="99999"):
        load_compose(path)
