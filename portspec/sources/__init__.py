"""Where values come from: command lines (and, in time, compose files, scripts, runtime output)."""
