"""YAML read as Docker Compose v2 reads it: one document into frozen nodes that keep positions.

Compose v2 reads its files with go-yaml v3 (``go.yaml.in/yaml/v3``), a line
by line port of libyaml to Go. portspec parses with libyaml too (through
PyYAML's event API, in C when available), so what is legal YAML here is
legal there; it then builds its own nodes and types each scalar with a port
of go-yaml's ``resolve()``, never with PyYAML's YAML 1.1 constructors:

- ``22:22`` is the string ``"22:22"`` (no base-60), ``yes``/``on`` are strings,
  ``true``/``True``/``TRUE`` are booleans, ``~``/``null``/``Null``/``NULL``/empty are null;
- integers as Go's ``strconv.ParseInt(text, 0, 64)`` reads them after every
  ``_`` is dropped: ``0x1F``, ``0o17``, ``017`` (octal!), ``0b101``, ``+80``, ``1_000``;
- floats: ``1e3``, ``80.0``, ``.5``, ``08`` (not octal, so a float), ``.inf``, ``.nan``;
- ``2001-12-14`` is a timestamp, which Compose then refuses everywhere;
- quoted and block scalars are strings unless explicitly tagged.

Merge keys (``<<``) are resolved as go-yaml resolves them, anchors are shared
(an alias is the very node its anchor names), and the tags Compose gives a
meaning to (``!reset``, ``!override``) stay on their nodes for a merge step.
"""

from __future__ import annotations

from typing import Any

from portspec.sources._yaml.goprint import _go_key
from portspec.sources._yaml.nodes import (
    Mapping,
    Node,
    Pair,
    Scalar,
    ScalarStyle,
    ScalarValue,
    Sequence,
)
from portspec.sources._yaml.reader import MAX_ALIAS_NODES, MAX_DEPTH, _Reader
from portspec.sources._yaml.resolve import plain_type
from portspec.sources._yaml.text import YamlError, _node_error

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "Mapping",
    "Node",
    "Pair",
    "Scalar",
    "ScalarStyle",
    "ScalarValue",
    "Sequence",
    "YamlError",
    "compose_document",
    "load_yaml",
    "load_yaml_documents",
    "plain_type",
    "to_python",
]


def load_yaml(text: str | bytes, *, path: str | None = None) -> Node:
    """Read the one YAML document in ``text`` as Compose v2 would.

    >>> doc = load_yaml("ports:\\n  - 22:22\\n  - 0x50\\n")
    >>> [item.value for item in doc["ports"]]
    ['22:22', 80]

    An empty stream gives a null scalar; a second document, bad YAML and
    hostile input raise ``PortSpecError`` with the line, column and a caret.
    """
    documents = _Reader(text, path).read(one=True)
    if not documents:
        return Scalar(None, "!!null", path=path)
    return documents[0]


def load_yaml_documents(text: str | bytes, *, path: str | None = None) -> tuple[Node, ...]:
    """Every document of a YAML stream, in order (Compose reads each as an override of the last).

    >>> [to_python(doc) for doc in load_yaml_documents("a: 1\\n---\\na: 2\\n")]
    [{'a': 1}, {'a': 2}]
    """
    return tuple(_Reader(text, path).read(one=False))


def compose_document(node: Node, *, path: str | None = None) -> Mapping:
    """The document as Compose requires it: a mapping whose keys are all strings.

    >>> compose_document(load_yaml("services: {}")).get("services")
    Mapping(entries=(), tag=None)

    Raises ``PortSpecError`` as Compose refuses: ``top-level object must be a
    mapping``, ``non-string key in services.web.labels: 80``.
    """
    if not isinstance(node, Mapping):
        raise _node_error("top-level object must be a mapping", node, path)
    # Only collections can hold keys: scalars are not visited, nor named.
    stack: list[tuple[Node, str]] = [(node, "")]
    while stack:
        current, where = stack.pop()
        if isinstance(current, Sequence):
            stack.extend(
                (item, f"{where}[{index}]")
                for index, item in enumerate(current.items)
                if not isinstance(item, Scalar)
            )
            continue
        if not isinstance(current, Mapping):
            continue
        for entry in current.entries:
            key = entry.key
            if not (isinstance(key, Scalar) and type(key.value) is str):
                shown = _go_key(key)
                place = f"in {where}" if where else "at top level"
                raise _node_error(f"non-string key {place}: {shown}", key, path)
            if not isinstance(entry.value, Scalar):
                stack.append((entry.value, f"{where}.{key.value}" if where else key.value))
    return node


def to_python(node: Node) -> Any:
    """Plain Python values for a node: dicts, lists and scalars (fresh objects, aliases expanded).

    >>> to_python(load_yaml("a: &x [1, .5, yes]\\nb: *x"))
    {'a': [1, 0.5, 'yes'], 'b': [1, 0.5, 'yes']}
    """
    # Iterative, so that any depth load_yaml accepts converts.
    root: list[Any] = [None]
    stack: list[tuple[Node, Any, Any]] = [(node, root, 0)]
    while stack:
        current, parent, slot = stack.pop()
        if isinstance(current, Scalar):
            parent[slot] = current.value
        elif isinstance(current, Sequence):
            items: list[Any] = [None] * len(current.items)
            parent[slot] = items
            stack.extend((item, items, index) for index, item in enumerate(current.items))
        else:
            mapping: dict[Any, Any] = {}
            parent[slot] = mapping
            for entry in current.entries:
                # load_yaml refuses a collection as a key
                key = entry.key.value if isinstance(entry.key, Scalar) else repr(entry.key)
                mapping[key] = None
                stack.append((entry.value, mapping, key))
    return root[0]
