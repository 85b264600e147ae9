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
