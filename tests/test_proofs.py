"""The proof documents in proofs/ and the scripts that check their identities.

Each ``proofs/check_*.py`` must pass; each must fail, naming the identity, when
``PLRNN_PROOFS_MUTATE`` swaps an identity for a deliberately wrong one; the
statement numbers that the scripts, the package and proofs/README.md cite
must exist in the documents; and, where LaTeX is installed, every document
must compile.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROOFS = Path(__file__).resolve().parent.parent / "proofs"
SCRIPTS = sorted(PROOFS.glob("check_*.py"))
DOCUMENTS = sorted(PROOFS.glob("[0-9][0-9]_*.tex"))
MUTATE = "PLRNN_PROOFS_MUTATE"
KINDS = "Theorem|Lemma|Proposition|Corollary|Definition|Remark|Example"
STATEMENT = re.compile(
    r"\\begin\{(theorem|lemma|proposition|corollary|definition|remark|example)\}"
    r"(?:\[[^\]]*\])?\{(\d+\.\d+)\}"
)
README_ROW = re.compile(rf"^\|\s*`?(\d\d_\w+\.tex)`?\s*\|\s*({KINDS})\s+(\d+\.\d+)\s*\|")


def run_script(script: Path, *args: str, mutate: str | None = None):
    env = {k: v for k, v in os.environ.items() if k != MUTATE}
    if mutate is not None:
        env[MUTATE] = mutate
    return subprocess.run(
        [sys.executable, str(script), *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=PROOFS.parent,
    )


def summary(stdout: str) -> tuple[int, int]:
    """(passed, failed) from the closing line "checks: P passed, F failed"."""
    match = re.search(r"^checks: (\d+) passed, (\d+) failed$", stdout, re.MULTILINE)
    assert match, stdout
    return int(match[1]), int(match[2])


def lines_starting(stdout: str, prefix: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith(prefix)]


def statements_in(document: Path) -> list[tuple[str, str]]:
    """(Kind, number) of every statement, e.g. ("Theorem", "1.3")."""
    text = document.read_text()
    return [(kind.capitalize(), number) for kind, number in STATEMENT.findall(text)]


def test_one_check_script_per_document():
    assert DOCUMENTS, "no proof documents found"
    assert [d.stem for d in DOCUMENTS] == [s.stem.removeprefix("check_") for s in SCRIPTS]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_check_script_passes(script):
    result = run_script(script)
    assert result.returncode == 0, result.stdout + result.stderr
    passed, failed = summary(result.stdout)
    assert passed > 0 and failed == 0
    assert len(lines_starting(result.stdout, "ok  ")) == passed


def test_a_wrong_identity_is_caught():
    script = PROOFS / "check_02_affine_term_zoh.py"
    result = run_script(script, "--only", "beta_phi1_series", "beta_phi1_jordan_2", mutate="beta_phi1_series")
    assert result.returncode == 1
    assert lines_starting(result.stdout, "FAIL  beta_phi1_series")
    assert "ok  beta_phi1_jordan_2" in result.stdout.splitlines()  # the other one still passes
    assert summary(result.stdout) == (1, 1)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_every_identity_catches_its_mutation(script):
    """With every identity swapped for its wrong version, every one fails."""
    result = run_script(script, mutate="*")
    assert result.returncode == 1
    passed, failed = summary(result.stdout)
    assert passed == 0 and failed > 0
    assert len(lines_starting(result.stdout, "FAIL  ")) == failed


def test_unknown_mutation_name_is_a_usage_error():
    result = run_script(SCRIPTS[0], mutate="no_such_identity")
    assert result.returncode == 2
    assert "no_such_identity" in result.stderr


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.stem)
def test_statement_numbers_are_unique_and_prefixed(document):
    numbers = [number for _, number in statements_in(document)]
    assert numbers, f"{document.name} has no numbered statement"
    assert len(numbers) == len(set(numbers))
    prefix = str(int(document.name[:2]))
    assert all(n.split(".")[0] == prefix for n in numbers)


def test_readme_lists_exactly_the_statements():
    listed = set()
    for line in (PROOFS / "README.md").read_text().splitlines():
        match = README_ROW.match(line)
        if match:
            listed.add(match.groups())
    present = {(d.name, kind, number) for d in DOCUMENTS for kind, number in statements_in(d)}
    assert listed == present


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_scripts_cite_existing_statements(script):
    present = {f"{kind} {number}" for d in DOCUMENTS for kind, number in statements_in(d)}
    listing = run_script(script, "--list").stdout.splitlines()
    for line in listing:
        name, cited = line.split("\t")
        for ref in cited.split(", "):
            assert ref in present, f"{script.name}: {name} cites {ref!r}"


@pytest.mark.latex
@pytest.mark.skipif(
    not (shutil.which("latexmk") and shutil.which("pdflatex")),
    reason="latexmk and pdflatex are not installed",
)
@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.stem)
def test_document_compiles(document, tmp_path):
    result = subprocess.run(
        ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error",
         f"-outdir={tmp_path}", document.name],
        check=False,
        capture_output=True,
        text=True,
        cwd=PROOFS,
        timeout=300,
    )
    log = (tmp_path / (document.stem + ".log")).read_text(errors="replace")
    assert result.returncode == 0, log[-3000:]
    assert (tmp_path / (document.stem + ".pdf")).exists()
    assert not re.search(
        r"LaTeX Warning: (Reference|Citation) .* undefined|There were undefined references", log
    )
