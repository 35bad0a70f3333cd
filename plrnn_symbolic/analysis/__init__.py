"""Layer 3: operations on a whole model.

Checking the theorem conditions region by region (:mod:`.conditions`),
deriving the continuous-time systems (:mod:`.transform`), simulation with its
certified enclosures and exit proofs, and the dynamics (fixed points, cycles,
Lyapunov exponents).  Imports only from the layers below (core, model, region).
"""
