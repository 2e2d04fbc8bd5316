"""Effort, difficulty and cost: predicted lines priced at stated rates, plus per-unit items.

Per file and path, the lines to change by category (migrate/change.py, predicted in the
worker) times the category's rate, plus a review of each changed file. Then the
[[item]]s of mappings/effort.toml where lines do not measure the work (a tensor-core
kernel redesigned, a package replaced, an environment variable decided, the build
switch), each paid once per unit; then the [fixed] per-project items. Generated code
is priced once per family, as its largest member. Vendored code is scored apart and
only added to the user's own effort on request.

Each finding carries its share: the hours of its line split among the findings on
that line, plus its share of its unit. Lines found by syntax alone (launch constants,
`#if USE_ROCM`) belong to their file but to no finding, so the findings' shares add
up to the line and unit hours they explain, not to the whole total.
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from migrate.errors import UserError
from migrate.forked import forked_value, value_of
from migrate.mappings.effort import EffortModel, Rule
from migrate.model import (
    ZERO,
    Ceiling,
    Cost,
    Effort,
    Estimate,
    Family,
    FileChange,
    FileRecord,
    Finding,
    Hours,
    MappingEntry,
    Method,
    PricedUnit,
    PricingRule,
    Reason,
    RuleUse,
    Tally,
    effort_key,
)
from migrate.paths import status_on
from migrate.vocabulary import STATUSES

GRADES = "ABCDE"
TOP_REASONS = 3
UNCERTAIN = frozenset({"inferred", "unverified"})
StatusOf = Callable[[Finding], str]
GroupKey = tuple[str, tuple[str, ...]]  # (item name, unit key): one priced unit
LineKey = tuple[str, int, bool]  # (line category, findings on the line, in a vendor branch)


def status_on_path(finding: Finding, path: str) -> str:
    """A finding's status on port `path` (the statuses a store's blocks are summed by)."""
    return status_on(finding.entry, path)


def _status_in_force(finding: Finding) -> str:
    return finding.entry.status


STATUS_RANK = {status: n for n, status in enumerate(STATUSES)}
# (item name, unit key, findings in the unit, rank in STATUSES of their hardest status)
UnitCount = tuple[str, tuple[str, ...], int, int]


class FileShares(NamedTuple):
    """What pricing's second pass needs of one file's findings on one port path, in the
    order of the file's block: each one's line category, what its line's share is made
    of, its unit and its flags (`file_shares`). Per finding, an index into the tables
    (array("i") bytes, -1: none)."""

    categories: tuple[str, ...]  # the line categories named ("": the line runs as is)
    lines: tuple[LineKey, ...]  # (category, findings sharing the line, in a vendor branch)
    units: tuple[GroupKey, ...]
    category_of: bytes
    line_of: bytes
    unit_of: bytes
    flags_of: bytes  # IN_BRANCH | OTHER_VENDOR | PORTABLE | UNCERTAIN_ROW


# FileShares.flags_of
IN_BRANCH, OTHER_VENDOR, PORTABLE, UNCERTAIN_ROW = 1, 2, 4, 8


class FileUnits(NamedTuple):
    """One file's findings as pricing sees them: per port path, the priced units they fall
    in (the first pass) and their shares (the second), and their counts. Made where the
    file is scanned (`file_units`), so that pricing need not read the findings back."""

    vendored: bool  # findings of vendored code
    any_work: bool  # a finding that is not another vendor's
    units: dict[str, tuple[UnitCount, ...]]
    shares: dict[str, FileShares] | None = None
    tally: Tally | None = None  # every count but the baseline states


class _Alike(NamedTuple):
    """A file's findings grouped by all that their pricing reads of them (row, name, kind,
    function, how reached, another vendor's): a file repeats a few names."""

    first: list[Finding]  # one finding per group, in the order groups first appear
    count: list[int]  # findings per group
    group_of: list[int]  # per finding: its group


def _alike(found: Sequence[Finding]) -> _Alike:
    known: dict[tuple[object, ...], int] = {}
    first: list[Finding] = []
    count: list[int] = []
    group_of = []
    for finding in found:
        use = finding.use
        sign = (id(finding.entry), use.resolved, use.kind, use.function, use.language,
                use.via, finding.other_vendor, finding.vendored)
        group = known.get(sign)
        if group is None:
            group = known[sign] = len(first)
            first.append(finding)
            count.append(0)
        count[group] += 1
        group_of.append(group)
    return _Alike(first, count, group_of)


def file_units(found: Sequence[Finding], model: EffortModel,
               paths: Iterable[tuple[str, StatusOf]], include_vendored: bool,
               vendored_file: bool = False) -> FileUnits:
    """The priced units and shares of one file's findings (in their block's order) on each
    (path, status of a finding on it: read off its mapping row alone), units in the order
    the findings first reach them, and their counts."""
    vendored = any(f.vendored for f in found)
    counted = include_vendored or not (vendored or vendored_file)
    alike = _alike(found)
    units: dict[str, tuple[UnitCount, ...]] = {}
    shares: dict[str, FileShares] = {}
    for path, status_of in paths:
        shares[path], units[path] = _shares(found, alike, model, status_of, counted)
    tally = Tally()
    for finding, count in zip(alike.first, alike.count, strict=True):
        tally.add_alike(finding, count)
    tally.suppressed = sum(f.suppression is not None for f in found)
    return FileUnits(vendored, any(not f.other_vendor for f in found), units, shares, tally)


