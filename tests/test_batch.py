"""``check_models`` and ``plrnn-symbolic batch``: many models at once, against checking each model
on its own (an independent route: the per-model ``check``), for any number of workers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from plrnn_symbolic import PLRNN, check, check_models, example
from plrnn_symbolic.cli import main
from plrnn_symbolic.model.family import ALRNN


def batch_models():
    rng = np.random.default_rng(3)
    out = [("limit_cycle", example("limit_cycle")), ("chaotic", example("chaotic"))]
    for k in range(3):
        M = 4 + k
        A = np.diag(rng.uniform(-0.9, 0.95, M))
        W = rng.normal(0, 0.6, (M, M))
        out.append((f"random {k}", PLRNN(A, W, rng.normal(0, 0.2, M))))
    out.append(("alrnn", ALRNN(rng.uniform(0.2, 0.9, 5), rng.normal(0, 0.4, (5, 5)), rng.normal(0, 0.1, 5), 3)))
    return out


def flagged(report) -> list[str]:
    return [bits for bits, rc in report.items()
            if not all(rc.verdicts[p].truth.value == "holds" for p in ("invertible", "principal_log", "real_log"))
            or rc.verdicts["eigenvalue_one"].truth.value != "fails"]


@pytest.mark.parametrize("regions", ["all", "visited"])
def test_a_batch_equals_each_model_checked_alone(regions):
    models = batch_models()
    serial = check_models(models, regions, "auto", steps=300, workers=1)
    pooled = check_models(models, regions, "auto", steps=300, workers=2)
    assert [e.to_dict() for e in serial] == [e.to_dict() for e in pooled]
    assert [e.name for e in serial] == [n for n, _ in models]
    for (name, m), e in zip(models, serial):
        alone = check(m, regions, "auto", steps=300)
        assert e.summary == alone.summary() and e.regions == len(alone) and e.error is None, name
        assert list(e.flagged) == flagged(alone) and e.n_flagged == len(flagged(alone)), name
    assert any(e.n_flagged for e in serial)      # the batch has regions without a principal log


def test_a_refused_model_is_its_row_and_the_others_go_on(capsys):
    big = PLRNN(np.eye(22) * 0.5, np.zeros((22, 22)), np.zeros(22), name="big")
    rep = check_models([example("chaotic"), big], "all", workers=1)
    assert rep[0].error is None and rep[0].regions == 32
    assert rep[1].error is not None and "2^22" in rep[1].error and rep.refused == [rep[1]]


def test_cli_batch(tmp_path, capsys):
    paths = []
    for name, m in batch_models()[:4]:
        p = tmp_path / f"{name.replace(' ', '_')}.npz"
        np.savez(p, A=np.array(m.numeric.A), W=np.array(m.numeric.W), h=np.array(m.numeric.h))
        paths.append(str(p))
    assert main(["batch", *paths, "--regions", "all", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [d["name"] for d in out["models"]] == paths
    assert out["models"][1]["summary"] == check(example("chaotic"), "all").summary()
    code = main(["batch", paths[0], str(tmp_path / "missing.npz")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("missing.npz") == 1 and len(err.strip().splitlines()) == 1
    assert main(["batch", paths[0], "--regions", "1010"]) == 2
