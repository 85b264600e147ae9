"""Checks: pure functions from parsed values to findings; they never print."""
