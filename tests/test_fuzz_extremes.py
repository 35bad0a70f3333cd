"""Fuzz: valid input of any magnitude never crashes (issue 22).

Models are drawn with extreme entries: exact decimal strings from 1e-400 to
1e400, subnormal and near-overflow floats, and rationals of up to 4,000 digits.
Every entry point (``PLRNN``, ``load`` of the .json/.npz files written here,
``check``, ``derive``, ``simulate`` and the command line) must give a result or
refuse with :class:`InputError` (exit status 2); any other exception, or exit
status 1, is an internal error and fails the test.

The ``ci`` profile draws a few dozen models; ``PLRNN_HYPOTHESIS_PROFILE=thorough``
draws more (tests/conftest.py).
"""

from __future__ import annotations

import json
import math
import os
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plrnn_symbolic import PLRNN, InputError, check, derive, load, simulate
from plrnn_symbolic.cli import main
from plrnn_symbolic.core.conversion import unlimited_int_digits

THOROUGH = os.environ.get("PLRNN_HYPOTHESIS_PROFILE") == "thorough"
EXAMPLES = 400 if THOROUGH else 25
CLI_EXAMPLES = 100 if THOROUGH else 15      # nine command lines a model
MAX_DIGITS = 4000


@st.composite
def exact_decimals(draw) -> str:
    """An exact decimal string m e k with |k| <= 400 (never a float: 1e400 stays 10^400)."""
    sign = draw(st.sampled_from(["", "-"]))
    mant = draw(st.integers(1, 999))
    exp = draw(st.integers(-400, 400))
    return f"{sign}{mant}e{exp}"


@st.composite
def long_rationals(draw) -> str:
    """A rational "p/q" whose numerator or denominator has up to 4,000 digits."""
    digits = draw(st.integers(300, MAX_DIGITS))
    p = draw(st.integers(1, 9)) * 10 ** (digits - 1) + draw(st.integers(0, 10**6))
    q = draw(st.integers(1, 10**6))
    sign = draw(st.sampled_from(["", "-"]))
    return f"{sign}{p}/{q}" if draw(st.booleans()) else f"{sign}{q}/{p}"


def extreme_floats():
    """Subnormals, tiny and near-overflow floats (finite, as a model file may hold)."""
    return st.one_of(
        st.sampled_from([5e-324, -5e-324, 2.2250738585072014e-308, 1e-310, 1e300, -1e300, 1.7976931348623157e308]),
        st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=True),
    )


def entries():
    return st.one_of(st.sampled_from([0, 1, -1, "1/2", "-1/3", 2]), exact_decimals(), long_rationals(),
                     extreme_floats())


@st.composite
def models(draw) -> dict:
    """Weights of a model with 1 or 2 units (3 in the thorough profile); A diagonal."""
    M = draw(st.integers(1, 3 if THOROUGH else 2))
    A = [[draw(entries()) if i == j else 0 for j in range(M)] for i in range(M)]
    W = [[0 if i == j else draw(entries()) for j in range(M)] for i in range(M)]
    h = [draw(entries()) for _ in range(M)]
    return {"A": A, "W": W, "h": h}


def _only_input_errors(fn, *args, **kw):
    """``fn(*args, **kw)``, or None for a one-line InputError; anything else propagates."""
    try:
        return fn(*args, **kw)
    except InputError as err:
        assert "\n" not in str(err), f"refusal is not one line: {err!r}"
        return None


def _to_json(x):
    """A drawn entry as a JSON value: ints and exact strings as they are, floats by their repr."""
    return x if isinstance(x, (int, str)) else repr(float(x))


def _to_float(x) -> float:
    """A drawn entry rounded to float64, as a float file holds it (inf beyond the range: refused on load)."""
    try:
        return float(Fraction(x) if isinstance(x, str) else x)
    except OverflowError:
        return math.inf


@settings(max_examples=EXAMPLES)
@given(models())
def test_api_with_extreme_magnitudes_gives_a_result_or_an_input_error(weights):
    # exact results of 4,000-digit inputs may have more digits than Python prints by default; the
    # command line prints inside unlimited_int_digits, and so does this test
    with unlimited_int_digits():
        m = _only_input_errors(PLRNN, **weights)
        if m is None:
            return
        for mode in ("auto", "exact", "certified", "float"):
            r = _only_input_errors(check, m, "all", mode)
            if r is not None:
                json.dumps(r.to_dict(), default=str)
                r.table()
            c = _only_input_errors(derive, m, "all", mode, digits=15)
            if c is not None:
                json.dumps(c.to_dict(), default=str)
        for mode in ("float", "certified"):
            s = _only_input_errors(simulate, m, 2, z0=[0] * m.M, mode=mode, digits=15)
            if s is not None:
                json.dumps(s.to_dict(), default=str)
                s.summary()