def file_shares(found: Sequence[Finding], model: EffortModel, status_of: StatusOf,
                counted: bool) -> FileShares:
    """One file's findings on one path as pricing's second pass reads them."""
    return _shares(found, _alike(found), model, status_of, counted)[0]


def _shares(found: Sequence[Finding], alike: _Alike, model: EffortModel, status_of: StatusOf,
            counted: bool) -> tuple[FileShares, tuple[UnitCount, ...]]:
    """`FileShares` and the units (`UnitCount`) of one file's findings on one path."""
    lines_model = model.lines
    categories: dict[str, int] = {}
    units: dict[GroupKey, int] = {}
    seen: dict[GroupKey, list[int]] = {}  # unit -> [findings, hardest status rank]
    readings: list[tuple[int, int, int]] = []  # per group: category, unit, flags
    for finding, count in zip(alike.first, alike.count, strict=True):
        status = status_of(finding)
        use = finding.use
        category = "" if status == "native" or finding.other_vendor or use.indirect \
            else lines_model.category_of(finding)
        unit = unit_of(finding, status, model, counted)
        if unit is not None:
            rank = STATUS_RANK[status]
            known = seen.get(unit[1])
            if known is None:
                seen[unit[1]] = [count, rank]
            else:
                known[0] += count
                known[1] = max(known[1], rank)
        flags = (OTHER_VENDOR if finding.other_vendor else 0) | \
            (PORTABLE if status in ("native", "rename") else 0) | \
            (UNCERTAIN_ROW if finding.entry.confidence in UNCERTAIN else 0)
        readings.append((categories.setdefault(category, len(categories)),
                         -1 if unit is None else units.setdefault(unit[1], len(units)),
                         flags))
    names = list(categories)
    group_of = alike.group_of
    category_of = [readings[g][0] for g in group_of]
    # A line's findings share its price: the line's category is the first of theirs.
    on_line: dict[int, list[int]] = defaultdict(list)
    for i, finding in enumerate(found):
        if names[category_of[i]]:
            on_line[finding.use.line].append(i)
    line_of = [-1] * len(found)
    line_keys: dict[LineKey, int] = {}
    rank_of = lines_model.rank
    for members in on_line.values():
        category = names[category_of[members[0]]] if len(members) == 1 else \
            min((names[category_of[i]] for i in members), key=rank_of)
        for i in members:
            key = (category, len(members), found[i].use.vendor_branch)
            line_of[i] = line_keys.setdefault(key, len(line_keys))
    flags_of = [readings[g][2] | (IN_BRANCH if f.use.vendor_branch else 0)
                for g, f in zip(group_of, found, strict=True)]
    return (FileShares(tuple(names), tuple(line_keys), tuple(units),
                       array("i", category_of).tobytes(), array("i", line_of).tobytes(),
                       array("i", [readings[g][1] for g in group_of]).tobytes(),
                       array("i", flags_of).tobytes()),
            tuple((name, key, n, hardest) for (name, key), (n, hardest) in seen.items()))


def unit_of(finding: Finding, status: str, model: EffortModel, counted: bool
            ) -> tuple[Rule, GroupKey] | None:
    """The per-unit item pricing `finding` at `status` and its unit, if any: code that runs
    as is, another vendor's and code reached through an alias has none. `counted`: the
    finding's file is counted with the user's own code."""
    if status == "native" or finding.other_vendor or finding.use.indirect:
        return None
    use = finding.use
    rule = model.rule_for(finding.entry.category, use.resolved, use.kind, status)
    if rule is None:
        return None
    return rule, (rule.name, _unit_key(rule.unit, finding, model, counted))


class ScoreError(UserError):
    """A cost that cannot be computed: a currency without a rate."""


@dataclass(slots=True)
class _Group:
    """One priced unit: its rule, how many findings share it and in which files."""

    rule: Rule
    key: GroupKey
    count: int = 0
    hardest: int = 0  # rank in STATUSES of its hardest member's status
    files: set[str] = field(default_factory=set)
    hours: Hours = ZERO
    share: Hours = ZERO  # of each member outside a vendor branch
    in_branch: Hours = ZERO  # of each member inside one


@dataclass(slots=True)
class _Tally:
    """How many of a group's findings are in some scope, and their hours (summed finding
    by finding, in the findings' order)."""

    count: int = 0
    hours: float = 0.0


def _per_file(findings: Iterable[Finding]) -> Iterator[tuple[int | None, list[Finding]]]:
    """(block index or None, one file's findings): a FindingStore's blocks, or a list
    grouped by file in the order files first appear."""
    per_file = getattr(findings, "per_file", None)
    if per_file is not None:
        yield from ((index, found) for index, found in per_file() if found)
        return
    by_file: dict[str, list[Finding]] = {}
    for finding in findings:
        by_file.setdefault(finding.use.file, []).append(finding)
    for found in by_file.values():
        yield None, found


