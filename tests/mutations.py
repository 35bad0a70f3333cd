"""Known-wrong mathematics, injected on request, to show the suite catches it.

``PLRNN_MUTATION=<name> python -m pytest ...`` applies one mutation for the whole
session (tests/conftest.py calls :func:`apply`).  ``python tests/mutation_check.py``
runs the suite once per mutation and reports whether each was caught.
"""

from __future__ import annotations

import cmath
import math

import numpy as np
import scipy.linalg


def _real_part_log():
    """The authors' code: L = Re(logm(H)), no lift, whatever the spectrum."""
    import plrnn_symbolic.analysis.transform as tr
    from plrnn_symbolic.core.domains import FloatDomain
    from plrnn_symbolic.region.reallog import RealLogarithm

    original = tr.real_logarithm

    def real_part(H, domain=None, **kw):
        if isinstance(domain, FloatDomain):
            return RealLogarithm(np.real(scipy.linalg.logm(H)), np.asarray(H, dtype=float), domain=domain)
        return original(H, domain, **kw)

    tr.real_logarithm = real_part


def _wrong_branch():
    """log(lambda) + 2 pi i sign(Im lambda) on complex eigenvalues: still a real logarithm, not the principal one."""
    from plrnn_symbolic.core.domains import FloatDomain

    def log(self, z):
        z = complex(z)
        return cmath.log(z) + (2j * math.pi * np.sign(z.imag) if abs(z.imag) > 1e-12 else 0)

    FloatDomain.log = log


def _no_beta():
    """g = h / dt: the beta (zero-order-hold) factor dropped."""
    from plrnn_symbolic.core.domains import FloatDomain

    FloatDomain.phi1_solve = staticmethod(lambda X, rhs: np.asarray(rhs, dtype=float))


def _batch_no_beta():
    """The batched float route with g = h / dt: beta(log lambda) replaced by 1."""
    import plrnn_symbolic.region.floatderive as fd

    fd.beta_of_eigenvalues = lambda lam: np.ones_like(np.asarray(lam, dtype=complex))


def _dropped_jordan_block():
    """The smallest Jordan block of a repeated factor is lost."""
    import plrnn_symbolic.region.spectrum as spm

    original = spm.exact_jordan_blocks

    def dropped(H, p, m):
        b = original(H, p, m)
        return b[:-1] if len(b) > 1 else b

    spm.exact_jordan_blocks = dropped


def _near_axis_as_real():
    """The certified route calls an eigenvalue real when its imaginary part is tiny (a tolerance
    instead of a proof): a complex pair at arg pi - 1e-20 becomes two negative eigenvalues."""
    import plrnn_symbolic.core.domains as cl

    proved = cl.proved_real

    def tolerant(lam, k):
        return True if abs(float(lam[k].imag.mid())) < 1e-12 else proved(lam, k)

    cl.proved_real = tolerant


MUTATIONS = {
    "near_axis_as_real": _near_axis_as_real,
    "real_part_log": _real_part_log,
    "wrong_branch": _wrong_branch,
    "no_beta": _no_beta,
    "batch_no_beta": _batch_no_beta,
    "dropped_jordan_block": _dropped_jordan_block,
}


def apply(name: str) -> None:
    if name not in MUTATIONS:
        raise SystemExit(f"unknown mutation {name!r}: choose from {', '.join(MUTATIONS)}")
    MUTATIONS[name]()
