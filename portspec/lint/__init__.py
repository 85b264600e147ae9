"""The linter: rules over compose files, scripts, Makefiles, Dockerfiles and Markdown.

>>> from portspec.lint import lint_text
>>> print(lint_text("services:\\n  db:\\n    ports: ['5432:5432']\\n", "compose.yaml")[0])
compose.yaml:3:13: PS301 port 5432 (PostgreSQL) is published on all interfaces
"""

from portspec.lint.catalogue import all_rules, get_rule
from portspec.lint.diagnostic import Diagnostic, Edit, Fix, Severity
from portspec.lint.engine import LintResult, Source, default_enabled, lint, lint_text
from portspec.lint.rule import Context, Example, Finding, Rule

__all__ = [
    "Context",
    "Diagnostic",
    "Edit",
    "Example",
    "Finding",
    "Fix",
    "LintResult",
    "Rule",
    "Severity",
    "Source",
    "all_rules",
    "default_enabled",
    "get_rule",
    "lint",
    "lint_text",
]
