"""Which containers of a script, Makefile or Markdown page run at the same time."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from portspec.lint import Context, Source, lint, lint_text
from portspec.lint.lifecycle import FOREVER, Compose, Remove, Run, Start, Stop, Target, Timeline
from portspec.lint.units import Kind

# ------------------------------------------------------------ the timeline


def test_a_detached_container_runs_until_it_is_stopped() -> None:
    timeline = Timeline()
    timeline.play(
        [
            Run(0, "web", detach=True, remove=False),
            Stop(1, (Target("web"),)),
            Start(2, (Target("web"),)),
        ]
    )
    [outcome] = timeline.outcomes
    assert outcome.spans == ((0, 1), (2, FOREVER))
    assert not outcome.stopped


def test_a_stopped_container_keeps_its_name_until_it_is_removed() -> None:
    timeline = Timeline()
    timeline.play(
        [
            Run(0, "db", detach=True, remove=False),
            Stop(1, (Target("db"),)),
            Run(2, "db", detach=True, remove=False),
            Remove(3, (Target("db"),), force=False),
            Run(4, "db", detach=True, remove=False),
        ]
    )
    assert [o.refused_by for o in timeline.outcomes] == [None, 0, None]
    assert timeline.outcomes[0].stopped


def test_rm_without_force_leaves_a_running_container() -> None:
    timeline = Timeline()
    timeline.play(
        [
            Run(0, "db", detach=True, remove=False),
            Remove(1, (Target("db"),), force=False),
            Run(2, "db", detach=True, remove=False),
        ]
    )
    assert timeline.outcomes[0].spans == ((0, FOREVER),)
    assert timeline.outcomes[1].refused_by == 0


def test_rm_flag_frees_the_name_when_the_container_stops() -> None:
    timeline = Timeline()
    timeline.play(
        [
            Run(0, "a", detach=False, remove=True),
            Run(1, "a", detach=True, remove=True),
            Stop(2, (Target("a"),)),
            Run(3, "a", detach=False, remove=False),
            Run(4, "a", detach=False, remove=False),
        ]
    )
    assert [o.refused_by for o in timeline.outcomes] == [None, None, None, 2]
    assert timeline.outcomes[0].spans == ((0, 1),)


def test_an_id_in_a_variable_reaches_the_unnamed_containers() -> None:
    timeline = Timeline()
    timeline.play(
        [
            Run(0, None, detach=True, remove=False),
            Run(1, "named", detach=True, remove=False),
            Stop(2, (Target(None),)),
            Stop(3, (Target(None, every=True),)),
        ]
    )
    assert [o.spans for o in timeline.outcomes] == [((0, 2),), ((1, 3),)]


def test_compose_windows() -> None:
    timeline = Timeline()
    timeline.play(
        [
            Compose(0, "dir:app", "up", detach=True),
            Compose(2, "dir:app", "down"),
            Compose(3, "dir:app", "up"),
            Compose(4, "dir:app", "start"),
        ]
    )
    assert timeline.windows == {"dir:app": [(0, 2), (3, 4), (4, FOREVER)]}


# --------------------------------------------------------------- in scripts

RUN_A = "docker run -d --name web -p 8080:80 nginx\n"

#: (script, the (code, line) of each finding)
SCRIPTS: list[tuple[str, list[tuple[str, int]]]] = [
    # two detached containers with one port: the second is refused
    (RUN_A + "docker run -d --name db -p 8080:80 nginx\n", [("PS101", 2)]),
    ("docker run -dp 8080:80 a\ndocker container run --detach -p 8080:80 b\n", [("PS101", 2)]),
    # a command sent to the background runs on
    ("docker run -p 8080:80 a &\ndocker run -p 8080:80 b\n", [("PS101", 2)]),
    ("docker run -p 8080:80 a & docker run -p 8080:80 b\n", [("PS101", 1)]),
    ("ID=$(docker run -d -p 8080:80 a)\ndocker run -p 8080:80 b\n", [("PS101", 2)]),
    # a foreground container has ended before the next command
    ("docker run -p 8080:80 a\ndocker run -p 8080:80 b\n", []),
    ("docker run --rm -p 8080:80 a && docker run -d -p 8080:80 b\n", []),
    ("docker run --detach=false -p 8080:80 a\ndocker run -d -p 8080:80 b\n", []),
    # ... but runs while a detached one does
    ("docker run -d -p 8080:80 a\ndocker run -p 8080:80 b\n", [("PS101", 2)]),
    # stopped, killed or removed: the port is free again
    (RUN_A + "docker rm -f web\ndocker run -d -p 8080:80 b\n", []),
    (RUN_A + "docker stop web\ndocker run -d -p 8080:80 b\n", []),
    (RUN_A + "docker container kill web\ndocker run -d -p 8080:80 b\n", []),
    (RUN_A + "docker stop -t 5 web && docker rm web\ndocker run -d --name web -p 8080:80 b\n", []),
    (RUN_A + "docker rm -f $(docker ps -aq)\ndocker run -d -p 8080:80 b\n", []),
    (RUN_A + "docker stop other\ndocker run -d -p 8080:80 b\n", [("PS101", 3)]),
    # docker rm without -f refuses a running container
    (RUN_A + "docker rm web\ndocker run -d -p 8080:80 b\n", [("PS101", 3)]),
    # a name still taken: refused for its name, never a port conflict
    (RUN_A + "docker run -d --name web -p 8080:80 nginx\n", [("PS121", 2)]),
    (RUN_A + "docker stop web\ndocker run -d --name web nginx\n", [("PS121", 3)]),
    ("docker run --name web x\ndocker run --name web x\n", [("PS121", 2)]),
    ("docker run --rm --name web x\ndocker run --name web x\n", []),
    ("docker create --name web -p 8080:80 x\ndocker create --name web x\n", [("PS121", 2)]),
    # the shell's wait: every docker run sent to the background has returned
    ("docker run -p 8080:80 a &\nwait\ndocker run -p 8080:80 b\n", []),
    ("docker run -p 8080:80 a &\nwait $!\ndocker run -p 8080:80 b\n", []),
    ("docker run -d -p 8080:80 a &\nwait\ndocker run -p 8080:80 b\n", [("PS101", 3)]),
    ("docker run --name web x &\nwait\ndocker run --name web x\n", [("PS121", 3)]),
    ("docker run --rm --name web x &\nwait\ndocker run --name web x\n", []),
    # ... wait $! only for the last one
    (
        "docker run -p 8080:80 a &\ndocker run -d -p 9090:90 c &\nwait $!\n"
        "docker run -p 8080:80 b\n",
        [("PS101", 4)],
    ),
    ("docker run -p 8080:80 a &\nsleep 1 &\nwait $!\ndocker run -p 8080:80 b\n", [("PS101", 4)]),
    # ... a job (%1, %%, %-) or a variable set to $!
    ("docker run -p 8080:80 a &\nwait %1\ndocker run -p 8080:80 b\n", []),
    ("docker run -p 8080:80 a &\nwait %%\ndocker run -p 8080:80 b\n", []),
    (
        "docker run -p 8080:80 a &\nsleep 9 &\nwait %2\ndocker run -p 8080:80 b\n",
        [("PS101", 4)],
    ),
    ("docker run -p 8080:80 a &\nsleep 9 &\nwait %-\ndocker run -p 8080:80 b\n", []),
    ("docker run -p 8080:80 a &\nsleep 9 &\nwait %1 %2\ndocker run -p 8080:80 b\n", []),
    ('docker run -p 8080:80 a &\npid=$!\nsleep 9 &\nwait "$pid"\ndocker run -p 8080:80 b\n', []),
    (
        "docker run -p 8080:80 a &\nA=$!\nsleep 9 &\nB=$!\nwait $B\ndocker run -p 8080:80 b\n",
        [("PS101", 6)],
    ),
    ("docker run -p 8080:80 a &\nwait ${!}\ndocker run -p 8080:80 b\n", []),
    # ... a job number freed by the bare wait is given again
    (
        "sleep 1 &\nwait\ndocker run -p 8080:80 a &\nwait %1\ndocker run -p 8080:80 b\n",
        [],
    ),
    # ... what cannot be told waits for nothing known: a variable never set to $!, -n
    ("docker run -p 8080:80 a &\nwait $other\ndocker run -p 8080:80 b\n", [("PS101", 3)]),
    ("docker run -p 8080:80 a &\nwait -n\ndocker run -p 8080:80 b\n", [("PS101", 3)]),
    ("docker run -p 8080:80 a &\nwait %3\ndocker run -p 8080:80 b\n", [("PS101", 3)]),
    # created containers bind their ports only once started
    ("docker create --name web -p 8080:80 x\ndocker create --name db -p 8080:80 x\n", []),
    (
        "docker create --name web -p 8080:80 x\ndocker create --name db -p 8080:80 x\n"
        "docker start web db\n",
        [("PS101", 2)],
    ),
]


@pytest.mark.parametrize(("script", "expected"), SCRIPTS, ids=[s for s, _ in SCRIPTS])
def test_script_lifecycle(script: str, expected: list[tuple[str, int]]) -> None:
    found = lint_text(script, "run.sh", "shell")
    assert [(d.code, d.line) for d in found if d.code.startswith("PS1")] == expected


def test_a_refused_name_names_the_container_that_holds_it() -> None:
    script = RUN_A + "docker run -d --name web -p 8080:80 nginx\n"
    [found] = [d for d in lint_text(script, "run.sh", "shell") if d.code == "PS121"]
    assert script[found.start : found.end] == "web"
    assert found.column == script.splitlines()[1].index("web ") + 1
    assert 'the container name "/web" is already in use' in found.message
    assert "run.sh:1:1" in found.message


@pytest.mark.parametrize("name", ["a", "-web", "my_app!", "_x", "web/1"])
def test_a_name_the_engine_refuses(name: str) -> None:
    script = f"docker run -d --name '{name}' -p 8080:80 x\ndocker run -d -p 8081:80 y\n"
    found = lint_text(script, "run.sh", "shell")
    assert [(d.code, d.line) for d in found] == [("PS009", 1)]
    assert f"Invalid container name ({name})" in found[0].message


@pytest.mark.parametrize("name", ["ab", "/web", "web_1.a-b", "0x"])
def test_a_name_the_engine_takes(name: str) -> None:
    assert lint_text(f"docker run -d --name {name} x\n", "run.sh", "shell") == []


def test_a_conflict_names_both_places() -> None:
    script = "# start\n" + RUN_A + "docker run -d -p 127.0.0.1:8080:81 b\n"
    [found] = lint_text(script, "run.sh", "shell")
    assert (found.code, found.line, found.column) == ("PS101", 3, 18)
    assert "web (8080:80) at run.sh:2:29" in found.message


# -------------------------------------------------- Makefiles and Markdown


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        # each rule's recipe is a script: two targets are alternatives
        (
            "makefile",
            "run:\n\tdocker run -d -p 80:80 a\ndev:\n\tdocker run -d -p 80:80 b\n",
            [],
        ),
        (
            "makefile",
            "run:\n\tdocker run -d -p 80:80 a\n\t# b too\n\tdocker run -d -p 80:80 b\n",
            [("PS101", 4)],
        ),
        # each code block is a script: examples on a page are alternatives
        (
            "markdown",
            "```sh\ndocker run -d --name web -p 80:80 x\n```\n\n"
            "```sh\ndocker run -d --name web -p 80:80 y\n```\n",
            [],
        ),
        (
            "markdown",
            "```sh\ndocker run -d --name web -p 80:80 x\ndocker run -d --name db -p 80:80 y\n```\n",
            [("PS101", 3)],
        ),
        # a page that says so is one script
        (
            "markdown",
            "<!-- portspec: one-session -->\n```sh\ndocker run -d -p 80:80 x\n```\n\n"
            "    docker run -d -p 80:80 y\n",
            [("PS101", 6)],
        ),
        (
            "markdown",
            "<!-- portspec: one-session -->\n```sh\ndocker run -d --name web -p 80:80 x\n```\n"
            "```sh\ndocker rm -f web\ndocker run -d --name web -p 80:80 y\n```\n",
            [],
        ),
        # a link to a container of an earlier block is not dangling
        (
            "markdown",
            "```sh\ndocker run -d --name db postgres\n```\n"
            "```sh\ndocker run -d --link db:db app\n```\n",
            [],
        ),
        (
            "markdown",
            "```sh\ndocker run -d --link db:db app\n```\n",
            [("PS111", 2)],
        ),
    ],
)
def test_scripts_of_a_document(kind: Kind, text: str, expected: list[tuple[str, int]]) -> None:
    found = lint_text(text, "f", kind)
    assert [(d.code, d.line) for d in found if d.code.startswith("PS1")] == expected


def test_one_session_for_every_page_by_configuration() -> None:
    page = "```sh\ndocker run -d -p 80:80 x\n```\n\n```sh\ndocker run -d -p 80:80 y\n```\n"
    assert lint_text(page, "f.md", "markdown") == []
    found = lint_text(page, "f.md", "markdown", ctx=Context(markdown_one_session=True))
    assert [(d.code, d.line) for d in found] == [("PS101", 6)]


# ------------------------------------------------------------ with compose

COMPOSE = "services:\n  web:\n    image: nginx\n    ports: ['8080:80']\n"


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        # compose brought up, then a container on its port
        ("docker compose up -d\ndocker run -d -p 8080:80 x\n", [("PS101", "run.sh")]),
        ("docker-compose up --detach\ndocker run -p 8080:80 x\n", [("PS101", "run.sh")]),
        # brought down first, or only in the foreground
        ("docker compose up -d\ndocker compose down\ndocker run -d -p 8080:80 x\n", []),
        ("docker compose up\ndocker run -d -p 8080:80 x\n", []),
        ("docker compose -f compose.yaml stop\ndocker run -d -p 8080:80 x\n", []),
        # another file's project is not this one
        ("docker compose -f other.yaml up -d\ndocker compose -f other.yaml down\n", []),
        # the file named or found in its folder: one project
        (
            "docker compose -f compose.yaml up -d\ndocker compose kill\n"
            "docker run -d -p 8080:80 x\n",
            [],
        ),
        (
            "docker compose -f ./compose.yaml up -d\ndocker run -d -p 8080:80 x\n",
            [("PS101", "run.sh")],
        ),
        # the project brought up while the script's container runs: its service is refused
        ("docker run -d -p 8080:80 x\ndocker compose up -d\n", [("PS101", "compose.yaml")]),
        ("docker run -d --name web -p 8080:80 x\ndocker rm -f web\ndocker compose up -d\n", []),
    ],
)
def test_compose_in_a_script(tmp_path: Path, script: str, expected: list[tuple[str, str]]) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    (tmp_path / "run.sh").write_text(script)
    sources = [
        Source(str(tmp_path / "compose.yaml"), "compose", path=tmp_path / "compose.yaml"),
        Source(str(tmp_path / "run.sh"), "shell", path=tmp_path / "run.sh"),
    ]
    found = lint(sources, ctx=Context()).diagnostics
    codes = [(d.code, Path(d.path).name) for d in found if d.code.startswith("PS1")]
    assert codes == expected


def test_without_compose_commands_a_script_meets_compose_as_before(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    (tmp_path / "run.sh").write_text("docker run -d -p 8080:80 x\n")
    sources = [
        Source(str(tmp_path / "compose.yaml"), "compose", path=tmp_path / "compose.yaml"),
        Source(str(tmp_path / "run.sh"), "shell", path=tmp_path / "run.sh"),
    ]
    found = lint(sources, ctx=Context()).diagnostics
    assert [d.code for d in found] == ["PS101"]


# ------------------------------------------- wait, against bash's job table


def _wait_script(rng: random.Random) -> tuple[str, str]:
    """A script of background runs and waits, as linted and as bash runs it.

    The two differ only in what is sent to the background (``docker run`` /
    ``sleep``); each wait with an operand prints, before it waits, which
    process bash takes the operand for (``W`` and its pid, or nothing).
    """
    lines: list[str] = []
    pids = 0
    started = False
    for _ in range(rng.randint(2, 9)):
        roll = rng.random()
        if roll < 0.4:
            lines.append("@BACKGROUND@")
            lines.append('echo "S $!"')
            started = True
        elif roll < 0.5 and started:
            lines.append(f"p{pids}=$!")
            pids += 1
        elif roll < 0.6:
            lines.append("kill $(jobs -p) 2>/dev/null; wait")
        else:
            spec = rng.choice(["%1", "%2", "%3", "%%", "%+", "%-", "$!", "${!}"])
            if pids and rng.random() < 0.4:
                spec = f'"$p{rng.randrange(pids)}"'
            shown = f"$(jobs -p {spec} 2>/dev/null)" if spec.startswith("%") else spec
            lines.append(f'echo "W {shown}"; kill {spec} 2>/dev/null; wait {spec} 2>/dev/null')
    text = "\n".join(lines) + "\nkill $(jobs -p) 2>/dev/null\n"
    linted = text.replace("@BACKGROUND@", "docker run --rm -p 8080:80 x &")
    run = text.replace("@BACKGROUND@", "sleep 30 &")
    return linted, run


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_wait_operands_name_the_jobs_bash_names() -> None:
    from portspec.sources.scripts import find_lifecycle

    rng = random.Random(20261207)
    checked = 0
    for _ in range(60):
        linted, run = _wait_script(rng)
        done = subprocess.run(
            ["bash", "-c", run], capture_output=True, text=True, timeout=60, check=False
        )
        started: list[str] = []
        named: list[int | None] = []
        for line in done.stdout.splitlines():
            kind, _, value = line.partition(" ")
            if kind == "S":
                started.append(value)
            elif kind == "W":
                named.append(started.index(value) if value in started else None)
        commands = list(find_lifecycle(linted, "shell"))
        runs = [c.start for c in commands if c.action == "run"]
        lines = linted.splitlines()
        ours: list[int | None] = []
        for number, line in enumerate(lines):
            if not line.startswith('echo "W'):
                continue
            at = sum(len(text) + 1 for text in lines[:number])
            waits = [c for c in commands if c.action == "wait" and at <= c.start < at + len(line)]
            jobs = waits[0].waits if waits else None
            ours.append(runs.index(jobs[0]) if jobs else None)
        assert ours == named, linted
        checked += len(named)
    assert checked > 50
