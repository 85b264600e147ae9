"""portspec against the docker SDK for Python: its own code turns ``to_docker_sdk`` into JSON.

The SDK builds the ``POST /containers/create`` body offline: an ``APIClient``
does not connect until it sends a request. For each container, the body the
SDK's ``containers.create`` path builds from ``to_docker_sdk(c)``, and the
``HostConfig`` its ``create_host_config`` builds, must be what the docker CLI
sends, ``to_engine_api(c)``, within the differences the SDK cannot avoid (see
``portspec.emit.docker_sdk``): empty parts left out, links sorted, and an
exposed port with no binding sent as an empty list of bindings.

``pytest -s`` shows how many containers agreed.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings

from portspec import Container, PortSpecError, parse_docker_run, to_engine_api
from portspec.emit.docker_sdk import to_docker_sdk
from tests.property.strategies import containers

docker = pytest.importorskip("docker", reason="the docker SDK is the oracle here")
from docker.models.containers import _create_container_args  # noqa: E402

pytestmark = pytest.mark.differential

Json = dict[str, Any]

API_VERSION = "1.50"
GENERATED = 500

# Containers whose SDK form is checked on every run.
CURATED = [
    "nginx",
    "--name web -p 8080:80 nginx",
    "-p 80 -p 8080:80 -p 127.0.0.1::80 -p 127.0.0.1:8081:80",
    "-p 127.0.0.1:8000-8002:80-82/udp",
    "-p 8000-8010:80 -p [::1]:8000-8010:81/sctp",
    "-p [0:0::1]::53/sctp -p [::FFFF:1.2.3.4]:0:0",
    "-P --expose 7000-7002 --expose 80/TCP --expose 81/x",
    "-p 90 --expose 90 --expose 90/udp",
    "--link db --link db:db --link /db:/web/database --link cache: --link :alias",
    "--link b:x --link a --link b",
    "--network backend --network frontend -p 80",
    "--network host -P",
    "--network none --link db",
    "--network container:db",
    "--network default -P",
]


def sdk_request(kwargs: Json, image: str = "img") -> Json:
    """The create body ``client.containers.create(image, **kwargs)`` sends, from the SDK's code."""
    client = docker.APIClient(base_url="unix:///nonexistent", version=API_VERSION)
    create = _create_container_args(
        {**kwargs, "image": image, "command": None, "version": API_VERSION}
    )
    create.pop("name", None)  # sent in the query string, not the body
    config: Json = client.create_container_config(**create)
    return {"ExposedPorts": config.get("ExposedPorts"), "HostConfig": config["HostConfig"]}


def sdk_host_config(kwargs: Json) -> Json:
    """What the SDK's ``APIClient.create_host_config`` makes of the same keyword arguments."""
    client = docker.APIClient(base_url="unix:///nonexistent", version=API_VERSION)
    host_config: Json = client.create_host_config(
        port_bindings=kwargs.get("ports"),
        links=kwargs.get("links"),
        publish_all_ports=kwargs.get("publish_all_ports", False),
        network_mode=kwargs.get("network_mode"),
    )
    return host_config


def normalized(request: Json, *, strict: bool = False) -> Json:
    """A create body with what the Engine reads alike made alike.

    Always: a part left out means its empty value (as Go decodes it). Unless
    ``strict``: links are a multiset, and an empty list of bindings is none.
    """
    host = request.get("HostConfig") or {}
    bindings = host.get("PortBindings") or {}
    links = host.get("Links") or []
    if not strict:
        bindings = {key: value for key, value in bindings.items() if value}
        links = sorted(links)
    return {
        "ExposedPorts": request.get("ExposedPorts") or {},
        "HostConfig": {
            "PortBindings": bindings,
            "Links": links,
            "PublishAllPorts": host.get("PublishAllPorts", False),
            "NetworkMode": host.get("NetworkMode") or "default",
        },
    }


def compare(container: Container) -> str:
    """How the SDK's JSON for ``container`` compares with the CLI's.

    ``"exact"``: the same but for parts left out; ``"same"``: the same within
    the documented differences; ``"refused"``: the SDK cannot express it.
    Any other outcome fails.
    """
    try:
        kwargs = to_docker_sdk(container)
    except PortSpecError:
        assert container.network_mode == "host"
        assert container.publish or container.expose
        return "refused"
    cli = to_engine_api(container)
    body = sdk_request(kwargs, container.image or "img")
    host_config = sdk_host_config(kwargs)
    assert normalized(body) == normalized(cli)
    assert normalized({"HostConfig": host_config})["HostConfig"] == normalized(cli)["HostConfig"]
    if normalized(body, strict=True) == normalized(cli, strict=True):
        return "exact"
    return "same"


@pytest.mark.parametrize("line", CURATED)
def test_curated(line: str) -> None:
    compare(parse_docker_run(line))


def test_curated_differences_are_the_documented_ones() -> None:
    outcomes = {line: compare(parse_docker_run(line)) for line in CURATED}
    assert outcomes["-p 80 -p 8080:80 -p 127.0.0.1::80 -p 127.0.0.1:8081:80"] == "exact"
    assert outcomes["--link b:x --link a --link b"] == "same"  # sorted
    assert outcomes["-P --expose 7000-7002 --expose 80/TCP --expose 81/x"] == "same"  # []
    assert outcomes["--network host -P"] == "exact"


def test_generated() -> None:
    outcomes: Counter[str] = Counter()

    @settings(derandomize=True, max_examples=GENERATED, database=None)
    @given(containers())
    def check(container: Container) -> None:
        outcomes[compare(container)] += 1

    check()
    agreed = outcomes["exact"] + outcomes["same"]
    print(
        f"\ndocker SDK {docker.__version__}: {agreed} of {sum(outcomes.values())} generated"
        f" containers gave the CLI's Engine JSON ({outcomes['exact']} exactly,"
        f" {outcomes['same']} within the documented differences);"
        f" {outcomes['refused']} refused (ports on the host network)"
    )
    assert agreed > 0
