import os

from hypothesis import HealthCheck, settings

# A deterministic, bounded profile for CI; a thorough one for release checks:
#   PLRNN_HYPOTHESIS_PROFILE=thorough pytest
settings.register_profile("ci", max_examples=40, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=1000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("PLRNN_HYPOTHESIS_PROFILE", "ci"))
