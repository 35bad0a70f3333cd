"""Families of regions decided at once (analysis/families.py, region/boxspectrum.py; proofs/07, 7.12-7.15).

The families report must give the verdict counts of the exhaustive per-region sweep, every
certificate must agree with the per-region verdicts of every region it covers, and a wrong
enclosure (the box's radius dropped) must be caught.
"""

from __future__ import annotations

import itertools
import json

import flint
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import plrnn_symbolic as ps
from plrnn_symbolic import PLRNN, InputError, check
from plrnn_symbolic.analysis.families import check_families
from plrnn_symbolic.cli import main
from plrnn_symbolic.region import boxspectrum
from plrnn_symbolic.region.boxspectrum import Disc, FamilyEnclosure, decide_discs
from plrnn_symbolic.testing import plrnns, relu_rnns


def _regions_of(model, family: str) -> list[str]:
    """The names of the non-empty regions of a family (a pattern over 0/1/*)."""
    free = [k for k, c in enumerate(family) if c == "*"]
    out = []
    for bits in itertools.product("01", repeat=len(free)):
        d = list(family)
        for k, b in zip(free, bits):
            d[k] = b
        out.append("".join(d))
    if isinstance(model, PLRNN):
        return out
    names = set(ps.cells(model)[0])
    found = []
    for p in out:
        d = tuple(int(c) for c in p)
        n = model.region_name(d)
        if n in names and model.pattern(n) == d:
            found.append(n)
    return found


def _agrees_with_sweep(model):
    fam = check_families(model)
    full = check(model, "all")
    assert fam.summary() == full.summary()
    statuses = full.statuses()
    assert fam.regions == len(statuses)
    for cert in fam.certificates:                    # every certificate, region by region
        names = _regions_of(model, cert.family)
        assert len(names) == cert.regions
        for name in names:
            for p, t in cert.verdicts.items():
                assert statuses[name][p] == t.value, (cert.family, name, p)
    return fam


@given(plrnns(M=st.integers(1, 6)))
def test_families_equal_the_exhaustive_sweep(model):
    _agrees_with_sweep(model)


@pytest.mark.slow
@settings(max_examples=15)
@given(st.sampled_from(["any", "principal_log"]).flatmap(lambda c: plrnns(M=st.integers(7, 8), condition=c)))
def test_families_equal_the_exhaustive_sweep_m8(model):
    _agrees_with_sweep(model)


@settings(max_examples=20)
@given(relu_rnns(M=st.integers(1, 3)))
def test_families_of_the_general_form_equal_the_sweep(model):
    _agrees_with_sweep(model)


def test_branch_and_bound_descends_where_regions_differ():
    """chaotic: 11 of 32 regions have no real logarithm, so the root cannot decide real_log."""
    fam = _agrees_with_sweep(ps.example("chaotic"))
    assert fam.summary()["real_log"]["fails"] == 11
    assert fam.opened and fam.certificates
    assert all(c.family != "*****" or "real_log" not in c.verdicts for c in fam.certificates)
    assert max(c.regions for c in fam.certificates) >= 2


@pytest.mark.slow
@pytest.mark.parametrize("name", ["vdp_trained", "lorenz_trained"])
def test_trained_models_agree_with_the_sweep(name):
    """Float weights, eigenvalues near one, negative eigenvalues in a few regions: the certificates cover
    most regions for the spectral predicates and the counts are the sweep's."""
    fam = _agrees_with_sweep(ps.example(name))
    assert fam.coverage()["principal_log"] > fam.regions // 2 and fam.opened


def test_dropping_the_radius_of_the_enclosure_is_caught(monkeypatch):
    """Mutation: discs without the box's widening (only the midpoint matrix enclosed) claim verdicts for
    regions that do not have them."""
    monkeypatch.setattr(boxspectrum, "_box_rows", lambda absU, zsum: [flint.arb(0)] * absU.nrows())
    for name in ("chaotic", "limit_cycle"):
        m = ps.example(name)
        assert check_families(m).summary() != check(m, "all").summary()


def _contractive(M: int, coupling: float = 1 / 2000) -> PLRNN:
    A = [[(i + 3) / (M + 4) if i == j else 0 for j in range(M)] for i in range(M)]
    W = [[0 if i == j else (-1) ** (i * j + i) * coupling for j in range(M)] for i in range(M)]
    return PLRNN(A, W, [0] * M)


def test_a_contractive_model_is_covered_at_the_root():
    fam = check_families(_contractive(30))
    assert len(fam.certificates) == 1 and not fam.opened
    assert fam.certificates[0].family == "*" * 30
    n = 2**30
    assert fam.coverage() == dict.fromkeys(ps.analysis.conditions.PREDICATES, n)
    assert fam.summary()["principal_log"] == {"holds": n, "fails": 0, "undecided": 0}
    assert fam.summary()["eigenvalue_one"] == {"holds": 0, "fails": n, "undecided": 0}
    # the same model at M = 8: the root's verdicts are those of every region
    assert _agrees_with_sweep(_contractive(8)).opened == {}


