"""The CUDA-world name universe (mappings/universe/*.tsv), generated from the real headers.

A name in the universe but in no mapping row is still a known CUDA name: it has a
family, a header and maybe a deprecation. Its BIRENSUPA statement comes from the most
specific curated statement there is: a glob row of the tables (`cub::*`), else the
family's default in families.toml (`[defaults.<category>]`), whose confidence says
how much that default is worth.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from migrate.mappings.validate import MappingError
from migrate.model import MappingEntry
from migrate.tomlpos import line_of
from migrate.vocabulary import CONFIDENCES, STATUSES

UNIVERSE_COLUMNS = ("name", "family", "header", "kind", "deprecated")
# Which frontend resolves the names of each universe file.
UNIVERSE_LANGUAGES = {"cuda_names.tsv": frozenset({"cuda_cpp"}),
                      "torch_names.tsv": frozenset({"python", "cuda_cpp"})}


@dataclass(frozen=True, slots=True)
class UniverseName:
    name: str
    family: str
    header: str
    kind: str
    deprecated: str
    origin: str
    languages: frozenset[str]


@dataclass(frozen=True, slots=True)
class FamilyDefault:
    """What is said of a family's names that no row covers."""

    status: str
    confidence: str
    renames: tuple[tuple[str, str], ...]  # prefix pairs, e.g. ("cuda", "supa")
    source: str
    note_en: str
    note_zh: str

    def replacement(self, name: str) -> str:
        for before, after in self.renames:
            if name.startswith(before):
                return after + name[len(before):]
        return ""


def read_universe(folder: Path, label: str, families: set[str]) -> dict[str, UniverseName]:
    names: dict[str, UniverseName] = {}
    for file_name, languages in sorted(UNIVERSE_LANGUAGES.items()):
        path = folder / file_name
        if path.is_file():
            _read_file(path, f"{label}/{file_name}", languages, families, names)
    return names


def _read_file(path: Path, shown: str, languages: frozenset[str], families: set[str],
               names: dict[str, UniverseName]) -> None:
    """Add the names of one universe file (17,000 rows: read once per run, so by
    position, not through a dict per row)."""
    header: list[str] | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if header is None:
            header = fields
            if tuple(header) != UNIVERSE_COLUMNS:
                raise MappingError(shown, number, f"columns must be {', '.join(UNIVERSE_COLUMNS)}")
            continue
        if len(fields) != len(header):
            raise MappingError(shown, number, f"{len(fields)} fields, the header has {len(header)}")
        name, family, declared_in, kind, deprecated = fields  # UNIVERSE_COLUMNS' order
        if family not in families:
            raise MappingError(shown, number, f"family '{family}' is not a known category")
        if name not in names:
            names[name] = UniverseName(name, family, declared_in, kind, deprecated,
                                       f"{shown}:{number}", _languages_of(name, languages))


_PYTHON_ONLY = frozenset({"python"})
_CPP_ONLY = frozenset({"cuda_cpp"})


def _languages_of(name: str, languages: frozenset[str]) -> frozenset[str]:
    """A dotted name is Python's (torch.cuda.x), anything else C/C++'s (at::cuda::x)."""
    if len(languages) == 1:
        return languages
    is_python = "." in name and "::" not in name and not name.endswith((".h", ".hpp", ".cuh"))
    return _PYTHON_ONLY if is_python else _CPP_ONLY


def read_defaults(shown: str, text: str, raw: dict[str, object],
                  categories: set[str]) -> dict[str, FamilyDefault]:
    """The `[defaults.<category>]` tables of families.toml, whose `text` is `shown`."""
    defaults: dict[str, FamilyDefault] = {}
    for category, value in raw.items():
        line = line_of(text, category, "defaults", default=0)
        if category not in categories or not isinstance(value, dict):
            raise MappingError(shown, line, f"[defaults.{category}]: not a known category")
        status = str(value.get("status", ""))
        confidence = str(value.get("confidence", ""))
        if status not in STATUSES:
            raise MappingError(shown, line,
                               f"status '{status}' is not one of {', '.join(STATUSES)}")
        if confidence not in CONFIDENCES:
            raise MappingError(shown, line,
                               f"confidence '{confidence}' is not one of {', '.join(CONFIDENCES)}")
        renames = value.get("rename", [])
        if not isinstance(renames, list) or not all(
                isinstance(p, list) and len(p) == 2 for p in renames):
            raise MappingError(shown, line, "rename must be a list of [from, to] prefix pairs")
        defaults[category] = FamilyDefault(
            status, confidence, tuple((str(a), str(b)) for a, b in renames),
            str(value.get("source", "")), str(value.get("note_en", "")),
            str(value.get("note_zh", "")))
    return defaults


