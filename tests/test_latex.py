"""The LaTeX derivation document (plrnn_symbolic.render.latex, issue 6)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import sympy as sp

from plrnn_symbolic import PLRNN, InputError, derive, example, list_examples
from plrnn_symbolic.region.predicates import PREDICATES
from plrnn_symbolic.render.latex import STATEMENTS, compile_pdf, derivation_document, tex_escape, write_derivation

ROOT = Path(__file__).resolve().parents[1]
HAVE_LATEX = shutil.which("latexmk") is not None and shutil.which("pdflatex") is not None


def two_by_two() -> PLRNN:
    """Rational weights, dt = 1/10: every region has an exact (closed-form) logarithm."""
    return PLRNN(A=[["1/2", 0], [0, "3/4"]], W=[[0, "1/4"], ["-1/2", 0]], h=["1/10", "-1/5"], dt="1/10",
                 name="two_by_two")


def balanced(tex: str) -> bool:
    """Braces balance (ignoring escaped ones) and every environment is closed."""
    depth = 0
    for m in re.finditer(r"(?<!\\)[{}]", tex):
        depth += 1 if m.group() == "{" else -1
        if depth < 0:
            return False
    envs = re.findall(r"\\(begin|end)\{(\w+\*?)\}", tex)
    stack = []
    for kind, name in envs:
        if kind == "begin":
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return depth == 0 and not stack


@pytest.fixture(scope="module")
def two_tex() -> str:
    return derivation_document(two_by_two())


def test_two_by_two_shows_exact_logarithms(two_tex):
    cont = derive(two_by_two(), mode="exact")
    assert balanced(two_tex)
    assert r"\Delta t = \frac{1}{10}" in two_tex
    assert r"\frac{1}{10}" in two_tex and r"- \frac{1}{5}" in two_tex      # h, exactly
    for bits, s in cont.systems.items():
        assert s.L_exact is not None, bits
        section = two_tex.split(rf"\label{{region:{bits}}}")[1].split(r"\subsection")[0]
        L_line = next(line for line in section.splitlines() if "displaystyle L =" in line)
        assert r"\log" in L_line                                             # L printed exactly
        for x in s.L_exact:                                                  # by sympy's printer
            assert sp.latex(x) in L_line
        assert r"\approx" in section                                         # and its rounded companion
    # region 00: W_Omega = diag(1/2, 3/4), L = 10 diag(log(1/2), log(3/4))
    assert r"- 10 \log{\left(2 \right)}" in two_tex
    # the real fixed point lies in region 10; its coordinates are exact fractions
    assert r"Real fixed points lie in region \texttt{10}" in two_tex


def test_two_by_two_every_region_in_detail(two_tex):
    for bits in ("00", "01", "10", "11"):
        assert rf"\label{{region:{bits}}}" in two_tex
    assert two_tex.count(r"\subsection{Region") == 4
    for name in PREDICATES:
        assert rf"\texttt{{{tex_escape(name)}}}" in two_tex
    assert "Characteristic polynomial" in two_tex and r"\mu = \log(\lambda)/\Delta t" in two_tex
    assert "Residuals" in two_tex and "Fixed point" in two_tex


def test_cites_the_proofs(two_tex):
    for key in ("principal_log", "embedding", "beta", "augmented"):
        path, statement = STATEMENTS[key]
        assert statement in two_tex
        assert tex_escape(path).replace("/", r"/\allowbreak{}").replace(r"\_", r"\_\allowbreak{}") in two_tex


def test_citations_match_proofs_readme():
    readme = ROOT / "proofs" / "README.md"
    if not readme.is_file():
        pytest.skip("proofs/README.md not written yet")
    text = readme.read_text()
    for key, (path, statement) in STATEMENTS.items():
        name = Path(path).name
        assert name in text, f"{key}: {name} is not in proofs/README.md"
        if statement:
            line = next((ln for ln in text.splitlines() if name in ln and statement in ln), None)
            assert line is not None or statement in text, f"{key}: {statement} of {name} not in proofs/README.md"


@pytest.mark.parametrize("name", [n for n, _ in list_examples()])
def test_examples(name):
    m = example(name)
    tex = derivation_document(m)
    assert balanced(tex)
    assert tex.startswith(r"\documentclass") and tex.rstrip().endswith(r"\end{document}")
    assert r"\section{Summary of the regions}" in tex
    n_regions = 2**m.M
    n_detail = tex.count(r"\subsection{Region")
    assert (n_detail == n_regions) if n_regions <= 16 else (1 <= n_detail < n_regions)
    assert tex_escape(m.name) in tex


def test_example_statuses():
    chaotic = derivation_document(example("chaotic"))
    assert "Status: \\textbf{lifted}" in chaotic and "Theorem 3.9" in chaotic
    assert r"\in [" in chaotic                                    # certified enclosures of cubic roots
    gate = derivation_document(example("input_driven"))
    assert "Status: \\textbf{impossible}" in gate and "Theorem 4.3" in gate
    assert "continuous-time system" not in gate.split(r"\section{Derivation by region}")[1]
    memory = derivation_document(example("regularized"))
    assert r"$1$ is an eigenvalue of $W_\Omega$" in memory


def test_regions_given_and_rounding():
    m = example("limit_cycle")
    tex = derivation_document(m, regions=["111111", "000000"], mode="float", digits=3)
    assert tex.count(r"\subsection{Region") == 2
    assert r"\label{region:111111}" in tex and r"\label{region:000000}" in tex
    assert "not} proofs" in tex                                    # float mode says so
    L_line = next(line for line in tex.splitlines() if "displaystyle L \\approx" in line)
    numbers = re.findall(r"-?\d+\.\d+", L_line)
    assert numbers and all(len(x.lstrip("-").replace(".", "").lstrip("0")) <= 3 for x in numbers)


def test_escaping():
    m = PLRNN(A=[[0.5]], W=[[0]], h=[1], name="net_1 & 50% {x}")
    tex = derivation_document(m)
    assert r"net\_1 \& 50\% \{x\}" in tex
    assert balanced(tex)


def test_write_derivation(tmp_path):
    path = write_derivation(two_by_two(), tmp_path / "sub" / "d.tex", regions=["10"])
    assert path == tmp_path / "sub" / "d.tex" and path.read_text().count(r"\subsection{Region") == 1
    with pytest.raises(InputError, match=r"\.tex"):
        write_derivation(two_by_two(), tmp_path / "d.pdf")


def test_compile_pdf_without_latex(tmp_path, monkeypatch):
    tex = write_derivation(two_by_two(), tmp_path / "d.tex", regions=["10"])
    monkeypatch.setenv("PATH", str(tmp_path))          # no LaTeX on PATH
    with pytest.raises(InputError, match="no LaTeX installation found"):
        compile_pdf(tex)
    with pytest.raises(InputError, match="no LaTeX installation found"):
        write_derivation(two_by_two(), tmp_path / "e.tex", regions=["10"], pdf=True)
    monkeypatch.setattr("plrnn_symbolic.render.latex.shutil.which", lambda name: None)
    with pytest.raises(InputError, match="no LaTeX installation found"):
        compile_pdf(tex)
    with pytest.raises(InputError, match="no such LaTeX file"):
        compile_pdf(tmp_path / "missing.tex")


@pytest.mark.latex
@pytest.mark.skipif(not HAVE_LATEX, reason="latexmk and pdflatex are needed")
@pytest.mark.parametrize("which", ["two_by_two", "chaotic"])
def test_compiles(tmp_path, which):
    model = two_by_two() if which == "two_by_two" else example(which)
    pdf = write_derivation(model, tmp_path / f"{which}.tex", pdf=True)
    assert pdf.suffix == ".pdf" and pdf.stat().st_size > 10_000
    log = pdf.with_suffix(".log").read_text(errors="replace")
    assert "Undefined control sequence" not in log and "Missing" not in log


@pytest.mark.latex
@pytest.mark.skipif(not HAVE_LATEX, reason="latexmk and pdflatex are needed")
def test_compile_error_is_reported(tmp_path):
    bad = tmp_path / "bad.tex"
    bad.write_text("\\documentclass{article}\\begin{document}\\undefinedmacro\\end{document}\n")
    with pytest.raises(InputError, match="LaTeX failed"):
        compile_pdf(bad)
