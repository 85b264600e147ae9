"""Fixes keep meaning: a fixed entry reads as its fix promised, the rest as before.

Compose files spell each port in every way a YAML scalar can (plain,
single- and double-quoted; integers in decimal, YAML 1.1 octal, ``0o``,
``0x``, ``0b``, with ``_`` and a sign; strings that look like base-60
numbers), in flow and block style, with LF or CRLF and with or without a
byte order mark. Scripts and Makefiles quote their ``-p`` values in every
way the shell does. Every rule and every fix is on.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import event, given
from hypothesis import strategies as st

from portspec import Dialect, Project, load_compose, parse_publish
from portspec.lint.diagnostic import Diagnostic
from portspec.lint.engine import Source, lint, read_units
from portspec.lint.fix import fix_text
from portspec.lint.rule import Context
from portspec.lint.units import Kind
from portspec.model import PortMapping

_EVERY_RULE = Context(quote_all_ports=True)


def _everything(code: str, path: str) -> bool:
    return True


@dataclass(frozen=True)
class _Port:
    text: str  # as written in the file
    publish: str  # what Compose reads (the decimal form of an integer)


def _int_spellings(port: int) -> list[str]:
    spellings = [str(port), f"+{port}", f"0o{port:o}", f"0x{port:x}", f"0X{port:X}"]
    spellings += [f"0b{port:b}", f"0{port:o}"]
    if port >= 10:
        digits = str(port)
        spellings.append(f"{digits[0]}_{digits[1:]}")
    return spellings


@st.composite
def compose_ports(draw: st.DrawFn) -> _Port:
    if draw(st.booleans()):
        port = draw(st.sampled_from([15, 22, 80, 443, 3306, 5432, 6379, 8080]))
        return _Port(draw(st.sampled_from(_int_spellings(port))), str(port))
    host = draw(st.sampled_from(["", "22", "1", "2122", "8080", "0.0.0.0:22", "[::]:5432"]))
    container = draw(st.sampled_from(["22", "59", "80", "5432", "22/udp", "10-12"]))
    if container == "10-12":
        host = {
            "22": "22-24",
            "2122": "2122-2124",
            "8080": "8080-8082",
            "0.0.0.0:22": "0.0.0.0:22-24",
        }.get(host, "")
    value = f"{host}:{container}" if host else container
    if host.startswith(("0.0.0.0", "[::]")):
        value = f"{host}:{container}"
    quote = draw(st.sampled_from(["", "'", '"']))
    if not quote and (value.startswith("[") or (":" not in value and "/" not in value)):
        quote = '"'
    return _Port(f"{quote}{value}{quote}", value)


@st.composite
def compose_files(draw: st.DrawFn) -> tuple[str, list[list[_Port]]]:
    services = draw(
        st.lists(
            st.lists(
                compose_ports(),
                min_size=1,
                max_size=4,
                unique_by=lambda p: p.publish.removeprefix("0.0.0.0:"),
            ),
            min_size=1,
            max_size=3,
        )
    )
    flow = draw(st.booleans())
    lines = ["services:"]
    for number, ports in enumerate(services):
        lines.append(f"  s{number}:")
        lines.append("    image: x   # a comment")
        if flow:
            lines.append(f"    ports: [{', '.join(p.text for p in ports)}]")
        else:
            lines.append("    ports:")
            lines.extend(f"      - {p.text}" for p in ports)
    text = "\n".join(lines) + "\n"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text, services


def _promised(
    before: list[PortMapping], starts: list[int], fixed: list[Diagnostic]
) -> list[PortMapping]:
    by_start = {d.start: d.fix.value for d in fixed if d.fix is not None and d.fix.value}
    return [by_start.get(start, value) for value, start in zip(before, starts, strict=True)]


def _mappings(kind: Kind, text: str) -> tuple[list[PortMapping], list[int]]:
    units, _ = read_units([Source("f", kind, text=text)], env={})
    entries = [entry for unit in units for entry in unit.publish]
    return [e.value for e in entries], [e.site.start for e in entries]


def _lint(kind: Kind, text: str) -> list[Diagnostic]:
    name = {"compose": "compose.yaml", "makefile": "Makefile"}.get(kind, "run.sh")
    sources = [Source(name, kind, text=text)]
    return lint(sources, ctx=_EVERY_RULE, enabled=_everything, env={}).diagnostics


def _published(project: Project) -> list[PortMapping]:
    return [m for name in sorted(project.services) for m in project.services[name].publish]


def _exact(mappings: list[PortMapping]) -> list[tuple[PortMapping, str | None]]:
    return [(m, m.host_ip_text) for m in mappings]


def _fix_until_done(kind: Kind, text: str) -> tuple[str, int]:
    """Fix, then fix again what overlapping fixes left for the next run, checking each run."""
    runs = 0
    while True:
        outcome = fix_text(text, _lint(kind, text), kind, unsafe=True)
        # Every spelling generated here has a fix that keeps its meaning.
        assert outcome.dropped == []
        if not outcome.fixed:
            return text, runs
        runs += 1
        assert runs <= 3, "fixes that never end"
        before, starts = _mappings(kind, text)
        after, _ = _mappings(kind, outcome.text)
        assert _exact(after) == _exact(_promised(before, starts, outcome.fixed))
        if kind == "compose":
            # What the compose loader reads from the fixed file, port by port.
            project = load_compose(outcome.text, env={})
            assert _exact(_published(project)) == _exact(after)
        text = outcome.text


@given(compose_files())
def test_compose_fixes_keep_meaning(case: tuple[str, list[list[_Port]]]) -> None:
    text, services = case
    # Integers read as integers: 017 is port 15, never 17.
    written = [p.publish for ports in services for p in ports]
    original = _published(load_compose(text, env={}))
    assert original == [parse_publish(p, dialect=Dialect.COMPOSE) for p in written]
    fixed, runs = _fix_until_done("compose", text)
    # quote-all-ports has a fix for every plain entry.
    if any(p.text[:1] not in ("'", '"') for ports in services for p in ports):
        assert runs >= 1
    assert fixed.startswith("\ufeff") == text.startswith("\ufeff")
    assert ("\r\n" in fixed) == ("\r\n" in text)
    event(f"{runs} runs")


_WORDS = ["22:22", "5432:5432", "0.0.0.0:6379:6379", "::1:8080:80", "8080:80", "22", "22/udp"]


@st.composite
def command_files(draw: st.DrawFn) -> tuple[Kind, str]:
    kind: Kind = draw(st.sampled_from(["shell", "makefile"]))
    lines = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        words = []
        for value in draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3)):
            quote = draw(st.sampled_from(["", "'", '"']))
            flag = draw(st.sampled_from(["-p ", "--publish ", "--publish=", "-p"]))
            words.append(f"{flag}{quote}{value}{quote}")
        line = f"docker run {' '.join(words)} nginx"
        if draw(st.booleans()):
            line = line.replace(" nginx", " \\\n  nginx")
        lines.append(line)
    if kind == "makefile":
        text = "run:\n" + "".join(f"\t{line}\n" for line in lines)
    else:
        text = "#!/bin/sh\n" + "".join(f"{line}\n" for line in lines)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return kind, text


@given(command_files())
def test_command_fixes_keep_meaning(case: tuple[Kind, str]) -> None:
    kind, text = case
    _, runs = _fix_until_done(kind, text)
    event(f"{runs} runs")