CLI_RUNS = (["check", "--mode", "exact", "--json"], ["check", "--mode", "certified"],
            ["check", "--mode", "float", "--json"], ["derive", "--mode", "float", "--json"],
            ["derive", "--mode", "certified", "--digits", "15"], ["derive", "--mode", "exact", "--json"],
            ["simulate", "--steps", "2", "--mode", "float", "--json"], ["simulate", "--steps", "2", "--z0", "Z"],
            ["dynamics", "--json"])


@settings(max_examples=CLI_EXAMPLES, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(models(), st.sampled_from([".json", ".npz"]))
def test_readers_and_cli_with_extreme_magnitudes_exit_0_or_2(tmp_path_factory, capsys, weights, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"m{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps({k: [[_to_json(x) for x in row] if isinstance(row, list) else _to_json(row)
                                        for row in v] for k, v in weights.items()}))
    else:
        arrays = {k: np.array([[_to_float(x) for x in row] if isinstance(row, list) else _to_float(row) for row in v])
                  for k, v in weights.items()}
        np.savez(path, **arrays)
    _only_input_errors(load, path)
    z0 = ",".join(["1e308"] * len(weights["h"]))
    for run in CLI_RUNS:
        argv = [run[0], str(path), *[z0 if a == "Z" else a for a in run[1:]]]
        code = main(argv)
        _, err = capsys.readouterr()
        assert code in (0, 2), f"{argv}: exit {code}: {err}"
        assert "Traceback" not in err, err
        if code == 2:
            # one line of refusal (notes on what the file lacks, e.g. dt, may come before it)
            assert len([ln for ln in err.strip().splitlines() if not ln.startswith("note: ")]) == 1, err


@pytest.mark.parametrize("text", ["1e-400", "1e400", "-7e-399", "5e-324"])
def test_exact_strings_beyond_float_range_stay_exact(text):
    from fractions import Fraction

    m = PLRNN(A=[[text]], W=[[0]], h=[0])
    assert Fraction(int(m.A[0, 0].p), int(m.A[0, 0].q)) == Fraction(text)


# ---- one test per crash of issue 22 (each was an internal error, exit 1) ---------------------

def test_a_ii_10_to_400_is_decided_exactly_not_an_overflow_error():
    m = PLRNN(A=[["1e400", 0], [0, "1/2"]], W=[[0, 1], [1, 0]], h=[0, 0])
    for mode in ("exact", "certified"):
        r = check(m, ["10"], mode)["10"]
        assert r["invertible"].status == "holds" and r["unique_real_log"].status == "holds"
        assert r["eigenvalue_one"].status == "fails"
    with pytest.raises(InputError, match="float64 range"):
        check(m, "all", "float")


def test_rational_string_of_4300_digits_is_read_and_one_more_digit_refused_naming_the_limit(tmp_path, capsys):
    assert PLRNN(A=[["1" * 4300]], W=[[0]], h=[0]).A[0, 0] == int("1" * 4300)
    for text in ("1" * 4301, "1/" + "3" * 4301, "0." + "1" * 4301, "1e99999999", "1e" + "9" * 5000):
        with pytest.raises(InputError, match="4,300 digits"):
            PLRNN(A=[[text]], W=[[0]], h=[0])
    path = tmp_path / "long.json"
    for entry in ("1" * 5000, json.dumps("1" * 5000)):     # a JSON integer and a JSON string
        path.write_text('{"A": [[' + entry + ']], "W": [[0]], "h": [0]}')
        assert main(["check", str(path)]) == 2
        err = capsys.readouterr().err
        assert "4300" in err.replace(",", "") and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_z0_nan_inside_a_model_file_is_refused_not_a_type_error(tmp_path, suffix):
    path = tmp_path / f"m{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps({"A": [[0.5]], "W": [[0]], "h": [0], "z0": ["nan"]}))
    else:
        np.savez(path, A=[[0.5]], W=[[0]], h=[0], z0=[np.nan])
    with pytest.raises(InputError, match="finite"):
        load(path)
    with pytest.raises(InputError, match="must be numbers"):
        PLRNN(A=[[0.5]], W=[[0]], h=[0], z0=["a"])


