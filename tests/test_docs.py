"""The examples in docs/ and in the docstrings are true."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import portspec

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs").glob("*.md"))
MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(portspec.__path__, "portspec.")
    if not info.ispkg and info.name != "portspec.__main__"
)
GLOBS = {name: getattr(portspec, name) for name in portspec.__all__}
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_docs_examples(page: Path) -> None:
    result = doctest.testfile(
        str(page), module_relative=False, globs=dict(GLOBS), optionflags=FLAGS, verbose=False
    )
    assert result.failed == 0


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, extraglobs=GLOBS, optionflags=FLAGS, verbose=False)
    assert result.failed == 0
