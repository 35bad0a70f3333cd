"""Benchmark: per-region logarithms against what a user would otherwise call.

    python benchmarks/bench_derive.py

Prints, measured in the same run: certified derivation of a 10 x 10 region at
30 digits (with its rigorous residual bound) vs mpmath.logm at mp.dps = 30; the
float derivation vs scipy.linalg.logm; an exact 2 x 2 derivation with a symbolic
entry vs sympy's Matrix.log on a 2 x 2 rational matrix.
"""

from __future__ import annotations

import os
import sys

import mpmath
import numpy as np
import scipy.linalg
import sympy as sp

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

from _timing import best

from plrnn_symbolic import PLRNN, check, derive_region, region_matrix


def main():
    rng = np.random.default_rng(0)
    M = 10
    A = np.diag(rng.uniform(0.5, 0.95, M))
    W = rng.normal(0, 0.25, (M, M))
    np.fill_diagonal(W, 0)
    m = PLRNN(A, W, rng.normal(0, 0.1, M))
    # a region with a principal log (all eigenvalues off (-inf, 0])
    rep = check(m, mode="certified")
    bits = next(b for b, r in rep.regions.items() if r["principal_log"].status == "holds" and b.count("1") == M) \
        if rep["1" * M]["principal_log"].status == "holds" else \
        next(b for b, r in rep.regions.items() if r["principal_log"].status == "holds")
    H = region_matrix(m, bits)
    v = rep[bits].verdicts
    rows = []
    t_cert, s = best(lambda: derive_region(H, m.h, None, 1, v, "certified", 30))
    Hf = np.array(H.tolist(), dtype=float)
    with mpmath.workdps(30):
        Hm = mpmath.matrix(Hf.tolist())
        t_mp, _ = best(lambda: mpmath.logm(Hm), repeat=1)
    rows.append(("certified 10x10 region, 30 digits (with residual bound)", t_cert, "mpmath.logm, dps=30", t_mp))
    t_fl, _ = best(lambda: derive_region(H, m.h, None, 1, v, "float"))
    t_sc, _ = best(lambda: scipy.linalg.logm(Hf))
    rows.append(("float 10x10 region (L, g, residual)", t_fl, "scipy.linalg.logm (L only)", t_sc))
    a = sp.Symbol("a", positive=True)
    H2 = sp.Matrix([[a, sp.Rational(1, 4)], [-sp.Rational(1, 3), sp.Rational(1, 2)]])
    vv = check(PLRNN(A=H2.subs(a, sp.Rational(3, 4)), W=sp.zeros(2, 2), h=[0, 0]), ["00"])["00"].verdicts
    t_sym, _ = best(lambda: derive_region(H2, sp.Matrix([1, 0]), None, 1, vv, "exact"), repeat=1)
    H2r = H2.subs(a, sp.Rational(3, 4))
    t_sl, _ = best(lambda: H2r.log(), repeat=1)
    rows.append(("exact 2x2 with a symbolic entry (L, g)", t_sym, "sympy Matrix.log, 2x2 rational", t_sl))
    print(f"region {bits}: certified residual |e^L - W| <= {s.residual['exp']:.1e}, "
          f"|phi1(L) g - h| <= {s.residual['affine']:.1e}")
    print(f"{'ours':<58}{'time':>10}   {'baseline':<34}{'time':>10}{'ratio':>9}")
    for name, t, bname, tb in rows:
        print(f"{name:<58}{t * 1e3:>8.1f}ms   {bname:<34}{tb * 1e3:>8.1f}ms{tb / t:>8.1f}x")


if __name__ == "__main__":
    main()
