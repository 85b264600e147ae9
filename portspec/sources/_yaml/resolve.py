"""How go-yaml types a scalar: its ``resolve()``, and Go's number parsers."""

from __future__ import annotations

import datetime
import math
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass  # type: ignore[import-untyped, unused-ignore]

from portspec.sources._yaml.nodes import ScalarStyle, ScalarValue

_YAML_TAG = "tag:yaml.org,2002:"
# The tags resolve() knows; any other tag leaves a scalar a string.
_RESOLVABLE = frozenset({"!!str", "!!bool", "!!int", "!!float", "!!null", "!!timestamp"})
# What the first character says a plain scalar may be (go-yaml's resolveTable).
_HINTS = {
    **dict.fromkeys("+-", "S"),
    **dict.fromkeys("0123456789", "D"),
    **dict.fromkeys("yYnNtTfFoO~", "M"),
    ".": ".",
}
_WORDS: dict[str, tuple[str, ScalarValue]] = {
    **dict.fromkeys(("true", "True", "TRUE"), ("!!bool", True)),
    **dict.fromkeys(("false", "False", "FALSE"), ("!!bool", False)),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), ("!!null", None)),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), ("!!float", math.nan)),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), ("!!float", math.inf)),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), ("!!float", -math.inf)),
}
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
# Go's strconv.ParseFloat on text that starts with '.': digits with single
# underscores between them, and an exponent.
_GO_DOT_FLOAT = re.compile(r"\.[0-9]+(?:_[0-9]+)*(?:[eE][-+]?[0-9]+(?:_[0-9]+)*)?")
# go-yaml's timestamp layouts: 2006-1-2T15:4:5.999999999Z07:00 (or 't'),
# 2006-1-2 15:4:5.999999999, and 2006-1-2, as Go's time.Parse reads them
# (a space in a layout stands for any run of spaces).
_TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:([Tt]| +)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,]([0-9]+))?"
    r"(Z|[-+][0-9]{2}:[0-9]{2})?)?"
)
_MAX_INT64 = (1 << 63) - 1
_MAX_UINT64 = (1 << 64) - 1
_DIGITS = {c: i for i, c in enumerate("0123456789abcdefghijklmnopqrstuvwxyz")}


class _TypingError(Exception):
    """A scalar its explicit tag cannot hold; the caller adds the position."""


def _short_tag(tag: str | None) -> str | None:
    if tag is None:
        return None
    if tag.startswith(_YAML_TAG):
        return "!!" + tag[len(_YAML_TAG) :]
    return tag


def _type_scalar(text: str, style: ScalarStyle, tag: str | None) -> tuple[str, ScalarValue]:
    """The YAML type and value go-yaml decodes a scalar to (into an ``interface{}``)."""
    if tag is None or tag == "!":
        if style is not ScalarStyle.PLAIN:
            return "!!str", text
        return _resolve_plain(text, timestamps=True)
    if tag == "!!str":
        return "!!str", text
    if tag == "!!binary":
        try:
            import base64  # noqa: PLC0415 - rare: !!binary
            import binascii  # noqa: PLC0415

            data = base64.b64decode(re.sub(r"[\r\n]", "", text), validate=True)
        except (binascii.Error, ValueError):
            raise _TypingError("!!binary value contains invalid base64 data") from None
        # Go keeps the bytes in a string; JSON shows invalid UTF-8 as U+FFFD.
        return "!!binary", data.decode("utf-8", errors="replace")
    if tag not in _RESOLVABLE:
        return tag, text
    found, value = _resolve_plain(text, timestamps=tag == "!!timestamp")
    if found == tag:
        return found, value
    if tag == "!!str":
        return "!!str", text
    if tag == "!!float" and found == "!!int" and isinstance(value, int) and value <= _MAX_INT64:
        return "!!float", float(value)
    raise _TypingError(f"cannot read {_shown(text)} as {tag}: it is a {found[2:]} in YAML")


def plain_type(text: str) -> str:
    """The tag go-yaml gives ``text`` written as a plain scalar: ``!!str``, ``!!int``, ...

    >>> plain_type("08"), plain_type("0o17"), plain_type("1e3"), plain_type("web")
    ('!!float', '!!int', '!!float', '!!str')
    """
    return _resolve_plain(text, timestamps=True)[0]


