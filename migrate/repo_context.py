"""What every frontend may know about the whole repository, gathered before the scan.

Macros are the one thing a file cannot understand alone: a header defines
`#define HOST_DEVICE __host__ __device__` and a hundred .cu files use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from migrate.frontends import RepoContext
from migrate.mappings.load import MappingSet

_DEFINE = re.compile(rb"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(\()?[ \t]*((?:[^\n\\]|\\\n|\\)*)",
                     re.MULTILINE)
_ATTRIBUTE = re.compile(rb"__attribute__\s*\(\(.*?\)\)")
# The category of the rows that name environment variables (mappings/environment.tsv).
ENVIRONMENT_CATEGORY = "environment"
# Words a qualifier macro may expand to; anything else makes it a real macro.
QUALIFIER_WORDS = frozenset({
    "__host__", "__device__", "__global__", "__forceinline__", "__inline__", "__noinline__",
    "inline", "static", "constexpr", "__inline", "__forceinline", "extern",
})


def macro_definitions(paths: Iterable[Path]) -> tuple[frozenset[str], frozenset[str]]:
    """All #defined names, and those that expand to qualifiers only."""
    defined: set[str] = set()
    bodies: dict[str, list[str]] = {}
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            continue  # the scan itself reports the unreadable file
        if b"define" not in data:
            continue
        for match in _DEFINE.finditer(data):
            name = match.group(1).decode()
            defined.add(name)
            if match.group(2):
                continue  # function-like macros take arguments, never pure qualifiers
            body = _ATTRIBUTE.sub(b" ", match.group(3).split(b"//")[0].split(b"/*")[0])
            words = body.decode("utf-8", "replace").split()
            if words:
                bodies.setdefault(name, words)
    return frozenset(defined), frozenset(_qualifier_macros(bodies))


def _qualifier_macros(bodies: dict[str, list[str]]) -> set[str]:
    found: set[str] = set()
    changed = True
    while changed:  # a qualifier macro may be built from other qualifier macros
        changed = False
        for name, words in bodies.items():
            if name not in found and all(w in QUALIFIER_WORDS or w in found for w in words):
                found.add(name)
                changed = True
    return found


def environment_vocabulary(mappings: MappingSet
                           ) -> tuple[frozenset[str], re.Pattern[str] | None]:
    """The environment variables the tables know: the keys of the exact rows of category
    `environment`, and one pattern for its glob rows, where `*` stands for one or more
    name characters (`NCCL_*` is NCCL_DEBUG, not NCCL_ alone)."""
    names = frozenset(key for key, entry in mappings.exact.items()
                      if entry.category == ENVIRONMENT_CATEGORY)
    globs = sorted(entry.cuda for _regex, entry in mappings.patterns
                   if entry.category == ENVIRONMENT_CATEGORY)
    shapes = ["[A-Z0-9_]+".join(re.escape(part) for part in glob.split("*")) for glob in globs]
    return names, re.compile("|".join(shapes)) if shapes else None


def build_context(mappings: MappingSet, cpp_paths: Iterable[Path]) -> RepoContext:
    defined, qualifiers = macro_definitions(cpp_paths)
    shapes = [f.regex.pattern for f in mappings.families if "::" not in f.regex.pattern]
    shape = re.compile("|".join(f"(?:{p})" for p in shapes)) if shapes else None
    environment_names, environment_shape = environment_vocabulary(mappings)
    return RepoContext(
        defined_macros=defined,
        qualifier_macros=qualifiers,
        candidate_names=frozenset(mappings.tail_names()),
        vendor_macros=mappings.vendor_macros,
        candidate_shape=shape,
        environment_names=environment_names,
        environment_shape=environment_shape,
    )
