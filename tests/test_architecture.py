"""The shape of the package, read from its source: what may import what, and where codes live."""

from __future__ import annotations

import inspect

from portspec.lint import catalogue, rules
from portspec.lint.rule import Rule


def test_the_catalogue_lists_every_rule_once_in_code_order() -> None:
    defined = {
        cls
        for _, cls in inspect.getmembers(rules, inspect.isclass)
        if issubclass(cls, Rule) and cls.__module__ == rules.__name__ and "code" in vars(cls)
    }
    assert set(catalogue.RULES) == defined
    codes = [rule.code for rule in catalogue.RULES]
    assert codes == sorted(set(codes))


def test_every_rule_takes_its_name_severity_and_summary_from_the_codes() -> None:
    from portspec import codes
    from portspec.lint.rule import _doc

    assert [rule.code for rule in catalogue.RULES] == list(codes.CODES)
    for rule in catalogue.RULES:
        entry = codes.CODES[rule.code]
        assert (rule.name, rule.severity, rule.summary()) == (
            entry.name,
            entry.severity,
            entry.summary,
        )
        # The docstring opens with the same summary, for a reader of the code.
        assert _doc(rule).partition("\n")[0].strip() == entry.summary, rule.code
