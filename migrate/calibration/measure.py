"""How many lines a real port changed, by category, on two port paths.

`measure_pair(original, ported, path)` diffs an original CUDA file against its port with
difflib.SequenceMatcher, line by line, and counts changed lines:

- Lines are compared normalised: comments removed (`//`, `/* */` in C-like files, whole
  `#` lines in build files), whitespace collapsed and dropped except a single space
  between two word characters, blank lines left out. So re-indenting, re-spacing and
  comment edits are not changes.
- A hunk of the diff counts max(deleted, inserted) lines if it replaces, `deleted` if it
  deletes, `inserted` if it inserts. One refinement: in a replacing hunk, a line whose
  tokens all reappear in order on the other side (a statement only re-wrapped over other
  line breaks) is neither deleted nor inserted (see touched_lines). Inside a replacing
  hunk the lines of the shorter side are paired with their most similar lines of the
  longer side (order kept); each pair, and each line left over, is one changed-line slot.
- Each slot gets the category of the first rule of mappings/calibration_categories.toml
  that matches it, else `other`.

The two paths:

- `native`: the raw diff, a port to another vendor's names (every renamed line counts;
  a slot whose lines are equal once folded is `rename`, or `include`/`launch` for a
  header swap or a launch rewrite).
- `suda`: both sides folded first by mappings/calibration_fold.toml (HIP and MUSA names
  back to CUDA's, hipLaunchKernelGGL back to <<<>>>), standing for a port through a CUDA
  compatibility layer: what is left is the non-mechanical work.

`lines` is the number of non-blank lines of the original as given (comment lines count).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

CATEGORIES = ("include", "rename", "launch", "dispatch", "fp64", "vendor_branch", "ptx",
              "tensor_core", "library", "warp", "build", "environment", "other")
PATHS = ("native", "suda")
SCOPES = ("path", "folded_equal", "region", "statement", "line", "changed")
FOLD_FILE = "calibration_fold.toml"
CATEGORIES_FILE = "calibration_categories.toml"

# Files whose comments are whole `#` lines rather than C's // and /* */.
_HASH_COMMENTS = re.compile(r"(^|/)(GNUmakefile|[Mm]akefile[^/]*|CMakeLists\.txt)$"
                            r"|\.(cmake|mk|make|sh|py)$")
_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORD = re.compile(r"\w")
_SPACES = re.compile(r"\s+")
_LONE_SPACE = re.compile(r" (?!\w)|(?<!\w) ")
_IF = re.compile(r"^#\s?if(n?def)?\b")
_ELIF = re.compile(r"^#\s?el(if|ifdef|ifndef)\b")
_ENDIF = re.compile(r"^#\s?endif\b")
_PAIRING_LIMIT = 40_000  # hunk sizes (m x n) above which lines pair by position
_REFLOW_TOKEN_LIMIT = 20_000  # tokens in a hunk above which no re-wrap check is made
_STATEMENT_LIMIT = 200  # lines a statement scope may run on without balancing


class CalibrationDataError(ValueError):
    """A calibration rule file is malformed; the message names file, line and reason."""


@dataclass(frozen=True, slots=True)
class FoldRule:
    pattern: re.Pattern[str]
    replacement: str
    note: str


@dataclass(frozen=True, slots=True)
class CategoryRule:
    category: str
    scope: str
    pattern: re.Pattern[str] | None
    requires_folded_equal: bool
    why: str


@dataclass(frozen=True, slots=True)
class PairMeasure:
    """Changed lines of one (original, port) pair: per category, on each path."""

    lines: int
    native: dict[str, int] = field(default_factory=dict)
    suda: dict[str, int] = field(default_factory=dict)

    @property
    def native_total(self) -> int:
        return sum(self.native.values())

    @property
    def suda_total(self) -> int:
        return sum(self.suda.values())

    def total(self, path: str) -> int:
        return sum(self.by_path(path).values())

    def by_path(self, path: str) -> dict[str, int]:
        if path not in PATHS:
            raise ValueError(f"unknown path {path!r}; paths are {', '.join(PATHS)}")
        return self.native if path == "native" else self.suda


# --- Rule files ---------------------------------------------------------------------------

def _rule_lines(text: str, header: str) -> list[int]:
    """1-based line numbers of each `[[header]]` table, in order."""
    wanted = f"[[{header}]]"
    return [n for n, line in enumerate(text.splitlines(), start=1) if line.strip() == wanted]


def _read_toml(path: Path, label: str) -> tuple[dict, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CalibrationDataError(f"{label}:0: cannot read ({exc.strerror})") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise CalibrationDataError(f"{label}:{getattr(exc, 'lineno', 0)}: {exc}") from None


def _compile(label: str, line: int, pattern: object) -> re.Pattern[str]:
    if not isinstance(pattern, str):
        raise CalibrationDataError(f"{label}:{line}: pattern must be a string")
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise CalibrationDataError(f"{label}:{line}: pattern does not compile ({exc})") from None


def _default_path(name: str) -> tuple[Path, str]:
    from migrate.resources import mappings_dir

    return mappings_dir() / name, f"mappings/{name}"


def load_fold_rules(path: Path | None = None) -> tuple[FoldRule, ...]:
    """Read the folding rules (mappings/calibration_fold.toml by default)."""
    path, label = (path, str(path)) if path else _default_path(FOLD_FILE)
    data, text = _read_toml(path, label)
    entries = data.get("fold")
    if not isinstance(entries, list) or not entries:
        raise CalibrationDataError(f"{label}:0: no [[fold]] rules")
    lines = _rule_lines(text, "fold")
    rules = []
    for index, entry in enumerate(entries):
        line = lines[index] if index < len(lines) else 0
        unknown = set(entry) - {"pattern", "replacement", "note"}
        if unknown:
            raise CalibrationDataError(f"{label}:{line}: unknown keys {sorted(unknown)}")
        if not isinstance(entry.get("replacement"), str) or not entry.get("note"):
            raise CalibrationDataError(f"{label}:{line}: a rule needs a replacement and a note")
        pattern = _compile(label, line, entry.get("pattern"))
        groups = [int(g) for g in re.findall(r"\\(\d+)", entry["replacement"])]
        if any(g == 0 or g > pattern.groups for g in groups):
            raise CalibrationDataError(
                f"{label}:{line}: replacement refers to a group the pattern does not have")
        rules.append(FoldRule(pattern, entry["replacement"], entry["note"]))
    return tuple(rules)


def load_category_rules(path: Path | None = None) -> tuple[CategoryRule, ...]:
    """Read the category rules (mappings/calibration_categories.toml by default)."""
    path, label = (path, str(path)) if path else _default_path(CATEGORIES_FILE)
    data, text = _read_toml(path, label)
    entries = data.get("rule")
    if not isinstance(entries, list) or not entries:
        raise CalibrationDataError(f"{label}:0: no [[rule]] entries")
    lines = _rule_lines(text, "rule")
    rules = []
    for index, entry in enumerate(entries):
        line = lines[index] if index < len(lines) else 0
        unknown = set(entry) - {"category", "scope", "pattern", "requires_folded_equal", "why"}
        if unknown:
            raise CalibrationDataError(f"{label}:{line}: unknown keys {sorted(unknown)}")
        category, scope = entry.get("category"), entry.get("scope")
        if category not in CATEGORIES:
            raise CalibrationDataError(
                f"{label}:{line}: unknown category {category!r}; categories: "
                + ", ".join(CATEGORIES))
        if scope not in SCOPES:
            raise CalibrationDataError(
                f"{label}:{line}: unknown scope {scope!r}; scopes: " + ", ".join(SCOPES))
        if not entry.get("why"):
            raise CalibrationDataError(f"{label}:{line}: a rule needs a 'why'")
        requires = entry.get("requires_folded_equal", False)
        if not isinstance(requires, bool):
            raise CalibrationDataError(f"{label}:{line}: requires_folded_equal must be true/false")
        pattern = None if scope == "folded_equal" else _compile(label, line, entry.get("pattern"))
        rules.append(CategoryRule(category, scope, pattern, requires, entry["why"]))
    return tuple(rules)


@lru_cache(maxsize=1)
def _default_rules() -> tuple[tuple[FoldRule, ...], tuple[CategoryRule, ...]]:
    return load_fold_rules(), load_category_rules()


# --- Text preparation ---------------------------------------------------------------------

def uses_hash_comments(path: str) -> bool:
    return bool(_HASH_COMMENTS.search(path.replace("\\", "/")))


def strip_c_comments(text: str) -> list[str]:
    """The lines of `text` with // and /* */ comments removed (line count kept).

    String and character literals are respected on their own line only, so a stray quote
    cannot swallow the rest of the file.
    """
    out: list[str] = []
    in_block = False
    for line in text.splitlines():
        kept: list[str] = []
        i, n, quote = 0, len(line), ""
        while i < n:
            ch = line[i]
            if in_block:
                end = line.find("*/", i)
                if end < 0:
                    i = n
                else:
                    in_block, i = False, end + 2
                    kept.append(" ")
                continue
            if quote:
                kept.append(ch)
                if ch == "\\" and i + 1 < n:
                    kept.append(line[i + 1])
                    i += 2
                    continue
                if ch == quote:
                    quote = ""
                i += 1
                continue
            if ch == "/" and line.startswith("//", i):
                break
            if ch == "/" and line.startswith("/*", i):
                in_block, i = True, i + 2
                continue
            # A quote after a digit is a C++14 digit separator (1'000), not a literal.
            if ch in "\"'" and not (ch == "'" and i and line[i - 1].isalnum()):
                quote = ch
            kept.append(ch)
            i += 1
        out.append("".join(kept))
    return out


def strip_hash_comments(text: str) -> list[str]:
    return ["" if line.lstrip().startswith("#") else line for line in text.splitlines()]


def normalise(line: str) -> str:
    """Whitespace-insensitive form: one space, and only between two word characters."""
    return _LONE_SPACE.sub("", _SPACES.sub(" ", line.strip()))


def prepare(text: str, path: str) -> list[str]:
    """The normalised non-blank lines of a file, comments removed."""
    raw = strip_hash_comments(text) if uses_hash_comments(path) else strip_c_comments(text)
    return [line for line in map(normalise, raw) if line]


def fold_line(line: str, rules: Sequence[FoldRule]) -> str:
    for rule in rules:
        line = rule.pattern.sub(rule.replacement, line)
    return normalise(line)


def count_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip())


# --- Context flags ------------------------------------------------------------------------

def region_flags(lines: Sequence[str], pattern: re.Pattern[str]) -> list[bool]:
    """True for every line of an #if group one of whose conditions matches `pattern`."""
    flags = [False] * len(lines)
    stack: list[list] = []  # [start index, matches]
    for index, line in enumerate(lines):
        if not line.startswith("#"):
            continue
        if _IF.match(line):
            stack.append([index, bool(pattern.search(line))])
        elif _ELIF.match(line) and stack:
            stack[-1][1] = stack[-1][1] or bool(pattern.search(line))
        elif _ENDIF.match(line) and stack:
            start, matches = stack.pop()
            if matches:
                flags[start:index + 1] = [True] * (index + 1 - start)
    for start, matches in stack:  # unterminated at end of file
        if matches:
            flags[start:] = [True] * (len(lines) - start)
    return flags


