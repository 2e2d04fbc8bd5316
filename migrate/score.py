"""Effort, difficulty and cost from the findings: an explainable model, not a magic number.

Every finding is priced by one rule of mappings/effort.toml; a rule's price pays
for one unit (a file touched, a distinct site, a kernel file, a package, the
project), and each unit's hours are shared equally by the findings in it, so the
per-finding shares add up to the total and other tools can re-aggregate them.
Vendored code is scored apart and only added to the user's own effort on request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from migrate.errors import UserError
from migrate.mappings.effort import EffortModel, Rule
from migrate.model import (
    STATUSES,
    ZERO,
    Cost,
    Effort,
    Estimate,
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
GroupKey = tuple[str, tuple[str, ...]]  # (rule name, unit key): one priced unit
StatusOf = Callable[[Finding], str]


def _status_in_force(finding: Finding) -> str:
    return finding.entry.status


def score(findings: list[Finding], model: EffortModel, *, include_vendored: bool = False,
          rate: float | None = None, currency: str = "USD",
          hours_per_day: float | None = None, path: str = "native",
          status_of: StatusOf = _status_in_force, set_prices: bool = True) -> Estimate:
    """Price `findings` (sorted as in the result) on `path`, whose status of a finding is
    `status_of(finding)`. With `set_prices`, each finding's `price` and `unit` are
    filled in place (for the path whose statuses the findings carry). Raises ScoreError
    for a currency without a rate."""
    per_finding = [ZERO] * len(findings)
    key_of: list[GroupKey] = [("", ())] * len(findings)
    statuses = [status_of(f) for f in findings]
    own = [i for i, f in enumerate(findings) if include_vendored or not f.vendored]
    apart = [i for i, f in enumerate(findings) if not include_vendored and f.vendored]
    pricing = _Pricing(findings, statuses, model, per_finding, key_of)
    own_groups = pricing.price(own)
    apart_groups = pricing.price(apart)
    fixed = dict(model.fixed) if own else {}
    fixed_hours = sum(fixed.values(), ZERO)
    change = sum((per_finding[i] for i in own), ZERO)
    total = Effort(change + fixed_hours, grade(change.expected, model, "repository"),
                   _reasons(own_groups, per_finding, None))
    vendored_hours = sum((per_finding[i] for i in apart), ZERO)
    vendored = Effort(vendored_hours, grade(vendored_hours.expected, model, "repository"),
                      _reasons(apart_groups, per_finding, None))
    by_file: dict[str, list[int]] = defaultdict(list)
    for i, finding in enumerate(findings):
        by_file[finding.use.file].append(i)
    own_set = set(own)
    files: dict[str, Effort] = {}
    for file_path, indices in sorted(by_file.items()):
        hours = sum((per_finding[i] for i in indices), ZERO)
        groups = own_groups if indices[0] in own_set else apart_groups
        mine = {key: groups[key] for key in sorted({key_of[i] for i in indices})}
        files[file_path] = Effort(hours, grade(hours.expected, model, "file"),
                                  _reasons(mine, per_finding, indices))
    hours_per_day = hours_per_day or model.hours_per_day
    rate = day_rate(model, currency, rate)
    day = rate / hours_per_day
    cost = Cost(currency, rate, total.hours.low * day, total.hours.expected * day,
                total.hours.high * day)
    by_category: dict[str, Hours] = defaultdict(lambda: ZERO)
    for i in own:
        by_category[findings[i].entry.category] += per_finding[i]
    portable = [statuses[i] in ("native", "rename") for i in own]
    uncertain = sum(per_finding[i].expected for i in own
                    if findings[i].entry.confidence in UNCERTAIN)
    if set_prices:
        units = {rule.name: rule.unit for rule in (*model.status_rules.values(), *model.items)}
        for i, finding in enumerate(findings):
            name, key = key_of[i]
            finding.price = per_finding[i]
            finding.unit = PricedUnit(name, units.get(name, ""), key)
    return Estimate(
        path=path, total=total, vendored=vendored, include_vendored=include_vendored,
        fixed=fixed, portable_share=sum(portable) / len(portable) if portable else None,
        inferred_share=uncertain / total.hours.expected if total.hours.expected else 0.0,
        cost=cost, hours_per_day=hours_per_day, rules_used=_lines(own_groups, per_finding),
        by_category=dict(sorted(by_category.items())), method=method(model), files=files)


def method(model: EffortModel) -> Method:
    """The weights in force, as every report's "how this was estimated" shows them."""
    rules = [*(model.status_rules[s] for s in STATUSES), *model.items]
    return Method(model.version,
                  tuple(PricingRule(r.name, r.unit, dict(r.hours)) for r in rules),
                  dict(model.fixed), dict(model.grade_limits))


