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

from migrate.mappings.validate import MappingError
from migrate.model import STATUSES, USE_KINDS, ZERO, Hours
from migrate.tomlpos import Section, line_of

EFFORT_FILE = "effort.toml"
UNITS = ("file", "site", "kernel", "package", "project")
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

    def fits(self, category: str, resolved: str, kind: str, status: str) -> bool:
        return ((not self.categories or category in self.categories)
                and (not self.names or resolved in self.names)
                and (not self.kinds or kind in self.kinds)
                and (not self.statuses or status in self.statuses))

    def hours_for(self, status: str) -> Hours:
        return self.hours.get(status, self.hours.get("*", ZERO))


@dataclass(slots=True)
class EffortModel:
    version: str
    origin: str  # how messages name the file
    hours_per_day: float
    default_currency: dict[str, str]
    default_rate: dict[str, float]
    status_rules: dict[str, Rule]
    items: list[Rule]
    fixed: dict[str, Hours]
    grade_limits: dict[str, tuple[float, ...]] = field(default_factory=dict)
    package_aliases: dict[str, str] = field(default_factory=dict)  # glob -> package
    # Scale for the share of a use beside another vendor's branch (USE_ROCM, __SUPA__):
    # the abstraction to port through already exists.
    vendor_branch_factor: float = 1.0
    _rule_cache: dict[tuple[str, str, str, str], Rule] = field(
        default_factory=dict, repr=False, compare=False)

    def package(self, name: str) -> str:
        """One name per package: lower case, `_` as `-`, then the first alias that fits."""
        name = name.lower().replace("_", "-")
        for pattern, alias in self.package_aliases.items():
            if fnmatch.fnmatchcase(name, pattern):
                return alias
        return name

    def rule_for(self, category: str, resolved: str, kind: str, status: str) -> Rule:
        key = (category, resolved, kind, status)
        rule = self._rule_cache.get(key)
        if rule is None:  # the same few hundred names recur across a whole repository
            rule = next((item for item in self.items
                         if item.fits(category, resolved, kind, status)),
                        self.status_rules[status])
            self._rule_cache[key] = rule
        return rule


def load_effort(overlays: tuple[Path, ...], categories: frozenset[str],
                shipped: Path | None = None) -> EffortModel:
    """The shipped effort.toml, or the last overlay folder's copy of it."""
    from migrate.resources import mappings_dir

    path, shown = (shipped or mappings_dir()) / EFFORT_FILE, f"mappings/{EFFORT_FILE}"
    for overlay in overlays:
        if (overlay / EFFORT_FILE).is_file():
            path, shown = overlay / EFFORT_FILE, str(overlay / EFFORT_FILE)
    try:
        text = path.read_text(encoding="utf-8")
        doc = tomllib.loads(text)
    except OSError as exc:
        raise MappingError(shown, 0, f"cannot read: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 0
        raise MappingError(shown, line, f"invalid TOML: {exc}") from None
    return _Reader(shown, text, categories).model(doc)


class _Reader:
    def __init__(self, shown: str, text: str, categories: frozenset[str]) -> None:
        self.shown, self.lines, self.categories = shown, text.splitlines(), categories

    def fail(self, line: int, reason: str) -> MappingError:
        return MappingError(self.shown, line, reason)

    def header_line(self, header: str, index: int = 0) -> int:
        found = [n for n, ln in enumerate(self.lines, 1) if ln.strip() == header]
        return found[index] if index < len(found) else 0

    def key_line(self, section: Section, key: str) -> int:
        """The line that sets `key` in table `section` (None: the top level).

        Else the line of the nearest enclosing table in the text; else 0 (no line) for
        a table the text does not have, 1 at the top level.
        """
        return line_of("\n".join(self.lines), key, section,
                       default=1 if section is None else 0)

    def model(self, doc: dict[str, Any]) -> EffortModel:
        self.only(doc, ("version", "cost", "status", "item", "packages", "fixed", "grade",
                        "vendor_branch"), None, "top level")
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
        status_at = self.header_line("[status]")
        statuses = self.table(doc, "status", 1)
        if sorted(statuses) != sorted(STATUSES):
            raise self.fail(status_at, f"[status] must price exactly: {', '.join(STATUSES)}")
        status_rules = {name: self.rule(name, self.table(statuses, name, status_at),
                                        self.key_line("status", name), ("status", name),
                                        is_item=False)
                        for name in STATUSES}
        items = []
        for index, raw in enumerate(doc.get("item", [])):
            line = self.header_line("[[item]]", index)
            if not isinstance(raw, dict) or not raw.get("name"):
                raise self.fail(line, "an [[item]] needs a name")
            name = str(raw["name"])
            if name in STATUSES or any(item.name == name for item in items):
                raise self.fail(line, f"item name '{name}' is used twice or is a status")
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
        vendor = self.table(doc, "vendor_branch", 1) if "vendor_branch" in doc else {}
        self.only(vendor, ("factor",), "vendor_branch", "[vendor_branch]")
        factor = self.number(vendor.get("factor", 1.0), self.key_line("vendor_branch", "factor"),
                             "factor", positive=True)
        if factor > 1:
            raise self.fail(self.key_line("vendor_branch", "factor"),
                            "[vendor_branch] factor must be in (0, 1]")
        return EffortModel(str(doc.get("version", "0")), self.shown, hours_per_day, currency,
                           rates, status_rules, items, fixed, limits,
                           {str(k): str(v) for k, v in aliases.items()},
                           vendor_branch_factor=factor)

    def rule(self, name: str, raw: dict[str, Any], line: int, section: tuple[str | int, ...],
             is_item: bool) -> Rule:
        """The rule of table `section` (("item", 2), ("status", "native")) at `line`."""
        allowed = ("name", "match", "unit", "hours") if is_item else ("unit", "hours")
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
        return Rule(name, str(unit), hours, sets["categories"], sets["names"], sets["kinds"],
                    sets["statuses"], is_item)

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
