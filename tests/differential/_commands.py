"""Whole ``docker create`` and ``docker run`` command lines for the docker CLI to judge.

A command line here is docker's own flags (now and then), ``create`` or
``container create`` (or ``run``), then flags in any order and in every
spelling pflag takes (``-p V``, ``-pV``, ``-p=V``, ``--publish V``,
``--publish=V``, ``-itp V``, ``-P=false``), maybe ``--``, an image, and
sometimes a command whose words look like flags. The flags portspec reads
(``-p``, ``--expose``, ``--link``, ``-P``, ``--name``, ``--network`` and the
network options docker checks beside it) get valid values and the near misses
of ``_values``; every other flag gets a value docker's client accepts, so that
only what portspec reads decides docker's verdict. Now and then one argument
is a syntax error: an unknown flag, a bad boolean, a flag left without its
value.

Like ``_values``, everything is a plain function of a seeded ``random.Random``:
thousands of command lines take milliseconds to draw.
"""

from __future__ import annotations

import random
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tests.differential import _values

__all__ = ["CommandLine", "command_line", "draw_many"]

Draw = Callable[[random.Random], str]

_SUBCOMMANDS = ("create", "run")


@dataclass(frozen=True, slots=True)
class CommandLine:
    """``docker HEAD ARGS``: docker's own flags and the subcommand words, then the rest."""

    head: tuple[str, ...]
    args: tuple[str, ...]

    @property
    def subcommand(self) -> str:
        return self.head[-1]

    def argv(self, *inserted: str) -> list[str]:
        """The arguments after ``docker``, with ``inserted`` right after the subcommand."""
        return [*self.head, *inserted, *self.args]

    def __str__(self) -> str:
        return shlex.join(["docker", *self.head, *self.args])


def command_line(words: Sequence[str] | str) -> CommandLine:
    """``words`` after ``docker``, cut after the subcommand (``run`` or ``create``).

    >>> command_line("-D container create -p 80 alpine")
    CommandLine(head=('-D', 'container', 'create'), args=('-p', '80', 'alpine'))
    """
    words = shlex.split(words) if isinstance(words, str) else list(words)
    for at, word in enumerate(words):
        if word in _SUBCOMMANDS:
            return CommandLine(tuple(words[: at + 1]), tuple(words[at + 1 :]))
    raise ValueError(f"no docker subcommand in {words!r}")


def _pick(rnd: random.Random, *choices: tuple[int, Draw]) -> str:
    weights = [weight for weight, _ in choices]
    ((_, draw),) = rnd.choices(choices, weights)
    return draw(rnd)


def _literal(*texts: str) -> Draw:
    return lambda rnd: rnd.choice(texts)


# ------------------------------------------------- values portspec reads

_PUBLISH = _literal(
    *("80", "8080:80", "127.0.0.1:8080:80", "8080:80/udp", "[::1]:5353:53/udp", "53:53/sctp"),
    *("8000-8010:80", "127.0.0.1::80", "3000-3001:3000-3001", "0.0.0.0:443:443/tcp", "::1:80:80"),
    *("published=8080,target=80", "target=80,protocol=udp", "9000-9002", "8080:80/TCP"),
)
_EXPOSE = _literal("80", "53/udp", "8000-8010", "443/tcp", "9000-9001/sctp", "80/TCP")
_LINK = _literal("db", "db:database", "/db:/web/db", "redis-1:cache", "a.b_c")


def publish(rnd: random.Random) -> str:
    return _pick(rnd, (1, _PUBLISH), (1, _values.publish))


def expose(rnd: random.Random) -> str:
    return _pick(rnd, (1, _EXPOSE), (1, _values.expose))


def link(rnd: random.Random) -> str:
    return _pick(rnd, (1, _LINK), (2, _values.link))


_NAME = _literal("web", "db-1", "my_app.2", "x", "", "a b", "Web")

