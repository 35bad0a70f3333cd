"""The public API across the move to layered subpackages."""

import importlib
import sys

import pytest

import plrnn_symbolic as ps


@pytest.mark.parametrize("old, new", [("transform", "analysis.transform"), ("io", "model.files"),
                                      ("spectrum", "region.spectrum"), ("numbers", "core.conversion"),
                                      ("latex", "render.latex")])
def test_old_module_paths_still_import_with_a_warning(old, new):
    sys.modules.pop(f"plrnn_symbolic.{old}", None)
    with pytest.warns(DeprecationWarning, match=f"plrnn_symbolic.{new}"):
        mod = importlib.import_module(f"plrnn_symbolic.{old}")
    assert mod is importlib.import_module(f"plrnn_symbolic.{new}")
    # the module keeps its own spec, so its relative imports raise no ImportWarning afterwards
    assert mod.__spec__.name == f"plrnn_symbolic.{new}" and mod.__spec__.parent == mod.__package__


def test_the_functions_keep_their_names():
    # check, simulate and dynamics are functions, never shadowed by a module of the same name
    for name in ("check", "derive", "simulate", "dynamics", "load", "save", "example"):
        assert callable(getattr(ps, name)), name
    assert set(ps.__all__) <= set(dir(ps))
