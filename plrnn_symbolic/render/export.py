"""The derived region systems as a runnable Python, Julia or MATLAB/Octave function
(``plrnn-symbolic derive --export py|jl|m FILE``).

The file holds every derived region's L, g (and B, G, P) as numbers written to round trip
(17 significant digits, so the floats read back are the floats derived) and two functions:
``vector_field(z[, s])``, dz/dt = L z + g + B s of the region of z (M-dimensional regions), and
``step(z[, s])``, one sample-and-hold step P Phi_dt(G z), the hybrid system of THEORY E3 (lifted
regions included).  A state in a region that was not derived raises an error that names it.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..core.errors import InputError

__all__ = ["LANGUAGES", "export_systems", "systems_source"]

LANGUAGES = {"py": "Python", "jl": "Julia", "m": "MATLAB/Octave"}


def _num(x) -> str:
    x = float(x)
    return repr(x) if np.isfinite(x) else "NaN" if np.isnan(x) else ("Inf" if x > 0 else "-Inf")


def _rows(A: np.ndarray, row_sep: str, col_sep: str, open_: str, close: str, row_open="", row_close="") -> str:
    A = np.atleast_2d(A)
    return open_ + row_sep.join(row_open + col_sep.join(_num(v) for v in row) + row_close for row in A) + close


def _julia_matrix(A: np.ndarray) -> str:
    """reshape([...], r, c): a Julia Matrix for any shape (``[x]`` or ``[a; b]`` would be a Vector)."""
    A = np.atleast_2d(A)
    return f"reshape([{', '.join(_num(v) for v in A.ravel(order='F'))}], {A.shape[0]}, {A.shape[1]})"


def _derived(cont) -> list:
    systems = [(b, s) for b, s in cont.systems.items() if s.derived]
    if not systems:
        raise InputError("no region has a derived continuous-time system to export")
    return systems


def _header(cont, comment: str) -> str:
    m = cont.model
    skipped = [b for b, s in cont.systems.items() if not s.derived]
    lines = [f"Continuous-time systems of the PLRNN {m.name or '(unnamed)'} (M = {m.M}, K = {m.K}, dt = {m.dt}),",
             f"derived by plrnn_symbolic in mode {cont.mode}: in region d (unit 1 first, d_i = 1 iff z_i > 0)",
             "dz/dt = L z + g + B s; a lifted region's flow lives in N > M coordinates, entered by G, read by P.",
             f"{len(cont.systems) - len(skipped)} regions" +
             (f"; not derived (no system): {', '.join(skipped[:8])}{' ...' if len(skipped) > 8 else ''}" if skipped
              else "")]
    return "\n".join(f"{comment} {line}" for line in lines) + "\n"


# after the SYSTEMS table: the region of z, the vector field and one sample-and-hold step (Python)
_PYTHON_FUNCTIONS = '''}


def region(z):
    """The region of z: "1" for each unit with z_i > 0, unit 1 first."""
    return "".join("1" if x > 0 else "0" for x in z)


def _system(z):
    key = region(z)
    if key not in SYSTEMS:
        raise ValueError(f"region {key} was not derived (or has no continuous-time system)")
    return SYSTEMS[key]


def _input(sys, s):
    return sys["g"] if s is None or "B" not in sys else sys["g"] + sys["B"] @ np.asarray(s, dtype=float)


def vector_field(z, s=None):
    """dz/dt = L z + g (+ B s) of the region of z (an M-dimensional region)."""
    z = np.asarray(z, dtype=float)
    sys = _system(z)
    if sys["L"].shape[0] != M:
        raise ValueError(f"region {region(z)} is {sys['status']}: use step")
    return sys["L"] @ z + _input(sys, s)


def step(z, s=None):
    """One sample-and-hold step: P Phi_dt(G z), the exact flow of the region of z for time DT."""
    z = np.asarray(z, dtype=float)
    sys = _system(z)
    N = sys["L"].shape[0]
    aug = np.zeros((N + 1, N + 1))
    aug[:N, :N] = sys["L"] * DT
    aug[:N, N] = _input(sys, s) * DT
    E = expm(aug)
    return sys["P"] @ (E[:N, :N] @ (sys["G"] @ z) + E[:N, N])
'''

# the same in Julia
_JULIA_FUNCTIONS = ''')

region(z) = join(x > 0 ? "1" : "0" for x in z)

function system_of(z)
    key = region(z)
    haskey(SYSTEMS, key) || error("region $key was not derived (or has no continuous-time system)")
    return SYSTEMS[key]
end

forcing(sys, s) = (s === nothing || sys.B === nothing) ? sys.g : sys.g + sys.B * s

"dz/dt = L z + g (+ B s) of the region of z (an M-dimensional region)."
function vector_field(z, s = nothing)
    sys = system_of(z)
    size(sys.L, 1) == M || error("region $(region(z)) is $(sys.status): use step")
    return sys.L * z + forcing(sys, s)
end

"One sample-and-hold step: P Phi_dt(G z), the exact flow of the region of z for time DT."
function step(z, s = nothing)
    sys = system_of(z)
    N = size(sys.L, 1)
    aug = zeros(N + 1, N + 1)
    aug[1:N, 1:N] = sys.L * DT
    aug[1:N, N + 1] = forcing(sys, s) * DT
    E = exp(aug)
    return sys.P * (E[1:N, 1:N] * (sys.G * z) + E[1:N, N + 1])
end
'''


def _python(cont, name: str) -> str:
    out = ['"""' + _header(cont, "").replace("\n ", "\n").strip() + '"""', "",
           "import numpy as np", "from scipy.linalg import expm", "", f"DT = {_num(cont.model.dt)}",
           f"M = {cont.model.M}", "SYSTEMS = {"]
    for bits, s in _derived(cont):
        entries = [f'"status": "{s.status}"', f'"L": np.array({_rows(s.L, ", ", ", ", "[", "]", "[", "]")})',
                   f'"g": np.array({_rows(s.g[None, :], "", ", ", "", "", "[", "]")})',
                   f'"G": np.array({_rows(s.G, ", ", ", ", "[", "]", "[", "]")})',
                   f'"P": np.array({_rows(s.P, ", ", ", ", "[", "]", "[", "]")})']
        if s.B is not None:
            entries.append(f'"B": np.array({_rows(s.B, ", ", ", ", "[", "]", "[", "]")})')
        out.append(f'    "{bits}": {{' + ", ".join(entries) + "},")
    out += _PYTHON_FUNCTIONS.split("\n")
    return "\n".join(out)


def _julia(cont, name: str) -> str:
    out = [_header(cont, "#"), "using LinearAlgebra", "", f"const DT = {_num(cont.model.dt)}",
           f"const M = {cont.model.M}", "const SYSTEMS = Dict{String, NamedTuple}("]
    for bits, s in _derived(cont):
        mat = [f"L = {_julia_matrix(s.L)}", f"g = {_rows(s.g[None, :], '', ', ', '[', ']')}",
               f"G = {_julia_matrix(s.G)}", f"P = {_julia_matrix(s.P)}",
               "B = " + (_julia_matrix(s.B) if s.B is not None else "nothing")]
        out.append(f'    "{bits}" => (status = "{s.status}", ' + ", ".join(mat) + "),")
    out += _JULIA_FUNCTIONS.split("\n")
    return "\n".join(out)


def _matlab(cont, name: str) -> str:
    out = [f"function [dz, znext] = {name}(z, s)",
           f"%{name.upper()} dz/dt of the region of z, and one sample-and-hold step.",
           f"%   [dz, znext] = {name}(z) or {name}(z, s) with an input s.",
           _header(cont, "%").rstrip(), "%   dz is NaN in a lifted region (its flow lives in more coordinates);",
           "%   znext = P * Phi_dt(G z) is defined in every derived region.",
           "  if nargin < 2, s = []; end",
           f"  DT = {_num(cont.model.dt)};",
           "  z = z(:);",
           "  systems = region_systems();",
           "  key = char('0' + (z' > 0));",
           "  if ~isKey(systems, key)",
           "    error('region %s was not derived (or has no continuous-time system)', key);",
           "  end",
           "  sys = systems(key);",
           "  u = sys.g;",
           "  if ~isempty(s) && ~isempty(sys.B), u = u + sys.B * s(:); end",
           "  N = size(sys.L, 1);",
           "  if N == numel(z), dz = sys.L * z + u; else, dz = nan(size(z)); end",
           "  aug = zeros(N + 1);",
           "  aug(1:N, 1:N) = sys.L * DT;",
           "  aug(1:N, N + 1) = u * DT;",
           "  E = expm(aug);",
           "  znext = sys.P * (E(1:N, 1:N) * (sys.G * z) + E(1:N, N + 1));",
           "end", "",
           "function systems = region_systems()",
           "  systems = containers.Map();"]
    for bits, s in _derived(cont):
        B = _rows(s.B, "; ", " ", "[", "]") if s.B is not None else "[]"
        out.append(f"  systems('{bits}') = struct('status', '{s.status}', 'L', {_rows(s.L, '; ', ' ', '[', ']')}, "
                   f"'g', {_rows(s.g[:, None], '; ', ' ', '[', ']')}, 'G', {_rows(s.G, '; ', ' ', '[', ']')}, "
                   f"'P', {_rows(s.P, '; ', ' ', '[', ']')}, 'B', {B});")
    out += ["end", ""]
    return "\n".join(out)


_WRITERS = {"py": _python, "jl": _julia, "m": _matlab}


def systems_source(cont, language: str, name: str = "plrnn_systems") -> str:
    """The source text of the exported function file (see :func:`export_systems`)."""
    if language not in _WRITERS:
        raise InputError(f"--export takes one of {', '.join(_WRITERS)} ({', '.join(LANGUAGES.values())}), "
                         f"got {language!r}")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        raise InputError(f"{name!r} is not a function name (letters, digits and _, starting with a letter)")
    return _WRITERS[language](cont, name)


def export_systems(cont, path: str | Path, language: str | None = None) -> Path:
    """Write the region systems of a :class:`~plrnn_symbolic.ContinuousPLRNN` as a runnable
    function file: Python (``.py``), Julia (``.jl``) or MATLAB/Octave (``.m``; the function is
    named after the file, as MATLAB requires).

    Parameters
    ----------
    cont : ContinuousPLRNN
        What :func:`plrnn_symbolic.derive` returned.
    path : str or Path
    language : "py", "jl" or "m", optional
        Default: from the file's extension.

    Returns
    -------
    Path

    Examples
    --------
    >>> import runpy, tempfile, numpy as np
    >>> import plrnn_symbolic as ps
    >>> m = ps.PLRNN(A=[[0.5, 0], [0, 0.5]], W=[[0, 0.25], [0, 0]], h=[1, -1])
    >>> cont = ps.derive(m, mode="float")
    >>> f = export_systems(cont, tempfile.mkdtemp() + "/vdp.py")
    >>> ns = runpy.run_path(str(f))
    >>> z = np.array([1.0, -2.0])
    >>> bool(np.allclose(ns["step"](z), m.step(z), atol=1e-12))
    True
    """
    path = Path(path)
    language = language or path.suffix.lstrip(".")
    text = systems_source(cont, language, path.stem if language == "m" else "plrnn_systems")
    path.write_text(text, encoding="utf-8")
    return path
