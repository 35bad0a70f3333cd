"""The two kinds of error the package raises.

* :class:`InputError` (a ``ValueError``): input the package refuses (wrong shape,
  non-finite, unknown key, an unknown mode).  The command line prints one line and
  exits with status 2.
* :class:`NoResult` (an ``ArithmeticError``): a request the mathematics has no answer
  for, although the input is fine (the Lyapunov exponents of a diverging orbit, the
  autonomous flow through a sliding point, the M-dimensional vector field of a lifted
  region).  Reports record it as a result; the command line prints it and exits with
  status 3.  Mathematical facts a computation can return (a singular region, no real
  logarithm, sliding, divergence in a simulation) are results and raise nothing.
"""


__all__ = ["InputError", "NoResult"]


class InputError(ValueError):
    """Input that cannot be accepted: wrong shape, non-finite, unknown key, ..."""


class NoResult(ArithmeticError):
    """The input is valid, but the mathematics has no answer for this request (say why)."""