def entry_for(name: UniverseName, default: FamilyDefault | None,
              pattern: MappingEntry | None, suda_status: str) -> MappingEntry:
    """The row a universe name stands for: a curated glob row's word, else the family's
    default, else status `unknown` (every universe name is a CUDA name)."""
    deprecated = f" Deprecated in the CUDA headers ({name.deprecated})." if name.deprecated else ""
    if pattern is not None:
        return MappingEntry(
            cuda=name.name, supa=pattern.supa, status=pattern.status, category=pattern.category,
            confidence=pattern.confidence, source=pattern.source,
            note_en=pattern.note_en + deprecated, note_zh=pattern.note_zh, origin=name.origin,
            languages=name.languages, status_suda=pattern.status_suda,
            suda_source=pattern.suda_source)
    if default is None:  # a family no curated statement covers: found, but unknown
        return MappingEntry(
            cuda=name.name, supa="", status="unknown", category=name.family,
            confidence="unverified", source="",
            note_en=f"Declared by the CUDA header {name.header}; no mapping row or family "
                    f"default covers it yet: check by hand.{deprecated}",
            note_zh=f"由 CUDA 头文件 {name.header} 声明，"
                    "映射表与类别默认规则均未覆盖，需人工核实。",
            origin=name.origin, languages=name.languages, status_suda=suda_status)
    return MappingEntry(
        cuda=name.name, supa=default.replacement(name.name), status=default.status,
        category=name.family, confidence=default.confidence, source=default.source,
        note_en=default.note_en + deprecated, note_zh=default.note_zh, origin=name.origin,
        languages=name.languages, status_suda=suda_status)


# Universe names that are also plain words, standard C/C++/POSIX names or another library's
# API: the CUDA headers declare them too, but a use of one says nothing by itself. They are
# reported only where the context makes them CUDA's: in device code (a `__device__` or
# `__global__` function or lambda), or in a file that includes the header declaring them.
# A name the file defines itself, or the repository #defines, is its own.
HELD_WORDS: dict[str, str] = {
    **dict.fromkeys(("all", "any", "ballot"),
                    "plain word; CUDA's is the pre-Volta warp vote, device code only"),
    "norm": "std::norm, Eigen's and every vector class's norm; CUDA's is a device math "
            "function",
    "half": "also half.hpp's, Eigen's and OpenEXR's half type; CUDA's comes with cuda_fp16.h",
    **dict.fromkeys(("curand", "skipahead", "temper", "para_rec", "mulhilo32",
                     "ini_func1", "ini_func2"),
                    "plain word or a helper name of other random-number code (Philox, MTGP "
                    "reference implementations); CUDA's are cuRAND device functions"),
    **dict.fromkeys(("j0", "j0f", "j1", "j1f", "jn", "jnf", "y0", "y0f", "y1", "y1f",
                     "yn", "ynf", "exp10", "exp10f", "sincos", "sincosf"),
                    "POSIX/GNU libm function (and y0, y1 are common variable names); CUDA "
                    "declares the device versions"),
    **dict.fromkeys(("QUALIFIERS", "QUALIFIERS_STATIC", "THREAD_NUM", "TBL_SIZE",
                     "LARGE_SIZE", "MEXP", "MAX_LAMBDA", "MAX_PLANES", "DECLDIR",
                     "GCC_UNUSED_PARAMETER", "PACKED_ALIGNMENT", "START_PACKED_ALIGNMENT",
                     "END_PACKED_ALIGNMENT", "MAKE_UNARY_COMPOSITE",
                     "MAKE_UNARY_COMPOSITE_POSTFIX", "MAKE_BINARY_COMPOSITE",
                     "MAJOR_VERSION", "MINOR_VERSION", "PATCH_LEVEL"),
                    "generic macro or constant name a project may define for itself; "
                    "CUDA's are internals of cuRAND, CUPTI, NVML, Thrust and library_types.h"),
}
# Headers that re-declare another library's whole API under its own names.
HELD_HEADERS: dict[str, str] = {
    "nvblas.h": "NVBLAS re-declares the CPU BLAS API (dgemm_, sgemm, ...): the same names "
                "a CPU BLAS call uses",
    "cufftw.h": "cuFFTW re-declares FFTW's API (fftw_plan, fftw_execute, FFTW_FORWARD): the "
                "same names a CPU FFTW program uses",
}
# Standard or platform names some CUDA header declares or defines as well: never CUDA's,
# in device code or not, so never reported from the universe.
NOT_CUDA: dict[str, str] = {
    "size_t": "C standard type (cuda_runtime.h re-declares it)",
    "int64_t": "C standard type (cusolver_common.h re-declares it)",
    "NOMINMAX": "Windows SDK convention cupti.h defines",
    "WIN32_LEAN_AND_MEAN": "Windows SDK convention cupti.h defines",
    "__inline__": "GCC keyword (host_defines.h defines it for other compilers)",
    "__volatile__": "GCC keyword, as in `asm __volatile__` (host_defines.h defines it for "
                    "other compilers)",
}


def held_names(universe: dict[str, UniverseName]) -> dict[str, str]:
    """The C/C++ universe names held to their context, each with the reason."""
    held: dict[str, str] = {}
    for name, known in universe.items():
        if "cuda_cpp" not in known.languages or name in NOT_CUDA:
            continue
        if name in HELD_WORDS:
            held[name] = HELD_WORDS[name]
        elif known.header.rsplit("/", 1)[-1] in HELD_HEADERS:
            held[name] = HELD_HEADERS[known.header.rsplit("/", 1)[-1]]
    return held
