"""The public strategies keep their promises, checked by the exact predicates."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plrnn_symbolic import check
from plrnn_symbolic.testing import assert_fixed_points_correspond, assert_roundtrip, plrnns

PROMISE = {
    "principal_log": lambda r: all(x["principal_log"].status == "holds" for x in r.regions.values()),
    "real_log": lambda r: all(x["real_log"].status == "holds" and x["principal_log"].status == "fails"
                              for x in r.regions.values()),
    "no_real_log": lambda r: all(x["invertible"].status == "holds" and x["real_log"].status == "fails"
                                 for x in r.regions.values()),
    "eigenvalue_one": lambda r: all(x["eigenvalue_one"].status == "holds" for x in r.regions.values()),
}


@pytest.mark.parametrize("condition", list(PROMISE))
@pytest.mark.parametrize("exact", [True, False])
@settings(max_examples=15)
@given(data=st.data())
def test_drawn_models_satisfy_their_condition(condition, exact, data):
    m = data.draw(plrnns(M=st.integers(1, 4), condition=condition, exact=exact))
    assert PROMISE[condition](check(m, mode="exact"))


@settings(max_examples=10)
@given(plrnns(M=st.integers(1, 3), condition="principal_log", inputs=1))
def test_roundtrip_and_fixed_points_on_drawn_models(m):
    assert_roundtrip(m, mode="float", atol=1e-9)
    assert_fixed_points_correspond(m)


@settings(max_examples=10)
@given(plrnns(M=st.integers(1, 3), condition="no_real_log"))
def test_roundtrip_through_the_lift(m):
    assert_roundtrip(m, mode="certified", atol=1e-12)


def test_assert_roundtrip_fails_on_wrong_mathematics(monkeypatch):
    """The assertion can fail: a g without the beta factor is caught."""
    import numpy as np

    import plrnn_symbolic.region.floatderive as fd
    from plrnn_symbolic import PLRNN
    from plrnn_symbolic.core.domains import FloatDomain

    m = PLRNN(A=[[0.5, 0], [0, 0.6]], W=[[0, 0.2], [0.1, 0]], h=[1, -1])
    # the same mistake in the per-region route and in the batched one (which takes these principal regions)
    monkeypatch.setattr(FloatDomain, "phi1_solve", staticmethod(lambda X, rhs: np.asarray(rhs, dtype=float)))
    monkeypatch.setattr(fd, "beta_of_eigenvalues", lambda lam: np.ones_like(np.asarray(lam, dtype=complex)))
    with pytest.raises(AssertionError, match="misses the step|no continuous-time system"):
        assert_roundtrip(m, mode="float")


def test_assert_roundtrip_rejects_a_one_step_projection(monkeypatch):
    """A singular W_Omega has a lift that reproduces one step, P e^(L dt) G = W_Omega (proofs/04,
    Proposition 4.6); its embedding is not invariant, so the round trip must fail."""
    import numpy as np
    import scipy.linalg

    import plrnn_symbolic.analysis.transform as tr
    from plrnn_symbolic import PLRNN
    from plrnn_symbolic.analysis.transform import ContinuousPLRNN, RegionSystem

    m = PLRNN(A=[[0.5, 0], [0, 0]], W=[[0, 0], [0, 0]], h=[1, -1])          # every W_Omega = diag(1/2, 0)
    H, h = np.diag([0.5, 0.0]), np.array([1.0, -1.0])
    c = 1.0                                                                  # > rho(H)^2 / 4
    K = np.block([[H, -c * np.eye(2)], [np.eye(2), np.zeros((2, 2))]])
    X = scipy.linalg.logm(K).real
    G, P = np.vstack([np.eye(2), np.zeros((2, 2))]), np.hstack([np.eye(2), np.zeros((2, 2))])
    g = np.linalg.solve((scipy.linalg.expm(X) - np.eye(4)) @ np.linalg.inv(X), G @ h)   # dt phi1(X) g = G h
    fake = RegionSystem("00", "lifted", 2, 1.0, L=X, g=g, G=G, P=P)
    assert np.allclose(P @ scipy.linalg.expm(X) @ G, H)                    # the old check passes
    assert np.allclose(fake.step([0.3, -0.7]), H @ [0.3, -0.7] + h)        # and so does one step
    monkeypatch.setattr(tr, "derive", lambda model, regions, mode: ContinuousPLRNN(model, {"00": fake}, mode))
    with pytest.raises(AssertionError, match=r"e\^\(L dt\) G - G W_Omega"):
        assert_roundtrip(m, ["00"])


def test_assert_equivalent_hybrid_passes_on_the_limit_cycle_for_1000_steps():
    """Issue 19: each hybrid step from the discrete state agrees (the free run parts by amplified
    rounding, which the assertion no longer mistakes for a failure of E3)."""
    from plrnn_symbolic import example
    from plrnn_symbolic.testing import assert_equivalent

    m = example("limit_cycle")
    assert_equivalent(m, steps=1000, system="hybrid", atol=1e-6)
    assert_equivalent(m, steps=1000, system="hybrid", atol=1e-10, mode="float")
    assert_equivalent(m, steps=200, burn_in=2000, system="autonomous", atol=1e-12)


def test_assert_equivalent_fails_on_wrong_mathematics(monkeypatch):
    """The assertion can fail: region systems whose g is off by 1 % miss the first step."""
    import dataclasses

    from plrnn_symbolic import example
    from plrnn_symbolic.analysis.simulation import driver
    from plrnn_symbolic.testing import assert_equivalent

    real = driver._Simulator._derive

    def wrong_g(self, bits):
        s = real(self, bits)
        return dataclasses.replace(s, g=s.g * 1.01) if s.derived else s

    monkeypatch.setattr(driver._Simulator, "_derive", wrong_g)
    monkeypatch.setattr(driver._Simulator, "derive_ahead", lambda self, states: None)   # every region via _derive
    with pytest.raises(AssertionError, match="one step from the discrete state z_0 .* misses z_1"):
        assert_equivalent(example("limit_cycle"), steps=50, system="hybrid", mode="float")


def test_assert_equivalent_checks_the_free_run_of_a_contracting_orbit():
    """Where rounding cannot grow (negative exponents), a free run that departs is a failure."""
    from plrnn_symbolic import PLRNN
    from plrnn_symbolic.analysis.simulation import results
    from plrnn_symbolic.testing import assert_equivalent

    m = PLRNN(A=[[0.5, 0], [0, 0.6]], W=[[0, 0.1], [0.1, 0]], h=[1, 1])
    assert_equivalent(m, z0=[1.0, 1.0], steps=30, atol=1e-12)
    real_init = results.SimulationResult.__init__

    def shifted(self, *args, **kwargs):       # a hybrid trajectory that drifts off at step 20
        real_init(self, *args, **kwargs)
        if self.hybrid is not None:
            self.hybrid[20:] += 1e-6

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(results.SimulationResult, "__init__", shifted)
        with pytest.raises(AssertionError, match="free-running hybrid trajectory departs .* at step 20"):
            assert_equivalent(m, z0=[1.0, 1.0], steps=30, atol=1e-9)


def test_assert_equivalent_autonomous_passes_when_e1_holds():
    from plrnn_symbolic import PLRNN
    from plrnn_symbolic.testing import assert_equivalent

    # a contraction towards a fixed point inside region 11: E1 holds at every step
    m = PLRNN(A=[[0.5, 0], [0, 0.6]], W=[[0, 0.1], [0.1, 0]], h=[1, 1])
    assert_equivalent(m, z0=[1.0, 1.0], steps=30, system="autonomous", atol=1e-9)
