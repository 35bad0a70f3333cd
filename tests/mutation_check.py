"""Run the property suite once per injected mistake and report whether it was caught.

    python tests/mutation_check.py        # exit status 1 if any mutation survives
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from mutations import MUTATIONS

SUITE = ["tests/test_predicates.py", "tests/test_derive.py", "tests/test_testing.py", "tests/test_model.py",
         "tests/test_certified_claims.py", "tests/test_floatderive.py"]


def run(name: str) -> tuple[bool, str]:
    env = dict(os.environ, PLRNN_MUTATION=name)
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *SUITE],
                       cwd=HERE.parent, env=env, capture_output=True, text=True, check=False)
    failed = [line for line in p.stdout.splitlines() if line.startswith("FAILED")]
    return p.returncode != 0, failed[0] if failed else p.stdout.strip().splitlines()[-1]


def main() -> int:
    survived = 0
    for name in MUTATIONS:
        caught, first = run(name)
        survived += not caught
        print(f"{'caught  ' if caught else 'SURVIVED'}  {name:<22} {first}")
    print(f"{len(MUTATIONS) - survived} of {len(MUTATIONS)} mutations caught")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
