"""CUDA, C and C++ sources on tree-sitter's CUDA grammar.

Only identifiers the tables or the name universe could know are looked at: one
regular-expression pass collects a file's distinct identifiers, the wanted ones
are located, and the syntax tree says what each occurrence is (call, type, macro
body, comment, string...). Trees with errors are used as they are: a token inside
an ERROR node is still classified, and the share of bytes in ERROR nodes is
reported as the file's parse confidence.

Universe names that are plain words or another library's API (`any`, `norm`,
`half`, nvblas's `dgemm_`) count only in device code or in a file that includes
their header; a universe name the file declares itself (`int umin;`) is its own.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

import tree_sitter

from migrate.frontends import FrontendOutput, RepoContext
from migrate.frontends.cpp_declared import declared_in_namespaces
from migrate.frontends.cpp_parse import (
    Ancestors,
    blank_qualifier_macros,
    function_name,
    function_query,
    inside_any,
    literal_spans,
    parse_best,
    strip_template_args,
)
from migrate.frontends.source_text import LineIndex, at_word_start, word_occurrences
from migrate.model import Use

LANGUAGE = "cuda_cpp"

QUALIFIER_TOKENS = frozenset({
    "__global__", "__device__", "__host__", "__shared__", "__constant__", "__managed__",
    "__launch_bounds__", "__forceinline__", "__noinline__", "__restrict__", "__grid_constant__",
})
ASM_TOKENS = frozenset({"asm", "__asm__", "__asm"})
_NAME_CHAIN = frozenset({"qualified_identifier", "template_function", "template_type",
                         "template_method", "dependent_name", "dependent_type"})
_SKIPPED_PARENTS = frozenset({"namespace_alias_definition", "using_declaration",
                              "namespace_definition"})
_DECLARATOR_WRAPPERS = frozenset({"init_declarator", "pointer_declarator",
                                  "reference_declarator", "array_declarator"})
_TYPE_SPECIFIERS = frozenset({"struct_specifier", "class_specifier", "union_specifier",
                              "enum_specifier"})
_DECLARING = frozenset({"declaration", "parameter_declaration", "field_declaration",
                        "optional_parameter_declaration"})
# Every byte that cannot be part of a C identifier, as a space: the file's words are then
# `split()` at C speed (half the time of a regular expression over a large header).
_WORDS_ONLY = bytes(b if chr(b).isascii() and (chr(b).isalnum() or b == ord("_")) else 32
                    for b in range(256))
# From the `#`: `_at_line_start` checks that only blanks come before it on its line.
_INCLUDE = re.compile(rb'#[ \t]*include[ \t]*([<"])([^>"\r\n]+)[>"]')
_LAUNCH = re.compile(rb"<<<")
# No leading \b: a pattern starting with a literal is found by a fast literal search (ten
# times faster on large files); `at_word_start` checks the boundary instead.
_ALIAS = re.compile(rb"namespace\s+([A-Za-z_]\w*)\s*=\s*(::)?([A-Za-z_][\w:]*)\s*;")
_USING_NAMESPACE = re.compile(rb"using\s+namespace\s+(::)?([A-Za-z_][\w:]*)\s*;")
_USING_NAME = re.compile(rb"using\s+(::)?([A-Za-z_]\w*(?:::[A-Za-z_]\w*)+)\s*;")
_QUALIFIED_AROUND = re.compile(rb"(?:::)?[A-Za-z_]\w*(?:\s*::\s*[A-Za-z_]\w*)*")
_ALL_CAPS = re.compile(r"[A-Z][A-Z0-9_]*")
_KEYWORDS_IN_NAMES = re.compile(r"\b(?:typename|template)\b\s*")
_DEVICE_WORDS = (b"__device__", b"__global__")
# Vendor macros that are BIRENSUPA's own: their branch is the port itself, not another
# vendor's code.
_BIRENSUPA_MACRO = re.compile(r"SUPA|SUDA|BRCC|BIREN")
_CONDITIONAL_BRANCHES = frozenset({"preproc_if", "preproc_ifdef", "preproc_elif",
                                   "preproc_elifdef", "preproc_else"})
# Where an #if, #elif, #ifdef, #ifndef, #elifdef or #elifndef may start.
_CONDITIONAL_DIRECTIVE = re.compile(rb"#[ \t]*(?:el)?if(?:n?def)?\b")
_TESTING_A_NAME = frozenset({"preproc_ifdef", "preproc_elifdef"})


def extract(text: str, rel: str, context: RepoContext) -> FrontendOutput:
    """A file's uses; the function each sits in is found on request (`function_of`)."""
    return extract_bytes(text.encode("utf-8"), rel, context, functions_later=True)


