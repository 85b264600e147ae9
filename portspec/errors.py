"""The one exception family portspec raises for bad input."""

from __future__ import annotations

from portspec._escape import printable, printable_pieces

__all__ = ["PortSpecError"]

# Inputs longer than this are shown cut around the fault, so a 1 MB argument
# still gives a readable, bounded message.
_CONTEXT = 60


class PortSpecError(ValueError):
    """Bad input: a message, the text it came from and the span of the fault.

    ``str()`` shows the text with a caret under the fault::

        >>> try:
        ...     parse_publish("127.0.0.1:99999:80")
        ... except PortSpecError as error:
        ...     print(error)
        invalid host port 99999: ports are 0-65535
          127.0.0.1:99999:80
                    ^^^^^
    """

    def __init__(
        self,
        message: str,
        text: str = "",
        span: tuple[int, int] | None = None,
        *,
        prefix: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.text = text
        if span is not None:
            start, end = span
            start = max(0, min(start, len(text)))
            end = max(start, min(end, len(text)))
            span = (start, end)
        self.span = span
        #: What stood before ``text`` where the user typed it (``-p `` on a
        #: command line); shown, never counted in ``span``.
        self.prefix = prefix

    def __str__(self) -> str:
        if self.span is None and not self.text:
            return printable(self.message)
        return f"{printable(self.message)}\n{self.caret_lines()}"

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.message, self.text, self.span, self.prefix))

    def caret_lines(self, indent: str = "  ") -> str:
        """The text on one line and the carets under the fault on the next."""
        start, end = self.span if self.span is not None else (len(self.text), len(self.text))
        shown, offset = _window(self.text, start, end)
        pieces = printable_pieces(shown)
        shown_line = printable(self.prefix) + "".join(pieces)
        before = len(printable(self.prefix)) + sum(len(p) for p in pieces[: start - offset])
        width = max(1, sum(len(p) for p in pieces[start - offset : end - offset]))
        return f"{indent}{shown_line}\n{indent}{' ' * before}{'^' * width}"


def _rebuild(message: str, text: str, span: tuple[int, int] | None, prefix: str) -> PortSpecError:
    return PortSpecError(message, text, span, prefix=prefix)


def _window(text: str, start: int, end: int) -> tuple[str, int]:
    """The part of ``text`` worth showing around ``start:end`` and where it begins."""
    if len(text) <= 2 * _CONTEXT + 20:
        return text, 0
    lo = max(0, start - _CONTEXT)
    hi = min(len(text), max(min(end, start + 2 * _CONTEXT), start + 1) + _CONTEXT)
    return text[lo:hi], lo
