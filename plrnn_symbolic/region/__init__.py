"""Layer 2: the mathematics of one region (one affine map z -> H z + h).

Spectra (:mod:`.spectrum`), the theorem predicates (:mod:`.predicates`),
conditions on symbolic weights (:mod:`.symbolic`), the real logarithm written once
over a number domain, run in balls or floats (:mod:`.reallog`), many principal
logarithms in one batch (:mod:`.floatderive`) and closed forms (:mod:`.exactlog`).
Imports only from :mod:`plrnn_symbolic.core` and :mod:`plrnn_symbolic.model`.
"""
