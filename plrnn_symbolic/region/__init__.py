"""Layer 2: the mathematics of one region (one affine map z -> H z + h).

Spectra (:mod:`.spectrum`), the theorem predicates (:mod:`.predicates`),
conditions on symbolic weights (:mod:`.symbolic`), real logarithms in float and
ball arithmetic (:mod:`.logarithm`) and in closed form (:mod:`.exactlog`).
Imports only from :mod:`plrnn_symbolic.core` and :mod:`plrnn_symbolic.model`.
"""
