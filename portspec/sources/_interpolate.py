"""Variable interpolation and ``.env`` files, as Docker Compose v2 (compose-go) does them.

compose-go substitutes with one regular expression and a few string
functions (``template/template.go``); this module reads the text once and
gives what they give, quirks included, keeping where each variable stood:

- ``$VAR`` and ``${VAR}``: the value, or ``""`` when unset (Compose warns);
- ``${VAR:-default}`` / ``${VAR-default}``: the default when unset or empty / unset;
- ``${VAR:+alt}`` / ``${VAR+alt}``: ``alt`` when set and not empty / set, else the value;
- ``${VAR:?message}`` / ``${VAR?message}``: an error when unset or empty / unset;
- ``$$`` is a ``$``; a ``$`` before anything but a name, ``{`` or ``$`` stays as it is;
- ``${`` not followed by a name and ``}`` (``${}``, ``${1A}``, ``${A``) is an error;
- a default, alternative or message is interpolated itself, and always: in
  ``${A:-${B}}`` Compose looks ``B`` up (and warns) even when ``A`` is set.

Names are ``[_a-zA-Z][_a-zA-Z0-9]*`` (and the two letters Go's case folding
adds, U+017F and U+212A). Compose interpolates string values only: never keys,
never numbers or booleans, and after YAML has typed them.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from portspec.errors import PortSpecError

__all__ = [
    "Interpolated",
    "Variable",
    "interpolate",
    "parse_dotenv",
    "project_environment",
]

# compose-go's pattern, with Go's (?i) spelled out: Go's simple case folding
# lets [a-z] match U+017F (long s) and U+212A (Kelvin), and nothing else.
_NAME = "[_a-zA-Z\u017f\u212a][_a-zA-Z0-9\u017f\u212a]*"


class RequiredVariableError(PortSpecError):
    """``${NAME:?message}`` (or ``${NAME?message}``) met with NAME missing a value."""

    def __init__(self, message: str, text: str, span: tuple[int, int], variable: str) -> None:
        super().__init__(message, text, span)
        #: The variable that is missing.
        self.variable = variable


@dataclass(frozen=True, slots=True)
class Variable:
    """One variable a text looked up: its name, where it stood, and what it gave.

    ``start:end`` is the whole reference (``$PORT``, ``${PORT:-80}``) in the
    text given to ``interpolate``.
    """

    name: str
    start: int
    end: int
    #: ``""`` for ``$VAR``/``${VAR}``, else ``":-"``, ``"-"``, ``":+"``, ``"+"``, ``":?"``, ``"?"``.
    operator: str = ""
    #: Whether the environment holds the variable (perhaps empty).
    is_set: bool = False
    #: What the environment holds for it (``""`` when unset).
    value: str = field(default="", compare=False)

    @property
    def unset_without_default(self) -> bool:
        """Compose substitutes ``""`` and warns: ``$VAR``/``${VAR}`` with ``VAR`` unset."""
        return not self.operator and not self.is_set


@dataclass(frozen=True, slots=True)
class Interpolated:
    """The text after interpolation, and every variable looked up on the way, in order."""

    text: str
    variables: tuple[Variable, ...] = ()

    @property
    def unset(self) -> tuple[Variable, ...]:
        """The variables Compose warns about: unset, with no default (it substitutes ``""``).

        >>> [v.name for v in interpolate("${HOST}:${PORT:-80}", {}).unset]
        ['HOST']
        """
        return tuple(v for v in self.variables if v.unset_without_default)


def interpolate(text: str, env: Mapping[str, str], *, where: str | None = None) -> Interpolated:
    """Substitute variables in ``text`` from ``env`` exactly as Compose does.

    >>> interpolate("${HOST:-0.0.0.0}:$PORT:80", {"PORT": "8080"}).text
    '0.0.0.0:8080:80'
    >>> interpolate("$$HOME", {}).text
    '$HOME'

    ``where`` names the value in messages as Compose does
    (``services.web.ports.[]``). A bad reference (``${1A}``, ``${A``) and a
    missing required variable (``${A:?message}``) raise ``PortSpecError`` with
    a caret under the reference. Time grows linearly with the text, however
    the references nest.
    """
    if not isinstance(text, str):
        raise PortSpecError(f"expected text to interpolate, not {type(text).__name__}")
    if "$" not in text:
        return Interpolated(text)
    run = _Run(text, _getter(env), where)
    result = run.substitute()
    return Interpolated(result, tuple(run.variables))


_NAME_AT = re.compile(_NAME)
_OPERATOR_AT = re.compile(r":?[-+?]")


class _Argument(NamedTuple):
    """A reference whose argument (default, alternative or message) is being substituted.

    compose-go substitutes the argument, and then the rest of the match after
    the reference's closing brace, by calling itself; here each is a stretch
    on a stack, so no nesting overflows Python's. Its substituted pieces go
    to the one output list, from ``mark`` on: a level of nesting holds no
    list of its own.
    """

    #: Where the argument's text ends.
    end: int
    #: Where its substituted pieces begin in the output.
    mark: int
    name: str
    operator: str
    #: The whole reference, ``${`` to its closing brace.
    start: int
    stop: int
    #: Where the rest of the match ends: it is substituted after the argument.
    rest_end: int


class _Run:
    """compose-go's SubstituteWithOptions over one text, in one pass.

    compose-go matches ``${NAME<operator>`` up to the last ``}`` of the line,
    cuts the match at its first balanced ``}`` (getFirstBraceClosingIndex, which
    skips the character after each ``{``), substitutes the argument and the
    rest of the match as templates of their own, and keeps the first fault.
    Both brace positions come from indexes made once for the text, so no
    stretch is read again for each reference around it.
    """

    def __init__(self, text: str, lookup: Callable[[str], str | None], where: str | None) -> None:
        self.text = text
        self.lookup = lookup
        self.where = where
        self.variables: list[Variable] = []
        self._closing: list[int] | None = None
        self._breaks: list[int] = []
        self._partners: dict[int, int] = {}

    def substitute(self) -> str:
        """The whole text substituted; the first fault, in compose-go's order, raised."""
        text = self.text
        # Every substituted piece, in order. An argument's pieces stay in
        # place when it is what the reference gives, and are replaced by the
        # value when not: each piece is written once and dropped at most once.
        out: list[str] = []
        # The stretches still to substitute, innermost last: where each is
        # read up to (``positions``) and, for an argument, its reference.
        positions = [0]
        stack: list[_Argument | int] = [len(text)]
        while stack:
            top = stack[-1]
            end = top if isinstance(top, int) else top.end
            position = positions[-1]
            dollar = text.find("$", position, end)
            if dollar == -1:
                out.append(text[position:end])
                stack.pop()
                positions.pop()
                if not isinstance(top, int):
                    self.apply(top, out)
                    if top.stop < top.rest_end:
                        stack.append(top.rest_end)
                        positions.append(top.stop)
                continue
            out.append(text[position:dollar])
            after = dollar + 1
            char = text[after] if after < end else ""
            if char == "$":
                out.append("$")
                positions[-1] = after + 1
                continue
            if char != "{":
                named = _NAME_AT.match(text, after, end)
                if named is None:
                    out.append("$")
                    positions[-1] = after
                    continue
                out.append(self.plain(named.group(), dollar, named.end()))
                positions[-1] = named.end()
                continue
            braced = _NAME_AT.match(text, after + 1, end)
            if braced is None:
                raise self.invalid(dollar, end)
            name, name_end = braced.group(), braced.end()
            if name_end < end and text[name_end] == "}":
                out.append(self.plain(name, dollar, name_end + 1))
                positions[-1] = name_end + 1
                continue
            operator = _OPERATOR_AT.match(text, name_end, end)
            # (.*) runs to the last '}' of the line: without one the match fails
            last = -1 if operator is None else self.last_closing(operator.end(), end)
            if operator is None or last == -1:
                raise self.invalid(dollar, end)
            cut = self.partner(after)
            if cut == -1 or cut > last:
                cut = last
            positions[-1] = last + 1
            reference = _Argument(cut, len(out), name, operator.group(), dollar, cut + 1, last + 1)
            stack.append(reference)
            positions.append(operator.end())
        return "".join(out)

    def plain(self, name: str, start: int, end: int) -> str:
        """``$NAME`` or ``${NAME}``: the value, or ``""`` (Compose warns)."""
        found = self.lookup(name)
        self.variables.append(Variable(name, start, end, "", found is not None, found or ""))
        return found or ""

    def apply(self, reference: _Argument, out: list[str]) -> None:
        """One of compose-go's six SubstituteFuncs, its argument substituted at the end of ``out``.

        What the reference gives replaces the argument there, unless it is
        the argument itself.
        """
        name, operator = reference.name, reference.operator
        start, end = reference.start, reference.stop
        found = self.lookup(name)
        is_set = found is not None
        value = found or ""
        self.variables.append(Variable(name, start, end, operator, is_set, value))
        if operator in (":-", "-"):
            keep = not is_set or (operator == ":-" and not value)
        elif operator in (":+", "+"):
            keep = is_set and (operator == "+" or bool(value))
        elif not is_set or (operator == ":?" and not value):
            message = "".join(out[reference.mark :])
            reason = f": {message}" if message else ""
            where = f"error while interpolating {self.where}: " if self.where else ""
            raise RequiredVariableError(
                f"{where}required variable {name} is missing a value{reason}",
                self.text,
                (start, end),
                name,
            )
        else:
            keep = False
        if not keep:
            del out[reference.mark :]
            out.append(value)

    def last_closing(self, start: int, end: int) -> int:
        """The last ``}`` from ``start`` to the end of its line (or of ``end``), or -1."""
        if self._closing is None:
            self.index()
        assert self._closing is not None
        line_end = bisect.bisect_left(self._breaks, start)
        if line_end < len(self._breaks):
            end = min(end, self._breaks[line_end])
        found = bisect.bisect_left(self._closing, end) - 1
        if found >= 0 and self._closing[found] >= start:
            return self._closing[found]
        return -1

    def partner(self, opening: int) -> int:
        """Where getFirstBraceClosingIndex, started at ``opening - 1``, stops; or -1."""
        if self._closing is None:
            self.index()
        return self._partners.get(opening, -1)

    def index(self) -> None:
        """Every ``}`` and line break, and each ``${``'s balanced ``}`` as compose-go counts."""
        text = self.text
        self._closing = [m.start() for m in re.finditer("}", text)]
        self._breaks = [m.start() for m in re.finditer("\n", text)]
        # getFirstBraceClosingIndex skips the character after each '{' it
        # counts. Every scan starts at a '$', so whether a character is skipped
        # depends only on the run of '{' before it: one pass serves them all.
        opened: list[int] = []
        skipped = -1
        partners = self._partners
        for match in re.finditer("[{}]", text):
            at = match.start()
            if at == skipped:
                continue
            if text[at] == "{":
                opened.append(at)
                skipped = at + 1
            elif opened:
                partners[opened.pop()] = at

    def invalid(self, start: int, limit: int) -> PortSpecError:
        where = f" for {self.where}" if self.where else ""
        # Show the reference up to its closing brace, or to the end of its line.
        end = start + 2
        while end < limit and self.text[end - 1] != "}" and self.text[end] != "\n":
            end += 1
        return PortSpecError(
            f"invalid interpolation format{where}: a '$' must start $NAME, ${{NAME}} or"
            " ${NAME:-default}; write $$ for a literal $",
            self.text,
            (start, end),
        )


def _getter(env: Mapping[str, str]) -> Callable[[str], str | None]:
    def lookup(name: str) -> str | None:
        value = env.get(name)
        return value if isinstance(value, str) else None

    return lookup


# ------------------------------------------------------------------ .env files

# dotenv's isSpace (Go's spaces but the line break), and Go's unicode.IsSpace.
_SPACES = "\t\v\f\r \x85\xa0"
_GO_SPACES = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_EXPORT = re.compile(r"export[\t\n\f\r ]+")
_ESCAPE = re.compile(r"\\(?:[abcfnrtv$\"\\]|0[0-9]{0,3})")
_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    '"': '"',
    "\\": "\\",
}


