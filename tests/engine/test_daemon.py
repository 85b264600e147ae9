"""The private daemon itself: it grants ports, refuses taken ones, and reports what it bound."""

from __future__ import annotations

from tests.engine._daemon import EngineDaemon


def test_a_started_container_reports_its_bindings(clean_engine: EngineDaemon) -> None:
    first = clean_engine.run(["-p", "127.0.0.1:7190:80", "-p", "7191-7192:81/udp"])
    assert first.started, first.error
    assert first.container_id is not None
    (state,) = clean_engine.inspect([first.container_id])
    ports = state["NetworkSettings"]["Ports"]
    assert ports["80/tcp"] == [{"HostIp": "127.0.0.1", "HostPort": "7190"}]
    assert {(b["HostIp"], b["HostPort"]) for b in ports["81/udp"]} == {
        ("0.0.0.0", "7191"),
        ("::", "7191"),
    }


def test_a_taken_port_is_refused(clean_engine: EngineDaemon) -> None:
    assert clean_engine.run(["-p", "7193:80"]).started
    refused = clean_engine.run(["-p", "127.0.0.1:7193:80"])
    assert not refused.started
    assert "7193" in refused.error


def test_the_daemon_is_private(engine: EngineDaemon) -> None:
    assert engine.host.startswith("unix:///tmp/")
    assert engine.env()["DOCKER_HOST"] == engine.host
    assert engine.version


def test_links_as_the_link_checks_read_them(clean_engine: EngineDaemon) -> None:
    """The same link twice is one link; one alias for two containers keeps the first."""
    for name in ("ps-link-a", "ps-link-b"):
        assert clean_engine.run(["--name", name]).started
    twice = clean_engine.run(["--link", "ps-link-a", "--link", "ps-link-a:ps-link-a"])
    assert twice.started, twice.error
    both = clean_engine.run(["--link", "ps-link-a:x", "--link", "ps-link-b:x"])
    assert both.started, both.error  # not refused: PS112 says which one x reaches
    assert both.container_id is not None
    (state,) = clean_engine.inspect([both.container_id])
    links = state["HostConfig"]["Links"] or []
    # Only the first link of the alias is kept.
    assert [link for link in links if link.endswith("/x")] == [f"/ps-link-a:{state['Name']}/x"]
    # A link to a container that is not there is refused at create (PS111).
    assert not clean_engine.run(["--link", "ps-link-none"]).started
