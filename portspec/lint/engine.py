"""Read every input into units, run the enabled rules, and turn findings into diagnostics.

Compose files load as Compose loads them (``compose.override.yaml`` beside
its base merges into it); shell scripts, Makefiles and Markdown give their
``docker run``/``docker create`` lines; Dockerfiles their ``EXPOSE`` values.
All the units of a run form one set for the conflict and link rules, unless
``per_file`` keeps each file apart.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portspec._collector import paused
from portspec._files import DEFAULT_LIMIT, Reader, decode, read_regular
from portspec._parse import parse_expose
from portspec.codes import (
    INVALID_COMMAND,
    INVALID_EXPOSE,
    INVALID_LINK,
    INVALID_PORT_MAPPING,
    REFUSED_AT_CREATE,
    UNKNOWN_VALUE,
    UNREADABLE_FILE,
    UNSET_VARIABLE,
)
from portspec.errors import PortSpecError
from portspec.lint.catalogue import all_rules
from portspec.lint.diagnostic import Diagnostic, Severity
from portspec.lint.rule import Context, Finding, Rule
from portspec.lint.units import Document, Entry, Kind, Site, Unit, UnitSet
from portspec.model import Container, Expose, Located, Span

if TYPE_CHECKING:
    from portspec.lint.lifecycle import Event
    from portspec.sources.argv import CommandSites
    from portspec.sources.compose import ComposeProblem, Project
    from portspec.sources.scripts import Command

    _Read = tuple[Container, CommandSites]

__all__ = ["LintResult", "Source", "default_enabled", "lint", "lint_text", "read_units"]

_BASES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
_DIRECTIVE = re.compile(r"portspec:\s*ignore(?:\[([A-Za-z0-9,\s]*)\])?")
# The container names the Engine takes (moby's validContainerNamePattern).
_CONTAINER_NAME = re.compile(r"/?[a-zA-Z0-9][a-zA-Z0-9_.-]+")
_FLAG_CODES = {
    "publish": INVALID_PORT_MAPPING.code,
    "expose": INVALID_EXPOSE.code,
    "link": INVALID_LINK.code,
}
# A Markdown page whose code blocks run one after another, as one script.
_ONE_SESSION = re.compile(r"<!--\s*portspec:\s*one-session\s*-->")


@dataclass(frozen=True, slots=True)
class Source:
    """One input: its name as shown, its kind, and a path to read or the text itself."""

    display: str
    kind: Kind
    path: Path | None = None
    text: str | None = None


@dataclass
class LintResult:
    """The diagnostics of a run, in file and position order, and the documents they point into."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    documents: dict[str, Document] = field(default_factory=dict)


def default_enabled(code: str, path: str) -> bool:
    """The rules on by default."""
    from portspec.lint.catalogue import get_rule  # noqa: PLC0415

    rule = get_rule(code)
    return rule is not None and rule.default


def lint_text(
    text: str,
    path: str = "-",
    kind: Kind = "compose",
    *,
    ctx: Context | None = None,
    enabled: Callable[[str, str], bool] = default_enabled,
    env: Mapping[str, str] | None = None,
) -> list[Diagnostic]:
    """Lint one text as a file of ``kind`` named ``path``.

    >>> [d.code for d in lint_text("services:\\n  db:\\n    ports: ['5432:5432']\\n")]
    ['PS301']
    """
    return lint(
        [Source(path, kind, text=text)], ctx=ctx or Context(), enabled=enabled, env=env
    ).diagnostics


