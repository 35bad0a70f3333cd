"""Sweeps on a Dask cluster (``scheduler=``, ``--scheduler``) against the local process pool.

A local cluster of two worker processes, started by the tests, stands in for a real one:
the report of ``check``, ``derive`` and a streamed sweep is the one the local processes
give, for any number of the cluster's workers, and a worker killed in the middle of a
sweep does not change it.
"""

from __future__ import annotations

import json
import os
import signal
import sys

import numpy as np
import pytest
from _independent import trained_like as _trained_like

from plrnn_symbolic import PLRNN, InputError, check, derive, example
from plrnn_symbolic.analysis import conditions as check_module
from plrnn_symbolic.analysis import stream as stream_module
from plrnn_symbolic.analysis.stream import stream_check
from plrnn_symbolic.cli import main
from plrnn_symbolic.core import cluster as cluster_module

distributed = pytest.importorskip("distributed")


def trained_like(M: int, seed: int = 11) -> PLRNN:
    return _trained_like(M, seed)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                                  silence_logs=50) as c:
        yield c


def without_notes(report) -> dict:
    d = report.to_dict()
    d.pop("notes")
    return d


@pytest.mark.parametrize("mode", ["exact", "certified"])
def test_the_cluster_gives_the_report_of_the_process_pool(cluster, mode):
    m = trained_like(8)
    pool = check(m, mode=mode, workers=2)
    dask = check(m, mode=mode, scheduler=cluster.scheduler_address)
    one = check(m, mode=mode, scheduler=cluster.scheduler_address, workers=1)
    assert "swept on a Dask cluster (2 workers)" in dask.notes and "swept on a Dask cluster (1 worker)" in one.notes
    assert dask.statuses() == pool.statuses() == one.statuses()
    assert without_notes(dask) == without_notes(pool) == without_notes(one)
    assert dask.table().replace("Dask cluster (2 workers)", "") == pool.table().replace(
        "in parallel by 2 processes", "on a ")
    bits = list(pool)[7]
    assert dask[bits].to_dict() == pool[bits].to_dict()


@pytest.mark.parametrize("mode", ["certified", "float"])
def test_derive_on_the_cluster_gives_the_local_systems(cluster, mode):
    m = example("chaotic")
    local = derive(m, mode=mode, digits=20, workers=1)
    dask = derive(m, mode=mode, digits=20, scheduler=cluster.scheduler_address)
    assert list(dask) == list(local)
    for b, s in local.items():
        d = dask[b]
        assert (d.status, d.dimension, d.method, d.notes, d.residual) == (s.status, s.dimension, s.method, s.notes,
                                                                          s.residual)
        for name in ("L", "g", "G", "P"):
            x, y = getattr(s, name), getattr(d, name)
            assert (x is None and y is None) or np.array_equal(x, y)


def test_a_streamed_sweep_on_the_cluster_equals_the_local_one(cluster, tmp_path):
    m = trained_like(8, 3)
    local = stream_check(m, tmp_path / "local.jsonl", "auto", chunk=16, workers=1)
    dask = stream_check(m, tmp_path / "dask.jsonl", "auto", chunk=16, scheduler=cluster.scheduler_address)
    a, b = local.to_dict(), dask.to_dict()
    for d in (a, b):
        for k in ("notes", "stream"):
            d.pop(k)
    assert a == b and "swept on a Dask cluster (2 workers)" in dask.notes


def _kill_a_worker(cluster) -> int:
    nanny = next(iter(cluster.workers.values()))
    pid = nanny.process.process.pid
    os.kill(pid, signal.SIGKILL)
    return pid