def score(findings: Iterable[Finding], model: EffortModel, *,
          files: list[FileRecord] | None = None, include_vendored: bool = False,
          rate: float | None = None, currency: str = "USD", hours_per_day: float | None = None,
          path: str = "native", status_of: StatusOf = _status_in_force,
          set_prices: bool = True) -> Estimate:
    """Price `findings` (a list sorted as in the result, or a FindingStore) and the
    predicted lines of `files` on `path`, whose status of a finding is
    `status_of(finding)`. With `set_prices`, each finding's `price` and `unit` are filled
    (in place; a store keeps them). Raises ScoreError for a currency without a rate."""
    return score_paths(findings, model, [PathAsked(path, status_of, set_prices)],
                       files=files, include_vendored=include_vendored, rate=rate,
                       currency=currency, hours_per_day=hours_per_day)[0]


@dataclass(frozen=True, slots=True)
class PathAsked:
    """One port path to price: how a finding's status reads on it, and whether the
    findings carry its prices (one path at most). With the path's own statuses, the
    first pass reads the units a store's blocks were summed into (`FileUnits`)."""

    path: str
    status_of: StatusOf | None = None  # None: the path's own (`status_on`)
    set_prices: bool = False


def score_paths(findings: Iterable[Finding], model: EffortModel, asked: list[PathAsked], *,
                files: list[FileRecord] | None = None, include_vendored: bool = False,
                rate: float | None = None, currency: str = "USD",
                hours_per_day: float | None = None,
                tally: Tally | None = None, workers: int = 1) -> list[Estimate]:
    """The estimate of each path `asked`, in two passes over the findings a file at a
    time, whatever the number of paths: the first forms the priced units, the second
    shares them out. On a store, when each path's own statuses are asked, both passes
    read what the workers summed of each file (`FileUnits`), and the findings are read
    from disk only for a file without it. `tally`, when given, counts the findings.
    With `workers` above 1, the second pass of the paths that set no prices runs in a
    forked process (`migrate.forked`): same estimates, sooner."""
    if sum(a.set_prices for a in asked) > 1:
        raise ValueError("findings carry the prices of one path")
    hours_per_day = hours_per_day or model.hours_per_day
    rate = day_rate(model, currency, rate)
    records = {record.path: record for record in files or []}  # shared by the pricers
    pricers = [_Pricer(model, files or [], records, a, include_vendored) for a in asked]
    summed = getattr(findings, "summary", None)
    # A store's sums hold the paths' own statuses: with any other, the findings are read.
    from_sums = summed is not None and all(a.status_of is None for a in asked)
    if from_sums:
        for index, file in enumerate(findings.files()):  # type: ignore[attr-defined]
            units = summed(index)
            for pricer in pricers:
                if units is not None and pricer.path in units.units:
                    pricer.first_units(file, units)
                elif found := findings.block(index):  # type: ignore[attr-defined]
                    pricer.first(found)
    else:
        for _, found in _per_file(findings):
            for pricer in pricers:
                pricer.first(found)
    for pricer in pricers:
        pricer.settle()
    # From here each path is priced on its own: with a second core, the paths that set
    # no prices are priced in a forked copy while this process prices the other.
    aside: list[_Pricer] = []
    if from_sums and workers > 1 and len(pricers) > 1:
        aside = [pricer for pricer in pricers if not pricer.set_prices][-(workers - 1):]
    here = [pricer for pricer in pricers if pricer not in aside]

    def price(some: list[_Pricer], count: Tally | None) -> list[Estimate]:
        _second_pass(findings, pricers, some, from_sums, count)
        estimates = []
        while some:  # each pricer's per-file tables go before the next one's estimate
            estimates.append(some.pop(0).estimate(rate, currency, hours_per_day))
        return estimates

    elsewhere = forked_value(lambda: price(list(aside), None)) if aside else None
    try:
        by_path = dict(zip([p.path for p in here], price(list(here), tally), strict=True))
        if elsewhere is not None:
            priced: list[Estimate] | None = value_of(elsewhere)
            if priced is None:  # the child failed: those paths are priced here
                priced = price(list(aside), None)
            by_path.update(zip([p.path for p in aside], priced, strict=True))
    finally:  # stopped (Ctrl-C, an error): no child or file is left behind
        if elsewhere is not None:
            elsewhere.cancel()
    return [by_path[a.path] for a in asked]


