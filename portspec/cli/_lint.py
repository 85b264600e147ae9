"""``portspec lint``, ``portspec check`` and ``portspec rule``: the linter's commands.

Exit status: 0 nothing at or above ``--fail-on``, 1 findings that are, 2 a
usage, configuration or internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from portspec._escape import printable
from portspec.cli._common import (
    EXIT_FAULT,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    add_debug_option,
    print_to,
    read_stdin,
)

if TYPE_CHECKING:
    from portspec.lint.config import Config
    from portspec.lint.diagnostic import Diagnostic
    from portspec.lint.engine import LintResult, Source

__all__ = ["add_parsers"]

_FORMATS = ("text", "json", "sarif", "github")


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``lint``, ``check`` and ``rule`` to the app."""
    lint = commands.add_parser(
        "lint",
        help="lint compose files, scripts, Makefiles, Dockerfiles and Markdown",
        description=(
            "Lint the port publishing, --expose and --link of compose files, shell scripts,"
            " Makefiles, Dockerfiles (EXPOSE) and Markdown code blocks. Directories are"
            " walked (honouring .gitignore); '-' reads stdin. Every input of a run is one"
            " set for the conflict checks."
        ),
    )
    lint.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .)")
    _output_options(lint)
    _selection_options(lint)
    lint.add_argument(
        "--per-file", action="store_true", help="check conflicts within each file alone"
    )
    lint.add_argument(
        "--across-projects",
        action="store_true",
        help="also check conflicts between different compose projects",
    )
    lint.add_argument(
        "--profile",
        action="append",
        metavar="NAME",
        help="enable a compose profile, as docker compose --profile does (repeatable; '*': all)",
    )
    lint.add_argument(
        "--stdin-filename", metavar="NAME", help="the name (and kind) of what '-' reads"
    )
    lint.add_argument("--fix", action="store_true", help="apply the safe fixes to the files")
    lint.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="also apply fixes that change behaviour (rebinding to 127.0.0.1)",
    )
    lint.add_argument(
        "--diff", action="store_true", help="print the fixes as a diff; write nothing"
    )
    lint.add_argument(
        "--project-directory",
        metavar="DIR",
        help="the folder compose files may name files in (default: each first file's folder)",
    )
    lint.add_argument(
        "--allow-outside",
        action="store_true",
        default=None,
        help="read files compose files name outside their project folder",
    )
    lint.add_argument("--config", metavar="FILE", help="use this configuration file")
    lint.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    lint.add_argument(
        "--no-respect-gitignore",
        dest="respect_gitignore",
        action="store_false",
        default=None,
        help="lint files .gitignore leaves out",
    )
    lint.add_argument(
        "--exclude", action="append", default=[], metavar="PATTERN", help="also leave these out"
    )
    add_debug_option(lint)
    lint.set_defaults(handler=_run_lint, subparser=lint)

    check = commands.add_parser(
        "check",
        help="lint one docker run command line given as arguments",
        description=(
            "Lint a docker run/create command line given after '--', as the linter reads"
            " one in a script: portspec check -- -p 5432:5432 postgres"
        ),
    )
    check.add_argument("arguments", nargs=argparse.REMAINDER, help="the command line")
    _output_options(check)
    _selection_options(check)
    add_debug_option(check)
    check.set_defaults(handler=_run_check, subparser=check)

    rule = commands.add_parser(
        "rule",
        help="explain a rule, or list them all",
        description="Print what a rule finds, why it matters and its examples.",
    )
    rule.add_argument("code", nargs="?", metavar="CODE", help="a code such as PS301")
    rule.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    add_debug_option(rule)
    rule.set_defaults(handler=_run_rule, subparser=rule)


def _output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=_FORMATS, default=None, help="output format (text; github on Actions)"
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout"
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text format (auto: on a terminal, unless NO_COLOR is set)",
    )
    parser.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even when there are findings"
    )


def _selection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--select", metavar="CODES", help="only these codes or prefixes (PS3,PS101)"
    )
    parser.add_argument(
        "--extend-select", metavar="CODES", help="these codes on top of the selection"
    )
    parser.add_argument("--ignore", metavar="CODES", help="leave these codes or prefixes out")
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning", "info"),
        default=None,
        help="the lowest severity that fails the run (warning)",
    )
    parser.add_argument(
        "--docker-version",
        metavar="X.Y",
        help="the Docker Engine the files are for (the latest by default)",
    )


