"""The LaTeX document for a paper (plrnn_symbolic.render.latex, issues 6 and 17)."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from plrnn_symbolic import PLRNN, InputError, derive, example, list_examples
from plrnn_symbolic.render.latex import STATEMENTS, compile_pdf, derivation_document, tex_escape, write_derivation

ROOT = Path(__file__).resolve().parents[1]
HAVE_LATEX = shutil.which("latexmk") is not None and shutil.which("pdflatex") is not None
HAVE_PDFTOOLS = shutil.which("pdftoppm") is not None and shutil.which("pdfinfo") is not None


def two_by_two() -> PLRNN:
    """Rational weights, dt = 1/10: every region has an exact (closed-form) logarithm."""
    return PLRNN(A=[["1/2", 0], [0, "3/4"]], W=[[0, "1/4"], ["-1/2", 0]], h=["1/10", "-1/5"], dt="1/10",
                 name="two_by_two")


def trained_like(M: int, seed: int = 0) -> PLRNN:
    """A model as a training code writes it: float64 arrays, A = diag(a) with a_ii in (0, 1), W with a
    zero diagonal scaled so that |A| + |W| < 1 in the spectral norm (every trajectory stays bounded)."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.2, 0.95, M)
    W = rng.normal(0.0, 1.0, (M, M))
    np.fill_diagonal(W, 0.0)
    W *= (0.99 - a.max()) / np.linalg.norm(W, 2)
    h = rng.normal(0.0, 0.5, M)
    return PLRNN(A=np.diag(a), W=W, h=h, dt=1.0, name=f"trained_{M}")


def visited(model: PLRNN, starts: int = 8, steps: int = 40, seed: int = 0) -> list[str]:
    """The regions that trajectories from a few random states visit (as on held-out data)."""
    rng = np.random.default_rng(seed)
    seen: dict[str, None] = {}
    for _ in range(starts):
        for z in model.trajectory(rng.normal(0.0, 1.0, model.M), steps):
            seen["".join("1" if v > 0 else "0" for v in z)] = None
    return list(seen)


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


def block(tex: str, bits: str) -> str:
    return tex.split(rf"\label{{region:{bits}}}")[1].split(r"\subsection")[0].split(r"\section")[0]


@pytest.fixture(scope="module")
def two_tex() -> str:
    return derivation_document(two_by_two())


def test_decimals_by_default_aligned(two_tex):
    assert balanced(two_tex)
    assert r"\Delta t = \frac{1}{10}" in two_tex
    section = block(two_tex, "00")
    # W_Omega = diag(1/2, 3/4), L = 10 diag(log(1/2), log(3/4)), g = beta(Log W) h / dt
    L = [10 * np.log(0.5), 10 * np.log(0.75)]
    assert f"{L[0]:.5f}" in section and f"{L[1]:.5f}" in section      # one decimal place set per matrix
    assert r"\left(L \mid g\right) \approx" in section and "{rr|r}" in section
    assert r"\log{" not in section                                      # no closed form unless asked


def test_exact_on_request():
    tex = derivation_document(two_by_two(), exact=True)
    cont = derive(two_by_two(), mode="exact")
    for bits, s in cont.systems.items():
        section = block(tex, bits)
        assert re.search(r"\\left\(L \\mid g\\right\)(_\{[^}]*\})? =", section)
        for x in s.L_exact:
            assert sp.latex(x) in section
    assert r"- 10 \log{\left(2 \right)}" in tex
    assert r"a^{\top} = \left(\begin{array}{cc}" in tex and r"\frac{1}{2} & \frac{3}{4}" in tex


def test_summary_table_and_blocks(two_tex):
    for bits in ("00", "01", "10", "11"):
        assert rf"\label{{region:{bits}}}" in two_tex
    assert two_tex.count(r"\subsection*{Region") == 4
    summary = two_tex.split(r"\section{Summary of the regions}")[1].split(r"\section")[0]
    assert r"$\rho(W_\Omega)$" in summary and "pairs" in summary
    assert "Real fixed points lie in region \\texttt{10}" in summary
    assert r"\mu = \log(\lambda)/\Delta t" in two_tex


