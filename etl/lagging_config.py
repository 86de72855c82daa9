"""The lagging-score table of a campaign ([lagging] in data/campaigns/*.toml): dataclasses and parsing.
analytics/lagging.py computes the score and writes the explanation from the same table."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# The rules are data; analytics/lagging.py computes the score and writes the explanation from them.
BAND_OPS = ("below", "at_least", "above")  # 值 < bound、值 ≥ bound、值 > bound


@dataclass(frozen=True)
class Band:
    op: str          # one of BAND_OPS
    bound: float
    points: int


@dataclass(frozen=True)
class RateBelowRule:
    """numerator ÷ denominator 低于某档记分；分母少于 min_items 时不计分。"""
    reason: str
    label: str                 # 比率名称，如“整改率”
    numerator: str
    denominator: str
    denominator_label: str     # 分母名称，如“查摆问题数”
    bands: tuple[Band, ...]    # op = below，bound 由低到高
    note: str = ""


@dataclass(frozen=True)
class ShareAtLeastRule:
    """numerator 占 denominator 达到某档记分；分母少于 min_items 时按 numerator 的个数（by_count）记分。"""
    reason: str
    label: str                 # 分子名称，如“逾期问题”
    numerator: str
    denominator: str
    denominator_label: str     # 如“查摆问题”
    bands: tuple[Band, ...]    # op = at_least（bound 由高到低），最后可有一档 above
    by_count: tuple[Band, ...]  # op = at_least，bound 由高到低
    count_unit: str            # 个数的量词，如“个”
    note: str = ""


@dataclass(frozen=True)
class PerOccurrenceRule:
    """column 每次记 points 分，最多 cap 分。"""
    reason: str
    label: str
    column: str
    points: int
    cap: int
    note: str = ""


@dataclass(frozen=True)
class MismatchRule:
    """zero_column 为 0、而 count_column 达到 at_least 时记 points 分（自报与实际不符）。"""
    reason: str
    zero_column: str
    zero_label: str
    count_column: str
    count_label: str
    at_least: int
    count_unit: str
    points: int
    note: str = ""


LaggingRule = RateBelowRule | ShareAtLeastRule | PerOccurrenceRule | MismatchRule


@dataclass(frozen=True)
class LaggingRules:
    """滞后评分表：各项扣分累加，合计 ≥ red 为红色，≥ yellow 为黄色，其余绿色。"""
    red: int
    yellow: int
    rules: tuple[LaggingRule, ...]


class ConfigError(ValueError):
    pass


def _bands(raw: list, ops: tuple[str, ...], where: str) -> tuple[Band, ...]:
    out = []
    for b in raw:
        keys = [k for k in b if k != "points"]
        if len(keys) != 1 or keys[0] not in ops or "points" not in b:
            raise ConfigError(f"{where}：每一档须写成 {{ {' 或 '.join(ops)} = 数值, points = 分数 }}，实际为 {b}")
        out.append(Band(keys[0], float(b[keys[0]]), int(b["points"])))
    if not out:
        raise ConfigError(f"{where}：至少要有一档")
    return tuple(out)


def _check_order(bands: tuple[Band, ...], ascending: bool, where: str) -> None:
    bounds = [b.bound for b in bands]
    if bounds != sorted(bounds, reverse=not ascending) or len(set(bounds)) != len(bounds):
        raise ConfigError(f"{where}：各档的界限须{'由低到高' if ascending else '由高到低'}排列，实际为 {bounds}")


def _columns(r: dict, n: int, where: str) -> list[str]:
    cols = list(r.get("columns", ()))
    if len(cols) != n:
        raise ConfigError(f"{where}：kind = {r.get('kind')!r} 需要 {n} 个列名（columns），实际为 {cols}")
    return cols


def _lagging_rule(r: dict, where: str) -> LaggingRule:
    kind, note = r.get("kind"), r.get("note", "")
    if kind == "rate_below":
        num, den = _columns(r, 2, where)
        bands = _bands(r["bands"], ("below",), where)
        _check_order(bands, True, where)
        return RateBelowRule(r["reason"], r["label"], num, den, r["denominator_label"], bands, note)
    if kind == "share_at_least":
        num, den = _columns(r, 2, where)
        bands = _bands(r["bands"], ("at_least", "above"), where)
        if any(b.op == "above" for b in bands[:-1]):
            raise ConfigError(f"{where}：above 只能是最后一档")
        _check_order(bands, False, where)
        by_count = _bands(r["by_count"], ("at_least",), where + " by_count")
        _check_order(by_count, False, where + " by_count")
        return ShareAtLeastRule(r["reason"], r["label"], num, den, r["denominator_label"], bands, by_count,
                                r["count_unit"], note)
    if kind == "per_occurrence":
        (col,) = _columns(r, 1, where)
        return PerOccurrenceRule(r["reason"], r["label"], col, int(r["points"]), int(r["cap"]), note)
    if kind == "mismatch":
        zero, count = _columns(r, 2, where)
        return MismatchRule(r["reason"], zero, r["zero_label"], count, r["count_label"], int(r["at_least"]),
                            r["count_unit"], int(r["points"]), note)
    raise ConfigError(f"{where}：未知的规则类型 kind = {kind!r}"
                      "（可用 rate_below、share_at_least、per_occurrence、mismatch）")


def parse_lagging(d: dict, source: Path) -> LaggingRules:
    if "lagging" not in d:
        raise ConfigError(f"{source}：缺少 [lagging]（滞后评分的红黄分数线和扣分规则）")
    lg = d["lagging"]
    rules = []
    for i, r in enumerate(lg.get("rules", ()), 1):
        where = f"{source} [[lagging.rules]] 第{i}条（{r.get('reason', '')}）"
        try:
            rules.append(_lagging_rule(r, where))
        except KeyError as e:
            raise ConfigError(f"{where}：缺少 {e.args[0]}") from None
    if "red" not in lg or "yellow" not in lg:
        raise ConfigError(f"{source} [lagging]：须写明红色、黄色分数线 red、yellow")
    red, yellow = int(lg["red"]), int(lg["yellow"])
    if not 0 < yellow < red:
        raise ConfigError(f"{source} [lagging]：须 0 < yellow < red，实际 yellow = {yellow}，red = {red}")
    reasons = [r.reason for r in rules]
    if not rules or len(set(reasons)) != len(reasons):
        raise ConfigError(f"{source} [lagging]：扣分规则须至少一条、扣分项名称（reason）不重复，实际为 {reasons}")
    return LaggingRules(red, yellow, tuple(rules))