_BUILTIN_NETWORKS = ("host", "none", "bridge", "default")
_USER_NETWORKS = ("web", "backend", "my-net", "net_1", "Frontend", "HOST", "Bridge", "x")
_NETWORK_ODD = _literal(
    *("", " ", "\t", "container:", "container", "-", "host ", "name= ", "name=", "=web"),
    *("name", "a,b=c", "x=y", "name=web,", "name=web,,alias=a", 'name=web,alias="a'),
    *('"name=web"', '"name=a,b",alias=c', "name=web,driver-opt=x", "name=web,driver-opt==x"),
    *("name=web,mac-address=zz", "name=web,gw-priority=1e3", "name=web,gw-priority=+2"),
    *("name=web,gw-priority=99999999999999999999", "name=a\nb", "name=a\r\nb,alias=c"),
    *("\u00e9=\u00e9", "name=w\u00e9b", "name=web\u00e9", "x:y=z", "name=host,alias=h"),
    *("NAME=Web,ALIAS=W", "name = web", "name=web,name=", "name=container:db"),
)


def _network_name(rnd: random.Random) -> str:
    return _pick(
        rnd,
        (4, _literal(*_BUILTIN_NETWORKS)),
        (5, _literal(*_USER_NETWORKS)),
        (1, lambda r: "container:" + r.choice(["db", "web", "0123abc"])),
    )


_NETWORK_FIELDS = (
    lambda r: "alias=" + r.choice(["a", "web.local", "db"]),
    lambda r: "ip=" + r.choice(["172.20.0.5", "10.0.0.2"]),
    lambda _: "ip6=2001:db8::5",
    lambda _: "mac-address=02:42:ac:11:00:02",
    lambda _: "link-local-ip=169.254.1.1",
    lambda _: "driver-opt=com.docker.network.endpoint.sysctls=x",
    lambda r: "gw-priority=" + r.choice(["0", "10", "-5"]),
)


def _network_long(rnd: random.Random) -> str:
    """``name=web,alias=a``: the fields in any order, each key as typed in any case."""
    fields = [f"name={_network_name(rnd)}"]
    for _ in range(rnd.choice([0, 0, 0, 1, 1, 2])):
        fields.append(rnd.choice(_NETWORK_FIELDS)(rnd))
    rnd.shuffle(fields)
    if rnd.random() < 0.1:
        fields = [field.upper() if rnd.random() < 0.5 else field for field in fields]
    return ",".join(fields)


def network(rnd: random.Random) -> str:
    """A ``--network`` value: a built-in mode, a user network, ``container:x``, the long form."""
    return _pick(rnd, (12, _network_name), (4, _network_long), (2, _NETWORK_ODD))


# ------------------------------------------------------------- the flags


@dataclass(frozen=True, slots=True)
class _Option:
    long: str
    short: str | None
    #: ``None``: a boolean.
    value: Draw | None
    weight: int = 2
    #: Flags docker's client refuses beside this one (whatever portspec thinks).
    excludes: tuple[str, ...] = ()
    #: ``None``: both; else the only subcommand that has it.
    only: str | None = None


def _o(
    long: str,
    short: str | None = None,
    *values: str,
    weight: int = 2,
    excludes: tuple[str, ...] = (),
    only: str | None = None,
) -> _Option:
    value = _literal(*values) if values else None
    return _Option(long, short, value, weight, excludes, only)


