"""Layer 4: renderers that only read results: LaTeX documents (:mod:`.latex`),
figures (:mod:`.plotting`, :mod:`.phase`, :mod:`.regionmap`).
"""
