"""The awesome-compose corpus, written outside this team, lints without a crash or a false alarm.

Every file of it is read (its compose files and its Markdown); none
gives a reading error (PS0xx), and the findings that remain are the ones
checked by hand: database and cache ports published on every interface.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portspec.cli import main
from tests.paths import CORPUS

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")

# (compose file, line, code): each verified by reading the file.
EXPECTED = [
    ("elasticsearch-logstash-kibana/compose.yaml", 9, "PS301"),  # 9200 Elasticsearch
    ("elasticsearch-logstash-kibana/compose.yaml", 10, "PS301"),  # 9300 transport
    ("flask-redis/compose.yaml", 5, "PS301"),  # 6379 Redis
    ("nginx-nodejs-redis/compose.yaml", 6, "PS301"),  # 6379 Redis
    ("postgresql-pgadmin/compose.yaml", 10, "PS301"),  # 5432 PostgreSQL
    ("react-rust-postgres/compose.yaml", 42, "PS301"),  # 5432 PostgreSQL
]


def test_corpus_lints_with_only_verified_findings(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CORPUS)
    status = main(["lint", "--format", "json", "--isolated", "."])
    out, err = capsys.readouterr()
    found = json.loads(out)
    assert err == ""
    assert [d for d in found if d["code"] < "PS100"] == []
    assert [(d["path"], d["line"], d["code"]) for d in found] == EXPECTED
    assert status == 1


def test_every_corpus_file_is_read(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from portspec.lint.discover import discover

    monkeypatch.chdir(CORPUS)
    inputs, notes = discover([Path(".")])
    kinds = {i.kind for i in inputs}
    composes = [i for i in inputs if i.kind == "compose"]
    assert notes == []
    assert {"compose", "markdown"} <= kinds
    assert len(composes) == len(list(Path(".").rglob("compose.y*ml"))) + len(
        list(Path(".").rglob("docker-compose.y*ml"))
    )
    # Every rule selected, the strictest settings: still no reading error.
    main(["lint", "--format", "json", "--isolated", "--select", "ALL", "--across-projects", "."])
    found = json.loads(capsys.readouterr().out)
    assert [d for d in found if d["code"] < "PS100"] == []
