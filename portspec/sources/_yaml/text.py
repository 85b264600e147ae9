"""The text of a YAML file: decoding, line positions, and errors with a caret."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass  # type: ignore[import-untyped, unused-ignore]

from portspec._files import decode
from portspec.errors import PortSpecError
from portspec.model import Span
from portspec.sources._yaml.nodes import Node, Scalar

#: What YAML does not allow in a stream, and its line breaks.
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BREAKS = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def _decode(data: str | bytes, path: str | None) -> tuple[str, int]:
    """The text of a stream, and 1 if it starts with a byte order mark libyaml skips."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        try:
            text = decode(raw)
        except UnicodeDecodeError as error:
            utf16 = error.encoding.startswith("utf-16")
            skip = 2 if utf16 else 0
            shown = raw[skip:].decode(error.encoding, errors="replace")
            good = raw[skip : error.start].decode(error.encoding, errors="replace")
            byte = raw[error.start]
            what = "UTF-16" if utf16 else "UTF-8"
            offset = len(good) + skip // 2
            raise _error_at(
                "\ufeff" * (skip // 2) + shown,
                f"invalid {what} at byte offset {error.start} (0x{byte:02x}):"
                " Compose reads YAML files as UTF-8 (or UTF-16 after a byte order mark)",
                offset,
                offset + 1,
                path,
            ) from None
    elif isinstance(data, str):
        text = data
    else:
        raise PortSpecError(f"expected YAML as text or bytes, not {type(data).__name__}")
    bad = _NOT_PRINTABLE.search(text)
    if bad is not None:
        char = bad.group()
        raise _error_at(
            text,
            f"control characters are not allowed: found U+{ord(char):04X}",
            bad.start(),
            bad.start() + 1,
            path,
        )
    return text, 1 if text.startswith("\ufeff") else 0


def _line_of(text: str, index: int) -> tuple[int, int, int, int]:
    """The 1-based line and column of ``index``, and where that line starts and ends."""
    line, start = 1, 0
    for match in _BREAKS.finditer(text, 0, index):
        if match.end() > index:
            break
        line += 1
        start = match.end()
    found = _BREAKS.search(text, index)
    end = found.start() if found is not None else len(text)
    end = max(end, index)
    return line, index - start + 1, start, end


class YamlError(PortSpecError):
    """A YAML fault; ``location`` is its place in the whole text, ``reason`` the bare message."""

    def __init__(
        self, message: str, text: str, span: tuple[int, int] | None, location: Span, reason: str
    ) -> None:
        super().__init__(message, text, span)
        self.location = location
        self.reason = reason


def _error_at(
    text: str, message: str, index: int, end: int | None, path: str | None
) -> PortSpecError:
    index = max(0, min(index, len(text)))
    if not text[index:].strip():
        # A fault found at the end of the stream belongs after the last text.
        index = len(text.rstrip())
        end = None
    line, column, line_start, line_end = _line_of(text, index)
    stop = min(end if end is not None else index + 1, line_end)
    where = f"{path}:{line}:{column}" if path else f"line {line}, column {column}"
    source_line = text[line_start:line_end].lstrip("\ufeff") if line_start == 0 else None
    if source_line is None:
        source_line = text[line_start:line_end]
    trimmed = len(text[line_start:line_end]) - len(source_line)
    start_in_line = max(0, index - line_start - trimmed)
    stop_in_line = max(start_in_line + 1, stop - line_start - trimmed)
    location = Span(index, max(stop, index), line, column, path)
    return YamlError(
        f"{where}: {message}", source_line, (start_in_line, stop_in_line), location, message
    )


def _node_error(message: str, node: Node, path: str | None) -> PortSpecError:
    span = node.span
    where = (
        f"{path}:{span.line}:{span.column}" if path else f"line {span.line}, column {span.column}"
    )
    raw = node.raw if isinstance(node, Scalar) else ""
    return YamlError(f"{where}: {message}", raw, (0, len(raw)) if raw else None, span, message)
