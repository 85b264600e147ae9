"""The pages of docs/rules/ are exactly what the rules generate, and none is left over."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portspec.lint import Rule, all_rules
from portspec.lint._docs import COMMAND, index_page, rule_page, write_pages

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "docs" / "rules"
RULES = list(all_rules())
SECTIONS = ["Why it matters", "Fails", "Passes", "What portspec reports", "Suppressing it"]
STALE = f"docs/rules is out of date: run `{COMMAND}` from the project root"


def _read(path: Path) -> str:
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing; {STALE}"
    return path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_page_is_generated(rule: type[Rule]) -> None:
    assert _read(FOLDER / f"{rule.code}.md") == rule_page(rule), STALE


def test_index_is_generated() -> None:
    assert _read(FOLDER / "index.md") == index_page(), STALE


def test_no_stale_pages() -> None:
    expected = {f"{rule.code}.md" for rule in RULES} | {"index.md"}
    present = {path.name for path in FOLDER.iterdir()}
    assert present == expected, f"unexpected {sorted(present - expected)}; {STALE}"


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_page_reports_its_own_code(rule: type[Rule]) -> None:
    page = rule_page(rule)
    reports = page.partition("## What portspec reports")[2].partition("\n## ")[0]
    assert re.search(rf"^\S+:\d+:\d+: {rule.code} ", reports, re.MULTILINE), reports


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_page_has_every_section(rule: type[Rule]) -> None:
    page = rule_page(rule)
    assert page.startswith(f"# {rule.code}: {rule.name}\n")
    headings = re.findall(r"^## (.+)$", page, re.MULTILINE)
    assert headings == SECTIONS
    assert f"portspec: ignore[{rule.code}]" in page
    assert str(ROOT) not in page  # nothing of this machine


def test_index_links_every_rule() -> None:
    index = index_page()
    for rule in RULES:
        assert f"[{rule.code}]({rule.code}.md)" in index


def test_write_pages_removes_retired_codes(tmp_path: Path) -> None:
    (tmp_path / "PS999.md").write_text("retired\n")
    (tmp_path / "notes.txt").write_text("kept\n")
    written = write_pages(tmp_path)
    assert [path.name for path in written] == [f"{r.code}.md" for r in RULES] + ["index.md"]
    assert not (tmp_path / "PS999.md").exists()
    assert (tmp_path / "notes.txt").exists()
    assert all(path.read_text(encoding="utf-8").endswith("\n") for path in written)
    assert (tmp_path / f"{RULES[0].code}.md").read_text(encoding="utf-8") == rule_page(RULES[0])
