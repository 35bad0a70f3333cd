import sys

from .app import main

__all__ = []   # `python -m plrnn_symbolic.cli`: nothing to import from here

if __name__ == "__main__":
    sys.exit(main())
