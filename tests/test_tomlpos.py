"""The line of a key in TOML text, for file:line messages (tomllib gives no positions)."""

from __future__ import annotations

import tomllib

import pytest

from migrate.tomlpos import line_of

DOC = """\
# A settings file.
version = "1"
plain.dotted = 2

[tool.supa-migrate]
fail-on = "rewrite"
"quoted key" = 1
'literal.key' = 2
  spaced . dotted   =  3
paths = [
    "a = 1",
    '[not.a.header]',
]
note = \"\"\"
hidden = 4
[also.not.a.header]
\"\"\"

[ tool . "supa-migrate" . extra ]
inner = true

[[item]]
name = "first"
match.kinds = ["include"]

[[item]]  # the second
name = "second"
unit = "file"

[item.match]
statuses = ["rewrite"]

[[item.step]]
run = "a"

[[item.step]]
run = "b"

[[item]]
name = "third"
match = { names = ["x"] }
"""


def test_the_document_is_valid_toml() -> None:
    doc = tomllib.loads(DOC)
    assert doc["tool"]["supa-migrate"]["extra"]["inner"] is True
    assert [step["run"] for step in doc["item"][1]["step"]] == ["a", "b"]


def lines_of(text: str, needle: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if needle in line]


def line(needle: str) -> int:
    found = lines_of(DOC, needle)
    assert found, needle
    return found[0]


@pytest.mark.parametrize(("key", "section", "expected"), [
    ("version", None, 'version = "1"'),
    ("plain", None, "plain.dotted"),
    ("dotted", "plain", "plain.dotted"),
    ("tool", None, "[tool.supa-migrate]"),
    ("supa-migrate", "tool", "[tool.supa-migrate]"),
    ("fail-on", "tool.supa-migrate", "fail-on"),
    ("quoted key", "tool.supa-migrate", '"quoted key"'),
    ("literal.key", "tool.supa-migrate", "'literal.key'"),
    ("spaced", "tool.supa-migrate", "spaced . dotted"),
    ("dotted", ("tool", "supa-migrate", "spaced"), "spaced . dotted"),
    ("paths", "tool.supa-migrate", "paths = ["),
    ("note", "tool.supa-migrate", "note = "),
    # A sub-table is where its header is, spaces and quotes in the header or not.
    ("extra", "tool.supa-migrate", "[ tool . "),
    ("inner", 'tool."supa-migrate".extra', "inner = true"),
])
def test_keys_and_tables(key: str, section: str | tuple[str, ...] | None,
                         expected: str) -> None:
    assert line_of(DOC, key, section) == line(expected)


def test_lines_inside_multi_line_values_are_not_keys() -> None:
    # `hidden = 4` sits in a multi-line string, `[not.a.header]` in a multi-line array.
    assert line_of(DOC, "hidden", "tool.supa-migrate") == line("[tool.supa-migrate]")
    assert line_of(DOC, "a", "not") == 1
    assert line_of(DOC, "header", "also.not.a", default=0) == 0


def test_arrays_of_tables() -> None:
    first, second, third = lines_of(DOC, "[[item]]")
    assert line_of(DOC, 0, "item") == first
    assert line_of(DOC, 1, "item") == second  # a comment after the header is fine
    assert line_of(DOC, 2, "item") == third
    assert line_of(DOC, 3, "item", default=0) == first  # no fourth: the array's first line
    assert line_of(DOC, "name", ("item", 1)) == line('name = "second"')
    assert line_of(DOC, "name", "item") == line('name = "first"')  # first with the key
    assert line_of(DOC, "unit", "item") == line('unit = "file"')
    assert line_of(DOC, "kinds", ("item", 0, "match")) == line("match.kinds")
    # A key of an inline table stands at the line of the table's key.
    assert line_of(DOC, "names", ("item", 2, "match")) == line("match = {")
    assert line_of(DOC, "missing", ("item", 2, "match")) == line("match = {")
    # [item.match] after the second [[item]] belongs to that element.
    assert line_of(DOC, "statuses", ("item", 1, "match")) == line("statuses =")
    assert line_of(DOC, "statuses", ("item", 0, "match")) == line("match.kinds")
    assert line_of(DOC, 1, ("item", 1, "step")) == lines_of(DOC, "[[item.step]]")[1]
    assert line_of(DOC, "run", ("item", 1, "step", 1)) == line('run = "b"')


def test_an_absent_key_falls_back_to_its_table_then_to_the_default() -> None:
    assert line_of(DOC, "missing", "tool.supa-migrate") == line("[tool.supa-migrate]")
    assert line_of(DOC, "missing", ("item", 1)) == lines_of(DOC, "[[item]]")[1]
    assert line_of(DOC, "missing", ("item", 0, "match")) == line("match.kinds")
    assert line_of(DOC, "missing") == 1
    assert line_of(DOC, "missing", default=0) == 0
    assert line_of(DOC, "key", "no.such.table") == 1
    assert line_of(DOC, "key", "no.such.table", default=0) == 0
    # A table is not found through a table of the same leading name.
    assert line_of(DOC, "key", "tool.black", default=0) == 0
    assert line_of("", "key", "table") == 1


def test_a_table_set_by_dotted_keys_or_inline_higher_up() -> None:
    text = 'cost.hours_per_day = 8\nstatus = { native = { unit = "site" } }\n'
    assert line_of(text, "hours_per_day", "cost") == 1
    assert line_of(text, "unit", "status.native") == 2


def test_a_key_is_found_in_its_own_table_only() -> None:
    text = "[a]\nx = 1\n\n[b]\ny = 2\n\n[c]\nx = 3\n"
    assert line_of(text, "x", "c") == 8
    assert line_of(text, "x", "b") == 4
    assert line_of(text, "x") == 1  # not at the top level: the default


def test_quoted_keys_with_escapes_and_crlf_newlines() -> None:
    text = '[packages.aliases]\r\n"+cu*" = "torch"\r\n"tab\\tkey" = 1\r\n"a\\u0062c" = 2\r\n'
    assert line_of(text, "+cu*", "packages.aliases") == 2
    assert line_of(text, "tab\tkey", ("packages", "aliases")) == 3
    assert line_of(text, "abc", "packages.aliases") == 4


def test_broken_text_gives_a_line_and_no_error() -> None:
    text = '[open\nkey = "unterminated\n= 3\nother = [1,\n'
    assert line_of(text, "key") == 2
    assert line_of(text, "other") == 4
    assert line_of(text, "open", default=0) == 0
