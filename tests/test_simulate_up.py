"""``simulate_up``: what ``docker compose up`` does with each container, in Compose's order."""

from __future__ import annotations

import pytest

from portspec import HostSettings, PortSpecError, load_compose, simulate_up
from portspec.checks.simulate import StartOutcome

V4 = HostSettings(ipv6=False, engine_version=(20, 10))


def up(text: str, host: HostSettings = V4) -> dict[str, StartOutcome]:
    return {o.label: o for o in simulate_up(load_compose(text), host=host)}


def statuses(text: str, host: HostSettings = V4) -> dict[str, str]:
    return {label: o.status for label, o in up(text, host).items()}


def test_services_without_clash_all_start_with_their_ports() -> None:
    found = up(
        "name: p\nservices:\n"
        "  a: {image: x, ports: ['8000:80']}\n"
        "  b: {image: x, ports: ['127.0.0.1:8001:80/udp']}\n"
        "  c: {image: x}\n"
    )
    assert [str(o) for o in found.values()] == [
        "p-a-1: starts 0.0.0.0:8000->80/tcp",
        "p-b-1: starts 127.0.0.1:8001->80/udp",
        "p-c-1: starts (no ports)",
    ]


def test_replicas_start_one_after_another_and_stop_at_the_first_refusal() -> None:
    found = up("name: p\nservices:\n  web: {image: x, scale: 3, ports: ['8080:80']}\n")
    assert [o.status for o in found.values()] == ["starts", "refused", "skipped"]
    assert found["p-web-2"].conflict is not None
    assert found["p-web-2"].conflict.certain
    assert "already allocated" in found["p-web-2"].reason
    assert found["p-web-3"].reason == "p-web-2 was refused and Compose starts no more of web"


def test_a_dynamic_range_serves_as_many_replicas_as_it_has_ports() -> None:
    found = up(
        "name: p\nservices:\n  web: {image: x, deploy: {replicas: 3}, ports: ['9000-9001:80']}\n"
    )
    assert [o.status for o in found.values()] == ["starts", "starts", "refused"]
    assert [b.port for b in found["p-web-1"].bindings] == [9000]
    assert [b.port for b in found["p-web-2"].bindings] == [9001]


def test_ephemeral_host_ports_never_refuse_replicas() -> None:
    found = statuses("name: p\nservices:\n  web: {image: x, scale: 4, ports: ['80']}\n")
    assert set(found.values()) == {"starts"}


def test_the_dependency_order_decides_who_holds_the_port() -> None:
    found = up(
        "name: p\nservices:\n"
        "  web: {image: x, ports: ['8080:80'], depends_on: [api]}\n"
        "  api: {image: x, ports: ['8080:3000']}\n"
    )
    assert found["p-api-1"].status == "starts"
    assert found["p-web-1"].status == "refused"
    conflict = found["p-web-1"].conflict
    assert conflict is not None
    assert conflict.first.label == "p-api-1"


def test_services_waiting_for_a_refused_one_are_skipped() -> None:
    found = up(
        "name: p\nservices:\n"
        "  db: {image: x, ports: ['5432:5432']}\n"
        "  db2: {image: x, ports: ['5432:5432'], depends_on: [db]}\n"
        "  app: {image: x, depends_on: {db2: {condition: service_started}}}\n"
        "  ui: {image: x, depends_on: [app]}\n"
    )
    assert found["p-db2-1"].status == "refused"
    assert found["p-app-1"].status == "skipped"
    assert found["p-app-1"].reason == "it waits for db2, and p-db2-1 was refused"
    assert found["p-ui-1"].status == "skipped"


def test_parallel_services_on_one_port_depend_on_which_binds_first() -> None:
    found = up(
        "name: p\nservices:\n"
        "  a: {image: x, ports: ['8080:80']}\n"
        "  b: {image: x, ports: ['8080:81']}\n"
    )
    for label in ("p-a-1", "p-b-1"):
        outcome = found[label]
        assert outcome.status == "depends"
        assert outcome.conflict is not None
        assert not outcome.conflict.certain
        assert "timing" in outcome.reason or "parallel" in outcome.reason


def test_a_refusal_elsewhere_makes_unordered_services_depend_on_timing() -> None:
    found = up(
        "name: p\nservices:\n"
        "  web: {image: x, scale: 2, ports: ['8080:80']}\n"
        "  other: {image: x, ports: ['9000:80']}\n"
    )
    assert found["p-web-2"].status == "refused"
    other = found["p-other-1"]
    assert other.status == "depends"
    assert "p-web-2" in other.reason
    assert "timing" in other.reason


@pytest.mark.parametrize(
    "wait",
    [
        "links: [first]",
        "network_mode: 'service:first'",
        "ipc: 'service:first'",
        "pid: 'service:first'",
        "volumes_from: ['first:ro']",
        "depends_on: {first: {condition: service_started}}",
    ],
)
def test_every_way_of_waiting_orders_the_start(wait: str) -> None:
    ports = "" if "network_mode" in wait else ", ports: ['8080:81']"
    project = load_compose(
        "name: p\nservices:\n"
        "  first: {image: x, ports: ['8080:80']}\n"
        f"  second: {{image: x, {wait}{ports}}}\n"
    )
    assert project.depends_on == {"second": frozenset({"first"})}
    found = {o.label: o for o in simulate_up(project, host=V4)}
    assert found["p-first-1"].status == "starts"
    assert found["p-second-1"].status == ("starts" if "network_mode" in wait else "refused")


