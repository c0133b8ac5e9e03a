"""Getting coded work out (and REFI-QDA in): segment data, write-up reports, statistics,
the codebook as an appendix, and the REFI-QDA exchange formats.

Modules read the project only through `Store`; every file goes through `atomic` so an
interrupted export never leaves half a file, and nothing is overwritten without `force`.
"""