def lint(
    sources: Sequence[Source],
    *,
    ctx: Context,
    enabled: Callable[[str, str], bool] = default_enabled,
    per_file: bool = False,
    env: Mapping[str, str] | None = None,
    allow_outside: bool = False,
    project_directory: Path | None = None,
    max_file_size: int = DEFAULT_LIMIT,
) -> LintResult:
    """Lint ``sources`` together; ``enabled(code, path)`` says which rules report where.

    A file a compose file names (``extends.file``, ``include``, ``env_file``,
    ``.env``) is read only inside its project folder (``project_directory``,
    else the folder of the project's first file), unless ``allow_outside``;
    no file over ``max_file_size`` bytes is read.
    """
    with paused():
        run = _Run(ctx, enabled, dict(os.environ) if env is None else dict(env))
        run.files = (allow_outside, project_directory, max_file_size)
        run.shown = {os.path.realpath(s.path): s.display for s in sources if s.path is not None}
        for group in _groups(sources):
            run.read(group)
        run.finish()
        rules = [
            rule() for rule in all_rules() if _any_enabled(rule, enabled, run.result.documents)
        ]
        units = run.units
        # Each rule is asked only through the hooks it has: a file of many
        # entries costs each entry the rules that look at entries, not all.
        hooks = {hook: [rule for rule in rules if _has(rule, hook)] for hook in _HOOKS}
        for unit in units:
            run.entries(hooks["mapping"], "mapping", unit.publish, unit)
            run.entries(hooks["expose"], "expose", unit.expose, unit)
            run.entries(hooks["link"], "link", unit.links, unit)
            for rule in hooks["unit"]:
                run.report(rule, rule.unit(unit, ctx))
        sets: list[list[Unit]] = []
        if per_file:
            by_document: dict[str, list[Unit]] = {}
            for unit in units:
                by_document.setdefault(unit.project or unit.site.document.path, []).append(unit)
            sets = list(by_document.values())
        else:
            sets = [units]
        for members in sets:
            together = UnitSet(members)
            for rule in rules:
                run.report(rule, rule.units(together, ctx))
        # A file read on its own and through another's ``include`` or ``extends``
        # gives its findings once.
        run.result.diagnostics = sorted(
            dict.fromkeys(run.result.diagnostics), key=Diagnostic.sort_key
        )
    return run.result


def read_units(
    sources: Sequence[Source], *, env: Mapping[str, str] | None = None
) -> tuple[list[Unit], LintResult]:
    """The units of ``sources`` and what kept some from being read (PS0xx diagnostics)."""
    run = _Run(Context(), lambda code, path: True, dict(os.environ) if env is None else dict(env))
    with paused():
        for group in _groups(sources):
            run.read(group)
        run.finish()
    return run.units, run.result


_HOOKS = ("mapping", "expose", "link", "unit")


def _has(rule: Rule, hook: str) -> bool:
    """Whether the rule overrides ``hook`` (the base's hooks find nothing)."""
    return getattr(type(rule), hook) is not getattr(Rule, hook)


def _any_enabled(
    rule: type[Rule], enabled: Callable[[str, str], bool], documents: Mapping[str, Document]
) -> bool:
    return any(enabled(rule.code, path) for path in documents) if documents else False


def _groups(sources: Sequence[Source]) -> list[list[Source]]:
    """Each source alone, but a compose override file with the base it overrides."""
    groups: list[list[Source]] = []
    overrides: dict[tuple[str, str], Source] = {}
    for source in sources:
        if source.kind == "compose" and source.path is not None:
            name = source.path.name
            stem = name.rpartition(".")[0]
            if stem.endswith(".override") and stem[: -len(".override")] in (
                "compose",
                "docker-compose",
            ):
                overrides[(str(source.path.parent), stem[: -len(".override")])] = source
    used: set[int] = set()
    for source in sources:
        if id(source) in {id(s) for s in overrides.values()}:
            continue
        group = [source]
        if source.kind == "compose" and source.path is not None and source.path.name in _BASES:
            key = (str(source.path.parent), source.path.name.rpartition(".")[0])
            override = overrides.get(key)
            if override is not None and id(override) not in used:
                group.append(override)
                used.add(id(override))
        groups.append(group)
    groups.extend([s] for s in overrides.values() if id(s) not in used)
    return groups


