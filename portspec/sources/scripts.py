"""``docker run``/``docker create`` commands in shell scripts, Makefiles and Markdown.

Each command comes back as its words with exact offsets into the whole document,
so a linter can put a caret under a ``-p`` value; the flags themselves are read
by ``portspec.sources.argv``. (Dockerfile ``EXPOSE`` values: ``portspec.sources.dockerfile``.)

The shell is read as a POSIX shell reads it (quotes, backslashes, line
continuations, comments, here-documents, ``$(...)`` and backticks), but no
string is run as code: ``bash -c "docker run ..."`` and ``eval`` are not looked
into. Nothing raises on bad input: an unterminated quote takes the rest of the
text as its word, as the shell would before it reports the error.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal, NamedTuple

from portspec.errors import PortSpecError
from portspec.sources._shell import Word

__all__ = [
    "Command",
    "find_docker_commands",
    "find_lifecycle",
    "split_command",
]


@dataclass(frozen=True, slots=True)
class Command:
    """One ``docker run``/``docker create`` command found in a document.

    ``words`` run from ``sudo`` or ``docker`` to the command's end, with offsets
    into the whole document; ``unknown`` holds the indexes of words whose value
    depends on an expansion done at run time (``$PORT``, ``$(cmd)``, make's
    ``$(PORT)``).

    >>> text = "cd app && docker run -p $PORT:80 nginx"
    >>> [command] = find_docker_commands(text, "shell")
    >>> [word.value for word in command.words], command.unknown, text[command.start :]
    (['docker', 'run', '-p', '$PORT:80', 'nginx'], frozenset({3}), 'docker run -p $PORT:80 nginx')
    """

    words: tuple[Word, ...]
    start: int
    end: int
    unknown: frozenset[int]
    #: What it does: ``run``, ``create``, or for ``find_lifecycle`` also ``stop``,
    #: ``kill``, ``rm``, ``start``, ``restart``, ``compose`` and ``wait`` (the
    #: shell's, whose one word is ``wait``).
    action: str = "run"
    #: Sent to the background with ``&``: the script goes on while it runs.
    background: bool = False
    #: Which script of the document it belongs to: a Makefile rule's recipe, a
    #: Markdown code block; 0 for a shell script.
    script: int = 0
    #: For ``wait`` with operands (``$!``, ``%1``, ``$pid`` set from ``$!``):
    #: the ``start`` of each ``docker run`` sent to the background it waits for;
    #: ``None`` for a bare ``wait`` (all of them).
    waits: tuple[int, ...] | None = None


# ---------------------------------------------------------------- the shell

# Characters with no meaning of their own inside an unquoted word (``#`` only
# starts a comment where a word starts; ``{`` and ``}`` are reserved words only
# when they stand alone).
_PLAIN = re.compile(r"[^ \t\r\n'\"\\$`;&|<>(){%]+")
_DOUBLE_PLAIN = re.compile(r"[^\"\\$`]+")
# Blanks, then maybe a word with nothing to undo; it is complete when one of
# ``_SIMPLE_WORD_ENDS`` (or the end) follows it.
_SIMPLE_WORD = re.compile(r"[ \t]*([^ \t\r\n'\"\\$`;&|<>()#{%][^ \t\r\n'\"\\$`;&|<>(){%]*)?")
_SIMPLE_WORD_ENDS = " \t\n;&|)"
# Text that may hold the word ``docker``, however it is quoted: what has none
# cannot hold a docker command, and is not read further.
_MAYBE_DOCKER = re.compile(r"d[\\'\"\r\n]*o[\\'\"\r\n]*c[\\'\"\r\n]*k[\\'\"\r\n]*e[\\'\"\r\n]*r")
_PARAMETER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-]")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
_REDIRECTION = re.compile(r"<<-|<<<|<<|<>|<&|>>|>&|>\||&>>|&>|<|>")
_DOUBLE_QUOTED_ESCAPES = '$`"\\\n'
# Words of documentation and templates that stand for a value the reader
# fills in: ``<my-volume>``, ``{{ .Name }}``, ``%%REPO%%``, ``%PORT%``. A shell
# would take ``<my-volume>`` for two redirections; here each is an unknown
# part of its word.
_PLACEHOLDER = re.compile(r"<[A-Za-z_](?:[A-Za-z0-9_.:/@|=+-]| (?=[A-Za-z0-9_]))*>")
_TEMPLATE = re.compile(r"\{\{[^\n]*?\}\}")
_PERCENT = re.compile(r"%%?[A-Za-z_][A-Za-z0-9_]*%%?")
# A command substitution that prints nothing: blanks and comments only
# (linuxserver's `` `#optional` `` marks).
_SILENT = re.compile(r"(?:[ \t\r\n]|#[^\n]*)*")
_WORD_ENDS = " \t\n;&|<>()"
# Parentheses nested deeper than this are counted, not read for commands, so
# that no input runs out of stack.
_MAX_DEPTH = 40

# Reserved words that may come before a simple command.
_RESERVED = frozenset({"!", "{", "}", "if", "then", "else", "elif", "do", "while", "until"})
# Wrappers that run the rest of their arguments as a command; each with its
# options that take a value. ``sudo`` is kept in the words, the others are not.
_WRAPPERS: dict[str, frozenset[str]] = {
    "sudo": frozenset(
        {"-u", "-g", "-C", "-D", "-p", "-r", "-t", "-T", "-U", "-R"}
        | {"--user", "--group", "--close-from", "--chdir", "--prompt", "--role", "--type"}
        | {"--command-timeout", "--other-user", "--chroot", "--host"}
    ),
    "exec": frozenset({"-a"}),
    "time": frozenset({"-f", "-o", "--format", "--output"}),
    "command": frozenset(),
    "nohup": frozenset(),
    "env": frozenset({"-u", "-C", "-S", "--unset", "--chdir", "--split-string"}),
}
# Options after which the wrapper does not run the command at all.
_NOT_RUN = frozenset({"-v", "-V", "--help", "--version"})
# The docker commands that start, stop or remove containers.
_ACTIONS = frozenset({"run", "create", "start", "restart", "stop", "kill", "rm", "compose"})
_GLOBAL_VALUE_FLAGS = frozenset(
    {"-H", "--host", "-c", "--context", "--config", "-l", "--log-level"}
    | {"--tlscacert", "--tlscert", "--tlskey"}
)


class _RawWord(NamedTuple):
    start: int  # index into the view
    end: int
    value: str
    unknown: bool


class _Words:
    """Collected words seen as ``_RawWord``, each made when it is looked at."""

    __slots__ = ("collected",)

    def __init__(self, collected: Sequence[tuple[int, int, str, bool]]) -> None:
        self.collected = collected

    def __len__(self) -> int:
        return len(self.collected)

    def __getitem__(self, index: int) -> _RawWord:
        return _RawWord(*self.collected[index])


# A word as the scanner collects it, before it is known to be of a docker
# command: the fields of ``_RawWord``, in a plain tuple, which is quicker to make.
_Collected = tuple[int, int, str, bool]


@dataclass
class _View:
    """The text the shell sees, and where each of its characters came from.

    The text is made of segments: a segment copied from the document maps each
    of its characters to one character of the document; a segment of one
    character may stand for more (``$$`` in a Makefile).
    """

    text: str
    #: Where each segment starts in ``text``, in the document, and where a
    #: one-character segment ends in the document (``-1`` for a copied one).
    segments: tuple[list[int], list[int], list[int]] = ([0], [0], [-1])
    #: A make variable reference, by the index of the ``$`` standing for it.
    opaque: dict[int, str] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The document's offsets of ``text[start:end]`` (not empty)."""
        starts, documents, ends = self.segments
        if len(starts) == 1 and ends[0] < 0:
            return documents[0] + start, documents[0] + end
        first = bisect_right(starts, start) - 1
        last = bisect_right(starts, end - 1) - 1
        tail = ends[last]
        return (
            documents[first] + start - starts[first],
            tail if tail >= 0 else documents[last] + end - starts[last],
        )


