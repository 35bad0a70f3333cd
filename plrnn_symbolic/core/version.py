"""The package version (one place; ``plrnn_symbolic.__version__`` and ``plrnn-symbolic --version`` read it)."""

__version__ = "0.1.0"


__all__ = ["__version__"]
