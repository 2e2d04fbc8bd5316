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
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from migrate.errors import UserError
from migrate.mappings.effort import EffortModel, Rule
from migrate.model import (
    STATUSES,
    ZERO,
    Ceiling,
    Cost,
    Effort,
    Estimate,
    Family,
    FileRecord,
    Finding,
    Hours,
    Method,
    PricedUnit,
    PricingRule,
    Reason,
    RuleUse,
)

GRADES = "ABCDE"
TOP_REASONS = 3
UNCERTAIN = frozenset({"inferred", "unverified"})
StatusOf = Callable[[Finding], str]
GroupKey = tuple[str, tuple[str, ...]]  # (item name, unit key): one priced unit


def _status_in_force(finding: Finding) -> str:
    return finding.entry.status


class ScoreError(UserError):
    """A cost that cannot be computed: a currency without a rate."""


@dataclass(slots=True)
class _Group:
    rule: Rule
    members: list[int]
    key: GroupKey
    hours: Hours = ZERO


def score(findings: list[Finding], model: EffortModel, *, files: list[FileRecord] | None = None,
          include_vendored: bool = False, rate: float | None = None, currency: str = "USD",
          hours_per_day: float | None = None, path: str = "native",
          status_of: StatusOf = _status_in_force, set_prices: bool = True) -> Estimate:
    """Price `findings` (sorted as in the result) and the predicted lines of `files` on
    `path`, whose status of a finding is `status_of(finding)`. With `set_prices`, each
    finding's `price` and `unit` are filled in place. Raises ScoreError for a currency
    without a rate."""
    files = files or []
    statuses = [status_of(f) for f in findings]
    vendored_paths = {r.path for r in files if r.vendored} | \
        {f.use.file for f in findings if f.vendored}

    def counted(file: str) -> bool:
        return include_vendored or file not in vendored_paths

    families = find_families([r for r in files if not r.other_vendor], model, path)
    silent = {m for family in families for m in family.members if m != family.representative}
    silent |= {r.path for r in files if r.other_vendor}  # another vendor's: no CUDA work
    family_of = {m: family.id for family in families for m in family.members}

    # Lines: per file, priced at the category rates plus a review.
    file_lines: dict[str, dict[str, int]] = {}
    file_line_hours: dict[str, Hours] = {}
    for record in files:
        lines = {c: n for c, n in record.change.lines.get(path, {}).items() if n}
        file_lines[record.path] = lines
        if record.path in silent or not lines:
            file_line_hours[record.path] = ZERO
            continue
        near_vendor = record.change.beside_vendor.get(path, {})
        hours = sum((model.line_rates[c].scaled(n - near_vendor.get(c, 0)
                                                + near_vendor.get(c, 0)
                                                * model.vendor_branch_factor)
                     for c, n in sorted(lines.items())), ZERO)
        # A file whose only lines are priced elsewhere (an environment variable, decided
        # once for the project) needs no build-and-test pass of its own.
        file_line_hours[record.path] = hours + model.review if hours.high > 0 else hours

    # Per-finding line shares: one Hours per (category, findings on the line, branch).
    line_share = [ZERO] * len(findings)
    line_category = _line_categories(findings, statuses, model)
    on_line: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i, finding in enumerate(findings):
        if line_category[i] and finding.use.file not in silent:
            on_line[(finding.use.file, finding.use.line)].append(i)
    rank = {category: n for n, category in enumerate(model.lines.order)}
    shares: dict[tuple[str, int, bool], Hours] = {}
    for members in on_line.values():
        category = line_category[members[0]] if len(members) == 1 else \
            min((line_category[i] for i in members), key=rank.__getitem__)
        for i in members:
            branch = findings[i].use.vendor_branch
            share = shares.get((category, len(members), branch))
            if share is None:
                share = model.line_rates[category].scaled(1 / len(members))
                if branch:
                    share = share.scaled(model.vendor_branch_factor)
                shares[(category, len(members), branch)] = share
            line_share[i] = share

    # Units: the per-unit items.
    key_of: list[GroupKey | None] = [None] * len(findings)
    groups: dict[GroupKey, _Group] = {}
    for i, finding in enumerate(findings):
        if statuses[i] == "native" or finding.other_vendor or finding.use.indirect or \
                finding.use.file in silent:
            continue
        use, entry = finding.use, finding.entry
        rule = model.rule_for(entry.category, use.resolved, use.kind, statuses[i])
        if rule is None:
            continue
        key = (rule.name, _unit_key(rule.unit, finding, model, counted))
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(rule, [], key)
        key_of[i] = group.key  # one key object per unit, not one per finding
        group.members.append(i)
    unit_share = [ZERO] * len(findings)
    status_rank = {status: n for n, status in enumerate(STATUSES)}
    for group in groups.values():
        hardest = max((statuses[i] for i in group.members), key=status_rank.__getitem__)
        group.hours = group.rule.hours_for(hardest)
        share = group.hours.scaled(1 / len(group.members))
        in_branch = share.scaled(model.vendor_branch_factor)
        for i in group.members:
            scaled = in_branch if findings[i].use.vendor_branch else share
            unit_share[i] = scaled

    # Per file: lines and the unit shares of its findings.
    by_file: dict[str, list[int]] = defaultdict(list)
    for i, finding in enumerate(findings):
        by_file[finding.use.file].append(i)
    groups_of_file: dict[str, set[GroupKey]] = defaultdict(set)
    for key, group in groups.items():
        for i in group.members:
            groups_of_file[findings[i].use.file].add(key)
    file_efforts: dict[str, Effort] = {}
    for file in sorted(set(file_lines) | set(by_file)):
        indices = by_file.get(file, [])
        hours = file_line_hours.get(file, ZERO) + Hours.total(unit_share[i] for i in indices)
        reasons = _reasons(file_lines.get(file, {}) if file not in silent else {},
                           model, {k: groups[k] for k in sorted(groups_of_file.get(file, ()))},
                           unit_share, set(indices), None)
        file_efforts[file] = Effort(hours, grade(hours.expected, model, "file"), reasons,
                                    dict(sorted(file_lines.get(file, {}).items())),
                                    family_of.get(file, ""))

    # The project: own code (plus vendored on request), fixed items once.
    own_files = [f for f in file_efforts if counted(f)]
    own_set = set(own_files)
    apart_files = [f for f in file_efforts if not counted(f)]
    own_groups = {k: g for k, g in groups.items()
                  if any(counted(findings[i].use.file) for i in g.members)}
    change = sum((file_efforts[f].hours for f in own_files), ZERO)
    apart = sum((file_efforts[f].hours for f in apart_files), ZERO)
    priced_lines: dict[str, int] = defaultdict(int)
    line_files: dict[str, set[str]] = defaultdict(set)
    for file in own_files:
        if file in silent:
            continue
        for category, n in file_lines.get(file, {}).items():
            priced_lines[category] += n
            line_files[category].add(file)
    any_work = any(file_lines.get(f) for f in own_files) or any(
        counted(f.use.file) and not f.other_vendor for f in findings)
    fixed = dict(model.fixed) if any_work else {}
    total_hours = change + sum(fixed.values(), ZERO)
    total = Effort(total_hours, grade(change.expected, model, "repository"),
                   _reasons(dict(priced_lines), model, own_groups, unit_share,
                            {i for i, f in enumerate(findings) if f.use.file in own_set},
                            line_files), dict(sorted(priced_lines.items())))
    vendored = Effort(apart, grade(apart.expected, model, "repository"), ())

    hours_per_day = hours_per_day or model.hours_per_day
    rate = day_rate(model, currency, rate)
    day = rate / hours_per_day
    cost = Cost(currency, rate, total_hours.low * day, total_hours.expected * day,
                total_hours.high * day)
    by_category = _by_category(priced_lines, model, own_groups, line_files)
    own_findings = [i for i, f in enumerate(findings)
                    if counted(f.use.file) and not f.other_vendor]
    portable = [statuses[i] in ("native", "rename") for i in own_findings]
    uncertain = sum(line_share[i].expected + unit_share[i].expected for i in own_findings
                    if findings[i].entry.confidence in UNCERTAIN)
    if set_prices:  # one PricedUnit per unit and one price per sum, shared by findings
        units: dict[object, PricedUnit] = {}
        prices: dict[tuple[int, int], Hours] = {}
        for i, finding in enumerate(findings):
            if unit_share[i] is ZERO:
                finding.price = line_share[i]
            else:
                pair = (id(line_share[i]), id(unit_share[i]))
                price = prices.get(pair)
                if price is None:
                    price = prices[pair] = line_share[i] + unit_share[i]
                finding.price = price
            key = key_of[i]
            if key is not None:
                unit = units.get(key)
                if unit is None:
                    group = groups[key]
                    unit = units[key] = PricedUnit(key[0], group.rule.unit, key[1], group.hours)
            else:
                line_key = (line_category[i], finding.use.file)
                unit = units.get(line_key)
                if unit is None:
                    unit = units[line_key] = PricedUnit(
                        f"lines.{line_category[i] or 'none'}", "line", (finding.use.file,))
            finding.unit = unit
    return Estimate(
        path=path, total=total, vendored=vendored, include_vendored=include_vendored,
        fixed=fixed, portable_share=sum(portable) / len(portable) if portable else None,
        inferred_share=uncertain / total_hours.expected if total_hours.expected else 0.0,
        cost=cost, hours_per_day=hours_per_day,
        rules_used=_rules_used(priced_lines, line_files, model, own_groups),
        by_category=by_category, method=method(model), files=file_efforts,
        lines=dict(sorted(priced_lines.items())), families=families,
        ceiling=_ceiling(files, file_lines, own_set, _code_hours(
            _cpp_files(files, own_files), silent, file_line_hours, groups, findings), model))


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


