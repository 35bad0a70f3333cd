"""Write the worked-example notebooks from their cell sources and execute them.

    python notebooks/build.py                     # rebuild and execute every notebook in place
    python notebooks/build.py 06_trained_models   # rebuild and execute only the notebooks named
    python notebooks/build.py --check             # execute the committed notebooks, fail on any error

The cell sources live here, as text, so a change to a notebook is a readable diff;
the executed ``.ipynb`` files (small outputs, no large images) are committed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent

NOTEBOOKS: dict[str, list[tuple[str, str]]] = {}


def notebook(name: str, cells: list[tuple[str, str]]) -> None:
    NOTEBOOKS[name] = cells


notebook("01_quickstart", [
    ("md", ("# Quickstart: check a PLRNN and derive its continuous-time system\n\n"
           "A PLRNN `z_t = A z_{t-1} + W relu(z_{t-1}) + h` is affine in each orthant (region). "
           "Region by region, `check` decides whether a real continuous-time ODE reproduces the step, "
           "and `derive` builds it. Every verdict carries its witness and the method that decided it.")),
    ("code", ("import numpy as np\nimport sympy as sp\n\nimport plrnn_symbolic as ps\n\n"
             "m = ps.PLRNN(A=[[0.5, 0], [0, -0.5]], W=[[0, 1], [-0.75, 0]], h=[0.1, -0.2])\n"
             "report = ps.check(m)            # exact: floats are converted to rationals exactly\n"
             "print(report.table())")),
    ("md", ("Region `00` (both units inactive) has the eigenvalue -1/2: no real logarithm, so no real "
           "2-dimensional ODE exists there. `derive` lifts it to dimension 3; `G` embeds and `P` projects.")),
    ("code", ("cont = ps.derive(m, mode='exact')\n"
             "for bits, s in cont.systems.items():\n"
             "    print(bits, s.status, 'dimension', s.dimension)\n"
             "s = cont['00']\n"
             "s.L_exact")),
    ("code", ("z = np.array([0.3, -0.7])\n"
             "H = np.array(ps.region_matrix(m, '00').tolist(), dtype=float)\n"
             "print('flow of dt through the lift:', s.step(z))\n"
             "print('discrete step             :', H @ z + m.numeric.h)")),
    ("md", ("Exact closed forms exist for 2 x 2 regions, including symbolic weights; `check` then "
           "returns each condition as an expression in the parameters.")),
    ("code", ("a = sp.Symbol('a', real=True)\n"
             "ms = ps.PLRNN(A=[[a, 0], [0, sp.Rational(1, 2)]], W=[[0, 0], [1, 0]], h=[1, 0])\n"
             "r = ps.check(ms, regions=['00', '10'])\n"
             "{b: str(r[b]['principal_log'].condition) for b in r.regions}")),
])

notebook("02_limit_cycle", [
    ("md", ("# A limit cycle in discrete and continuous time\n\n"
           "The bundled `limit_cycle` PLRNN is a van der Pol-like relaxation oscillator. Every region has a "
           "principal logarithm, so each region has its principal real ODE (the only real one where `unique_real_log` "
           "holds). The sample-and-hold (hybrid) system "
           "reproduces the map at every sample time with no further condition (THEORY E3). The autonomous system "
           "switches region when a coordinate crosses zero; it agrees with the map only on steps where the "
           "region flow stays in its region (E1), which is decided rigorously step by step.")),
    ("code", ("import matplotlib\n\nimport plrnn_symbolic as ps\n\nmatplotlib.use('Agg')\n"
             "m = ps.example('limit_cycle')\n"
             "print(ps.check(m).table(max_rows=5))")),
    ("code", ("sim = ps.simulate(m, steps=500, burn_in=2000, system='both')\n"
             "print(sim.summary())")),
    ("md", ("The dynamics on both sides: fixed points with their equilibria, eigenvalues mapped by "
           "mu = log(lambda)/dt, and Lyapunov exponents. For the hybrid system the exponents are the map's "
           "divided by dt.")),
    ("code", ("d = ps.dynamics(m, cycles=0)\n"
             "print(d.table())")),
    ("md", ("The public plotting API, `plrnn_symbolic.plot`, draws the simulation (with the deviations that say "
           "how far to trust it) and the orbit with the vector field of the regions it visits.")),
    ("code", ("from IPython.display import Image\n\n"
             "from plrnn_symbolic import plot\n\n"
             "plot.simulation(sim, 'limit_cycle.png', window=120)\n"
             "Image('limit_cycle.png')")),
    ("code", ("plot.phase(sim, 'limit_cycle_phase.png')\n"
             "Image('limit_cycle_phase.png')")),
])

notebook("04_inputs", [
    ("md", ("# Inputs: zero-order hold, eigenvalue one and an impossible region\n\n"
           "With an input `C s_t` held constant over each step, the ODE gets `B s(t)` with "
           "`B = beta(L dt) C / dt`, the zero-order-hold form used in control engineering. "
           "The bundled `input_driven` model adds its marked inputs exactly. Exact gating destroys "
           "information, so every region matrix is singular and no continuous-time system exists.")),
    ("code", ("import numpy as np\n\nimport plrnn_symbolic as ps\n\n"
             "exact_adder = ps.example('input_driven')\n"
             "s = ps.derive(exact_adder, ['000'])['000']\n"
             "print(s.status, '-', s.notes[0])")),
    ("md", ("A leaky gate (a_11 = 1/100) keeps the region matrices invertible and makes the sum approximate. "
           "The accumulator and counter units have a_ii = 1, so every region has the eigenvalue one twice; "
           "the beta form needs no special case for it.")),
    ("code", ("leaky = ps.PLRNN(A=[['1/100', 0, 0], [0, 1, 0], [0, 0, 1]], W=[[0, 0, 0], [1, 0, 0], [0, 0, 0]],\n"
             "                 h=[-1, 0, 0], C=[[1, 1], [0, 0], [0, 1]], name='leaky adder')\n"
             "r = ps.check(leaky)\n"
             "print(r.table())\n"
             "c = ps.derive(leaky, mode='exact')\n"
             "s = c['100']\n"
             "print(s.status, s.method)\n"
             "s.L_exact, s.B_exact")),
    ("code", ("rng = np.random.default_rng(0)\n"
             "T = 20\n"
             "values = rng.uniform(0, 1, T); markers = np.zeros(T); markers[[3, 11]] = 1\n"
             "inputs = np.vstack([np.column_stack([values, markers]), [0, 0]])\n"
             "sim = ps.simulate(leaky, steps=T + 1, z0=[0, 0, 0], inputs=inputs, system='hybrid')\n"
             "print('marked values', values[markers == 1])\n"
             "print('target sum', values @ markers, ' discrete', sim.discrete[-1, 1], ' hybrid ODE', sim.hybrid[-1, 1])\n"
             "print('the leak costs at most 1/100 per marked input:', abs(values @ markers - sim.discrete[-1, 1]))\n"
             "print('max deviation hybrid vs discrete:', sim.max_deviation_hybrid)")),
])

notebook("03_chaos_negative_eigenvalues_lift", [
    ("md", ("# Chaos, negative eigenvalues and the lift\n\n"
           "The bundled `chaotic` PLRNN has regions whose matrix has a negative real eigenvalue. "
           "A real matrix logarithm exists only when the Jordan blocks of each negative eigenvalue pair up "
           "(Culver 1966). Otherwise no real ODE of the same dimension reproduces the step. The minimal lift "
           "doubles only the unpaired blocks. The authors' original code took the real part of a complex "
           "logarithm at this point, which reproduces a different map.")),
    ("code", ("import numpy as np\nimport scipy.linalg\n\nimport plrnn_symbolic as ps\n\n"
             "m = ps.example('chaotic')\n"
             "report = ps.check(m, mode='exact')\n"
             "print(report.table(max_rows=12))")),
    ("code", ("lifted = [b for b, r in report.regions.items() if r['real_log'].status == 'fails' "
             "and r['invertible'].status == 'holds']\n"
             "bits = lifted[0]\n"
             "print(bits, report[bits]['real_log'].witness['negative_eigenvalues'][0]['value'])\n"
             "s = ps.derive(m, [bits], mode='certified', digits=30)[bits]\n"
             "print(s.status, 'dimension', s.dimension)\n"
             "print(s.logarithm)\n"
             "print('rigorous residual bounds:', s.residual)")),
    ("code", ("# the authors' shortcut: the real part of the principal complex logarithm\n"
             "H = np.array(ps.region_matrix(m, bits).tolist(), dtype=float)\n"
             "L_wrong = np.real(scipy.linalg.logm(H))\n"
             "print('|e^Re(log H) - H| =', np.abs(scipy.linalg.expm(L_wrong) - H).max())\n"
             "print('|P e^(L dt) G - H| =', np.abs(s.P @ scipy.linalg.expm(s.L * s.dt) @ s.G - H).max())")),
])

notebook("05_property_test_your_model", [
    ("md", ("# Property-test your own model\n\n"
           "`plrnn_symbolic.testing` provides hypothesis strategies that draw PLRNNs with a promised spectral "
           "condition, and assertions that the discrete and continuous formulations agree. Use them in your "
           "own test suite, for example with a model your training code wrote (`ps.load('model.npz')`).")),
    ("code", ("from hypothesis import given, settings\n\n"
             "import plrnn_symbolic as ps\n"
             "from plrnn_symbolic.testing import assert_fixed_points_correspond, assert_roundtrip, plrnns\n\n\n"
             "@settings(max_examples=20, deadline=None)\n"
             "@given(plrnns(M=3, condition='principal_log', inputs=1))\n"
             "def test_flow_reproduces_every_step(model):\n"
             "    assert_roundtrip(model, mode='float', atol=1e-9)\n"
             "    assert_fixed_points_correspond(model)\n\n"
             "test_flow_reproduces_every_step()\n"
             "print('20 drawn models passed')")),
    ("code", ("# the same assertions on a concrete model\n"
             "m = ps.example('limit_cycle')\n"
             "assert_roundtrip(m, regions='visited', mode='certified', atol=1e-12)\n"
             "print('limit_cycle: every visited region reproduces its step')")),
])

notebook("06_trained_models", [
    ("md", ("# Trained models: from your weights to a verified continuous-time system\n\n"
           "The workflow of a researcher with a trained PLRNN. Load your own file with "
           "`ps.load('model.npz')` (or `.json`, `.mat`: arrays `A`, `W`, `h`, optionally `C`, `dt`, `z0`); "
           "floats are converted to rationals exactly, so every verdict is about your weights as stored. "
           "Here we use the bundled `vdp_trained`: 10 units trained on van der Pol's oscillator sampled at "
           "dt = 1/5, units 1-2 observed (x, x'), units 3-10 hidden.")),
    ("code", ("import io\n\nimport matplotlib.pyplot as plt\nimport numpy as np\nfrom IPython.display import Image\n\n"
             "import plrnn_symbolic as ps\n"
             "from plrnn_symbolic import plot\n"
             "from plrnn_symbolic.analysis.lyapunov import lyapunov_continuous, lyapunov_discrete\n\n"
             "m = ps.example('vdp_trained')      # your model: m = ps.load('model.npz')\n"
             "print(m, '- z0 lies in region', ps.region_of(m.numeric.z0))")),
    ("md", ("## Which regions need a continuous-time system?\n\n"
           "M = 10 gives 2^10 = 1024 regions, but a trained model lives on a few. `regions='visited'` takes "
           "the regions of the float trajectory from `z0` (1000 steps by default); certified mode decides "
           "each predicate in ball arithmetic, so `undecided` would be reported, never guessed.")),
    ("code", ("report = ps.check(m, regions='visited', mode='certified')\n"
             "print(report.table())")),
    ("md", ("The visited regions as a graph: each node a region (coloured by what the theorems allow there, with "
           "its share of the steps), each arrow the region changes of the orbit.")),
    ("code", ("fig = plot.regions(report, trajectory=m.numeric.trajectory(m.numeric.z0, 1000))\n"
             "buf = io.BytesIO()\n"
             "fig.savefig(buf, format='png', dpi=60)\n"
             "plt.close(fig)\n"
             "Image(buf.getvalue())")),
    ("md", ("All 13 visited regions are invertible. In 11 of them the principal logarithm exists: `derive` gives "
           "status `principal`, the unique real ODE whose spectrum lies in the strip |Im| < pi "
           "(where `unique_real_log` fails although a principal logarithm exists, a complex eigenvalue pair could "
           "also take another branch, Culver 1966). "
           "The two regions listed have a simple negative real eigenvalue: no real logarithm, hence no real "
           "10-dimensional ODE reproduces the step there. `derive` gives status `lifted`: an "
           "11-dimensional system that doubles only that eigenvalue, entered through `G` and read out by `P`. "
           "The residual is a rigorous bound on |e^{L dt} - H|.")),
    ("code", ("cont = ps.derive(m, 'visited', mode='certified')\n"
             "for bits, s in cont.systems.items():\n"
             "    print(bits, f\"{s.status:9s} dimension {s.dimension}   |e^(L dt) - H| <= {s.residual['exp']:.1e}\")\n"
             "z = m.numeric.z0\n"
             "s = cont.system_at(z)\n"
             "print(s.region, s.status, '-', s.logarithm)\n"
             "print('|P flow_dt(G z0) - discrete step| =', np.abs(s.step(z) - m.numeric.step(z)).max())")),
    ("md", ("## Discrete map, hybrid and autonomous systems side by side\n\n"
           "`simulate(..., system='both')` runs the map, the sample-and-hold (hybrid, E3) system, which agrees with "
           "the map at every sample time, and the autonomous system, which switches region when a coordinate "
           "crosses zero. E1 (the region flow stays in its region for the whole step) is decided for every step.")),
    ("code", ("sim = ps.simulate(m, steps=1000, system='both')\n"
             "print(sim.summary())\n"
             "print(sim.e1_counts)\n"
             "switches = [bool(((sim.discrete[k] > 0) != (sim.discrete[k + 1] > 0)).any()) for k in range(sim.steps)]\n"
             "print('E1 fails exactly on the steps that switch region:',\n"
             "      [v.status == 'fails' for v in sim.e1] == switches)\n"
             "print('regions entered only by the autonomous system:', sorted(set(sim.systems) - set(report.regions)))")),
    ("md", ("The hybrid system reproduces the map to the printed max deviation (rounding level). E1 fails on "
           "the 322 steps that switch region, so the autonomous system is not the map: it drifts in phase "
           "(max deviation printed above) and on the way it enters one region the map does not visit in these "
           "1000 steps, which is why the summary counts 14 derived regions. The plot shows the last 60 steps "
           "of the observed units: discrete points over the hybrid (solid) and autonomous (dashed) curves.")),
    ("code", ("fig = plot.simulation(sim, observe=[1, 2], window=60, per_step=8)\n"
             "buf = io.BytesIO()\n"
             "fig.savefig(buf, format='png', dpi=60)\n"
             "plt.close(fig)\n"
             "Image(buf.getvalue())")),
    ("md", ("## The sampling step decides how often the systems part: `vdp_fine`\n\n"
           "E1 fails on a step that changes region, and the autonomous system parts from the map only at such "
           "steps. `vdp_fine` is the same oscillator trained at dt = 1/20, about 142 steps per cycle instead of "
           "35, so a step changes region about once in ten.")),
    ("code", ("fine = ps.example('vdp_fine')\n"
             "sf = ps.simulate(fine, steps=1000, system='both')\n"
             "print(sf.summary())\n"
             "print(f\"E1 fails on {sf.e1_counts['fails']} of {sf.steps} steps; the autonomous system stays within \"\n"
             "      f\"{sf.max_deviation_autonomous:.3f} of the map\")")),
    ("md", ("These are the figures issue 4 quotes for the authors' trained limit-cycle model (about one step in "
           "eleven failing E1, the autonomous deviation about 1e-2): they follow from how finely the "
           "model samples its cycle.")),
    ("md", ("## Fixed points and Lyapunov exponents\n\n"
           "`dynamics` sweeps all 1024 regions for fixed points. The float weights were converted to "
           "rationals exactly, so each fixed point is an exact rational vector and whether it lies in its "
           "region (real) or not (virtual) is decided exactly. The hybrid exponents are the map's divided by dt.")),
    ("code", ("d = ps.dynamics(m)\n"
             "print(d.table())")),
    ("md", ("The one real fixed point is unstable, and the largest exponent is slightly negative while the next is "
           "clearly negative: the closed curve attracts weakly and the orbit on it is not chaotic. The "
           "autonomous system's spectrum can only be measured along a flow of dimension M; this trajectory "
           "visits the two lifted regions, so there is no such spectrum (``NoResult``: valid input, no answer):")),
    ("code", ("try:\n"
             "    lyapunov_continuous(m, system='autonomous', steps=2000, burn_in=100)\n"
             "except ps.NoResult as exc:\n"
             "    print('refused:', exc)")),
    ("md", ("## A chaotic model: `lorenz_trained`\n\n"
           "Trained on Lorenz-63 sampled at dt = 1/50; units 1-3 observed. Over 20000 steps the attractor "
           "visits the regions below, every one with a principal logarithm.")),
    ("code", ("lz = ps.example('lorenz_trained')\n"
             "print(ps.check(lz, regions='visited', mode='certified', steps=20000).table())\n"
             "lam = lyapunov_discrete(lz)\n"
             "print('largest exponent: map', round(lam[0], 4), 'per step; hybrid', round(lam[0] / float(lz.dt), 3),\n"
             "      'per unit time; sum of the spectrum', round(lam.sum(), 3))")),
    ("md", ("The map (and so the hybrid system) is chaotic: the largest exponent is positive and the spectrum "
           "sums to a negative number. Here no region is lifted, so the autonomous system's spectrum can be "
           "measured, and two autonomous runs started 1e-8 apart can be compared.")),
    ("code", ("la = lyapunov_continuous(lz, system='autonomous', steps=5000)\n"
             "print('autonomous, per unit time:', la.exponents[:3].round(4), 'over', la.time, 'time units,',\n"
             "      la.switches, 'switches')\n"
             "a = ps.simulate(lz, steps=3000, system='autonomous', e1=False)\n"
             "b = ps.simulate(lz, steps=3000, z0=lz.numeric.z0 + 1e-8, system='autonomous', e1=False, systems=a.systems)\n"
             "print('separation of the two runs at the end:', np.abs(a.autonomous[-1] - b.autonomous[-1]).max())\n"
             "x = a.autonomous[:, 0]\n"
             "print('steps between upward zero crossings of z_1, last 8:', np.diff(np.flatnonzero((x[:-1] < 0) & (x[1:] >= 0)))[-8:])")),
    ("md", ("The autonomous (switching) ODE behaves differently from the map: its largest measured exponent is near "
           "zero (the direction along the flow), the next is negative, nearby runs do not separate, and the "
           "intervals between zero crossings repeat. From this start it appears to settle on a periodic orbit, "
           "not a chaotic attractor. Only the hybrid system inherits the map's chaos exactly (exponents divided by dt).")),
])


def build(names=None) -> None:
    for name, cells in NOTEBOOKS.items():
        if names and name not in names:
            continue
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src)
                    for kind, src in cells]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
        nbformat.write(nb, HERE / f"{name}.ipynb")
        print(f"wrote {name}.ipynb")


def check(paths=None) -> int:
    failed = 0
    for path in paths or sorted(HERE.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        try:
            NotebookClient(nb, timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": str(HERE)}}).execute()
            print(f"ok      {path.name}")
        except Exception as exc:  # noqa: BLE001  (report every notebook, then fail)
            failed += 1
            print(f"FAILED  {path.name}: {type(exc).__name__}: {str(exc).splitlines()[-1] if str(exc) else ''}")
    return failed


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    sys.exit(1 if check() else 0) if a.check else build(a.names)