@settings(max_examples=20)
@given(plrnns(M=st.integers(1, 8), condition="principal_log"))
def test_diagonally_dominant_models_are_principal_at_the_root(model):
    """The strategy's guarantee (every Gershgorin disc of every region in Re z > 0) is what the
    discs of the box matrix itself prove at the root."""
    fam = check_families(model, predicates=["invertible", "principal_log", "real_log"])
    assert not fam.opened and len(fam.certificates) == 1
    assert set(fam.summary()) == {"invertible", "principal_log", "real_log"}


def test_discs_contain_the_eigenvalues_of_every_region():
    """Independent route: numpy eigenvalues of each region matrix lie in the certified discs."""
    rng = np.random.default_rng(3)
    M = 5
    m = PLRNN(np.diag(rng.uniform(-1, 1, M)), rng.uniform(-0.6, 0.6, (M, M)), np.zeros(M))
    enc = FamilyEnclosure(m)
    for family in ("*****", "1*0**", "01*1*"):
        fam = tuple(None if c == "*" else int(c) for c in family)
        for eigenbasis in (True, False):
            discs = enc.discs(fam, eigenbasis)
            for name in _regions_of(m, family):
                lam = np.linalg.eigvals(np.array(ps.region_matrix(m, name).tolist(), dtype=float))
                for z in lam:
                    assert any(abs(z - complex(float(d.center.real.mid()), float(d.center.imag.mid())))
                               <= float(d.radius) + 1e-9 for d in discs)


def test_decide_discs_claims_nothing_from_touching_discs():
    q = flint.arb
    touching = [Disc(flint.acb(0.5), q(0.5)), Disc(flint.acb(2), q(0.1))]
    v = decide_discs(touching)
    assert "invertible" not in v and "principal_log" not in v
    overlapping = [Disc(flint.acb(0.5), q(0.1)), Disc(flint.acb(0.55), q(0.1))]
    assert decide_discs(overlapping)["principal_log"].value == "holds"
    assert "unique_real_log" not in decide_discs(overlapping)   # two eigenvalues there, maybe a complex pair
    # mirror images that are disjoint from each other still form one group (a complex pair, not two
    # simple real eigenvalues): unique_real_log fails, it does not hold
    pair_off_axis = decide_discs([Disc(flint.acb(0.5, 0.3), q(0.1)), Disc(flint.acb(0.5, -0.3), q(0.1))])
    assert pair_off_axis["unique_real_log"].value == "fails" and pair_off_axis["principal_log"].value == "holds"
    # a single negative disc: a simple negative eigenvalue, no real logarithm
    assert decide_discs([Disc(flint.acb(-0.5), q(0.1))])["real_log"].value == "fails"
    # two overlapping discs on the negative axis hold two negative eigenvalues or a complex pair:
    # principal_log and real_log undecided, unique_real_log fails either way
    pair = decide_discs([Disc(flint.acb(-0.5), q(0.1)), Disc(flint.acb(-0.55), q(0.1))])
    assert "real_log" not in pair and "principal_log" not in pair
    assert pair["unique_real_log"].value == "fails" and pair["invertible"].value == "holds"


def test_irrational_weights_and_a_40_unit_alrnn():
    m = PLRNN([[sp.sqrt(2) / 3, 0], [0, sp.Rational(1, 2)]], [[0, sp.pi / 10], [sp.Rational(1, 5), 0]], [0, 0])
    assert check_families(m).summary() == check(m, "all").summary()
    # relu on all 40 units of an ALRNN: W2 has independent rows, every pattern is a cell, nothing is enumerated
    M = 40
    alrnn = ps.ALRNN(np.linspace(0.05, 0.95, M), np.where(np.eye(M) > 0, 0, 1e-4), np.zeros(M), P=M)
    fam = check_families(alrnn)
    assert fam.regions == 2**M and not fam.opened and len(fam.certificates) == 1


def test_bad_requests_are_input_errors():
    m = ps.example("chaotic")
    with pytest.raises(InputError):
        check_families(m, predicates=["principal"])
    with pytest.raises(InputError):
        check_families(m, max_families=2)
    with pytest.raises(InputError):
        check_families(m, mode="fast")
    with pytest.raises(InputError, match="check_families"):
        check(m, "families")
    with pytest.raises(InputError, match="numeric weights"):
        check_families(PLRNN([[sp.Symbol("a"), 0], [0, 1]], [[0, 1], [0, 0]], [0, 0]))