# -------------------------------------------------------------------- lint


def _codes(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(code.strip().upper() for code in text.split(",") if code.strip())


def _config(args: argparse.Namespace, start: Path) -> Config:
    from portspec.lint.config import (  # noqa: PLC0415
        Config,
        ConfigError,
        find_config,
        load_config,
        merge_cli,
        parse_docker_version,
    )
    from portspec.lint.diagnostic import Severity  # noqa: PLC0415

    try:
        if getattr(args, "isolated", False):
            config = Config()
        elif getattr(args, "config", None):
            config = load_config(Path(args.config))
        else:
            found = find_config(start)
            config = Config() if found is None else load_config(found)
        version = None
        if args.docker_version is not None:
            version = parse_docker_version(args.docker_version)
        return merge_cli(
            config,
            select=_codes(args.select),
            extend_select=_codes(args.extend_select),
            ignore=_codes(args.ignore),
            fail_on=None if args.fail_on is None else Severity.parse(args.fail_on),
            docker_version=version,
            respect_gitignore=getattr(args, "respect_gitignore", None),
            allow_outside=getattr(args, "allow_outside", None),
            extend_exclude=tuple(getattr(args, "exclude", ())),
        )
    except FileNotFoundError as error:
        raise UsageError(f"cannot read configuration: {error.filename}") from None
    except (ConfigError, ValueError) as error:
        raise UsageError(str(error)) from None


def _context(
    config: Config, across_projects: bool = False, profiles: list[str] | None = None
) -> object:
    from portspec.checks.conflicts import HostSettings  # noqa: PLC0415
    from portspec.lint.rule import SENSITIVE_PORTS, Context  # noqa: PLC0415

    return Context(
        docker_version=config.docker_version,
        host=HostSettings(ephemeral=config.ephemeral_ports, engine_version=config.docker_version),
        sensitive_ports=(
            SENSITIVE_PORTS if config.sensitive_ports is None else frozenset(config.sensitive_ports)
        ),
        large_range=config.large_range,
        quote_all_ports=config.quote_all_ports,
        across_projects=across_projects,
        markdown_one_session=config.markdown_one_session,
        profiles=tuple(profiles) if profiles else config.profiles,
    )


def _run_lint(args: argparse.Namespace) -> int:
    from portspec.lint.discover import classify, discover  # noqa: PLC0415
    from portspec.lint.engine import Source  # noqa: PLC0415

    paths = list(args.paths) or ["."]
    if args.fix and args.diff:
        raise UsageError("--fix and --diff do not go together: --diff only shows the fixes")
    stdin = [p for p in paths if p == "-"]
    if stdin and len(paths) > 1:
        raise UsageError("'-' (stdin) cannot be mixed with paths")
    first = Path(paths[0]) if paths[0] != "-" else Path(args.stdin_filename or ".")
    config = _config(args, first if first.exists() else Path.cwd())
    sources: list[Source] = []
    if stdin:
        name = args.stdin_filename or "-"
        kind = classify(Path(name), None) if args.stdin_filename else None
        text = read_stdin()
        if kind is None:
            kind = "compose" if _looks_like_compose(text) else "shell"
        sources.append(Source(name, kind, text=text))
        if args.fix:
            raise UsageError("--fix cannot write to stdin: use --diff")
    else:
        try:
            inputs, notes = discover(
                [Path(p) for p in paths],
                exclude=config.exclude,
                extend_exclude=config.extend_exclude,
                respect_gitignore=config.respect_gitignore,
                root=config.root,
            )
        except FileNotFoundError as error:
            raise UsageError(f"no such file or directory: {error.filename}") from None
        for note in notes:
            print_to(sys.stderr, f"portspec: {printable(note)}")
        sources = [Source(i.display, i.kind, path=i.path) for i in inputs]
    return _lint_and_report(args, config, sources)


def _looks_like_compose(text: str) -> bool:
    return any(line.startswith("services:") for line in text.splitlines())


def _lint_and_report(args: argparse.Namespace, config: Config, sources: list[Source]) -> int:
    from portspec.lint.catalogue import all_rules  # noqa: PLC0415
    from portspec.lint.engine import lint  # noqa: PLC0415
    from portspec.lint.rule import Context  # noqa: PLC0415

    ctx = _context(config, getattr(args, "across_projects", False), getattr(args, "profile", None))
    assert isinstance(ctx, Context)

    def enabled(code: str, path: str) -> bool:
        rule = _rule_default(code)
        return config.enabled(code, default=rule, path=path)

    project_directory = getattr(args, "project_directory", None)
    result = lint(
        sources,
        ctx=ctx,
        enabled=enabled,
        per_file=getattr(args, "per_file", False),
        allow_outside=config.allow_outside,
        project_directory=None if project_directory is None else Path(project_directory),
        max_file_size=config.max_file_size,
    )
    diagnostics = result.diagnostics
    refused = False
    if getattr(args, "fix", False) or getattr(args, "diff", False):
        diagnostics, refused = _fix(args, result, sources)
    active = [rule for rule in all_rules() if any(enabled(rule.code, p) for p in result.documents)]
    _report(args, diagnostics, result, active)
    if refused:
        return EXIT_USAGE
    if args.exit_zero:
        return EXIT_OK
    failing = any(d.severity >= config.fail_on for d in diagnostics)
    return EXIT_FAULT if failing else EXIT_OK


def _rule_default(code: str) -> bool:
    from portspec.lint.catalogue import get_rule  # noqa: PLC0415

    rule = get_rule(code)
    return rule is not None and rule.default


def _fix(
    args: argparse.Namespace, result: LintResult, sources: list[Source]
) -> tuple[list[Diagnostic], bool]:
    """Apply (``--fix``) or show (``--diff``) the fixes; the diagnostics left, and whether a
    file could not be written (exit status 2)."""
    from portspec.lint.fix import WriteRefused, fix_text, unified_diff, write_fixed  # noqa: PLC0415

    by_display = {s.display: s for s in sources}
    roots = _roots(getattr(args, "paths", None) or ["."])
    remaining: list[Diagnostic] = []
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in result.diagnostics:
        by_path.setdefault(diagnostic.path, []).append(diagnostic)
    fixed_count = 0
    refused = False
    for path, diagnostics in by_path.items():
        document = result.documents.get(path)
        source = by_display.get(path)
        if document is None or source is None:
            remaining.extend(diagnostics)
            continue
        outcome = fix_text(document.text, diagnostics, document.kind, unsafe=args.unsafe_fixes)
        for note in outcome.dropped:
            separator = ":" if note[:1].isdigit() else ": "
            print_to(sys.stderr, f"portspec: {printable(path)}{separator}{printable(note)}")
        fixed = outcome.fixed
        if not fixed or args.diff:
            if fixed:
                sys.stdout.write(unified_diff(path, document.text, outcome.text))
            remaining.extend(diagnostics)
            continue
        file = source.path
        reason = "it was read from stdin" if file is None else _outside(file, roots)
        if reason is None and file is not None:
            try:
                reason = write_fixed(file, document.text, outcome.text)
            except WriteRefused as error:
                print_to(
                    sys.stderr, f"portspec: cannot fix {printable(path)}: {printable(str(error))}"
                )
                refused = True
                remaining.extend(diagnostics)
                continue
        if reason is not None:
            print_to(sys.stderr, f"portspec: {printable(path)} not fixed: {printable(reason)}")
            remaining.extend(diagnostics)
            continue
        fixed_count += len(fixed)
        remaining.extend(d for d in diagnostics if d not in fixed)
    if args.fix and fixed_count:
        print_to(sys.stderr, f"Fixed {fixed_count} problem{'s' if fixed_count != 1 else ''}.")
    return remaining, refused


def _roots(paths: Sequence[str]) -> list[str]:
    """The folders a run lints: the working folder, each folder named, each named file's folder."""
    out = [os.path.join(os.path.realpath(os.getcwd()), "")]
    for given in paths:
        absolute = os.path.abspath(given)
        folder = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
        out.append(os.path.join(os.path.realpath(folder), ""))
    return out


def _outside(file: Path, roots: Sequence[str]) -> str | None:
    """Why ``file`` is not fixed through a symlink, or ``None``: a link is followed only inward."""
    absolute = os.path.abspath(file)
    real = os.path.realpath(absolute)
    if real == absolute or any(real.startswith(root) for root in roots):
        return None
    return "it is a symlink to a file outside the working folder and the folders linted"


def _report(
    args: argparse.Namespace,
    diagnostics: Sequence[Diagnostic],
    result: LintResult,
    rules: Sequence[object],
) -> None:
    from portspec.cli._report import Format, render, use_color  # noqa: PLC0415

    fmt: Format = args.format or (
        "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    )
    if getattr(args, "diff", False) and fmt == "text":
        return
    stream: TextIO = sys.stdout
    color = False
    if fmt == "text" and args.output is None:
        color = {"always": True, "never": False}.get(args.color, use_color(stream, os.environ))
    sources = {path: document.text for path, document in result.documents.items()}
    text = render(
        diagnostics,
        fmt=fmt,
        sources=sources,
        rules=rules,  # type: ignore[arg-type]
        color=color,
        root=os.getcwd(),
    )
    if args.output is not None:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise UsageError(f"cannot write {args.output}: {error.strerror}") from None
        return
    if text:
        stream.write(text)
        stream.flush()


# ------------------------------------------------------------------- check


def _run_check(args: argparse.Namespace) -> int:
    import shlex  # noqa: PLC0415

    from portspec.lint.engine import Source  # noqa: PLC0415

    words = list(args.arguments)
    if words and words[0] == "--":
        words = words[1:]
    if not words:
        raise UsageError("nothing to check: give the command line after '--'")
    if words[0] not in ("docker", "sudo"):
        words = ["docker", "run", *words]
    text = shlex.join(words) + "\n"
    config = _config(args, Path.cwd())
    return _lint_and_report(args, config, [Source("<command line>", "shell", text=text)])


# -------------------------------------------------------------------- rule


def _run_rule(args: argparse.Namespace) -> int:
    import json  # noqa: PLC0415

    from portspec.lint.catalogue import all_rules, get_rule  # noqa: PLC0415

    if args.code is None:
        rules = list(all_rules())
        if args.format == "json":
            print_to(sys.stdout, json.dumps([_rule_json(r) for r in rules], indent=2))
            return EXIT_OK
        for rule in rules:
            flags = "" if rule.default else " (off by default)"
            fix = " [fix]" if rule.fixable else ""
            print_to(
                sys.stdout,
                f"{rule.code}  {rule.name:<28} {rule.severity!s:<8} {rule.summary()}{fix}{flags}",
            )
        return EXIT_OK
    found = get_rule(args.code)
    if found is None:
        raise UsageError(f"no rule {args.code!r}: `portspec rule` lists them")
    if args.format == "json":
        print_to(sys.stdout, json.dumps(_rule_json(found), indent=2))
        return EXIT_OK
    print_to(sys.stdout, _rule_text(found))
    return EXIT_OK


def _rule_json(rule: type) -> dict[str, object]:
    from portspec.lint.rule import Rule  # noqa: PLC0415

    assert issubclass(rule, Rule)
    return {
        "code": rule.code,
        "name": rule.name,
        "severity": str(rule.severity),
        "default": rule.default,
        "fixable": rule.fixable,
        "summary": rule.summary(),
        "why": rule.why(),
        "bad": {"path": rule.bad.path, "text": rule.bad.text},
        "good": {"path": rule.good.path, "text": rule.good.text},
        "url": rule.help_url(),
    }


def _rule_text(rule: type) -> str:
    from portspec.lint.rule import Rule  # noqa: PLC0415

    assert issubclass(rule, Rule)
    state = "on by default" if rule.default else "off by default: select it to use it"
    fix = "; some findings have a fix" if rule.fixable else ""
    lines = [
        f"{rule.code} {rule.name} ({rule.severity}, {state}{fix})",
        "",
        rule.summary(),
        "",
        rule.why(),
        "",
        f"Fires on ({rule.bad.path}):",
        *(f"    {line}" for line in rule.bad.text.splitlines()),
        "",
        f"Passes ({rule.good.path}):",
        *(f"    {line}" for line in rule.good.text.splitlines()),
        "",
        f"More: {rule.help_url()}",
    ]
    return "\n".join(lines)