def extract_bytes(data: bytes, rel: str, context: RepoContext, line_offset: int = 0,
                  first_column_offset: int = 0, functions_later: bool = False
                  ) -> FrontendOutput:
    """Uses in `data`; offsets place embedded code (a Python string) in its outer file.
    With `functions_later`, `Use.function` is left empty and the output's `function_of`
    finds it for the uses that need it."""
    words = words_of(data)
    prepared = blank_qualifier_macros(data, context.qualifier_macros, words,
                                      context.specifier_macros)
    tree, error_share = parse_best(prepared)
    scan = _FileScan(rel, prepared, tree.root_node, LineIndex(data, line_offset,
                                                             first_column_offset),
                     language=tree.language, source=data,
                     offsets={} if functions_later else None)
    scan.read_scopes()
    scan.find_vendor_branches(context.vendor_macros, words)
    scan.find_includes(context)
    scan.find_launches()
    scan.find_names(context, words)
    if context.prefix_namespaces and b"namespace" in prepared:
        heads = context.prefix_namespaces & words
        scan.defined |= declared_in_namespaces(scan.root, heads, prepared)
    return FrontendOutput(uses=scan.uses, error_share=error_share,
                          defined_names=scan.defined,
                          function_of=scan.function_of if functions_later else None,
                          own_scopes_used=scan.own_scopes_used)


def words_of(data: bytes) -> set[str]:
    """Every run of identifier characters in `data` (numbers too: `128`, `x1f` of `0x1f`).
    A name, a macro or a namespace the file holds whole is one of them, so whether it
    occurs at all is a set lookup instead of a search through the file per name. After
    `blank_qualifier_macros` the set may hold a blanked name: a search for it in the
    blanked text finds nothing, as before."""
    return set(data.translate(_WORDS_ONLY).decode("ascii").split())


