"""The ``portspec`` command line: argparse app and output formats.

Importing this package is cheap: the grammar is built on the first parse.
"""

from portspec.cli._app import EXIT_FAULT, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, main

__all__ = ["EXIT_FAULT", "EXIT_INTERNAL", "EXIT_OK", "EXIT_USAGE", "main"]
