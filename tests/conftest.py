import os

from hypothesis import HealthCheck, settings

# A deterministic, bounded profile for CI; a thorough one for release checks:
#   PLRNN_HYPOTHESIS_PROFILE=thorough pytest
settings.register_profile("ci", max_examples=40, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=1000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("PLRNN_HYPOTHESIS_PROFILE", "ci"))

# Known-wrong mathematics for the mutation check (tests/mutation_check.py).
if os.environ.get("PLRNN_MUTATION"):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from mutations import apply

    apply(os.environ["PLRNN_MUTATION"])