def statement_flags(lines: Sequence[str], pattern: re.Pattern[str]) -> list[bool]:
    """True for a line matching `pattern` and the lines its parentheses run on to."""
    flags = [False] * len(lines)
    index = 0
    while index < len(lines):
        match = pattern.search(lines[index])
        if not match:
            index += 1
            continue
        tail = lines[index][match.start():]
        depth, opened = tail.count("(") - tail.count(")"), "(" in tail
        flags[index] = True
        last = min(len(lines), index + _STATEMENT_LIMIT)
        index += 1
        while index < last and (depth > 0 or not opened):
            line = lines[index]
            if not opened and line.endswith(";"):
                break
            flags[index] = True
            depth += line.count("(") - line.count(")")
            opened = opened or "(" in line
            index += 1
    return flags


# --- Pairing and classification -----------------------------------------------------------

def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def pair_slots(old: Sequence[int], new: Sequence[int], old_lines: Sequence[str],
               new_lines: Sequence[str]) -> list[tuple[int | None, int | None]]:
    """Slots of a replacing hunk: each line of the shorter side paired, in order, with
    its most similar line of the longer side (token-set Jaccard); the rest alone."""
    if not old or not new:
        return [(i, None) for i in old] + [(None, j) for j in new]
    short, long_, swapped = (old, new, False) if len(old) <= len(new) else (new, old, True)
    short_lines, long_lines = (old_lines, new_lines) if not swapped else (new_lines, old_lines)
    m, n = len(short), len(long_)
    if m == n or m * n > _PAIRING_LIMIT:
        chosen = list(range(m))
    else:
        short_tokens = [frozenset(_TOKEN.findall(short_lines[i])) for i in short]
        long_tokens = [frozenset(_TOKEN.findall(long_lines[j])) for j in long_]
        # best[i][j]: best total similarity pairing the first i short lines, in order,
        # with lines among the first j long ones.
        worst = float("-inf")
        best = [[0.0] * (n + 1)] + [[worst] * (n + 1) for _ in range(m)]
        for i in range(1, m + 1):
            row, above, tokens = best[i], best[i - 1], short_tokens[i - 1]
            for j in range(i, n + 1):
                row[j] = max(row[j - 1], above[j - 1] + _similarity(tokens, long_tokens[j - 1]))
        chosen, i, j = [], m, n
        while i > 0:
            if j - 1 >= i and best[i][j - 1] == best[i][j]:
                j -= 1  # on a tie, pair earlier lines: position order when nothing is alike
                continue
            chosen.append(j - 1)
            i, j = i - 1, j - 1
        chosen.reverse()
    picked = {long_[c]: short[k] for k, c in enumerate(chosen)}
    slots: list[tuple[int | None, int | None]] = []
    for j in long_:
        partner = picked.get(j)
        slots.append((j, partner) if swapped else (partner, j))
    return slots


