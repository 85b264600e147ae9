"""Fixes: made from the parsed value, proven on the fixed text, written as careful editors save."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import portspec.lint.fix
from portspec import PortMapping, parse_publish
from portspec.cli import EXIT_FAULT, EXIT_OK, EXIT_USAGE, main
from portspec.lint.diagnostic import Diagnostic, Edit, Fix, Severity
from portspec.lint.engine import lint_text
from portspec.lint.fix import WriteRefused, fix_text, write_fixed
from portspec.lint.rule import Context

QUOTE_ALL = Context(quote_all_ports=True)


def _every(code: str, path: str) -> bool:
    return True


def _compose(ports: str) -> str:
    return f"services:\n  a:\n    image: x\n    ports: [{ports}]\n"


# What Compose reads (go-yaml v3 keeps YAML 1.1 octals, reads 0o, 0x, 0b and
# `_` as Go's ParseInt with base 0 does), and the fix made from that value.
QUOTED = [
    ("017", '"15"'),
    ("0o17", '"15"'),
    ("1_000", '"1000"'),
    ("0x16", '"22"'),
    ("0b101", '"5"'),
    ("+80", '"80"'),
    ("22:22", '"22:22"'),
    ("8080:80", '"8080:80"'),
]
REBOUND = [
    ("026", '"127.0.0.1::22"'),
    ("0x16", '"127.0.0.1::22"'),
    ("22:22", '"127.0.0.1:22:22"'),
    ("'22:22'", "'127.0.0.1:22:22'"),
    ('"0.0.0.0:22:22"', '"127.0.0.1:22:22"'),
]


@pytest.mark.parametrize(("written", "fixed"), QUOTED, ids=[w for w, _ in QUOTED])
def test_quote_fix_writes_the_value_compose_reads(written: str, fixed: str) -> None:
    text = _compose(written)
    outcome = fix_text(text, lint_text(text, ctx=QUOTE_ALL, env={}), "compose")
    assert outcome.text == _compose(fixed)
    assert outcome.dropped == []


@pytest.mark.parametrize(("written", "fixed"), REBOUND, ids=[w for w, _ in REBOUND])
def test_rebind_fix_writes_the_value_compose_reads(written: str, fixed: str) -> None:
    text = _compose(written)
    found = [d for d in lint_text(text, env={}) if d.code == "PS301"]
    outcome = fix_text(text, found, "compose", unsafe=True)
    assert outcome.text == _compose(fixed)


def test_a_fix_whose_entry_reads_wrong_is_dropped_with_a_note() -> None:
    text = _compose("22:22")
    start = text.index("22:22")
    lying = Fix("quote", (Edit(start, start + 5, '"22:23"'),), value=parse_publish("22:22"))
    found = Diagnostic("f", 4, 13, 4, 18, "PS305", Severity.WARNING, "m", lying, start, start + 5)
    outcome = fix_text(text, [found], "compose")
    assert outcome.text == text
    assert outcome.fixed == []
    (note,) = outcome.dropped
    assert note.startswith("4:13: PS305 fix dropped: it would read as 22:23")


def test_a_fix_that_changes_anything_else_is_not_applied() -> None:
    text = _compose("22:22") + "  b:\n    image: y\n"
    start = text.index("22:22")
    # The edit closes the list early: the file no longer reads the same.
    breaking = Fix("x", (Edit(start, start + 5, '"22:22"], x: [1'),), value=parse_publish("22:22"))
    found = Diagnostic("f", 4, 13, 4, 18, "PS305", Severity.WARNING, "m", breaking, start, start)
    outcome = fix_text(text, [found], "compose")
    assert (outcome.text, outcome.fixed) == (text, [])
    assert outcome.dropped[0].startswith("no fix applied: the fixed file would read differently")


def test_no_fix_where_no_text_keeps_the_meaning() -> None:
    # An anchored or tagged scalar, or one with a variable, is left alone.
    for ports in ("&p 22:22", "!!str 22:22", "'${P}:22'"):
        found = lint_text(_compose(ports), ctx=QUOTE_ALL, env={"P": "22"}, enabled=_every)
        assert all(d.fix is None for d in found if d.code in ("PS305", "PS301", "PS309"))


def test_shell_fix_is_checked_too() -> None:
    text = "docker run -p 22:22 -p 5432:5432 sshd\n"
    found = lint_text(text, "run.sh", "shell", env={})
    outcome = fix_text(text, found, "shell", unsafe=True)
    assert outcome.text == "docker run -p 127.0.0.1:22:22 -p 127.0.0.1:5432:5432 sshd\n"
    values: list[PortMapping | None] = [d.fix.value for d in outcome.fixed if d.fix]
    assert [str(v) for v in values] == ["127.0.0.1:22:22", "127.0.0.1:5432:5432"]


# ------------------------------------------------------------------ writing

BAD = "services:\n  db:\n    image: postgres\n    ports:\n      - 22:22   # ssh\n"
GOOD = BAD.replace("- 22:22 ", '- "22:22" ')


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / ".git").mkdir()
    (folder / "compose.yaml").write_text(BAD)
    monkeypatch.chdir(folder)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_fix_replaces_the_file_atomically(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = project / "compose.yaml"
    target.chmod(0o640)
    inode = target.stat().st_ino
    status, _, err = run(capsys, "lint", "--fix", "--select", "PS305")
    assert (status, err) == (EXIT_OK, "Fixed 1 problem.\n")
    assert target.read_text() == GOOD
    assert target.stat().st_ino != inode  # a new file took its place
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in project.iterdir()) == [".git", "compose.yaml"]


def test_fix_keeps_a_hard_link(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = project / "compose.yaml"
    other = project.parent / "elsewhere.yaml"
    os.link(target, other)
    run(capsys, "lint", "--fix", "--select", "PS305")
    assert target.read_text() == other.read_text() == GOOD
    assert target.stat().st_ino == other.stat().st_ino
    assert target.stat().st_nlink == 2


@pytest.mark.parametrize("bits", [stat.S_ISUID, stat.S_ISGID, stat.S_ISVTX])
def test_fix_keeps_special_mode_bits(
    project: Path, capsys: pytest.CaptureFixture[str], bits: int
) -> None:
    target = project / "compose.yaml"
    target.chmod(0o755 | bits)
    inode = target.stat().st_ino
    run(capsys, "lint", "--fix", "--select", "PS305")
    assert target.read_text() == GOOD
    assert stat.S_IMODE(target.stat().st_mode) == 0o755 | bits
    assert target.stat().st_ino == inode


def test_fix_refuses_a_read_only_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = project / "compose.yaml"
    target.chmod(0o444)
    status, out, err = run(capsys, "lint", "--fix", "--select", "PS305")
    assert status == EXIT_USAGE
    assert err == "portspec: cannot fix compose.yaml: the file is read-only\n"
    assert target.read_text() == BAD
    assert "PS305" in out  # still reported: it was not fixed
    assert stat.S_IMODE(target.stat().st_mode) == 0o444


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_fix_keeps_owner_and_group(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = project / "compose.yaml"
    os.chown(target, 1234, 5678)
    target.chmod(0o664)
    run(capsys, "lint", "--fix", "--select", "PS305")
    info = target.stat()
    assert target.read_text() == GOOD
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (1234, 5678, 0o664)


def test_fix_skips_a_file_edited_since_it_was_read(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = project / "compose.yaml"
    edited = BAD + "# saved by an editor meanwhile\n"
    real = portspec.lint.fix.fix_text

    def edit_then_fix(*args: object, **kwargs: object) -> object:
        target.write_text(edited)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(portspec.lint.fix, "fix_text", edit_then_fix)
    status, _, err = run(capsys, "lint", "--fix", "--select", "PS305")
    assert status == EXIT_FAULT
    assert err == "portspec: compose.yaml not fixed: it changed since it was read\n"
    assert target.read_text() == edited


def test_an_edit_while_writing_is_detected(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = project / "compose.yaml"
    real = os.fchmod

    def edit_meanwhile(descriptor: int, mode: int) -> None:
        real(descriptor, mode)
        target.write_text("services: {}\n")

    monkeypatch.setattr(os, "fchmod", edit_meanwhile)
    assert write_fixed(target, BAD, GOOD) == "it changed since it was read"
    assert target.read_text() == "services: {}\n"
    assert sorted(p.name for p in project.iterdir()) == [".git", "compose.yaml"]


def test_write_keeps_the_encoding(tmp_path: Path) -> None:
    target = tmp_path / "compose.yaml"
    for codec, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")):
        target.write_bytes(bom + BAD.encode(codec))
        assert write_fixed(target, BAD, GOOD) is None
        assert target.read_bytes() == bom + GOOD.encode(codec)
        # As the YAML reader sees it, the byte order mark is the text's first character.
        assert write_fixed(target, "\ufeff" + GOOD, "\ufeff" + BAD) is None
        assert target.read_bytes() == bom + BAD.encode(codec)
    target.write_bytes(b"\xef\xbb\xbf" + BAD.replace("\n", "\r\n").encode())
    assert write_fixed(target, "\ufeff" + BAD.replace("\n", "\r\n"), "\ufeffx\r\n") is None
    assert target.read_bytes() == b"\xef\xbb\xbfx\r\n"


def test_write_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    with pytest.raises(WriteRefused):
        write_fixed(tmp_path / "missing.yaml", BAD, GOOD)
    fifo = tmp_path / "compose.yaml"
    os.mkfifo(fifo)
    assert write_fixed(fifo, BAD, GOOD) == "not a regular file"


def test_fix_never_writes_through_a_symlink_leaving_the_tree(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = project.parent / "outside"
    outside.mkdir()
    (outside / "compose.yaml").write_text(BAD)
    (project / "compose.yaml").unlink()
    (project / "compose.yaml").symlink_to(outside / "compose.yaml")
    _, _, err = run(capsys, "lint", "--fix", "--select", "PS305", "compose.yaml")
    assert (outside / "compose.yaml").read_text() == BAD
    assert "compose.yaml not fixed: it is a symlink to a file outside" in err


def test_utf16_file_is_fixed_or_left_alone_never_broken(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = project / "compose.yaml"
    target.write_bytes(BAD.encode("utf-16"))
    run(capsys, "lint", "--fix", "--select", "PS305")
    data = target.read_bytes()
    assert data[:2] == BAD.encode("utf-16")[:2]
    assert data.decode("utf-16") in (BAD, GOOD)
