"""Text to values: ``-p``/``--publish``, ``--expose`` and ``--link`` as Docker reads them.

The grammar (``grammar/*.lark``) says which texts have the right shape; this
module turns the parse into values, checks what a grammar cannot (numbers
above 65535, addresses, range lengths) and words every error for the user.
"""

from __future__ import annotations

import functools
import posixpath
from typing import Literal

from portspec import _grammar
from portspec._grammar import ErrorAt
from portspec._tokens import LinkName, Ports, Publish, PublishAddress, PublishContainer, Tok
from portspec.errors import PortSpecError
from portspec.model import (
    MAX_PORT,
    Dialect,
    Expose,
    HostAddress,
    Link,
    PortMapping,
    PortRange,
    Protocol,
    parse_address,
)

__all__ = ["parse_expose", "parse_link", "parse_publish"]

_CACHE_SIZE = 8192


def parse_publish(text: str, *, dialect: Dialect | str = Dialect.DOCKER) -> PortMapping:
    """Parse one ``-p``/``--publish`` value (short or long syntax) as ``dialect`` reads it.

    >>> str(parse_publish("127.0.0.1:8080:80/udp"))
    '127.0.0.1:8080:80/udp'
    >>> parse_publish("8000-8010:80").is_dynamic_range
    True

    ``dialect="compose"`` reads a short-syntax entry of a compose ``ports``
    list, as Docker Compose does. Bad input raises ``PortSpecError``.
    """
    _require_text(text, "a port mapping")
    if dialect is Dialect.DOCKER:
        return _parse_publish_cached(text, True)
    try:
        docker = Dialect(dialect) is Dialect.DOCKER
    except ValueError:
        raise PortSpecError(
            f"unknown dialect {dialect!r}: expected 'docker' or 'compose'"
        ) from None
    return _parse_publish_cached(text, docker)


def parse_expose(text: str) -> Expose:
    """Parse one ``--expose`` value.

    >>> str(parse_expose("7000-7010/udp"))
    '7000-7010/udp'
    """
    _require_text(text, "an exposed port")
    return _parse_expose_cached(text)


def parse_link(text: str) -> Link:
    """Parse one ``--link`` value: ``name``, ``name:alias`` or inspect's ``/name:/container/alias``.

    >>> parse_link("db:database")
    Link(name='db', alias='database')
    """
    _require_text(text, "a link")
    return _parse_link_cached(text)


def _require_text(text: object, what: str) -> None:
    if not isinstance(text, str):
        raise PortSpecError(f"expected {what} as text, not {type(text).__name__}")


# Values are immutable, so a parsed text can be handed out again as it is.
# (The dialect is a bool from here on, True for the docker CLI's: an Enum
# hashes in Python, a bool in C, and each use of an Enum member looks it up.)
@functools.lru_cache(maxsize=_CACHE_SIZE)
def _parse_publish_cached(text: str, docker: bool) -> PortMapping:
    if not docker:
        return _publish_short(text, False)
    if "=" in text:
        return _publish_long(text)
    tree = _grammar.parse(text, "publish", _publish_error, text, True)
    return _build_publish(tree, text, True)


def _publish_short(text: str, docker: bool) -> PortMapping:
    start: Literal["publish", "compose_publish"] = "publish" if docker else "compose_publish"
    return _build_publish(_grammar.parse(text, start, _publish_error, text, docker), text, docker)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _parse_expose_cached(text: str) -> Expose:
    tree = _grammar.parse(text, "expose", _expose_error, text)
    ports, _ = _port_range(tree.ports, "exposed", text)
    protocol = tree.protocol
    if protocol is None:
        return Expose(ports)
    known = Protocol.named(protocol.text)
    return Expose(ports, known if known is not None else protocol.text)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _parse_link_cached(text: str) -> Link:
    tree = _grammar.parse(text, "link", _link_error, text)
    if isinstance(tree, LinkName):
        return Link(tree.name.text, text=text)
    name = "" if tree.name is None else tree.name.text
    link_alias = "" if tree.alias is None else tree.alias.text
    if name.startswith("/"):
        # docker inspect shows links as /name:/container/alias.
        return _link_from_inspect(name, link_alias, text)
    return Link(name, link_alias, text=text)


def _link_from_inspect(name: str, alias: str, text: str) -> Link:
    # The CLI drops the name's leading '/' and keeps the alias's last path part.
    return Link(name[1:], posixpath.basename(alias), text=text)


# --------------------------------------------------------------- building