_HEALTH = ("health-cmd", "health-interval", "health-retries", "health-timeout")
_OPTIONS = (
    # what portspec reads
    _Option("publish", "p", publish, weight=80),
    _Option("expose", None, expose, weight=24),
    _Option("link", None, link, weight=20),
    _o("publish-all", "P", weight=16),
    _Option("name", None, _NAME, weight=10),
    _Option("network", None, network, weight=16),
    _Option("net", None, network, weight=6),
    # network options docker's client checks against the networks
    # (rarely: docker refuses an alias unless the first network is a user network)
    _o("network-alias", None, "web", "db.local", weight=1),
    _o("net-alias", None, "a", weight=1),
    _o("ip", None, "172.20.0.6", weight=1),
    _o("ip6", None, "2001:db8::6", weight=1),
    _o("mac-address", None, "02:42:ac:11:00:03", weight=1),
    _o("link-local-ip", None, "169.254.1.2", weight=1),
    # everything else, with values docker's client takes
    _o("rm", weight=6, excludes=("restart",)),
    _o("env", "e", "A=b", "PATH=/bin", "EMPTY=", "FROM_HOST", "X=a=b", weight=6),
    _o("volume", "v", "/a:/b", "/c:/d:ro", "data:/data", "/tmp", weight=4),
    _o("workdir", "w", "/tmp", "/", "/app"),
    _o("memory", "m", "64m", "1g", "512M", "1073741824"),
    _o("restart", None, "no", "always", "unless-stopped", "on-failure:3", excludes=("rm",)),
    _o("label", "l", "a=b", "com.example.k=v", "flag", weight=4),
    _o("hostname", "h", "h", "web.local"),
    _o("user", "u", "1000", "1000:1000", "nobody"),
    _o("cpu-shares", "c", "2", "512"),
    _o("init"),
    _o("read-only"),
    _o("privileged"),
    _o("interactive", "i", weight=4),
    _o("tty", "t", weight=4, only="create"),  # `docker run -it` wants a terminal
    _o("quiet", "q"),
    _o("oom-kill-disable"),
    _o("entrypoint", None, "sh", "", "/bin/true"),
    _o("add-host", None, "h:1.2.3.4", "v6:::1"),
    _o("dns", None, "8.8.8.8"),
    _o("dns-option", None, "ndots:2"),
    _o("dns-opt", None, "ndots:1"),
    _o("dns-search", None, "example.com", "."),
    _o("cap-add", None, "NET_ADMIN", "ALL"),
    _o("cap-drop", None, "ALL", "MKNOD"),
    _o("ulimit", None, "nofile=1024:2048", "nproc=512"),
    _o("log-driver", None, "json-file", "local"),
    _o("log-opt", None, "max-size=10m"),
    _o("shm-size", None, "64m"),
    _o("tmpfs", None, "/run", "/tmp:size=64m"),
    _o("stop-signal", None, "SIGTERM", "9"),
    _o("stop-timeout", None, "5", "-1"),
    _o("pids-limit", None, "100", "-1"),
    _o("cpus", None, "1.5"),
    _o("memory-swappiness", None, "0", "50"),
    _o("security-opt", None, "no-new-privileges", "label=disable"),
    _o("sysctl", None, "net.core.somaxconn=1024"),
    _o("mount", None, "type=tmpfs,dst=/x", "type=bind,src=/a,dst=/b"),
    _o("pid", None, "host"),
    _o("ipc", None, "host", "shareable"),
    _o("uts", None, "host"),
    _o("userns", None, "host"),
    _o("cgroupns", None, "host", "private"),
    _o("platform", None, "linux/amd64"),
    _o("pull", None, "never", "missing"),
    _o("health-cmd", None, "true", "curl -f http://localhost/", excludes=("no-healthcheck",)),
    _o("health-interval", None, "5s", excludes=("no-healthcheck",)),
    _o("health-retries", None, "3", excludes=("no-healthcheck",)),
    _o("no-healthcheck", excludes=_HEALTH),
    _o("attach", "a", "stdout", "STDERR", only="create"),  # `run -a` conflicts with `-d`
    _o("volumes-from", None, "other", "other:ro"),
    _o("group-add", None, "100", "audio"),
    _o("annotation", None, "a=b"),
    _o("runtime", None, "runc"),
    _o("domainname", None, "example.com"),
    _o("cpuset-cpus", None, "0", "0-1"),
    _o("oom-score-adj", None, "100", "-500"),
    _o("memory-reservation", None, "32m"),
    _o("gpus", None, "all"),
    # docker run only
    _o("detach", "d", weight=12, only="run"),
    _o("sig-proxy", None, weight=2, only="run"),
    _o("detach-keys", None, "ctrl-a", "ctrl-p,ctrl-q", only="run"),
)

