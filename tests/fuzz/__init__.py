"""Fuzz targets for every public parser and for ``lint_text``: ``python -m tests.fuzz``."""
