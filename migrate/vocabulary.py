"""The words every layer shares: statuses, confidences, use kinds, report languages, port
paths and change categories.

Kept apart from the records (migrate/model.py) because a replayed run needs these words
and none of the records, and building the records' classes costs tens of milliseconds.
"""

from __future__ import annotations

# Status order, easy to hard; a finding's severity follows it.
STATUSES: tuple[str, ...] = ("native", "rename", "partial", "library", "rewrite", "unknown")
CONFIDENCES: tuple[str, ...] = ("documented", "third-party", "inferred", "unverified")
USE_KINDS: tuple[str, ...] = (
    "call", "type", "identifier", "macro", "include", "import", "attribute",
    "device-string", "launch", "qualifier", "asm", "intrinsic", "build", "dependency",
    "environment",
)
LANGUAGES: tuple[str, ...] = ("en", "zh")  # report languages
# Unicode bidi and invisible-direction controls: a line holding one may read differently
# from what the compiler sees (Trojan Source, CVE-2021-42574).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Port paths: native (SUPA names, BRCC), suda (CUDA sources through SUDA), both.
PATHS: tuple[str, ...] = ("native", "suda", "both")
# What a changed line is about; the prediction (migrate/change.py) and the measurement
# of real ports (migrate/calibration/) share these names.
CHANGE_CATEGORIES: tuple[str, ...] = (
    "include", "rename", "launch", "dispatch", "fp64", "vendor_branch", "ptx",
    "tensor_core", "library", "warp", "build", "environment", "other",
)

# How a using-directive inside a library namespace is recorded among the names a file
# defines: `namespace cute { using namespace SM90; }` as "cute using cute::SM90" (a space
# is never part of a name), so that `cute::GMMA::Major` can be found as
# `cute::SM90::GMMA::Major` (frontends/cpp_declared.py, own_names.py).
DIRECTIVE = " using "
