"""``docker run`` and ``docker create`` command lines, read as the docker CLI reads them.

The CLI parses its flags with spf13/pflag: ``--flag=value`` and ``--flag value``,
``-p value``, ``-pvalue`` and ``-p=value``, boolean shorthands combined
(``-dp 3000:3000``), ``--`` to end the flags, and ``--rm=false`` for a boolean.
The first argument that is not a flag is the image; everything after it is the
container's command, never flags. The flags themselves are data, in
``portspec/sources/_docker_flags.py``.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from portspec._parse import parse_expose, parse_link, parse_publish
from portspec.errors import PortSpecError
from portspec.model import Container, Expose, Link, Located, PortMapping, Span
from portspec.sources import _shell
from portspec.sources._docker_flags import CREATE_FLAGS, GLOBAL_FLAGS, RUN_FLAGS, Flag
from portspec.sources._network import (
    Attachment,
    NetworkError,
    NetworkFlags,
    check_attachments,
    parse_network,
)
from portspec.sources._shell import Word
from portspec.sources.scripts import split_command

__all__ = ["CommandError", "CommandSites", "parse_docker_run", "read_command"]

# Flags whose value portspec reads: a shell expansion there leaves it unknown.
_UNKNOWABLE = frozenset({"publish", "expose", "link", "network", "net", "publish-all", "name"})
_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def parse_docker_run(argv: Sequence[str] | str) -> Container:
    """Read a ``docker run``/``docker create`` command line into a ``Container``.

    The leading ``docker run``, ``docker container run``, ``docker create`` (and
    ``sudo``, and docker's own flags such as ``-H``) may be there or not; the
    image and its command may follow the flags or be absent. A string is split
    as a POSIX shell would split it.

    >>> web = parse_docker_run("docker run -dp 127.0.0.1:8080:80 --link db nginx")
    >>> [str(mapping) for mapping in web.publish], web.links, web.image
    (['127.0.0.1:8080:80'], (Link(name='db', alias='db'),), 'nginx')

    Unknown flags, missing values and bad ports or links raise
    ``PortSpecError`` with a caret under the argument at fault.
    """
    if isinstance(argv, str):
        text, words = argv, split_command(argv)
    elif isinstance(argv, Sequence) and all(isinstance(arg, str) for arg in argv):
        text, words = _shell.join(list(argv))
    else:
        raise PortSpecError(f"expected a command line as text or a list of text, not {argv!r}")
    try:
        return _CommandLine(text, words).read()
    except CommandError as error:
        raise PortSpecError(error.message, error.text, error.span) from None


class CommandError(PortSpecError):
    """A command line the docker CLI refuses; ``flag`` names the flag whose value is at fault."""

    def __init__(
        self, message: str, text: str, span: tuple[int, int], *, flag: str | None = None
    ) -> None:
        super().__init__(message, text, span)
        self.flag = flag


Offsets = tuple[int, int]


@dataclass(frozen=True, slots=True)
class CommandSites:
    """Where each value of a command line stood, as spans into its text.

    ``publish``, ``expose`` and ``links`` are the container's values in
    order, each ``Located`` with its text as the CLI received it; ``networks``
    and ``name`` the texts of ``--network`` and ``--name``. ``unknown`` holds
    the flags (``""`` for a word in the place of flags) whose value is a
    shell expansion, which portspec does not guess.
    """

    command: Span
    publish: tuple[Located[PortMapping], ...] = ()
    expose: tuple[Located[Expose], ...] = ()
    links: tuple[Located[Link], ...] = ()
    networks: tuple[Located[str], ...] = ()
    publish_all: Span | None = None
    unknown: tuple[tuple[str, Span], ...] = ()
    #: The ``--name`` value, if given.
    name: Located[str] | None = None
    #: ``-d``: the command returns while the container runs on.
    detach: bool = False
    #: ``--rm``: the container is removed when it stops.
    remove: bool = False


def read_command(
    text: str, words: Sequence[Word], unknown: AbstractSet[int] = frozenset()
) -> tuple[Container, CommandSites]:
    """Read ``words`` (spans into ``text``) as a command line, and say where each value stood.

    ``unknown`` holds the indexes of words that depend on a shell expansion: a
    flag value among them is reported in ``CommandSites.unknown`` and not read;
    such a word where a flag may stand is taken for flags when flags follow it.
    Raises ``CommandError``.

    >>> from portspec.sources.scripts import split_command
    >>> text = "docker run -p 8080:80 --expose $P nginx"
    >>> container, sites = read_command(text, split_command(text), {5})
    >>> [(str(p.value), p.text, p.span.start) for p in sites.publish]
    [('8080:80', '8080:80', 14)]
    >>> [(flag, text[span.start : span.end]) for flag, span in sites.unknown]
    [('expose', '$P')]
    """
    line = _CommandLine(text, list(words))
    line.unknown_starts = {words[i].start for i in unknown}
    container = line.read()
    first, last = (words[0].start, words[-1].end) if words else (0, 0)
    return container, CommandSites(
        line.span(first, last),
        tuple(line.located["publish"]),
        tuple(line.located["expose"]),
        tuple(line.located["link"]),
        tuple(line.located["network"]),
        line.publish_all_site,
        tuple(line.unknown_sites),
        line.name_site,
        line.switches.get("detach", False),
        line.switches.get("rm", False),
    )


@dataclass
class _CommandLine:
    text: str
    words: list[Word]
    position: int = 0
    flags: dict[str, Flag] = field(default_factory=lambda: RUN_FLAGS)
    publish: list[PortMapping] = field(default_factory=list)
    expose: list[Expose] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    networks: list[tuple[Attachment, Word]] = field(default_factory=list)
    network_flags: NetworkFlags = field(default_factory=NetworkFlags)
    flag_words: dict[str, Word] = field(default_factory=dict)
    publish_all: bool = False
    name: str | None = None
    unknown_starts: AbstractSet[int] = frozenset()
    located: dict[str, list[Located[Any]]] = field(
        default_factory=lambda: {"publish": [], "expose": [], "link": [], "network": []}
    )
    publish_all_site: Span | None = None
    unknown_sites: list[tuple[str, Span]] = field(default_factory=list)
    name_site: Located[str] | None = None
    switches: dict[str, bool] = field(default_factory=dict)
    _line_starts: list[int] = field(default_factory=list)

    def span(self, start: int, end: int) -> Span:
        """``text[start:end]`` as a ``Span``, with its 1-based line and column."""
        starts = self._line_starts
        if not starts:
            starts.append(0)
            starts.extend(match.end() for match in re.finditer("\n", self.text))
        line = bisect.bisect_right(starts, start)
        return Span(start, end, line, start - starts[line - 1] + 1)

    def read(self) -> Container:
        self._skip_command_words()
        positional = self._read_flags()
        self._check_networks()
        image = positional[0].value if positional else None
        return Container(
            name=self.name,
            publish=tuple(self.publish),
            expose=tuple(self.expose),
            publish_all=self.publish_all,
            links=tuple(self.links),
            networks=tuple(attachment.target for attachment, _ in self.networks),
            image=image,
            command=tuple(word.value for word in positional[1:]),
        )

    # ------------------------------------------------------------- words

    def _peek(self) -> Word | None:
        return self.words[self.position] if self.position < len(self.words) else None

    def _skip_command_words(self) -> None:
        """Step over ``sudo docker [global flags] [container] run|create``."""
        word = self._peek()
        if word is not None and word.value == "sudo":
            self.position += 1
            word = self._peek()
        if word is None or word.value != "docker":
            return
        self.position += 1
        self._read_global_flags()
        word = self._peek()
        if word is not None and word.value == "container":
            self.position += 1
            word = self._peek()
        if word is None or word.value not in ("run", "create"):
            found = "nothing" if word is None else repr(word.value)
            span = (len(self.text), len(self.text)) if word is None else (word.start, word.end)
            raise PortSpecError(
                f"expected 'run' or 'create' after 'docker', found {found}", self.text, span
            )
        self.flags = RUN_FLAGS if word.value == "run" else CREATE_FLAGS
        self.position += 1

    def _read_global_flags(self) -> None:
        while (word := self._peek()) is not None and word.value.startswith("-"):
            self.position += 1
            self._flag(word, GLOBAL_FLAGS, lambda _name, _value, _word: None)

    def _read_flags(self) -> list[Word]:
        while (word := self._peek()) is not None:
            arg = word.value
            if arg == "--":
                self.position += 1
                break
            if len(arg) < 2 or not arg.startswith("-"):
                if not self._unknown_flags(word):
                    break
                continue
            self.position += 1
            self._flag(word, self.flags, self._apply)
        return self.words[self.position :]

    def _unknown_flags(self, word: Word) -> bool:
        """Whether ``word``, an expansion where a flag may stand, is taken for flags.

        It is when a flag follows it: ``docker run $OPTS -p 80:80 nginx``.
        """
        if word.start not in self.unknown_starts or self.text[word.start] not in '$`"':
            return False  # text before the expansion: an image such as ``nginx:<tag>``
        following = self.words[self.position + 1] if self.position + 1 < len(self.words) else None
        if following is None or not following.value.startswith("-"):
            return False
        self.unknown_sites.append(("", self.span(word.start, word.end)))
        self.position += 1
        return True

    # ------------------------------------------------------------- flags

    def _flag(
        self,
        word: Word,
        flags: dict[str, Flag],
        apply: Callable[[str, str, tuple[Word, int]], None],
    ) -> None:
        """One argument that starts with '-': a long flag or a run of shorthands."""
        arg = word.value
        if arg.startswith("--"):
            name, equals, value = arg[2:].partition("=")
            if not name or name.startswith(("-", "=")):
                raise self._error(f"bad flag syntax: {arg}", word)
            if name not in flags:
                raise self._error(f"unknown flag: --{name}", word)
            kind = flags[name][1]
            if equals:
                apply(name, _value(kind, name, value, self, word), (word, len(name) + 3))
            elif kind is None:
                apply(name, "true", (word, len(arg)))
            else:
                apply(name, *self._next_value(word, name))
            return
        shorthands = _shorthands(flags)
        letters = arg[1:]
        while letters:
            letter = letters[0]
            if letter not in shorthands:
                raise self._error(f"unknown shorthand flag: '{letter}' in {arg}", word)
            name = shorthands[letter]
            kind = flags[name][1]
            offset = len(arg) - len(letters)
            if len(letters) > 2 and letters[1] == "=":
                apply(name, _value(kind, name, letters[2:], self, word), (word, offset + 2))
                return
            if kind is None:
                apply(name, "true", (word, offset))
                letters = letters[1:]
            elif len(letters) > 1:
                apply(name, letters[1:], (word, offset + 1))
                return
            else:
                apply(name, *self._next_value(word, name, letter))
                return

    def _next_value(
        self, word: Word, name: str, letter: str | None = None
    ) -> tuple[str, tuple[Word, int]]:
        """The next word, the value of ``--name`` (or of the shorthand ``letter`` in ``word``)."""
        value_word = self._peek()
        if value_word is None:
            flag = f"--{name}" if letter is None else f"'{letter}' in {word.value}"
            raise self._error(f"flag needs an argument: {flag}", word)
        self.position += 1
        return value_word.value, (value_word, 0)

    def _apply(self, name: str, value: str, where: tuple[Word, int]) -> None:
        word, offset = where
        site = (word.start + offset, word.end) if word.plain else (word.start, word.end)
        if word.start in self.unknown_starts and name in _UNKNOWABLE:
            refused = _refused_whatever_it_holds(name, value)
            if refused is not None:
                message, (start, end) = refused
                span = (site[0] + start, site[0] + end) if word.plain else site
                raise CommandError(f"--{name}: {message}", self.text, span, flag=name)
            self.unknown_sites.append((name, self.span(*site)))
            return
        if name in ("detach", "rm"):
            self.switches[name] = value == "true"
        try:
            if name == "publish":
                mapping = parse_publish(value)
                self.publish.append(mapping)
                self.located["publish"].append(Located(mapping, self.span(*site), value))
            elif name == "expose":
                expose = parse_expose(value)
                self.expose.append(expose)
                self.located["expose"].append(Located(expose, self.span(*site), value))
            elif name == "link":
                link = parse_link(value)
                self.links.append(link)
                self.located["link"].append(Located(link, self.span(*site), value))
            elif name == "publish-all":
                self.publish_all = value == "true"
                self.publish_all_site = self.span(word.start, word.end)
            elif name in ("network", "net"):
                self.networks.append((parse_network(value), where[0]))
                self.located["network"].append(Located(value, self.span(*site), value))
            elif name == "name":
                self.name = value
                self.name_site = Located(value, self.span(*site), value)
            else:
                self.network_flags.set(name, value)
            self.flag_words[name] = where[0]
        except PortSpecError as error:
            raise self._inner_error(error, name, *where) from None

    def _check_networks(self) -> None:
        try:
            check_attachments([attachment for attachment, _ in self.networks], self.network_flags)
        except NetworkError as error:
            if error.index is not None:
                word = self.networks[error.index][1]
            else:
                flag = "net-alias" if error.flag == "network-alias" else error.flag
                word = (
                    self.flag_words.get(error.flag) or self.flag_words.get(flag) or self.words[-1]
                )
            raise self._error(error.message, word) from None

    # ------------------------------------------------------------ errors

    def _error(self, message: str, word: Word) -> CommandError:
        return CommandError(message, self.text, (word.start, word.end))

    def _inner_error(
        self, error: PortSpecError, name: str, word: Word, offset: int
    ) -> CommandError:
        """``error`` about a flag's value, its caret moved onto the command line."""
        span = (word.start, word.end)
        if word.plain and error.span is not None and error.text == word.value[offset:]:
            start, end = error.span
            span = (word.start + offset + start, word.start + offset + max(end, start + 1))
        return CommandError(f"--{name}: {error.message}", self.text, span, flag=name)


# The expansions of a value portspec cannot know (as the shell reader keeps
# their text), and values to try in their place: each kind of field of a
# mapping, a link or an exposed port, and none.
_EXPANSION = re.compile(
    r"\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_]*|\$[0-9@*#?$!-]|`[^`]*`"
    r"|<[A-Za-z_][^<>]*>|\{\{.*?\}\}|%%?[A-Za-z_][A-Za-z0-9_]*%%?"
)
_STAND_INS = ("80", "8080-8081", "127.0.0.1", "[::1]", "tcp", "", "80:80", "db")
_PARSERS: dict[str, Callable[[str], object]] = {
    "publish": parse_publish,
    "expose": parse_expose,
    "link": parse_link,
}


def _refused_whatever_it_holds(name: str, value: str) -> tuple[str, Offsets] | None:
    """Why Docker refuses ``value`` whatever its expansions hold, if it does.

    ``localhost:$PORT:80`` is refused for its host address, and
    ``<port>:99999`` for its container port, whatever is put in place of the
    expansion; the error is the one at a place of the value's own text
    (offsets into ``value``). None when some value is accepted, or the
    expansions cannot be told apart.
    """
    parser = _PARSERS.get(name)
    parts = list(_EXPANSION.finditer(value))
    if parser is None or not parts or len(parts) > 3:
        return None
    found: tuple[str, Offsets] | None = None
    for stand_ins in itertools.product(_STAND_INS, repeat=len(parts)):
        # The text with stand-ins, and where each piece of the value's own text went.
        pieces, known, at, length = [], [], 0, 0
        for part, stand_in in zip(parts, stand_ins, strict=True):
            own = value[at : part.start()]
            known.append((length, length + len(own), at))
            pieces += [own, stand_in]
            length += len(own) + len(stand_in)
            at = part.end()
        known.append((length, length + len(value) - at, at))
        pieces.append(value[at:])
        text = "".join(pieces)
        try:
            parser(text)
        except PortSpecError as error:
            if found is None and error.span is not None:
                start, end = error.span
                for first, last, origin in known:
                    if first <= start and end <= last and start < end:
                        message = error.message.replace(repr(text), repr(value))
                        found = (message, (origin + start - first, origin + end - first))
                        break
            continue
        return None
    return found


def _value(kind: str | None, name: str, value: str, line: _CommandLine, word: Word) -> str:
    """A flag's value given after '='; a boolean's must be one strconv.ParseBool takes."""
    if kind is not None:
        return value
    if value in _TRUE:
        return "true"
    if value in _FALSE:
        return "false"
    raise line._error(
        f'invalid argument "{value}" for "--{name}" flag: expected true or false', word
    )


#: Each flag table's shorthands (letter -> long name), made once a table.
_SHORTHANDS = {
    id(table): (table, {short: name for name, (short, _) in table.items() if short})
    for table in (RUN_FLAGS, CREATE_FLAGS, GLOBAL_FLAGS)
}


def _shorthands(flags: dict[str, Flag]) -> dict[str, str]:
    known = _SHORTHANDS.get(id(flags))
    if known is not None and known[0] is flags:
        return known[1]
    return {short: name for name, (short, _) in flags.items() if short}
