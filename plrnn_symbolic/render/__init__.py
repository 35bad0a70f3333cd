"""Layer 4: renderers that only read results: LaTeX documents (:mod:`.latex`),
figures (:mod:`.figures`, the public :mod:`plrnn_symbolic.plot`; :mod:`.phase`, :mod:`.regionmap`).
"""
