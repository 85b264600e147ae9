"""The flags of the docker CLI 28 that a command line may hold, as data.

Each entry maps a long flag name to its one-letter shorthand (or ``None``) and
the type of its value, or ``None`` for a boolean flag, which takes no separate
argument (``--rm``, ``--rm=false``). Taken from ``docker run --help``,
``docker create --help`` and ``docker --help``, plus the flags the CLI hides
from its help but still reads (``--net``, ``--net-alias``, ``--dns-opt``);
``tests/differential/test_docker_flags.py`` checks the table against the
installed CLI.
"""

from __future__ import annotations

__all__ = ["CREATE_FLAGS", "DOCKER_VERSION", "GLOBAL_FLAGS", "RUN_FLAGS"]

Flag = tuple[str | None, str | None]

#: The docker CLI these tables were read from.
DOCKER_VERSION = "28.2.2"

#: ``docker run`` / ``docker container run``.
RUN_FLAGS: dict[str, Flag] = {
    "add-host": (None, "list"),
    "annotation": (None, "map"),
    "attach": ("a", "list"),
    "blkio-weight": (None, "uint16"),
    "blkio-weight-device": (None, "list"),
    "cap-add": (None, "list"),
    "cap-drop": (None, "list"),
    "cgroup-parent": (None, "string"),
    "cgroupns": (None, "string"),
    "cidfile": (None, "string"),
    "cpu-count": (None, "int"),
    "cpu-percent": (None, "int"),
    "cpu-period": (None, "int"),
    "cpu-quota": (None, "int"),
    "cpu-rt-period": (None, "int"),
    "cpu-rt-runtime": (None, "int"),
    "cpu-shares": ("c", "int"),
    "cpus": (None, "decimal"),
    "cpuset-cpus": (None, "string"),
    "cpuset-mems": (None, "string"),
    "detach": ("d", None),
    "detach-keys": (None, "string"),
    "device": (None, "list"),
    "device-cgroup-rule": (None, "list"),
    "device-read-bps": (None, "list"),
    "device-read-iops": (None, "list"),
    "device-write-bps": (None, "list"),
    "device-write-iops": (None, "list"),
    "disable-content-trust": (None, None),
    "dns": (None, "list"),
    "dns-opt": (None, "list"),
    "dns-option": (None, "list"),
    "dns-search": (None, "list"),
    "domainname": (None, "string"),
    "entrypoint": (None, "string"),
    "env": ("e", "list"),
    "env-file": (None, "list"),
    "expose": (None, "list"),
    "gpus": (None, "gpu-request"),
    "group-add": (None, "list"),
    "health-cmd": (None, "string"),
    "health-interval": (None, "duration"),
    "health-retries": (None, "int"),
    "health-start-interval": (None, "duration"),
    "health-start-period": (None, "duration"),
    "health-timeout": (None, "duration"),
    "help": (None, None),
    "hostname": ("h", "string"),
    "init": (None, None),
    "interactive": ("i", None),
    "io-maxbandwidth": (None, "bytes"),
    "io-maxiops": (None, "uint"),
    "ip": (None, "string"),
    "ip6": (None, "string"),
    "ipc": (None, "string"),
    "isolation": (None, "string"),
    "kernel-memory": (None, "bytes"),
    "label": ("l", "list"),
    "label-file": (None, "list"),
    "link": (None, "list"),
    "link-local-ip": (None, "list"),
    "log-driver": (None, "string"),
    "log-opt": (None, "list"),
    "mac-address": (None, "string"),
    "memory": ("m", "bytes"),
    "memory-reservation": (None, "bytes"),
    "memory-swap": (None, "bytes"),
    "memory-swappiness": (None, "int"),
    "mount": (None, "mount"),
    "name": (None, "string"),
    "net": (None, "network"),
    "net-alias": (None, "list"),
    "network": (None, "network"),
    "network-alias": (None, "list"),
    "no-healthcheck": (None, None),
    "oom-kill-disable": (None, None),
    "oom-score-adj": (None, "int"),
    "pid": (None, "string"),
    "pids-limit": (None, "int"),
    "platform": (None, "string"),
    "privileged": (None, None),
    "publish": ("p", "list"),
    "publish-all": ("P", None),
    "pull": (None, "string"),
    "quiet": ("q", None),
    "read-only": (None, None),
    "restart": (None, "string"),
    "rm": (None, None),
    "runtime": (None, "string"),
    "security-opt": (None, "list"),
    "shm-size": (None, "bytes"),
    "sig-proxy": (None, None),
    "stop-signal": (None, "string"),
    "stop-timeout": (None, "int"),
    "storage-opt": (None, "list"),
    "sysctl": (None, "map"),
    "tmpfs": (None, "list"),
    "tty": ("t", None),
    "ulimit": (None, "ulimit"),
    "use-api-socket": (None, None),
    "user": ("u", "string"),
    "userns": (None, "string"),
    "uts": (None, "string"),
    "volume": ("v", "list"),
    "volume-driver": (None, "string"),
    "volumes-from": (None, "list"),
    "workdir": ("w", "string"),
}

_RUN_ONLY = frozenset({"detach", "detach-keys", "sig-proxy"})

#: ``docker create`` / ``docker container create``: ``run`` less its attaching flags.
CREATE_FLAGS: dict[str, Flag] = {
    name: flag for name, flag in RUN_FLAGS.items() if name not in _RUN_ONLY
}

#: ``docker`` itself, before the subcommand (``docker -H unix:///run/d.sock run ...``).
GLOBAL_FLAGS: dict[str, Flag] = {
    "config": (None, "string"),
    "context": ("c", "string"),
    "debug": ("D", None),
    "help": ("h", None),
    "host": ("H", "list"),
    "log-level": ("l", "string"),
    "tls": (None, None),
    "tlscacert": (None, "string"),
    "tlscert": (None, "string"),
    "tlskey": (None, "string"),
    "tlsverify": (None, None),
    "version": ("v", None),
}