def test_citations_by_name_in_an_appendix_without_paths(two_tex):
    assert "proofs/" not in two_tex and ".tex" not in two_tex
    appendix = two_tex.split(r"\appendix")[1]
    for key in ("principal_log", "embedding", "beta", "eigenvalue_map"):
        st = STATEMENTS[key]
        assert f"\\label{{{st.label}}}" in appendix and st.name in appendix
        assert f"\\hyperref[{st.label}]{{{st.number}}} ({st.name})" in two_tex.split(r"\appendix")[0]
    cited = set(re.findall(r"\\hyperref\[(stmt:[^]]+)\]", two_tex))
    stated = set(re.findall(r"\\label\{(stmt:[^}]+)\}", appendix))
    assert cited == stated                  # every citation is stated, and only those


def test_citations_match_proofs_readme():
    text = (ROOT / "proofs" / "README.md").read_text()
    for key, st in STATEMENTS.items():
        line = next((ln for ln in text.splitlines() if st.document in ln and f"| {st.number} |" in ln), None)
        assert line is not None, f"{key}: {st.number} of {st.document} is not in proofs/README.md"
        doc = (ROOT / "proofs" / st.document).read_text()
        assert "{" + st.number.split()[1] + "}" in doc, key


@pytest.mark.parametrize("name", [n for n, _ in list_examples()])
def test_examples(name):
    m = example(name)
    tex = derivation_document(m, regions="visited" if m.M > 6 else "all", mode="auto")
    assert balanced(tex)
    assert tex.startswith(r"\documentclass") and tex.rstrip().endswith(r"\end{document}")
    assert tex_escape(m.name) in tex and "proofs/" not in tex
    assert (" + C s_t" in tex) == (m.C is not None)          # input terms only when the model has inputs
    assert (r"\mid B" in tex) == (m.C is not None and r"\left(L \mid g" in tex)


def test_example_statuses():
    chaotic = derivation_document(example("chaotic"), mode="auto")
    assert r"status \textbf{lifted}" in chaotic and "Theorem 3.9" in chaotic
    gate = derivation_document(example("input_driven"), mode="auto")
    assert r"status \textbf{no ODE}" in gate and "Theorem 4.3" in gate and "Proposition 4.6" in gate
    assert "of any dimension reproduces every step through an invariant embedding" in gate
    assert r"\left(L" not in gate.split(r"\section{The regions}")[1]


def test_messages_fit_the_mode():
    m = example("limit_cycle")
    for mode in ("exact", "auto"):
        assert "raise the precision" not in derivation_document(m, ["111111"], mode)
        assert "more digits" not in derivation_document(m, ["111111"], mode)
    assert "not} proofs" in derivation_document(m, ["111111"], "float")


def test_regions_given_and_rounding():
    m = example("limit_cycle")
    tex = derivation_document(m, regions=["111111", "000000"], mode="float", digits=3)
    assert tex.count(r"\subsection*{Region") == 2
    section = block(tex, "111111")
    matrix = section.split(r"\begin{array}")[1].split(r"\end{array}")[0]
    numbers = re.findall(r"-?\d+\.\d+", matrix)
    assert numbers and max(len(x.lstrip("-").replace(".", "").lstrip("0")) for x in numbers) == 3


def test_piecewise_system():
    m = example("chaotic")
    tex = derivation_document(m, regions=["11110", "11111", "00000"], mode="auto", piecewise=True)
    part = tex.split(r"\section{The model as one piecewise system}")[1]
    assert r"L_{\Omega(z)}\, z + g_{\Omega(z)}" in part
    assert r"$z_i > 0$ for $i \in \{$1, 2, 3, 4$\}$, $z_i \le 0$ otherwise" in part
    assert r"$z_i \le 0$ for every $i$" in part and r"\pageref{region:11111}" in part
    assert balanced(tex)


def test_large_matrices_split_into_column_blocks():
    tex = derivation_document(trained_like(30), regions="visited", mode="auto", steps=100)
    assert r"\resizebox" not in tex and r"\tiny" not in tex and r"\scriptsize" not in tex
    assert r"\left(W\right)_{:,\,1\text{--}" in tex          # the labels name the columns (no double subscript)
    for arr in re.findall(r"\\begin\{array\}\{([^}]*)\}", tex):
        assert len(arr.replace("|", "")) <= 11


