"""Where the tests find material kept outside the project."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Real compose files written outside this team, kept beside the checkout as
#: ``../shared/corpus/awesome-compose`` (``PORTSPEC_CORPUS`` points elsewhere).
CORPUS = Path(
    os.environ.get("PORTSPEC_CORPUS", ROOT.parent / "shared" / "corpus" / "awesome-compose")
)

#: Real compose projects of a second set (``../shared/corpus/compose-2``):
#: MANIFEST.jsonl names every file, SELECTION.txt the multi-file projects
#: and the variables each needs (``PORTSPEC_CORPUS2`` points elsewhere).
CORPUS2 = Path(os.environ.get("PORTSPEC_CORPUS2", ROOT.parent / "shared" / "corpus" / "compose-2"))
