"""Calibration of the effort model: what real ports changed, measured on (original, port) pairs.

`measure` diffs one pair and counts changed lines by category on two port paths,
`stats` compares predictions with those measurements, `pairs` reads and writes the
measurement tables (tools/calibration/*.tsv), `pair_list` reads the lists of file pairs
that tools/calibration_pairs.py measures.
"""

from migrate.calibration.measure import CATEGORIES, PATHS, PairMeasure, measure_pair

__all__ = ("CATEGORIES", "PATHS", "PairMeasure", "measure_pair")
