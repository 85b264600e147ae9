"""Host port conflicts and link problems: one test per rule of Docker's port allocator."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from portspec import Container, Link, PortRange, PortSpecError, Protocol, Span, parse_docker_run
from portspec.checks.conflicts import (
    Conflict,
    HostSettings,
    LinkProblem,
    find_conflicts,
    find_link_problems,
)


def check(*lines: str, host: HostSettings | None = None) -> list[Conflict]:
    """Conflicts among containers a, b, c, ... given as ``docker run`` flags."""
    return find_conflicts(
        {chr(ord("a") + i): parse_docker_run(line) for i, line in enumerate(lines)}, host=host
    )


def codes(*lines: str, host: HostSettings | None = None) -> list[str]:
    return [conflict.code for conflict in check(*lines, host=host)]


# ------------------------------------------------ what a binding is


def test_same_address_and_port_conflicts() -> None:
    [conflict] = check("-p 8080:80", "-p 8080:81")
    assert conflict.code == "PS101"
    assert conflict.certain
    assert (conflict.first.label, conflict.second.label) == ("a", "b")
    assert str(conflict.first.mapping) == "8080:80"
    assert conflict.protocol is Protocol.TCP
    assert conflict.ports == PortRange.single(8080)
    # No host address binds both 0.0.0.0 and ::, so both are named.
    assert conflict.addresses == (ip_address("0.0.0.0"), ip_address("::"))


def test_different_ports_do_not_conflict() -> None:
    assert check("-p 8080:80", "-p 8081:80") == []


@pytest.mark.parametrize(
    ("first", "second"),
    [("tcp", "udp"), ("tcp", "sctp"), ("udp", "sctp")],
)
def test_protocols_never_conflict_with_each_other(first: str, second: str) -> None:
    assert check(f"-p 53:53/{first}", f"-p 53:53/{second}") == []
    assert codes(f"-p 53:53/{first}", f"-p 53:54/{first}") == ["PS101"]


# ------------------------------------------------ addresses and families


def test_specific_addresses_conflict_only_with_the_same_address() -> None:
    assert check("-p 127.0.0.1:9000:80", "-p 127.0.0.2:9000:80") == []
    assert codes("-p 127.0.0.1:9000:80", "-p 127.0.0.1:9000:81") == ["PS101"]


def test_unspecified_address_conflicts_with_every_address_of_its_family() -> None:
    [conflict] = check("-p 0.0.0.0:9000:80", "-p 127.0.0.1:9000:80")
    assert conflict.addresses == (ip_address("127.0.0.1"),)
    assert codes("-p [::]:9000:80", "-p [::1]:9000:80") == ["PS101"]


def test_ipv4_and_ipv6_are_separate_families() -> None:
    assert check("-p 0.0.0.0:8200:80", "-p [::]:8200:80") == []
    assert check("-p 127.0.0.1:8200:80", "-p [::1]:8200:80") == []


def test_ipv4_mapped_ipv6_counts_as_ipv4() -> None:
    [conflict] = check("-p 127.0.0.1:9000:80", "-p [::ffff:127.0.0.1]:9000:80")
    assert conflict.addresses == (ip_address("127.0.0.1"),)
    assert codes("-p 0.0.0.0:9000:80", "-p [::ffff:10.0.0.1]:9000:80") == ["PS101"]
    assert check("-p [::]:9000:80", "-p [::ffff:10.0.0.1]:9000:80") == []


def test_no_address_conflicts_with_any_address_of_either_family() -> None:
    assert codes("-p 9000:80", "-p 127.0.0.1:9000:80") == ["PS101"]
    assert codes("-p 9000:80", "-p [::1]:9000:80") == ["PS101"]
    assert codes("-p 9000:80", "-p [::]:9000:80") == ["PS101"]


def test_no_address_without_ipv6_binds_ipv4_only() -> None:
    assert check("-p 9000:80", "-p [::1]:9000:80", host=HostSettings(ipv6=False)) == []


# ------------------------------------------------ ranges


def test_fixed_ranges_compare_as_intervals() -> None:
    [conflict] = check("-p 8000-8010:8000-8010", "-p 8005-8020:9005-9020")
    assert conflict.ports == PortRange(8005, 8010)
    assert check("-p 8000-8010:8000-8010", "-p 8011-8020:8011-8020") == []


def test_the_whole_port_space_is_one_interval() -> None:
    [conflict] = check("-p 1-65535:1-65535", "-p 127.0.0.1:443:443")
    assert conflict.ports == PortRange.single(443)


def test_dynamic_range_exhausted_when_every_port_is_taken() -> None:
    found = check("-p 8000-8001:80", "-p 8000:80", "-p 127.0.0.1:8001:80")
    assert [(c.code, c.certain, c.ports) for c in found] == [
        ("PS102", True, PortRange.single(8000)),
        ("PS102", True, PortRange.single(8001)),
    ]


def test_dynamic_range_contended_when_some_ports_are_taken() -> None:
    [conflict] = check("-p 8000-8010:80", "-p 8000-8009:8000-8009")
    assert (conflict.code, conflict.certain) == ("PS103", False)
    assert conflict.ports == PortRange(8000, 8009)


def test_dynamic_range_counts_only_overlapping_addresses() -> None:
    assert check("-p 127.0.0.1:8000-8001:80", "-p 127.0.0.2:8000-8001:8000-8001") == []
    assert codes("-p 127.0.0.1:8000-8001:80", "-p 8000-8001:8000-8001") == ["PS102"]


def test_dynamic_ranges_do_not_conflict_with_each_other() -> None:
    assert check("-p 8000-8001:80", "-p 8000-8001:81") == []


# ------------------------------------------------ ephemeral ports


def test_fixed_port_in_ephemeral_range_is_a_possible_conflict() -> None:
    [conflict] = check("-p 80", "-p 40000:80")
    assert (conflict.code, conflict.certain) == ("PS104", False)
    assert conflict.ports == PortRange.single(40000)
    assert conflict.first.label == "a"


def test_ephemeral_range_matters_only_when_someone_uses_it() -> None:
    assert check("-p 40000:80", "-p 40001:80") == []


@pytest.mark.parametrize("user", ["-p 127.0.0.1::80", "-P --expose 80"])
def test_every_ephemeral_user_counts(user: str) -> None:
    assert codes(user, "-p 127.0.0.1:40000:80") == ["PS104"]


def test_ephemeral_user_on_another_address_does_not_count() -> None:
    assert check("-p 127.0.0.2::80", "-p 127.0.0.1:40000:80") == []


def test_ephemeral_range_is_a_setting() -> None:
    host = HostSettings(ephemeral=(49153, 65535))
    assert check("-p 80", "-p 40000:80", host=host) == []
    assert codes("-p 80", "-p 50000:80", host=host) == ["PS104"]
    with pytest.raises(PortSpecError):
        HostSettings(ephemeral=(10, 5))


def test_one_ephemeral_finding_per_fixed_binding() -> None:
    found = check("-p 80", "-p 81", "-p 40000-40001:40000-40001")
    assert [(c.code, c.first.label, c.second.label) for c in found] == [("PS104", "a", "c")]


# ------------------------------------------------ duplicates and networks


def test_the_same_mapping_twice() -> None:
    [conflict] = check("-p 8080:80 -p 8080:80")
    assert (conflict.code, conflict.certain) == ("PS105", False)
    assert (conflict.first.index, conflict.second.index) == (0, 1)


def test_the_same_mapping_in_two_containers_is_a_clash() -> None:
    assert codes("-p 8080:80", "-p 8080:80") == ["PS101"]


@pytest.mark.parametrize("network", ["host", "none", "container:db", "service:db"])
def test_networks_without_own_ports_publish_nothing(network: str) -> None:
    assert check("-p 8080:80", f"--network {network} -p 8080:80") == []


def test_user_defined_network_publishes() -> None:
    assert codes("-p 8080:80", "--network backend -p 8080:80") == ["PS101"]


# ------------------------------------------------ inputs and output


def test_containers_as_a_sequence_are_labelled_by_name_or_position() -> None:
    found = find_conflicts([parse_docker_run("--name web -p 80:80"), parse_docker_run("-p 80:80")])
    assert (found[0].first.label, found[0].second.label) == ("web", "1")


def test_spans_travel_with_the_sides() -> None:
    span = Span(3, 13, line=2, column=4, path="run.sh")
    [conflict] = find_conflicts(
        {"a": parse_docker_run("-p 80:80"), "b": parse_docker_run("-p 80:80")},
        spans={("b", 0): span},
    )
    assert conflict.second.span == span
    assert conflict.first.span is None


def test_a_conflict_reads_well() -> None:
    [conflict] = check("-p 8080:80", "-p 127.0.0.1:8080:81/tcp")
    assert str(conflict) == (
        "PS101 host port already bound: b (-p 127.0.0.1:8080:81) and a (-p 8080:80)"
        " on 127.0.0.1 tcp/8080"
    )


def test_not_a_container_is_refused() -> None:
    with pytest.raises(PortSpecError):
        find_conflicts({"a": "-p 80:80"})  # type: ignore[arg-type]


# ------------------------------------------------ links


def links(**containers: str) -> list[LinkProblem]:
    return find_link_problems({name: parse_docker_run(line) for name, line in containers.items()})


def test_link_to_an_undefined_container() -> None:
    [problem] = links(web="--link db")
    assert (problem.code, problem.container, problem.link) == ("PS111", "web", Link("db"))


def test_link_to_a_defined_container_is_fine() -> None:
    assert links(web="--link db:database", db="") == []
    assert links(web="--link /db", db="") == []


def test_one_alias_used_twice() -> None:
    [problem] = links(web="--link db:store --link cache:store", db="", cache="")
    assert (problem.code, problem.link) == ("PS112", Link("cache", "store"))


def test_link_to_itself() -> None:
    assert [p.code for p in links(web="--link web")] == ["PS113"]


def test_link_cycle() -> None:
    [problem] = links(a="--link b", b="--link c", c="--link a", d="--link a")
    assert problem.code == "PS114"
    assert problem.cycle == ("a", "b", "c", "a")
    assert problem.link == Link("b")
    assert str(problem) == "PS114 a: --link b: links form a cycle: a -> b -> c -> a"


def test_a_chain_is_not_a_cycle() -> None:
    assert links(a="--link b", b="--link c", c="") == []


def test_link_cycles_are_found_in_deep_graphs() -> None:
    count = 5000
    group = {f"n{i}": Container(links=(Link(f"n{(i + 1) % count}"),)) for i in range(count)}
    [problem] = find_link_problems(group)
    assert len(problem.cycle) == count + 1


def test_host_port_zero_takes_an_ephemeral_port() -> None:
    assert codes("-p 0:80", "-p 40000:80") == ["PS104"]
    assert check("-p 0:80", "-p 0:81") == []