def _refused_profiles(project: Project) -> frozenset[str]:
    """The profiles Compose refuses to run alone: two services they start share a name.

    ``container_name`` must be unique among the services a choice of profiles
    runs ("container name ... is already in use by service ..."), so such a
    choice runs nothing and its services are never together under it.
    """
    always = [s for s in project.services if s not in project.profiles]
    refused = set()
    for profile in sorted(set().union(*project.profiles.values())):
        running = always + [s for s, p in project.profiles.items() if profile in p]
        named = [project.services[s].name for s in running if project.services[s].name != s]
        if len(named) != len(set(named)):
            refused.add(profile)
    return frozenset(refused)


def _key(span: Span) -> tuple[str | None, int, int]:
    return (span.path, span.start, span.end)


class _Run:
    def __init__(
        self, ctx: Context, enabled: Callable[[str, str], bool], env: dict[str, str]
    ) -> None:
        self.ctx = ctx
        self.enabled = enabled
        self.env = env
        self.result = LintResult()
        self.units: list[Unit] = []
        self.labels: set[str] = set()
        self.rules = {rule.code: rule for rule in all_rules()}
        #: ``enabled`` asked once for each code and file.
        self.on: dict[tuple[str, str], bool] = {}
        #: (compose project, session, start, end): scripts bringing a project up.
        self.windows: list[tuple[str, str, int, int]] = []
        #: Reading outside the project folder, the project folder, the size cap.
        self.files: tuple[bool, Path | None, int] = (False, None, DEFAULT_LIMIT)
        #: Every file's bytes as read, once, by resolved path.
        self.read_bytes: dict[str, bytes] = {}
        #: The name each input file is shown by, by resolved path.
        self.shown: dict[str, str] = {}
        #: (folder, (kind, name) defined, project): what each compose project read defines.
        self.defined: list[tuple[str, frozenset[tuple[str, str]], str]] = []
        #: References to services a compose file does not define, decided at the end:
        #: (folder, project, service named, code, document, start, end, message).
        self.undefined: list[tuple[str, str, tuple[str, str], str, Document, int, int, str]] = []

    # ------------------------------------------------------------ output

    def report(self, rule: Rule | type[Rule], findings: Iterable[Finding]) -> bool:
        """Emit a rule's findings; whether it found any (enabled here or not)."""
        found = False
        for finding in findings:
            found = True
            self.emit(rule.code, finding, rule.severity)
        return found

    def entries(
        self, rules: Sequence[Rule], hook: str, entries: Sequence[Entry[Any]], unit: Unit
    ) -> None:
        """Ask each rule with the hook about each entry of a unit.

        Entries of one unit that read the same (one value, typed and spelled
        alike, through the same ``extends``) get the same verdicts, as the
        rule base documents: once a rule found nothing in such an entry it
        is not asked about its copies.
        """
        if not rules or not entries:
            return
        asks = [(rule, getattr(rule, hook)) for rule in rules]
        verdicts: dict[tuple[object, ...], list[tuple[Rule, Any]]] = {}
        ctx = self.ctx
        for entry in entries:
            site = entry.site
            key = (id(entry.value), entry.text, entry.long, entry.via, site.text)
            finders = verdicts.get(key)
            if finders is None:
                verdicts[key] = [
                    (rule, ask) for rule, ask in asks if self.report(rule, ask(entry, unit, ctx))
                ]
            else:
                for rule, ask in finders:
                    self.report(rule, ask(entry, unit, ctx))

    def emit(self, code: str, finding: Finding, severity: Severity | None = None) -> None:
        site = finding.site
        document = site.document
        key = (code, document.path)
        on = self.on.get(key)
        if on is None:
            on = self.on[key] = self.enabled(code, document.path)
        if not on:
            return
        text = document.text
        start, end = site.start, site.end
        if not 0 <= start <= end <= len(text):
            start = max(0, min(start, len(text)))
            end = max(start, min(end, len(text)))
        line, column = document.position(start)
        if text.find("\n", start, end) < 0 and (line > 1 or not text.startswith("\ufeff")):
            end_line, end_column = line, column + end - start  # on the line it starts on
        else:
            end_line, end_column = document.position(end)
        if (end_line, end_column) == (line, column):
            end_column = column + 1
        if document.may_ignore and _suppressed(document, line, code):
            return
        rule = self.rules.get(code)
        level = finding.severity or severity or (rule.severity if rule else Severity.ERROR)
        self.result.diagnostics.append(
            Diagnostic(
                document.path,
                line,
                column,
                end_line,
                end_column,
                code,
                level,
                finding.message,
                finding.fix,
                finding.site.start,
                finding.site.end,
            )
        )

    def problem(self, code: str, document: Document, start: int, end: int, message: str) -> None:
        self.emit(code, Finding(Site(document, start, end), message))

    def label(self, wanted: str, document: Document) -> str:
        label = wanted
        if label in self.labels:
            label = f"{wanted} ({document.path})"
        number = 2
        while label in self.labels:
            label = f"{wanted} ({document.path} #{number})"
            number += 1
        self.labels.add(label)
        return label

    # ----------------------------------------------------------- reading

    def document(self, source: Source) -> Document | None:
        text = source.text
        if text is None:
            assert source.path is not None
            try:
                data = read_regular(source.path, limit=self.files[2])
            except OSError as error:
                document = Document(source.display, "", source.kind)
                self.result.documents[source.display] = document
                self.problem(UNREADABLE_FILE.code, document, 0, 0, f"cannot read: {error.strerror}")
                return None
            text = _decode(data)
            if text is None:
                document = Document(source.display, "", source.kind)
                self.result.documents[source.display] = document
                self.problem(UNREADABLE_FILE.code, document, 0, 0, "not UTF-8 text")
                return None
        document = Document(source.display, text, source.kind)
        self.result.documents[source.display] = document
        return document

    def read(self, group: list[Source]) -> None:
        found = [self.document(source) for source in group]
        readable = [d for d in found if d is not None]
        if len(readable) < len(found):
            return
        kind = group[0].kind
        if kind == "compose":
            self.read_compose(group, readable)
        elif kind == "dockerfile":
            self.read_dockerfile(readable[0])
        else:
            self.read_script(readable[0])

    def read_compose(self, group: list[Source], documents: list[Document]) -> None:
        from portspec.sources.compose import read_compose  # noqa: PLC0415

        first = group[0]
        by_path: dict[str | None, Document] = {}
        allow_outside, project_directory, limit = self.files
        folder = project_directory or (first.path.parent if first.path else Path.cwd())
        reader = Reader(None if allow_outside else folder, limit=limit, cache=self.read_bytes)
        if first.path is not None:
            for source, document in zip(group, documents, strict=True):
                assert source.path is not None
                by_path[str(source.path)] = document
                # The loader reads the very text the findings and fixes point into.
                reader.keep(source.path, document.text)
            files = [s.path for s in group[1:] if s.path]
            loaded = read_compose(
                first.path, env=self.env, files=files, reader=reader, **self.loading()
            )
        else:
            by_path[None] = documents[0]
            loaded = read_compose(documents[0].text, env=self.env, reader=reader, **self.loading())
        project, problems = loaded
        item_spans = (
            {(s.path, s.start, s.end) for s in project.locations.values()} if project else set()
        )
        unset: dict[str, list[ComposeProblem]] = {}
        broken: dict[tuple[str | None, int, int], list[ComposeProblem]] = {}
        required: dict[str, list[ComposeProblem]] = {}
        for problem in problems:
            if problem.variable is not None:
                kind = unset if problem.code == UNSET_VARIABLE.code else required
                kind.setdefault(problem.variable, []).append(problem)
        for found in required.values():
            # A required variable refuses the file once, at its first use.
            head, *others = sorted(found, key=lambda p: (p.span.path or "", p.span.start))
            more = (
                f" (and {len(others)} more use{'s' if len(others) > 1 else ''})" if others else ""
            )
            dropped = {id(p) for p in others}
            problems = [
                dataclasses.replace(p, message=p.message.partition("\n")[0] + more, variable=None)
                if p is head
                else p
                for p in problems
                if id(p) not in dropped
            ]
        unset_spans = {_key(p.span) for uses in unset.values() for p in uses}
        for problem in problems:
            span = problem.span
            # A problem in a file of its own (extends: file:) shows under its own name.
            document = (
                by_path.get(span.path)
                or (self.extra_document(span.path) if span.path is not None else None)
                or documents[0]
            )
            if problem.variable is not None:
                continue  # one finding a variable, below
            if problem.missing is None and _key(span) in unset_spans:
                broken.setdefault(_key(span), []).append(problem)
                continue  # an entry an unset variable broke: reported at the variable
            message = problem.message.partition("\n")[0]
            if problem.missing is not None and first.path is not None:
                self.undefined.append(
                    (
                        os.path.abspath(first.path.parent),
                        documents[0].path,
                        problem.missing,
                        problem.code,
                        document,
                        span.start,
                        span.end,
                        message,
                    )
                )
                continue
            self.problem(problem.code, document, span.start, span.end, message)
        for name, uses in unset.items():
            self.unset_variable(
                name,
                uses=uses,
                item_spans=item_spans,
                broken=broken,
                by_path=by_path,
                fallback=documents[0],
            )
        project_key = documents[0].path
        if first.path is not None:
            names = (
                frozenset(("services", name) for name in project.services) | project.resources
                if project is not None
                else frozenset()
            )
            self.defined.append((os.path.abspath(first.path.parent), names, project_key))
        if project is None:
            return
        refused = _refused_profiles(project) if self.loading()["every_profile"] else frozenset()
        for service, container in project.services.items():
            self.add_compose_unit(
                project, project_key, service, container, (by_path, documents[0]), refused=refused
            )

    def loading(self) -> dict[str, Any]:
        """The profiles to enable, or every single choice of them checked."""
        every = self.ctx.profiles is None and not self.env.get("COMPOSE_PROFILES")
        return {"profiles": self.ctx.profiles, "every_profile": every}

    def extra_document(self, path: str) -> Document | None:
        """The document of a file a compose file named, shown as an input of that name is."""
        real = os.path.realpath(path)
        shown = self.shown.get(real) or _shown(path)
        if shown in self.result.documents:
            return self.result.documents[shown]
        # Only a file the loader read is shown, as it read it: nothing else is opened.
        data = self.read_bytes.get(real)
        text = None if data is None else _decode(data)
        if text is None:
            return None
        document = Document(shown, text, "compose")
        self.result.documents[shown] = document
        return document

    def add_compose_unit(
        self,
        project: object,
        project_key: str,
        service: str,
        container: Container,
        documents: tuple[Mapping[str | None, Document], Document],
        *,
        refused: frozenset[str] = frozenset(),
    ) -> None:
        from portspec.sources.compose import Project  # noqa: PLC0415

        assert isinstance(project, Project)
        locations = project.locations
        by_path, fallback = documents

        def at(span: Span) -> Site:
            document = by_path.get(span.path)
            if document is None and span.path is not None:
                document = self.extra_document(span.path)
            return Site(document or fallback, span.start, span.end)

        def site(key: str, index: int) -> Site | None:
            span = locations.get((service, key, index))
            return None if span is None else at(span)

        unit_site = site("service", 0) or Site(fallback, 0, 0)
        via = site("extends", 0)
        bodies: list[Span] = []
        while via is not None and (span := locations.get((service, "body", len(bodies)))):
            bodies.append(span)

        def inherited(where: Span) -> bool:
            return via is not None and not any(
                body.path == where.path and body.start <= where.start < body.end for body in bodies
            )

        written = project.entries.get(service, {})

        def entries(key: str) -> list[Entry[object]]:
            out: list[Entry[object]] = []
            for index, located in enumerate(written.get(key, ())):
                came = via if inherited(located.span) else None
                where = at(located.span)
                out.append(Entry(located.value, where, index, located.text, located.long, came))
            return out

        self.units.append(
            Unit(
                label=self.label(service, unit_site.document),
                container=container,
                origin="compose",
                site=unit_site,
                publish=tuple(entries("ports")),  # type: ignore[arg-type]
                expose=tuple(entries("expose")),  # type: ignore[arg-type]
                links=tuple(entries("links")),  # type: ignore[arg-type]
                external_links=tuple(entries("external_links")),  # type: ignore[arg-type]
                network=site("network_mode", 0),
                project=project_key,
                project_name=project.name,
                # Kept only where every choice is checked: a selection already chose.
                profiles=project.profiles.get(service, frozenset()) - refused
                if self.loading()["every_profile"]
                else frozenset(),
                dormant=bool(project.profiles.get(service))
                and not project.profiles[service] - refused,
                replicas=project.replicas.get(service, 1),
                swarm=project.swarm,
                link_name=service,
                networks=project.networks.get(service, frozenset()),
            )
        )

    def read_script(self, document: Document) -> None:
        from portspec.lint.lifecycle import Run, Timeline, event_of  # noqa: PLC0415
        from portspec.sources.scripts import find_lifecycle  # noqa: PLC0415

        kind = document.kind
        assert kind in ("shell", "makefile", "markdown")
        one_session = kind == "markdown" and (
            self.ctx.markdown_one_session or _ONE_SESSION.search(document.text) is not None
        )
        # Each script of the document plays its own events; a run is read first.
        scripts: dict[int, tuple[list[Event], list[tuple[Command, _Read, Run]]]] = {}
        for step, command in enumerate(find_lifecycle(document.text, kind)):
            events, runs = scripts.setdefault(0 if one_session else command.script, ([], []))
            if command.action not in ("run", "create"):
                event = event_of(command, step, os.path.dirname(document.path))
                if event is not None:
                    events.append(event)
                continue
            read = self.read_command(document, command)
            if read is None:
                continue
            container, sites = read
            name = container.name if sites.name is not None else None
            attached = command.background and not sites.detach
            run = Run(
                step,
                name,
                sites.detach or command.background,
                sites.remove,
                attached=attached,
                background=command.background,
                at=command.start,
            )
            if command.action == "create":
                run = Run(step, name, False, sites.remove, create=True)
            events.append(run)
            runs.append((command, read, run))
        for script, (events, runs) in scripts.items():
            timeline = Timeline()
            timeline.play(events)
            session = f"{document.path}#{script}"
            for project, spans in timeline.windows.items():
                self.windows.extend((project, session, start, end) for start, end in spans)
            started = [Site(document, command.start, command.end) for command, _, _ in runs]
            for (command, (container, sites), _), outcome in zip(
                runs, timeline.outcomes, strict=True
            ):
                self.add_command_unit(
                    document,
                    command,
                    container,
                    sites,
                    session=session,
                    running=outcome.spans,
                    stopped=outcome.stopped,
                    name_taken=None if outcome.refused_by is None else started[outcome.refused_by],
                )

    def read_command(self, document: Document, command: Command) -> _Read | None:
        """The container of a command, or None when the CLI would refuse it (reported)."""
        from portspec.sources.argv import CommandError, read_command  # noqa: PLC0415

        try:
            container, sites = read_command(document.text, command.words, command.unknown)
        except CommandError as error:
            start, end = error.span or (command.start, command.end)
            code = _FLAG_CODES.get(error.flag or "", INVALID_COMMAND.code)
            self.problem(code, document, start, end, error.message)
            return None
        except PortSpecError as error:
            start, end = error.span or (command.start, command.end)
            self.problem(INVALID_COMMAND.code, document, start, end, error.message)
            return None
        name = sites.name
        if name is not None and not _CONTAINER_NAME.fullmatch(name.value):
            self.problem(
                REFUSED_AT_CREATE.code,
                document,
                name.span.start,
                name.span.end,
                f"Docker refuses this at create: Invalid container name ({name.value}),"
                " only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
            )
        for flag, span in sites.unknown:
            what = f"--{flag}" if flag else "these flags"
            text = document.text[span.start : span.end]
            message = (
                f"the value of {what} ({text}) is only known when the script runs: not checked"
                if flag
                else f"{text} may add flags that portspec cannot see"
            )
            self.problem(UNKNOWN_VALUE.code, document, span.start, span.end, message)
        return container, sites

    def add_command_unit(
        self,
        document: Document,
        command: Command,
        container: Container,
        sites: CommandSites,
        **timeline: Any,
    ) -> None:
        line, _ = document.position(command.start)
        label = container.name or f"{document.path}:{line}"
        unit_site = Site(document, command.start, command.end)

        def site(span: Span) -> Site:
            return Site(document, span.start, span.end)

        def entries(located: Sequence[Located[object]]) -> tuple[Entry[object], ...]:
            return tuple(
                Entry(value.value, site(value.span), index, value.text)
                for index, value in enumerate(located)
            )

        all_site = site(sites.publish_all) if sites.publish_all is not None else None
        name_site = site(sites.name.span) if sites.name is not None else None
        self.units.append(
            Unit(
                label=self.label(label, document),
                container=container,
                origin="command",
                site=unit_site,
                publish=entries(sites.publish),  # type: ignore[arg-type]
                expose=entries(sites.expose),  # type: ignore[arg-type]
                links=entries(sites.links),  # type: ignore[arg-type]
                network=site(sites.networks[0].span) if sites.networks else None,
                publish_all=all_site,
                link_name=container.name,
                isolated=document.kind == "markdown",
                name_site=name_site,
                **timeline,
            )
        )

    def finish(self) -> None:
        """Report the references no project defines; give compose projects their windows."""
        self.report_undefined()
        if not self.windows:
            return
        from dataclasses import replace  # noqa: PLC0415

        for index, unit in enumerate(self.units):
            if unit.origin != "compose" or unit.project is None:
                continue
            path = os.path.normpath(unit.project)
            keys = {"file:" + path}
            if os.path.basename(path) in _BASES:
                keys.add("dir:" + (os.path.dirname(path) or "."))
            windows = tuple(
                (session, start, end)
                for project, session, start, end in self.windows
                if project in keys
            )
            if windows:
                self.units[index] = replace(unit, windows=windows)

    def unset_variable(
        self,
        name: str,
        *,
        uses: list[ComposeProblem],
        item_spans: set[tuple[str | None, int, int]],
        broken: Mapping[tuple[str | None, int, int], list[ComposeProblem]],
        by_path: Mapping[str | None, Document],
        fallback: Document,
    ) -> None:
        """One PS005 a variable, at its first use in ports, expose or links.

        An entry it leaves one Docker cannot read is named in the message
        rather than reported again on its own, and makes the finding an error:
        Compose refuses the file while the variable is unset.
        """
        places = sorted(
            {_key(p.span) for p in uses if _key(p.span) in item_spans or _key(p.span) in broken},
            key=lambda k: (k[0] or "", k[1]),
        )
        if not places:
            return  # a variable outside ports, expose and links
        path, start, end = places[0]
        document = by_path.get(path) or (self.extra_document(path) if path else None) or fallback
        message = f"variable {name} is not set: Compose substitutes an empty string"
        faults = [p for place in places for p in broken.get(place, [])]
        severity = None
        if faults:
            first = faults[0]
            reason = first.message.partition("\n")[0]
            shown = first.fault.text if first.fault is not None else ""
            entries = "1 entry" if len(faults) == 1 else f"{len(faults)} entries"
            message += f" and refuses {entries} this leaves"
            message += f" ({shown!r}: {reason})" if shown else f" ({reason})"
            severity = Severity.ERROR
        self.emit(
            UNSET_VARIABLE.code, Finding(Site(document, start, end), message, severity=severity)
        )

    def report_undefined(self) -> None:
        """A reference to a service or resource no file of its project defines.

        Unless it is a fragment: a compose file that names services, networks,
        volumes, secrets or configs defined by a compose file of its own folder
        or a folder above it is run as ``docker compose -f base.yaml -f
        fragment.yaml``, and its references are resolved there.
        """
        for folder, project, missing, code, document, start, end, message in self.undefined:
            if not any(
                other != project
                and missing in names
                and (folder == base or folder.startswith(base.rstrip(os.sep) + os.sep))
                for base, names, other in self.defined
            ):
                self.problem(code, document, start, end, message)
        self.undefined.clear()

    def read_dockerfile(self, document: Document) -> None:
        from portspec.sources.dockerfile import find_dockerfile_exposes  # noqa: PLC0415

        exposes: list[Entry[Expose]] = []
        for found in find_dockerfile_exposes(document.text):
            if found.unknown:
                self.problem(
                    UNKNOWN_VALUE.code,
                    document,
                    found.start,
                    found.end,
                    f"EXPOSE {found.value} is only known at build time: not checked",
                )
                continue
            try:
                value = parse_expose(found.value)
            except PortSpecError as error:
                start, end = error.span or (0, len(found.value))
                self.problem(
                    INVALID_EXPOSE.code,
                    document,
                    found.start + start,
                    found.start + max(end, start + 1),
                    f"EXPOSE: {error.message}",
                )
                continue
            site = Site(document, found.start, found.end)
            exposes.append(Entry(value, site, len(exposes), found.value))
        if exposes:
            self.units.append(
                Unit(
                    label=self.label(document.path, document),
                    container=Container(expose=tuple(e.value for e in exposes)),
                    origin="dockerfile",
                    site=Site(document, 0, 0),
                    expose=tuple(exposes),
                )
            )