_TRUE = ("true", "1", "t", "T", "TRUE", "True")
_FALSE = ("false", "0", "f", "F", "FALSE", "False")
_NOT_BOOL = ("maybe", "yes", "no", "", "tRUE", "2", "on", " true", "-1")


def _options(subcommand: str) -> tuple[list[_Option], list[int]]:
    chosen = [o for o in _OPTIONS if o.only in (None, subcommand)]
    return chosen, [o.weight for o in chosen]


def _bool_letters(subcommand: str) -> str:
    """Boolean shorthands that may stand before another shorthand: ``-it``, ``-Pd``."""
    return "iPq" + ("d" if subcommand == "run" else "t")


def _bool_value(rnd: random.Random) -> str | None:
    """``None`` for a bare boolean flag, else what follows its '='."""
    roll = rnd.random()
    if roll < 0.75:
        return None
    if roll < 0.97:
        return rnd.choice(_TRUE + _FALSE)
    return rnd.choice(_NOT_BOOL)


def _group(rnd: random.Random, subcommand: str) -> str:
    letters = _bool_letters(subcommand)
    return "".join(rnd.choice(letters) for _ in range(rnd.randint(1, 3)))


def spell(rnd: random.Random, option: _Option, subcommand: str) -> list[str]:
    """One flag with its value, in one of the spellings pflag reads."""
    forms = ["long", "long="]
    if option.short is not None:
        forms += ["short", "short", "attached", "short=", "group"]
    form = rnd.choice(forms)
    if option.value is None:
        value = _bool_value(rnd)
        suffix = "" if value is None else f"={value}"
        if form.startswith("long"):
            return [f"--{option.long}{suffix}"]
        prefix = _group(rnd, subcommand) if form == "group" else ""
        return [f"-{prefix}{option.short}{suffix}"]
    value = option.value(rnd)
    if form == "long":
        return [f"--{option.long}", value]
    if form == "long=":
        return [f"--{option.long}={value}"]
    prefix = _group(rnd, subcommand) if form == "group" else ""
    joined = rnd.choice(["separate", "attached", "="]) if form == "group" else form
    if joined in ("attached", "short=", "=") and value == "":
        joined = "separate"  # '-p' alone takes the next argument as its value
    if joined == "attached":
        return [f"-{prefix}{option.short}{value}"]
    if joined in ("short=", "="):
        return [f"-{prefix}{option.short}={value}"]
    return [f"-{prefix}{option.short}", value]


# ----------------------------------------------------------- syntax errors

_UNKNOWN_LONG = _literal(
    *("--publishh", "--Publish=80", "--publish_all", "--exposed=80", "--links", "--nett=host"),
    *("--p=80", "--P", "--networks", "--PUBLISH-ALL", "--publish-", "--rmm", "--port=80"),
)
_UNKNOWN_SHORT = _literal("-X", "-Z", "-k", "-y", "-D", "-H", "-ix", "-Pk", "-T", "-E")
_BAD_BOOL = _literal(
    *("--rm=maybe", "-P=yes", "--init=", "--publish-all=on", "-i=2", "--publish-all=tRUE"),
    *("-P=", "-tP=no", "--read-only=-1", "--privileged= true"),
)
_BAD_SYNTAX = _literal("--=x", "---p", "--=", "---", "-=", "---publish=80", "--=80:80")
_RUN_ONLY = _literal(
    *("-d", "--detach", "-dp", "-itd", "--sig-proxy=false", "--sig-proxy"),
    *("--detach-keys=ctrl-a", "-Pd", "--detach=false", "-d=true"),
)


