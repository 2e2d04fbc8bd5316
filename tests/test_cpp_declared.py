"""The names a C/C++ file defines in the namespaces the tables match by prefix, one
declaration shape per case: what counts as a definition and what does not."""

from __future__ import annotations

import pytest

from migrate.frontends.cpp_declared import declared_in_namespaces, lexical_scopes
from migrate.frontends.cpp_parse import parse_best

HEADS = frozenset({"cutlass", "cute", "c10"})
CASES = [
    ("namespace cutlass { struct Plain {}; }", {"cutlass::Plain"}),
    ("namespace cutlass { namespace gemm { template <int M> struct GemmShape {}; } }",
     {"cutlass::gemm::GemmShape"}),
    ("namespace cutlass::arch { struct Sm90 {}; }", {"cutlass::arch::Sm90"}),
    ("namespace cutlass { inline namespace v1 { struct Inl {}; } }",
     {"cutlass::v1::Inl", "cutlass::Inl"}),
    ("namespace cutlass { namespace { struct Hidden {}; } }", {"cutlass::Hidden"}),
    ("namespace cutlass { using Index = int; typedef float Real; }",
     {"cutlass::Index", "cutlass::Real"}),
    ("namespace cutlass { enum class Round { up }; enum Kind { kOne, kTwo }; }",
     {"cutlass::Round", "cutlass::Kind", "cutlass::kOne", "cutlass::kTwo"}),
    ("namespace cutlass { constexpr int kWarp = 32; }", {"cutlass::kWarp"}),
    ("namespace cute { template <class T> void copy(T t) {} int size() { return 1; } }",
     {"cute::copy", "cute::size"}),
    ("namespace cute { using std::is_same_v; }", {"cute::is_same_v"}),
    # A reference declarator wraps its declarator without naming the field.
    ("namespace cute { template <class T> T&& forward(T& t) noexcept { return t; } }",
     {"cute::forward"}),
    ("namespace cute { int g; int& alias_g = g; const int*& slot(int i) { return p; } }",
     {"cute::g", "cute::alias_g", "cute::slot"}),
    # A using-directive defines no name; it is recorded for own_names to look through.
    ("namespace cute { using namespace SM90; using namespace cute::SM80; }",
     {"cute using cute::SM90", "cute using cute::SM80"}),
    ("namespace cutlass { namespace gemm { using namespace ::cute::detail; } }",
     {"cutlass::gemm using cute::detail"}),
    ("namespace cute { template <class... T> struct tuple; }", {"cute::tuple"}),
    ("namespace cutlass {\n#if X\nstruct InIf {};\n#endif\n}", {"cutlass::InIf"}),
    ('extern "C++" { namespace cute { struct Linked {}; } }', {"cute::Linked"}),
    # Not definitions of a new name: specializations, prototypes, plain declarations
    # ahead, members defined out of line, other namespaces, names inside functions.
    ("namespace cutlass { template <> struct NumericConverter<int, float> {}; }", set()),
    ("namespace cutlass { template <class T> struct Conv<T*> {}; }", set()),
    ("namespace cute { template <> void copy<int>(int x) {} }", set()),
    ("namespace cute { void declared_only(); }", set()),
    ("namespace c10 { namespace cuda { class CUDAStream; } }", set()),
    ("namespace cutlass { void Plain::member() {} }", set()),
    ("namespace other { struct NotMine {}; }", set()),
    ("namespace other { namespace cutlass { struct Nested {}; } }", set()),
    ("namespace { namespace cutlass { struct InAnonymous {}; } }", {"cutlass::InAnonymous"}),
    ("namespace cutlass { void f() { struct Local {}; } }", {"cutlass::f"}),
]


@pytest.mark.parametrize(("source", "expected"), CASES, ids=[c[0][:50] for c in CASES])
def test_declared_in_namespaces(source: str, expected: set[str]) -> None:
    tree, _ = parse_best(source.encode())
    names = declared_in_namespaces(tree.root_node, HEADS)
    assert {n for n in names if not n.endswith("::")} == expected


def test_namespaces_opened_at_file_scope() -> None:
    """Recorded as `name::`, in every namespace (not only the tables'), nested ones only
    by their outermost part: a `using namespace` guess is checked against them."""
    source = (b"namespace test { namespace gemm { struct T {}; } }\n"
              b"namespace cute::detail { int x = 1; }\nnamespace { int hidden; }\n"
              b"namespace alias = test::gemm;\n")
    tree, _ = parse_best(source)
    names = declared_in_namespaces(tree.root_node, HEADS)
    assert {n for n in names if n.endswith("::")} == {"test::", "cute::"}
    broken = source + b"int y = [](}{;\n"  # the same from the braces of a broken tree
    tree, _ = parse_best(broken)
    assert tree.root_node.has_error
    assert {n for n in declared_in_namespaces(tree.root_node, HEADS, broken)
            if n.endswith("::")} == {"test::", "cute::"}