def parse_dotenv(
    text: str | bytes,
    *,
    environ: Mapping[str, str] | None = None,
    path: str | None = None,
) -> dict[str, str]:
    """The variables of a ``.env`` file, read as Compose reads ``--env-file``.

    >>> parse_dotenv("# ports\\nexport PORT=8080\\nHOST='127.0.0.1' # local\\nURL=$HOST:${PORT}\\n")
    {'PORT': '8080', 'HOST': '127.0.0.1', 'URL': '127.0.0.1:8080'}

    ``KEY=value`` and ``KEY: value``, ``export KEY=value``, single quotes
    (literal), double quotes (escapes, then interpolation), `` #`` comments
    after unquoted values, and a bare ``KEY`` that copies the variable from
    ``environ``. Values are interpolated from ``environ`` (the process
    environment) first, then from the file's own earlier lines. Bad lines
    raise ``PortSpecError``.
    """
    out: dict[str, str] = {}
    _read_dotenv(text, out, environ if environ is not None else {}, path)
    return out


def project_environment(
    environ: Mapping[str, str], *env_files: str | bytes, paths: Sequence[str] = ()
) -> dict[str, str]:
    """The variables Compose interpolates with: the process environment, then ``.env`` files.

    >>> project_environment({"PORT": "9090"}, "PORT=8080\\nHOST=0.0.0.0\\n")
    {'PORT': '9090', 'HOST': '0.0.0.0'}

    The files are read in order into one set of variables (a later file
    overrides an earlier one, and sees its variables); a variable of the
    process environment always wins.
    """
    files: dict[str, str] = {}
    for index, content in enumerate(env_files):
        _read_dotenv(content, files, environ, paths[index] if index < len(paths) else None)
    merged = dict(environ)
    for key, value in files.items():
        merged.setdefault(key, value)
    return merged