@dataclass(slots=True)
class _FileScan:
    rel: str
    data: bytes
    root: tree_sitter.Node
    lines: LineIndex
    language: tree_sitter.Language
    uses: list[Use] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    using_namespaces: list[str] = field(default_factory=list)
    using_names: dict[str, str] = field(default_factory=dict)
    seen: set[tuple[int, int]] = field(default_factory=set)
    defined: set[str] = field(default_factory=set)
    literal_spans: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    vendor_ranges: list[tuple[int, int]] = field(default_factory=list)
    functions: list[tuple[int, int, tree_sitter.Node]] | None = None
    function_starts: list[int] = field(default_factory=list)
    function_names: dict[int, str] = field(default_factory=dict)  # by start byte
    resolved: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    source: bytes = b""  # the text before qualifier macros were blanked
    # Byte ranges of the branches only another vendor's build takes (`#ifdef USE_ROCM`).
    vendor_side_ranges: list[tuple[int, int]] = field(default_factory=list)
    included: set[str] = field(default_factory=set)  # base names of the #included headers
    device_markers: tuple[bytes, ...] | None = None
    # Uses of names the file may declare itself (held or universe-only ones), with the name.
    own_candidates: list[tuple[Use, str]] = field(default_factory=list)
    declared: set[str] = field(default_factory=set)  # variables, parameters, functions
    # Where each use starts (by the use's id), when its function is found on request.
    offsets: dict[int, int] | None = None
    # Byte ranges of #if/#elif conditions and of the names #ifdef/#ifndef test, in order.
    condition_spans: list[tuple[int, int]] | None = None
    # The scopes of `RepoContext.own_scopes` whose names were skipped as the library's own.
    own_scopes_used: set[str] = field(default_factory=set)

    def code_at(self, start: int, end: int) -> tree_sitter.Node | None:
        node = self.root.descendant_for_byte_range(start, end)
        return None if node is None or Ancestors(node).not_code() else node

    def read_scopes(self) -> None:
        """Namespace aliases and using-directives, for resolving short names."""
        for match in _ALIAS.finditer(self.data):
            if at_word_start(self.data, match.start()) and \
                    self.code_at(match.start(), match.start() + 9):
                self.aliases[match.group(1).decode()] = match.group(3).decode()
        for match in _USING_NAMESPACE.finditer(self.data):
            if at_word_start(self.data, match.start()) and \
                    self.code_at(match.start(), match.start() + 5):
                self.using_namespaces.append(match.group(2).decode())
        for match in _USING_NAME.finditer(self.data):
            if at_word_start(self.data, match.start()) and \
                    self.code_at(match.start(), match.start() + 5):
                full = match.group(2).decode()
                self.using_names[full.rsplit("::", 1)[1]] = full

    def find_vendor_branches(self, macros: frozenset[str], words: set[str]) -> None:
        """Byte ranges of #if chains that test another vendor's macro in any branch, and
        of the branches in them that only another vendor's build takes."""
        present = sorted(macros & words)
        if not present:
            return
        pattern = re.compile(rb"^[ \t]*#[ \t]*(?:if|ifdef|ifndef|elif)\b[^\n]*\b(?:"
                             + b"|".join(re.escape(m.encode()) for m in present) + rb")\b",
                             re.MULTILINE)
        others = frozenset(m for m in present if not _BIRENSUPA_MACRO.search(m))
        evaluated: set[int] = set()
        for match in pattern.finditer(self.data):
            node = self.root.descendant_for_byte_range(match.end() - 1, match.end())
            chain = None
            while node is not None:
                if node.type in ("preproc_if", "preproc_ifdef"):
                    chain = node
                    if others and node.start_byte not in evaluated:
                        evaluated.add(node.start_byte)
                        self.vendor_side_ranges.extend(_other_vendor_branches(node, others))
                    if node.parent is None or node.parent.type not in ("preproc_else",
                                                                        "preproc_elif"):
                        break
                node = node.parent
            if chain is not None:
                self.vendor_ranges.append((chain.start_byte, chain.end_byte))

    def enclosing_function(self, offset: int) -> str:
        """Name of the innermost function definition around `offset`, "" at file scope."""
        if self.functions is None:  # one query per file, only for files with uses
            found = tree_sitter.QueryCursor(function_query(self.language)).captures(self.root)
            nodes = sorted(found.get("function", []), key=lambda n: n.start_byte)
            self.functions = [(n.start_byte, n.end_byte, n) for n in nodes]
            self.function_starts = [n.start_byte for n in nodes]
        index = bisect_right(self.function_starts, offset) - 1
        while index >= 0:
            start, end, node = self.functions[index]
            if start <= offset < end:
                name = self.function_names.get(start)
                if name is None:  # a function holds many uses: its name is read once
                    name = self.function_names[start] = function_name(node)
                return name
            index -= 1
        return ""

    def function_of(self, use: Use) -> str:
        """The function `use` (one of this scan's) sits in; its own field for another."""
        offset = self.offsets.get(id(use)) if self.offsets is not None else None
        return use.function if offset is None else self.enclosing_function(offset)

    def in_vendor_branch(self, offset: int) -> bool:
        return any(start <= offset < end for start, end in self.vendor_ranges)

    def in_vendor_side(self, offset: int) -> bool:
        return any(start <= offset < end for start, end in self.vendor_side_ranges)

    def add(self, start: int, end: int, symbol: str, resolved: str, kind: str,
            alternatives: tuple[str, ...] = (), exact_only: bool = False) -> None:
        key = (start, end)
        if key in self.seen:
            return
        self.seen.add(key)
        line, column, end_line, end_column, source_line = self.lines.place(start, end)
        offsets = self.offsets
        use = Use(
            self.rel, line, column, end_line, end_column, symbol, resolved, kind, LANGUAGE,
            source_line, alternatives, exact_only,
            bool(self.vendor_ranges) and self.in_vendor_branch(start),  # vendor_branch
            bool(self.vendor_side_ranges) and self.in_vendor_side(start),  # vendor_side
            "" if offsets is not None else self.enclosing_function(start),  # function
        )
        self.uses.append(use)
        if offsets is not None:
            offsets[id(use)] = start

    def find_includes(self, context: RepoContext) -> None:
        for match in _INCLUDE.finditer(self.data):
            if not _at_line_start(self.data, match.start()):
                continue
            node = self.root.descendant_for_byte_range(match.start(2), match.end(2))
            if node is None or node.type == "comment":
                continue
            path = match.group(2).decode("utf-8", errors="replace").strip()
            self.included.add(path.rsplit("/", 1)[-1])
            if path.isidentifier() and (path in context.held_names
                                        or context.universe_only(path)):
                continue  # `#include <any>` is the standard header, not CUDA's any()
            opener, closer = ("<", ">") if match.group(1) == b"<" else ('"', '"')
            self.add(match.start(2) - 1, match.end(2) + 1, f"#include {opener}{path}{closer}",
                     path, "include")

    def find_launches(self) -> None:
        for match in _LAUNCH.finditer(self.data):
            node = self.code_at(match.start(), match.end())
            if node is None:
                continue
            launch = node.parent if node.parent is not None else node
            start, end = match.start(), match.end()
            if launch.type == "kernel_call_syntax":
                call = launch.parent
                start = call.start_byte if call is not None else launch.start_byte
                end = launch.end_byte
            symbol = " ".join(self.data[start:end].decode("utf-8", "replace").split())
            self.add(start, end, symbol[:160], "<<<>>>", "launch")

    def find_names(self, context: RepoContext, tokens: set[str]) -> None:
        """Classifies each occurrence of the file's wanted names (`tokens`: `words_of`)."""
        members: frozenset[str] = frozenset().union(
            *(context.namespace_members.get(ns, ()) for ns in self.using_namespaces))
        wanted = context.wanted_among(tokens) | (tokens & (
            ASM_TOKENS | self.aliases.keys() | self.using_names.keys() | members))
        # The words include numbers (`128`, `0x1f`): none is a name, whatever a table says.
        wanted = {t for t in wanted if not t[0].isdigit()}
        held = [t for t in wanted if t in context.held_names]
        if held:  # a held name is only looked at where the file could make it CUDA's
            wanted -= {t for t in held if not self.may_hold(t, context)}
        if not wanted:
            return
        scopes = context.own_scopes
        if scopes is not None and (b"supa-migrate:" in self.source
                                   or not scopes.heads & wanted):
            scopes = None  # a marker must see every name it may cover (suppress.py)
        for start, token in word_occurrences(self.data, wanted):
            if scopes is not None and token in scopes.heads:
                scope = scopes.scope_at(self.data, start, token, self.aliases,
                                        self.using_namespaces)
                if scope is not None:  # the library's own, whatever the rest of the name
                    self.own_scopes_used.add(scope)
                    continue
            self.classify(start, start + len(token), token, context)
        own = {id(use) for use, token in self.own_candidates if token in self.declared}
        if own:  # `int umin = ...; f(umin)`: the file's own name, not CUDA's
            self.uses = [use for use in self.uses if id(use) not in own]

    def may_hold(self, token: str, context: RepoContext) -> bool:
        """Whether the file could use held name `token` as CUDA's: it includes the header
        declaring it, or has device code; never when the repository #defines it."""
        if token in context.defined_macros:
            return False
        return bool(context.held_names[token][1] & self.included) or \
            bool(self.markers(context))

    def markers(self, context: RepoContext) -> tuple[bytes, ...]:
        """The words that mark device code and occur in this file."""
        if self.device_markers is None:
            words = (*_DEVICE_WORDS, *(m.encode() for m in context.device_macros))
            self.device_markers = tuple(w for w in words if w in self.source)
        return self.device_markers

    def in_device_code(self, up: Ancestors, context: RepoContext) -> bool:
        """Inside a function or lambda declared `__device__` or `__global__`."""
        markers = self.markers(context)
        level = 0
        while markers and (node := up.node(level)) is not None:
            if up.type(level) in ("function_definition", "lambda_expression"):
                body = node.child_by_field_name("body")
                header = self.source[node.start_byte:
                                     body.start_byte if body is not None else node.end_byte]
                if any(m in header for m in markers):
                    return True
            level += 1
        return False

    def holds(self, token: str, resolved: str, kind: str, up: Ancestors,
              context: RepoContext) -> bool:
        """Whether a held name's use is CUDA's: unqualified, in a position that fits its
        kind (a function called, a type declaring), and in device code or in a file that
        includes its header."""
        if resolved != token:
            return True  # qualified: the lookup decides
        universe_kind, headers = context.held_names[token]
        if universe_kind == "function" and kind not in ("call", "macro"):
            return False
        if universe_kind in ("type", "enum") and kind != "type":
            return False
        return bool(headers & self.included) or self.in_device_code(up, context)

    def add_own_candidate(self, token: str, *args: object, **kwargs: object) -> None:
        """`add`, remembering the use of a name the file may turn out to declare itself."""
        count = len(self.uses)
        self.add(*args, **kwargs)  # type: ignore[arg-type]
        if len(self.uses) > count:
            self.own_candidates.append((self.uses[-1], token))

    def classify(self, start: int, end: int, token: str, context: RepoContext) -> None:
        node = self.root.descendant_for_byte_range(start, end)
        if node is None:
            return
        up = Ancestors(node)  # every question below is about the node's ancestors
        if up.not_code():
            return
        if token in ASM_TOKENS:
            if up.type(1) == "gnu_asm_expression":
                asm = up.node(1)
                assert asm is not None
                self.add(asm.start_byte, asm.start_byte + len(token), token, "asm", "asm")
            return
        if node.start_byte != start or node.end_byte != end:
            self.classify_lexically(node, start, end, token, context)
            return
        if token in QUALIFIER_TOKENS:
            self.add(start, end, token, token, "qualifier")
            return
        if up.types[0] in ("field_identifier", "statement_identifier"):
            return
        if self.is_definition(up):
            self.defined.add(token)
            if up.type(1) not in ("", "preproc_def", "preproc_function_def"):
                self.declared.add(token)
            return
        level = 0  # of the head: the whole name the token is part of
        while up.type(level + 1) in _NAME_CHAIN:
            level += 1
        if up.type(level + 1) in _SKIPPED_PARENTS:
            return
        head = up.node(level)
        assert head is not None
        name = head  # `typename cutlass::X<N>` names cutlass::X<N>
        while name.type == "dependent_type" and name.named_child_count:
            name = name.named_children[-1]
        written = " ".join(self.data[name.start_byte:name.end_byte].decode("utf-8",
                                                                           "replace").split())
        resolved, alternatives = self.resolve(written)
        kind = self.kind_of(up, level, resolved)
        if token in context.held_names and not self.holds(token, resolved, kind, up,
                                                          context):
            return
        exact_only = resolved in context.defined_macros
        if resolved == token and (context.universe_only(token)
                                  or token in context.held_names):
            self.add_own_candidate(token, name.start_byte, name.end_byte, written[:160],
                                   resolved, kind, alternatives, exact_only=exact_only)
        else:
            self.add(name.start_byte, name.end_byte, written[:160], resolved, kind,
                     alternatives, exact_only=exact_only)

    def classify_lexically(self, node: tree_sitter.Node, start: int, end: int, token: str,
                           context: RepoContext) -> None:
        """A wanted name inside a macro body or an unparsed region: read the text itself.

        Comments are nodes of their own even in broken code, so outside a macro
        body only the current line can hide a string around the name.
        """
        line_start = self.data.rfind(b"\n", 0, start) + 1
        scan_from = max(node.start_byte if node.type == "preproc_arg" else line_start,
                        node.start_byte)
        if scan_from not in self.literal_spans:  # one pass per macro body, not per name
            line_end = self.data.find(b"\n", start)
            scan_end = node.end_byte if node.type == "preproc_arg" else \
                (len(self.data) if line_end == -1 else line_end)
            self.literal_spans[scan_from] = literal_spans(self.data, scan_from,
                                                           max(scan_end, end))
        if inside_any(self.literal_spans[scan_from], start):
            return
        if token in ASM_TOKENS:
            return
        if token in QUALIFIER_TOKENS:
            self.add(start, end, token, token, "qualifier")
            return
        line_end = self.data.find(b"\n", end)
        line_end = len(self.data) if line_end == -1 else line_end
        for match in _QUALIFIED_AROUND.finditer(self.data, line_start, line_end):
            if match.start() <= start and end <= match.end():
                written = re.sub(rb"\s+", b"", match.group()).decode()
                resolved, alternatives = self.resolve(written)
                kind = "macro" if node.type == "preproc_arg" else "identifier"
                exact_only = resolved in context.defined_macros
                if resolved != token or (not context.universe_only(token)
                                         and token not in context.held_names):
                    self.add(match.start(), match.end(), written, resolved, kind,
                             alternatives, exact_only=exact_only)
                elif token not in context.held_names or \
                        context.held_names[token][1] & self.included:
                    self.add_own_candidate(token, match.start(), match.end(), written,
                                           resolved, kind, alternatives, exact_only=exact_only)
                return

    def is_definition(self, up: Ancestors) -> bool:
        """The name being defined is not a use of it: a function, macro, namespace,
        variable or parameter (`CUdevice cuDevice;` declares the project's own name)."""
        level = 0  # of the whole qualified name
        while up.type(level + 1) == "qualified_identifier":
            level += 1
        node, parent = up.node(level), up.node(level + 1)
        if parent is None or node is None:
            return False
        parent_type = up.type(level + 1)
        if parent_type in ("function_declarator", "preproc_def", "preproc_function_def"):
            field_name = "declarator" if parent_type == "function_declarator" else "name"
            defined = parent.child_by_field_name(field_name)
            return defined is not None and defined.start_byte == node.start_byte
        if parent_type == "namespace_definition":
            return True
        if parent_type in _TYPE_SPECIFIERS:  # `struct cudaResources { ... };`
            return parent.child_by_field_name("name") == node and \
                parent.child_by_field_name("body") is not None
        if parent_type == "type_definition":  # `typedef struct {...} cuFoo_t;`
            return parent.child_by_field_name("declarator") == node
        return up.type(level) == "identifier" and self.declares_variable(up, level)

    @staticmethod
    def declares_variable(up: Ancestors, level: int) -> bool:
        """Whether the ancestor `level` steps up is the declarator of a variable,
        parameter or member."""
        while up.type(level + 1) in _DECLARATOR_WRAPPERS:
            parent = up.node(level + 1)
            assert parent is not None
            if up.type(level + 1) == "init_declarator" and \
                    parent.child_by_field_name("declarator") != up.node(level):
                return False  # the initializer side: a use
            level += 1
        parent = up.node(level + 1)
        if parent is None or up.type(level + 1) not in _DECLARING:
            return False
        child = up.node(level)
        return any(declarator == child  # `int lb, umin;` declares both
                   for declarator in parent.children_by_field_name("declarator"))

    def in_condition(self, start: int, end: int) -> bool:
        """Whether bytes `start`..`end` sit in the condition of an #if or #elif, or are
        the name an #ifdef or #ifndef tests: a name there is a macro. (Code in the
        branches is not: `using L = cutlass::layout::RowMajor;` under an #if is a type.)"""
        spans = self.condition_spans
        if spans is None:
            spans = self.condition_spans = self.conditions()
        if not spans:
            return False
        index = bisect_right(spans, (start, len(self.data) + 1)) - 1
        return index >= 0 and spans[index][0] <= start and end <= spans[index][1]

    def conditions(self) -> list[tuple[int, int]]:
        """The byte ranges `in_condition` looks in: each directive is found by its text
        and read off the tree (a `#if` in a comment or string is no directive)."""
        spans = set()
        for match in _CONDITIONAL_DIRECTIVE.finditer(self.data):
            token = self.root.descendant_for_byte_range(match.start(), match.start() + 1)
            directive = token.parent if token is not None else None
            if directive is None or token is None or not token.type.startswith("#") or \
                    directive.type not in _CONDITIONAL_BRANCHES:
                continue
            tested = directive.child_by_field_name(
                "name" if directive.type in _TESTING_A_NAME else "condition")
            if tested is not None:
                spans.add((tested.start_byte, tested.end_byte))
        return sorted(spans)

    def resolve(self, written: str) -> tuple[str, tuple[str, ...]]:
        """Fully qualified name after aliases; other readings via using-directives."""
        known = self.resolved.get(written)
        if known is None:  # a file writes the same few names again and again
            known = self.resolved[written] = self._resolve(written)
        return known

    def _resolve(self, written: str) -> tuple[str, tuple[str, ...]]:
        if "typename" in written or "template" in written:
            written = _KEYWORDS_IN_NAMES.sub("", written)
        name = strip_template_args(written).replace(" ", "")
        name = name.lstrip(":")
        parts = name.split("::")
        if parts[0] in self.aliases:
            parts[0:1] = self.aliases[parts[0]].lstrip(":").split("::")
        elif len(parts) == 1 and parts[0] in self.using_names:
            parts = self.using_names[parts[0]].split("::")
        resolved = "::".join(parts)
        if written.lstrip().startswith("::") or parts[0] == "std":
            return resolved, ()  # `::x::y` and `std::sort` are never in a used namespace
        alternatives = tuple(f"{ns}::{resolved}" for ns in self.using_namespaces
                             if not resolved.startswith(ns + "::"))
        return resolved, alternatives

    def kind_of(self, up: Ancestors, head_level: int, resolved: str) -> str:
        """Call, type, macro or identifier, for the name whose head is `head_level` steps
        above the token."""
        last = resolved.rsplit("::", 1)[-1]
        if up.type(head_level + 1) == "call_expression":
            parent, head = up.node(head_level + 1), up.node(head_level)
            assert parent is not None and head is not None
            function = parent.child_by_field_name("function")
            if function is not None and function.start_byte == head.start_byte:
                return "macro" if _ALL_CAPS.fullmatch(last) else "call"
        if up.types[0] == "type_identifier" or \
                up.type(head_level) in ("template_type", "dependent_type"):
            return "type"
        if up.types[0] == "preproc_arg":  # a macro's whole body, as classify_lexically says
            return "macro"
        head = up.node(head_level)
        if head is not None and self.in_condition(head.start_byte, head.end_byte):
            return "macro"
        if _ALL_CAPS.fullmatch(last):
            return "macro"
        return "identifier"


