"""What every frontend may know about the whole repository, gathered before the scan.

Macros are the one thing a file cannot understand alone: a header defines
`#define HOST_DEVICE __host__ __device__` and a hundred .cu files use it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Container, Iterable, Iterator
from pathlib import Path

from migrate.frontends import RepoContext
from migrate.mappings.continuations import Continuations
from migrate.mappings.load import MappingSet
from migrate.mappings.required_words import RequiredWords
from migrate.mappings.universe import NOT_CUDA, held_names

_DEFINE = re.compile(rb"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(\()?[ \t]*((?:[^\n\\]|\\\n|\\)*)",
                     re.MULTILINE)
_ATTRIBUTE = re.compile(rb"__attribute__\s*\(\(.*?\)\)")
# The whole body of a function-like macro that only specifies alignment or attributes:
# `alignas(n)`, `__align__(n)`, `__attribute__((aligned(n)))`, `__declspec(align(n))`.
_SPECIFIER = re.compile(rb"(?:alignas|__align__|__attribute__|__declspec)\s*\(.*\)", re.S)
# The category of the rows that name environment variables (mappings/environment.tsv).
ENVIRONMENT_CATEGORY = "environment"
# Words a qualifier macro may expand to; anything else makes it a real macro.
QUALIFIER_WORDS = frozenset({
    "__host__", "__device__", "__global__", "__forceinline__", "__inline__", "__noinline__",
    "inline", "static", "constexpr", "__inline", "__forceinline", "extern",
})
DEVICE_WORDS = frozenset({"__device__", "__global__"})


def source_texts(paths: Iterable[Path]) -> Iterator[tuple[Path, bytes]]:
    """Each readable file's bytes: the unreadable ones the scan itself reports."""
    for path in paths:
        try:
            yield path, path.read_bytes()
        except OSError:
            continue


def macro_definitions(texts: Iterable[bytes]
                      ) -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """All #defined names, those that expand to qualifiers only, those of the latter
    that mark device code (their expansion holds `__device__` or `__global__`), and the
    function-like macros every definition of which is one alignment or attribute
    specifier (`#define CUTE_ALIGNAS(n) alignas(n)`)."""
    defined: set[str] = set()
    bodies: dict[str, list[str]] = {}
    specifiers: dict[str, bool] = {}  # function-like macro -> every definition a specifier
    for data in texts:
        for match in define_lines(data):
            name = match.group(1).decode()
            defined.add(name)
            if match.group(2):  # function-like: never a pure qualifier; maybe a specifier
                body = match.group(3).split(b")", 1)[1] if b")" in match.group(3) else b""
                specifiers[name] = specifiers.get(name, True) and _SPECIFIER.fullmatch(
                    body.split(b"//")[0].split(b"/*")[0].strip()) is not None
                continue
            body = _ATTRIBUTE.sub(b" ", match.group(3).split(b"//")[0].split(b"/*")[0])
            words = body.decode("utf-8", "replace").split()
            if words:
                bodies.setdefault(name, words)
    qualifiers = _qualifier_macros(bodies)
    return frozenset(defined), frozenset(qualifiers), frozenset(_device_macros(
        bodies, qualifiers)), frozenset(name for name, only in specifiers.items() if only)


def define_lines(data: bytes) -> Iterator[re.Match[bytes]]:
    """What `_DEFINE.finditer(data)` finds, at a fraction of the cost: the pattern is only
    tried at the start of a line that holds the word `define` (a literal search), not at
    every line start of a large file. Lines inside an earlier match are skipped, as the
    regex's own scan would."""
    end = 0
    found = data.find(b"define")
    while found != -1:
        line_start = data.rfind(b"\n", 0, found) + 1
        if line_start >= end:
            match = _DEFINE.match(data, line_start)
            if match is not None:
                yield match
                end = match.end()
        line_end = data.find(b"\n", found)
        if line_end == -1:
            return
        found = data.find(b"define", line_end)


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


def _device_macros(bodies: dict[str, list[str]], qualifiers: set[str]) -> set[str]:
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name in qualifiers - found:
            if any(w in DEVICE_WORDS or w in found for w in bodies[name]):
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


