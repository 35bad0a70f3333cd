"""The one real logarithm run in two number domains, and the domains' linear algebra of affine maps.

Independent routes that must agree: the same algorithm in balls and in floats; each against
scipy's exponential; exact and float solutions of affine systems and stability; and the one
place where the domains must differ: floats pair numerically equal negative eigenvalues by a
tolerance, balls never pair eigenvalues they cannot prove equal.
"""

import flint
import numpy as np
import pytest
import scipy.linalg
import sympy as sp
from hypothesis import assume, given
from hypothesis import strategies as st

from plrnn_symbolic.core.domains import (
    BallDomain,
    DomainError,
    ExactDomain,
    FloatDomain,
    NotCertified,
    float_matrix,
    fmpq_matrix,
)
from plrnn_symbolic.region.reallog import principal_logarithm, real_logarithm
from plrnn_symbolic.testing import small_rationals


def mid(X: flint.arb_mat) -> np.ndarray:
    return np.array([[float(X[i, j].mid()) for j in range(X.ncols())] for i in range(X.nrows())])


rational_matrices = st.integers(1, 4).flatmap(
    lambda n: st.lists(small_rationals(), min_size=n * n, max_size=n * n).map(
        lambda xs: sp.Matrix(n, n, [sp.Rational(x.numerator, x.denominator) for x in xs])))


@given(rational_matrices)
def test_ball_and_float_domains_give_the_same_logarithm(H):
    """Where both domains build it, the same algorithm gives the same X: the float one within
    1e-8 of the ball midpoints, with the same negative eigenvalues paired and lifted, and each
    X an exact logarithm of diag(H, lifted eigenvalues) (scipy's expm as the judge)."""
    try:
        ball = real_logarithm(H, BallDomain(128))
    except NotCertified:
        return
    Hf = float_matrix(H)
    try:
        fl = real_logarithm(Hf, FloatDomain())
    except DomainError:
        return
    assume(not ball.paired)    # pairs: any rotation of the eigenspace is a real log (no unique X)
    assert sorted(v.real for v in fl.lifted) == pytest.approx(sorted(v.real for v in ball.lifted)) and not fl.paired
    Xb, n = mid(ball.X), H.rows
    scale = max(1.0, np.abs(Xb).max())
    # the lifted coordinates may come in another order; the block on the original ones may not differ
    assert np.abs(fl.X[:n, :n] - Xb[:n, :n]).max() <= 1e-8 * scale * max(1.0, np.linalg.cond(np.linalg.eig(Hf)[1]))
    target = mid(ball.htilde)
    for X, Ht in ((fl.X, fl.htilde), (Xb, target)):
        assert np.abs(scipy.linalg.expm(X) - Ht).max() <= 1e-8 * max(1.0, np.abs(Ht).max())


def test_beta_through_the_basis_agrees_with_phi1():
    """beta(X) T in balls (through the eigenbasis) and in floats (phi1(X)^-1 T from one exponential)."""
    H = sp.Matrix([[sp.Rational(1, 2), 1, 0], [0, -sp.Rational(1, 3), 1], [1, 0, 2]])
    T = sp.Matrix([[1], [2], [-1]])
    ball = real_logarithm(H, BallDomain(128))
    fl = real_logarithm(float_matrix(H), FloatDomain())
    N = ball.X.nrows()
    with BallDomain(128).working():
        Tb = flint.arb_mat(N, 1, [float(T[i, 0]) if i < 3 else 0 for i in range(N)])
        Ub = mid(ball.beta_apply(Tb))
    Tf = np.zeros((N, 1))
    Tf[:3, 0] = float_matrix(T).ravel()
    np.testing.assert_allclose(fl.beta_apply(Tf), Ub, atol=1e-12)


