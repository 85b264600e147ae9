"""Round trips and canonical forms, for every value the model can hold."""

from __future__ import annotations

from ipaddress import ip_address

from hypothesis import given
from hypothesis import strategies as st

from portspec import Dialect, Expose, Link, PortMapping, parse_expose, parse_link, parse_publish
from portspec.model import parse_address
from tests.property.strategies import any_text, exposes, ipv4, ipv6, links, port_mappings


@given(port_mappings())
def test_publish_round_trip(mapping: PortMapping) -> None:
    assert parse_publish(str(mapping)) == mapping


@given(port_mappings())
def test_publish_round_trip_keeps_the_address_as_typed(mapping: PortMapping) -> None:
    assert parse_publish(str(mapping)).host_ip_as_typed == mapping.host_ip_as_typed


@given(port_mappings())
def test_compose_reads_the_canonical_form_alike(mapping: PortMapping) -> None:
    if mapping.container.start > 0:
        assert parse_publish(str(mapping), dialect=Dialect.COMPOSE) == mapping


@given(port_mappings())
def test_publish_canonical_form_is_idempotent(mapping: PortMapping) -> None:
    once = str(parse_publish(str(mapping)))
    assert str(parse_publish(once)) == once


@given(port_mappings())
def test_expand_keeps_every_port_once(mapping: PortMapping) -> None:
    if len(mapping.container) > 100:
        return
    expanded = list(mapping.expand())
    assert [m.container.start for m in expanded] == list(mapping.container)
    assert all(m.protocol is mapping.protocol and m.host_ip == mapping.host_ip for m in expanded)
    if mapping.host is not None and not mapping.is_dynamic_range:
        assert [m.host.start for m in expanded if m.host] == list(mapping.host)


@given(exposes)
def test_expose_round_trip(expose: Expose) -> None:
    assert parse_expose(str(expose)) == expose
    assert str(parse_expose(str(expose))) == str(expose)


@given(links())
def test_link_round_trip(link: Link) -> None:
    assert parse_link(str(link)) == link
    assert str(parse_link(str(link))) == str(link)


@given(st.one_of(ipv4.map(str), ipv6.map(str), ipv6.map(lambda a: a.exploded), any_text))
def test_parse_address_agrees_with_ipaddress(text: str) -> None:
    try:
        expected: object = ip_address(text)
    except ValueError:
        expected = None
    if "%" in text:
        expected = None  # Go takes no IPv6 zone
    assert parse_address(text) == expected