def touched_lines(old: Sequence[int], new: Sequence[int], old_lines: Sequence[str],
                  new_lines: Sequence[str]) -> tuple[list[int], list[int]]:
    """The lines of a replacing hunk that hold a changed token.

    The hunk's tokens are diffed as one stream per side; a line whose tokens all reappear,
    in order, on the other side only had its line breaks moved (a statement re-wrapped,
    a launch joined onto one line) and is not a changed line. Very large hunks are taken
    whole.
    """
    if not old or not new:
        return list(old), list(new)
    a = [(token, i) for i in old for token in _TOKEN.findall(old_lines[i])]
    b = [(token, j) for j in new for token in _TOKEN.findall(new_lines[j])]
    if len(a) + len(b) > _REFLOW_TOKEN_LIMIT:
        return list(old), list(new)
    matcher = difflib.SequenceMatcher(None, [t for t, _ in a], [t for t, _ in b], autojunk=False)
    hit_old: set[int] = set()
    hit_new: set[int] = set()
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            hit_old.update(line for _, line in a[i1:i2])
            hit_new.update(line for _, line in b[j1:j2])
    return [i for i in old if i in hit_old], [j for j in new if j in hit_new]


def changed_text(old: str | None, new: str | None) -> str:
    """The tokens that differ between two lines (a lone line: all of it), space-joined."""
    if old is None or new is None:
        return " ".join(_TOKEN.findall(old if old is not None else new or ""))
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    parts: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            parts.extend(a[i1:i2])
            parts.extend(b[j1:j2])
    return " ".join(parts)