def symbolic_model() -> PLRNN:
    a = sp.Symbol("a", positive=True)
    return PLRNN(A=[[a, 0], [0, sp.Rational(1, 2)]], W=[[0, 0], [1, 0]], h=[1, 0], name="symbolic")


def test_symbolic_closed_forms_with_their_conditions():
    tex = derivation_document(symbolic_model(), mode="exact")
    section = block(tex, "10")
    # the 0/0 points of the closed forms are cases of their own: a = 1/2 (double eigenvalue), a = 1 (eigenvalue 1)
    assert r"\text{for}\: a = \frac{1}{2}" in section and r"\text{for}\: a = 1" in section
    assert "nan" not in section.lower() and r"\left|" not in section
    assert r"valid for the parameter values where \texttt{principal\_log} holds" in section
    assert r"\texttt{eigenvalue\_one}: $a = 1$" in section
    assert "proofs/" not in tex and "raise the precision" not in tex and balanced(tex)


def escaping_model():
    return PLRNN(A=[[0.5]], W=[[0]], h=[1], name="net_1 & 50% {x}")


def test_escaping():
    tex = derivation_document(escaping_model())
    assert r"net\_1 \& 50\% \{x\}" in tex
    assert balanced(tex)


def test_write_derivation(tmp_path):
    path = write_derivation(two_by_two(), tmp_path / "d.tex", regions=["10"])
    assert path == tmp_path / "d.tex" and path.read_text().count(r"\subsection*{Region") == 1
    with pytest.raises(InputError, match=r"\.tex"):
        write_derivation(two_by_two(), tmp_path / "d.pdf")
    with pytest.raises(InputError, match="no such folder"):
        write_derivation(two_by_two(), tmp_path / "sub" / "d.tex")
    assert not (tmp_path / "sub").exists()


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


# ---- compiled ------------------------------------------------------------------------------
def overfull_pt(log: str) -> list[float]:
    return [float(x) for x in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]


def compiled(tmp_path: Path, model: PLRNN, regions, **kw) -> tuple[Path, str, float]:
    tex = write_derivation(model, tmp_path / f"{model.name or 'model'}.tex", regions, mode="auto", **kw)
    t = time.perf_counter()
    pdf = compile_pdf(tex, keep_log=True)
    return pdf, pdf.with_suffix(".log").read_text(errors="replace"), time.perf_counter() - t


@pytest.mark.latex
@pytest.mark.skipif(not HAVE_LATEX, reason="latexmk and pdflatex are needed")
@pytest.mark.parametrize("which", ["two_by_two", "symbolic", *(n for n, _ in list_examples())])
def test_every_example_compiles_without_overfull_boxes(tmp_path, which):
    model = {"two_by_two": two_by_two, "symbolic": symbolic_model}.get(which, lambda: example(which))()
    regions = "visited" if model.M > 6 else "all"
    pdf, log, _ = compiled(tmp_path, model, regions, piecewise=True)
    assert pdf.stat().st_size > 10_000
    assert "Undefined control sequence" not in log and "Missing" not in log
    assert all(w <= 5.0 for w in overfull_pt(log)), overfull_pt(log)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([pdf.name, pdf.with_suffix(".tex").name,
                                                                  pdf.with_suffix(".log").name])


def pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", out).group(1))