def _resolve_plain(text: str, *, timestamps: bool) -> tuple[str, ScalarValue]:
    """go-yaml's resolve() for an untagged plain scalar."""
    hint = _HINTS.get(text[:1], "N") if text else "N"
    if hint == "N" and text:
        return "!!str", text
    word = _WORDS.get(text)
    if word is not None:
        return word
    if hint == ".":
        if _GO_DOT_FLOAT.fullmatch(text):
            number = float(text.replace("_", ""))
            if not math.isinf(number):
                return "!!float", number
    elif hint in "DS":
        if timestamps:
            stamp = _parse_timestamp(text)
            if stamp is not None:
                return "!!timestamp", stamp
        plain = text.replace("_", "")
        integer = _go_parse_int(plain)
        if integer is not None:
            return "!!int", integer
        if _YAML_FLOAT.fullmatch(plain):
            number = float(plain)
            # Go refuses what overflows; Python would give inf.
            if not math.isinf(number):
                return "!!float", number
        if plain.startswith(("0b", "0o")):
            # go-yaml's own fallback reads the digits after the prefix with
            # a sign of their own: 0o-41 is -33.
            integer = _go_parse_int(plain[2:], 2 if plain[1] == "b" else 8)
            if integer is not None:
                return "!!int", integer
    return "!!str", text


def _go_parse_int(text: str, base: int = 0) -> int | None:
    """Go's ``ParseInt(text, base, 64)``, then ``ParseUint(text, base, 64)``; None if both fail."""
    negative = text[:1] == "-"
    signed = text[:1] in "+-" and text != ""
    digits = text[1:] if signed else text
    value = _go_parse_uint(digits, base)
    if value is None:
        return None
    if negative:
        return -value if value <= _MAX_INT64 + 1 else None
    if signed and value > _MAX_INT64:
        # ParseInt overflows and ParseUint refuses the sign.
        return None
    return value


def _go_parse_uint(text: str, base: int = 0) -> int | None:
    if not text:
        return None
    if base == 0:
        # Go's base prefixes; a lone leading 0 means octal.
        base = 10
        if text[0] == "0":
            prefix = text[1:2].lower()
            if len(text) >= 3 and prefix in ("b", "o", "x"):
                base = {"b": 2, "o": 8, "x": 16}[prefix]
                text = text[2:]
            else:
                base = 8
                text = text[1:]
    value = 0
    for char in text:
        digit = _DIGITS.get(char.lower(), 99)
        if digit >= base:
            return None
        value = value * base + digit
        if value > _MAX_UINT64:
            return None
    return value


def _parse_timestamp(text: str) -> datetime.datetime | None:
    """go-yaml's parseTimestamp (Go's ``time.Parse`` with its four layouts), or None."""
    if len(text) < 5 or text[4] != "-" or not text[:4].isdigit():
        return None
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return None
    year, month, day, sep, hour, minute, second, fraction, zone = match.groups()
    if sep is not None and (sep[0] == " ") != (zone is None):
        return None
    try:
        # Python has no year 0, which Go reads: the nearest instant will do,
        # as Compose refuses a timestamp wherever it finds one.
        stamp = datetime.datetime(
            max(int(year), 1),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
        )
    except ValueError:
        return None
    if zone is None or zone == "Z":
        return stamp.replace(tzinfo=datetime.timezone.utc)
    hours, minutes = int(zone[1:3]), int(zone[4:6])
    if hours > 24 or minutes > 60:
        return None
    offset = datetime.timedelta(hours=hours, minutes=minutes)
    if zone[0] == "-":
        offset = -offset
    try:
        return stamp.replace(tzinfo=datetime.timezone(offset))
    except ValueError:
        # Go takes offsets up to 24:60, Python's time zones stop short of 24
        # hours: keep the instant, in UTC.
        try:
            return (stamp - offset).replace(tzinfo=datetime.timezone.utc)
        except OverflowError:
            return stamp.replace(tzinfo=datetime.timezone.utc)


def _shown(text: str) -> str:
    return f"`{text}`" if len(text) <= 40 else f"`{text[:37]}...`"