def _syntax_error(rnd: random.Random, subcommand: str) -> list[str]:
    draws = [(3, _UNKNOWN_LONG), (2, _UNKNOWN_SHORT), (2, _BAD_BOOL), (1, _BAD_SYNTAX)]
    if subcommand == "create":
        draws.append((3, _RUN_ONLY))
    word = _pick(rnd, *draws)
    # An unknown flag may look as if it had a value: docker stops at the flag.
    return [word, "80"] if rnd.random() < 0.3 else [word]


_NEEDS_VALUE = (
    *("-p", "--publish", "--expose", "--link", "--network", "--net", "--name", "-e"),
    *("-itp", "-Pp", "--network-alias", "-h", "-l"),
)

# ------------------------------------------------------- image and command

_IMAGES = _literal(
    *(["alpine"] * 8),
    *("nginx:1.27", "busybox:latest", "docker.io/library/redis:7", "ghcr.io/owner/app:v1"),
    *("localhost:5000/x/y", "false", "p", "alpine@sha256:" + "0123456789abcdef" * 4),
)
_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("sh", "-c", "echo hi"),
    ("-p", "1:2"),
    ("--rm",),
    ("--", "x"),
    ("echo", "-P"),
    ("--publish=99999",),
    ("nginx", "-g", "daemon off;"),
    ("",),
    ("-it",),
    ("--name", "x"),
    ("--network", "host", "--network", "web"),
    ("-d",),
)


def _command(rnd: random.Random, subcommand: str) -> list[str]:
    """What follows the image: never flags for docker, however much it looks like them."""
    if rnd.random() < 0.5:
        return list(rnd.choice(_COMMANDS))
    words: list[str] = []
    options, weights = _options(subcommand)
    for _ in range(rnd.randint(1, 3)):
        (option,) = rnd.choices(options, weights)
        words += spell(rnd, option, subcommand)
    return words


# ------------------------------------------------------------ command lines

_GLOBAL = _literal("-D", "--debug", "-l=error", "--log-level=warn", "-lerror", "-D=false")


def draw(rnd: random.Random, subcommand: str = "create") -> CommandLine:
    """One command line for ``docker create`` (or ``run``), valid or one step from it."""
    head = [subcommand] if rnd.random() < 0.8 else ["container", subcommand]
    if rnd.random() < 0.05:
        head.insert(0, _GLOBAL(rnd))
    options, weights = _options(subcommand)
    excluded: set[str] = set()
    items: list[list[str]] = []
    count = rnd.choices(range(9), [3, 10, 12, 10, 8, 5, 3, 2, 1])[0]
    while len(items) < count:
        (option,) = rnd.choices(options, weights)
        if option.long in excluded:
            continue
        excluded.update(option.excludes)
        if option.long not in _REPEATABLE:
            excluded.add(option.long)
        items.append(spell(rnd, option, subcommand))
    if rnd.random() < 0.07:
        items.insert(rnd.randint(0, len(items)), _syntax_error(rnd, subcommand))
    args = [word for item in items for word in item]
    if rnd.random() < 0.02:
        # A flag that needs a value, at the very end: no value, no image.
        return CommandLine(tuple(head), (*args, rnd.choice(_NEEDS_VALUE)))
    if rnd.random() < 0.08:
        args.append("--")
    args.append(_IMAGES(rnd))
    if rnd.random() < 0.35:
        args += _command(rnd, subcommand)
    return CommandLine(tuple(head), tuple(args))


# Flags that may come many times; the rest come at most once in a drawn line,
# so that only the exclusions above decide what docker's client refuses.
_REPEATABLE = frozenset(
    {"publish", "expose", "link", "publish-all", "name", "network", "net", "env", "label"}
    | {"volume", "interactive", "tty", "rm", "detach"}
)


def draw_many(count: int, seed: str, subcommand: str = "create") -> list[CommandLine]:
    """``count`` distinct command lines, the same on every run for the same ``seed``."""
    rnd = random.Random(seed)
    lines: dict[CommandLine, None] = {}
    for _ in range(count * 5):
        if len(lines) == count:
            break
        lines.setdefault(draw(rnd, subcommand))
    return list(lines)
