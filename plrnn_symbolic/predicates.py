"""The predicates of THEORY section 3, written once over a :class:`Spectrum`.

=================  ==========================================================  =========================================
name               condition on H = W_Omega                                    statement
=================  ==========================================================  =========================================
invertible         det H != 0                                                  proofs/04_singular_impossible.tex
principal_log      no eigenvalue in (-inf, 0]                                  proofs/01_principal_embedding.tex
real_log           invertible; for every negative eigenvalue each Jordan       proofs/03_negative_eigenvalues_lift.tex
                   block size occurs an even number of times (Culver)
unique_real_log    all eigenvalues positive, each with a single Jordan block   proofs/03_negative_eigenvalues_lift.tex
eigenvalue_one     1 is an eigenvalue                                          proofs/02_affine_term_zoh.tex
=================  ==========================================================  =========================================

The logic is Kleene's three-valued logic (:mod:`plrnn_symbolic.truth`): in
exact mode every fact is decided, so every predicate is; in certified mode a
predicate is undecided only when an enclosure that matters is.
"""

from __future__ import annotations

from collections import Counter

from .spectrum import Eigenvalue, Spectrum
from .truth import FAILS, HOLDS, UNDECIDED, Truth, Verdict, all_of, any_of

PREDICATES = ("invertible", "principal_log", "real_log", "unique_real_log", "eigenvalue_one")


def _blocks_paired(e: Eigenvalue) -> Truth:
    if e.blocks is None:
        return UNDECIDED
    return Truth.of(all(c % 2 == 0 for c in Counter(e.blocks).values()))


def _single_block(e: Eigenvalue) -> Truth:
    if e.blocks is None:
        return UNDECIDED
    return Truth.of(len(e.blocks) == 1)


def unpaired_blocks(e: Eigenvalue) -> list[int]:
    """Block sizes of ``e`` that occur an odd number of times (one of each)."""
    if e.blocks is None:
        return []
    return sorted((s for s, c in Counter(e.blocks).items() if c % 2), reverse=True)


def _relevant(eigs, fact) -> list[dict]:
    return [e.to_dict() for e in eigs if fact(e) is not FAILS]


def decide(spectrum: Spectrum) -> dict[str, Verdict]:
    """All five predicates for one region matrix, each with its witness.

    Examples
    --------
    diag(-1, -1): a real logarithm exists (the two 1 x 1 blocks of -1 pair up)
    but not the principal one.

    >>> import flint
    >>> from plrnn_symbolic.spectrum import exact_spectrum
    >>> v = decide(exact_spectrum(flint.fmpq_mat([[-1, 0], [0, -1]])))
    >>> v["principal_log"].status, v["real_log"].status, v["unique_real_log"].status
    ('fails', 'holds', 'fails')
    >>> v["real_log"].witness["negative_eigenvalues"][0]["jordan_blocks"]
    [1, 1]
    """
    eigs = spectrum.eigenvalues
    method = spectrum.method

    zero = any_of(e.zero for e in eigs)
    invertible = ~zero
    w_inv = {"zero_eigenvalues": _relevant(eigs, lambda e: e.zero)}

    on_axis = any_of(e.nonpositive for e in eigs)
    w_principal = {"eigenvalues_on_closed_negative_axis": _relevant(eigs, lambda e: e.nonpositive)}

    culver = all_of(~e.negative | _blocks_paired(e) for e in eigs)
    real_log = invertible & culver
    negatives = [e for e in eigs if e.negative is not FAILS]
    w_real = {
        "negative_eigenvalues": [dict(e.to_dict(), unpaired_blocks=unpaired_blocks(e)) for e in negatives],
        "invertible": invertible.value,
    }

    unique = all_of(e.positive & _single_block(e) for e in eigs)
    w_unique = {
        "not_positive": _relevant(eigs, lambda e: ~e.positive),
        "several_jordan_blocks": [e.to_dict() for e in eigs if _single_block(e) is not HOLDS],
    }

    one = any_of(e.one for e in eigs)
    w_one = {"eigenvalue_one": _relevant(eigs, lambda e: e.one)}

    verdicts = {
        "invertible": Verdict("invertible", invertible, w_inv, method),
        "principal_log": Verdict("principal_log", ~on_axis, w_principal, method),
        "real_log": Verdict("real_log", real_log, w_real, method),
        "unique_real_log": Verdict("unique_real_log", unique, w_unique, method),
        "eigenvalue_one": Verdict("eigenvalue_one", one, w_one, method),
    }
    return verdicts


def all_decided(verdicts: dict[str, Verdict]) -> bool:
    return all(v.truth is not UNDECIDED for v in verdicts.values())


__all__ = ["PREDICATES", "decide", "all_decided", "unpaired_blocks", "HOLDS", "FAILS"]