def _second_pass(findings: Iterable[Finding], pricers: list[_Pricer], some: list[_Pricer],
                 from_sums: bool, tally: Tally | None) -> None:
    """Pricing's second pass for the pricers `some` (of all `pricers`), counting the
    findings into `tally` when given."""
    setting = any(pricer.set_prices for pricer in some)
    if from_sums:
        store = findings
        summed = store.summary  # type: ignore[attr-defined]
        for index, file in enumerate(store.files()):  # type: ignore[attr-defined]
            units = summed(index)
            if units is not None and units.tally is not None and units.shares and \
                    all(pricer.path in units.shares for pricer in pricers):
                if tally is not None:
                    tally.merge(units.tally)
                    tally.baseline_states.update(store.baseline_states(index))  # type: ignore[attr-defined]
                for pricer in some:
                    prices = pricer.second_shares(file, units.shares[pricer.path])
                    if prices is not None:
                        store.save_prices(index, prices)  # type: ignore[attr-defined]
                continue
            found = store.block(index)  # type: ignore[attr-defined]
            if not found:  # every finding was the repository's own
                continue
            _second(found, some, tally)
            if setting:
                store.save(index, found)  # type: ignore[attr-defined]
    else:
        for index, found in _per_file(findings):
            _second(found, some, tally)
            if setting and index is not None:
                findings.save(index, found)  # type: ignore[attr-defined]


def _second(found: list[Finding], pricers: list[_Pricer], tally: Tally | None) -> None:
    """Pricing's second pass over one file's findings themselves."""
    if tally is not None:
        tally.add(found)
    for pricer in pricers:
        pricer.second(found)


