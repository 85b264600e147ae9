"""Texts for the docker CLI to judge: valid values and the near misses around them.

Most of what is drawn here is one small step from a valid value (a leading
zero, a port past 65535, a reversed range, an address with a zone, a protocol
in odd case), because that is where a parser and Docker part ways.

The bulk comes from plain functions of a seeded ``random.Random``: drawing a
few thousand values through hypothesis's engine takes longer than docker
takes to judge them, and the differential test wants many values, not
shrinking. The same functions give hypothesis the terminals ``from_lark``
cannot draw (see ``grammar_values``), through ``st.randoms()``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from ipaddress import IPv6Address

import lark
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from portspec._grammar import grammar_text

__all__ = ["draw_many", "expose", "grammar_values", "link", "publish"]

Draw = Callable[[random.Random], str]


def _pick(rnd: random.Random, *choices: tuple[int, Draw]) -> str:
    """Call one of the draws, chosen in proportion to its weight."""
    weights = [weight for weight, _ in choices]
    ((_, draw),) = rnd.choices(choices, weights)
    return draw(rnd)


def _literal(*texts: str) -> Draw:
    return lambda rnd: rnd.choice(texts)


# --------------------------------------------------------------------- text

_CONTROL = [chr(c) for c in [*range(1, 32), *range(0x7F, 0xA0)]]


def any_char(rnd: random.Random) -> str:
    """Any character an argv entry can hold: not NUL, not a surrogate."""
    roll = rnd.random()
    if roll < 0.5:
        return chr(rnd.randint(0x20, 0x7E))
    if roll < 0.6:
        return rnd.choice(_CONTROL)
    if roll < 0.85:
        code = rnd.randint(0xA0, 0xFFFF)
        return chr(code) if not 0xD800 <= code <= 0xDFFF else "\ufffd"
    return chr(rnd.randint(0x10000, 0x10FFFF))


def any_text(rnd: random.Random, max_size: int = 12) -> str:
    return "".join(any_char(rnd) for _ in range(rnd.randint(0, max_size)))


_SYNTAX_CHARS = [*"0123456789:-/[].,=% \tabcdefABCDEFtcpuds_x", "\u0668", "\uff18", "\u200b"]


def syntax_text(rnd: random.Random, max_size: int = 16) -> str:
    """Text made of the characters the syntax uses, and a few that look like them."""
    return "".join(rnd.choice(_SYNTAX_CHARS) for _ in range(rnd.randint(0, max_size)))


# ------------------------------------------------------------------ numbers

_NUMBER_JUNK = _literal(
    *("", " 80", "80 ", "+80", "-80", "0x50", "1e2", "80.0", "1_000", "http"),
    *("8O", "\t80", "80\n", "\u0668\u0660", "\uff18\uff10", "0b1", "00"),
)
_COMMON_PORTS = (0, 1, 22, 53, 80, 443, 8080, 65534, 65535)


def port(rnd: random.Random) -> int:
    """A port number, now and then one past 65535."""
    roll = rnd.random()
    if roll < 0.7:
        return rnd.randint(0, 65535)
    if roll < 0.96:
        return rnd.choice(_COMMON_PORTS)
    return rnd.choice([65536, 65537, 99999, 100000, rnd.randint(65536, 10**12)])


def number(rnd: random.Random, value: int) -> str:
    """``value`` written plainly, after leading zeros, or (rarely) not at all."""
    roll = rnd.random()
    if roll < 0.85:
        return str(value)
    if roll < 0.97:
        return "0" * rnd.randint(1, 12) + str(value)
    return _NUMBER_JUNK(rnd)


def port_digits(rnd: random.Random) -> str:
    return number(rnd, port(rnd)) if rnd.random() < 0.9 else str(port(rnd))


def span(rnd: random.Random) -> tuple[int, int]:
    """A first and last port, mostly ordered and short."""
    # A range of thousands of ports makes docker send megabytes: a few will do.
    length = _pick(
        rnd,
        (50, lambda _: "0"),
        (25, lambda r: str(r.randint(0, 4))),
        (15, lambda r: str(r.randint(0, 100))),
        (9, lambda r: str(r.randint(0, 2000))),
        (1, lambda r: str(r.randint(0, 70000))),
    )
    start = port(rnd)
    if rnd.random() < 0.9 and start + int(length) > 65535:
        start = max(0, 65535 - int(length))
    return start, start + int(length)


_RANGE_EXTRA = _literal("", "3", "x", "-", "a/b", "1-2", " ", "x=y")


def range_extra(rnd: random.Random) -> str:
    """What may follow a range: Docker reads two numbers and drops the rest."""
    return _pick(rnd, (1, _RANGE_EXTRA), (1, lambda r: any_text(r, 4)))


def range_text(rnd: random.Random, ports: tuple[int, int], extra: Draw = range_extra) -> str:
    """A port or a range as typed: reversed, with a third part, half open now and then."""
    start, end = ports
    first = number(rnd, start)
    if start == end and rnd.random() < 0.7:
        return first
    second = number(rnd, end)
    form = rnd.choice(["range"] * 12 + ["extra"] * 2 + ["reversed", "double-dash", "open"])
    if form == "reversed":
        return f"{second}-{first}"
    if form == "extra":
        return f"{first}-{second}-{extra(rnd)}"
    if form == "double-dash":
        return f"{first}--{second}"
    if form == "open":
        return rnd.choice([f"{first}-", f"-{second}"])
    return f"{first}-{second}"


# ----------------------------------------------------------------- protocols


def known_protocol(rnd: random.Random) -> str:
    word = rnd.choice(["tcp", "udp", "sctp"])
    if rnd.random() < 0.7:
        return word
    return "".join(ch.upper() if rnd.random() < 0.5 else ch for ch in word)


_ODD_PROTOCOL = _literal(
    *("", "icmp", "tcpx", " tcp", "tcp ", "tc", "ud", "TCP6", "http"), "\u017fctp", "tcp\n"
)


def protocol_suffix(rnd: random.Random) -> str:
    """What follows the container port: nothing, '/udp', '/tcp/whatever', '//'."""
    return _pick(
        rnd,
        (5, lambda _: ""),
        (5, lambda r: "/" + known_protocol(r)),
        (
            1,
            _literal("/", "//", "//udp", "/udp/", "/tcp:", "/tcp/x", "/sctp/ anything", "/udp/a=b"),
        ),
        (1, lambda r: "/" + _ODD_PROTOCOL(r) if r.random() < 0.5 else ""),
        (1, lambda r: f"/{known_protocol(r)}/{any_text(r)}"),
    )


# ----------------------------------------------------------------- addresses


def ipv4(rnd: random.Random) -> str:
    return ".".join(str(rnd.choice([0, 1, 127, 255, rnd.randint(0, 255)])) for _ in range(4))


_IPV4_ODD_FIXED = _literal(
    *("1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.", ".1.2.3", "0.0.0.0", "255.255.255.255")
)


def ipv4_odd(rnd: random.Random) -> str:
    return _pick(
        rnd,
        (1, lambda r: f"{r.randint(0, 255):03d}.{r.randint(0, 255)}.0.1"),
        (1, lambda r: f"10.{r.randint(256, 999)}.0.1"),
        (1, _IPV4_ODD_FIXED),
    )


def ipv6(rnd: random.Random) -> str:
    """An IPv6 address, compressed, written out, in capitals or mapping an IPv4 one."""
    groups = [rnd.choice([0, 0, 1, rnd.randint(1, 0xFFFF)]) for _ in range(8)]
    address = IPv6Address(sum(group << (16 * (7 - i)) for i, group in enumerate(groups)))
    form = rnd.choice(["compressed", "compressed", "exploded", "upper", "mapped"])
    if form == "exploded":
        return address.exploded
    if form == "upper":
        return address.compressed.upper()
    if form == "mapped":
        return "::ffff:" + ipv4(rnd)
    return address.compressed


_IPV6_ODD_FIXED = _literal(
    *("1:2:3:4:5:6:7:8:9", "1::2::3", ":::", "::1:", "1:2:3:4:5:6:7::8", "0::0001"),
    *("00000::1", "::ffff:01.2.3.4", "::ffff:1.2.3.256", "12345::1", "g::1", "localhost"),
)


def ipv6_odd(rnd: random.Random) -> str:
    return _pick(rnd, (1, lambda r: ipv6(r) + r.choice(["%eth0", "%1", "%"])), (1, _IPV6_ODD_FIXED))


def host_ip(rnd: random.Random) -> str:
    """What stands before the host port: addresses, bracketed or bare, good and bad."""
    return _pick(
        rnd,
        (6, ipv4),
        (1, ipv4_odd),
        (4, ipv6),
        (4, lambda r: f"[{ipv6(r)}]"),
        (1, ipv6_odd),
        (1, lambda r: f"[{_pick(r, (1, ipv6_odd), (1, ipv4), (1, lambda _: ''))}]"),
        (1, _literal("[", "]", "[::1", "::1]", "[::1]x", "x[::1]", "[[::1]]", "[::1]:1")),
        (1, syntax_text),
    )


# ---------------------------------------------------------------------- -p


def publish_short(rnd: random.Random) -> str:
    """``80``, ``8080:80/udp``, ``[::1]:8000-8010:80``, ``127.0.0.1::80`` and near misses."""
    container_ports = span(rnd)
    container = range_text(rnd, container_ports) + protocol_suffix(rnd)
    shape = rnd.choice(["container"] * 2 + ["host"] * 3 + ["address"] * 3 + ["no-host", "many"])
    if shape == "container":
        return container
    start = port(rnd)
    host_kind = rnd.choice(["same"] * 5 + ["dynamic", "other"])
    if host_kind == "same":
        host_ports = (start, start + container_ports[1] - container_ports[0])
    elif host_kind == "dynamic":
        host_ports = (start, start + rnd.randint(1, 100))
    else:
        host_ports = span(rnd)
    host = range_text(rnd, host_ports, lambda r: _pick(r, (1, range_extra), (1, syntax_text)))
    if shape == "host":
        return f"{host}:{container}"
    if shape == "no-host":
        return f"{host_ip(rnd) if rnd.random() < 0.9 else ''}::{container}"
    if shape == "many":
        parts = [_pick(rnd, (3, port_digits), (1, syntax_text)) for _ in range(rnd.randint(0, 4))]
        return ":".join([*parts, host, container])
    return f"{host_ip(rnd)}:{host}:{container}"


_KEYS = ("published", "target", "protocol")
_OTHER_KEYS = ("mode", "host_ip", "name", "app_protocol")
_ODD_KEYS = ("", "x", "Target", " target", "target ", "PUBLISHED", "publish")


def _long_key(rnd: random.Random) -> str:
    return _pick(
        rnd,
        (6, _literal(*_KEYS)),
        (2, _literal(*_OTHER_KEYS)),
        (1, _literal(*_ODD_KEYS)),
        (1, lambda r: any_text(r, 8).replace("=", "").replace(",", "")),
    )


def _long_value(rnd: random.Random, key: str) -> str:
    if rnd.random() < 0.1:
        return _pick(rnd, (1, lambda _: ""), (1, syntax_text), (1, any_text))
    if key == "published":
        host = range_text(rnd, span(rnd))
        return f"{host_ip(rnd)}:{host}" if rnd.random() < 0.2 else host
    if key == "target":
        suffix = protocol_suffix(rnd) if rnd.random() < 0.15 else ""
        return range_text(rnd, span(rnd)) + suffix
    if key == "protocol":
        return _pick(rnd, (3, known_protocol), (1, _ODD_PROTOCOL), (1, lambda _: "tcp/x"))
    if key == "mode":
        return rnd.choice(["host", "ingress", "x"])
    if key == "host_ip":
        return host_ip(rnd)
    return _pick(rnd, (3, any_text), (1, lambda _: "http"))


def _long_option(rnd: random.Random) -> str:
    key = _long_key(rnd)
    form = rnd.choice(["pair"] * 30 + ["no-equals", "empty", "two-equals"])
    if form == "no-equals":
        return key
    if form == "empty":
        return ""
    value = _long_value(rnd, key)
    if rnd.random() < 0.9:
        # Random text holds commas now and then, which cut the option in two.
        value = value.replace(",", "")
    return f"{key}={value}={value}" if form == "two-equals" else f"{key}={value}"


def publish_long(rnd: random.Random) -> str:
    """``published=8080,target=80,protocol=udp``: known, unknown, repeated and empty options."""
    options = [_long_option(rnd) for _ in range(rnd.randint(1, 3))]
    if rnd.random() < 0.9:
        # Most long values carry a target, as real ones do.
        options.insert(rnd.randint(0, len(options)), f"target={_long_value(rnd, 'target')}")
    return ",".join(options)


def mutated(draw: Draw) -> Draw:
    """``draw``'s text with one or two characters inserted, removed or replaced."""

    def mutate(rnd: random.Random) -> str:
        text = draw(rnd)
        for _ in range(rnd.randint(1, 2)):
            if not text:
                text = syntax_text(rnd)
                continue
            at = rnd.randrange(len(text))
            char = rnd.choice(":-/[],=.0 9aAf%") if rnd.random() < 0.7 else any_char(rnd)
            edit = rnd.choice(["insert", "delete", "replace"])
            if edit == "insert":
                text = text[:at] + char + text[at:]
            elif edit == "delete":
                text = text[:at] + text[at + 1 :]
            else:
                text = text[:at] + char + text[at + 1 :]
        return text

    return mutate


