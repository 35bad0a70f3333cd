"""The fast paths of ``check`` agree with the per-region paths they replace.

* float: the verdicts decided for all regions at once in numpy equal those of
  ``float_spectrum`` + ``decide`` region by region (with Jordan ranks), also for
  models with repeated eigenvalues;
* exact: the spectrum from the block-triangular split with H built lazily equals
  the spectrum of the full region matrix (multiplicities, Jordan blocks, facts).
"""

from __future__ import annotations

import numpy as np
import pytest
from _independent import trained_like

from plrnn_symbolic import PLRNN, check
from plrnn_symbolic.analysis import conditions as check_module
from plrnn_symbolic.core import parallel as parallel_module
from plrnn_symbolic.model.regions import RegionMatrices
from plrnn_symbolic.region.predicates import PREDICATES, decide
from plrnn_symbolic.region.spectrum import exact_spectrum, float_spectrum


def random_model(M: int, seed: int) -> PLRNN:
    rng = np.random.default_rng(seed)
    A = np.diag(rng.uniform(-0.95, 0.95, M))
    W = rng.normal(0.0, 1.0 / np.sqrt(M), (M, M))
    np.fill_diagonal(W, 0.0)
    return PLRNN(A=A, W=W, h=np.zeros(M))


def repeated_model() -> PLRNN:
    """Units 1, 2 have a_ii = 1 and zero W rows; units 3, 4 share a_ii = -1/2 with a
    coupling, so some regions have eigenvalue 1 twice and a 2 x 2 Jordan block at -1/2."""
    A = np.diag([1.0, 1.0, -0.5, -0.5, 0.5, 0.25])
    W = np.zeros((6, 6))
    W[2, 3] = 1.0
    W[4, 5] = 0.3
    W[5, 0] = -0.7
    return PLRNN(A=A, W=W, h=np.zeros(6))


MODELS = [random_model(M, seed) for M, seed in zip(range(3, 9), range(6))] + [repeated_model()]


def per_region(model: PLRNN) -> dict[str, tuple[str, ...]]:
    mats = RegionMatrices(model)
    out = {}
    for bits in check(model, mode="float").regions:
        v = decide(float_spectrum(mats.float(bits)))
        out[bits] = tuple(v[p].status for p in PREDICATES)
    return out


@pytest.mark.parametrize("model", MODELS, ids=lambda m: f"M{m.M}")
def test_float_vectorised_verdicts_equal_per_region_path(model):
    report = check(model, mode="float")
    lazy = report.regions
    expected = per_region(model)
    vectorised = {b: tuple("holds" if h else "fails" for h in lazy.holds[i]) for i, b in enumerate(lazy)}
    assert vectorised == expected
    counts = {p: {"holds": 0, "fails": 0, "undecided": 0} for p in PREDICATES}
    for st in expected.values():
        for p, s in zip(PREDICATES, st):
            counts[p][s] += 1
    assert report.summary() == counts
    # the RegionChecks built on demand agree too
    assert {b: tuple(report[b][p].status for p in PREDICATES) for b in lazy} == expected


def test_float_repeated_eigenvalue_goes_through_jordan_ranks():
    report = check(repeated_model(), mode="float")
    rc = report["000000"]
    (one,) = rc["eigenvalue_one"].witness["eigenvalue_one"]
    assert one["multiplicity"] == 2 and one["jordan_blocks"] == [1, 1]
    neg = rc["real_log"].witness["negative_eigenvalues"]
    assert [e["jordan_blocks"] for e in neg] == [[1, 1]]
    rc = report["000100"]  # unit 4 active: W[2, 3] couples the two -1/2
    assert [e["jordan_blocks"] for e in rc["real_log"].witness["negative_eigenvalues"]] == [[2]]
    assert rc["real_log"].status == "fails" and report["000000"]["real_log"].status == "holds"


@pytest.mark.parametrize("model", MODELS[:3] + MODELS[-1:], ids=lambda m: f"M{m.M}")
def test_exact_lazy_split_equals_full_matrix(model):
    mats = RegionMatrices(model)
    for bits in check(model, mode="float").regions:
        H, _points, _S = mats.exact(bits)
        split = exact_spectrum(*mats.exact_lazy(bits))
        full = exact_spectrum(H)

        def key(spec):
            return [(e.multiplicity, e.blocks, e.real, e.zero, e.one, e.negative, e.positive)
                    for e in sorted(spec.eigenvalues, key=lambda e: (round(e.approx.real, 9), round(e.approx.imag, 9)))]

        assert key(split) == key(full)
        assert {p: v.status for p, v in decide(split).items()} == {p: v.status for p, v in decide(full).items()}