def _at_line_start(data: bytes, offset: int) -> bool:
    """Only spaces and tabs between the line's start and `offset`."""
    return not data[data.rfind(b"\n", 0, offset) + 1:offset].strip(b" \t")


def _other_vendor_branches(chain: tree_sitter.Node, others: frozenset[str]
                           ) -> list[tuple[int, int]]:
    """Byte ranges of the branches of `chain` (an #if/#ifdef node, its #elif and #else
    alternatives) that a build without any of the `others` macros never takes: the
    `#ifdef USE_ROCM` side, the `#else` of `#ifndef USE_ROCM`. A branch that may also be
    CUDA's (`#if defined(__CUDACC__) || defined(__HIPCC__)`) is not one."""
    ranges = []
    earlier_not_taken: bool | None = True  # every earlier branch's condition is false
    node: tree_sitter.Node | None = chain
    while node is not None and node.type in _CONDITIONAL_BRANCHES:
        condition, body_start = _branch_condition(node, others)
        taken = _and(earlier_not_taken, condition)
        alternative = node.child_by_field_name("alternative")
        if taken is False:
            ranges.append((body_start,
                           alternative.start_byte if alternative is not None else node.end_byte))
        earlier_not_taken = _and(earlier_not_taken, _not(condition))
        node = alternative
    return ranges


