"""The predicates of THEORY section 3, written once over a :class:`Spectrum`.

=================  ==========================================================  =========================================
name               condition on H = W_Omega                                    statement
=================  ==========================================================  =========================================
invertible         det H != 0                                                  proofs/04_singular_impossible.tex
principal_log      no eigenvalue in (-inf, 0]                                  proofs/01_principal_embedding.tex
real_log           invertible; for every negative eigenvalue each Jordan       proofs/03_negative_eigenvalues_lift.tex
                   block size occurs an even number of times (Culver)
unique_real_log    all eigenvalues positive, and no eigenvalue has two Jordan  proofs/03_negative_eigenvalues_lift.tex
                   blocks of the same size (Culver)                            (Theorem 3.4, Remark 3.5)
eigenvalue_one     1 is an eigenvalue                                          proofs/02_affine_term_zoh.tex
=================  ==========================================================  =========================================

The logic is Kleene's three-valued logic (:mod:`plrnn_symbolic.core.truth`): in
exact mode every fact is decided, so every predicate is; in certified mode a
predicate is undecided only when an enclosure that matters is.
"""

from __future__ import annotations

from collections import Counter

from ..core.truth import FAILS, HOLDS, UNDECIDED, Truth, Verdict, all_of, any_of
from .spectrum import Eigenvalue, Spectrum

PREDICATES = ("invertible", "principal_log", "real_log", "unique_real_log", "eigenvalue_one")


def _blocks_paired(e: Eigenvalue) -> Truth:
    b = e.blocks
    if b is None:
        return UNDECIDED
    return Truth.of(all(b.count(s) % 2 == 0 for s in set(b)))


def _single_block(e: Eigenvalue) -> Truth:
    """No two Jordan blocks of ``e`` have the same size: Culver's uniqueness condition.

    THEORY.md's table says "a single Jordan block", which is sufficient but not
    necessary: J_2(1) + J_1(1) has exactly one real logarithm (proofs/03, Remark 3.5);
    this implements Culver's theorem as he stated it.
    """
    if e.blocks is None:
        return UNDECIDED
    return Truth.of(len(set(e.blocks)) == len(e.blocks))


def unpaired_blocks(e: Eigenvalue) -> list[int]:
    """Block sizes of ``e`` that occur an odd number of times (one of each)."""
    if e.blocks is None:
        return []
    return sorted((s for s, c in Counter(e.blocks).items() if c % 2), reverse=True)


def decide(spectrum: Spectrum) -> dict[str, Verdict]:
    """All five predicates for one region matrix, each with its witness.

    Examples
    --------
    diag(-1, -1): a real logarithm exists (the two 1 x 1 blocks of -1 pair up)
    but not the principal one.

    >>> import flint
    >>> from plrnn_symbolic.region.spectrum import exact_spectrum
    >>> v = decide(exact_spectrum(flint.fmpq_mat([[-1, 0], [0, -1]])))
    >>> v["principal_log"].status, v["real_log"].status, v["unique_real_log"].status
    ('fails', 'holds', 'fails')
    >>> v["real_log"].witness["negative_eigenvalues"][0]["jordan_blocks"]
    [1, 1]
    """
    eigs = spectrum.eigenvalues
    method = spectrum.method
    # each fact once per eigenvalue; the witnesses are built (and each eigenvalue
    # formatted once) only when a verdict's witness is read
    zeros = [e.zero for e in eigs]
    nonpos = [z | e.negative for z, e in zip(zeros, eigs)]
    single = [_single_block(e) for e in eigs]
    not_positive = [~e.positive for e in eigs]
    ones = [e.one for e in eigs]

    zero = any_of(zeros)
    invertible = ~zero
    on_axis = any_of(nonpos)
    real_log = invertible & all_of(~e.negative | _blocks_paired(e) for e in eigs)
    unique = all_of(e.positive & s for e, s in zip(eigs, single))
    one = any_of(ones)

    dicts: dict[int, dict] = {}

    def as_dict(k: int) -> dict:
        if k not in dicts:
            dicts[k] = eigs[k].to_dict()
        return dict(dicts[k])

    def relevant(facts) -> list[dict]:
        return [as_dict(k) for k, t in enumerate(facts) if t is not FAILS]

    def w_real() -> dict:
        return {
            "negative_eigenvalues": [dict(as_dict(k), unpaired_blocks=unpaired_blocks(e))
                                     for k, e in enumerate(eigs) if e.negative is not FAILS],
            "invertible": invertible.value,
        }

    def w_unique() -> dict:
        return {
            "not_positive": relevant(not_positive),
            "repeated_jordan_block_sizes": [as_dict(k) for k, s in enumerate(single) if s is not HOLDS],
        }

    return {
        "invertible": Verdict("invertible", invertible, lambda: {"zero_eigenvalues": relevant(zeros)}, method),
        "principal_log": Verdict("principal_log", ~on_axis,
                                 lambda: {"eigenvalues_on_closed_negative_axis": relevant(nonpos)}, method),
        "real_log": Verdict("real_log", real_log, w_real, method),
        "unique_real_log": Verdict("unique_real_log", unique, w_unique, method),
        "eigenvalue_one": Verdict("eigenvalue_one", one, lambda: {"eigenvalue_one": relevant(ones)}, method),
    }


def all_decided(verdicts: dict[str, Verdict]) -> bool:
    return all(v.truth is not UNDECIDED for v in verdicts.values())


__all__ = ["FAILS", "HOLDS", "PREDICATES", "all_decided", "decide", "unpaired_blocks"]
