"""The names a C/C++ file declares inside the namespaces the tables match by prefix
(`cutlass::*`, `cute::*`, `at::cuda::*`): qualified, as a use of them reads.

CUTLASS's own `cutlass::gemm::GemmShape`, or a project's `cutlass::gemm::kernel::MoeGemm`
extending CUTLASS, is the repository's code: its uses are no port work, while its
definition's CUDA internals are found like any other code. Only definitions count: a
struct or enum with a body, a primary class template, an alias, a using-declaration, a
typedef, a namespace-level variable, a function with a body. A specialization
(`template <> struct NumericConverter<MyType, float>`) declares no new name, and a
prototype or a plain `struct X;` may well be the library's own (`namespace c10::cuda {
class CUDAStream; }` in an extension).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter

from migrate.frontends.cpp_parse import wrapped_declarator
from migrate.vocabulary import DIRECTIVE

# Nodes that hold namespace-level declarations without naming a scope of their own.
_TRANSPARENT = frozenset({"translation_unit", "declaration_list", "preproc_if",
                          "preproc_ifdef", "preproc_else", "preproc_elif", "preproc_elifdef",
                          "linkage_specification"})
_TYPES = frozenset({"struct_specifier", "class_specifier", "union_specifier",
                    "enum_specifier"})
_DECLARATOR_WRAPPERS = frozenset({"init_declarator", "pointer_declarator",
                                  "reference_declarator", "array_declarator"})


def declared_in_namespaces(root: tree_sitter.Node, heads: frozenset[str],
                           text: bytes = b"") -> set[str]:
    """Every name defined in a namespace whose outermost part is one of `heads`, as
    `outer::inner::Name` (an inline namespace's names also without its own part), and
    every namespace opened at file scope, as `name::` (`own_names` asks for them).

    In a tree with parse errors a namespace may end early: tree-sitter's recovery can
    close `namespace cute {` at the first construct it cannot read, and put the rest of
    the namespace at file scope. There the scope of each definition is read from `text`
    by its braces (`lexical_scopes`), the tree only telling what is a definition."""
    lexical = lexical_scopes(text) if text and heads and root.has_error else None
    found: set[str] = set()
    if lexical is not None:  # every namespace the file declares at file scope, as `name::`
        found.update(f"{scope[0]}::" for *_, scopes in lexical.spans for scope in scopes
                     if scope)
    stack: list[tuple[tree_sitter.Node, tuple[str, ...]]] = [(root, ())]
    while stack:
        node, scopes = stack.pop()
        for child in node.named_children:
            kind = child.type
            if kind == "namespace_definition":
                body = child.child_by_field_name("body")
                inner = _namespace_scopes(child, scopes)
                if lexical is None and not scopes and inner and inner[0]:
                    found.add(f"{inner[0][0]}::")  # the file's own `namespace test {`
                if body is None:
                    continue
                if lexical is not None:
                    stack.append((body, ()))
                elif inner and inner[0] and inner[0][0] in heads:
                    stack.extend((body, s) for s in inner)
                elif not scopes and not inner:  # `namespace { ... }` at file scope
                    stack.append((body, scopes))
            elif kind in _TRANSPARENT or (lexical is not None and kind == "ERROR"):
                stack.append((child, scopes))  # what recovery wrapped may be definitions
            elif lexical is not None or scopes:
                names = _defined_names(child)
                target = _directive(child)
                if not names and target is None:
                    continue
                where = [scopes] if lexical is None else \
                    [s for s in lexical.at(child.start_byte) if s and s[0] in heads]
                found.update("::".join((*scope, name)) for scope in where for name in names)
                if target is not None:
                    found.update(directive_entry(scope, target) for scope in where if scope)
    return found


def directive_entry(scope: tuple[str, ...], target: str) -> str:
    """The entry for `using namespace target;` inside `scope`: a target that starts with
    the scope's outermost namespace (`cute::SM90`) or with `::` is absolute, any other is
    read inside the scope."""
    absolute = target.startswith("::") or target.split("::", 1)[0] == scope[0]
    nominated = target.lstrip(":") if absolute else "::".join((*scope, target))
    return f"{'::'.join(scope)}{DIRECTIVE}{nominated}"


def _directive(node: tree_sitter.Node) -> str | None:
    """The namespace a `using namespace X;` names, as written without spaces (None for
    any other node)."""
    if node.type != "using_declaration" or not any(c.type == "namespace"
                                                    for c in node.children):
        return None
    target = _using_target(node)
    if target is None or not target.text:
        return None
    return "".join(target.text.decode("utf-8", "replace").split())


def _using_target(node: tree_sitter.Node) -> tree_sitter.Node | None:
    """The name a using-declaration or using-directive names (`std::is_same_v`, `SM90`)."""
    names = [c for c in node.named_children if c.type in ("identifier",
                                                           "qualified_identifier")]
    return names[-1] if names else None


# What the braces of a file are read past: comments, string and character literals. Every
# alternative starts with a fixed character, so the engine skips to candidates at C
# speed; the word boundary before `inline`/`namespace` is tested by `_lexemes`.
_LEXEME = re.compile(rb'[{}]|//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|R"([^()\\ ]{0,16})\(.*?\)\1"'
                     rb"|'(?:\\.|[^'\\\n])*'|inline\s+namespace\b\s*([A-Za-z_][\w:\s]*?)?\s*\{"
                     rb"|namespace\b\s*([A-Za-z_][\w:\s]*?)?\s*\{", re.DOTALL)


def _lexemes(text: bytes) -> Iterator[re.Match[bytes]]:
    """The matches of `_LEXEME` in `text`, where `inline` or `namespace` only starts at a
    word boundary: a match inside a longer word (`my_namespace {`) is dropped and the
    search goes on from its next byte, as a leading `\\b` would have it."""
    position = 0
    while True:
        for match in _LEXEME.finditer(text, position):
            start = match.start()
            if start and text[start] in b"in" and (text[start - 1:start].isalnum()
                                                    or text[start - 1] == 0x5F):
                position = start + 1
                break
            yield match
        else:
            return


class LexicalScopes:
    """The namespaces of a file by its braces: for an offset, the scopes it lies in."""

    def __init__(self, spans: list[tuple[int, int, list[tuple[str, ...]]]]) -> None:
        self.spans = spans  # (start, end, scopes), outer ones first

    def at(self, offset: int) -> list[tuple[str, ...]]:
        inner: list[tuple[str, ...]] = []
        for start, end, scopes in self.spans:
            if start <= offset < end:
                inner = scopes  # a later span that holds the offset is nested deeper
        return inner


def lexical_scopes(text: bytes) -> LexicalScopes:
    """Each `namespace X {` of `text` with the byte range up to its closing brace, and
    the scopes its body declares into (nested, inline and anonymous ones as
    `_namespace_scopes` has them). Braces an `#if` leaves unbalanced can shift them."""
    spans: list[tuple[int, int, list[tuple[str, ...]]]] = []
    opened: list[tuple[int, list[tuple[str, ...]]] | None] = []  # per open brace
    for match in _lexemes(text):
        lexeme = match.group()
        if lexeme == b"}":
            if opened:
                namespace = opened.pop()
                if namespace is not None:
                    spans.append((namespace[0], match.end(), namespace[1]))
        elif lexeme == b"{":
            opened.append(None)
        elif lexeme.endswith(b"{") and (lexeme.startswith(b"namespace")
                                        or lexeme.startswith(b"inline")):
            outer = next((n[1] for n in reversed(opened) if n is not None), [()])
            inline = lexeme.startswith(b"inline")
            written = match.group(2) if inline else match.group(3)
            parts = _name_parts((written or b"").decode("utf-8", "replace"))
            scopes = [s for o in outer for s in _body_scopes(o, parts, inline)]
            opened.append((match.start(), scopes or [()]))
    spans.sort(key=lambda span: span[0])
    return LexicalScopes(spans)


def _namespace_scopes(node: tree_sitter.Node, outer: tuple[str, ...]
                      ) -> list[tuple[str, ...]]:
    """The scopes a namespace node's body declares into (`_body_scopes`)."""
    name = node.child_by_field_name("name")
    parts = _name_parts(name.text.decode("utf-8", "replace")) \
        if name is not None and name.text else ()
    return _body_scopes(outer, parts, any(c.type == "inline" for c in node.children))


def _body_scopes(outer: tuple[str, ...], parts: tuple[str, ...], inline: bool
                 ) -> list[tuple[str, ...]]:
    """The scopes a namespace's body declares into: `a::b` nested, an anonymous one as
    its enclosing scope (none at file scope), an inline one as itself and its enclosing
    scope."""
    if not parts:
        return [outer] if outer else []
    inner = (*outer, *parts)
    return [inner, outer] if inline and outer else [inner]


def _name_parts(written: str) -> tuple[str, ...]:
    """`a :: b` as ("a", "b")."""
    return tuple(p for p in "".join(written.split()).split("::") if p)


def _defined_names(node: tree_sitter.Node) -> list[str]:
    """The names one namespace-level declaration defines (none for a specialization or a
    prototype)."""
    kind = node.type
    if kind == "template_declaration":
        parameters = node.child_by_field_name("parameters")
        if parameters is None or parameters.named_child_count == 0:  # `template <>`
            return []
        inner = [c for c in node.named_children if c.type != "template_parameter_list"]
        if inner and inner[-1].type in _TYPES and \
                inner[-1].child_by_field_name("body") is None:
            # The primary template, its specializations elsewhere (`template <class K,
            # class E = void> class GemmUniversalAdapter;`): a project rarely declares a
            # library's template instead of including its header.
            return _plain(inner[-1].child_by_field_name("name"))
        return _defined_names(inner[-1]) if inner else []
    if kind in _TYPES:
        return _type_names(node)
    if kind == "alias_declaration":
        return _plain(node.child_by_field_name("name"))
    if kind == "using_declaration":  # `using std::is_same_v;` makes cute::is_same_v
        if _directive(node) is not None:
            return []  # `using namespace SM90;` defines no name (`directive_entry`)
        last = _using_target(node)
        while last is not None and last.type == "qualified_identifier":
            last = last.child_by_field_name("name")
        return _plain(last)
    if kind == "type_definition":
        names = []
        for declarator in node.children_by_field_name("declarator"):
            names.extend(_plain(_innermost(declarator)))
        return names
    if kind == "function_definition":
        declarator = node.child_by_field_name("declarator")
        while declarator is not None and declarator.type in ("pointer_declarator",
                                                             "reference_declarator"):
            declarator = wrapped_declarator(declarator)
        if declarator is None or declarator.type != "function_declarator":
            return []
        return _plain(declarator.child_by_field_name("declarator"))
    if kind == "declaration":  # `constexpr int kWarpSize = 32;`, `struct X {...} x;`
        names = []
        for child in node.named_children:
            if child.type in _TYPES:
                names.extend(_type_names(child))
        for declarator in node.children_by_field_name("declarator"):
            if declarator.type != "function_declarator":
                names.extend(_plain(_innermost(declarator)))
        return names
    return []


def _type_names(node: tree_sitter.Node) -> list[str]:
    """A struct, class, union or enum defined with a body; an unscoped enum's values too."""
    if node.child_by_field_name("body") is None:
        return []
    names = _plain(node.child_by_field_name("name"))
    if node.type == "enum_specifier" and names and not any(
            c.type in ("class", "struct") for c in node.children):
        body = node.child_by_field_name("body")
        names += [n for e in (body.named_children if body is not None else ())
                  if e.type == "enumerator" for n in _plain(e.child_by_field_name("name"))]
    return names


def _innermost(declarator: tree_sitter.Node) -> tree_sitter.Node | None:
    node: tree_sitter.Node | None = declarator
    while node is not None and node.type in _DECLARATOR_WRAPPERS:
        node = wrapped_declarator(node)
    return node


def _plain(node: tree_sitter.Node | None) -> list[str]:
    """The node's name when it is one plain identifier (not `A<int>`, not `A::f`)."""
    if node is None or node.type not in ("identifier", "type_identifier") or not node.text:
        return []
    return [node.text.decode("utf-8", "replace")]
