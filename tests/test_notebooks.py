"""Every committed notebook executes without error (so the worked examples never rot)."""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path):
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors


def test_notebooks_plot_through_the_public_api():
    """Issue 19: the worked examples draw with ``plrnn_symbolic.plot``, never with the private renderers."""
    sources = [(NOTEBOOKS[0].parent / "build.py").read_text(encoding="utf-8")]
    sources += [p.read_text(encoding="utf-8") for p in NOTEBOOKS]
    assert not any("plrnn_symbolic.render" in s or "plot_simulation" in s for s in sources)
    assert any("plot.simulation(" in s for s in sources) and any("plot.phase(" in s for s in sources)
