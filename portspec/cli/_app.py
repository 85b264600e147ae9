"""The argparse app: every ``portspec`` command (``parse`` here, the others in their modules).

Exit status: 0 all is well, 1 a bad spec or findings, 2 a usage or
configuration error, or a bug in portspec (one line and a hint; rerun with
``--debug`` for the traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from portspec._escape import printable
from portspec._version import __version__
from portspec.cli._common import (
    EXIT_FAULT,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    add_debug_option,
    print_to,
    read_text,
)
from portspec.errors import PortSpecError

__all__ = ["EXIT_FAULT", "EXIT_INTERNAL", "EXIT_OK", "EXIT_USAGE", "main"]

#: A bug in portspec: reported in one line with a hint, as a usage error is.
EXIT_INTERNAL = EXIT_USAGE

# A comment in a spec file: a whole line, or '#' after whitespace as in a shell.
_COMMENT = re.compile(r"(?:^|\s)#.*\Z", re.DOTALL)


@dataclass(frozen=True, slots=True)
class _Spec:
    """One spec to parse and where it was given (``None`` for the command line)."""

    text: str
    origin: str | None = None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (``sys.argv[1:]`` by default); return the exit status.

    >>> main(["parse", "8080:80"])
    8080:80
    0
    """
    parser = _parser(argv if argv is not None else sys.argv[1:])
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version and usage errors
        return _exit_status(stop.code)
    handler: Callable[[argparse.Namespace], int] = args.handler
    if sys.stdout is None:
        if sys.stderr is not None:
            print_to(sys.stderr, "portspec: cannot write output: standard output is closed")
        return EXIT_USAGE
    try:
        status = handler(args)
        # Output still in the buffer fails here, not at exit where it can't be reported.
        sys.stdout.flush()
        return status
    except UsageError as error:
        args.subparser.print_usage(sys.stderr)
        print_to(sys.stderr, f"{args.subparser.prog}: error: {printable(str(error))}")
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (`portspec ... | head`): stop quietly.
        _silence_stdout()
        return EXIT_FAULT
    except KeyboardInterrupt:
        return 130
    except OSError as error:
        # The environment, not portspec: a full disk, a closed or vanished
        # stream, a file or folder that may not be read.
        if args.debug:
            raise
        _silence_stdout()
        print_to(sys.stderr, f"portspec: {_os_fault(error)}")
        return EXIT_USAGE
    except Exception as error:
        if args.debug:
            raise
        print_to(
            sys.stderr, f"portspec: internal error: {type(error).__name__}: {printable(str(error))}"
        )
        print_to(sys.stderr, "portspec: this is a bug; rerun with --debug for the traceback")
        return EXIT_INTERNAL


# ------------------------------------------------------------------ parser


# The commands each module adds, and their one-line help for `portspec --help`.
_MODULES = {
    "portspec.cli._lint": {
        "lint": "lint compose files, scripts, Makefiles, Dockerfiles and Markdown",
        "check": "lint one docker run command line given as arguments",
        "rule": "explain a rule, or list them all",
    },
    "portspec.cli._convert": {"convert": "convert between docker run, Engine API, SDK, compose"},
    "portspec.cli._ports": {"ports": "list every host port binding, conflicts marked"},
    "portspec.cli._preflight": {"preflight": "check the plan against what runs on this host now"},
}


def _wanted(argv: Sequence[str]) -> str | None:
    """The command named in ``argv``, if any: the first word that is not an option."""
    for arg in argv:
        if arg == "--":
            return None
        if not arg.startswith("-"):
            return arg
    return None


