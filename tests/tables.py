"""Tables of inputs and what they mean, shared by the unit and the differential tests.

Every entry here was checked against the docker CLI 28 (and Compose v2 for the
compose tables); the differential tests check them again wherever Docker is
installed.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

from portspec import Expose, Link, PortMapping, PortRange, Protocol

TCP, UDP, SCTP = Protocol.TCP, Protocol.UDP, Protocol.SCTP


def r(start: int, end: int | None = None) -> PortRange:
    return PortRange(start, start if end is None else end)


V4 = IPv4Address
V6 = IPv6Address

# (text, value) for `-p`/`--publish` as the docker CLI reads it.
VALID_PUBLISH: list[tuple[str, PortMapping]] = [
    # container port alone: Docker picks a host port
    ("80", PortMapping(r(80))),
    ("0", PortMapping(r(0))),
    ("65535", PortMapping(r(65535))),
    ("080", PortMapping(r(80))),
    ("00000080", PortMapping(r(80))),
    ("80/tcp", PortMapping(r(80))),
    ("80/udp", PortMapping(r(80), UDP)),
    ("80/sctp", PortMapping(r(80), SCTP)),
    ("80/UDP", PortMapping(r(80), UDP)),
    ("80/Sctp", PortMapping(r(80), SCTP)),
    ("80/", PortMapping(r(80))),
    ("80//", PortMapping(r(80))),
    ("80//udp", PortMapping(r(80))),
    ("80/tcp/x", PortMapping(r(80))),
    ("80/udp/ anything at all", PortMapping(r(80), UDP)),
    ("80-90", PortMapping(r(80, 90))),
    ("80-80", PortMapping(r(80))),
    ("1-2-3", PortMapping(r(1, 2))),
    ("1-2-x", PortMapping(r(1, 2))),
    ("1-2-", PortMapping(r(1, 2))),
    # host port and container port
    ("8080:80", PortMapping(r(80), host=r(8080))),
    ("0:0", PortMapping(r(0), host=r(0))),
    (":80", PortMapping(r(80))),
    ("8080:80/udp", PortMapping(r(80), UDP, host=r(8080))),
    ("8000-8010:80-90", PortMapping(r(80, 90), host=r(8000, 8010))),
    ("8000-8010:80", PortMapping(r(80), host=r(8000, 8010))),
    ("8000-8010:80-80", PortMapping(r(80), host=r(8000, 8010))),
    ("8000-8002:80-82/udp", PortMapping(r(80, 82), UDP, host=r(8000, 8002))),
    ("1-2-a/b:80", PortMapping(r(80), host=r(1, 2))),
    # with a host address
    ("127.0.0.1:8080:80", PortMapping(r(80), TCP, V4("127.0.0.1"), r(8080))),
    ("127.0.0.1::80", PortMapping(r(80), TCP, V4("127.0.0.1"))),
    ("0.0.0.0:1:2", PortMapping(r(2), TCP, V4("0.0.0.0"), r(1))),
    ("1.2.3.4:80-81:80", PortMapping(r(80), TCP, V4("1.2.3.4"), r(80, 81))),
    ("::80", PortMapping(r(80))),
    ("[]:80:80", PortMapping(r(80), host=r(80))),
    ("[]::80", PortMapping(r(80))),
    ("[1.2.3.4]:80:80", PortMapping(r(80), TCP, V4("1.2.3.4"), r(80))),
    ("[::1]:8080:80", PortMapping(r(80), TCP, V6("::1"), r(8080))),
    ("[::1]::80", PortMapping(r(80), TCP, V6("::1"))),
    ("[::]:80:80", PortMapping(r(80), TCP, V6("::"), r(80))),
    ("::1:8080:80", PortMapping(r(80), TCP, V6("::1"), r(8080))),
    ("::1::80", PortMapping(r(80), TCP, V6("::1"))),
    ("0::0001:80:80", PortMapping(r(80), TCP, V6("::1"), r(80))),
    ("1:::80:80", PortMapping(r(80), TCP, V6("1::"), r(80))),
    ("[::ffff:1.2.3.4]:80:80", PortMapping(r(80), TCP, V6("::ffff:1.2.3.4"), r(80))),
    ("::ffff:1.2.3.4:80:80", PortMapping(r(80), TCP, V6("::ffff:1.2.3.4"), r(80))),
    ("[2001:DB8::1]:53:53/udp", PortMapping(r(53), UDP, V6("2001:db8::1"), r(53))),
    # long syntax: docker run reads published, target and protocol only
    ("target=80", PortMapping(r(80))),
    ("published=8080,target=80", PortMapping(r(80), host=r(8080))),
    ("published=8080,target=80,protocol=udp", PortMapping(r(80), UDP, host=r(8080))),
    ("target=80,protocol=UDP", PortMapping(r(80), UDP)),
    ("target=80,protocol=", PortMapping(r(80))),
    ("target=80,target=90", PortMapping(r(90))),
    ("published=8000-8010,target=80", PortMapping(r(80), host=r(8000, 8010))),
    (
        "published=8080,target=80,protocol=udp,mode=host,host_ip=1.2.3.4",
        PortMapping(r(80), UDP, host=r(8080)),
    ),
    ("published=127.0.0.1:8080,target=80", PortMapping(r(80), TCP, V4("127.0.0.1"), r(8080))),
    ("target=80,name=web,app_protocol=http", PortMapping(r(80))),
]

# (text, message, caret): what is wrong and where, exactly as shown.
INVALID_PUBLISH: list[tuple[str, str, str]] = [
    ("", "no port given: expected a container port such as 80", "^"),
    ("65536", "invalid container port 65536: ports are 0-65535", "^^^^^"),
    ("127.0.0.1:99999:80", "invalid host port 99999: ports are 0-65535", "          ^^^^^"),
    ("8080:", "expected a container port after ':'", "     ^"),
    ("/tcp", "expected a container port", "^"),
    (" 80", "invalid container port ' 80'", "^^^"),
    ("80 ", "invalid container port '80 '", "  ^"),
    ("8080 :80", "invalid host port '8080 '", "    ^"),
    ("+80", "invalid container port '+80'", "^^^"),
    ("-80", "invalid container port '-80'", "^^^"),
    ("0x50", "invalid container port '0x50'", " ^^^"),
    ("1e2", "invalid container port '1e2'", " ^^"),
    ("\u0668\u0660", "invalid container port '\u0668\u0660'", "^^"),
    ("90-80", "invalid container port range 90-80: the end is before the start", "^^^^^"),
    ("1--2:80", "invalid host port '1--2'", "  ^^"),
    ("80-", "invalid container port '80-'", "^^^"),
    ("80/icmp", "invalid protocol 'icmp': expected tcp, udp or sctp", "   ^^^^"),
    ("80/tcpx", "invalid protocol 'tcpx': expected tcp, udp or sctp", "   ^^^^"),
    (
        "8000-8010:80-85",
        "host ports 8000-8010 (11) and container ports 80-85 (6) must be ranges of the same length",
        "^^^^^^^^^^^^^^^",
    ),
    ("1.2.3.4:80", "invalid host port '1.2.3.4'", " ^^^^^^"),
    (
        "localhost:8080:80",
        "invalid host address 'localhost': not an IPv4 or IPv6 address",
        "^^^^^^^^^",
    ),
    ("999.1.1.1:1:2", "invalid host address '999.1.1.1': not an IPv4 or IPv6 address", "^^^^^^^^^"),
    (
        "127.000.0.1:80:80",
        "invalid host address '127.000.0.1': not an IPv4 or IPv6 address",
        "^^^^^^^^^^^",
    ),
    ("a:b:c:d", "invalid host address 'a:b': not an IPv4 or IPv6 address", "^^^"),
    ("1:2:3:4:5", "invalid host address '1:2:3': not an IPv4 or IPv6 address", "^^^^^"),
    ("1::2::3:80:80", "invalid host address '1::2::3': not an IPv4 or IPv6 address", "^^^^^^^"),
    (":::80", "invalid host address ':': not an IPv4 or IPv6 address", "^"),
    ("[::1:80:80", "invalid host address '[::1': not an IPv4 or IPv6 address", "^^^^"),
    ("[::1]x:80:80", "invalid host address '[::1]x': not an IPv4 or IPv6 address", "^^^^^^"),
    (
        "[fe80::1%eth0]:80:80",
        "invalid host address 'fe80::1%eth0': Docker takes no IPv6 zone",
        " ^^^^^^^^^^^^",
    ),
    (
        "fe80::1%eth0:80:80",
        "invalid host address 'fe80::1%eth0': Docker takes no IPv6 zone",
        "^^^^^^^^^^^^",
    ),
    # long syntax
    ("published=8080", "the long syntax needs target=PORT, the container port", "^^^^^^^^^^^^^^"),
    ("target=", "the long syntax needs target=PORT, the container port", "^^^^^^^"),
    ("x=1", "the long syntax needs target=PORT, the container port", "^^^"),
    ("=80", "invalid publish option '=80': expected name=value", "^^^"),
    ("target=80,,x=1", "invalid publish option '': expected name=value", "          ^"),
    ("target=80,mode", "invalid publish option 'mode': expected name=value", "          ^^^^"),
    ("published=99999,target=80", "invalid host port 99999: ports are 0-65535", "          ^^^^^"),
    (
        "target=80,protocol=icmp",
        "invalid protocol 'icmp': expected tcp, udp or sctp",
        "                   ^^^^",
    ),
    ("target=http", "invalid container port 'http'", "       ^^^^"),
]

# Short-syntax compose entries that Compose reads unlike the docker CLI.
VALID_COMPOSE: list[tuple[str, PortMapping]] = [
    ("80", PortMapping(r(80))),
    ("8080:80/UDP", PortMapping(r(80), UDP, host=r(8080))),
    ("80/", PortMapping(r(80))),
    ("0:80", PortMapping(r(80), host=r(0))),
    ("1-2-3:5-6-7", PortMapping(r(5, 6), host=r(1, 2))),
    ("[::1]:8080:80", PortMapping(r(80), TCP, V6("::1"), r(8080))),
    ("::1:8080:80", PortMapping(r(80), TCP, V6("::1"), r(8080))),
    ("127.0.0.1::80", PortMapping(r(80), TCP, V4("127.0.0.1"))),
]

INVALID_COMPOSE: list[tuple[str, str, str]] = [
    ("0", "invalid container port 0: Compose needs a target port from 1 to 65535", "^"),
    ("80:0", "invalid container port 0: Compose needs a target port from 1 to 65535", "   ^"),
    ("0-5", "invalid container port 0: Compose needs a target port from 1 to 65535", "^"),
    ("80/tcp/x", "invalid protocol 'tcp/x': expected tcp, udp or sctp", "   ^^^^^"),
    ("80//", "invalid protocol '/': expected tcp, udp or sctp", "   ^"),
    ("target=80", "invalid container port 'target=80'", "^^^^^^^^^"),
]

VALID_EXPOSE: list[tuple[str, Expose]] = [
    ("80", Expose(r(80))),
    ("0", Expose(r(0))),
    ("080", Expose(r(80))),
    ("80/tcp", Expose(r(80))),
    ("80/udp", Expose(r(80), UDP)),
    ("80/sctp", Expose(r(80), SCTP)),
    ("80/", Expose(r(80))),
    ("80-82", Expose(r(80, 82))),
    ("7000-7010/udp", Expose(r(7000, 7010), UDP)),
    ("1-2-3", Expose(r(1, 2))),
    ("80/tcp/x", Expose(r(80))),
    ("80//udp", Expose(r(80))),
    # The CLI passes these protocols on as typed.
    ("80/UDP", Expose(r(80), "UDP")),
    ("80/foo", Expose(r(80), "foo")),
]

INVALID_EXPOSE: list[tuple[str, str, str]] = [
    ("", "no port given: expected a port such as 80", "^"),
    (
        "80:81",
        "--expose takes a port or a range, not a host port: publish with -p instead",
        "  ^",
    ),
    ("/tcp", "expected a port before '/'", "^"),
    (" 80", "invalid port ' 80'", "^^^"),
    ("65536", "invalid exposed port 65536: ports are 0-65535", "^^^^^"),
    ("90-80", "invalid exposed port range 90-80: the end is before the start", "^^^^^"),
    ("http", "invalid port 'http'", "^^^^"),
]

VALID_LINK: list[tuple[str, Link]] = [
    ("db", Link("db", "db")),
    ("db:db", Link("db")),
    ("db:database", Link("db", "database")),
    ("db:", Link("db", "")),
    (":database", Link("", "database")),
    (":", Link("", "")),
    ("/db:/web/database", Link("db", "database")),
    ("/db", Link("/db")),
    ("//db:x", Link("/db", "x")),
    ("db:/web/database", Link("db", "/web/database")),
    ("db:with space", Link("db", "with space")),
    ("web-1.db_2", Link("web-1.db_2")),
]

INVALID_LINK: list[tuple[str, str, str]] = [
    ("", "no link given: expected a container name", "^"),
    ("a:b:c", "invalid link: expected NAME or NAME:ALIAS, with one ':' at most", "   ^"),
    ("::", "invalid link: expected NAME or NAME:ALIAS, with one ':' at most", " ^"),
]