@dataclass
class _Side:
    lines: list[str]
    regions: dict[int, list[bool]]
    statements: dict[int, list[bool]]


def _side(lines: list[str], flag_source: list[str], rules: Sequence[CategoryRule]) -> _Side:
    regions, statements = {}, {}
    for number, rule in enumerate(rules):
        if rule.scope == "region" and rule.pattern is not None:
            regions[number] = region_flags(flag_source, rule.pattern)
        elif rule.scope == "statement" and rule.pattern is not None:
            statements[number] = statement_flags(flag_source, rule.pattern)
    return _Side(lines, regions, statements)


def classify(slot: tuple[int | None, int | None], old: _Side, new: _Side, path: str,
             rules: Sequence[CategoryRule], folded_equal: bool) -> str:
    i, j = slot
    old_line = old.lines[i] if i is not None else None
    new_line = new.lines[j] if j is not None else None
    changed: str | None = None
    for number, rule in enumerate(rules):
        if rule.requires_folded_equal and not folded_equal:
            continue
        scope = rule.scope
        if scope == "folded_equal":
            hit = folded_equal
        elif scope == "path":
            hit = bool(rule.pattern.search(path))
        elif scope in ("region", "statement"):
            flags = old.regions if scope == "region" else old.statements
            new_flags = new.regions if scope == "region" else new.statements
            hit = (i is not None and flags[number][i]) or (j is not None and new_flags[number][j])
        elif scope == "line":
            hit = any(line is not None and rule.pattern.search(line)
                      for line in (old_line, new_line))
        else:  # changed
            if changed is None:
                changed = changed_text(old_line, new_line)
            hit = bool(rule.pattern.search(changed))
        if hit:
            return rule.category
    return "other"