def _parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="portspec",
        description=(
            "Parse, lint and convert Docker port publishing (-p), --expose and --link"
            " as Docker does."
        ),
    )
    parser.add_argument("--version", action="version", version=f"portspec {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an internal error"
    )
    commands = parser.add_subparsers(title="commands", dest="command", required=True)

    parse = commands.add_parser(
        "parse",
        help="parse values and print their canonical form",
        description=(
            "Parse each SPEC (a -p/--publish value unless --expose or --link) and print"
            " its canonical docker form, or its fields as JSON. A bad SPEC is reported"
            " on stderr with a caret under the fault, and the exit status is 1."
        ),
    )
    parse.add_argument("specs", nargs="*", metavar="SPEC", help="a value to parse")
    parse.add_argument(
        "-f",
        "--from-file",
        action="append",
        default=[],
        metavar="FILE",
        help="read specs from FILE, one a line; '#' starts a comment; '-' is stdin",
    )
    kind = parse.add_mutually_exclusive_group()
    kind.add_argument(
        "--publish",
        dest="kind",
        action="store_const",
        const="publish",
        help="read -p/--publish values (the default)",
    )
    kind.add_argument(
        "--expose", dest="kind", action="store_const", const="expose", help="read --expose values"
    )
    kind.add_argument(
        "--link", dest="kind", action="store_const", const="link", help="read --link values"
    )
    parse.add_argument(
        "--dialect",
        choices=("docker", "compose"),
        help="who reads a -p value: the docker CLI (the default) or a compose ports list",
    )
    parse.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (text)"
    )
    # Also after the command; SUPPRESS keeps a --debug given before it.
    add_debug_option(parse)
    parse.set_defaults(handler=_run_parse, subparser=parse, kind="publish")
    # Only the module of the command run is imported: a cold `portspec lint`
    # does not pay for the converters. The others get a placeholder for --help.
    wanted = _wanted(argv)
    for module, names in _MODULES.items():
        if wanted is None or wanted in names:
            loaded = importlib.import_module(module)
            adder = getattr(loaded, "add_parsers", None) or loaded.add_parser
            adder(commands)
        else:
            for name, summary in names.items():
                commands.add_parser(name, help=summary, add_help=False)
    return parser


def _exit_status(code: object) -> int:
    if code is None:
        return EXIT_OK
    return code if isinstance(code, int) else EXIT_FAULT


# ------------------------------------------------------------------- parse


def _run_parse(args: argparse.Namespace) -> int:
    from portspec.cli._format import as_json, as_text, to_json_object  # noqa: PLC0415

    if args.dialect is not None and args.kind != "publish":
        raise UsageError(f"--dialect applies to -p values, not --{args.kind}")
    if not args.specs and not args.from_file:
        raise UsageError("nothing to parse: give SPEC arguments or --from-file FILE")
    parse = _parse_function(args.kind, args.dialect or "docker")
    specs = [_Spec(text) for text in args.specs]
    for path in args.from_file:
        specs.extend(_read_specs(path))

    status = EXIT_OK
    objects: list[dict[str, Any]] = []
    for spec in specs:
        try:
            value = parse(spec.text)
        except PortSpecError as error:
            where = "" if spec.origin is None else f"{printable(spec.origin)}: "
            print_to(sys.stderr, f"error: {where}{error}")
            status = EXIT_FAULT
            continue
        if args.format == "json":
            objects.append(to_json_object(value, spec.text))
        else:
            print_to(sys.stdout, as_text(value))
    if args.format == "json":
        print_to(sys.stdout, as_json(objects))
    return status


def _parse_function(kind: str, dialect: str) -> Callable[[str], Any]:
    from portspec import parse_expose, parse_link, parse_publish  # noqa: PLC0415

    if kind == "expose":
        return parse_expose
    if kind == "link":
        return parse_link
    return lambda text: parse_publish(text, dialect=dialect)


def _read_specs(path: str) -> Iterator[_Spec]:
    """The specs of one file: a line each, blank lines and comments left out."""
    name, text = read_text(path)
    for number, line in enumerate(text.splitlines(), start=1):
        spec = _COMMENT.sub("", line).strip()
        if spec:
            yield _Spec(spec, f"{name}:{number}")


# ----------------------------------------------------------------- streams


def _os_fault(error: OSError) -> str:
    """One line for an error of the operating system: what failed, and why."""
    reason = error.strerror or str(error)
    if error.filename is not None:
        return f"cannot use {printable(os.fsdecode(error.filename))}: {reason}"
    return f"cannot write output: {reason}"


def _silence_stdout() -> None:
    # Python would report the broken pipe again when it flushes stdout at exit.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
