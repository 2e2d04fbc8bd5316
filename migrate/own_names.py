"""Which findings the whole scan shows to be the repository's own code.

A file alone cannot tell: `cudaResObj_t` may be CUDA's or a type the project declares in
another file, `cutlass::gemm::GemmShape` may come from CUTLASS or be CUTLASS itself. Each
worker keeps a screen of its findings that could turn out to be own (`screen_entry`);
after the scan, `OwnNames` answers for each with what the whole repository defines.

- A finding matched by a family shape (`cudaX`, `cuX_t`) is own when the repository
  defines that name, or has a header of that base name.
- A finding matched by a namespace row (`cutlass::*`) is own when the repository's own
  code (not a vendored copy) defines the name or one that encloses it
  (`cutlass::sizeof_bits` for `cutlass::sizeof_bits::value`), also through a
  using-directive inside the namespace (`cute::GMMA::Major` as CuTe's own
  `cute::SM90::GMMA::Major` after its `using namespace SM90;`); an #include matched by a
  folder row (`cutlass/*`) is own when the path is one of the repository's own files.
  It is own too when the namespace was only a guess from a `using namespace`: after
  `using namespace cute;`, `test::gemm::TestSmall` reads as `cute::test::...`, but a
  project that declares `namespace test` itself means its own (the frontend records such
  a namespace as `test::`, cpp_declared.py).
- A bare name read into such a namespace by a `using namespace` guess is the file's own
  when the file declares it (`hidden_guess`): this one a worker decides alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from migrate.vocabulary import DIRECTIVE

ScreenEntry = tuple[bool, str, str, str]
Screen = tuple[ScreenEntry, ...]


def screen_entry(matched_by: str, row_key: str, kind: str, resolved: str, written: str
                 ) -> ScreenEntry | None:
    """What the after-scan check needs of one finding (`written`: its name as the code
    writes it), or None when no definition elsewhere can make it the repository's own.
    The first element tells a family match; the last, the written name's first part
    where a `using namespace` put another namespace before it."""
    if matched_by == "family":
        return (True, kind, resolved, "")
    if matched_by == "pattern" and row_key.endswith("::*") and "::" in resolved:
        head = written.split("::", 1)[0].strip() if "::" in written else ""
        return (False, kind, resolved,
                head if head and not resolved.startswith(head + "::") else "")
    if matched_by == "pattern" and kind == "include" and row_key.endswith("/*"):
        return (False, kind, resolved, "")
    return None


def hidden_guess(matched_by: str, row_key: str, resolved: str, written: str,
                 declared: set[str] | frozenset[str], heads: frozenset[str]) -> bool:
    """Whether a bare name is read into a namespace only by a guess the file itself
    rules out. After `using namespace cute;`, `stream` reads as `cute::stream`, which the
    namespace-wide row `cute::*` matches; but a file that declares `stream` itself (a
    parameter `cudaStream_t stream`, a struct `Empty`) means its own, as C++ finds
    that declaration first, and a namespace's own name (`cute` alone) is never a member
    of it. Rows that name the member (`cute::make_tensor`) are not guesses."""
    if matched_by != "pattern" or not row_key.endswith("::*"):
        return False
    bare = written.split("<", 1)[0].strip()
    if not bare.isidentifier() or resolved == bare:
        return False  # written qualified (`gemm::GemmShape`), or no namespace guessed
    return bare in declared or bare in heads


def may_turn_own(screen: Iterable[ScreenEntry]) -> bool:
    """Whether a screen holds an entry of a namespace or folder row (`cutlass::*`,
    `cutlass/*`), the entries only a repository that opens such a namespace itself can
    answer for (a family entry is asked about in every repository). Reads up to the
    first such entry."""
    return any(not family for family, *_ in screen)


class OwnNames:
    """The repository's own names and headers, for the entries the screens ask about."""

    def __init__(self, screens: Iterable[Screen], defined: set[str],
                 paths: Iterable[tuple[str, bool]]) -> None:
        """`defined`: every name the files define (qualified ones from own code only);
        `paths`: every scanned file's relative path, and whether it is vendored."""
        asked_names: set[str] = set()
        asked_paths: set[str] = set()
        for screen in screens:
            for family, kind, resolved, _ in screen:
                if kind != "include":
                    continue
                if family:
                    asked_names.add(resolved.rsplit("/", 1)[-1])
                else:
                    asked_paths.add(resolved)
        # Only what a screen asks about is looked up among the files: every file's name
        # and path suffixes in a set would cost a large tree more than the rest of this.
        self.headers: set[str] = set()
        self.paths: set[str] = set()
        for rel, vendored in paths:
            name = rel.rsplit("/", 1)[-1]
            if name in asked_names:
                self.headers.add(name)
            if not vendored and asked_paths:
                parts = rel.split("/")
                self.paths.update(p for i in range(len(parts))
                                  if (p := "/".join(parts[i:])) in asked_paths)
        self.defined = defined
        # `namespace cute { using namespace SM90; }`: the names of cute::SM90 are also
        # cute's (vocabulary.DIRECTIVE).
        self.directives: dict[str, list[str]] = {}
        for entry in defined:
            if DIRECTIVE in entry:
                scope, nominated = entry.split(DIRECTIVE, 1)
                self.directives.setdefault(scope, []).append(nominated)
        # A repository uses the same few thousand names over and over.
        self._answers: dict[tuple[str, str, str, str, str], bool] = {}

    def own_finding(self, matched_by: str, row_key: str, kind: str, resolved: str,
                    written: str) -> bool:
        """Whether a finding (matched by `matched_by`, on the row of key `row_key`) is
        the repository's own."""
        key = (matched_by, row_key, kind, resolved, written)
        answer = self._answers.get(key)
        if answer is None:
            entry = screen_entry(matched_by, row_key, kind, resolved, written)
            answer = self._answers[key] = entry is not None and self.own(*entry)
        return answer

    def own(self, family: bool, kind: str, resolved: str, written_head: str) -> bool:
        """Whether a screen's entry is the repository's own."""
        if kind == "include":
            if family:
                return resolved.rsplit("/", 1)[-1] in self.headers
            return resolved in self.paths
        if family:
            return resolved in self.defined
        if written_head and f"{written_head}::" in self.defined:
            return True  # the project's own namespace, not the used one's
        parts = resolved.split("::")
        if any("::".join(parts[:end]) in self.defined for end in range(2, len(parts) + 1)):
            return True
        return any(self._through_directive(parts, end) for end in range(1, len(parts) - 1)
                   if "::".join(parts[:end]) in self.directives)

    def _through_directive(self, parts: list[str], end: int) -> bool:
        """Whether `parts` after the scope `parts[:end]` name something one of the
        namespaces that scope's using-directives nominate defines (`cute::GMMA::Major`
        as `cute::SM90::GMMA::Major`)."""
        rest = parts[end:]
        for nominated in self.directives["::".join(parts[:end])]:
            base = nominated.split("::")
            if any("::".join(base + rest[:k]) in self.defined for k in range(1, len(rest) + 1)):
                return True
        return False