def _read_dotenv(
    text: str | bytes, out: dict[str, str], environ: Mapping[str, str], path: str | None
) -> None:
    if isinstance(text, (bytes, bytearray)):
        # Go reads the bytes as they are: a byte that is not UTF-8 is U+FFFD
        # wherever it is looked at (and refused in a name).
        text = bytes(text).decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]

    def lookup(name: str) -> str | None:
        if name in environ:
            return environ[name]
        return out.get(name)

    _DotEnv(text, out, lookup, path).parse()


class _DotEnv:
    """compose-go's dotenv parser (``dotenv/parser.go``), line counting and all."""

    def __init__(
        self,
        text: str,
        out: dict[str, str],
        lookup: Callable[[str], str | None],
        path: str | None,
    ) -> None:
        self.text = text
        self.out = out
        self.lookup = lookup
        self.path = path
        self.line = 1

    def error(self, message: str, position: int) -> PortSpecError:
        start = self.text.rfind("\n", 0, position) + 1
        end = self.text.find("\n", position)
        end = len(self.text) if end == -1 else end
        where = f"{self.path}:{self.line}" if self.path else f"line {self.line}"
        return PortSpecError(
            f"{where}: {message}", self.text[start:end], (position - start, end - start)
        )

    def parse(self) -> None:
        position = 0
        text = self.text
        while True:
            position = self.statement_start(position)
            if position >= len(text):
                return
            key, position, inherited = self.key_name(position)
            if " " in key:
                raise self.error("key cannot contain a space", position)
            if inherited:
                value = self.lookup(key)
                if value is not None:
                    self.out[key] = value
                continue
            value, position = self.value(position)
            self.out[key] = value

    def statement_start(self, position: int) -> int:
        text = self.text
        while True:
            # Go's unicode.IsSpace, counting line breaks as it goes.
            while position < len(text) and text[position] in _GO_SPACES:
                if text[position] == "\n":
                    self.line += 1
                position += 1
            if position >= len(text) or text[position] != "#":
                return position
            newline = text.find("\n", position)
            if newline == -1:
                return len(text)
            position = newline

    def key_name(self, position: int) -> tuple[str, int, bool]:
        text = self.text
        start = position
        if _EXPORT.match(text, position):
            position += len("export")
            while position < len(text) and text[position] in _SPACES:
                position += 1
            start = position
        index = position
        while index < len(text):
            char = text[index]
            if char in _SPACES:
                index += 1
                continue
            if char in "=:\n":
                key = text[start:index]
                inherited = char == "\n"
                offset = index + 1
                break
            if char in "_.-[]" or char.isalpha() or _is_number(char):
                index += 1
                continue
            line_end = text.find("\n", start)
            first_line = text[start : len(text) if line_end == -1 else line_end]
            raise self.error(
                f"unexpected character {_go_quote(char)} in variable name {_go_quote(first_line)}",
                index,
            )
        else:
            if start >= len(text):
                raise self.error("zero length string", start)
            # The text ends inside a name: compose-go reads the line as the
            # value of an empty key.
            key, offset, inherited = "", start, False
        if inherited and " " not in key:
            self.line += 1
        key = _go_rstrip(key)
        position = offset
        while position < len(text) and text[position] in _SPACES:
            position += 1
        return key, position, inherited

    def value(self, position: int) -> tuple[str, int]:
        text = self.text
        quote = text[position : position + 1]
        if quote not in ("'", '"'):
            newline = text.find("\n", position)
            end = len(text) if newline == -1 else newline
            rest = len(text) if newline == -1 else newline + 1
            self.line += 1
            value = text[position:end]
            comment = value.find(" #")
            if comment != -1:
                value = value[:comment]
            return self.expand(_go_rstrip(value), position), rest
        chars: list[str] = []
        escaped = False
        index = position + 1
        while index < len(text):
            char = text[index]
            if char == "\n":
                self.line += 1
            if char != quote:
                if not escaped and char == "\\":
                    escaped = True
                    index += 1
                    continue
                if escaped:
                    escaped = False
                    chars.append("\\")
                chars.append(char)
                index += 1
                continue
            if escaped:
                escaped = False
                chars.append(char)
                index += 1
                continue
            value = "".join(chars)
            if quote == '"':
                value = self.expand(_expand_escapes(value), position + 1)
            return value, index + 1
        newline = text.find("\n", position)
        end = len(text) if newline == -1 else newline
        raise self.error(f"unterminated quoted value {text[position:end]}", position)

    def expand(self, value: str, position: int) -> str:
        try:
            return _Run(value, self.lookup, None).substitute()
        except PortSpecError as error:
            where = f"{self.path}:{self.line}" if self.path else f"line {self.line}"
            raise PortSpecError(f"{where}: {error.message}", error.text, error.span) from None


def _expand_escapes(value: str) -> str:
    """dotenv's expandEscapes: shell-like escapes in a double-quoted value."""

    def one(match: re.Match[str]) -> str:
        escape = match.group()
        if escape == "\\$":
            # Not a Go escape: left for interpolation as $$.
            return "$$"
        if escape.startswith("\\0"):
            digits = escape[2:]
            # Go's UnquoteChar reads \ and exactly three octal digits.
            if len(digits) == 3 and all(c in "01234567" for c in digits):
                number = int(digits, 8)
                if number <= 0xFF:
                    return chr(number)
            return escape
        return _ESCAPES.get(escape[1], escape)

    return _ESCAPE.sub(one, value)


def _is_number(char: str) -> bool:
    """Go's unicode.IsNumber: categories Nd, Nl and No."""
    return unicodedata.category(char) in ("Nd", "Nl", "No")


def _go_rstrip(text: str) -> str:
    end = len(text)
    while end and text[end - 1] in _GO_SPACES:
        end -= 1
    return text[:end]


def _go_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