def universe_vocabulary(mappings: MappingSet
                        ) -> tuple[set[str], dict[str, frozenset[str]],
                                   dict[str, tuple[str, frozenset[str]]]]:
    """What the C/C++ frontend looks at for the universe: every unqualified name and the
    head of every qualified one; the parts after each namespace, for files that `using
    namespace` it; the names held to their context, with their kind and header."""
    names: set[str] = set()
    members: dict[str, set[str]] = {}
    for name, known in mappings.universe.items():
        if "cuda_cpp" not in known.languages or name in NOT_CUDA:
            continue
        parts = name.split("::")
        names.add(parts[0])
        for index in range(1, len(parts)):
            members.setdefault("::".join(parts[:index]), set()).add(parts[index])
    held = {name: (mappings.universe[name].kind,
                   frozenset({mappings.universe[name].header.rsplit("/", 1)[-1]}))
            for name in held_names(mappings.universe)}
    return names, {ns: frozenset(m) for ns, m in members.items()}, held


def namespace_opening(heads: Iterable[str]) -> re.Pattern[bytes] | None:
    """`namespace cutlass {`, `namespace at::cuda {`, `inline namespace cute {`: where a
    file may define names of its own in one of the namespaces `heads` (not `using
    namespace cutlass;` or `namespace cu = cutlass;`). No leading word boundary: a
    pattern that starts with a literal is found at memchr speed (14 times faster on
    CUTLASS), and the answer only decides where work is done (`LIBRARY_SHARE`)."""
    words = sorted(re.escape(head.encode()) for head in heads)
    return re.compile(rb"namespace\s+(?:" + b"|".join(words) + rb")\b[\w:\s]*\{") \
        if words else None


# A repository is the library itself (CUTLASS: 1,141 of its 2,421 C/C++ files open
# `namespace cutlass` or `namespace cute`), not a user that adds a few names to it
# (flash-attention: 2 of 680, DeepSpeed: 16 of 239), when at least this share of its own
# C/C++ files open a namespace the tables match by prefix.
LIBRARY_SHARE = 0.2


def build_context(mappings: MappingSet, cpp_paths: Iterable[Path],
                  vendored: Container[Path] = frozenset(),
                  opening_files: set[Path] | None = None,
                  own_packages: frozenset[str] = frozenset()) -> RepoContext:
    """The context of a repository whose C/C++ files are `cpp_paths` (those in `vendored`
    are vendored copies), read once here. `opening_files`, when given, receives the own
    files that open one of the namespaces the tables match by prefix (`namespace_opening`):
    a library's scan reads them first (`api.scan`). `own_packages`: the repository's own
    Python packages (`api.own_python_packages`), whose rows a Python file need not hold
    the words of."""
    heads = mappings.prefix_namespaces("cuda_cpp")
    opening = namespace_opening(heads)
    own = [0]  # own C/C++ files
    opened: set[Path] = set()  # those of them that open one of the `heads` namespaces

    def texts() -> Iterator[bytes]:
        for path, data in source_texts(cpp_paths):
            if opening is not None and path not in vendored:
                own[0] += 1
                if opening.search(data) is not None:
                    opened.add(path)
            yield data

    defined, qualifiers, device, specifiers = macro_definitions(texts())
    universe_names, members, held = universe_vocabulary(mappings)
    table_names = mappings.tail_names()
    shapes = [f.regex.pattern for f in mappings.families if "::" not in f.regex.pattern]
    shape = re.compile("|".join(f"(?:{p})" for p in shapes)) if shapes else None
    environment_names, environment_shape = environment_vocabulary(mappings)
    if opening_files is not None:
        opening_files.update(opened)
    return RepoContext(
        defined_macros=defined,
        qualifier_macros=qualifiers,
        specifier_macros=specifiers,
        candidate_names=frozenset(table_names | universe_names),
        vendor_macros=mappings.vendor_macros,
        candidate_shape=shape,
        environment_names=environment_names,
        environment_shape=environment_shape,
        held_names=held,
        namespace_members=members,
        device_macros=device,
        table_names=frozenset(table_names),
        python_answered=functools.partial(answered, mappings, "python"),
        python_continues=Continuations(mappings, "python").continues,
        python_words_met=RequiredWords(mappings, "python", own_packages).met_by,
        prefix_namespaces=heads,
        library_like=bool(opened) and len(opened) >= LIBRARY_SHARE * own[0],
    )


def answered(mappings: MappingSet, language: str, name: str) -> bool:
    """Whether a row, a universe name or a family of `language` answers for `name` (as
    the matcher's lookup does)."""
    return mappings.lookup(name, language) is not None