class _Builder:
    """Collects a view piece by piece."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.length = 0
        self.segments: tuple[list[int], list[int], list[int]] = ([], [], [])
        self.opaque: dict[int, str] = {}
        #: Where the last copied segment ends in the document, while it may grow.
        self.copied_to = -1

    def copy(self, document: str, start: int, end: int) -> None:
        """Copy ``document[start:end]`` as it is."""
        if start >= end:
            return
        if start == self.copied_to:  # the document goes on: grow the last segment
            self.chars.append(document[start:end])
            self.length += end - start
        else:
            self._segment(document[start:end], start, -1)
        self.copied_to = end

    def put(self, char: str, start: int, end: int, opaque: str | None = None) -> None:
        """Put one character standing for ``document[start:end]``."""
        self.copied_to = -1
        if opaque is not None:
            self.opaque[self.length] = opaque
        self._segment(char, start, end)

    def _segment(self, text: str, start: int, end: int) -> None:
        starts, documents, ends = self.segments
        starts.append(self.length)
        documents.append(start)
        ends.append(end)
        self.chars.append(text)
        self.length += len(text)

    def view(self) -> _View:
        return _View("".join(self.chars), self.segments, self.opaque or None)


# ``pid=$!`` (quoted or not); and an operand naming a variable: ``$v``, ``${v}``, ``"$v"``.
_PID_SET = re.compile(r"""([A-Za-z_][A-Za-z0-9_]*)=(?:\$!|"\$!"|\$\{!\}|"\$\{!\}")""")
_PID_USE = re.compile(
    r"""\$([A-Za-z_][A-Za-z0-9_]*|!)|\$\{([A-Za-z_][A-Za-z0-9_]*|!)\}"""
    r'|"\$\{?([A-Za-z_][A-Za-z0-9_]*|!)\}?"'
)


class _Scanner:
    """Reads one view as shell commands, keeping the docker ones."""

    def __init__(self, document: str, view: _View) -> None:
        self.document = document
        self.view = view
        self.s = view.text
        self.n = len(view.text)
        self.opaque = view.opaque or {}
        self.heredocs: list[tuple[str, bool]] = []
        self.found: list[Command] = []
        self.depth = 0
        #: Whether the last word read was only substitutions that print
        #: nothing, unquoted: the shell makes no word of it.
        self.vanished = False
        #: With ``first``, the words of the first command, whatever it runs.
        self.first: list[_Collected] | None = None
        #: Every command sent to the background, in order (``$!`` is the last):
        #: the ``start`` of the ``docker run`` it is, or None for another; and
        #: the shell's jobs table, job number -> its index there.
        self.started: list[int | None] = []
        self.jobs: dict[int, int] = {}
        #: Variables set to ``$!``: name -> the background command's index.
        self.pids: dict[str, int] = {}
        #: Where the first quote left open starts, and which quote it is.
        self.unclosed: tuple[int, str] | None = None

    def run(self) -> list[Command]:
        self._list(0, closer=False)
        self.found.sort(key=lambda command: command.start)
        return self.found

    # ------------------------------------------------------------- commands

    def _list(self, i: int, *, closer: bool) -> int:
        """Read commands from ``i``; with ``closer``, up to and past a ``)``."""
        self.depth += 1
        try:
            return self._commands(i, closer=closer)
        finally:
            self.depth -= 1

    def _substitution(self, i: int) -> int:
        """The end of the ``$(...)`` (or ``<(...)``) whose body starts at ``i``."""
        if self.depth < _MAX_DEPTH:
            return self._list(i, closer=True)
        # Too deep to read the commands in it: count parentheses.
        s, depth = self.s, 1
        for index in range(i, self.n):
            if s[index] == "(":
                depth += 1
            elif s[index] == ")":
                depth -= 1
                if depth == 0:
                    return index + 1
        return self.n

    def _commands(self, i: int, *, closer: bool) -> int:
        s, n = self.s, self.n
        words: list[_Collected] = []
        while i < n:
            simple = _SIMPLE_WORD.match(s, i, n)
            assert simple is not None  # the pattern matches the empty string
            end = simple.end()
            if simple.lastindex:
                if end == n or s[end] in _SIMPLE_WORD_ENDS:
                    words.append((simple.start(1), end, simple.group(1), False))
                    i = end
                    continue
                i = simple.start(1)
            elif end == n:
                break
            else:
                i = end
            char = s[i]
            if char in " \t":  # blanks after a word the fast path did not take
                i += 1
            elif char == "\\" and self._newline_at(i + 1):
                i = self._after_newline(i + 1)
            elif char == "\n" or self._newline_at(i):
                self._command(words)
                words = []
                i = self._after_newline(i)
                if self.heredocs:
                    i = self._heredoc_bodies(i)
            elif char == "#":
                newline = s.find("\n", i, n)
                i = n if newline < 0 else newline
            elif char == ")":
                self._command(words)
                words = []
                i += 1
                if closer:
                    return i
            elif char == "(":
                self._command(words)
                words = []
                if self.depth < _MAX_DEPTH:
                    i = self._list(i + 1, closer=True)
                else:  # too deep to follow: read on as if the parenthesis were not there
                    i += 1
            elif char in "<>" and s.startswith("(", i + 1):
                end = self._substitution(i + 2)
                words.append((i, end, s[i:end], True))
                i = end
            elif char == "<" and _PLACEHOLDER.match(s, i, n):
                following, end, value, unknown = self._word(i)
                words.append((i, end, value, unknown))
                i = following
            elif char in "<>" or s.startswith("&>", i):
                i = self._redirection(i)
            elif char in ";&|":
                background = (
                    char == "&"
                    and not s.startswith("&", i + 1)
                    and (i == 0 or s[i - 1] not in "&|")
                )
                self._command(words, background=background)
                words = []
                i += 1
            else:
                following, end, value, unknown = self._word(i)
                if following == i:  # cannot happen; never loop forever
                    i += 1
                    continue
                if following < n and s[following] in "<>" and s[i:following].isdigit():
                    i = following  # the file descriptor of a redirection
                    continue
                if value or not self.vanished:
                    words.append((i, end, value, unknown))
                i = following
        self._command(words)
        return i

    def _redirection(self, i: int) -> int:
        match = _REDIRECTION.match(self.s, i, self.n)
        i = match.end() if match else i + 1
        operator = match.group() if match else ""
        while i < self.n:
            if self.s[i] in " \t":
                i += 1
            elif self.s[i] == "\\" and self._newline_at(i + 1):
                i = self._after_newline(i + 1)
            else:
                break
        if i >= self.n or self.s[i] in _WORD_ENDS or self._newline_at(i):
            return i
        following, _, value, _ = self._word(i)
        if operator in ("<<", "<<-"):
            self.heredocs.append((value, operator == "<<-"))
        return max(following, i + 1)

    def _heredoc_bodies(self, i: int) -> int:
        """Skip the bodies of the here-documents opened on the line just ended."""
        s, n = self.s, self.n
        for delimiter, strip_tabs in self.heredocs:
            while i < n:
                newline = s.find("\n", i, n)
                line_end = n if newline < 0 else newline
                line = s[i:line_end]
                i = line_end + 1 if newline >= 0 else n
                if strip_tabs:
                    line = line.lstrip("\t")
                if line == delimiter or line == delimiter + "\r":
                    break
        self.heredocs = []
        return i

    def _command(self, words: Sequence[_Collected], *, background: bool = False) -> None:
        """Keep ``words`` if they are a docker command."""
        if self.first is None and words and self.depth == 1:
            self.first = list(words)
        if background and self.depth == 1:
            # A job until it is known to be a docker run.
            self.jobs[max(self.jobs, default=0) + 1] = len(self.started)
            self.started.append(None)
        if self.depth == 1 and words and words[0][2] == "wait" and not background:
            waits = self._waited([self.s[start:end] for start, end, *_ in words[1:]])
            if waits is not False:
                self._wait([_RawWord(*word) for word in words], waits)
            return
        if self.depth == 1 and len(words) == 1 and not background:
            pid = _PID_SET.fullmatch(self.s[words[0][0] : words[0][1]])
            if pid is not None and self.started:
                self.pids[pid[1]] = len(self.started) - 1
        for word in words:
            if word[2] in ("docker", "docker-compose"):
                break
        else:
            return
        docker = self._docker_words(words)
        if docker is None:
            return
        kept, action = docker
        out: list[Word] = []
        unknown: set[int] = set()
        span, document = self.view.span, self.document
        for index, (raw_start, raw_end, value, dark) in enumerate(kept):
            start, end = span(raw_start, raw_end)
            out.append(Word(value, start, end, value == document[start:end]))
            if dark:
                unknown.add(index)
        if background and self.depth == 1 and action == "run":
            self.started[-1] = out[0].start
        self.found.append(
            Command(
                tuple(out),
                out[0].start,
                out[-1].end,
                frozenset(unknown),
                action,
                background,
            )
        )

    def _waited(self, operands: list[str]) -> tuple[int, ...] | Literal[False] | None:
        """The docker runs ``wait`` waits for: None for all; False if it cannot be told.

        An operand is ``$!`` (the last command sent to the background), a job
        (``%1``, ``%%``, ``%+``, ``%``, ``%-``) or a variable set to ``$!``
        (``pid=$!`` … ``wait "$pid"``). Options (``-n``) and anything else
        cannot be told.
        """
        if not operands:
            self.jobs.clear()
            return None
        found: list[int] = []
        for text in operands:
            index = self._operand(text)
            if index is None:
                return False
            found.append(index)
        # The jobs waited for leave the table: their numbers are given again.
        for number in [n for n, index in self.jobs.items() if index in found]:
            del self.jobs[number]
        starts = (self.started[index] for index in found)
        return tuple(start for start in starts if start is not None)

    def _operand(self, text: str) -> int | None:
        """The background command an operand of ``wait`` names (its index), or None."""
        name = _PID_USE.fullmatch(text)
        if name is not None:
            variable = name[1] or name[2] or name[3]
            if variable == "!":
                return len(self.started) - 1 if self.started else None
            return self.pids.get(variable)
        numbers = sorted(self.jobs)
        if not numbers:
            return None
        if text in ("%", "%%", "%+"):
            return self.jobs[numbers[-1]]
        if text == "%-":  # the job before the current one; with one job, that one
            return self.jobs[numbers[-2] if len(numbers) > 1 else numbers[-1]]
        if re.fullmatch(r"%[1-9][0-9]{0,5}", text):
            return self.jobs.get(int(text[1:]))
        return None

    def _wait(self, words: list[_RawWord], waits: tuple[int, ...] | None) -> None:
        """Keep ``wait`` and which background ``docker run`` it waits for."""
        if not self._literal(words[0]):
            return
        out = [Word(w.value, *self.view.span(w.start, w.end), w is words[0]) for w in words]
        unknown = frozenset(range(1, len(out)))
        self.found.append(
            Command(tuple(out), out[0].start, out[-1].end, unknown, "wait", waits=waits)
        )

    def _docker_words(self, collected: Sequence[_Collected]) -> tuple[list[_Collected], str] | None:
        """The words from ``docker`` (or ``sudo``) on, and the action, if it is a docker command.

        Only the words before the action are looked at; a long command's
        flags are passed on as collected.
        """
        words = _Words(collected)
        count = len(words)
        k = 0
        while k < count and self._literal(words[k]) and words[k].value in _RESERVED:
            k += 1
        sudo: _RawWord | None = None
        while k < count:
            word = words[k]
            if word.unknown:
                return None
            if _ASSIGNMENT.match(self.s, word.start, word.end):
                k += 1
                continue
            options = _WRAPPERS.get(word.value)
            if options is None or not self._literal(word):
                break
            if word.value == "sudo":
                sudo = word
            k += 1
            while k < count and words[k].value.startswith("-") and not words[k].unknown:
                option = words[k].value
                if option in _NOT_RUN:
                    return None
                k += 2 if option in options else 1
                if option == "--":
                    break
        if k >= count or words[k].unknown:
            return None
        kept: list[_Collected] = ([sudo] if sudo is not None else []) + list(collected[k:])
        if words[k].value == "docker-compose":
            return kept, "compose"
        if words[k].value != "docker":
            return None
        k += 1
        while k < count and words[k].value.startswith("-"):
            if words[k].unknown:
                return None
            k += 2 if words[k].value in _GLOBAL_VALUE_FLAGS else 1
        if k < count and words[k].value == "container" and not words[k].unknown:
            k += 1
        if k >= count or words[k].unknown:
            return None
        action = words[k].value
        if action not in _ACTIONS or (action == "compose" and words[k - 1].value == "container"):
            return None
        return kept, action

    def _literal(self, word: _RawWord) -> bool:
        """Whether the word is written without quotes or escapes."""
        return not word.unknown and self.s[word.start : word.end] == word.value

    # ---------------------------------------------------------------- words

    def _newline_at(self, i: int) -> bool:
        s = self.s
        return i < self.n and (s[i] == "\n" or (s[i] == "\r" and s.startswith("\r\n", i)))

    def _after_newline(self, i: int) -> int:
        return i + 1 if self.s[i] == "\n" else i + 2

    def _word(self, i: int) -> tuple[int, int, str, bool]:
        """Read the word starting at ``i``.

        Return where reading goes on, where the word's text ends (before a line
        continuation that follows it), its value and whether it expands.
        """
        s, n = self.s, self.n
        parts: list[str] = []
        unknown = False
        end = i
        # What the word is made of, to tell one that vanishes.
        silent = written = False
        while i < n:
            plain = _PLAIN.match(s, i, n)
            if plain:
                parts.append(plain.group())
                i = end = plain.end()
                written = True
                continue
            char = s[i]
            placeholder = None
            if char == "<":
                placeholder = _PLACEHOLDER.match(s, i, n)
            elif char == "{":
                placeholder = _TEMPLATE.match(s, i, n)
            elif char == "%":
                placeholder = _PERCENT.match(s, i, n)
            if placeholder is not None:
                parts.append(placeholder.group())
                i = end = placeholder.end()
                unknown = written = True
                continue
            if char in _WORD_ENDS or self._newline_at(i):
                break
            if char in "{%":
                parts.append(char)
                i = end = i + 1
                written = True
                continue
            if char == "`" and self._silent_backticks(i):
                i = end = self._backticks(i, [])
                silent = True
                continue
            written = True
            if char == "\\":
                if self._newline_at(i + 1):
                    i = self._after_newline(i + 1)
                    continue
                parts.append(s[i + 1 : i + 2] or "\\")
                i += 2
            elif char == "'":
                close = s.find("'", i + 1, n)
                if close < 0:
                    self._unclosed(i, "single")
                    close = n
                unknown |= self._single_quoted(i + 1, close, parts)
                i = close + 1
            elif char == '"':
                i, expanded = self._double_quoted(i + 1, parts)
                unknown |= expanded
            elif char == "$":
                i, expanded = self._dollar(i, parts, quoted=False)
                unknown |= expanded
            elif char == "`":
                i = self._backticks(i, parts)
                unknown = True
            else:  # a lone carriage return
                parts.append(char)
                i += 1
            i = end = min(i, n)
        self.vanished = silent and not written
        return i, end, "".join(parts), unknown

    def _silent_backticks(self, i: int) -> bool:
        """Whether the backticks at ``i`` hold nothing but blanks and comments."""
        close = self.s.find("`", i + 1, self.n)
        return close >= 0 and _SILENT.fullmatch(self.s, i + 1, close) is not None

    def _single_quoted(self, start: int, end: int, parts: list[str]) -> bool:
        text = self.s[start:end]
        if not self.opaque or "$" not in text:
            parts.append(text)
            return False
        unknown = False
        for index in range(start, end):
            reference = self.opaque.get(index)
            unknown |= reference is not None
            parts.append(self.s[index] if reference is None else reference)
        return unknown

    def _double_quoted(self, i: int, parts: list[str]) -> tuple[int, bool]:
        s, n = self.s, self.n
        unknown = False
        opening = i - 1
        while i < n:
            plain = _DOUBLE_PLAIN.match(s, i, n)
            if plain:
                parts.append(plain.group())
                i = plain.end()
                continue
            char = s[i]
            if char == '"':
                return i + 1, unknown
            if char == "\\":
                following = s[i + 1 : i + 2]
                if s.startswith("\r\n", i + 1):
                    i += 3
                elif following and following in _DOUBLE_QUOTED_ESCAPES:
                    if following != "\n":
                        parts.append(following)
                    i += 2
                else:
                    parts.append("\\")
                    i += 1
            elif char == "$":
                i, expanded = self._dollar(i, parts, quoted=True)
                unknown |= expanded
            else:
                i = self._backticks(i, parts)
                unknown = True
        self._unclosed(opening, "double")
        return n, unknown

    def _unclosed(self, opening: int, quote: str) -> None:
        """Note a quote that the text never closes (not one cut short by a backtick)."""
        if self.unclosed is None and self.n == len(self.s):
            self.unclosed = (opening, quote)

    def _dollar(self, i: int, parts: list[str], *, quoted: bool) -> tuple[int, bool]:
        """Read the expansion at the ``$`` at ``i``; return its end and whether it expands."""
        s, n = self.s, self.n
        reference = self.opaque.get(i)
        if reference is not None:
            parts.append(reference)
            return i + 1, True
        following = s[i + 1 : i + 2]
        if following == "(":
            end = self._substitution(i + 2)
            parts.append(s[i:end])
            return end, True
        if following == "{":
            end = self._braces(i + 2)
            parts.append(s[i:end])
            return end, True
        if following == "'" and not quoted:
            return self._ansi_c(i + 2, parts), False
        if following == '"' and not quoted:
            return i + 1, False
        name = _PARAMETER.match(s, i + 1, n)
        if name:
            parts.append(s[i : name.end()])
            return name.end(), True
        parts.append("$")
        return i + 1, False

    def _braces(self, i: int) -> int:
        """The end of a ``${...}`` whose body starts at ``i``."""
        s, n = self.s, self.n
        depth = 1
        while i < n:
            char = s[i]
            if char == "\\":
                i += 2
                continue
            if char == "}":
                depth -= 1
                if depth == 0:
                    return i + 1
            elif char == "$" and s.startswith("{", i + 1):
                depth += 1
                i += 1
            i += 1
        return n

    def _ansi_c(self, i: int, parts: list[str]) -> int:
        """Read a ``$'...'`` string whose body starts at ``i``; return its end."""
        s, n = self.s, self.n
        escapes = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "e": "\x1b"}
        while i < n:
            char = s[i]
            if char == "'":
                return i + 1
            if char == "\\" and i + 1 < n:
                parts.append(escapes.get(s[i + 1], "\\" + s[i + 1]))
                i += 2
            else:
                parts.append(char)
                i += 1
        return n

    def _backticks(self, i: int, parts: list[str]) -> int:
        """Read the command substitution in backticks at ``i``; return its end."""
        s, n = self.s, self.n
        close = i + 1
        while close < n and s[close] != "`":
            close += 2 if s[close] == "\\" else 1
        close = min(close, n)
        self.n = close
        try:
            if self.depth < _MAX_DEPTH:
                self._list(i + 1, closer=False)
        finally:
            self.n = n
        end = min(close + 1, n)
        parts.append(s[i:end])
        return end


# ----------------------------------------------------------------- documents


def find_docker_commands(
    text: str, kind: Literal["shell", "makefile", "markdown"]
) -> Iterator[Command]:
    """The ``docker run``/``docker create`` commands of a shell script, Makefile or Markdown.

    In a Makefile only the recipes are shell, each rule's recipe a script of
    its own; in Markdown the code blocks that hold commands (see
    ``docs/lint.md``), each a script of its own.

    >>> make = "web:\\n\\t@docker run -p $(PORT):80 nginx\\n"
    >>> [(word.value, make[word.start : word.end]) for word in next(
    ...     find_docker_commands(make, "makefile")).words][2:4]
    [('-p', '-p'), ('$(PORT):80', '$(PORT):80')]
    """
    for command in find_lifecycle(text, kind):
        if command.action in ("run", "create"):
            yield command


def split_command(text: str) -> list[Word]:
    """The words of a command line, as a POSIX shell splits them.

    The words are those of the first ``docker run``/``docker create`` of
    ``text`` (from ``sudo`` or ``docker`` on, past ``env``, ``VAR=x`` and
    other prefixes, after ``cd app &&``), or else those of its first command.
    The shell's syntax is read as in a script: quotes, escapes, line
    continuations, comments, ``$(...)`` and backticks (nested), operators
    ending a command. Nothing is expanded: a word keeps the text of its
    expansions (``$PORT``, ``$(id -u)``), and a substitution that prints
    nothing, such as `` `#optional` ``, makes no word. A ``<placeholder>``,
    ``{{ name }}`` or ``%%NAME%%`` is text of its word, not a redirection.
    Raises ``PortSpecError`` for a quote the text never closes.

    >>> [w.value for w in split_command("cd app && sudo FOO=1 docker run -p 80:80 $(img) # x")]
    ['sudo', 'docker', 'run', '-p', '80:80', '$(img)']
    """
    scanner = _Scanner(text, _View(text))
    found = scanner.run()
    if scanner.unclosed is not None:
        opening, quote = scanner.unclosed
        raise PortSpecError(f"unterminated {quote} quote", text, (opening, len(text)))
    for command in found:
        if command.action in ("run", "create"):
            return list(command.words)
    return [
        Word(value, start, end, value == text[start:end])
        for start, end, value, _ in scanner.first or ()
    ]


def find_lifecycle(text: str, kind: Literal["shell", "makefile", "markdown"]) -> Iterator[Command]:
    """Every docker command that starts, stops or removes containers, in script order.

    Besides ``run`` and ``create``: ``start``, ``restart``, ``stop``, ``kill``,
    ``rm`` (with or without ``container``) and ``compose`` (``docker compose``,
    ``docker-compose``); and the shell's ``wait`` and ``wait $!``, after
    which the commands sent to the background (or the last one) have ended.

    >>> script = "docker run -d --name web nginx &\\ndocker rm -f web\\n"
    >>> [(c.action, c.background) for c in find_lifecycle(script, "shell")]
    [('run', True), ('rm', False)]
    """
    if kind == "shell":
        views: Iterator[tuple[int, _View]] = iter([(0, _View(text))])
    elif kind == "makefile":
        views = _makefile_views(text)
    elif kind == "markdown":
        views = _markdown_views(text)
    else:
        raise ValueError(f"unknown kind of document: {kind!r}")
    for script, view in views:
        if _MAYBE_DOCKER.search(view.text):
            for command in _Scanner(text, view).run():
                yield replace(command, script=script) if script else command


def _lines(text: str, start: int = 0) -> Iterator[tuple[int, int, int]]:
    """``(start, end, next)`` of each line: ``end`` before its newline, ``next`` after."""
    n = len(text)
    while start < n:
        newline = text.find("\n", start)
        if newline < 0:
            yield start, n, n
            return
        yield start, newline, newline + 1
        start = newline + 1


def _continued(text: str, start: int, end: int) -> bool:
    """Whether the line ends with an odd number of backslashes."""
    line = text[start:end].rstrip("\r")
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1


# What ends the head of a rule with its recipe on the same line
# (``target: prerequisites ; recipe``): the ``;``, or a comment or an ``=``
# (a variable), which make it no such rule.
_RULE_HEAD_END = re.compile(r"[#=;\n]")
_MAKE_CLOSERS = {"(": ")", "{": "}"}


def _makefile_views(text: str) -> Iterator[tuple[int, _View]]:
    n = len(text)
    i = 0
    rule = 0
    while i < n:
        newline = text.find("\n", i)
        end = n if newline < 0 else newline
        if text.startswith("\t", i):
            view, i = _recipe(text, i + 1)
            yield rule, view
            continue
        recipe = _recipe_on_rule_line(text, i, end)
        if recipe is not None:
            rule += 1
            view, i = _recipe(text, recipe)
            yield rule, view
            continue
        # A line of make's own (a variable, a rule, a comment) and its continuation
        # lines; any but a blank line or a comment ends the recipe before it.
        content = text[i:end].strip()
        if content and not content.startswith("#"):
            rule += 1
        for line_start, line_end, following in _lines(text, i):
            i = following
            if not _continued(text, line_start, line_end):
                break


def _recipe_on_rule_line(text: str, start: int, end: int) -> int | None:
    """Where the recipe starts if the line is ``target: prerequisites ; recipe``.

    One scan for the first ``#``, ``=`` or ``;``, and one for a ``:`` before
    it: linear in the line, however many colons it holds.
    """
    if start >= end or text[start] == "\t":
        return None
    stop = _RULE_HEAD_END.search(text, start, end)
    if stop is None or text[stop.start()] != ";":
        return None
    if text.find(":", start + 1, stop.start()) < 0:
        return None
    return stop.start() + 1


def _recipe(text: str, i: int) -> tuple[_View, int]:
    """The view of the recipe line starting at ``i``, and where the next line starts."""
    n = len(text)
    while i < n and text[i] in "@-+ \t":
        i += 1
    builder = _Builder()
    following = n
    for line_start, line_end, following in _lines(text, i):
        start = line_start
        if line_start != i and text.startswith("\t", line_start):
            start += 1  # make removes the recipe prefix of a continuation line
        _make_line(text, start, line_end, builder)
        if not _continued(text, line_start, line_end) or following >= n:
            break
        builder.put("\n", line_end, following)
    return builder.view(), following


def _make_line(text: str, i: int, end: int, builder: _Builder) -> None:
    """Put one physical recipe line, with make's ``$`` references undone, into ``builder``."""
    while i < end:
        dollar = text.find("$", i, end)
        if dollar < 0:
            builder.copy(text, i, end)
            return
        builder.copy(text, i, dollar)
        following = text[dollar + 1 : dollar + 2] if dollar + 1 < end else ""
        if following == "$":
            builder.put("$", dollar, dollar + 2)
            i = dollar + 2
        elif following in _MAKE_CLOSERS:
            close = _make_reference_end(text, dollar + 1, end)
            builder.put("$", dollar, close, opaque=text[dollar:close])
            i = close
        elif following and following not in " \t\r":
            builder.put("$", dollar, dollar + 2, opaque=text[dollar : dollar + 2])
            i = dollar + 2
        else:
            builder.put("$", dollar, dollar + 1)
            i = dollar + 1