def _build_publish(tree: Publish, text: str, docker: bool) -> PortMapping:
    address = tree.address if isinstance(tree, PublishAddress) else None
    host_tree = None if isinstance(tree, PublishContainer) else tree.host
    container_part = tree.container

    # Docker checks the address, then the container port, then the host port.
    host_ip, host_ip_text = _host_address(address, text) if address is not None else (None, None)
    container_ports = container_part.ports
    container, extra = _port_range(container_ports, "container", text)
    ignored: tuple[str, ...] = () if extra is None else (extra.text,)
    if container_part.extra is not None:
        ignored += ("/" + container_part.extra.text,)
    protocol_tok = container_part.protocol
    protocol = Protocol.TCP
    if protocol_tok is not None:
        known = Protocol.named(protocol_tok.text.lower())
        assert known is not None, "the grammar admits tcp, udp and sctp only"
        protocol = known
    if not docker and container.start == 0:
        first = container_ports.first
        raise PortSpecError(
            "invalid container port 0: Compose needs a target port from 1 to 65535",
            text,
            (first.start, first.end),
        )

    host = None
    if host_tree is not None:
        host, extra = _port_range(host_tree, "host", text)
        if extra is not None:
            ignored += (extra.text,)
        if host.end - host.start != container.end - container.start and not container.is_single:
            first, last = host_tree.first, container_ports.last or container_ports.first
            raise PortSpecError(
                f"host ports {host} ({len(host)}) and container ports {container}"
                f" ({len(container)}) must be ranges of the same length",
                text,
                (first.start, last.end),
            )
    return PortMapping(container, protocol, host_ip, host, host_ip_text, ignored)


def _port_range(ports: Ports, what: str, text: str) -> tuple[PortRange, Tok | None]:
    first, last = ports.first, ports.last
    start = _port_number(first, what, text)
    if last is None:
        return PortRange(start, start), ports.extra
    end = _port_number(last, what, text)
    if end < start:
        raise PortSpecError(
            f"invalid {what} port range {start}-{end}: the end is before the start",
            text,
            (first.start, last.end),
        )
    return PortRange(start, end), ports.extra


def _port_number(token: Tok, what: str, text: str) -> int:
    digits = token.text
    if len(digits) > 5:
        # Go's ParseUint takes any number of leading zeros; more than five
        # significant digits is out of range whatever they are.
        digits = digits.lstrip("0") or "0"
    if len(digits) <= 5:
        number = int(digits)
        if number <= MAX_PORT:
            return number
    raise PortSpecError(
        f"invalid {what} port {_shorten(token.text)}: ports are 0-{MAX_PORT}",
        text,
        (token.start, token.end),
    )


def _host_address(token: Tok, text: str) -> tuple[HostAddress | None, str | None]:
    typed, offset = token.text, token.start
    if typed.startswith("[") and typed.endswith("]"):
        typed, offset = typed[1:-1], offset + 1
        if not typed:
            # Docker reads "[]" as no address at all.
            return None, None
    address = parse_address(typed)
    if address is not None:
        return address, typed
    reason = "Docker takes no IPv6 zone" if "%" in typed else "not an IPv4 or IPv6 address"
    raise PortSpecError(
        f"invalid host address {_shorten(typed)!r}: {reason}", text, (offset, offset + len(typed))
    )


def _publish_long(text: str) -> PortMapping:
    """``published=8080,target=80,protocol=udp``: docker run's reading of the long syntax."""
    options = _grammar.parse(text, "publish_long", _long_error, text)
    known: dict[str, Tok | None] = {}
    keys: dict[str, Tok] = {}
    ignored: list[str] = []
    for option in options:
        key, value = option.key, option.value
        if key.text in ("published", "target", "protocol"):
            if key.text in keys:
                ignored.append(_option_text(keys[key.text], known[key.text]))
            keys[key.text], known[key.text] = key, value
        else:
            ignored.append(_option_text(key, value))
    target = known.get("target")
    if target is None:
        span = (
            (keys["target"].start, keys["target"].end + 1) if "target" in keys else (0, len(text))
        )
        raise PortSpecError("the long syntax needs target=PORT, the container port", text, span)

    # docker run turns the options into "published:target/protocol" and
    # parses that, so published=127.0.0.1:8080 is an address and a port.
    pieces: list[tuple[str, int | None]] = []
    for name, default in (("published", ""), ("target", ""), ("protocol", "tcp")):
        token = known.get(name)
        if name != "published":
            pieces.append((":" if name == "target" else "/", None))
        pieces.append((default, None) if token is None else (token.text, token.start))
    short = "".join(piece for piece, _ in pieces)

    def where(position: int) -> int:
        offset = 0
        for piece, origin in pieces:
            if position <= offset + len(piece) and origin is not None:
                return origin + max(0, position - offset)
            offset += len(piece)
        return len(text)

    try:
        # The rebuilt text is read as short syntax whatever it holds, '=' included.
        mapping = _publish_short(short, True)
    except PortSpecError as error:
        span = (
            (0, len(text)) if error.span is None else (where(error.span[0]), where(error.span[1]))
        )
        if span[1] <= span[0]:
            span = (span[0], span[0] + 1)
        raise PortSpecError(error.message, text, span) from None
    return PortMapping(
        mapping.container,
        mapping.protocol,
        mapping.host_ip,
        mapping.host,
        mapping.host_ip_text,
        mapping.ignored + tuple(ignored),
    )


