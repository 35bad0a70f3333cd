"""Conditions as expressions in the parameters, for models with M <= 2
(issue: "see the parameter region where the theorem applies").

For a 2 x 2 region matrix with trace tau, determinant delta and discriminant
tau^2 - 4 delta, the predicates of THEORY section 3 are Boolean combinations of
polynomial (in)equalities in the entries:

* invertible: delta != 0;
* principal_log: delta > 0 and (tau > 0 or tau^2 < 4 delta) (a complex pair, or two
  positive eigenvalues);
* real_log: principal_log, or H = lambda I with lambda < 0 (two 1 x 1 blocks pair up);
* unique_real_log: tau^2 >= 4 delta, delta > 0, tau > 0 and H is not a multiple of I;
* eigenvalue_one: 1 - tau + delta = 0.

Derivations: proofs/01_principal_embedding.tex and proofs/03_negative_eigenvalues_lift.tex.
"""

from __future__ import annotations

import sympy as sp

from ..core.errors import InputError
from ..core.truth import FAILS, HOLDS, UNDECIDED, Verdict


def conditions(H: sp.MatrixBase) -> dict[str, sp.Basic]:
    """The five predicates of a 1 x 1 or 2 x 2 matrix as sympy Boolean expressions.

    >>> a = sp.Symbol("a", real=True)
    >>> conditions(sp.Matrix([[a, 0], [0, sp.Rational(1, 2)]]))["invertible"]
    Ne(a/2, 0)
    >>> decide_symbolic(sp.Matrix([[a, 1], [0, sp.Rational(1, 2)]]))["principal_log"].condition
    0 < a
    """
    if H.rows == 1:
        a = H[0, 0]
        return {"invertible": sp.Ne(a, 0), "principal_log": a > 0, "real_log": a > 0,
                "unique_real_log": a > 0, "eigenvalue_one": sp.Eq(a, 1)}
    if H.rows != 2:
        raise InputError(f"conditions in symbolic parameters are available for M <= 2, not M = {H.rows}")
    a, b, c, d = H
    tau, delta = sp.expand(a + d), sp.expand(a * d - b * c)
    disc = sp.expand(tau**2 - 4 * delta)
    scalar = sp.And(sp.Eq(b, 0), sp.Eq(c, 0), sp.Eq(a, d))
    principal = sp.And(delta > 0, sp.Or(tau > 0, disc < 0))
    return {
        "invertible": sp.Ne(delta, 0),
        "principal_log": principal,
        "real_log": sp.Or(principal, sp.And(scalar, a < 0)),
        "unique_real_log": sp.And(disc >= 0, delta > 0, tau > 0, sp.Not(scalar)),
        "eigenvalue_one": sp.Eq(1 - tau + delta, 0),
    }


def _simplify(cond):
    """Exact simplification: with one parameter, the condition's solution set."""
    if isinstance(cond, (bool, sp.logic.boolalg.BooleanAtom)):
        return cond
    syms = cond.free_symbols
    if len(syms) == 1:
        (x,) = syms
        try:
            return cond.as_set().as_relational(x)
        except (NotImplementedError, TypeError, ValueError):
            return cond
    return cond


def decide_symbolic(H: sp.MatrixBase) -> dict[str, Verdict]:
    """Verdicts whose truth is decided when the condition reduces to True/False,
    and otherwise undecided with the condition attached."""
    out = {}
    for name, cond in conditions(H).items():
        cond = _simplify(cond)
        truth = HOLDS if cond is sp.true or cond is True else FAILS if cond is sp.false or cond is False else UNDECIDED
        out[name] = Verdict(name, truth, {"matrix": str(H.tolist())}, "symbolic", condition=cond)
    return out


__all__ = ["conditions", "decide_symbolic"]