def test_a_worker_killed_mid_sweep_does_not_change_the_report(cluster, monkeypatch):
    m = trained_like(10, 5)
    pool = check(m, mode="exact", workers=2)
    seen = {}

    class KillingBar:
        """The progress bar of the sweep: kills a worker when the first chunk is back."""

        def __init__(self, names, **kwargs):
            self.names, self.n = names, 0

        def update(self, k=1):
            if not seen:
                seen["pid"], seen["at"] = _kill_a_worker(cluster), self.n
            self.n += k

        def close(self):
            pass

    monkeypatch.setattr(check_module, "tqdm", KillingBar)
    dask = check(m, mode="exact", scheduler=cluster.scheduler_address)
    assert seen["at"] == 0 and dask.regions.codes.shape[0] == 2**10   # killed after one of the chunks, of many
    assert without_notes(dask) == without_notes(pool)
    cluster.wait_for_workers(2, timeout=60)


def test_a_worker_killed_mid_stream_does_not_change_the_report(cluster, tmp_path, monkeypatch):
    m = trained_like(9, 6)
    local = stream_check(m, tmp_path / "local.jsonl", "exact", chunk=16, workers=1)
    write = stream_module._StreamFile.write
    killed = []

    def write_then_kill(self, record):
        write(self, record)
        if record["record"] == "chunk" and not killed:
            killed.append(_kill_a_worker(cluster))

    monkeypatch.setattr(stream_module._StreamFile, "write", write_then_kill)
    dask = stream_check(m, tmp_path / "dask.jsonl", "exact", chunk=16, scheduler=cluster.scheduler_address)
    assert killed and dask.computed == 2**9
    assert dask.summary == local.summary and dask.flagged == local.flagged
    cluster.wait_for_workers(2, timeout=60)


def test_scheduler_refusals(cluster, monkeypatch, capsys):
    m = trained_like(4)
    with pytest.raises(InputError, match="scheduler must be an address"):
        check(m, mode="exact", scheduler="  ")
    with pytest.raises(InputError, match="not a Dask scheduler address"):     # refused before any Client exists
        check(m, mode="exact", scheduler="notanaddress")
    monkeypatch.setattr(cluster_module, "CONNECT_TIMEOUT", 1)
    with pytest.raises(InputError, match="no Dask scheduler at"):
        check(m, mode="exact", scheduler="tcp://127.0.0.1:9")
    monkeypatch.setitem(sys.modules, "distributed", None)      # as if Dask were not installed
    with pytest.raises(InputError, match=r"pip install 'plrnn_symbolic\[dask\]'"):
        check(m, mode="exact", scheduler=cluster.scheduler_address)
    assert main(["check", "--example", "chaotic", "--mode", "exact", "--scheduler", "tcp://127.0.0.1:8786"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("plrnn-symbolic: error: --scheduler (scheduler=) needs Dask") and err.count("\n") == 1


def test_cli_scheduler(cluster, capsys):
    args = ["check", "--example", "chaotic", "--mode", "exact", "--json"]
    assert main(args) == 0
    local = json.loads(capsys.readouterr().out)
    assert main([*args, "--scheduler", cluster.scheduler_address]) == 0
    dask = json.loads(capsys.readouterr().out)
    assert dask["notes"] == ["swept on a Dask cluster (2 workers)"]
    assert {k: v for k, v in dask.items() if k != "notes"} == {k: v for k, v in local.items() if k != "notes"}
    assert main(["derive", "--example", "chaotic", "--mode", "certified", "--digits", "20", "--json",
                 "--scheduler", cluster.scheduler_address]) == 0
    assert json.loads(capsys.readouterr().out)["summary"] == derive(example("chaotic"), mode="certified",
                                                                     digits=20).to_dict()["summary"]


def test_a_batch_of_models_on_the_cluster_equals_the_local_batch(cluster):
    from plrnn_symbolic import check_models

    models = [(f"m{k}", trained_like(6, seed=k)) for k in range(5)]
    local = check_models(models, "all", "auto", workers=1)
    dask = check_models(models, "all", "auto", scheduler=cluster.scheduler_address)
    assert [e.to_dict() for e in dask] == [e.to_dict() for e in local]