def _option_text(key: Tok, value: Tok | None) -> str:
    return f"{key.text}={'' if value is None else value.text}"


# ----------------------------------------------------------------- errors


def _fields(text: str) -> list[tuple[int, int]]:
    """The spans of the ':'-separated fields of ``text``."""
    spans, start = [], 0
    for part in text.split(":"):
        spans.append((start, start + len(part)))
        start += len(part) + 1
    return spans


def _publish_error(text: str, docker: bool, at: ErrorAt) -> PortSpecError:
    if not text:
        return PortSpecError("no port given: expected a container port such as 80", text, (0, 0))
    fields = _fields(text)
    host_field = fields[-2] if len(fields) >= 2 else None
    if host_field is not None and len(fields) >= 3:
        # Docker checks the address first, so its fault is the one to name.
        typed = text[: host_field[0] - 1]
        try:
            _host_address(Tok("HOST_IP", typed, 0, len(typed)), text)
        except PortSpecError as error:
            return error
    container_start = fields[-1][0]
    if at.position >= container_start:
        return _container_error(text, container_start, at.position, docker, len(fields) > 1)
    if host_field is not None and at.position >= host_field[0]:
        return _field_error("invalid host port", text, host_field, at.position)
    address = (0, host_field[0] - 1 if host_field is not None else len(text))
    return PortSpecError(
        f"invalid host address {_shorten(text[address[0] : address[1]])!r}:"
        " not an IPv4 or IPv6 address",
        text,
        address,
    )


def _container_error(
    text: str, start: int, position: int, docker: bool, after_colon: bool
) -> PortSpecError:
    slash = text.find("/", start)
    port_end = len(text) if slash < 0 else slash
    if port_end == start:
        where = " after ':'" if after_colon else ""
        return PortSpecError(f"expected a container port{where}", text, (start, start + 1))
    if position <= port_end:
        return _field_error("invalid container port", text, (start, port_end), position)
    protocol_end = len(text)
    if docker:
        second = text.find("/", slash + 1)
        protocol_end = len(text) if second < 0 else second
    protocol = text[slash + 1 : protocol_end]
    return PortSpecError(
        f"invalid protocol {_shorten(protocol)!r}: expected tcp, udp or sctp",
        text,
        (slash + 1, max(protocol_end, slash + 2)),
    )


def _field_error(message: str, text: str, field: tuple[int, int], position: int) -> PortSpecError:
    start, end = field
    value = text[start:end]
    span = (position, end) if start <= position < end else (start, end)
    if span[0] == span[1]:
        span = (span[0], span[0] + 1)
    return PortSpecError(f"{message} {_shorten(value)!r}", text, span)


def _expose_error(text: str, at: ErrorAt) -> PortSpecError:
    if not text:
        return PortSpecError("no port given: expected a port such as 80", text, (0, 0))
    colon = text.find(":")
    if colon >= 0:
        return PortSpecError(
            "--expose takes a port or a range, not a host port: publish with -p instead",
            text,
            (colon, colon + 1),
        )
    slash = text.find("/")
    port_end = len(text) if slash < 0 else slash
    if port_end == 0:
        return PortSpecError("expected a port before '/'", text, (0, 1))
    return _field_error("invalid port", text, (0, port_end), at.position)


def _link_error(text: str, at: ErrorAt) -> PortSpecError:
    if not text:
        return PortSpecError("no link given: expected a container name", text, (0, 0))
    second = text.find(":", text.find(":") + 1)
    return PortSpecError(
        "invalid link: expected NAME or NAME:ALIAS, with one ':' at most",
        text,
        (second, second + 1) if second >= 0 else (at.position, at.position + 1),
    )


def _long_error(text: str, at: ErrorAt) -> PortSpecError:
    start = text.rfind(",", 0, at.position) + 1
    end = text.find(",", at.position)
    end = len(text) if end < 0 else end
    option = text[start:end]
    return PortSpecError(
        f"invalid publish option {_shorten(option)!r}: expected name=value",
        text,
        (start, end) if end > start else (start, start + 1),
    )


def _shorten(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 3] + "..."