def _line_categories(findings: list[Finding], statuses: list[str], model: EffortModel
                     ) -> list[str]:
    """The change category of each finding's line on this path ("" when it runs as is)."""
    return ["" if statuses[i] == "native" or f.other_vendor or f.use.indirect
            else model.lines.category_of(f) for i, f in enumerate(findings)]


def _unit_key(unit: str, finding: Finding, model: EffortModel,
              counted: Callable[[str], bool]) -> tuple[str, ...]:
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
    return ("",) if counted(use.file) else ("vendored",)


def _reasons(lines: dict[str, int], model: EffortModel, groups: dict[GroupKey, _Group],
             unit_share: list[Hours], wanted: set[int],
             line_files: dict[str, set[str]] | None) -> tuple[Reason, ...]:
    """The top reasons by expected hours: categories of lines (in how many files, when
    `line_files` says), then per-unit items."""
    found: list[Reason] = []
    for category, count in lines.items():
        hours = model.line_rates[category].expected * count
        if hours <= 0:
            continue
        if line_files is None:  # one file's own reasons: no "in 1 file"
            found.append(Reason(f"file_lines.{category}", {"count": count}, hours))
            continue
        units = len(line_files.get(category, ()))
        found.append(Reason(f"lines.{category}", {"count": count, "units": units}, hours))
    by_rule: dict[str, list[float]] = {}
    for (name, unit_key), group in sorted(groups.items()):
        inside = [i for i in group.members if i in wanted]
        hours = sum(unit_share[i].expected for i in inside)
        if not inside or hours <= 0:
            continue
        if group.rule.unit == "package":  # each package is its own reason
            found.append(Reason("dependency", {"name": unit_key[0]}, hours))
            continue
        slot = by_rule.setdefault(name, [0, 0, 0.0])
        slot[0] += len(inside)
        slot[1] += 1
        slot[2] += hours
    found.extend(Reason(name, {"count": int(count), "units": int(units)}, hours)
                 for name, (count, units, hours) in by_rule.items())
    found.sort(key=lambda r: (-r.hours, r.key, sorted(r.args.items())))
    return tuple(found[:TOP_REASONS])


