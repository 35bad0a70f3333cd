"""The command line: exit codes, one-line errors, JSON keys other tools rely on."""

import json
import subprocess
import sys

import numpy as np
import pytest

from plrnn_symbolic.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_examples_lists_names_first(capsys):
    code, out, _ = run(capsys, "examples")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert names == ["limit_cycle", "chaotic", "regularized", "input_driven", "vdp_trained", "lorenz_trained", "vdp_fine"]


@pytest.mark.parametrize("mode", ["exact", "certified", "float"])
def test_check_json_keys(capsys, mode):
    code, out, _ = run(capsys, "check", "--example", "chaotic", "--mode", mode, "--json")
    assert code == 0
    d = json.loads(out)
    assert d["model"]["M"] == 5 and d["mode"] == mode
    preds = ["invertible", "principal_log", "real_log", "unique_real_log", "eigenvalue_one"]
    assert set(d["summary"]) == set(preds)
    assert sum(d["summary"]["real_log"].values()) == 32
    r = d["regions"]["11111"]
    assert all(r[p] in ("holds", "fails", "undecided") for p in preds) and "witness" in r


def test_check_visited_and_bits(capsys):
    code, out, _ = run(capsys, "check", "--example", "limit_cycle", "--regions", "visited", "--steps", "200",
                       "--json")
    assert code == 0 and 0 < len(json.loads(out)["regions"]) <= 64
    code, out, _ = run(capsys, "check", "--example", "limit_cycle", "--regions", "000000", "111111", "--json")
    assert list(json.loads(out)["regions"]) == ["000000", "111111"]


def test_derive_json_keys(capsys):
    code, out, _ = run(capsys, "derive", "--example", "chaotic", "--regions", "11110", "--mode", "certified",
                       "--json")
    assert code == 0
    r = json.loads(out)["regions"]["11110"]
    assert r["status"] == "lifted" and r["dimension"] == 6
    assert np.array(r["G"]).shape == (6, 5) and np.array(r["P"]).shape == (5, 6)
    assert r["residual"]["exp"] < 1e-14 and r["residual"]["enclosure_radius"] < 1e-25
    assert r["enclosure"]["max_radius"] < 1e-25 and len(r["enclosure"]["entries"]) == 6