@dataclass(frozen=True, slots=True)
class Slot:
    """One changed line: its category and the old/new normalised lines (None if alone)."""

    category: str
    old: str | None
    new: str | None


def _slots(old: _Side, new: _Side, path: str, rules: Sequence[CategoryRule],
           folded: tuple[list[str], list[str]] | None) -> Iterator[Slot]:
    """Changed-line slots; `folded` (both sides' folded lines) given = the native path,
    where a slot whose lines fold to the same text is a pure name change."""
    matcher = difflib.SequenceMatcher(None, old.lines, new.lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        olds, news = touched_lines(range(i1, i2), range(j1, j2), old.lines, new.lines)
        hunk: list[Slot] = []
        for slot in pair_slots(olds, news, old.lines, new.lines):
            i, j = slot
            folded_equal = (folded is not None and i is not None and j is not None
                            and folded[0][i] == folded[1][j])
            hunk.append(Slot(classify(slot, old, new, path, rules, folded_equal),
                             old.lines[i] if i is not None else None,
                             new.lines[j] if j is not None else None))
        yield from _punctuation_follows(hunk)


def _punctuation_follows(hunk: list[Slot]) -> list[Slot]:
    """A slot of bare punctuation (`}`, `});`) belongs with its hunk: it takes the
    category of the nearest preceding slot with words, else the nearest following one."""
    def bare(slot: Slot) -> bool:
        return not any(_WORD.search(line) for line in (slot.old, slot.new) if line is not None)

    worded = [slot.category for slot in hunk if not bare(slot)]
    if not worded or len(worded) == len(hunk):
        return hunk
    result, last = [], worded[0]
    for slot in hunk:
        if bare(slot):
            result.append(Slot(last, slot.old, slot.new))
        else:
            last = slot.category
            result.append(slot)
    return result


def measure_pair(original_text: str, ported_text: str, path: str, *,
                 fold_rules: Sequence[FoldRule] | None = None,
                 category_rules: Sequence[CategoryRule] | None = None) -> PairMeasure:
    """Measure one port: `path` is the original's path (it decides comment syntax and
    build-file rules). The rules default to the shipped mappings/calibration_*.toml."""
    slots = explain_pair(original_text, ported_text, path, fold_rules=fold_rules,
                         category_rules=category_rules)
    counts = {name: dict.fromkeys(CATEGORIES, 0) for name in PATHS}
    for name in PATHS:
        for slot in slots[name]:
            counts[name][slot.category] += 1
    return PairMeasure(count_lines(original_text), counts["native"], counts["suda"])


def explain_pair(original_text: str, ported_text: str, path: str, *,
                 fold_rules: Sequence[FoldRule] | None = None,
                 category_rules: Sequence[CategoryRule] | None = None
                 ) -> dict[str, list[Slot]]:
    """The changed-line slots behind measure_pair, per path: for reading by hand."""
    if fold_rules is None or category_rules is None:
        default_fold, default_categories = _default_rules()
        fold_rules = default_fold if fold_rules is None else fold_rules
        category_rules = default_categories if category_rules is None else category_rules
    path = path.replace("\\", "/")
    old_lines, new_lines = prepare(original_text, path), prepare(ported_text, path)
    old_native = _side(old_lines, old_lines, category_rules)
    new_native = _side(new_lines, new_lines, category_rules)
    old_folded = [fold_line(line, fold_rules) for line in old_lines]
    new_folded = [fold_line(line, fold_rules) for line in new_lines]
    native = list(_slots(old_native, new_native, path, category_rules,
                         (old_folded, new_folded)))
    # The suda path diffs folded text but keeps the context (vendor regions, asm
    # statements) found on the unfolded lines: folding maps line to line.
    old_suda = _Side(old_folded, old_native.regions, old_native.statements)
    new_suda = _Side(new_folded, new_native.regions, new_native.statements)
    suda = list(_slots(old_suda, new_suda, path, category_rules, None))
    return {"native": native, "suda": suda}
