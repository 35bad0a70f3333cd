import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.colors import to_hex

from plrnn_symbolic import InputError, check, example
from plrnn_symbolic.analysis.transform import status_of
from plrnn_symbolic.render.regionmap import COLOURS, region_map


def test_cells_are_coloured_by_status(tmp_path):
    rep = check(example("chaotic"))
    fig = region_map(rep, tmp_path / "map.png", visited=["00000"])
    assert (tmp_path / "map.png").stat().st_size > 1000
    faces = [to_hex(p.get_facecolor()) for p in fig.axes[0].patches if p.get_fill()]
    want = [COLOURS[status_of(rc.verdicts)] for rc in rep.regions.values()]
    assert sorted(faces) == sorted(want)
    assert faces.count(COLOURS["lifted"]) == 11


def test_too_many_units_is_refused():
    from plrnn_symbolic import PLRNN

    m = PLRNN(A=[[0.5 if i == j else 0 for j in range(13)] for i in range(13)], W=[[0] * 13] * 13, h=[0] * 13)
    rep = check(m, regions=["0" * 13])
    with pytest.raises(InputError, match="2\\^13"):
        region_map(rep)