def _trained_like(seed: int, M: int = 7) -> PLRNN:
    """A diagonal, W with a zero diagonal, float weights: the shape of a trained model."""
    return trained_like(M, seed)


@pytest.mark.parametrize("mode", ["exact", "certified"])
def test_parallel_sweep_gives_the_same_report(mode):
    m = _trained_like(11)
    serial = check(m, mode=mode, workers=1)
    parallel = check(m, mode=mode, workers=2)
    # the parallel report keeps only truth codes; everything else is built from them or rebuilt
    assert parallel.summary() == serial.summary()
    assert parallel.statuses() == serial.statuses()
    assert parallel.table() == serial.table().replace("\n\n", "\nnote: swept in parallel by 2 processes\n\n", 1)
    assert serial.to_dict()["regions"] == parallel.to_dict()["regions"]
    assert list(serial.regions) == list(parallel.regions)
    bits = list(serial.regions)[5]
    assert parallel[bits].to_dict() == serial[bits].to_dict()


def test_large_sweeps_use_every_core_by_default(monkeypatch):
    m = _trained_like(5)
    monkeypatch.setattr(check_module, "PARALLEL_MIN_REGIONS", 2**m.M)
    monkeypatch.setattr(parallel_module, "usable_cores", lambda: 2)
    auto = check(m, mode="exact")
    assert "swept in parallel by 2 processes" in auto.notes
    assert auto.statuses() == check(m, mode="exact", workers=1).statuses()
    assert "swept in parallel" not in " ".join(check(m, regions=list(auto.regions)[:-1], mode="exact").notes)


def test_derive_after_a_parallel_sweep_rebuilds_only_the_regions_it_must(monkeypatch):
    from plrnn_symbolic import derive

    A = np.diag([0.5, -0.5, 0.0, 0.25])          # unit 3 inactive: a_33 = 0, so those regions are singular
    W = np.array([[0, 0.5, 0, 0], [-0.5, 0, 0.25, 0], [0.5, 0, 0, 0.5], [0, 0.25, -0.5, 0]])
    m = PLRNN(A, W, [0.1, -0.1, 0.2, 0.0])
    serial = derive(m, mode="certified", digits=20)
    monkeypatch.setattr(check_module, "PARALLEL_MIN_REGIONS", 2)
    monkeypatch.setattr(parallel_module, "usable_cores", lambda: 2)
    rebuilt = []
    getitem = check_module._SweptRegions.__getitem__
    monkeypatch.setattr(check_module._SweptRegions, "__getitem__", lambda self, b: rebuilt.append(b) or getitem(self, b))
    parallel = derive(m, mode="certified", digits=20)
    assert {b: s.status for b, s in parallel.systems.items()} == {b: s.status for b, s in serial.systems.items()}
    underived = {b for b, s in serial.systems.items() if s.status in ("impossible", "undecided")}
    assert underived and set(rebuilt) == underived   # their notes name the method: the verdicts are rebuilt
    for b, s in serial.systems.items():
        if s.L is not None:
            assert np.allclose(parallel.systems[b].L, s.L)


@pytest.mark.parametrize("mode", ["exact", "certified", "float"])
def test_parallel_derive_gives_the_same_systems(mode):
    from plrnn_symbolic import derive, example

    m = example("chaotic")          # 32 regions: principal, lifted and exact closed forms among them
    serial = derive(m, mode=mode, digits=20, workers=1)
    par = derive(m, mode=mode, digits=20, workers=2)
    assert list(par.systems) == list(serial.systems)
    for b, s in serial.systems.items():
        p = par.systems[b]
        assert (p.status, p.dimension, p.method, p.notes) == (s.status, s.dimension, s.method, s.notes)
        for name in ("L", "g", "G", "P"):
            x, y = getattr(s, name), getattr(p, name)
            assert (x is None and y is None) or np.array_equal(x, y)
        assert p.residual == s.residual
        if mode == "exact":
            assert p.L_exact == s.L_exact


def test_sweeps_fall_back_to_one_process_where_no_pool_starts(monkeypatch):
    from plrnn_symbolic import derive

    def no_pool(self, fn, items, bar=None):
        raise OSError("no /dev/shm")

    monkeypatch.setattr(parallel_module.Pool, "map", no_pool)
    m = _trained_like(3, M=5)
    report = check(m, mode="exact", workers=2)
    assert any("no parallel sweep (OSError: no /dev/shm)" in n for n in report.notes)
    assert report.statuses() == check(m, mode="exact", workers=1).statuses()
    a, b = derive(m, mode="float", workers=2), derive(m, mode="float", workers=1)
    assert {k: s.status for k, s in a.systems.items()} == {k: s.status for k, s in b.systems.items()}