class ScoreError(UserError):
    """A cost that cannot be computed: a currency without a rate."""


def day_rate(model: EffortModel, currency: str, rate: float | None) -> float:
    """The given rate, or effort.toml's default for `currency`."""
    if rate is not None:
        return rate
    if currency not in model.default_rate:
        raise ScoreError(f"no default day rate for currency '{currency}' in {model.origin} "
                         f"(it has {', '.join(sorted(model.default_rate))}); give --rate")
    return model.default_rate[currency]


# A group is one priced unit: (rule name, unit key) -> finding indices.
Groups = dict[GroupKey, tuple[Rule, list[int]]]


class _Pricing:
    """Groups findings into priced units and gives each finding its share of its unit."""

    def __init__(self, findings: list[Finding], statuses: list[str], model: EffortModel,
                 per_finding: list[Hours], key_of: list[GroupKey]) -> None:
        self.findings, self.statuses, self.model = findings, statuses, model
        self.per_finding, self.key_of = per_finding, key_of

    def price(self, indices: list[int]) -> Groups:
        groups: Groups = {}
        model, findings, statuses = self.model, self.findings, self.statuses
        for i in indices:
            finding = findings[i]
            use, entry = finding.use, finding.entry
            rule = model.rule_for(entry.category, use.resolved, use.kind, statuses[i])
            key = self.key_of[i] = (rule.name, _unit_key(rule.unit, finding, model))
            groups.setdefault(key, (rule, []))[1].append(i)
        for rule, members in groups.values():
            hardest = max((statuses[i] for i in members), key=STATUSES.index)
            share = rule.hours_for(hardest).scaled(1 / len(members))
            beside_vendor = share.scaled(model.vendor_branch_factor)
            for i in members:
                self.per_finding[i] = beside_vendor if findings[i].use.vendor_branch else share
        return groups


def _unit_key(unit: str, finding: Finding, model: EffortModel) -> tuple[str, ...]:
    use = finding.use
    if unit == "site":
        return (use.file, use.resolved)
    if unit == "kernel":  # the function holding the code; file scope is one unit too
        return (use.file, use.function)
    if unit == "file":
        return (use.file,)
    if unit == "package":
        return (package_name(finding, model),)
    return ()


def package_name(finding: Finding, model: EffortModel) -> str:
    """`pip:flash-attn`, `flash_attn` and `import flash_attn.ops` are one package."""
    name = finding.use.resolved
    kind, _, rest = name.partition(":")
    if rest and kind in ("pip", "conda", "docker"):
        name = rest.split(":")[0] if kind == "docker" else rest
    elif finding.use.kind == "import":
        name = name.split(".")[0]
    return model.package(name)


def grade(hours: float, model: EffortModel, scope: str) -> str:
    for grade, limit in zip(GRADES, model.grade_limits[scope], strict=False):
        if hours <= limit:
            return grade
    return GRADES[-1]


def _reasons(groups: Groups, per_finding: list[Hours], only: list[int] | None
             ) -> tuple[Reason, ...]:
    """The top reasons, by expected hours, among `only` (one file's findings) or all."""
    wanted = None if only is None else set(only)
    by_rule: dict[str, list[float]] = {}  # rule -> [findings, units, hours]
    found: list[Reason] = []
    for (name, unit_key), (rule, members) in sorted(groups.items()):
        inside = members if wanted is None else [i for i in members if i in wanted]
        hours = sum(per_finding[i].expected for i in inside)
        if not inside or hours <= 0:
            continue
        if rule.unit == "package":  # each package is its own reason: "depends on flash-attn"
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


def _lines(groups: Groups, per_finding: list[Hours]) -> list[RuleUse]:
    """One line per pricing rule: its units, findings and the hours they were given."""
    per_rule: dict[str, list[tuple[Rule, list[int]]]] = defaultdict(list)
    for (name, _key), group in sorted(groups.items()):
        per_rule[name].append(group)
    lines = []
    for name in sorted(per_rule):
        entries = per_rule[name]
        members = [i for _rule, group in entries for i in group]
        hours = sum((per_finding[i] for i in members), ZERO)
        rule = entries[0][0]
        lines.append(RuleUse(rule.name, rule.unit, len(entries), len(members), hours))
    return lines
