"""The ReLU RNN family (THEORY section 8): known answers for each form.

Every form is compared with a PLRNN it must equal, or with an independent
computation written here in sympy / numpy (not the package's code paths).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings

from plrnn_symbolic import PLRNN, check, derive
from plrnn_symbolic.core.errors import InputError
from plrnn_symbolic.model.family import ALRNN, DendPLRNN, ReluRNN, ShallowPLRNN
from plrnn_symbolic.model.regions import cells, region_affine, region_matrix, visited_regions
from plrnn_symbolic.testing import assert_roundtrip, relu_rnns

PREDICATES = ("invertible", "principal_log", "real_log", "unique_real_log", "eigenvalue_one")


def _rational(rng, shape, den=4, spread=3):
    return np.vectorize(lambda x: sp.Rational(int(x), den))(rng.integers(-spread * den, spread * den + 1, shape))


def _statuses(report, name):
    return tuple(report[name][p].status for p in PREDICATES)


def _independent_verdicts(H: sp.Matrix) -> tuple[str, ...]:
    """Culver's conditions from sympy's factorisation of the characteristic polynomial over Q,
    exact real roots (CRootOf) and the ranks of f(H)^k (independent of the package's FLINT route)."""
    x = sp.Symbol("x")
    n = H.rows
    _, factors = sp.factor_list(H.charpoly(x).as_expr(), x)
    inv = pos_all = unique = True
    nonpos = one = False
    neg_ok = True
    for f, m in factors:
        poly = sp.Poly(f, x)
        roots = poly.all_roots()
        real = [r for r in roots if r.is_real]
        if any(r == 0 for r in real):
            inv = False
        if any(r <= 0 for r in real):
            nonpos = True
        if len(real) < len(roots) or any(r <= 0 for r in real):
            pos_all = False
        if any(r == 1 for r in real):
            one = True
        # Jordan blocks of each root of f: blocks of size >= k = (rank f(H)^(k-1) - rank f(H)^k) / deg f
        F = sp.zeros(n, n)
        for c in poly.all_coeffs():
            F = F * H + c * sp.eye(n)
        ranks = [n] + [(F ** k).rank() for k in range(1, m + 1)]
        at_least = [(ranks[k - 1] - ranks[k]) // poly.degree() for k in range(1, m + 1)] + [0]
        sizes = {k: at_least[k - 1] - at_least[k] for k in range(1, m + 1)}
        if at_least[0] != 1:       # more than one Jordan block for each root of f
            unique = False
        if any(r < 0 for r in real) and any(count % 2 for count in sizes.values()):
            neg_ok = False
    return tuple("holds" if b else "fails" for b in (inv, inv and not nonpos, inv and neg_ok, pos_all and unique, one))


# ---- ALRNN == PLRNN with the linear units always active ------------------------------------------
@pytest.mark.parametrize("seed", range(3))
def test_alrnn_equals_plrnn_with_linear_units_active(seed):
    rng = np.random.default_rng(seed)
    M, P = 4, 2
    A, W, h = _rational(rng, M), _rational(rng, (M, M)), _rational(rng, M)
    al = ALRNN(A, W, h, P)
    pl = PLRNN(np.diag(A), W, h)
    names, skipped = cells(al)
    assert skipped == 0 and len(names) == 2**P
    for bits in names:
        H, hh = region_affine(al, bits)
        assert H == region_matrix(pl, "1" * (M - P) + bits) and hh == pl.h
    ra, rp = check(al, mode="exact"), check(pl, ["11" + b for b in names], mode="exact")
    for bits in names:
        assert _statuses(ra, bits) == _statuses(rp, "11" + bits)
    da, dp = derive(al, mode="exact"), derive(pl, ["11" + b for b in names], mode="exact")
    for bits in names:
        assert da[bits].status == dp["11" + bits].status
        if da[bits].derived:
            np.testing.assert_allclose(da[bits].L, dp["11" + bits].L, atol=1e-12)
            np.testing.assert_allclose(da[bits].g, dp["11" + bits].g, atol=1e-12)


def test_alrnn_region_of_and_step():
    al = ALRNN([0.5, 0.5, 0.5], [[0, 1, -1], [1, 0, 1], [0.5, 0, 0]], [0, 0.1, 0], P=2)
    z = np.array([-1.0, 2.0, -3.0])
    assert al.region_of(z) == "10"
    want = 0.5 * z + np.array([[0, 1, -1], [1, 0, 1], [0.5, 0, 0]]) @ np.array([-1.0, 2.0, 0.0]) + [0, 0.1, 0]
    np.testing.assert_allclose(al.step(z), want)
    with pytest.raises(InputError):
        ALRNN([0.5], [[0]], [0], P=2)


# ---- dendritic PLRNN with one basis == PLRNN with shifted thresholds ---------------------------
@pytest.mark.parametrize("seed", range(3))
def test_dendritic_one_basis_is_shifted_plrnn(seed):
    rng = np.random.default_rng(10 + seed)
    M = 3
    A, W, h0, theta = _rational(rng, M), _rational(rng, (M, M)), _rational(rng, M), _rational(rng, M)
    a = sp.Rational(3, 2)
    dend = DendPLRNN(A, W, h0, [a], theta.reshape(M, 1))
    # y = z - theta: y_t = A y + a W relu(y) + (A theta + h0 - theta)
    shift = sp.Matrix(theta)
    pl = PLRNN(np.diag(A), sp.Matrix(W) * a, sp.Matrix(h0) + sp.diag(*A) * shift - shift)
    names, skipped = cells(dend)
    assert skipped == 0 and sorted(names) == sorted("".join(t) for t in itertools.product("01", repeat=M))
    for bits in names:
        H, hh = region_affine(dend, bits)
        assert H == region_matrix(pl, bits)
        # the PLRNN's affine map in z = y + theta coordinates
        assert hh == pl.h - H * shift + shift
    rd, rp = check(dend, mode="exact"), check(pl, mode="exact")
    for bits in names:
        assert _statuses(rd, bits) == _statuses(rp, bits)
    dd, dp = derive(dend, mode="exact"), derive(pl, mode="exact")
    th = np.array(theta, dtype=float)
    for bits in names:
        if dd[bits].derived and dd[bits].dimension == M:
            np.testing.assert_allclose(dd[bits].L, dp[bits].L, atol=1e-12)
            np.testing.assert_allclose(dd[bits].g, dp[bits].g - dp[bits].L @ th, atol=1e-10)
    z = np.array([0.3, -0.2, 1.1])
    np.testing.assert_allclose(dend.trajectory(z, 20), pl.trajectory(z - th, 20) + th, atol=1e-9)


def test_dendritic_region_names_and_tied_thresholds():
    m = DendPLRNN([0.5, 0.5], [[0, 1], [1, 0]], [0, 0], [1, -1], [[0, 1], [2, 2]])
    assert m.region_of([0.5, 3]) == "12" and m.region_of([-1, 1]) == "00"
    names, skipped = cells(m)
    # unit 2's thresholds are tied: it passes none or both, so count 1 is an empty cell
    assert skipped == 3 and not any(n[1] == "1" for n in names) and len(names) == 6
    clipped = DendPLRNN([0.5, 0.5], [[0, 1], [1, 0]], [0, 0], [1, -1], [[-1, 1], [2, 3]], clipped=True)
    assert clipped.L == 6 and cells(clipped) == (sorted(clipped.candidate_regions(), reverse=True), 0)
    # the clipped form is W sum_b alpha_b (relu(z - h_b) - relu(z))
    z = np.array([0.7, 2.5])
    want = 0.5 * z + np.array([[0, 1], [1, 0]]) @ sum(
        a * (np.maximum(z - np.array(hb), 0) - np.maximum(z, 0)) for a, hb in ((1, [-1, 2]), (-1, [1, 3])))
    np.testing.assert_allclose(clipped.step(z), want)
    assert clipped.region_of(z) == "22"  # unit 1 passed -1 and 0, unit 2 passed 0 and 2


# ---- shallow PLRNN with W2 = I == PLRNN ----------------------------------------------------------
@pytest.mark.parametrize("seed", range(3))
def test_shallow_with_identity_is_plrnn(seed):
    rng = np.random.default_rng(20 + seed)
    M = 3
    A, W1, h1 = _rational(rng, M), _rational(rng, (M, M)), _rational(rng, M)
    sh = ShallowPLRNN(A, W1, np.eye(M, dtype=int), h1, np.zeros(M, dtype=int))
    pl = PLRNN(np.diag(A), W1, h1)
    assert cells(sh) == cells(pl)
    for mode in ("exact", "auto", "float"):
        rs, rp = check(sh, mode=mode), check(pl, mode=mode)
        assert all(_statuses(rs, b) == _statuses(rp, b) for b in cells(pl)[0])
    ds, dp = derive(sh, mode="auto"), derive(pl, mode="auto")
    for b in cells(pl)[0]:
        assert ds[b].status == dp[b].status
        if ds[b].derived:
            np.testing.assert_allclose(ds[b].L, dp[b].L, atol=1e-12)
            np.testing.assert_allclose(ds[b].g, dp[b].g, atol=1e-12)
    z = rng.normal(size=M)
    np.testing.assert_allclose(sh.trajectory(z, 30), pl.trajectory(z, 30))


# ---- shallow PLRNN with L > M: known empty cells ------------------------------------------------
@pytest.mark.parametrize(("W2", "h2", "empty"), [
    # three lines through the origin: z1 > 0, z2 > 0 forces z1 + z2 > 0, and the reverse
    ([[1, 0], [0, 1], [1, 1]], [0, 0, 0], {"110", "001"}),
    # lines z1 = 0, z2 = 0, z1 + z2 = 1 in general position: 7 cells, only (0, 0, 1) empty
    ([[1, 0], [0, 1], [1, 1]], [0, 0, -1], {"001"}),
    # parallel lines z1 = 0 and z1 = 1: z1 <= 0 and z1 > 1 is empty
    ([[1, 0], [1, 0]], [0, -1], {"01"}),
    # four lines, the fourth a multiple of the first: equal patterns on rows 1 and 4
    ([[1, 0], [0, 1], [1, 1], [2, 0]], [0, 0, 0, 0],
     {"".join(t) for t in itertools.product("01", repeat=4)} - {"1111", "1011", "1001", "0110", "0100", "0000"}),
])
def test_shallow_empty_cells_known(W2, h2, empty):
    L = len(W2)
    sh = ShallowPLRNN([0.5, 0.5], np.ones((2, L), dtype=int), W2, [0, 0], h2)
    names, skipped = cells(sh)
    everything = {"".join(t) for t in itertools.product("01", repeat=L)}
    assert set(names) == everything - empty and skipped == len(empty)
    # dense sampling never lands in a skipped cell and finds every kept one
    rng = np.random.default_rng(0)
    seen = {sh.region_of(z) for z in rng.normal(scale=3, size=(20000, 2))}
    assert seen <= set(names)
    assert seen == set(names)
    r = check(sh, mode="exact")
    assert any("empty cells skipped" in n for n in r.notes) and set(r.regions) == set(names)


def test_shallow_clipped_and_general_checks_agree_with_independent_jordan():
    rng = np.random.default_rng(5)
    M, L = 3, 4
    sh = ShallowPLRNN(_rational(rng, M), _rational(rng, (M, L)), _rational(rng, (L, M)), _rational(rng, M),
                      _rational(rng, L), clipped=True)
    assert sh.L == 2 * L
    names, skipped = cells(sh)
    assert skipped > 0 and len(names) + skipped == 2 ** (2 * L)
    exact = check(sh, mode="exact")
    auto = check(sh, mode="auto")
    for b in names[:40]:
        H = region_matrix(sh, b)
        assert _statuses(exact, b) == _independent_verdicts(sp.Matrix(H))
        assert _statuses(auto, b) == _statuses(exact, b)
    # the clipped step: W1 (relu(W2 z + h2) - relu(W2 z))
    n = sh.numeric
    z = rng.normal(size=M)
    W1, W2, h2 = (np.array(sh.W1_, dtype=float), np.array(sh.W2_, dtype=float), np.array(sh.h2_, dtype=float).ravel())
    want = n.A @ z + W1 @ (np.maximum(W2 @ z + h2, 0) - np.maximum(W2 @ z, 0)) + n.h1
    np.testing.assert_allclose(sh.step(z), want)


def test_region_matrices_by_a_float_jacobian():
    """W_Omega is the Jacobian of the map inside the cell: a finite difference at a sampled point."""
    rng = np.random.default_rng(7)
    sh = ShallowPLRNN(rng.normal(size=3), rng.normal(size=(3, 5)), rng.normal(size=(5, 3)), rng.normal(size=3),
                      rng.normal(size=5))
    for z in rng.normal(size=(30, 3)):
        name = sh.region_of(z)
        H, hh = (np.array(x, dtype=float) for x in region_affine(sh, name))
        np.testing.assert_allclose(sh.step(z), H @ z + hh.ravel(), atol=1e-12)


def test_visited_regions_every_form():
    sh = ShallowPLRNN([0.9, 0.9], [[0.5, -0.5, 0.2], [0.3, 0.1, -0.4]], [[1, 0], [0, 1], [1, 1]], [0.1, -0.1],
                      [0, 0.2, -0.1])
    v = visited_regions(sh, [1.0, -1.0], steps=50)
    assert v[0] == sh.region_of([1.0, -1.0]) and set(v) <= set(cells(sh)[0])
    r = check(sh, "visited", z0=[1.0, -1.0], steps=50)
    assert list(r.regions) == v


def test_general_form_validates_shapes():
    with pytest.raises(InputError, match="W2"):
        ReluRNN(np.eye(2), np.ones((2, 3)), np.ones((2, 2)), [0, 0], [0, 0, 0])
    with pytest.raises(InputError, match="region"):
        ShallowPLRNN([0.5], [[1, 1]], [[1], [1]], [0], [0, 1]).pattern("1")


# ---- every form through the public strategies and assertions ------------------------------------
@settings(max_examples=15)
@given(relu_rnns())
def test_every_form_round_trips_and_its_sweep_matches_sampling(model):
    assert_roundtrip(model, mode="float", atol=1e-8)
    names, skipped = cells(model)
    assert len(names) + skipped == model.n_candidates
    # every state lies in a kept cell, and the region map there is the step
    rng = np.random.default_rng(0)
    for z in rng.normal(scale=2, size=(200, model.M)):
        name = model.region_of(z)
        assert name in names
        H, hh = (np.array(x, dtype=float) for x in region_affine(model, name))
        np.testing.assert_allclose(model.step(z), H @ z + hh.ravel(), atol=1e-12)
    exact, auto = check(model, mode="exact"), check(model, mode="auto")
    assert all(_statuses(exact, b) == _statuses(auto, b) for b in names)


def test_cells_of_lines_in_general_position_are_counted_and_found_by_probing():
    """L lines in general position cut the plane into 1 + L + C(L, 2) cells; probing around every
    intersection point and far out in every direction finds each of them (an independent route)."""
    rng = np.random.default_rng(3)
    L = 7
    W2, h2 = _rational(rng, (L, 2), den=7, spread=2), _rational(rng, L, den=5, spread=2)
    sh = ShallowPLRNN([0.5, 0.5], np.ones((2, L), dtype=int), W2, [0, 0], h2)
    names, skipped = cells(sh)
    assert len(names) == 1 + L + L * (L - 1) // 2 and skipped == 2**L - len(names)
    Wf, hf = np.array(W2, dtype=float), np.array(h2, dtype=float)
    angles = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    ring = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    probes = [1e6 * ring]
    for i, j in itertools.combinations(range(L), 2):
        p = np.linalg.solve(Wf[[i, j]], -hf[[i, j]])
        probes.append(p + 1e-6 * ring)
    found = {sh.region_of(z) for z in np.vstack(probes)}
    assert found == set(names)
