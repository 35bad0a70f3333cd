"""Layer 0: number domains and verdicts.

Errors, three-valued verdicts (:mod:`.truth`), the exact / ball / float number
domains (:mod:`.domains`: objects that own their precision or tolerance, their
eigenbasis and linear algebra, handed to algorithms written once), exact conversion of user input (:mod:`.conversion`),
the float check of ball enclosures (:mod:`.floatball`) and the process pool
(:mod:`.parallel`).  Imports nothing from the rest of the package.
"""