def _rules_used(lines: dict[str, int], line_files: dict[str, set[str]], model: EffortModel,
                groups: dict[GroupKey, _Group]) -> list[RuleUse]:
    """One row per line category and per item: what the method section lists."""
    used = [RuleUse(f"lines.{c}", "line", n, len(line_files[c]),
                    model.line_rates[c].scaled(n)) for c, n in sorted(lines.items())]
    changed = _reviewed(line_files, model)
    if changed:
        used.append(RuleUse("review", "file", len(changed), len(changed),
                            model.review.scaled(len(changed))))
    per_item: dict[str, list[_Group]] = defaultdict(list)
    for (name, _key), group in sorted(groups.items()):
        per_item[name].append(group)
    for name in sorted(per_item):
        entries = per_item[name]
        used.append(RuleUse(name, entries[0].rule.unit, len(entries),
                            sum(len(g.members) for g in entries),
                            sum((g.hours for g in entries), ZERO)))
    return used


def _reviewed(line_files: dict[str, set[str]], model: EffortModel) -> set[str]:
    """Files with at least one line of a category that has a price per line."""
    return set().union(*(files for category, files in line_files.items()
                         if model.line_rates[category].high > 0))


def _by_category(lines: dict[str, int], model: EffortModel, groups: dict[GroupKey, _Group],
                 line_files: dict[str, set[str]]) -> dict[str, Hours]:
    """Hours by change category (lines), plus the review and each item."""
    hours: dict[str, Hours] = defaultdict(lambda: ZERO)
    for category, count in lines.items():
        hours[category] += model.line_rates[category].scaled(count)
    changed = _reviewed(line_files, model)
    if changed:
        hours["review"] += model.review.scaled(len(changed))
    for (name, _key), group in groups.items():
        hours[name] += group.hours
    return {k: v for k, v in sorted(hours.items()) if v.high > 0}


