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
from portspec.checks.simulate import simulate_starts


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
    # Docker refuses the container: "Bind for 0.0.0.0:8080 failed: port is already allocated".
    [conflict] = check("-p 8080:80 -p 8080:80")
    assert (conflict.code, conflict.certain) == ("PS105", True)
    assert (conflict.first.index, conflict.second.index) == (0, 1)


def test_a_wildcard_and_an_address_in_one_container_are_refused() -> None:
    [conflict] = check("-p 127.0.0.1:8080:80 -p 8080:80")
    assert (conflict.code, conflict.certain) == ("PS101", True)


def test_udp_twice_in_one_container_binds_from_engine_27() -> None:
    # The grouped allocator binds both sockets itself, with SO_REUSEADDR.
    new = check("-p 8080:80/udp -p 8080:80/udp", host=HostSettings(engine_version=(28, 5)))
    old = check("-p 8080:80/udp -p 8080:80/udp", host=HostSettings(engine_version=(20, 10)))
    assert [(c.code, c.certain) for c in new] == [("PS105", False)]
    assert [(c.code, c.certain) for c in old] == [("PS105", True)]


def test_udp_wildcard_meets_only_itself_from_27_to_28_2() -> None:
    lines = ("-p 127.0.0.1:53:53/udp", "-p 53:53/udp")
    assert check(*lines, host=HostSettings(engine_version=(27, 5))) == []
    assert codes(*lines, host=HostSettings(engine_version=(28, 3))) == ["PS101"]
    assert codes(*lines, host=HostSettings(engine_version=(20, 10))) == ["PS101"]
    assert codes("-p 53:53/udp", "-p 53:54/udp", host=HostSettings(engine_version=(27, 5))) == [
        "PS101"
    ]


def test_a_binding_copied_n_times_is_reported_n_minus_one_times() -> None:
    found = check(*["-p 8080:80"] * 50)
    assert len(found) == 49
    assert {c.first.label for c in found} == {"a"}
    assert all(c.code == "PS101" and c.certain for c in found)
    one = find_conflicts([parse_docker_run(" ".join(["-p 80:80"] * 1000))])
    assert len(one) == 999
    assert {c.first.index for c in one} == {0}


def test_copies_and_another_binding() -> None:
    # Each copy meets the first; the other binding meets the first only.
    found = check("-p 8080:80", "-p 8080:80", "-p 127.0.0.1:8080:80")
    assert [(c.first.label, c.second.label) for c in found] == [("a", "b"), ("a", "c")]


def test_a_shared_dynamic_range_runs_out() -> None:
    found = check(*["-p 8000-8002:80"] * 4)
    assert [(c.code, c.certain, c.first.label, c.second.label) for c in found] == [
        ("PS102", True, "a", "d")
    ]
    assert check(*["-p 8000-8002:80"] * 3) == []


def test_a_shared_dynamic_range_with_fixed_ports_in_it() -> None:
    found = check("-p 8000-8002:80", "-p 8000-8002:80", "-p 8000:81", "-p 8001:82")
    codes_found = [(c.code, c.certain, c.first.label, c.second.label) for c in found]
    assert ("PS102", True, "a", "b") in codes_found


def test_overlapping_dynamic_ranges_contend() -> None:
    # They draw from one pool; which ports each gets depends on the order and
    # on where the ranges' cursors stand.
    lines = ("-p 127.0.0.1:7100-7101:80", "-p 7100-7101:80")
    for engine in ((20, 10), (28, 5)):
        found = check(*lines, host=HostSettings(engine_version=engine))
        assert [(c.code, c.certain) for c in found] == [("PS103", False)]
    assert codes("-p 8000-8001:80", "-p 8001-8002:80") == ["PS103"]
    assert check("-p 8000-8001:80", "-p 127.0.0.1:8000-8001:80/udp") == []


def test_engine_version_is_checked() -> None:
    with pytest.raises(PortSpecError):
        HostSettings(engine_version=(28,))  # type: ignore[arg-type]


def test_the_garbage_collector_is_left_alone_by_threads() -> None:
    import gc
    import threading

    group = [parse_docker_run(f"-p {8000 + i % 50}:80") for i in range(2000)]
    assert gc.isenabled()

    def work() -> None:
        for _ in range(5):
            find_conflicts(group)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gc.isenabled()


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
    assert problem.message == "alias 'store' is used twice: it already names db"


def test_the_same_link_twice_is_one_link() -> None:
    assert links(web="--link db --link db:db --link /db:db", db="") == []


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


# ------------------------------------------------ containers started in order

ENGINE_20 = HostSettings(engine_version=(20, 10))
ENGINE_28 = HostSettings(engine_version=(28, 5))


def starts(*lines: str, host: HostSettings = ENGINE_20) -> list[tuple[str, list[str]]]:
    """Each container's status and its bindings, as ``address:port`` strings."""
    found = simulate_starts([parse_docker_run(line) for line in lines], host=host)
    return [(o.status, [f"{b.address}:{b.port}" for b in o.bindings]) for o in found]


