"""Whether the tables could answer for a longer dotted name (a Python chain walk stops
where they cannot): never "no" where a lookup says yes."""

from __future__ import annotations

import re

import pytest

from migrate.mappings.continuations import Continuations, literal_starts, literal_word_starts
from migrate.mappings.load import Family, MappingSet, load_mappings


@pytest.mark.parametrize(("pattern", "starts", "examples"), [
    (r"torch\.cuda(\.\w+)*|torch\.backends\.(cuda|cudnn)(\.\w+)*",
     ["torch.cuda", "torch.backends."], ["torch.cuda", "torch.cuda.x", "torch.backends.cudnn"]),
    (r"cu[A-Z]\w*", ["cu"], ["cuInit"]),
    (r"abc?d", ["ab"], ["abd", "abcd"]),  # `c` may be absent: the start ends before it
    (r"ab*", ["a"], ["a", "abb"]),
    (r"ab{0,2}", ["a"], ["a", "ab"]),
    (r"ab+c", ["ab"], ["abc", "abbbc"]),
    (r"a\.?b", ["a"], ["ab", "a.b"]),
    (r"(?:torch|jax)\.x", [""], ["jax.x"]),  # starts with a group: continues everything
    (r"x[|]y|z", ["x", "z"], ["x|y", "z"]),  # a `|` in a character class splits nothing
    (r"a\|b", ["a|b"], ["a|b"]),
    (r"\wfoo", [""], ["afoo"]),
])
def test_literal_starts(pattern: str, starts: list[str], examples: list[str]) -> None:
    assert literal_starts(pattern) == starts
    for example in examples:  # what the pattern matches starts with one of them
        assert re.fullmatch(pattern, example)
        assert any(example.startswith(start) for start in starts)


@pytest.fixture(scope="module")
def shipped() -> MappingSet:
    return load_mappings(())


def answerable_names(mappings: MappingSet) -> list[str]:
    """Dotted Python names the shipped tables answer for: every exact and universe key,
    each glob row with its `*` filled, and instances of each family."""
    names = [k for k, e in mappings.exact.items() if "python" in e.languages]
    names += [k for k, u in mappings.universe.items() if "python" in u.languages]
    names += [e.cuda.replace("*", fill) for _r, e in mappings.patterns
              if "python" in e.languages for fill in ("x", "x.y", "")]
    names += ["torch.cuda.amp.autocast", "torch.backends.cudnn.benchmark.x"]
    return [n for n in names if mappings.lookup(n, "python") is not None]


def test_every_prefix_of_an_answered_name_continues(shipped: MappingSet) -> None:
    continuations = Continuations(shipped, "python")
    names = answerable_names(shipped)
    assert len(names) > 2000
    for name in names:
        parts = name.split(".")
        for end in range(1, len(parts)):
            assert continuations.continues(".".join(parts[:end])), name


def test_dead_ends_of_the_shipped_tables(shipped: MappingSet) -> None:
    continuations = Continuations(shipped, "python")
    assert not continuations.continues("cutlass.cute")  # a row, with nothing below it
    assert not continuations.continues("cutlass.cute.nvgpu")
    assert not continuations.continues("numpy")
    assert continuations.continues("torch")
    assert continuations.continues("torch.cuda.memory")  # the glob row torch.cuda.*
    assert continuations.continues("torch.backends")


def test_a_caseless_family_continues_everything(shipped: MappingSet) -> None:
    entry = next(e for e in shipped.exact.values() if "python" in e.languages)
    tables = MappingSet(version="t", categories={}, status_numbers={})
    tables.families.append(Family(re.compile(r"torch\.cuda\w*", re.IGNORECASE),
                                  frozenset({"python"}), entry))
    assert Continuations(tables, "python").continues("TORCH")
    assert Continuations(tables, "python").continues("numpy")
    tables.families[0] = Family(re.compile(r"torch\.cuda\w*"), frozenset({"python"}), entry)
    assert Continuations(tables, "python").continues("torch")
    assert not Continuations(tables, "python").continues("numpy")
    assert not Continuations(tables, "cuda_cpp").continues("torch")


@pytest.mark.parametrize(("pattern", "starts"), [
    (r"torch\.cuda(\.\w+)*|torch\.backends\.(cuda|cudnn)(\.\w+)*",
     [("torch.cuda", True), ("torch.backends.", False)]),
    (r"torch\.cuda", [("torch.cuda", True)]),  # the match ends with it
    (r"torch\.cu\w*", [("torch.cu", False)]),
    (r"ab(\.x)+", [("ab", True)]),
    (r"ab(\.x)*?", [("ab", True)]),
    (r"ab(?:\.x|:y)", [("ab", True)]),
    (r"ab(?:\.x|y)", [("ab", False)]),  # one alternative goes on with a word
    (r"ab(?:\.x|:y)?c", [("ab", False)]),  # absent, `c` follows
    (r"ab(\.x)*$", [("ab", False)]),  # an anchor: not followed
    (r"ab\.?c", [("ab", False)]),
    (r"ab(?=\.)", [("ab", False)]),  # a lookahead: not followed
    (r"ab[.]", [("ab", False)]),  # a class: not followed
    (r"ab{0,2}", [("a", False)]),
])
def test_literal_word_starts(pattern: str, starts: list[tuple[str, bool]]) -> None:
    assert literal_word_starts(pattern) == starts
    for start, whole in starts:  # a whole start: no match goes on with a word character
        for tail in ("x", "_", "1"):
            if whole:
                assert not re.fullmatch(pattern, start + tail)
                assert not re.fullmatch(pattern, start + tail + ".x")