def publish(rnd: random.Random) -> str:
    """One ``-p`` value: short or long syntax, a near miss, or junk."""
    return _pick(
        rnd,
        (12, publish_short),
        (4, publish_long),
        (2, mutated(publish_short)),
        (1, mutated(publish_long)),
        (1, syntax_text),
        (1, any_text),
    )


# ------------------------------------------------------------------ --expose


def _expose_ports(rnd: random.Random) -> str:
    suffix = _pick(
        rnd,
        (8, protocol_suffix),
        (2, lambda r: "/" + any_text(r)),
        (1, _literal(":80", ":", "/tcp:x", "/:")),
    )
    return range_text(rnd, span(rnd)) + suffix


def expose(rnd: random.Random) -> str:
    """One ``--expose`` value: a port or range, any protocol text, a host port by mistake."""
    return _pick(
        rnd, (10, _expose_ports), (2, mutated(_expose_ports)), (1, syntax_text), (1, any_text)
    )


# -------------------------------------------------------------------- --link

_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_NAME_REST = _NAME_CHARS + "_.-"


def link_name(rnd: random.Random) -> str:
    return _pick(
        rnd,
        (4, lambda r: r.choice(_NAME_CHARS) + "".join(r.choices(_NAME_REST, k=r.randint(0, 12)))),
        (1, _literal("", "/", "/db", "//db", "/web/db", "db/", ".", "..", "a b", "db\n")),
        (1, lambda r: any_text(r, 8).replace(":", "")),
    )


