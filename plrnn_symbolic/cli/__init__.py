"""Layer 5: the command line ``plrnn-symbolic``, the only place that knows argparse."""

from .app import main

__all__ = ["main"]
