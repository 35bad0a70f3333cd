"""Streamed sweeps (``stream_check``, ``check --stream``) against the in-memory ``check``.

* the counts and the flagged regions equal those of ``check`` (an independent route: the
  report held in memory), in every mode, for any chunk size and for a form of the family;
* a sweep interrupted after k chunks (an exception injected, a half-written last line, a
  killed process) and resumed equals an uninterrupted one, and decides only the chunks
  that were not finished;
* memory: the names of all 2^M regions are never built, the report keeps at most ``keep``
  flagged regions, and the peak traced memory stays far below that of the in-memory sweep.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from _independent import trained_like
from hypothesis import given, settings
from hypothesis import strategies as st

from plrnn_symbolic import PLRNN, InputError, ShallowPLRNN, check, example
from plrnn_symbolic.analysis import stream as stream_module
from plrnn_symbolic.analysis.stream import read_stream, stream_check
from plrnn_symbolic.cli import main
from plrnn_symbolic.model import regions as regions_module
from plrnn_symbolic.model.enumeration import activity_block, region_block, region_index
from plrnn_symbolic.region.predicates import PREDICATES

ROOT = Path(__file__).resolve().parents[1]


def random_model(M: int, seed: int) -> PLRNN:
    return trained_like(M, seed)


def flagged_in_memory(report) -> list[tuple[str, dict]]:
    """The regions the table of ``check`` lists, from the statuses of the report held in memory."""
    out = []
    for bits, s in report.statuses().items():
        if "holds" != s["invertible"] or s["real_log"] != "holds" or s["principal_log"] != "holds" \
                or s["eigenvalue_one"] != "fails":
            out.append((bits, s))
    return out


def same_content(a, b) -> bool:
    """Two stream reports say the same (``computed``, ``resumed``, ``notes`` and the path say how they were made)."""
    da, db = a.to_dict(), b.to_dict()
    for d in (da, db):
        for k in ("computed", "resumed", "notes", "stream"):
            d.pop(k)
    return da == db


@given(M=st.integers(1, 9), data=st.data())
def test_region_blocks_enumerate_all_regions_in_order(M, data):
    n = 2**M
    start = data.draw(st.integers(0, n))
    stop = data.draw(st.integers(start, n))
    names = regions_module.all_regions(M)
    assert region_block(M, start, stop) == names[start:stop]
    assert [region_index(b) for b in names[start:stop]] == list(range(start, stop))
    assert activity_block(M, start, stop).sum() == sum(b.count("1") for b in names[start:stop])


@pytest.mark.parametrize("mode", ["exact", "certified", "auto", "float"])
@settings(max_examples=8)
@given(chunk=st.integers(3, 80), seed=st.integers(0, 3))
def test_streamed_counts_and_flagged_regions_equal_check(tmp_path_factory, mode, chunk, seed):
    m = random_model(6, seed)
    path = tmp_path_factory.mktemp("s") / "sweep.jsonl"
    r = stream_check(m, path, mode, chunk=chunk, workers=1)
    full = check(m, mode=mode, workers=1)
    assert r.complete and r.computed == 64 and r.resumed == 0
    assert r.summary == full.summary()
    want = flagged_in_memory(full)
    assert [(b, s) for b, s, _, _ in r.flagged] == want and r.flagged_count == len(want)
    if mode != "float":   # the reasons and methods are those of check's table
        table = full.table(max_rows=100)
        assert all(f"  {b}  {reason}" in table for b, _, _, reason in r.flagged)
        assert r.methods == dict(Counter(rc.method for rc in full.values()))
    lines = path.read_text().splitlines()
    assert len(lines) == 2 + -(-64 // chunk)   # header, one line per chunk, done
    assert same_content(read_stream(path), r)


def test_a_form_of_the_family_streams_its_cells(tmp_path):
    rng = np.random.default_rng(4)
    m = ShallowPLRNN(rng.uniform(0.1, 0.9, 3), rng.normal(0, 0.5, (3, 6)), rng.normal(0, 1, (6, 3)),
                     rng.normal(0, 0.1, 3), rng.normal(0, 1, 6))
    r = stream_check(m, tmp_path / "a.jsonl", "exact", chunk=3)
    assert r.regions == len(check(m, mode="float")) < 2**6     # the non-empty cells only
    full = check(m, mode="exact")
    assert r.summary == full.summary() and [b for b, *_ in r.flagged] == [b for b, _ in flagged_in_memory(full)]


def test_any_number_of_processes_gives_the_same_report(tmp_path):
    m = random_model(9, 7)
    one = stream_check(m, tmp_path / "1.jsonl", "exact", chunk=40, workers=1)
    two = stream_check(m, tmp_path / "2.jsonl", "exact", chunk=40, workers=2)
    assert same_content(one, two) and "swept in parallel by 2 processes" in two.notes
    # the chunk lines may come in another order; as sets they are the same
    lines = [sorted(p.read_text().splitlines()[1:-1]) for p in (tmp_path / "1.jsonl", tmp_path / "2.jsonl")]
    assert lines[0] == lines[1]


class Interrupt(Exception):
    pass


@pytest.mark.parametrize("mode,workers", [("exact", 1), ("float", 1), ("certified", 2)])
def test_an_interrupted_sweep_resumes_without_redoing_finished_chunks(tmp_path, monkeypatch, mode, workers):
    m = random_model(8, 3)
    chunk, k = 16, 5
    whole = stream_check(m, tmp_path / "whole.jsonl", mode, chunk=chunk, workers=1)
    path = tmp_path / "cut.jsonl"
    write = stream_module._StreamFile.write
    written = []

    def failing_write(self, record):
        if record["record"] == "chunk" and len(written) == k:
            raise Interrupt("injected after k chunks")
        write(self, record)
        written.append(record["record"])

    monkeypatch.setattr(stream_module._StreamFile, "write", failing_write)
    with pytest.raises(Interrupt):
        stream_check(m, path, mode, chunk=chunk, workers=workers)
    monkeypatch.setattr(stream_module._StreamFile, "write", write)
    partial = read_stream(path)
    assert not partial.complete and partial.decided == (k - 1) * chunk
    with path.open("a") as f:            # a line cut off mid-write by the interruption
        f.write('{"record":"chunk","index":9,"start":144,"sto')
    decided = []
    run = stream_module._chunk
    monkeypatch.setattr(stream_module, "_chunk", lambda state, task: decided.append(task[0]) or run(state, task))
    resumed = stream_check(m, path, mode, resume=True, workers=1)
    assert same_content(resumed, whole)
    assert resumed.resumed == (k - 1) * chunk and resumed.computed == 256 - (k - 1) * chunk
    done_before = {json.loads(x)["index"] for x in path.read_text().splitlines()[1:k]}
    assert len(decided) == 256 // chunk - (k - 1) and not done_before & set(decided)
    # a second resume of the finished file decides nothing
    decided.clear()
    again = stream_check(m, path, mode, resume=True, workers=1)
    assert decided == [] and same_content(again, whole)


def test_a_killed_process_leaves_a_file_that_resumes(tmp_path):
    out = tmp_path / "killed.jsonl"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "plrnn_symbolic.cli", "check", "--example", "vdp_trained", "--mode", "exact",
            "--stream", str(out), "--chunk", "16", "--workers", "1"]
    proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while proc.poll() is None and (not out.exists() or out.read_text().count("\n") < 4):
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    text = out.read_text()
    if '"record":"done"' in text:
        pytest.skip("the sweep finished before it could be killed")
    finished = text.count('"record":"chunk"')
    assert 3 <= finished < 64
    resumed = stream_check(example("vdp_trained"), out, "exact", resume=True, workers=1)
    whole = stream_check(example("vdp_trained"), tmp_path / "whole.jsonl", "exact", chunk=16, workers=1)
    assert same_content(resumed, whole) and resumed.resumed >= 3 * 16


def test_the_sweep_never_builds_the_list_of_all_regions(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the list of all regions was built")

    monkeypatch.setattr(regions_module, "all_regions", refuse)
    monkeypatch.setattr(stream_module, "cells", refuse)
    m = random_model(11, 2)
    r = stream_check(m, tmp_path / "s.jsonl", "float", chunk=256, keep=5)
    assert r.complete and r.flagged_count > 5 and len(r.flagged) == 5
    assert sum(r.summary["invertible"].values()) == 2**11
    assert len((tmp_path / "s.jsonl").read_text().splitlines()) == 2 + 2**11 // 256
    # the first five flagged in region order, whatever order the chunks came in
    assert [b for b, *_ in r.flagged] == sorted((b for b, *_ in r.flagged), reverse=True)


def test_streamed_memory_does_not_grow_with_the_regions(tmp_path):
    m = random_model(14, 5)
    tracemalloc.start()
    try:
        stream_check(m, tmp_path / "s.jsonl", "float", chunk=512, keep=10, workers=1)
        streamed = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        report = check(m, mode="float")
        held = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(report) == 2**14
    assert streamed < held / 4, (streamed, held)


def test_refusals(tmp_path):
    m = random_model(4, 0)
    path = tmp_path / "s.jsonl"
    stream_check(m, path, "exact")
    with pytest.raises(InputError, match="already exists"):
        stream_check(m, path, "exact")
    with pytest.raises(InputError, match="different sweep"):
        stream_check(random_model(4, 1), path, "exact", resume=True)
    with pytest.raises(InputError, match="different sweep"):
        stream_check(m, path, "certified", resume=True)
    (tmp_path / "other.jsonl").write_text('{"a": 1}\n')
    with pytest.raises(InputError, match="not a streamed sweep"):
        stream_check(m, tmp_path / "other.jsonl", "exact", resume=True)
    with pytest.raises(InputError, match="not a streamed sweep"):
        read_stream(tmp_path / "other.jsonl")
    with pytest.raises(InputError, match="chunk"):
        stream_check(m, tmp_path / "x.jsonl", "exact", chunk=0)


def test_cli_stream(tmp_path, capsys):
    f = str(tmp_path / "s.jsonl")
    assert main(["check", "--example", "chaotic", "--mode", "exact", "--stream", f, "--chunk", "5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["complete"] and data["flagged_count"] == 12 and data["summary"] == check(example("chaotic")).summary()
    assert main(["check", "--example", "chaotic", "--mode", "exact", "--stream", f]) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["check", "--example", "chaotic", "--mode", "exact", "--stream", f, "--resume"]) == 0
    assert "0 regions; 32 were read back" in capsys.readouterr().out
    assert main(["check", "--example", "chaotic", "--regions", "visited", "--stream", f + "2"]) == 2
    assert main(["check", "--example", "chaotic", "--resume"]) == 2
    err = capsys.readouterr().err
    assert err.count("plrnn-symbolic: error:") == 2 and "Traceback" not in err
    assert {p: data["summary"][p] for p in PREDICATES} == data["summary"]


@settings(max_examples=10)
@given(order=st.permutations(range(2**7 // 10 + 1)), keep=st.integers(0, 40))
def test_the_report_does_not_depend_on_the_order_chunks_finish_in(tmp_path_factory, order, keep):
    d = tmp_path_factory.mktemp("p")
    m = random_model(7, 9)
    stream_check(m, d / "s.jsonl", "float", chunk=10, workers=1)
    lines = (d / "s.jsonl").read_text().splitlines()
    chunks = lines[1:-1]
    (d / "shuffled.jsonl").write_text("\n".join([lines[0], *(chunks[i] for i in order), lines[-1]]) + "\n")
    a, b = read_stream(d / "s.jsonl", keep=keep), read_stream(d / "shuffled.jsonl", keep=keep)
    assert same_content(a, b) and len(b.flagged) == min(keep, b.flagged_count)
    assert [f[0] for f in b.flagged] == [f[0] for f in read_stream(d / "s.jsonl", keep=10**6).flagged][:keep]
