"""Benchmark of ``check_families``: whole families of regions decided by one certified enclosure.

    python benchmarks/bench_families.py            # about a minute
    python benchmarks/bench_families.py --json bench.json

Measurements, all taken in the same run (``time.perf_counter``, best of a few repeats):

1. contractive 40-unit models, all 2^40 regions: ``check_families`` against the exhaustive sweep a
   user would otherwise run, whose time is extrapolated from a timed random sample of regions (the
   per-region ``auto`` check, and a bare batched ``numpy.linalg.eigvals`` that decides nothing);
   (a) weakly coupled, a_ii spread over (0, 1): all five predicates; (b) diagonally dominant rows
   (sum_j |w_ij| < 0.9 a_ii, the ``plrnns(condition="principal_log")`` construction): invertible,
   principal_log and real_log;
2. the trained 10-unit models ``vdp_trained`` and ``lorenz_trained``: ``check_families`` against the
   exhaustive ``check(model, "all")`` (both ``auto``), the verdict counts compared, and the share of
   regions each predicate's certificates covered.

No thresholds: the figures are printed (and written with ``--json``), not judged.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import best

from plrnn_symbolic import PLRNN, check, example
from plrnn_symbolic.analysis.families import check_families

SPECTRAL = ("invertible", "principal_log", "real_log")


def weakly_coupled(M: int, seed: int = 0) -> PLRNN:
    rng = np.random.default_rng(seed)
    W = rng.uniform(-1, 1, (M, M)) * 5e-4
    np.fill_diagonal(W, 0)
    return PLRNN(np.diag(np.linspace(0.05, 0.95, M)), W, np.zeros(M), name=f"weakly coupled, M = {M}")


def diagonally_dominant(M: int, seed: int = 1) -> PLRNN:
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.2, 0.95, M)
    W = rng.uniform(-1, 1, (M, M))
    np.fill_diagonal(W, 0)
    W = W / np.abs(W).sum(axis=1, keepdims=True) * (0.9 * a[:, None])
    return PLRNN(np.diag(a), W, np.zeros(M), name=f"diagonally dominant, M = {M}")


def per_region_seconds(model: PLRNN, sample: int = 64, seed: int = 2) -> tuple[float, float]:
    """Seconds per region of the exhaustive route: the auto check, and bare batched eigvals."""
    rng = np.random.default_rng(seed)
    names = sorted({"".join(rng.choice(["0", "1"], model.M)) for _ in range(sample)})
    t_auto, _ = best(lambda: check(model, names, "auto", workers=1), repeat=1)
    from plrnn_symbolic.model.regions import RegionMatrices

    mats = RegionMatrices(model)
    big = names * (4096 // len(names) + 1)
    H = mats.float_batch(big)
    t_eig, _ = best(lambda: np.linalg.eigvals(H), repeat=3)
    return t_auto / len(names), t_eig / len(big)


def years(seconds: float) -> str:
    return f"{seconds / 3.156e7:.3g} years" if seconds > 3.156e7 else f"{seconds:.3g} s"


def contractive(results: dict) -> None:
    print("1. contractive 40-unit models, all 2^40 = 1,099,511,627,776 regions")
    for model, predicates in ((weakly_coupled(40), None), (diagonally_dominant(40), SPECTRAL)):
        kwargs = {} if predicates is None else {"predicates": predicates}
        t, rep = best(lambda m=model, kw=kwargs: check_families(m, **kw), repeat=3)
        auto, eig = per_region_seconds(model)
        n = 2**40
        asked = predicates or "all five"
        covered = min(rep.coverage().values())
        print(f"  {model.name} ({asked}): {t:.3f} s, {len(rep.certificates)} certificate(s), "
              f"{covered:,} regions covered for every predicate asked, {len(rep.opened)} enumerated")
        print(f"    exhaustive auto sweep (extrapolated from a timed sample): {years(auto * n)}; "
              f"ratio {auto * n / t:.3g}x")
        print(f"    bare batched numpy eigvals of every region matrix (decides nothing): {years(eig * n)}; "
              f"ratio {eig * n / t:.3g}x")
        results[model.name] = {"seconds": t, "certificates": len(rep.certificates), "enumerated": len(rep.opened),
                               "covered": rep.coverage(), "auto_seconds_per_region": auto,
                               "eigvals_seconds_per_region": eig}


def trained(results: dict) -> None:
    print("\n2. trained 10-unit models, all 1024 regions (mode auto, one process)")
    for name in ("vdp_trained", "lorenz_trained"):
        model = example(name)
        t_fam, rep = best(lambda m=model: check_families(m, workers=1), repeat=2)
        t_all, full = best(lambda m=model: check(m, "all", workers=1), repeat=2)
        same = rep.summary() == full.summary()
        share = {p: v / rep.regions for p, v in rep.coverage().items()}
        print(f"  {name}: families {t_fam:.2f} s, exhaustive sweep {t_all:.2f} s (ratio {t_all / t_fam:.2f}x); "
              f"same verdict counts: {same}")
        print(f"    {len(rep.certificates)} certificates; {len(rep.opened)} of {rep.regions} regions enumerated "
              f"for at least one predicate")
        print("    share of regions decided by certificates: "
              + ", ".join(f"{p} {100 * s:.0f} %" for p, s in share.items()))
        spectral = check_families(model, predicates=SPECTRAL, workers=1)
        print(f"    asked for invertible, principal_log, real_log only: {len(spectral.opened)} regions enumerated, "
              f"{100 * min(spectral.coverage().values()) / rep.regions:.0f} % covered by certificates")
        results[name] = {"families_seconds": t_fam, "sweep_seconds": t_all, "same_counts": same,
                         "certificates": len(rep.certificates), "enumerated": len(rep.opened), "share": share,
                         "spectral_enumerated": len(spectral.opened)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    args = parser.parse_args()
    results: dict = {}
    contractive(results)
    trained(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