def test_a_dynamic_range_is_one_pool() -> None:
    assert starts(*["-p 8000-8002:80"] * 4) == [
        ("starts", ["0.0.0.0:8000", ":::8000"]),
        ("starts", ["0.0.0.0:8001", ":::8001"]),
        ("starts", ["0.0.0.0:8002", ":::8002"]),
        ("refused", []),
    ]


def test_two_dynamic_ranges_in_one_container_are_refused() -> None:
    [outcome] = simulate_starts(
        [parse_docker_run("-p [::ffff:127.0.0.1]:7100-7101:80 -p 7100-7101:80")], host=ENGINE_20
    )
    assert outcome.status == "refused"
    assert outcome.conflict is not None
    assert outcome.conflict.certain


def test_a_range_without_address_picks_per_family_before_27() -> None:
    # ::1 holds 7101: :: takes 7101 from its own table and its bind fails.
    assert starts("-p [::1]:7101:81", "-p 7101-7102:80", "-p 127.0.0.2:7102:81") == [
        ("starts", ["::1:7101"]),
        ("refused", []),
        ("starts", ["127.0.0.2:7102"]),
    ]
    # From 28.3 the allocator looks at ::1 too and both families get 7102.
    assert starts(
        "-p [::1]:7101:81", "-p 7101-7102:80", "-p 127.0.0.2:7102:81", host=ENGINE_28
    ) == [
        ("starts", ["::1:7101"]),
        ("starts", ["0.0.0.0:7102", ":::7102"]),
        ("refused", []),
    ]


@pytest.mark.parametrize("line", ["-p 8080:80 -p 8080:80", "-p 127.0.0.1:8080:80 -p 8080:80"])
def test_one_port_twice_in_one_container_is_refused(line: str) -> None:
    assert starts(line) == [("refused", [])]
    assert starts(line, host=ENGINE_28) == [("refused", [])]


def test_a_fixed_port_a_range_took_is_refused() -> None:
    [first, second] = simulate_starts(
        [parse_docker_run("-p 8000-8001:80"), parse_docker_run("-p 8000:81")], host=ENGINE_20
    )
    assert first.status == "starts"
    assert second.status == "refused"
    assert second.conflict is not None
    assert (second.conflict.code, second.conflict.first.label) == ("PS101", "0")
    # Started the other way round, the range steps over the fixed port.
    assert starts("-p 8000:81", "-p 8000-8001:80") == [
        ("starts", ["0.0.0.0:8000", ":::8000"]),
        ("starts", ["0.0.0.0:8001", ":::8001"]),
    ]


def test_a_refused_container_keeps_the_cursor_it_moved() -> None:
    # The second container takes 7101 on 0.0.0.0, fails on ::, and gives 7101
    # back; the third one's range then starts after 7101.
    assert starts("-p [::1]:7101:81", "-p 7101-7102:80", "-p 7101-7102:80") == [
        ("starts", ["::1:7101"]),
        ("refused", []),
        ("starts", ["0.0.0.0:7102", ":::7102"]),
    ]


def test_an_ephemeral_port_is_not_known_and_a_fixed_one_after_it_depends() -> None:
    found = simulate_starts(
        [
            parse_docker_run("-p 80"),
            parse_docker_run("-p 40000:80"),
            parse_docker_run("-p 9000:80"),
        ],
        host=ENGINE_20,
    )
    assert [o.status for o in found] == ["starts", "depends", "starts"]
    assert found[0].bindings[0].port is None
    assert found[0].bindings[0].ports == PortRange(32768, 60999)
    assert "run time" in found[1].reason
    assert found[1].conflict is not None
    assert not found[1].conflict.certain


def test_udp_on_overlapping_addresses() -> None:
    lines = ("-p 127.0.0.1:53:53/udp", "-p 53:53/udp")
    assert [s for s, _ in starts(*lines)] == ["starts", "refused"]
    assert [s for s, _ in starts(*lines, host=HostSettings(engine_version=(27, 5)))] == [
        "starts",
        "starts",
    ]
    assert [s for s, _ in starts(*lines, host=ENGINE_28)] == ["starts", "refused"]


def test_containers_without_their_own_ports_start() -> None:
    assert starts("-p 80:80", "--network host -p 80:80") == [
        ("starts", ["0.0.0.0:80", ":::80"]),
        ("starts", []),
    ]


def test_simulate_starts_reads_well() -> None:
    found = simulate_starts({"web": parse_docker_run("-p 127.0.0.1:8080:80")}, host=ENGINE_20)
    assert str(found[0]) == "web: starts 127.0.0.1:8080->80/tcp"
    with pytest.raises(PortSpecError):
        simulate_starts([], host="20.10")  # type: ignore[arg-type]


def test_lint_pairs_a_copy_again_when_its_first_runs_apart() -> None:
    from portspec.lint.engine import lint_text
    from portspec.lint.rule import Context

    service = "  {name}:\n    image: s\n    profiles: [{profile}]\n    ports: ['8000:80']\n"
    text = "services:\n" + "".join(
        service.format(name=name, profile=profile)
        for name, profile in (("a", "x"), ("b", "y"), ("c", "y"))
    )
    # a runs apart from b and c (other profile); b and c run together.
    found = [(d.code, d.line) for d in lint_text(text, "compose.yaml", ctx=Context())]
    assert found == [("PS101", 13)]
