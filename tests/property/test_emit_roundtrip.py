"""Round trips through every emitter, for any container ``docker run`` can ask for."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from portspec import (
    Container,
    PortSpecError,
    parse_docker_run,
    to_docker_args,
    to_docker_command,
    to_engine_api,
)
from portspec.emit.docker_sdk import to_docker_sdk
from portspec.sources.docker_sdk import from_docker_sdk
from portspec.sources.engine_api import from_engine_api
from tests.property.strategies import containers

Json = dict[str, Any]


@given(containers())
def test_docker_args_round_trip(container: Container) -> None:
    assert parse_docker_run(to_docker_args(container)) == container


@given(containers())
def test_docker_command_round_trip(container: Container) -> None:
    assert parse_docker_run(to_docker_command(container)) == container


@given(containers())
def test_docker_args_are_canonical(container: Container) -> None:
    args = to_docker_args(container)
    assert to_docker_args(parse_docker_run(args)) == args


@given(containers())
def test_engine_api_round_trip(container: Container) -> None:
    request = to_engine_api(container)
    assert to_engine_api(from_engine_api(request)) == request


@given(containers())
def test_engine_api_keeps_what_the_engine_sees(container: Container) -> None:
    back = from_engine_api(to_engine_api(container))
    assert back.links == container.links
    assert back.publish_all == container.publish_all
    if container.network_mode != "default":
        assert back.network_mode == container.network_mode


@given(containers())
def test_docker_sdk_round_trip(container: Container) -> None:
    if container.network_mode == "host" and (container.publish or container.expose):
        with pytest.raises(PortSpecError, match="network_mode 'host'"):
            to_docker_sdk(container)
        return
    kwargs = to_docker_sdk(container)
    back = from_docker_sdk(kwargs)
    assert to_engine_api(back) == to_engine_api(container)
    assert back.name == container.name
    assert back.network_mode == container.network_mode
    assert to_docker_sdk(back) == kwargs


@given(containers())
def test_docker_sdk_writes_the_engine_json(container: Container) -> None:
    """The SDK's own ``create_host_config`` gives the CLI's ``HostConfig``.

    Within the documented differences: parts the SDK leaves out, links
    sorted, exposed ports with no binding as empty lists of bindings.
    """
    docker = pytest.importorskip("docker", reason="the docker SDK is the oracle here")
    if container.network_mode == "host" and (container.publish or container.expose):
        return
    kwargs = to_docker_sdk(container)
    client = docker.APIClient(base_url="unix:///nonexistent", version="1.50")
    sdk = client.create_host_config(
        port_bindings=kwargs.get("ports"),
        links=kwargs.get("links"),
        publish_all_ports=kwargs.get("publish_all_ports", False),
        network_mode=kwargs.get("network_mode"),
    )
    cli = to_engine_api(container)["HostConfig"]
    assert {k: v for k, v in sdk.get("PortBindings", {}).items() if v} == cli["PortBindings"]
    assert sorted(sdk.get("Links", [])) == sorted(cli["Links"] or [])
    assert sdk.get("PublishAllPorts", False) == cli["PublishAllPorts"]
    assert sdk["NetworkMode"] == cli["NetworkMode"]
    exposed = client.create_container_config(
        "img", None, ports=[tuple(key.split("/", 1)) for key in kwargs.get("ports", {})]
    )["ExposedPorts"]
    assert (exposed or {}) == to_engine_api(container).get("ExposedPorts", {})
