"""Parsing CUDA/C++ with tree-sitter, and the lexical helpers the frontend needs.

Kept apart from cuda_cpp.py, which decides what each name is: this module only
knows how to get a usable tree (and how broken it is) and how to read raw text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache

import tree_sitter
import tree_sitter_cpp
import tree_sitter_cuda

from migrate.frontends.source_text import word_occurrences

# Re-parse with the C++ grammar when more of the file than this sits in ERROR nodes.
REPARSE_ERROR_SHARE = 0.10
NOT_CODE = frozenset({
    "comment", "string_literal", "string_content", "raw_string_literal", "raw_string_content",
    "raw_string_delimiter", "char_literal", "concatenated_string", "escape_sequence",
    "system_lib_string",
})
_BRACKETS = re.compile(r"[<>()\[\]{}]")
FUNCTION_DECLARATORS = frozenset({"function_declarator", "pointer_declarator",
                                  "reference_declarator"})


@cache
def parser(grammar: str) -> tree_sitter.Parser:
    module = tree_sitter_cuda if grammar == "cuda" else tree_sitter_cpp
    return tree_sitter.Parser(tree_sitter.Language(module.language()))


def blank_qualifier_macros(data: bytes, names: frozenset[str], words: set[str],
                           specifiers: frozenset[str] = frozenset()) -> bytes:
    """Replace uses of `#define X __host__ __device__`-style macros by spaces, and uses
    of function-like specifier macros (`CUTE_ALIGNAS(16)`) with their arguments.

    tree-sitter cannot know what such a macro expands to, and a declaration
    starting with an unknown word turns into an ERROR node (`struct CUTE_ALIGNAS(16) A`
    reads as a struct named CUTE_ALIGNAS). Blanking keeps every byte offset and line
    break, so positions in the report stay those of the real file. `words`: the
    file's words (`cuda_cpp.words_of`); each name is found by a literal search.
    """
    present = (names | specifiers) & words
    if not present:
        return data
    out = bytearray(data)
    for start, name in word_occurrences(data, present):
        if _DEFINING.match(data, data.rfind(b"\n", 0, start) + 1, start):
            continue
        end = start + len(name)
        if name in specifiers and name not in names:
            end = _call_end(data, end)
            if end is None:
                continue  # not called here (`#ifdef CUTE_ALIGNAS`): left as it is
        out[start:end] = bytes(b if b == 10 else 32 for b in data[start:end])
    return bytes(out)


def _call_end(data: bytes, after_name: int) -> int | None:
    """Where the argument list that follows a macro's name ends (past its `)`), when the
    name is called; None otherwise, or when the list does not close within
    MAX_SPECIFIER_CALL bytes."""
    match = _OPENING.match(data, after_name)
    if match is None:
        return None
    depth = 0
    limit = min(len(data), match.end() + MAX_SPECIFIER_CALL)
    for position in range(match.end() - 1, limit):
        byte = data[position]
        if byte == 40:  # (
            depth += 1
        elif byte == 41:  # )
            depth -= 1
            if depth == 0:
                return position + 1
    return None


# The line up to a name, when the name is what the line #defines.
_DEFINING = re.compile(rb"[ \t]*#[ \t]*define\b")
# A call's opening parenthesis after a macro's name.
_OPENING = re.compile(rb"[ \t]*\(")
# Bytes a specifier macro's arguments may span (`CUTE_ALIGNAS(sizeof(T) * 2)`).
MAX_SPECIFIER_CALL = 400


def parse_best(data: bytes) -> tuple[tree_sitter.Tree, float]:
    tree = parser("cuda").parse(data)
    share = error_share(tree.root_node, len(data))
    if share > REPARSE_ERROR_SHARE:
        cpp_tree = parser("cpp").parse(data)
        cpp_share = error_share(cpp_tree.root_node, len(data))
        if cpp_share < share:
            return cpp_tree, cpp_share
    return tree, share


@cache
def function_query(language: tree_sitter.Language) -> tree_sitter.Query:
    """Per grammar: a file re-parsed with the C++ grammar has the C++ node types."""
    return tree_sitter.Query(language, "(function_definition) @function")


def function_name(node: tree_sitter.Node) -> str:
    declarator = node.child_by_field_name("declarator")
    while declarator is not None and declarator.type in FUNCTION_DECLARATORS:
        declarator = wrapped_declarator(declarator)
    if declarator is None or declarator.text is None:
        return ""
    return " ".join(declarator.text.decode("utf-8", "replace").split())


def wrapped_declarator(declarator: tree_sitter.Node) -> tree_sitter.Node | None:
    """What a function, pointer, reference, array or init declarator wraps: the grammar
    names it `declarator` except in a reference declarator (`T&& forward(...)`,
    `int& r = x`), where it is the last named child."""
    if declarator.type == "reference_declarator":
        children = declarator.named_children
        return children[-1] if children else None
    return declarator.child_by_field_name("declarator")


def error_share(root: tree_sitter.Node, size: int) -> float:
    if not root.has_error or size == 0:
        return 0.0
    in_error = 0
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR":
            in_error += node.end_byte - node.start_byte
        elif node.has_error:
            stack.extend(node.children)
    return round(min(1.0, in_error / size), 4)


class Ancestors:
    """A node and the nodes above it, each found once and its type read once.

    tree-sitter keeps no parent pointers: every `.parent` walks down again from the
    root. Classifying one name asks for the same few ancestors many times over.
    """

    __slots__ = ("nodes", "types")

    def __init__(self, node: tree_sitter.Node) -> None:
        self.nodes: list[tree_sitter.Node | None] = [node]
        self.types: list[str] = [node.type]

    def node(self, level: int) -> tree_sitter.Node | None:
        """The ancestor `level` steps up (0: the node itself); None above the root."""
        nodes = self.nodes
        while len(nodes) <= level:
            last = nodes[-1]
            if last is None:
                return None
            above = last.parent
            nodes.append(above)
            self.types.append(above.type if above is not None else "")
        return nodes[level]

    def type(self, level: int) -> str:
        """The type of the ancestor `level` steps up; "" above the root."""
        types = self.types
        if level >= len(types):  # a test, not IndexError: raising costs more than the walk
            self.node(level)
            if level >= len(types):
                return ""
        return types[level]

    def not_code(self) -> bool:
        """Whether the node is in a comment, a string or a character literal: it or one of
        its two nearest ancestors is one."""
        types = self.types
        if types[0] in NOT_CODE:
            return True
        if len(types) < 3:
            self.node(2)
            if len(types) < 3:  # the node is the root or a child of it
                return len(types) > 1 and types[1] in NOT_CODE
        return types[1] in NOT_CODE or types[2] in NOT_CODE


_LITERAL_OR_COMMENT = re.compile(
    rb'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|//[^\n]*|/\*.*?(?:\*/|\Z)', re.DOTALL)


def literal_spans(data: bytes, start: int, end: int) -> list[tuple[int, int]]:
    """Byte spans of string literals and comments in data[start:end], in order."""
    return [(m.start(), m.end()) for m in _LITERAL_OR_COMMENT.finditer(data, start, end)]


def inside_any(spans: list[tuple[int, int]], position: int) -> bool:
    index = bisect_right(spans, (position, len(spans) and spans[-1][1] + 1)) - 1
    return index >= 0 and spans[index][0] <= position < spans[index][1]




def strip_template_args(text: str) -> str:
    """`a::B<T, (N > 1)>::c` -> `a::B::c`: every template argument list dropped, where a
    `<` or `>` inside parentheses or brackets of an argument is an operator."""
    if "<" not in text:
        return text
    kept: list[str] = []
    angle = nested = 0
    start = 0  # of the text kept since the last closing `>`
    for match in _BRACKETS.finditer(text):
        char = match.group()
        if angle == 0:
            if char == "<":
                kept.append(text[start:match.start()])
                angle, nested = 1, 0
        elif char in "([{":
            nested += 1
        elif char in ")]}":
            nested = max(0, nested - 1)
        elif nested == 0:
            angle += 1 if char == "<" else -1
            if angle == 0:
                start = match.end()
    if angle == 0:
        kept.append(text[start:])
    return "".join(kept)