def _link_shapes(rnd: random.Random) -> str:
    shape = rnd.choice(["name", "alias", "alias", "inspect", "colons"])
    name = link_name(rnd)
    if shape == "name":
        return name
    if shape == "inspect":
        return f"/{name}:/{link_name(rnd)}/{link_name(rnd)}"
    if shape == "colons":
        return ":".join(link_name(rnd) for _ in range(rnd.randint(3, 4)))
    return f"{name}:{link_name(rnd)}"


def link(rnd: random.Random) -> str:
    """One ``--link`` value: name, name:alias, inspect's /name:/container/alias, or worse."""
    return _pick(
        rnd, (6, _link_shapes), (1, mutated(_link_shapes)), (1, syntax_text), (1, any_text)
    )


# ------------------------------------------------------------------- drawing


def draw_many(draw: Draw, count: int, seed: str) -> list[str]:
    """``count`` distinct values of ``draw``, the same on every run for the same ``seed``."""
    rnd = random.Random(seed)
    values: dict[str, None] = {}
    for _ in range(count * 5):
        if len(values) == count:
            break
        values.setdefault(draw(rnd))
    return list(values)


# ---------------------------------------------------------- from the grammar


def _from(draw: Draw) -> st.SearchStrategy[str]:
    return st.randoms(use_true_random=False).map(draw)