def test_waiting_is_inherited_through_extends_and_overrides() -> None:
    project = load_compose(
        "name: p\nservices:\n"
        "  base: {image: x, volumes_from: [first], profiles: [never]}\n"
        "  first: {image: x, ports: ['8080:80']}\n"
        "  second: {extends: base, ports: ['8080:81'], profiles: !reset []}\n"
    )
    assert project.depends_on["second"] == frozenset({"first"})


def test_a_service_that_does_not_run_is_no_dependency() -> None:
    project = load_compose(
        "name: p\nservices:\n"
        "  tool: {image: x, profiles: [debug], ports: ['8080:80']}\n"
        "  web: {image: x, ports: ['8080:80'],"
        " depends_on: {tool: {condition: service_started, required: false}}}\n"
    )
    assert project.depends_on == {}
    assert statuses("name: p\nservices:\n  web: {image: x}\n") == {"p-web-1": "starts"}
    assert [o.status for o in simulate_up(project, host=V4)] == ["starts"]


def test_container_name_labels_the_container() -> None:
    found = up("name: p\nservices:\n  web: {image: x, container_name: front, ports: ['80:80']}\n")
    assert list(found) == ["front"]


def test_outcomes_agree_with_find_conflicts_on_certain_clashes() -> None:
    found = up(
        "name: p\nservices:\n"
        "  a: {image: x, ports: ['8080:80']}\n"
        "  b: {image: x, ports: ['127.0.0.1:8080:80'], depends_on: [a]}\n"
    )
    # Engine 20.10 keeps 0.0.0.0 and 127.0.0.1 apart in its tables; the
    # proxy then fails to bind 127.0.0.1:8080 while 0.0.0.0:8080 is held.
    assert found["p-b-1"].status == "refused"


def test_a_large_hostile_project_is_cut_short_and_says_so() -> None:
    services = "".join(f"  s{i}: {{image: x, ports: ['8080:{i + 1}']}}\n" for i in range(600))
    found = simulate_up(load_compose("name: p\nservices:\n" + services), host=V4)
    assert len(found) == 600
    assert {o.status for o in found} == {"depends"}
    assert found[0].reason == "too many start orders to follow"


def test_many_independent_services_are_followed_group_by_group() -> None:
    services = "".join(f"  s{i}: {{image: x, ports: ['{8000 + i}:80']}}\n" for i in range(300))
    found = {o.label: o for o in simulate_up(load_compose("name: p\nservices:\n" + services))}
    assert {o.status for o in found.values()} == {"starts"}
    assert [str(b) for b in found["p-s299-1"].bindings] == [
        "0.0.0.0:8299->80/tcp",
        "[::]:8299->80/tcp",
    ]


def test_wrong_types_are_refused_with_a_portspec_error() -> None:
    with pytest.raises(PortSpecError, match="compose Project"):
        simulate_up("services: {}")  # type: ignore[arg-type]
    with pytest.raises(PortSpecError, match="HostSettings"):
        simulate_up(load_compose("services: {}"), host="20.10")  # type: ignore[arg-type]


def test_a_shared_range_starts_both_but_which_port_each_gets_depends() -> None:
    found = up(
        "name: p\nservices:\n"
        "  a: {image: x, ports: ['9000-9001:80']}\n"
        "  b: {image: x, ports: ['9000-9001:81']}\n"
    )
    for label in ("p-a-1", "p-b-1"):
        assert found[label].status == "depends"
        assert found[label].reason.startswith("it starts either way")


@pytest.mark.parametrize(
    ("first", "condition", "status", "reason"),
    [
        ("{image: x}", "service_healthy", "depends", "up to its image's"),
        ("{image: x, healthcheck: {test: [CMD, check]}}", "service_healthy", "depends", "pass"),
        ("{image: x, healthcheck: {disable: true}}", "service_healthy", "skipped", "is off"),
        ("{image: x, healthcheck: {test: [NONE]}}", "service_healthy", "skipped", "is off"),
        ("{image: x}", "service_completed_successfully", "depends", "exit 0"),
    ],
)
def test_a_condition_the_plan_cannot_see_met(
    first: str, condition: str, status: str, reason: str
) -> None:
    found = up(
        f"name: p\nservices:\n  first: {first}\n"
        f"  second: {{image: x, scale: 2, depends_on: {{first: {{condition: {condition}}}}}}}\n"
        "  third: {image: x, depends_on: [second]}\n"
    )
    assert found["p-first-1"].status == "starts"
    assert found["p-second-1"].status == status
    assert reason in found["p-second-1"].reason
    # Its later replica and what waits for it follow its fate.
    assert found["p-second-2"].status == status
    assert found["p-third-1"].status == status


def test_an_optional_dependency_is_no_gate() -> None:
    found = up(
        "name: p\nservices:\n  first: {image: x, healthcheck: {disable: true}}\n"
        "  second: {image: x, depends_on:"
        " {first: {condition: service_healthy, required: false}}}\n"
    )
    assert found["p-second-1"].status == "starts"