def test_a_tree_with_errors_takes_its_scopes_from_the_braces() -> None:
    """Recovery from a parse error can leave the namespace's definitions outside it (here
    under an ERROR node at file scope): their scope is read from the text."""
    source = b"namespace cute {\nstruct A {};\nint x = [](}{;\nstruct B {};\n}\n"
    tree, share = parse_best(source)
    assert share > 0.5
    assert declared_in_namespaces(tree.root_node, HEADS) == set()  # the tree alone
    assert declared_in_namespaces(tree.root_node, HEADS, source) == {"cute::A", "cute::"}
    # At file scope, an anonymous namespace is no scope to name anything in.
    anonymous = b"namespace {\nstruct A {};\nint x = [](}{;\n}\n"
    tree, _ = parse_best(anonymous)
    assert declared_in_namespaces(tree.root_node, HEADS, anonymous) == set()


LEXICAL = b"""// namespace fake { in a comment
/* namespace fake2 { */
const char* s = "namespace fake3 {";
const char* r = R"x(namespace fake4 { )x";
char c = '{';
namespace cutlass {
namespace gemm::kernel { struct K {}; }
inline namespace v2 { struct I {}; }
namespace { struct H {}; }
}
namespace alias = cutlass::gemm;
"""


def test_lexical_scopes_read_past_comments_and_literals() -> None:
    scopes = lexical_scopes(LEXICAL)
    assert [s for *_, s in scopes.spans] == [
        [("cutlass",)], [("cutlass", "gemm", "kernel")], [("cutlass", "v2"), ("cutlass",)],
        [("cutlass",)]]
    assert scopes.at(LEXICAL.index(b"struct K")) == [("cutlass", "gemm", "kernel")]
    assert scopes.at(LEXICAL.index(b"struct H")) == [("cutlass",)]
    assert scopes.at(LEXICAL.index(b"namespace alias")) == []
    assert scopes.at(LEXICAL.index(b"fake3")) == []


def test_the_brace_reader_opens_a_namespace_only_at_a_word_boundary() -> None:
    """`my_namespace x {` opens no namespace; in `xinline namespace b {` only the
    `namespace` word does (a plain one); `inline namespace v {` is an inline one."""
    text = (b"my_namespace x { struct A {}; }\n"
            b"xinline namespace b { struct B {}; }\n"
            b"namespace cutlass { inline namespace v { struct C {}; } }\n"
            b"namespace_y { }\n")
    scopes = lexical_scopes(text)
    assert [(text[start:start + 11], found) for start, _, found in scopes.spans] == [
        (b"namespace b", [("b",)]),
        (b"namespace c", [("cutlass",)]),
        (b"inline name", [("cutlass", "v"), ("cutlass",)])]
    assert scopes.at(text.index(b"struct A")) == []
    assert scopes.at(text.index(b"struct C")) == [("cutlass", "v"), ("cutlass",)]


SPECIFIER_MACROS = b"""#if defined(__CUDACC__)
#  define CUTE_ALIGNAS(n) __align__(n)
#else
#  define CUTE_ALIGNAS(n) alignas(n)
#endif
#define PACKED(x) __attribute__((packed)) // any specifier, commented
#define ALIGN_WIN(n) __declspec(align(n))
#define CALLS(n) launch(n)
#define MIXED(n) alignas(n)
#define MIXED(n) launch(n)
"""


def test_function_like_specifier_macros_are_told_apart() -> None:
    from migrate.repo_context import macro_definitions

    *_, specifiers = macro_definitions([SPECIFIER_MACROS])
    # A macro with any other definition (MIXED) or body (CALLS) is a real macro.
    assert specifiers == {"CUTE_ALIGNAS", "PACKED", "ALIGN_WIN"}


def test_a_specifier_macro_between_struct_and_its_name_is_blanked() -> None:
    """`struct CUTE_ALIGNAS(Alignment) array_aligned` (CUTLASS) reads as a struct named
    CUTE_ALIGNAS unless the call is blanked; blanking keeps every offset and line."""
    from migrate.frontends.cpp_parse import blank_qualifier_macros

    source = (b"#ifdef CUTE_ALIGNAS\n#endif\nnamespace cute {\ntemplate <class T, int A>\n"
              b"struct CUTE_ALIGNAS(A) array_aligned : array<T> {};\n"
              b"struct CUTE_ALIGNAS(sizeof(T) *\n 2) Wide {};\n}\n"
              b"int CUTE_ALIGNAS(unclosed;\n")
    words = {"CUTE_ALIGNAS"}
    unblanked, _ = parse_best(source)
    assert "cute::array_aligned" not in declared_in_namespaces(unblanked.root_node, HEADS)
    blanked = blank_qualifier_macros(source, frozenset(), words, frozenset(words))
    assert len(blanked) == len(source) and blanked.count(b"\n") == source.count(b"\n")
    assert blanked.count(b"CUTE_ALIGNAS") == 2  # the #ifdef and the unclosed call
    tree, _ = parse_best(blanked)
    assert {"cute::array_aligned", "cute::Wide"} <= declared_in_namespaces(tree.root_node,
                                                                           HEADS)
