"""to_compose then load_compose: a project's values come back as they were.

The fragments are written out as YAML text by PyYAML and read back by
``load_compose``. Short syntax gives equal values; long syntax gives them
with container ranges expanded (docs/compose.md). Compose makes each list
unique (a later entry with the same key takes the place of the first), so the
expected values are made unique the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

import yaml  # type: ignore[import-untyped, unused-ignore]
from hypothesis import given
from hypothesis import strategies as st

from portspec import Container, Expose, Link, PortMapping, parse_link
from portspec.emit.compose import to_compose
from portspec.sources.compose import load_compose
from tests.property.strategies import SMALL_RANGE, port_ranges, protocols, small_port_mappings

T = TypeVar("T")

#: Service names and aliases that every YAML reads as a plain string.
service_names = st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True)

compose_port_mappings = small_port_mappings().filter(lambda m: m.container.start >= 1)
compose_exposes = st.builds(Expose, port_ranges(max_length=SMALL_RANGE - 1), protocols)


@st.composite
def projects(draw: st.DrawFn) -> dict[str, Container]:
    """Services whose links and ``service:`` network modes name services of the project.

    Each names only services before it: Compose refuses a cycle of dependencies.
    """
    names = draw(st.lists(service_names, min_size=1, max_size=4, unique=True))
    out: dict[str, Container] = {}
    for index, name in enumerate(names):
        earlier = names[:index]
        links = (
            draw(
                st.lists(
                    st.builds(Link, st.sampled_from(earlier), st.one_of(st.none(), service_names)),
                    max_size=3,
                )
            )
            if earlier
            else []
        )
        modes = [st.none(), st.sampled_from(["host", "none", "bridge", "default"])]
        if earlier:
            modes.append(st.sampled_from(earlier).map(lambda other: f"service:{other}"))
        mode = draw(st.one_of(*modes))
        out[name] = Container(
            name=name,
            publish=tuple(draw(st.lists(compose_port_mappings, max_size=4))),
            expose=tuple(draw(st.lists(compose_exposes, max_size=3))),
            links=tuple(links),
            networks=() if mode is None else (mode,),
        )
    return out


def _unique(items: Iterable[T], key: Callable[[T], Hashable]) -> tuple[T, ...]:
    """Compose's unicity rule: a later entry with the same key replaces the first, in place."""
    out: list[T] = []
    at: dict[Hashable, int] = {}
    for item in items:
        k = key(item)
        if k in at:
            out[at[k]] = item
        else:
            at[k] = len(out)
            out.append(item)
    return tuple(out)


def _port_key(mapping: PortMapping) -> Hashable:
    published = "" if mapping.host is None else str(mapping.host)
    host_ip = mapping.host_ip_as_typed or "0.0.0.0"
    return (host_ip, published, str(mapping.container), mapping.protocol.value)


def _load(project: dict[str, Container], *, long: bool) -> dict[str, Container]:
    document = {"services": {name: to_compose(c, long=long) for name, c in project.items()}}
    text = yaml.safe_dump(document, sort_keys=False)
    return dict(load_compose(text, env={}).services)


def _check(project: dict[str, Container], *, long: bool) -> None:
    loaded = _load(project, long=long)
    assert sorted(loaded) == sorted(project)
    for name, container in project.items():
        got = loaded[name]
        publish: Iterable[PortMapping] = container.publish
        if long:
            publish = [m for mapping in container.publish for m in mapping.expand()]
        assert got.publish == _unique(publish, _port_key), name
        assert got.expose == _unique(container.expose, str), name
        assert got.links == _unique(container.links, str), name
        assert got.networks == container.networks, name


@given(projects())
def test_short_syntax_round_trips(project: dict[str, Container]) -> None:
    _check(project, long=False)


@given(projects())
def test_long_syntax_round_trips_expanded(project: dict[str, Container]) -> None:
    _check(project, long=True)


# ------------------------------------------------------------------ convert --to compose

#: Names go-yaml types as something else when plain, beside ordinary ones.
tricky_names = st.one_of(
    service_names,
    st.sampled_from(["08", "0o17", "1e3", "0x1f", "1_000", "017", "true", "null", "1.5", ".5"]),
)
#: Values with what Compose interpolates ($) and what YAML breaks lines at (U+0085).
tricky_values = st.text(
    st.sampled_from(["a", "$", "{", "}", "-", ":", " ", "#", "'", '"', "\x85", "\u2028", "0", "e"]),
    min_size=1,
    max_size=12,
).filter(lambda text: text.strip() == text)


@st.composite
def converted_projects(draw: st.DrawFn) -> dict[str, Container]:
    """Services with go-yaml-numeric names, images and container names with $ and breaks."""
    names = draw(st.lists(tricky_names, min_size=1, max_size=4, unique=True))
    out: dict[str, Container] = {}
    for index, name in enumerate(names):
        earlier = names[:index]
        links = draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True)) if earlier else []
        external = draw(st.lists(st.sampled_from(["redis", "cache:c", "db:0o17"]), max_size=2))
        out[name] = Container(
            name=draw(st.one_of(st.just(name), tricky_names)),
            image=draw(tricky_values),
            publish=tuple(draw(st.lists(compose_port_mappings, max_size=2))),
            links=(*(Link(other, None) for other in links), *map(parse_link, external)),
        )
    return out


@given(converted_projects())
def test_convert_output_loads_back_into_the_same_project(project: dict[str, Container]) -> None:
    from portspec.cli._convert import render

    text = render(list(project.items()), "compose", True)
    loaded = load_compose(text, env={})
    assert sorted(loaded.services) == sorted(project)
    for name, container in project.items():
        got = loaded.services[name]
        assert got.image == container.image, text
        assert got.name == container.name, text
        assert got.publish == _unique(container.publish, _port_key), text
        both = (*got.links, *loaded.external_links.get(name, ()))
        assert sorted(map(str, both)) == sorted(map(str, _unique(container.links, str))), text