class _Pricer:
    """The estimate of one path, built a file at a time."""

    def __init__(self, model: EffortModel, files: list[FileRecord],
                 records: dict[str, FileRecord], asked: PathAsked, include_vendored: bool
                 ) -> None:
        self.model, self.files, self.include_vendored = model, files, include_vendored
        self.records = records
        self.path, self.set_prices = asked.path, asked.set_prices
        self.status_of: StatusOf = asked.status_of or self._status_on_path
        self.statuses: dict[int, tuple[MappingEntry, str]] = {}  # by mapping row
        self.rules = {rule.name: rule for rule in model.items}
        path = self.path
        self.families = find_families([r for r in files if not r.other_vendor], model, path)
        silent = {m for family in self.families for m in family.members
                  if m != family.representative}
        silent |= {r.path for r in files if r.other_vendor}  # another vendor's: no CUDA work
        self.silent = silent
        self.family_of = {m: family.id for family in self.families for m in family.members}

        # Lines: per file, priced at the category rates plus a review, read off its
        # record. Files that change alike share one FileChange (api._merge): and one
        # result here; no table per file (a large tree has 100,000 files).
        self.by_change: dict[int, tuple[FileChange, dict[str, int], Hours]] = {}

        self.groups: dict[GroupKey, _Group] = {}
        # The vendored files: by their records, and by their findings in the first pass.
        self.vendored_paths = {r.path for r in files if r.vendored}
        self.any_finding_work = False
        self.shares: dict[tuple[str, int, bool], Hours] = {}  # one per (category, n, branch)
        # Line shares scaled by a file's repeats, one per (line key, scale), kept alive:
        # `prices` is keyed by the ids of shares, which a freed object would hand on.
        self.scaled_shares: dict[tuple[tuple[str, int, bool], float], Hours] = {}
        self.units: dict[object, PricedUnit] = {}  # one per unit, shared by findings
        self.prices: dict[tuple[int, int], Hours] = {}  # one price per sum
        self.own_tallies: dict[GroupKey, _Tally] = defaultdict(_Tally)
        # Each file's effort, in path order: files with findings as the second pass
        # reaches them, the others in between (`_efforts_until`).
        self.file_efforts: dict[str, Effort] = {}
        self.paths = sorted(records)
        self.emitted = 0  # of `paths`
        self.in_order = True
        self.efforts: dict[Hashable, Effort] = {}
        self.own_findings = self.portable = 0
        self.uncertain = 0.0

    def _status_on_path(self, finding: Finding) -> str:
        """`status_on` of the finding's row, once per row (findings share rows)."""
        entry = finding.entry
        known = self.statuses.get(id(entry))
        if known is None or known[0] is not entry:
            known = self.statuses[id(entry)] = (entry, status_on(entry, self.path))
        return known[1]

    def _line_price(self, file: str) -> tuple[dict[str, int], Hours]:
        """A file's lines to change by category and their hours (none for a silent file's
        hours: its family's representative carries them)."""
        record = self.records.get(file)
        if record is None:
            return {}, ZERO
        change = record.change
        known = self.by_change.get(id(change))
        if known is None or known[0] is not change:
            known = self.by_change[id(change)] = (change, *self._line_hours(change))
        return known[1], ZERO if file in self.silent else known[2]

    def _line_hours(self, change: FileChange) -> tuple[dict[str, int], Hours]:
        """A file's lines to change by category, and their price with the review."""
        model = self.model
        lines = {c: n for c, n in change.lines.get(self.path, {}).items() if n}
        if not lines:
            return lines, ZERO
        hours = sum((model.line_rates[c].scaled(self._priced_lines(change, c, n))
                     for c, n in sorted(lines.items())), ZERO)
        # A file whose only lines are priced elsewhere (an environment variable, decided
        # once for the project) needs no build-and-test pass of its own.
        return lines, hours + model.review if hours.high > 0 else hours

    def _file_effort(self, file: str, unit_share: list[Hours],
                     tallies: list[tuple[_Group, _Tally]]) -> Effort:
        """A file's effort: its lines' hours plus its findings' unit shares, with its
        reasons (`tallies`: its findings per unit, in the order of unit keys)."""
        lines, line_hours = self._line_price(file)
        hours = line_hours + Hours.total(unit_share)
        reasons = _reasons(lines if file not in self.silent else {}, self.model, tallies,
                           None)
        return self._shared(Effort(hours, grade(hours.expected, self.model, "file"), reasons,
                                   dict(sorted(lines.items())), self.family_of.get(file, "")))

    def _shared(self, effort: Effort) -> Effort:
        """One object for equal efforts: most files of a large tree cost alike."""
        return self.efforts.setdefault(effort_key(effort), effort)

    def counted(self, file: str) -> bool:
        return self.include_vendored or file not in self.vendored_paths

    def first(self, found: list[Finding]) -> None:
        """The per-unit items of one file's findings."""
        file = found[0].use.file
        self.first_units(file, file_units(found, self.model, [(self.path, self.status_of)],
                                          self.include_vendored, file in self.vendored_paths))

    def first_units(self, file: str, units: FileUnits) -> None:
        """The per-unit items of one file, from its findings' units (`file_units`)."""
        groups = self.groups
        if units.vendored:
            self.vendored_paths.add(file)
        self.any_finding_work = self.any_finding_work or (self.counted(file)
                                                          and units.any_work)
        if file in self.silent:
            return
        for name, unit_key, count, hardest in units.units[self.path]:
            key = (name, unit_key)
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group(self.rules[name], key)
            group.count += count
            group.hardest = max(group.hardest, hardest)
            group.files.add(file)

    def settle(self) -> None:
        """Each unit priced at its hardest member's status, shared by its members."""
        for group in self.groups.values():
            group.hours = group.rule.hours_for(STATUSES[group.hardest])
            group.share = group.hours.scaled(1 / group.count)
            group.in_branch = group.share.scaled(self.model.vendor_branch_factor)

    def second(self, found: list[Finding]) -> None:
        """Each finding's share of its line and of its unit, summed for its file; the
        findings carry their prices when this path sets them."""
        file = found[0].use.file
        shares = file_shares(found, self.model, self.status_of, self.counted(file))
        prices = self.second_shares(file, shares)
        if prices is not None:
            for finding, (price, unit) in zip(found, prices, strict=True):
                finding.price, finding.unit = price, unit

    def second_shares(self, file: str, shares: FileShares
                      ) -> list[tuple[Hours, PricedUnit]] | None:
        """`second` from what was read of the file's findings (`file_shares`): their
        prices and units, in order, when this path sets them."""
        groups = self.groups
        line_of, unit_of_, flags_of = array("i"), array("i"), array("i")
        line_of.frombytes(shares.line_of)
        unit_of_.frombytes(shares.unit_of)
        flags_of.frombytes(shares.flags_of)
        count = len(flags_of)
        is_silent = file in self.silent
        is_counted = self.counted(file)
        line_share = [ZERO] * count
        unit_share = [ZERO] * count
        key_of: list[GroupKey | None] = [None] * count
        tallies: dict[GroupKey, _Tally] = {}
        if not is_silent:
            # Index -1 (no line) reads the ZERO appended last.
            kept = self._repeat_scale(file)
            line_hours = [*(self._line_share(key, kept) for key in shares.lines), ZERO]
            line_share = [line_hours[line] for line in line_of]
            unit_groups = [groups[key] for key in shares.units]
            # Per unit of the file, looked up once: every unit holds one of its findings at
            # least. Each total still adds its findings one by one, in order, as floats do.
            mine = [tallies.setdefault(group.key, _Tally()) for group in unit_groups]
            owns = [self.own_tallies[group.key] for group in unit_groups] \
                if is_counted else None
            for i, unit in enumerate(unit_of_):
                if unit < 0:
                    continue
                group = unit_groups[unit]
                key_of[i] = group.key  # one key object per unit, not one per finding
                share = unit_share[i] = \
                    group.in_branch if flags_of[i] & IN_BRANCH else group.share
                tally = mine[unit]
                tally.count += 1
                tally.hours += share.expected
                if owns is not None:
                    own = owns[unit]
                    own.count += 1
                    own.hours += share.expected
        self._efforts_until(file)
        self.file_efforts[file] = self._file_effort(
            file, unit_share, [(groups[k], tallies[k]) for k in sorted(tallies)])
        if is_counted:
            own_flags = [flags for flags in flags_of if not flags & OTHER_VENDOR]
            self.own_findings += len(own_flags)
            self.portable += sum(1 for flags in own_flags if flags & PORTABLE)
            for i, flags in enumerate(flags_of):
                if flags & UNCERTAIN_ROW and not flags & OTHER_VENDOR:
                    self.uncertain += line_share[i].expected + unit_share[i].expected
        if not self.set_prices:
            return None
        return self._prices(shares, line_share, unit_share, key_of)

    def _priced_lines(self, change: FileChange, category: str, count: int) -> float:
        """How many full-rate lines a file's `count` lines of `category` are worth: those
        beside another vendor's branch at [vendor_branch] factor, repeated ones at
        [repeated] factor (FileChange.repeated, repeated_beside)."""
        model, path = self.model, self.path
        near = change.beside_vendor.get(path, {}).get(category, 0)
        repeated = change.repeated.get(path, {}).get(category, 0)
        repeated_near = change.repeated_beside.get(path, {}).get(category, 0)
        discount = 1 - model.repeated_factor
        return count - near - discount * repeated + \
            (near - discount * repeated_near) * model.vendor_branch_factor

    def _repeat_scale(self, file: str) -> dict[tuple[str, bool], float] | None:
        """Per category and whether beside another vendor's branch, the share of their
        line hours a file's findings keep once its repeated lines are priced as such.
        None for a file without repeats (nearly all)."""
        record = self.records.get(file)
        if record is None:
            return None
        change, path = record.change, self.path
        if not change.repeated.get(path) and not change.repeated_beside.get(path):
            return None
        discount = 1 - self.model.repeated_factor
        near = change.beside_vendor.get(path, {})
        scale = {}
        for category, count in change.repeated.get(path, {}).items():
            plain = change.lines[path].get(category, 0) - near.get(category, 0)
            if plain > 0:
                scale[(category, False)] = 1 - discount * count / plain
        for category, count in change.repeated_beside.get(path, {}).items():
            if near.get(category, 0) > 0:
                scale[(category, True)] = 1 - discount * count / near[category]
        return scale

    def _line_share(self, key: LineKey, kept: dict[tuple[str, bool], float] | None = None
                    ) -> Hours:
        """A finding's share of its line: the category's rate over the line's findings,
        scaled by what its file's repeated lines keep (`_repeat_scale`) when given."""
        share = self._rate_share(key)
        scale = kept.get((key[0], bool(key[2]))) if kept else None
        if scale is None:
            return share
        scaled = self.scaled_shares.get((key, scale))
        if scaled is None:
            scaled = self.scaled_shares[(key, scale)] = share.scaled(scale)
        return scaled

    def _rate_share(self, key: LineKey) -> Hours:
        """The category's rate over the line's findings, once per key."""
        share = self.shares.get(key)
        if share is None:
            category, members, branch = key
            share = self.model.line_rates[category].scaled(1 / members)
            if branch:
                share = share.scaled(self.model.vendor_branch_factor)
            self.shares[key] = share
        return share

    def _prices(self, shares: FileShares, line_share: list[Hours], unit_share: list[Hours],
                key_of: list[GroupKey | None]) -> list[tuple[Hours, PricedUnit]]:
        units, prices = self.units, self.prices
        category_of = array("i")
        category_of.frombytes(shares.category_of)
        priced = []
        for i, key in enumerate(key_of):
            if unit_share[i] is ZERO:
                price = line_share[i]
            else:
                pair = (id(line_share[i]), id(unit_share[i]))
                price = prices.get(pair)
                if price is None:
                    price = prices[pair] = line_share[i] + unit_share[i]
            if key is not None:
                unit = units.get(key)
                if unit is None:
                    group = self.groups[key]
                    unit = units[key] = PricedUnit(key[0], group.rule.unit, key[1],
                                                   group.hours)
            else:  # priced by its line alone: one unit object per category
                category = shares.categories[category_of[i]]
                unit = units.get(category)
                if unit is None:
                    unit = units[category] = PricedUnit(f"lines.{category or 'none'}",
                                                        "line", ())
            priced.append((price, unit))
        return priced

    def _efforts_until(self, file: str) -> None:
        """The efforts of the files before `file` (all of them for "") that have no
        findings: lines alone. Files reached out of path order are sorted at the end."""
        paths, efforts = self.paths, self.file_efforts
        if file and efforts and file < next(reversed(efforts)):
            self.in_order = False
        while self.emitted < len(paths) and (not file or paths[self.emitted] < file):
            path = paths[self.emitted]
            if path not in efforts:
                efforts[path] = self._file_effort(path, [], [])
            self.emitted += 1
        if file and self.emitted < len(paths) and paths[self.emitted] == file:
            self.emitted += 1

    def estimate(self, rate: float, currency: str, hours_per_day: float) -> Estimate:
        """The project: own code (plus vendored on request), fixed items once."""
        model, groups, silent = self.model, self.groups, self.silent
        counted = self.counted
        self._efforts_until("")
        file_efforts = self.file_efforts
        if not self.in_order:
            file_efforts = dict(sorted(file_efforts.items()))
        own_groups = {k: g for k, g in groups.items() if any(counted(f) for f in g.files)}
        change = apart = ZERO
        priced_lines: dict[str, int] = defaultdict(int)
        line_files: dict[str, int] = defaultdict(int)  # files with lines of a category
        reviewed = 0  # files with a line of a category priced per line
        any_lines = False
        rates = model.line_rates
        for file, effort in file_efforts.items():
            if not counted(file):
                apart += effort.hours
                continue
            change += effort.hours
            lines = self._line_price(file)[0]
            any_lines = any_lines or bool(lines)
            if file in silent or not lines:
                continue
            for category, n in lines.items():
                priced_lines[category] += n
                line_files[category] += 1
            reviewed += any(rates[c].high > 0 for c in lines)
        any_work = any_lines or self.any_finding_work
        fixed = dict(model.fixed) if any_work else {}
        total_hours = change + sum(fixed.values(), ZERO)
        own_tallies = self.own_tallies
        total = Effort(total_hours, grade(change.expected, model, "repository"),
                       _reasons(dict(priced_lines), model,
                                [(groups[k], own_tallies[k]) for k in sorted(own_tallies)],
                                line_files), dict(sorted(priced_lines.items())))
        vendored = Effort(apart, grade(apart.expected, model, "repository"), ())
        day = rate / hours_per_day
        cost = Cost(currency, rate, total_hours.low * day, total_hours.expected * day,
                    total_hours.high * day)
        by_category = _by_category(priced_lines, model, own_groups, reviewed)
        return Estimate(
            path=self.path, total=total, vendored=vendored,
            include_vendored=self.include_vendored, fixed=fixed,
            portable_share=self.portable / self.own_findings if self.own_findings else None,
            inferred_share=self.uncertain / total_hours.expected if total_hours.expected
            else 0.0,
            cost=cost, hours_per_day=hours_per_day,
            rules_used=_rules_used(priced_lines, line_files, reviewed, model, own_groups),
            by_category=by_category, method=method(model), files=file_efforts,
            lines=dict(sorted(priced_lines.items())), families=self.families,
            ceiling=self._ceiling(file_efforts))

    def _ceiling(self, file_efforts: dict[str, Effort]) -> Ceiling | None:
        """Basic COCOMO on the lines of the own C/C++/CUDA files that need changes (the
        CUDA-specific code a team could rewrite instead), compared with the expected
        hours of changing that code (`_code_hours`)."""
        touched = [r for r in self.files if r.language == "cuda_cpp" and self.counted(r.path)
                   and r.path in file_efforts and self._line_price(r.path)[0]]
        if not touched:
            return None
        code_files = {r.path for r in self.files if r.language == "cuda_cpp"
                      and self.counted(r.path) and r.path in file_efforts}
        estimate = _code_hours(code_files, self._line_price, self.groups)
        kloc = sum(r.lines for r in touched) / 1000
        params = self.model.ceiling
        hours = params["a"] * math.pow(kloc, params["b"]) * params["hours_per_month"]
        return Ceiling(hours, sum(r.lines for r in touched), len(touched), estimate > hours)