def test_entries_near_1e300_in_float_check_are_refused_not_a_linalg_error(capsys):
    m = PLRNN(A=[[1.7e308, 0], [0, 1.7e308]], W=[[0, 1.7e308], [1e300, 0]], h=[1e300, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fn in (check, derive):
            with pytest.raises(InputError, match="float64"):
                fn(m, "all", "float")
    assert "DLASCL" not in capsys.readouterr().out      # nothing non-finite reaches LAPACK


@pytest.mark.parametrize("name", ["nan", "inf", "Infinity", "NaN", "INF", "nAn", "infinity", "oo", "zoo"])
def test_weight_strings_nan_and_inf_are_refused_not_symbol_names(name):
    with pytest.raises(InputError, match="not a finite number"):
        PLRNN(A=[[name]], W=[[0]], h=[0])
    assert main(["simulate", "--example", "chaotic", "--steps", "1", "--z0", f"{name},0,0,0,0"]) == 2


@pytest.mark.parametrize("name", ["E", "I", "pi"])
def test_weight_strings_e_i_pi_are_plain_symbols(name):
    import sympy as sp

    x = PLRNN(A=[[name]], W=[[0]], h=[0]).A[0, 0]
    assert isinstance(x, sp.Symbol) and x.name == name and x not in (sp.E, sp.I, sp.pi)


def test_z0_1e308_leaks_no_runtime_warning(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code = main(["simulate", "--example", "chaotic", "--steps", "3", "--z0", "1e308,1e308,-1e308,1e308,1e308"])
    _, err = capsys.readouterr()
    assert code in (0, 2) and "Warning" not in err and "internal error" not in err, err


def test_h_about_2_to_900_in_simulate_gives_a_result_not_an_overflow_error():
    m = PLRNN(A=[[0.5]], W=[[0]], h=[2.0**900])
    for mode in ("exact", "certified", "float"):
        r = simulate(m, 3, z0=[0], mode=mode)
        assert r.e1_counts["holds"] + r.e1_counts["fails"] + r.e1_counts["undecided"] == 3


def test_huge_steps_and_precision_are_refused_naming_the_limit(capsys):
    for argv, limit in ((["simulate", "--example", "chaotic", "--steps", str(10**14)], "out of memory"),
                        (["derive", "--example", "chaotic", "--regions", "11111", "--digits", str(10**8)], "131,072"),
                        (["check", "--example", "chaotic", "--regions", "11111", "--mode", "certified",
                          "--max-precision", str(10**11)], "131,072")):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert limit in err and len(err.strip().splitlines()) == 1, err


def test_nan_and_inf_inputs_are_refused_by_the_api():
    m = PLRNN(A=[[0.5]], W=[[0]], h=[0], C=[[1]])
    for bad in (np.nan, np.inf, -np.inf):
        with pytest.raises(InputError, match="finite"):
            simulate(m, 2, z0=[0], inputs=[[0.0], [bad]], mode="float")
        with pytest.raises(InputError, match="finite"):
            check(m, "visited", z0=[0], steps=2, inputs=[[bad], [0.0]])


def test_exact_log_of_a_huge_discriminant_is_a_log_error_not_an_overflow_error():
    # sympy's sqrt of this discriminant raised OverflowError (its perfect-power test goes through
    # float); a LogError makes derive fall back to certified arithmetic, with a note
    from plrnn_symbolic.model.regions import region_matrix
    from plrnn_symbolic.region.exactlog import exact_real_log
    from plrnn_symbolic.region.reallog import LogError

    m = PLRNN(A=[[0, 0], [0, "38741/7" + "0" * 400 + "97301"]], W=[[0, "105e263"], [-5e-324, 0]], h=[2, 1.0])
    with pytest.raises(LogError, match="square root"):
        exact_real_log(region_matrix(m, "11"), "principal")


@pytest.mark.parametrize("weights", [
    {"A": [[2, 0], [0, 2]], "W": [[0, 0], [1e300, 0]], "h": [1e300, 0]},                  # was ZeroDivisionError
    {"A": [[1e300]], "W": [[0]], "h": [0]},                                                # was NoConvergence
    {"A": [["1e1", 0], [0, "1e1"]], "W": [[0, 0], [1.7976931348623157e308, 0]], "h": [0, 0]},  # was sqrtm's
    {"A": [["1e400", 0], [0, "1/2"]], "W": [[0, 1], [1, 0]], "h": [0, 0]},                # was a false "singular"
])
def test_certified_derive_of_extreme_models_agrees_with_exact_or_is_undecided(weights):
    """The crashes and the false refusal the fuzz found in the old certified logarithm: the
    certified route through a rigorous eigenbasis gives exact mode's status or "undecided", and
    auto mode (balls, then exact) gives exact mode's status."""
    m = PLRNN(**weights)
    exact = derive(m, "all", "exact", digits=15)
    for mode in ("certified", "auto"):
        got = derive(m, "all", mode, digits=15)
        for bits, s in got.systems.items():
            assert s.status in (exact[bits].status, *(("undecided",) if mode == "certified" else ())), (mode, bits)


def test_to_dict_of_an_exact_result_longer_than_pythons_digit_limit():
    """An exact g of about 12,000 digits from 3,000-digit inputs: to_dict gives it (Python's
    int-to-string limit of 4,300 digits raised a ValueError for direct API callers)."""
    m = PLRNN(A=[["1" + "0" * 3000 + "/3"]], W=[[0]], h=["1/" + "7" * 3000])
    d = derive(m, ["0"], mode="exact").to_dict()
    assert len(d["regions"]["0"]["g_exact"]) > 4300