# Hypothesis draws each terminal of a grammar on its own and keeps a draw only
# if the terminal's pattern matches it there; a look-ahead for what follows
# (Docker's cutting at colons: an address needs the ':' after it) never does.
# These terminals are drawn here, with the values most worth trying; any other
# look-around terminal is drawn from its pattern with the look-arounds cut out.
_EXPLICIT: dict[str, st.SearchStrategy[str]] = {
    "HOST_IP": _from(host_ip),
    "HOST_PORT": _from(port_digits),
    "CONTAINER_PORT": _from(port_digits),
    "PORT": _from(port_digits),
    "PROTOCOL": _from(known_protocol),
}
_ANY_CHAR = st.characters(codec="utf-8", exclude_characters="\x00")
_LOOK_AROUND = re.compile(r"\(\?<?[=!]")


def without_look_arounds(pattern: str) -> str:
    """``pattern`` with its ``(?=...)``, ``(?!...)``, ``(?<=...)`` and ``(?<!...)`` cut out.

    >>> without_look_arounds(r"[0-9]+(?![0-9])(?=[^:(]*\\Z)")
    '[0-9]+'
    """
    out: list[str] = []
    at = 0
    while at < len(pattern):
        found = _LOOK_AROUND.match(pattern, at)
        if found is None:
            end = _atom_end(pattern, at)
            out.append(pattern[at:end])
            at = end
            continue
        depth, at = 1, found.end()
        while depth:
            if pattern[at] == "(":
                depth += 1
            elif pattern[at] == ")":
                depth -= 1
            at = _atom_end(pattern, at)
    return "".join(out)


