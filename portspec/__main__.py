"""``python -m portspec``: the same as the ``portspec`` command."""

from portspec.cli import main

raise SystemExit(main())
