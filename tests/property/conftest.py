from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Timings on a shared 2-core machine vary too much for per-example deadlines;
# the first example of a run also pays for building the grammar.
settings.register_profile(
    "portspec",
    deadline=None,
    max_examples=int(os.environ.get("PORTSPEC_EXAMPLES", "200")),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("portspec")
