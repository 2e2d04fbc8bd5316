"""Read mappings/effort.toml: the weights of the effort model, checked like the tables.

A weight that is missing, negative or out of order stops the run with
`mappings/effort.toml:LINE: reason`: an estimate resting on a typo is worse than none.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migrate.change import PORT_PATHS, LineModel, LinePattern, LineRule
from migrate.loosen import loosened
from migrate.mappings.validate import MappingError
from migrate.model import ZERO, Finding, Hours
from migrate.paths import status_on
from migrate.safe_read import read_regular
from migrate.tomlpos import Section, line_of
from migrate.vocabulary import CHANGE_CATEGORIES, STATUSES, USE_KINDS

EFFORT_FILE = "effort.toml"
UNITS = ("file", "site", "kernel", "package", "name", "project")
_MATCH_KEYS = ("categories", "names", "kinds", "statuses")
__all__ = ("ZERO", "EffortModel", "Hours", "Rule", "load_effort")


@dataclass(frozen=True, slots=True)
class Rule:
    """How one kind of finding is priced: what one unit is, and its hours per status."""

    name: str
    unit: str
    hours: dict[str, Hours]  # status -> hours; "*" for every status
    categories: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    is_item: bool = False
    # `except.categories` / `except.kinds`: findings the rule leaves to the next one.
    except_categories: frozenset[str] = frozenset()
    except_kinds: frozenset[str] = frozenset()

    def fits(self, category: str, resolved: str, kind: str, status: str) -> bool:
        return ((not self.categories or category in self.categories)
                and (not self.names or resolved in self.names)
                and (not self.kinds or kind in self.kinds)
                and (not self.statuses or status in self.statuses)
                and category not in self.except_categories
                and kind not in self.except_kinds)

    def hours_for(self, status: str) -> Hours:
        return self.hours.get(status, self.hours.get("*", ZERO))


@dataclass(slots=True)
class EffortModel:
    version: str
    origin: str  # how messages name the file
    hours_per_day: float
    default_currency: dict[str, str]
    default_rate: dict[str, float]
    lines: LineModel  # how findings and syntax become lines to change
    line_rates: dict[str, Hours]  # category -> hours per changed line
    review: Hours  # per file that changes
    items: list[Rule]
    fixed: dict[str, Hours]
    grade_limits: dict[str, tuple[float, ...]] = field(default_factory=dict)
    package_aliases: dict[str, str] = field(default_factory=dict)  # glob -> package
    # Scale for the share of a use beside another vendor's branch (USE_ROCM, __SUPA__):
    # the abstraction to port through already exists.
    vendor_branch_factor: float = 1.0
    # Scale for a changed line that repeats an earlier one of its file (FileChange.repeated).
    repeated_factor: float = 1.0
    family_min_members: int = 3
    ceiling: dict[str, float] = field(default_factory=dict)  # COCOMO a, b, hours_per_month
    validation: dict[str, Any] = field(default_factory=dict)
    _rule_cache: dict[tuple[str, str, str, str], Rule | None] = field(
        default_factory=dict, repr=False, compare=False)
    _per_kernel_cache: dict[tuple[str, str, str, str, str], bool] = field(
        default_factory=dict, repr=False, compare=False)

    def package(self, name: str) -> str:
        """One name per package: lower case, `_` as `-`, then the first alias that fits."""
        name = name.lower().replace("_", "-")
        for pattern, alias in self.package_aliases.items():
            if fnmatch.fnmatchcase(name, pattern):
                return alias
        return name

    def rule_for(self, category: str, resolved: str, kind: str, status: str) -> Rule | None:
        """The first per-unit item a finding fits, or None (its lines are its price)."""
        key = (category, resolved, kind, status)
        if key not in self._rule_cache:  # the same few hundred names recur in a repository
            self._rule_cache[key] = next(
                (item for item in self.items if item.fits(category, resolved, kind, status)),
                None)
        return self._rule_cache[key]

    def priced_per_kernel(self, finding: Finding) -> bool:
        """Whether an item priced per kernel may price `finding` on some port path: only
        then does the function it sits in (`Use.function`) matter."""
        entry, use = finding.entry, finding.use
        key = (entry.category, use.resolved, use.kind, entry.status, entry.status_suda)
        known = self._per_kernel_cache.get(key)
        if known is None:
            known = self._per_kernel_cache[key] = any(
                (rule := self.rule_for(entry.category, use.resolved, use.kind,
                                       status_on(entry, path))) is not None
                and rule.unit == "kernel" for path in PORT_PATHS)
        return known


def load_effort(overlays: tuple[Path, ...], categories: frozenset[str],
                shipped: Path | None = None) -> EffortModel:
    """The shipped effort.toml, or the last overlay folder's copy of it."""
    from migrate.resources import mappings_dir

    path, shown = (shipped or mappings_dir()) / EFFORT_FILE, f"mappings/{EFFORT_FILE}"
    for overlay in overlays:
        if (overlay / EFFORT_FILE).is_file():
            path, shown = overlay / EFFORT_FILE, str(overlay / EFFORT_FILE)
    try:
        text = read_regular(path, 16 * 1024 * 1024).decode("utf-8")
        doc = tomllib.loads(text)
    except OSError as exc:
        raise MappingError(shown, 0, f"cannot read: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 0
        raise MappingError(shown, line, f"invalid TOML: {exc}") from None
    return _Reader(shown, text, categories).model(doc)


class _Reader:
    def __init__(self, shown: str, text: str, categories: frozenset[str]) -> None:
        # Lines as `splitlines` reads them, joined once (every line lookup reads it).
        self.shown, self.text, self.categories = shown, "\n".join(text.splitlines()), categories

    def fail(self, line: int, reason: str) -> MappingError:
        return MappingError(self.shown, line, reason)

    def header_line(self, header: str, index: int = 0) -> int:
        """The line of table `[a.b]`, or of the `index`-th `[[a.b]]`; 0 when absent."""
        parts = header.strip("[]").split(".")
        if header.startswith("[["):
            return line_of(self.text, index, parts, default=0)
        return line_of(self.text, parts[-1], parts[:-1] or None, default=0)

    def key_line(self, section: Section, key: str) -> int:
        """The line that sets `key` in table `section` (None: the top level).

        Else the line of the nearest enclosing table in the text; else 0 (no line) for
        a table the text does not have, 1 at the top level.
        """
        return line_of(self.text, key, section, default=1 if section is None else 0)

    def factor(self, doc: dict[str, Any], name: str) -> float:
        """`[name] factor`, a share of a rate in (0, 1]; 1 when the table is absent."""
        table = self.table(doc, name, 1) if name in doc else {}
        self.only(table, ("factor",), name, f"[{name}]")
        value = self.number(table.get("factor", 1.0), self.key_line(name, "factor"), "factor",
                            positive=True)
        if value > 1:
            raise self.fail(self.key_line(name, "factor"), f"[{name}] factor must be in (0, 1]")
        return value

    def model(self, doc: dict[str, Any]) -> EffortModel:
        self.only(doc, ("version", "cost", "lines", "item", "packages", "fixed", "grade",
                        "vendor_branch", "repeated", "family", "ceiling", "validation"), None,
                  "top level")
        cost = self.table(doc, "cost", 1)
        at = self.header_line("[cost]")
        self.only(cost, ("hours_per_day", "default_currency", "default_rate"), "cost", "[cost]")
        hours_per_day = self.number(cost.get("hours_per_day"),
                                    self.key_line("cost", "hours_per_day"), "hours_per_day",
                                    positive=True)
        currency = {str(k): str(v) for k, v in self.table(cost, "default_currency", at).items()}
        rates = {str(k): self.number(v, self.key_line(("cost", "default_rate"), k), f"rate {k}",
                                     positive=True)
                 for k, v in self.table(cost, "default_rate", at).items()}
        line_model, line_rates, review = self.line_model(self.table(doc, "lines", 1))
        items = []
        for index, raw in enumerate(doc.get("item", [])):
            line = self.header_line("[[item]]", index)
            if not isinstance(raw, dict) or not raw.get("name"):
                raise self.fail(line, "an [[item]] needs a name")
            name = str(raw["name"])
            if any(item.name == name for item in items):
                raise self.fail(line, f"item name '{name}' is used twice")
            items.append(self.rule(name, raw, line, ("item", index), is_item=True))
        fixed = {}
        for name, raw in self.table(doc, "fixed", 1).items():
            line = self.header_line(f"[fixed.{name}]")
            table = self.table({"x": raw}, "x", line)
            self.only(table, ("hours",), ("fixed", name), f"[fixed.{name}]")
            fixed[str(name)] = self.hours(table.get("hours"),
                                          self.key_line(("fixed", name), "hours"))
        grades = self.table(doc, "grade", 1)
        self.only(grades, ("file", "repository"), "grade", "[grade]")
        limits = {scope: self.limits(grades.get(scope), self.key_line("grade", scope))
                  for scope in ("file", "repository")}
        aliases_at = self.header_line("[packages.aliases]")
        packages = doc.get("packages", {"aliases": {}})
        self.only(packages, ("aliases",), "packages", "[packages]")
        aliases = self.table(packages, "aliases", aliases_at)
        for key, value in aliases.items():
            if not isinstance(value, str) or not value:
                raise self.fail(self.key_line(("packages", "aliases"), key),
                                f"alias of '{key}' must be a package name")
        factor = self.factor(doc, "vendor_branch")
        repeated_factor = self.factor(doc, "repeated")
        family = self.table(doc, "family", 1) if "family" in doc else {}
        self.only(family, ("min_members",), "family", "[family]")
        members = self.number(family.get("min_members", 3),
                              self.key_line("family", "min_members"), "min_members",
                              positive=True)
        ceiling = self.table(doc, "ceiling", 1) if "ceiling" in doc else \
            {"a": 2.4, "b": 1.05, "hours_per_month": 152}
        self.only(ceiling, ("a", "b", "hours_per_month"), "ceiling", "[ceiling]")
        ceiling_values = {k: self.number(ceiling.get(k), self.key_line("ceiling", k), k,
                                         positive=True) for k in ("a", "b", "hours_per_month")}
        return EffortModel(str(doc.get("version", "0")), self.shown, hours_per_day, currency,
                           rates, line_model, line_rates, review, items, fixed, limits,
                           {str(k): str(v) for k, v in aliases.items()},
                           vendor_branch_factor=factor, repeated_factor=repeated_factor,
                           family_min_members=int(members),
                           ceiling=ceiling_values,
                           validation=self.validation(doc.get("validation", {})))

    def line_model(self, raw: dict[str, Any]) -> tuple[LineModel, dict[str, Hours], Hours]:
        """[lines]: the order, rules, patterns and rates that turn findings into lines."""
        section = "lines"
        self.only(raw, ("order", "asm_extra_lines", "fallback", "rates", "review", "rule",
                        "pattern"), section, "[lines]")
        known = frozenset(CHANGE_CATEGORIES)
        order = raw.get("order")
        order_line = self.key_line(section, "order")
        if not isinstance(order, list) or sorted(order) != sorted(known):
            raise self.fail(order_line, "[lines] order must list each category once: "
                                        + ", ".join(CHANGE_CATEGORIES))
        extra = self.number(raw.get("asm_extra_lines", 2),
                            self.key_line(section, "asm_extra_lines"), "asm_extra_lines")
        fallback = self.table(raw, "fallback", self.header_line("[lines]"))
        for status, category in fallback.items():
            line = self.key_line((section, "fallback"), status)
            self.check_words(frozenset([status]), frozenset(STATUSES), line, "status")
            self.check_words(frozenset([str(category)]), known, line, "category")
        rates_raw = self.table(raw, "rates", self.header_line("[lines]"))
        missing = sorted(known - set(rates_raw))
        if missing:
            raise self.fail(self.header_line("[lines.rates]"),
                            f"[lines.rates] must price every category (missing: "
                            f"{', '.join(missing)})")
        rates = {}
        for category, value in rates_raw.items():
            line = self.key_line((section, "rates"), category)
            self.check_words(frozenset([category]), known, line, "category")
            rates[category] = self.hours(value, line)
        review_raw = self.table(raw, "review", self.header_line("[lines]"))
        review = self.hours(review_raw.get("hours"), self.key_line((section, "review"), "hours"))
        rules = []
        for index, rule in enumerate(raw.get("rule", [])):
            line = self.header_line("[[lines.rule]]", index)
            where = (section, "rule", index)
            self.only(rule, ("category", "match"), where, "a [[lines.rule]]")
            self.check_words(frozenset([str(rule.get("category"))]), known, line, "category")
            match = rule.get("match", {})
            in_match = (*where, "match")
            self.only(match, ("categories", "kinds", "names", "languages"), in_match,
                      "match of a [[lines.rule]]")
            sets = {key: self.words(match.get(key, []), self.key_line(in_match, key), key)
                    for key in ("categories", "kinds", "names", "languages")}
            self.check_words(sets["categories"], self.categories,
                             self.key_line(in_match, "categories"), "category")
            self.check_words(sets["kinds"], frozenset(USE_KINDS),
                             self.key_line(in_match, "kinds"), "kind")
            if not any(sets.values()):
                raise self.fail(line, "a [[lines.rule]] matches nothing: give match.*")
            rules.append(LineRule(str(rule["category"]), sets["categories"], sets["kinds"],
                                  sets["names"], sets["languages"]))
        patterns = []
        for index, pattern in enumerate(raw.get("pattern", [])):
            line = self.header_line("[[lines.pattern]]", index)
            where = (section, "pattern", index)
            self.only(pattern, ("category", "languages", "kernel_files", "regex", "share"),
                      where, "a [[lines.pattern]]")
            self.check_words(frozenset([str(pattern.get("category"))]), known, line,
                             "category")
            try:
                regex = re.compile(str(pattern.get("regex", "")), re.M)
            except re.error as exc:
                raise self.fail(self.key_line(where, "regex"), f"bad regex: {exc}") from None
            share_raw = self.table(pattern, "share", line)
            share = {str(k): self.number(v, self.key_line((*where, "share"), k), "share")
                     for k, v in share_raw.items()}
            if any(v > 1 for v in share.values()):
                raise self.fail(self.key_line(where, "share"), "a share is at most 1")
            languages = self.words(pattern.get("languages", []),
                                   self.key_line(where, "languages"), "languages")
            patterns.append(LinePattern(str(pattern["category"]), regex, languages, share,
                                        bool(pattern.get("kernel_files", False)),
                                        loosened(regex)))
        model = LineModel(tuple(str(c) for c in order), tuple(rules), tuple(patterns),
                          int(extra), {str(k): str(v) for k, v in fallback.items()})
        return model, rates, review

    def validation(self, raw: object) -> dict[str, Any]:
        """[validation]: the calibration figures this model version was measured with."""
        if not isinstance(raw, dict):
            raise self.fail(self.header_line("[validation]"), "[validation] must be a table")
        self.only(raw, ("pairs", "rho", "median_ratio", "within_2x", "sources", "paths",
                        "note"), "validation", "[validation]")
        return dict(raw)

    def rule(self, name: str, raw: dict[str, Any], line: int, section: tuple[str | int, ...],
             is_item: bool) -> Rule:
        """The rule of table `section` (("item", 2), ("status", "native")) at `line`."""
        allowed = ("name", "match", "except", "unit", "hours") if is_item else ("unit", "hours")
        self.only(raw, allowed, section, f"rule '{name}'")
        unit = raw.get("unit")
        if unit not in UNITS:
            raise self.fail(self.key_line(section, "unit"),
                            f"unit '{unit}' of '{name}' is not one of {', '.join(UNITS)}")
        match = raw.get("match", {}) if is_item else {}
        if not isinstance(match, dict):
            raise self.fail(line, f"match of '{name}' must be a table")
        in_match = (*section, "match")
        self.only(match, _MATCH_KEYS, in_match, f"match of '{name}'")
        sets = {key: self.words(match.get(key, []), self.key_line(in_match, key), key)
                for key in _MATCH_KEYS}
        self.check_words(sets["categories"], self.categories,
                         self.key_line(in_match, "categories"), "category")
        self.check_words(sets["kinds"], frozenset(USE_KINDS), self.key_line(in_match, "kinds"),
                         "kind")
        self.check_words(sets["statuses"], frozenset(STATUSES),
                         self.key_line(in_match, "statuses"), "status")
        hours_line = self.key_line(section, "hours")
        raw_hours = raw.get("hours")
        if isinstance(raw_hours, dict):
            if not is_item or not sets["statuses"]:
                raise self.fail(hours_line, f"hours of '{name}' per status need "
                                            "match.statuses to say which statuses")
            missing = sorted(sets["statuses"] - set(raw_hours))
            if missing or set(raw_hours) - sets["statuses"]:
                raise self.fail(hours_line, f"hours of '{name}' must price exactly the "
                                            f"statuses in match.statuses (missing: "
                                            f"{', '.join(missing) or 'none'})")
            hours = {str(k): self.hours(v, hours_line) for k, v in raw_hours.items()}
        else:
            hours = {"*": self.hours(raw_hours, hours_line)}
        if is_item and not any(sets.values()):
            raise self.fail(line, f"item '{name}' matches nothing: give match.categories, "
                                  "names, kinds or statuses")
        excepted = raw.get("except", {})
        in_except = (*section, "except")
        if not isinstance(excepted, dict):
            raise self.fail(line, f"except of '{name}' must be a table")
        self.only(excepted, ("categories", "kinds"), in_except, f"except of '{name}'")
        except_categories = self.words(excepted.get("categories", []),
                                       self.key_line(in_except, "categories"), "categories")
        self.check_words(except_categories, self.categories,
                         self.key_line(in_except, "categories"), "category")
        except_kinds = self.words(excepted.get("kinds", []), self.key_line(in_except, "kinds"),
                                  "kinds")
        self.check_words(except_kinds, frozenset(USE_KINDS), self.key_line(in_except, "kinds"),
                         "kind")
        return Rule(name, str(unit), hours, sets["categories"], sets["names"], sets["kinds"],
                    sets["statuses"], is_item, except_categories, except_kinds)

    def hours(self, raw: object, line: int) -> Hours:
        if not isinstance(raw, list) or len(raw) != 3:
            raise self.fail(line, "hours must be [low, expected, high]")
        low, expected, high = (self.number(v, line, "hours") for v in raw)
        if not low <= expected <= high:
            raise self.fail(line, f"hours must satisfy low <= expected <= high, got {raw}")
        return Hours(low, expected, high)

    def limits(self, raw: object, line: int) -> tuple[float, ...]:
        if not isinstance(raw, list) or len(raw) != 4:
            raise self.fail(line, "grade limits must be four hours: the upper bounds of A-D")
        values = tuple(self.number(v, line, "grade limit") for v in raw)
        if list(values) != sorted(values):
            raise self.fail(line, f"grade limits must rise from A to D, got {raw}")
        return values

    def number(self, raw: object, line: int, what: str, positive: bool = False) -> float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise self.fail(line, f"{what} must be a number, got {raw!r}")
        if raw < 0 or (positive and raw == 0):
            raise self.fail(line, f"{what} must be {'above' if positive else 'at least'} 0, "
                                  f"got {raw}")
        return float(raw)

    def words(self, raw: object, line: int, what: str) -> frozenset[str]:
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            raise self.fail(line, f"match.{what} must be a list of strings")
        return frozenset(raw)

    def check_words(self, values: frozenset[str], known: frozenset[str], line: int,
                    what: str) -> None:
        for value in sorted(values - known):
            raise self.fail(line,
                            f"{what} '{value}' is not one of {', '.join(sorted(known))}")

    def table(self, doc: dict[str, Any], key: str, line: int) -> dict[str, Any]:
        value = doc.get(key)
        if not isinstance(value, dict):
            raise self.fail(line, f"'{key}' must be a table")
        return value

    def only(self, raw: dict[str, Any], allowed: tuple[str, ...], section: Section,
             where: str) -> None:
        for key in raw:
            if key not in allowed:
                raise self.fail(self.key_line(section, key),
                                f"unknown key '{key}' in {where} (allowed: {', '.join(allowed)})")
