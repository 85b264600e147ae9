"""The shape of a rule: a small class whose docstring says what it finds and why.

A rule's first docstring line is its summary; the paragraphs after it say why
it matters. ``bad`` and ``good`` are whole example files: the rule fires on
the first and stays silent on the second, which the tests check for every
rule, and the docs pages and ``portspec rule CODE`` show.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from portspec.lint.diagnostic import Severity

__all__ = ["DOCS_URL", "Example", "Rule", "all_rules", "get_rule", "register"]

#: Where each rule's page is published; ``{code}`` is filled in.
DOCS_URL = "https://github.com/portspec/portspec/blob/main/docs/rules/{code}.md"


@dataclass(frozen=True, slots=True)
class Example:
    """A whole example input: a file name (which says its kind) and its text."""

    path: str
    text: str


class Rule:
    """Base of every rule; subclasses set the class variables and write a docstring."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    bad: ClassVar[Example]
    good: ClassVar[Example]
    #: Off by default: the rule runs only when selected.
    default: ClassVar[bool] = True
    #: Whether some findings carry a fix.
    fixable: ClassVar[bool] = False

    @classmethod
    def summary(cls) -> str:
        """The one-line summary: the first line of the docstring."""
        return _doc(cls).partition("\n")[0].strip()

    @classmethod
    def why(cls) -> str:
        """Why it matters: the docstring after its first line."""
        return _doc(cls).partition("\n")[2].strip()

    @classmethod
    def help_url(cls) -> str:
        """The rule's documentation page."""
        return DOCS_URL.format(code=cls.code)


def _doc(cls: type[Rule]) -> str:
    return inspect.cleandoc(cls.__doc__ or "")


_REGISTRY: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: add a rule to the catalogue; a code is never used twice."""
    if cls.code in _REGISTRY:
        raise RuntimeError(f"rule code {cls.code} is registered twice")
    _REGISTRY[cls.code] = cls
    return cls


def all_rules() -> Iterator[type[Rule]]:
    """Every rule, in code order."""
    import portspec.lint.rules  # noqa: F401, PLC0415 - registers the catalogue

    yield from (_REGISTRY[code] for code in sorted(_REGISTRY))


def get_rule(code: str) -> type[Rule] | None:
    """The rule with ``code`` (``PS301``), or None."""
    import portspec.lint.rules  # noqa: F401, PLC0415 - registers the catalogue

    return _REGISTRY.get(code.upper())
