"""CUDA, C and C++ sources on tree-sitter's CUDA grammar.

Only identifiers the tables could know are looked at: one regular-expression
pass collects a file's distinct identifiers, the wanted ones are located, and
the syntax tree says what each occurrence is (call, type, macro body, comment,
string...). Trees with errors are used as they are: a token inside an ERROR
node is still classified, and the share of bytes in ERROR nodes is reported as
the file's parse confidence.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

import tree_sitter

from migrate.frontends import FrontendOutput, RepoContext
from migrate.frontends.cpp_parse import (
    blank_qualifier_macros,
    function_name,
    function_query,
    in_preprocessor_condition,
    inside_any,
    literal_spans,
    not_code,
    parse_best,
    strip_template_args,
)
from migrate.frontends.source_text import LineIndex
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
_IDENTIFIER_TOKEN = re.compile(rb"[A-Za-z_]\w*")
_INCLUDE = re.compile(rb'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\r\n]+)[>"]', re.MULTILINE)
_LAUNCH = re.compile(rb"<<<")
_ALIAS = re.compile(rb"\bnamespace\s+([A-Za-z_]\w*)\s*=\s*(::)?([A-Za-z_][\w:]*)\s*;")
_USING_NAMESPACE = re.compile(rb"\busing\s+namespace\s+(::)?([A-Za-z_][\w:]*)\s*;")
_USING_NAME = re.compile(rb"\busing\s+(::)?([A-Za-z_]\w*(?:::[A-Za-z_]\w*)+)\s*;")
_QUALIFIED_AROUND = re.compile(rb"(?:::)?[A-Za-z_]\w*(?:\s*::\s*[A-Za-z_]\w*)*")
_ALL_CAPS = re.compile(r"[A-Z][A-Z0-9_]*")


def extract(text: str, rel: str, context: RepoContext) -> FrontendOutput:
    return extract_bytes(text.encode("utf-8"), rel, context)


def extract_bytes(data: bytes, rel: str, context: RepoContext, line_offset: int = 0,
                  first_column_offset: int = 0) -> FrontendOutput:
    """Uses in `data`; offsets place embedded code (a Python string) in its outer file."""
    prepared = blank_qualifier_macros(data, context.qualifier_macros)
    tree, error_share = parse_best(prepared)
    scan = _FileScan(rel, prepared, tree.root_node, LineIndex(data, line_offset,
                                                             first_column_offset),
                     language=tree.language)
    scan.read_scopes()
    scan.find_vendor_branches(context.vendor_macros)
    scan.find_includes()
    scan.find_launches()
    scan.find_names(context)
    return FrontendOutput(uses=scan.uses, error_share=error_share,
                          defined_names=scan.defined)


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

    def code_at(self, start: int, end: int) -> tree_sitter.Node | None:
        node = self.root.descendant_for_byte_range(start, end)
        return None if node is None or not_code(node) else node

    def read_scopes(self) -> None:
        """Namespace aliases and using-directives, for resolving short names."""
        for match in _ALIAS.finditer(self.data):
            if self.code_at(match.start(), match.start() + 9):
                self.aliases[match.group(1).decode()] = match.group(3).decode()
        for match in _USING_NAMESPACE.finditer(self.data):
            if self.code_at(match.start(), match.start() + 5):
                self.using_namespaces.append(match.group(2).decode())
        for match in _USING_NAME.finditer(self.data):
            if self.code_at(match.start(), match.start() + 5):
                full = match.group(2).decode()
                self.using_names[full.rsplit("::", 1)[1]] = full

    def find_vendor_branches(self, macros: frozenset[str]) -> None:
        """Byte ranges of #if chains that test another vendor's macro in any branch."""
        present = [m for m in macros if m.encode() in self.data]
        if not present:
            return
        pattern = re.compile(rb"^[ \t]*#[ \t]*(?:if|ifdef|ifndef|elif)\b[^\n]*\b(?:"
                             + b"|".join(re.escape(m.encode()) for m in present) + rb")\b",
                             re.MULTILINE)
        for match in pattern.finditer(self.data):
            node = self.root.descendant_for_byte_range(match.end() - 1, match.end())
            chain = None
            while node is not None:
                if node.type in ("preproc_if", "preproc_ifdef"):
                    chain = node
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
        index = bisect_right(self.functions, offset, key=lambda f: f[0]) - 1
        while index >= 0:
            start, end, node = self.functions[index]
            if start <= offset < end:
                return function_name(node)
            index -= 1
        return ""

    def in_vendor_branch(self, offset: int) -> bool:
        return any(start <= offset < end for start, end in self.vendor_ranges)

    def add(self, start: int, end: int, symbol: str, resolved: str, kind: str,
            alternatives: tuple[str, ...] = (), exact_only: bool = False) -> None:
        if (start, end) in self.seen:
            return
        self.seen.add((start, end))
        line, column = self.lines.position(start)
        end_line, end_column = self.lines.position(end)
        self.uses.append(Use(
            file=self.rel, line=line, column=column, end_line=end_line, end_column=end_column,
            symbol=symbol, resolved=resolved, kind=kind, language=LANGUAGE,
            source_line=self.lines.line_text(start), alternatives=alternatives,
            exact_only=exact_only, vendor_branch=self.in_vendor_branch(start),
            function=self.enclosing_function(start),
        ))

    def find_includes(self) -> None:
        for match in _INCLUDE.finditer(self.data):
            node = self.root.descendant_for_byte_range(match.start(2), match.end(2))
            if node is None or node.type == "comment":
                continue
            path = match.group(2).decode("utf-8", errors="replace").strip()
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

    def find_names(self, context: RepoContext) -> None:
        tokens = {t.decode() for t in set(_IDENTIFIER_TOKEN.findall(self.data))}
        wanted = {t for t in tokens if context.wanted(t) or t in ASM_TOKENS
                  or t in self.aliases or t in self.using_names}
        if not wanted:
            return
        pattern = re.compile(rb"\b(?:" + b"|".join(
            re.escape(t.encode()) for t in sorted(wanted, key=len, reverse=True)) + rb")\b")
        for match in pattern.finditer(self.data):
            self.classify(match.start(), match.end(), match.group().decode(), context)

    def classify(self, start: int, end: int, token: str, context: RepoContext) -> None:
        node = self.root.descendant_for_byte_range(start, end)
        if node is None or not_code(node):
            return
        if token in ASM_TOKENS:
            if node.parent is not None and node.parent.type == "gnu_asm_expression":
                self.add(node.parent.start_byte, node.parent.start_byte + len(token), token,
                         "asm", "asm")
            return
        if node.start_byte != start or node.end_byte != end:
            self.classify_lexically(node, start, end, token, context)
            return
        if token in QUALIFIER_TOKENS:
            self.add(start, end, token, token, "qualifier")
            return
        if node.type in ("field_identifier", "statement_identifier"):
            return
        if self.is_definition(node):
            self.defined.add(token)
            return
        head = node
        while head.parent is not None and head.parent.type in _NAME_CHAIN:
            head = head.parent
        if head.parent is not None and head.parent.type in _SKIPPED_PARENTS:
            return
        written = " ".join(self.data[head.start_byte:head.end_byte].decode("utf-8",
                                                                           "replace").split())
        resolved, alternatives = self.resolve(written)
        kind = self.kind_of(node, head, resolved)
        self.add(head.start_byte, head.end_byte, written[:160], resolved, kind, alternatives,
                 exact_only=resolved in context.defined_macros)

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
                self.add(match.start(), match.end(), written, resolved, kind, alternatives,
                         exact_only=resolved in context.defined_macros)
                return

    def is_definition(self, node: tree_sitter.Node) -> bool:
        """The name being defined is not a use of it: a function, macro, namespace,
        variable or parameter (`CUdevice cuDevice;` declares the project's own name)."""
        parent = node.parent
        while parent is not None and parent.type == "qualified_identifier":
            node, parent = parent, parent.parent
        if parent is None:
            return False
        if parent.type in ("function_declarator", "preproc_def", "preproc_function_def"):
            field_name = "declarator" if parent.type == "function_declarator" else "name"
            defined = parent.child_by_field_name(field_name)
            return defined is not None and defined.start_byte == node.start_byte
        if parent.type == "namespace_definition":
            return True
        if parent.type in _TYPE_SPECIFIERS:  # `struct cudaResources { ... };`
            return parent.child_by_field_name("name") == node and \
                parent.child_by_field_name("body") is not None
        if parent.type == "type_definition":  # `typedef struct {...} cuFoo_t;`
            return parent.child_by_field_name("declarator") == node
        return node.type == "identifier" and self.declares_variable(node)

    @staticmethod
    def declares_variable(node: tree_sitter.Node) -> bool:
        """Whether `node` is the declarator of a variable, parameter or member."""
        child, parent = node, node.parent
        while parent is not None and parent.type in _DECLARATOR_WRAPPERS:
            if parent.type == "init_declarator" and \
                    parent.child_by_field_name("declarator") != child:
                return False  # the initializer side: a use
            child, parent = parent, parent.parent
        if parent is None or parent.type not in _DECLARING:
            return False
        declarator = parent.child_by_field_name("declarator")
        return declarator is not None and declarator == child

    def resolve(self, written: str) -> tuple[str, tuple[str, ...]]:
        """Fully qualified name after aliases; other readings via using-directives."""
        name = strip_template_args(written).replace(" ", "").lstrip(":")
        parts = name.split("::")
        if parts[0] in self.aliases:
            parts[0:1] = self.aliases[parts[0]].lstrip(":").split("::")
        elif len(parts) == 1 and parts[0] in self.using_names:
            parts = self.using_names[parts[0]].split("::")
        resolved = "::".join(parts)
        alternatives = tuple(f"{ns}::{resolved}" for ns in self.using_namespaces
                             if not resolved.startswith(ns + "::"))
        return resolved, alternatives

    def kind_of(self, node: tree_sitter.Node, head: tree_sitter.Node, resolved: str) -> str:
        last = resolved.rsplit("::", 1)[-1]
        parent = head.parent
        if parent is not None and parent.type == "call_expression":
            function = parent.child_by_field_name("function")
            if function is not None and function.start_byte == head.start_byte:
                return "macro" if _ALL_CAPS.fullmatch(last) else "call"
        if node.type == "type_identifier" or head.type in ("template_type", "dependent_type"):
            return "type"
        if in_preprocessor_condition(head):
            return "macro"
        if _ALL_CAPS.fullmatch(last):
            return "macro"
        return "identifier"