def _make_reference_end(text: str, opening: int, end: int) -> int:
    """The end of a ``$(...)`` or ``${...}`` reference opening at ``opening``."""
    open_char = text[opening]
    close_char = _MAKE_CLOSERS[open_char]
    depth = 0
    for index in range(opening, end):
        char = text[index]
        if char == open_char:
            depth += 1
        elif char == close_char:
            depth -= 1
            if depth == 0:
                return index + 1
    return end


# Info strings of code blocks, by how their lines are read. ``script``: every
# line is shell (a ``$ `` prompt is dropped); ``session``: only the lines after
# a prompt, the others are output; ``powershell`` and ``cmd``: every line, a
# line ending in a backtick or ``^`` goes on on the next. A block without a
# language (fenced or indented) is read line by line as shell, unless it looks
# like YAML or JSON.
_MODES: dict[str, str] = {
    **dict.fromkeys(("sh", "bash", "shell", "zsh", "ksh", "ash", "dash", "docker"), "script"),
    **dict.fromkeys(
        ("console", "shell-session", "shellsession", "sh-session", "bash-session", "terminal"),
        "session",
    ),
    **dict.fromkeys(("ps1con", "pwsh-session", "doscon"), "session"),
    **dict.fromkeys(("powershell", "pwsh", "ps1", "ps", "posh"), "powershell"),
    **dict.fromkeys(("cmd", "bat", "batch", "dos", "winbatch"), "cmd"),
}
# MyST directives whose body is Markdown again (``{note}``, tabs, dropdowns).
_MARKDOWN_DIRECTIVES = frozenset(
    {"note", "warning", "tip", "hint", "important", "caution", "attention", "danger", "error"}
    | {"seealso", "admonition", "dropdown", "tab-item", "tab-set", "tab", "div", "card"}
)
_CODE_DIRECTIVES = frozenset({"code-block", "code", "sourcecode", "code-cell"})
# A prompt that marks a command line wherever it stands: ``$ ``, ``PS> ``,
# ``PS C:\\app> ``, ``C:\\app> ``, ``user@host:~$ ``; outside a block of shell
# (``sh``, ``bash``, ...) also a host's: ``host-a $ ``, ``bash-5.2$ ``.
_PROMPT = re.compile(
    r"[ \t]*(?:\$|PS>|PS [^>\n]*>|[A-Za-z]:\\[^>\n]*>|[\w.-]+@[\w.-]+(?::[^$#\n]*)?[$#]) "
)
_HOST_PROMPT = re.compile(r"[ \t]*[\w.-]+ ?\$ ")
# In a session block ``# `` (root) and ``> `` are prompts too.
_SESSION_PROMPT = re.compile(r"[ \t]*(?:[#>]|PS [^>\n]*>|PS>) ")
_CONTINUATION_PROMPT = re.compile(r"[ \t]*> ")
_LOOKS_LIKE_DATA = re.compile(r"[ \t]*(?:[A-Za-z_][\w.-]*:(?:[ \t]|$)|[{\[<])")
_FENCE_LINE = re.compile(r"[ \t]*(?:`{3,}|~{3,})")