@pytest.mark.latex
@pytest.mark.skipif(not (HAVE_LATEX and HAVE_PDFTOOLS), reason="TeX Live and poppler-utils are needed")
@pytest.mark.parametrize("M", [10, 20, 30])
def test_trained_models_compile(tmp_path, M):
    """Trained models of 10 (bundled), 20 and 30 units, their visited regions: no overfull box wider than
    5 pt; for the 10-unit model at most 2 pages per region plus the summary."""
    model = example("vdp_trained") if M == 10 else trained_like(M, seed=M)
    pdf, log, seconds = compiled(tmp_path, model, "visited" if M == 10 else visited(model), piecewise=True)
    assert all(w <= 5.0 for w in overfull_pt(log)), overfull_pt(log)
    n_regions = pdf.with_suffix(".tex").read_text().count(r"\subsection*{Region")
    assert n_regions >= 1 and seconds < 120
    if M == 10:
        assert pages(pdf) <= 2 * n_regions + 3        # title, model and summary: 3 pages at most
        # every region's L | g in one block (lifted regions too: 11 + 1 columns), never below \footnotesize
        tex = pdf.with_suffix(".tex").read_text()
        assert tex.count(r"\left(L \mid g\right) \approx") == n_regions
        assert r"\left(L \mid g\right)_{" not in tex
        assert r"\scriptsize" not in tex and r"\tiny" not in tex


@pytest.mark.latex
@pytest.mark.skipif(not (HAVE_LATEX and HAVE_PDFTOOLS), reason="TeX Live and poppler-utils are needed")
def test_first_pages_render_to_png(tmp_path):
    pdf, _, _ = compiled(tmp_path, example("vdp_trained"), "visited")
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "3", str(pdf), str(tmp_path / "page")],
                   check=True, capture_output=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == 3
    for png in pngs:
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000


@pytest.mark.latex
@pytest.mark.skipif(not HAVE_LATEX, reason="latexmk and pdflatex are needed")
def test_compile_error_is_reported(tmp_path):
    bad = tmp_path / "bad.tex"
    bad.write_text("\\documentclass{article}\\begin{document}\\undefinedmacro\\end{document}\n")
    with pytest.raises(InputError, match="LaTeX failed"):
        compile_pdf(bad)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.log", "bad.tex"]


def test_the_observation_equation_is_shown_only_for_a_model_with_one():
    """x = B z (the file's observation matrix) appears when the model has one, never otherwise."""
    from plrnn_symbolic import PLRNN

    with_b = PLRNN(A=[[0.5, 0], [0, 0.4]], W=[[0, 0.2], [0.1, 0]], h=[0.1, 0.2], observation=[[1, 0]])
    without = PLRNN(A=[[0.5, 0], [0, 0.4]], W=[[0, 0.2], [0.1, 0]], h=[0.1, 0.2])
    assert r"x_t = B z_t" in derivation_document(with_b, ["00"])
    assert r"x_t = B z_t" not in derivation_document(without, ["00"])


# ---- every form of the family (issue 16) ------------------------------------------------------
def family_models() -> dict:
    """One small model of each form, float weights as a training code writes them."""
    from plrnn_symbolic.model.family import ALRNN, DendPLRNN, ReluRNN, ShallowPLRNN

    W = [[0, 0.3, -0.2], [0.2, 0, 0.1], [-0.1, 0.25, 0]]
    shallow = {"A": [0.5, 0.6], "W1": [[0.1, 0, 0.2], [0, 0.15, 0.1]], "W2": [[1, 0], [0, 1], [1, 1]],
               "h1": [0.1, -0.1], "h2": [0, 0.2, -0.5]}
    dend = {"A": [0.5, 0.6], "W": [[0, 0.3], [0.2, 0]], "h0": [0.1, 0], "alpha": [1, -0.5], "H": [[0, 1], [-0.5, 2]]}
    return {
        "alrnn": ALRNN(A=[0.5, 0.6, 0.7], W=W, h=[0.1, 0, -0.1], P=2, name="alrnn"),
        "dend": DendPLRNN(**dend, name="dend"),
        "dend-clipped": DendPLRNN(**dend, clipped=True, name="dend_clipped"),
        "dend-per-unit": DendPLRNN(A=[0.5, 0.6], W=[[0, 0.3], [0.2, 0]], h0=[0.1, 0], alpha=[[1, -0.5], [0.5, 0.25]],
                                   H=[[0, 1], [-0.5, 2]], name="dend_per_unit"),
        "shallow": ShallowPLRNN(**shallow, name="shallow"),
        "shallow-clipped": ShallowPLRNN(**shallow, clipped=True, name="shallow_clipped"),
        "relu": ReluRNN(A=[[0.5, 0.1], [0, 0.5]], W1=[[1], [-1]], W2=[[1, 1]], h1=[0, 0], h2=[-1], name="relu"),
    }