def method(model: EffortModel) -> Method:
    """The weights in force, as every report's "how this was estimated" shows them."""
    return Method(model.version,
                  tuple(PricingRule(r.name, r.unit, dict(r.hours)) for r in model.items),
                  dict(model.fixed), dict(model.grade_limits), dict(model.line_rates),
                  model.review, dict(model.validation))


def day_rate(model: EffortModel, currency: str, rate: float | None) -> float:
    """The given rate, or effort.toml's default for `currency`."""
    if rate is not None:
        return rate
    if currency not in model.default_rate:
        raise ScoreError(f"no default day rate for currency '{currency}' in {model.origin} "
                         f"(it has {', '.join(sorted(model.default_rate))}); give --rate")
    return model.default_rate[currency]


def find_families(files: list[FileRecord], model: EffortModel, path: str) -> list[Family]:
    """Generated files, near-identical small files and copies of a file.

    A folder's files marked generated form one family when there are at least two; small
    files of one folder sharing a skeleton form one when there are `family_min_members`
    of them; copies of one file anywhere (a header vendored twice) form one. The
    representative is the member with the most lines to change (then the first path).
    """
    buckets: dict[tuple[str, str, str], list[FileRecord]] = defaultdict(list)
    for record in files:
        folder = record.path.rsplit("/", 1)[0] if "/" in record.path else ""
        if record.change.generated:
            buckets[(folder, "generated", "")].append(record)
        elif record.change.skeleton.startswith("copy:") and record.change.total(path) > 0:
            buckets[("", "copy", record.change.skeleton)].append(record)
        elif record.change.skeleton and record.change.total(path) > 0:
            suffix = record.path.rsplit(".", 1)[-1]
            buckets[(folder, "near-identical", record.change.skeleton + suffix)].append(record)
    families = []
    for (folder, reason, _shape), members in sorted(buckets.items()):
        needed = 2 if reason in ("generated", "copy") else model.family_min_members
        if len(members) < needed:
            continue
        members.sort(key=lambda r: r.path)
        representative = max(members, key=lambda r: (r.change.total(path), -members.index(r)))
        families.append((folder, reason, tuple(m.path for m in members), representative.path))
    return [Family(f"F{n}", folder, paths, representative, reason)
            for n, (folder, reason, paths, representative) in enumerate(families, 1)]