@pytest.mark.parametrize("argv, msg", [
    (["check", "missing.npz"], "no such file"),
    (["check", "--example", "nope"], "nope"),
    (["check", "--example", "chaotic", "--regions", "10"], "not a string of 5"),
    (["check", "--example", "chaotic", "--mode", "fast"], "invalid choice"),
    (["check"], "no model"),
    (["derive", "--example", "chaotic", "--digits", "0"], "digits"),
    (["simulate", "--example", "chaotic", "--steps", "3", "--z0", "nan,0,0,0,0"], "not a finite number"),
    (["simulate", "--example", "chaotic", "--steps", "3", "--z0", "0,inf,0,0,0"], "not a finite number"),
    (["check", "--example", "chaotic", "--regions", "visited", "--z0", "0,0,a,0,0"], "not a finite number"),
    (["simulate", "--example", "chaotic", "--steps", "3", "--z0", "1e400,0,0,0,0"], "finite"),
    (["dynamics", "--example", "chaotic", "--steps", str(10**14)], "--max-steps"),
    (["dynamics", "--example", "chaotic", "--steps", "0"], "--steps must be"),
    (["dynamics", "--example", "chaotic", "--max-steps", "-1"], "--max-steps must be >= 1"),
    (["batch", "missing.npz"], "missing.npz: no such file"),
])
def test_bad_input_exits_2_with_one_line(capsys, argv, msg):
    code, _out, err = run(capsys, *argv)
    assert code == 2
    assert msg in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_bad_files_exit_2(tmp_path, capsys):
    bad = tmp_path / "nan.json"
    bad.write_text(json.dumps({"A": [[0.5, 0], [0, 0.5]], "W": [[0, 1], [1, 0]], "h": [0, float("nan")]}))
    assert run(capsys, "check", str(bad))[0] == 2
    big = tmp_path / "big.npz"
    np.savez(big, A=np.eye(30) * 0.5, W=np.zeros((30, 30)), h=np.zeros(30))
    code, _, err = run(capsys, "check", str(big))
    assert code == 2 and "2^30" in err and "--max-regions" in err
    pick = tmp_path / "obj.npy"
    np.save(pick, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    assert run(capsys, "check", str(pick))[0] == 2


def test_console_script_runs_as_a_process():
    p = subprocess.run([sys.executable, "-m", "plrnn_symbolic.cli", "check", "--example", "regularized"],
                       capture_output=True, text=True, timeout=120, check=False)
    assert p.returncode == 0 and "eigenvalue_one" in p.stdout
    p = subprocess.run([sys.executable, "-m", "plrnn_symbolic.cli", "--version"], capture_output=True, text=True,
                       check=False)
    assert p.returncode == 0 and "plrnn-symbolic" in p.stdout


def test_derive_writes_latex(tmp_path, capsys):
    out = tmp_path / "d.tex"
    code, _, _ = run(capsys, "derive", "--example", "chaotic", "--regions", "11110", "--latex", str(out), "--show", "0")
    assert code == 0 and "\\begin{document}" in out.read_text()
    assert run(capsys, "derive", "--example", "chaotic", "--pdf")[0] == 2


def _largest_significant(tex: str, bits: str) -> int:
    """Significant digits of the largest entry of a region's L | g (every entry shares its decimal places)."""
    import re

    block = tex.split(f"\\label{{region:{bits}}}")[1]
    matrix = block.split(r"\begin{array}")[1].split(r"\end{array}")[0]
    return max(len(x.lstrip("-").replace(".", "").lstrip("0")) for x in re.findall(r"-?\d+\.\d+", matrix))


def test_digits_is_certified_and_shown(tmp_path, capsys, monkeypatch):
    """One meaning of --digits (issue 17): without it LaTeX shows 6 digits and the derivation certifies 30;
    with it, both are N; --latex-digits still sets the digits shown, with a deprecation note."""
    from plrnn_symbolic.analysis import transform

    asked = []
    real = transform.derive
    monkeypatch.setattr(transform, "derive", lambda *a, **k: asked.append(a[3]) or real(*a, **k))
    out = tmp_path / "d.tex"
    args = ["derive", "--example", "limit_cycle", "--regions", "111111", "--mode", "certified", "--latex", str(out),
            "--show", "0"]
    code, _, err = run(capsys, *args)
    assert code == 0 and asked[-1] == 30 and _largest_significant(out.read_text(), "111111") == 6
    assert "deprecated" not in err
    code, _, err = run(capsys, *args, "--digits", "12")
    assert code == 0 and asked[-1] == 12 and _largest_significant(out.read_text(), "111111") == 12
    code, _, err = run(capsys, *args, "--latex-digits", "4")
    assert code == 0 and asked[-1] == 30 and _largest_significant(out.read_text(), "111111") == 4
    assert "--latex-digits is deprecated" in err and "--digits 4" in err
    assert run(capsys, *args, "--digits", "0")[0] == 2
    assert run(capsys, "derive", "--example", "chaotic", "--latex-digits", "4")[0] == 2   # needs --latex


def test_broken_pipe_is_not_an_error():
    p = subprocess.run(f"{sys.executable} -m plrnn_symbolic.cli check --example chaotic | head -1", shell=True,
                       capture_output=True, text=True, timeout=120, check=False)
    assert "error" not in p.stderr


@pytest.mark.slow
@pytest.mark.parametrize("name", ["limit_cycle", "chaotic", "regularized", "input_driven"])
def test_every_example_runs_through_every_subcommand(name, capsys, tmp_path):
    assert run(capsys, "check", "--example", name, "--mode", "certified", "--json")[0] == 0
    assert run(capsys, "derive", "--example", name, "--regions", "visited", "--steps", "50", "--json")[0] == 0
    assert run(capsys, "simulate", "--example", name, "--steps", "40", "--json")[0] == 0
    code, out, _ = run(capsys, "dynamics", "--example", name, "--steps", "500", "--burn-in", "10", "--json")
    assert code == 0 and "fixed_points" in json.loads(out)


@pytest.mark.parametrize("content, msg", [
    ({"A": [[0.5, 0]], "W": [[0, 0]], "h": [0]}, "square"),
    ({"A": [[0.5, 0], [0, 0.5]], "W": [[0, 1], [1, 0]]}, "h"),
    ({"A": [[0.5, 0], [0, 0.5]], "W": [[0, 1], [1, 0]], "h": [0, 0], "dt": 0}, "dt"),
    ({"A": [[0.5, 0], [0, 0.5]], "W": [[0, 1], [1, 0]], "h": [0, 0], "dt": -1}, "dt"),
])
def test_bad_models_exit_2_with_one_line(tmp_path, capsys, content, msg):
    f = tmp_path / "m.json"
    f.write_text(json.dumps(content))
    for cmd in ("check", "derive", "simulate", "dynamics"):
        code, _, err = run(capsys, cmd, str(f))
        assert code == 2 and msg in err and len(err.strip().splitlines()) == 1, (cmd, err)


def test_check_workers_give_the_same_json(capsys):
    outs = []
    for w in ("1", "2"):
        code, out, _ = run(capsys, "check", "--example", "chaotic", "--mode", "certified", "--workers", w, "--json")
        assert code == 0
        outs.append(json.loads(out))
    serial, parallel = outs
    assert parallel["notes"] == serial["notes"] + ["swept in parallel by 2 processes"]
    assert parallel["summary"] == serial["summary"] and parallel["regions"] == serial["regions"]
    code, _, err = run(capsys, "check", "--example", "chaotic", "--workers", "0")
    assert code == 2 and "workers must be >= 1" in err


def test_a_request_without_a_mathematical_answer_exits_3(capsys, monkeypatch):
    """NoResult (valid input, no answer: e.g. the Lyapunov exponents of a diverging orbit) is not
    a bad-input error (status 2) nor an internal one (1): one line, status 3."""
    from plrnn_symbolic import NoResult
    from plrnn_symbolic.cli import app

    def no_answer(args):
        raise NoResult("the trajectory diverges: Lyapunov exponents need a bounded orbit")

    monkeypatch.setattr(app, "_cmd_examples", no_answer)
    parser = app.build_parser
    monkeypatch.setattr(app, "build_parser", lambda: _with_examples(parser(), no_answer))
    code, _, err = run(capsys, "examples")
    assert code == 3 and err.startswith("plrnn-symbolic: no result: the trajectory diverges")
    assert "Traceback" not in err


def _with_examples(parser, func):
    for action in parser._subparsers._group_actions:
        action.choices["examples"].set_defaults(func=func)
    return parser


def test_json_output_is_valid_json_when_numbers_leave_float64(capsys):
    """An exact fixed point beyond float64 (a_ii = 10^400) is a float -inf/inf in the report:
    --json writes it as a string, never the non-JSON -Infinity."""
    import json as _json

    from plrnn_symbolic.cli.output import emit

    class Args:
        json = True

    emit(Args(), {"z": [float("-inf"), 1.5, float("nan")]}, "")
    out = capsys.readouterr().out
    assert "Infinity" not in out and "NaN" not in out
    assert _json.loads(out) == {"z": ["-inf", 1.5, "nan"]}