FORM_TEXT = {"alrnn": ("almost-linear", "NeurIPS 2024"), "dend": ("dendritic PLRNN", "ICML 2022"),
             "dend-clipped": ("clipped dendritic PLRNN", "ICML 2022"), "dend-per-unit": ("dendritic", "ICML 2022"),
             "shallow": ("shallow PLRNN", "ICML 2023"), "shallow-clipped": ("clipped shallow PLRNN", "ICML 2023"),
             "relu": ("general form", "Lemma 7.7")}


@pytest.mark.parametrize("which", list(FORM_TEXT))
def test_every_form_in_its_own_terms(which):
    """The model's own equation and paper; its regions named as the model names them; W_Omega, h_Omega per
    region equal to the model's region map; the piecewise conditions on the pre-activations."""
    from plrnn_symbolic.model.regions import cells, region_affine

    model = family_models()[which]
    names, _ = cells(model)
    tex = derivation_document(model, "all", piecewise=True)
    assert balanced(tex) and "proofs/" not in tex
    words, paper = FORM_TEXT[which]
    assert words in tex and paper in tex
    assert tex.count(r"\subsection*{Region") == len(names)
    for name in names:
        section = block(tex, name)
        assert f"\\texttt{{{name}}}" in tex.split(r"\section{The model as one piecewise system}")[1]
        if which in ("shallow", "shallow-clipped", "relu", "dend", "dend-clipped", "dend-per-unit"):
            h = np.array(region_affine(model, name)[1].tolist(), dtype=float).ravel()
            row = section.split(r"h_\Omega^{\top}")[1].split(r"\end{array}")[0]
            shown = [float(x) for x in re.findall(r"-?\d+\.\d+|(?<![\d.])-?\d+(?![\d.])", row.split("}", 2)[-1])]
            np.testing.assert_allclose(shown, h, atol=1e-5)
    part = tex.split(r"\section{The model as one piecewise system}")[1]
    if which.startswith("shallow") or which == "relu":
        assert r"$\xi_k > 0$" in part and r"\xi(z)" in tex
    if which == "alrnn":       # conditions only on the ReLU units 2 and 3, never on the linear unit 1
        assert r"$z_i > 0$ for $i \in \{$2, 3$\}$" in part and "ReLU units 2 and 3" in tex
        assert r"\{$1" not in part