def grade(hours: float, model: EffortModel, scope: str) -> str:
    for letter, limit in zip(GRADES, model.grade_limits[scope], strict=False):
        if hours <= limit:
            return letter
    return GRADES[-1]


def package_name(finding: Finding, model: EffortModel) -> str:
    """`pip:flash-attn`, `flash_attn` and `import flash_attn.ops` are one package."""
    name = finding.use.resolved
    kind, _, rest = name.partition(":")
    if rest and kind in ("pip", "conda", "docker"):
        name = rest.split(":")[0] if kind == "docker" else rest
    elif finding.use.kind == "import":
        name = name.split(".")[0]
    return model.package(name)


def _unit_key(unit: str, finding: Finding, model: EffortModel, counted: bool
              ) -> tuple[str, ...]:
    use = finding.use
    if unit == "site":
        return (use.file, use.resolved)
    if unit == "kernel":  # the function holding the code; file scope is one unit too
        return (use.file, use.function)
    if unit == "file":
        return (use.file,)
    if unit == "package":
        return (package_name(finding, model),)
    if unit == "name":
        return (use.resolved,)
    # project: vendored code's share of a project item stays apart from the user's own
    return ("",) if counted else ("vendored",)


def _reasons(lines: dict[str, int], model: EffortModel,
             tallies: list[tuple[_Group, _Tally]],
             line_files: dict[str, int] | None) -> tuple[Reason, ...]:
    """The top reasons by expected hours: categories of lines (in how many files, when
    `line_files` says), then per-unit items (each group with its findings in scope, in
    the order of group keys)."""
    found: list[Reason] = []
    for category, count in lines.items():
        hours = model.line_rates[category].expected * count
        if hours <= 0:
            continue
        if line_files is None:  # one file's own reasons: no "in 1 file"
            found.append(Reason(f"file_lines.{category}", {"count": count}, hours))
            continue
        units = line_files.get(category, 0)
        found.append(Reason(f"lines.{category}", {"count": count, "units": units}, hours))
    by_rule: dict[str, list[float]] = {}
    for group, tally in tallies:
        if not tally.count or tally.hours <= 0:
            continue
        name, unit_key = group.key
        if group.rule.unit == "package":  # each package is its own reason
            found.append(Reason("dependency", {"name": unit_key[0]}, tally.hours))
            continue
        slot = by_rule.setdefault(name, [0, 0, 0.0])
        slot[0] += tally.count
        slot[1] += 1
        slot[2] += tally.hours
    found.extend(Reason(name, {"count": int(count), "units": int(units)}, hours)
                 for name, (count, units, hours) in by_rule.items())
    found.sort(key=lambda r: (-r.hours, r.key, sorted(r.args.items())))
    return tuple(found[:TOP_REASONS])