def _atom_end(pattern: str, at: int) -> int:
    """Where the escape, character class or single character at ``at`` ends."""
    if pattern[at] == "\\":
        return at + 2
    if pattern[at] != "[":
        return at + 1
    at += 1
    if at < len(pattern) and pattern[at] == "^":
        at += 1
    if at < len(pattern) and pattern[at] == "]":
        at += 1  # a ']' first in a class stands for itself
    while pattern[at] != "]":
        at += 2 if pattern[at] == "\\" else 1
    return at + 1


def grammar_values(name: str, starts: Sequence[str], count: int) -> list[str]:
    """``count`` texts drawn from rules ``starts`` of ``grammar/<name>.lark``, the same each run."""
    strategies = [_from_lark(name, start) for start in starts]
    drawn: dict[str, None] = {}

    @settings(
        max_examples=count,
        database=None,
        derandomize=True,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.one_of(strategies))
    def draw(value: str) -> None:
        if "\x00" not in value:  # an argv entry cannot hold one
            drawn.setdefault(value)

    draw()
    return list(drawn)


def _from_lark(name: str, start: str) -> st.SearchStrategy[str]:
    parser = lark.Lark(grammar_text(name), parser="lalr", start=[start])
    terminals, rules, _ = parser.grammar.compile([start], ())
    used = {t.name for t in terminals}
    for rule in rules:
        used |= {symbol.name for symbol in rule.expansion if symbol.is_term}
    explicit = {key: value for key, value in _EXPLICIT.items() if key in used}
    for terminal in terminals:
        pattern = terminal.pattern.to_regexp()
        if terminal.name not in explicit and _LOOK_AROUND.search(pattern):
            explicit[terminal.name] = st.from_regex(
                without_look_arounds(pattern), fullmatch=True, alphabet=_ANY_CHAR
            )
    return from_lark(parser, start=start, explicit=explicit, alphabet=_ANY_CHAR)
