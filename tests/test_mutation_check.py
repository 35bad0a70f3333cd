import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_every_injected_mistake_is_caught():
    here = Path(__file__).resolve().parent
    p = subprocess.run([sys.executable, str(here / "mutation_check.py")], capture_output=True, text=True,
                       timeout=900, check=False)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "SURVIVED" not in p.stdout