def _shown(path: str) -> str:
    """A path as the report shows it: relative to the working folder when inside it."""
    try:
        relative = os.path.relpath(path)
    except (ValueError, OSError):  # another drive; no working folder
        return path
    return path if relative == ".." or relative.startswith(("../", "..\\")) else relative


def _decode(data: bytes) -> str | None:
    try:
        return decode(data)
    except UnicodeDecodeError:
        return None


def _suppressed(document: Document, line: int, code: str) -> bool:
    """Whether ``# portspec: ignore[CODE]`` on the line, or alone on the line above, covers it."""
    for number, alone in ((line, False), (line - 1, True)):
        key = (number, alone)
        if key not in document.directives:
            # Read once a line: a line of many findings is not scanned again for each.
            document.directives[key] = _directive(document, number, alone)
        said = document.directives[key]
        if said is not None and (
            said[0] or code in said[1] or any(code.startswith(w) for w in said[1])
        ):
            return True
    return False


def _directive(document: Document, number: int, alone: bool) -> tuple[bool, frozenset[str]] | None:
    """What the line's ignore comments say: (every code, the codes named), or None."""
    text = document.line_text(number)
    if "portspec" not in text:
        return None
    comment = _comment_part(text, document.kind)
    if comment is None or (alone and text[: len(text) - len(comment)].strip()):
        return None
    every = False
    named: set[str] = set()
    for match in _DIRECTIVE.finditer(comment):
        codes = match.group(1)
        if codes is None:
            every = True
        else:
            named |= {c.strip().upper() for c in codes.split(",") if c.strip()}
    return every, frozenset(named)


def _comment_part(text: str, kind: Kind) -> str | None:
    """The comment of a line, from its ``#`` (or ``<!--`` in Markdown) on, or None."""
    if kind == "markdown":
        at = text.find("<!--")
        if at >= 0:
            return text[at:]
    at = text.find("#")
    while at > 0 and not text[at - 1].isspace():
        at = text.find("#", at + 1)
    return None if at < 0 else text[at:]
