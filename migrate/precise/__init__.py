"""Precise mode: libclang parses each C/C++/CUDA file with real or stand-in CUDA
declarations, so macros, aliases, `auto` and templates resolve to what they name.

`extract_precise` is the one entry point a scan calls per file; `prepare_standins`
writes the stand-in headers once per mapping set.
"""

from migrate.precise.extract import PreciseOutcome, PreciseRequest, extract_precise
from migrate.precise.standins import prepare_standins

__all__ = ["PreciseOutcome", "PreciseRequest", "extract_precise", "prepare_standins"]