def _rules_used(lines: dict[str, int], line_files: dict[str, int], reviewed: int,
                model: EffortModel, groups: dict[GroupKey, _Group]) -> list[RuleUse]:
    """One row per line category and per item: what the method section lists
    (`line_files`: files with lines of each category; `reviewed`: files with a line of a
    category priced per line)."""
    used = [RuleUse(f"lines.{c}", "line", n, line_files[c],
                    model.line_rates[c].scaled(n)) for c, n in sorted(lines.items())]
    if reviewed:
        used.append(RuleUse("review", "file", reviewed, reviewed,
                            model.review.scaled(reviewed)))
    per_item: dict[str, list[_Group]] = defaultdict(list)
    for (name, _key), group in sorted(groups.items()):
        per_item[name].append(group)
    for name in sorted(per_item):
        entries = per_item[name]
        used.append(RuleUse(name, entries[0].rule.unit, len(entries),
                            sum(g.count for g in entries),
                            sum((g.hours for g in entries), ZERO)))
    return used


def _by_category(lines: dict[str, int], model: EffortModel, groups: dict[GroupKey, _Group],
                 reviewed: int) -> dict[str, Hours]:
    """Hours by change category (lines), plus the review (of `reviewed` files) and each
    item."""
    hours: dict[str, Hours] = defaultdict(lambda: ZERO)
    for category, count in lines.items():
        hours[category] += model.line_rates[category].scaled(count)
    if reviewed:
        hours["review"] += model.review.scaled(reviewed)
    for (name, _key), group in groups.items():
        hours[name] += group.hours
    return {k: v for k, v in sorted(hours.items()) if v.high > 0}


def _code_hours(code_files: set[str], line_price: Callable[[str], tuple[object, Hours]],
                groups: dict[GroupKey, _Group]) -> float:
    """Expected hours of changing the C/C++/CUDA code itself (the files the ceiling rests
    on): their lines and per-file, per-site and per-kernel items, not what a rewrite needs
    too (dependencies to replace, environment variables, the build switch, CI)."""
    hours = sum(line_price(f)[1].expected for f in code_files)
    for group in groups.values():
        if group.rule.unit in ("file", "site", "kernel") and not group.files.isdisjoint(
                code_files):
            hours += group.hours.expected
    return hours