def test_dendritic_conditions_are_the_thresholds():
    """Region '12' of the dendritic model: unit 1 has passed 1 of its thresholds {0, 1}, unit 2 both of
    {-0.5, 2}: 0 < z_1 <= 1 and 2 < z_2; its slopes c are the alphas of the thresholds passed."""
    model = family_models()["dend"]
    tex = derivation_document(model, ["12"], piecewise=True)
    part = tex.split(r"\section{The model as one piecewise system}")[1]
    assert r"$0 < z_{1} \le 1$, $2.00000 < z_{2}$" in part or r"$0 < z_{1} \le 1$, $2 < z_{2}$" in part
    section = block(tex, "12")
    assert r"c_\Omega^{\top}" in section
    row = section.split(r"c_\Omega^{\top}")[1].split(r"\end{array}")[0].split("}", 2)[-1]
    assert [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", row)] == [1.0, 0.5]    # alpha_1; alpha_1 + alpha_2


def test_family_fixed_points_are_placed_by_the_preactivations():
    """The fixed point of each region is 'real' exactly when the model's own region_of puts it there."""
    from plrnn_symbolic.model.regions import region_affine

    model = family_models()["shallow"]
    tex = derivation_document(model, "all")
    summary = tex.split(r"\section{Summary of the regions}")[1].split(r"\section")[0]
    found = re.findall(r"\\texttt\{([01]+)\}\}? & principal", summary)
    assert len(found) >= 4
    for name in found:
        H, h = region_affine(model, name)
        z = np.linalg.solve(np.eye(2) - np.array(H.tolist(), dtype=float), np.array(h.tolist(), dtype=float).ravel())
        row = next(r for r in summary.splitlines() if f"{{{name}}}" in r)
        assert row.rstrip(" \\").endswith("real" if model.region_of(z) == name else "virtual"), (name, row)


@pytest.mark.latex
@pytest.mark.skipif(not HAVE_LATEX, reason="latexmk and pdflatex are needed")
@pytest.mark.parametrize("which", list(FORM_TEXT))
def test_every_form_compiles_without_overfull_boxes(tmp_path, which):
    pdf, log, _ = compiled(tmp_path, family_models()[which], "all", piecewise=True)
    assert pdf.stat().st_size > 10_000
    assert "Undefined control sequence" not in log and "Missing" not in log
    assert all(w <= 5.0 for w in overfull_pt(log)), overfull_pt(log)


def two_parameter_model() -> PLRNN:
    a, b = sp.symbols("a b", positive=True)
    return PLRNN(A=[[a, 0], [0, sp.Rational(1, 2)]], W=[[0, 1], [-b, 0]], h=[1, 1], name="two_parameters")


@pytest.mark.latex
@pytest.mark.skipif(not HAVE_LATEX, reason="latexmk and pdflatex are needed")
def test_two_parameter_closed_forms_compile_within_the_margins(tmp_path):
    """The relation b = (a - 1/2)^2/4 is a case of its own in region 11; closed forms too long for a displayed
    line are written as breakable text, so no overfull box wider than 5 pt."""
    model = two_parameter_model()
    tex = write_derivation(model, tmp_path / "two.tex", ["11", "10"], mode="exact", piecewise=True)
    section = block(tex.read_text(), "11")
    assert r"\text{for}\: b = \frac{a^{2}}{4} - \frac{a}{4} + \frac{1}{16}" in section
    assert "Eq(b, a**2/4 - a/4 + 1/16)" in section            # a long entry, in sympy's notation
    log = compile_pdf(tex, keep_log=True).with_suffix(".log").read_text(errors="replace")
    assert all(w <= 5.0 for w in overfull_pt(log)), overfull_pt(log)


def test_more_digits_than_float64_come_from_the_certified_balls():
    """digits = 30: L is shown to 30 digits, read from the certified balls (never float64 noise), and agrees
    with mpmath's logm at 50 digits, an independent route; eigenvalues stay at float64's 15 digits."""
    import mpmath

    from plrnn_symbolic.model.regions import region_matrix

    m = example("limit_cycle")
    H = region_matrix(m, "111111")
    with mpmath.workdps(50):
        L = mpmath.logm(mpmath.matrix([[mpmath.mpf(x.p) / x.q for x in r] for r in H.tolist()]))
        want = [[mpmath.nstr(L[i, j], 40) for j in range(m.M)] for i in range(m.M)]
    for mode in ("certified", "exact"):
        tex = derivation_document(m, ["111111"], mode, 30, derivation=derive(m, ["111111"], mode, 30))
        section = block(tex, "111111")
        matrices = section.split(r"\begin{longtable}")[0].split(r"\begin{array}")[1:]     # the column blocks of L | g
        cells = [[] for _ in range(m.M)]
        for arr in matrices:
            for i, r in enumerate(arr.split(r"\end{array}")[0].split("\n")[1:m.M + 1]):
                cells[i] += r.rstrip(" \\").split(" & ")
        assert len(matrices) > 1 and all(len(r) == m.M + 1 for r in cells)
        numbers = [c for r in cells for c in r]
        assert max(len(x.lstrip("-").replace(".", "").lstrip("0")) for x in numbers) == 30
        places = max(len(x.split(".")[1]) for x in numbers if "." in x)
        for i in range(m.M):
            for j in range(m.M):
                err = abs(mpmath.mpf(cells[i][j]) - mpmath.mpf(want[i][j]))
                assert err <= mpmath.mpf(10) ** -places * mpmath.mpf("0.51"), (i, j, err)
        assert "midpoints of certified balls, to 30 digits" in section
        eig = section.split(r"\begin{longtable}")[1]
        assert max(len(x.lstrip("-").replace(".", "").lstrip("0")) for x in re.findall(r"-?\d+\.\d+", eig)) <= 15