def _cpp_files(files: list[FileRecord], own_files: list[str]) -> set[str]:
    own = set(own_files)
    return {r.path for r in files if r.path in own and r.language == "cuda_cpp"}


def _code_hours(code_files: set[str], silent: set[str], file_line_hours: dict[str, Hours],
                groups: dict[GroupKey, _Group], findings: list[Finding]) -> float:
    """Expected hours of changing the C/C++/CUDA code itself (the files the ceiling rests
    on): their lines and per-file, per-site and per-kernel items, not what a rewrite needs
    too (dependencies to replace, environment variables, the build switch, CI)."""
    hours = sum(file_line_hours.get(f, ZERO).expected for f in code_files if f not in silent)
    for group in groups.values():
        if group.rule.unit in ("file", "site", "kernel") and any(
                findings[i].use.file in code_files for i in group.members):
            hours += group.hours.expected
    return hours


def _ceiling(files: list[FileRecord], file_lines: dict[str, dict[str, int]], own: set[str],
             estimate: float, model: EffortModel) -> Ceiling | None:
    """Basic COCOMO on the lines of the own C/C++/CUDA files that need changes (the
    CUDA-specific code a team could rewrite instead); `estimate` is the expected hours of
    changing the code, which the ceiling is compared with."""
    touched = [r for r in files if r.path in own and file_lines.get(r.path)
               and r.language == "cuda_cpp"]
    if not touched:
        return None
    kloc = sum(r.lines for r in touched) / 1000
    params = model.ceiling
    hours = params["a"] * math.pow(kloc, params["b"]) * params["hours_per_month"]
    return Ceiling(hours, sum(r.lines for r in touched), len(touched), estimate > hours)