def test_cli_families(capsys):
    assert main(["check", "--example", "chaotic", "--regions", "families"]) == 0
    out = capsys.readouterr().out
    assert "family certificates" in out and "regions left to enumeration" in out
    assert main(["check", "--example", "chaotic", "--regions", "families", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"] == check(ps.example("chaotic"), "all").summary()
    assert data["families"]["regions"] == 32
    assert main(["check", "--example", "chaotic", "--regions", "families", "--predicates", "principal_log",
                 "--json"]) == 0
    assert list(json.loads(capsys.readouterr().out)["summary"]) == ["principal_log"]
    for argv in (["derive", "--example", "chaotic", "--regions", "families"],
                 ["check", "--example", "chaotic", "--predicates", "real_log"],
                 ["check", "--example", "chaotic", "--regions", "families", "11111"]):
        assert main(argv) == 2
        assert capsys.readouterr().err.count("\n") == 1


def test_a_disc_witness_in_floats_contains_the_disc():
    """A disc's center of more than 53 bits (precision 200) is rounded to floats in the witness; the radius
    is widened by that rounding, so the printed disc still contains the proved one."""
    from fractions import Fraction

    import flint

    from plrnn_symbolic.core.domains import working_precision
    from plrnn_symbolic.region.boxspectrum import Disc

    with working_precision(200):
        third = (flint.arb(1) / 3).mid()
    re, im, r = Disc(flint.acb(third), flint.arb(0)).to_list()
    assert im == 0 and r >= abs(Fraction(1, 3) - Fraction(re)) - Fraction(1, 2**190) > 0


def test_a_witness_lists_its_enclosures_apart():
    """Each set of M discs of a certificate's witness is one enclosure (Gershgorin's count holds per set)."""
    from plrnn_symbolic.analysis.families import check_families

    M = 4
    A = [[(i + 3) / (M + 4) if i == j else 0 for j in range(M)] for i in range(M)]
    W = [[0 if i == j else (-1) ** (i + j) / 2000 for j in range(M)] for i in range(M)]
    c = check_families(ps.PLRNN(A, W, [0] * M)).certificates[0]
    w = c.to_dict()["witness"]
    assert len(w["discs"]) % M == 0 and [d for s in w["sets"] for d in s] == w["discs"]
    assert all(len(s) == M for s in w["sets"])


# ---- the per-region route falls back on the discs where the spectrum's balls decide nothing ----------------
def test_a_repeated_irrational_spectrum_is_decided_by_discs_per_region():
    """diag(1/3, 1/3, -sqrt(2)/2): the eigenvalue balls cannot isolate the repeated 1/3 of an irrational
    matrix, so every predicate was undecided in auto and certified mode.  The discs of a one-region family
    decide all five, as the eigenvalues known by hand say (-sqrt(2)/2 is simple and negative: no real
    logarithm; 0 and 1 are no eigenvalue), and the verdicts name that method and carry the discs."""
    from plrnn_symbolic.analysis.conditions import DISC_METHOD

    m = PLRNN(A=sp.diag(sp.Rational(1, 3), sp.Rational(1, 3), -sp.sqrt(2) / 2), W=sp.zeros(3, 3), h=[0, 0, 0])
    want = {"invertible": "holds", "principal_log": "fails", "real_log": "fails", "unique_real_log": "fails",
            "eigenvalue_one": "fails"}
    for mode in ("auto", "certified"):
        rc = check(m, mode=mode)["101"]
        assert {p: v.truth.value for p, v in rc.verdicts.items()} == want
        assert all(v.method == DISC_METHOD and len(v.witness["discs"]) == 3 for v in rc.verdicts.values())


def _undecided():
    from plrnn_symbolic.core.truth import UNDECIDED, Verdict
    from plrnn_symbolic.region.predicates import PREDICATES

    return {p: Verdict(p, UNDECIDED) for p in PREDICATES}


@settings(max_examples=40, deadline=None)
@given(plrnns(M=st.integers(1, 4)))
def test_the_per_region_discs_never_contradict_exact(model):
    """Every verdict the one-region discs give agrees with exact arithmetic on every region (the fallback
    is asked as if the spectrum had decided nothing); with each region's discs taken for its mirror
    region (every unit flipped: the wrong matrix, a mutation) some model contradicts exact (below)."""
    from plrnn_symbolic.analysis.conditions import _by_discs

    exact = check(model, mode="exact").statuses()
    for bits, truths in exact.items():
        for p, v in _by_discs(model, bits, _undecided()).items():
            assert v.truth.value in ("undecided", truths[p]), (bits, p)


def test_discs_of_the_wrong_region_are_caught():
    from plrnn_symbolic.analysis.conditions import _by_discs

    m = PLRNN(A=[["0.5", 0], [0, "0.6"]], W=[[0, "-1.9"], ["1.2", 0]], h=[0, 0])
    exact = check(m, mode="exact").statuses()
    flip = {b: "".join("1" if c == "0" else "0" for c in b) for b in exact}
    wrong = [(b, p) for b in exact for p, v in _by_discs(m, flip[b], _undecided()).items()
             if v.truth.value not in ("undecided", exact[b][p])]
    assert wrong