def _markdown_parser() -> object:
    from markdown_it import MarkdownIt  # noqa: PLC0415 - only Markdown needs it

    parser = MarkdownIt("commonmark")
    parser.disable("inline")  # only the blocks matter: no inline parsing, linear time
    return parser


_parser: list[object] = []

#: A line of a block: its start and end in the document, and where the next begins.
_Line = tuple[int, int, int]


def _markdown_views(text: str) -> Iterator[tuple[int, _View]]:
    counter = [0]
    whole = list(_lines(text))
    yield from _markdown_blocks(text, text, whole, counter)


def _markdown_blocks(
    document: str, markdown: str, places: list[_Line], counter: list[int]
) -> Iterator[tuple[int, _View]]:
    """The views of the code blocks of ``markdown``, whose line k stands at ``places[k]``."""
    if not _parser:
        _parser.append(_markdown_parser())
    parser = _parser[0]
    tokens = parser.parse(markdown)  # type: ignore[attr-defined]
    for token in tokens:
        if token.type not in ("fence", "code_block") or token.map is None:
            continue
        first, last = token.map
        if token.type == "fence":
            first += 1
        content = token.content.split("\n")
        if content and content[-1] == "":
            content.pop()
        lines = _block_lines(document, places[first:last], content)
        info = token.info.split() if token.type == "fence" else []
        language = info[0].lower() if info else ""
        if language.startswith("{") and language.endswith("}"):
            directive = language[1:-1]
            if directive in _MARKDOWN_DIRECTIVES:
                yield from _markdown_blocks(document, token.content, lines, counter)
                continue
            if directive not in _CODE_DIRECTIVES:
                continue
            language = info[1].lower() if len(info) > 1 else ""
        if not language and any(_FENCE_LINE.match(line) for line in content):
            # An indented block holding fences: a tab or admonition of MkDocs.
            yield from _markdown_blocks(document, token.content, lines, counter)
            continue
        mode = _MODES.get(language) if language else "lines"
        if mode is None:
            continue
        counter[0] += 1
        for view in _code_block(document, lines, mode):
            yield counter[0], view