def test_floats_pair_what_balls_cannot_prove_equal():
    """Two negative eigenvalues 1e-13 apart: the float domain's tolerance counts them as equal and
    pairs them (a float candidate); balls prove them distinct and lift each one, never pairing."""
    S = sp.Matrix([[1, 2], [1, 3]])
    H = S * sp.diag(-1, -1 - sp.Rational(1, 10**13)) * S.inv()
    fl = real_logarithm(float_matrix(H), FloatDomain())
    assert [k for _, k in fl.paired] == [1] and not fl.lifted
    ball = real_logarithm(H, BallDomain(128))
    assert not ball.paired and len(ball.lifted) == 2


def test_equal_exact_negative_eigenvalues_are_paired_in_both_domains():
    H = sp.Matrix([[-2, 0, 1], [0, -2, 1], [0, 0, 3]])   # columns 1, 2: exact eigenvectors for -2, -2
    for dom, Hd in ((BallDomain(128), H), (FloatDomain(), float_matrix(H))):
        r = real_logarithm(Hd, dom)
        assert [k for _, k in r.paired] == [1] and not r.lifted
        X = mid(r.X) if dom.name != "float" else r.X
        np.testing.assert_allclose(scipy.linalg.expm(X), float_matrix(H), atol=1e-12)


def test_float_domain_says_what_it_cannot_decide():
    with pytest.raises(DomainError, match="numerically singular"):
        real_logarithm(np.diag([1e-12, 1.0]), FloatDomain())
    with pytest.raises(DomainError, match="ill-conditioned"):
        real_logarithm(np.array([[2.0, 1.0], [0.0, 2.0]]), FloatDomain())
    # the principal logarithm of a Jordan block has no eigenbasis: scipy's logm, and it says so
    r = principal_logarithm(np.array([[2.0, 1.0], [0.0, 2.0]]), FloatDomain())
    assert r.route.startswith("logm")
    np.testing.assert_allclose(scipy.linalg.expm(r.X), [[2.0, 1.0], [0.0, 2.0]], atol=1e-12)
    with pytest.raises(NotCertified):   # balls never isolate a repeated eigenvalue of the enclosed block
        real_logarithm(sp.Matrix([[2, 1], [0, 2]]).T, BallDomain(128))


@given(st.integers(1, 4).flatmap(lambda n: st.tuples(
    st.lists(small_rationals(), min_size=n * n, max_size=n * n), st.lists(small_rationals(), min_size=n, max_size=n),
    st.lists(st.integers(0, 1), min_size=n, max_size=n))))
def test_exact_and_float_affine_algebra_agree(drawn):
    """Fixed points' linear algebra: K z = b solved over Q and in floats (with a rank-deficient K
    made by zeroing rows), and spectral radius below one, decided exactly and with a tolerance."""
    entries, rhs, zero_rows = drawn
    n = len(rhs)
    K = sp.Matrix(n, n, [sp.Rational(x.numerator, x.denominator) for x in entries])
    b = sp.Matrix(n, 1, [sp.Rational(x.numerator, x.denominator) for x in rhs])
    for i, z in enumerate(zero_rows):
        if z and i:
            K[i, :] = K[0, :]
            b[i] = b[0]
    ex, fl = ExactDomain(), FloatDomain()
    Kq, bq = fmpq_matrix(K), fmpq_matrix(b)
    Kf, bf = float_matrix(K), float_matrix(b)
    assume(np.linalg.cond(Kf) < 1e6 or np.linalg.matrix_rank(Kf) < n)
    se, sf = ex.affine_solve(Kq, bq), fl.affine_solve(Kf, bf)
    assert (se is None) == (sf is None)
    if se is not None:
        assert (0 if se[1] is None else se[1].ncols()) == (0 if sf[1] is None else sf[1].shape[1])
        assert Kq * se[0] == bq
        np.testing.assert_allclose(Kf @ sf[0], bf, atol=1e-8)
    rho = np.abs(np.linalg.eigvals(Kf)).max()
    assume(abs(rho - 1) > 1e-6)
    assert ex.stable(Kq) == fl.stable(Kf) == bool(rho < 1)