def _branch_condition(node: tree_sitter.Node, others: frozenset[str]
                      ) -> tuple[bool | None, int]:
    """The branch's condition in a build without the `others` macros (None: unknown), and
    where its body starts."""
    if node.type == "preproc_else":
        keyword = node.child(0)
        return True, keyword.end_byte if keyword is not None else node.start_byte
    if node.type in ("preproc_ifdef", "preproc_elifdef"):
        name = node.child_by_field_name("name")
        keyword = node.child(0)
        if name is None or keyword is None:
            return None, node.start_byte
        defined = False if name.text is not None and name.text.decode() in others else None
        negated = keyword.type.endswith("ndef")
        return (_not(defined) if negated else defined), name.end_byte
    condition = node.child_by_field_name("condition")
    if condition is None:
        return None, node.start_byte
    return _evaluate(condition, others), condition.end_byte


def _evaluate(node: tree_sitter.Node, others: frozenset[str]) -> bool | None:
    """An #if condition with the `others` macros undefined; None where it depends on
    anything else."""
    kind = node.type
    if kind == "preproc_defined":
        names = [c for c in node.named_children if c.type == "identifier"]
        if names and names[0].text is not None and names[0].text.decode() in others:
            return False
        return None
    if kind == "identifier":  # an undefined macro is 0 in #if
        return False if node.text is not None and node.text.decode() in others else None
    if kind == "number_literal" and node.text is not None:
        try:
            return int(node.text.decode().rstrip("uUlL"), 0) != 0
        except ValueError:
            return None
    if kind == "parenthesized_expression" and node.named_child_count == 1:
        return _evaluate(node.named_children[0], others)
    operator = node.child_by_field_name("operator")
    if operator is None:
        return None
    if kind == "unary_expression" and operator.type == "!":
        argument = node.child_by_field_name("argument")
        return _not(_evaluate(argument, others)) if argument is not None else None
    if kind == "binary_expression" and operator.type in ("&&", "||"):
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return None
        a, b = _evaluate(left, others), _evaluate(right, others)
        return _and(a, b) if operator.type == "&&" else _not(_and(_not(a), _not(b)))
    return None


def _not(value: bool | None) -> bool | None:
    return None if value is None else not value


def _and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True