def _block_lines(document: str, places: list[_Line], content: list[str]) -> list[_Line]:
    """Where each line of a block's content stands in the document.

    A content line is its document line less what holds the block (a list
    item's indent, ``>`` of a block quote, a fence's indent): its tail.
    """
    lines = []
    for (start, end, following), line in zip(places, content, strict=False):
        stop = end - 1 if end > start and document[end - 1] == "\r" else end
        if document.endswith(line, start, stop):
            lines.append((stop - len(line), stop, following))
        else:  # tabs the parser expanded: take the line from its first non-blank
            text = document[start:stop]
            lines.append((stop - len(text.lstrip(" \t>")), stop, following))
    return lines


def _prompt(text: str, start: int, end: int, mode: str) -> re.Match[str] | None:
    """The prompt at the start of a line of a block read in ``mode``."""
    found = _PROMPT.match(text, start, end)
    if found is None and mode in ("lines", "session"):
        found = _HOST_PROMPT.match(text, start, end)
    return found


def _code_block(text: str, lines: list[_Line], mode: str) -> Iterator[_View]:
    if mode in ("script", "lines") and any(_prompt(text, a, b, mode) for a, b, _ in lines):
        mode = "session"
    if mode == "lines":
        first = next((a for a, b, _ in lines if text[a:b].strip()), None)
        if first is not None and _LOOKS_LIKE_DATA.match(text, first):
            return
    if mode == "script":
        builder = _Builder()
        for start, _, following in lines:
            builder.copy(text, start, following)
        yield builder.view()
        return
    continuation = {"powershell": "`", "cmd": "^"}.get(mode, "\\")
    index = 0
    while index < len(lines):
        start, line_end, following = lines[index]
        index += 1
        prompt = _prompt(text, start, line_end, mode)
        if mode == "session" and prompt is None:
            prompt = _SESSION_PROMPT.match(text, start, line_end)
            if prompt is None:
                continue  # output
        builder = _Builder()
        start = prompt.end() if prompt else start
        continued = _put_line(text, (start, line_end, following), continuation, builder)
        while index < len(lines):
            start, line_end, following = lines[index]
            more = _CONTINUATION_PROMPT.match(text, start, line_end)
            if not continued and (mode != "session" or more is None):
                break  # a ``> `` line after a command is the shell's PS2 prompt
            index += 1
            start = more.end() if more else start
            continued = _put_line(text, (start, line_end, following), continuation, builder)
        yield builder.view()


def _put_line(text: str, line: tuple[int, int, int], continuation: str, builder: _Builder) -> bool:
    """Put one line into ``builder``; return whether it goes on on the next line."""
    start, end, following = line
    stop = len(text[start:end].rstrip(" \t\r")) + start
    if continuation == "\\":
        builder.copy(text, start, following)
        return _continued(text, start, end)
    if stop > start and text[stop - 1] == continuation:
        builder.copy(text, start, stop - 1)
        builder.put(" ", stop - 1, following)  # the shell's blank between the words
        return True
    builder.copy(text, start, following)
    return False
