"""滞后评分：专项整治配置 [lagging] 的一张规则表，同时生成分数和规则说明文字。

每条规则（etl.config 的 RateBelowRule / ShareAtLeastRule / PerOccurrenceRule / MismatchRule）
在这里有两个解释：``_points`` 算出每个单位的扣分，``_sentence`` 写出它的一句说明。
红黄绿分数线（red / yellow）也只从表里取，所以页面、简报印出的规则和分数不会对不上。
"""
from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from etl.config import CAMPAIGNS_DIR, list_campaigns, load_campaign
from etl.lagging_config import (
    Band,
    LaggingRule,
    LaggingRules,
    MismatchRule,
    PerOccurrenceRule,
    RateBelowRule,
    ShareAtLeastRule,
)

STATES = ("红", "黄", "绿")
STATE_ICON = {"红": "红色", "黄": "黄色", "绿": "绿色"}  # 不用 emoji：投影机/服务器常缺彩色字体
STATE_ADVICE = {"红": "建议挂牌督办或约谈", "黄": "重点关注", "绿": "按计划推进"}


# ------------------------------------------------------------------ which table
@cache
def default_rules() -> LaggingRules:
    """调用方没有专项整治时用的表：data/campaigns/ 下按文件名第一个配置的 [lagging]
    （现有各专项整治的表相同，tests/test_lagging_rules.py 检查）。"""
    return load_campaign(list_campaigns()[0]).lagging


@cache
def for_campaign(campaign_id: str) -> LaggingRules:
    """该专项整治配置文件里的表；data/campaigns/ 下没有它的配置（如压测生成的库）时用 default_rules()。"""
    if not (CAMPAIGNS_DIR / f"{campaign_id}.toml").exists():
        return default_rules()
    return load_campaign(campaign_id).lagging


def _table(rules: LaggingRules | None) -> LaggingRules:
    return default_rules() if rules is None else rules


# ------------------------------------------------------------------ score
def _numbers(df: pd.DataFrame, c: str) -> pd.Series:
    if c not in df:
        return pd.Series(0.0, index=df.index)
    return pd.to_numeric(df[c], errors="coerce").fillna(0).astype(float)


def _rate(df: pd.DataFrame, num: str, den: str, min_items: int) -> pd.Series:
    """num/den；分母少于 min_items（不参与排名）时为 NaN。"""
    n, d = _numbers(df, num), _numbers(df, den)
    ok = d >= max(min_items, 1)
    return (n / d.where(ok)).where(ok)


def _banded(values: pd.Series, bands: tuple[Band, ...]) -> np.ndarray:
    """第一档满足的分数；都不满足（含 NaN）为 0。"""
    tests = {"below": values.lt, "at_least": values.ge, "above": values.gt}
    return np.select([tests[b.op](b.bound) for b in bands], [b.points for b in bands], 0)


def _points(rule: LaggingRule, df: pd.DataFrame, min_items: int) -> np.ndarray:
    match rule:
        case RateBelowRule():
            return _banded(_rate(df, rule.numerator, rule.denominator, min_items), rule.bands)
        case ShareAtLeastRule():
            share = _rate(df, rule.numerator, rule.denominator, min_items)
            by_count = _banded(_numbers(df, rule.numerator), rule.by_count)
            return np.where(share.isna(), by_count, _banded(share, rule.bands))
        case PerOccurrenceRule():
            return np.minimum(rule.cap, rule.points * _numbers(df, rule.column))
        case MismatchRule():
            hit = (_numbers(df, rule.zero_column) == 0) & (_numbers(df, rule.count_column) >= rule.at_least)
            return np.where(hit, rule.points, 0)
    raise TypeError(f"未知的滞后评分规则：{rule!r}")


def reasons(rules: LaggingRules | None = None) -> tuple[str, ...]:
    return tuple(r.reason for r in _table(rules).rules)


def lagging_frame(df: pd.DataFrame, min_items: int = 0, rules: LaggingRules | None = None) -> pd.DataFrame:
    """每行单位（queries/unit_progress.sql 的列）→ 各项扣分（整数列，列名为扣分项）。"""
    t = _table(rules)
    pts = {r.reason: _points(r, df, min_items) for r in t.rules}
    return pd.DataFrame(pts, index=df.index).astype(int)[list(reasons(t))]


def lagging_points(row, min_items: int = 0, rules: LaggingRules | None = None) -> dict[str, int]:
    """一行单位指标（dict 或 Series）→ 各项扣分。"""
    one = pd.DataFrame([dict(row)])
    return {k: int(v) for k, v in lagging_frame(one, min_items, rules).iloc[0].items()}


def lagging_state(score: float, rules: LaggingRules | None = None) -> str:
    t = _table(rules)
    if score >= t.red:
        return "红"
    if score >= t.yellow:
        return "黄"
    return "绿"


def add_lagging(df: pd.DataFrame, min_items: int = 0, rules: LaggingRules | None = None) -> pd.DataFrame:
    """给 unit_progress 结果加列：lagging_score、lagging_state（红/黄/绿）、lagging_reasons。"""
    out = df.copy()
    pts = lagging_frame(out, min_items, rules)
    score = pts.sum(axis=1)
    out["lagging_score"] = score.astype(int)
    out["lagging_state"] = [lagging_state(s, rules) for s in score]
    cols = list(pts.columns)
    out["lagging_reasons"] = ["、".join(f"{k}{v}分" for k, v in zip(cols, row, strict=True) if v) or "—"
                              for row in pts.to_numpy().tolist()]
    return out


def _max_points(rule: LaggingRule) -> int:
    match rule:
        case RateBelowRule():
            return max(b.points for b in rule.bands)
        case ShareAtLeastRule():
            return max(b.points for b in rule.bands + rule.by_count)
        case PerOccurrenceRule():
            return rule.cap
        case MismatchRule():
            return rule.points
    raise TypeError(f"未知的滞后评分规则：{rule!r}")


def max_score(rules: LaggingRules | None = None) -> int:
    """各项上限之和（评分的满分）。"""
    return sum(_max_points(r) for r in _table(rules).rules)


# ------------------------------------------------------------------ explanation
def _pct(x: float) -> str:
    return f"{x * 100:g}%"


def _count(x: float) -> str:
    return f"{x:g}"


def _span(lo: str, hi: str) -> str:
    return lo if lo == hi else f"{lo}～{hi}"


def _scored(what: str, points: int) -> str:
    return f"{what}{' ' if what[-1] in '0123456789%' else ''}记 {points} 分"


def _below_bands(bands: tuple[Band, ...]) -> str:
    """低于 50% 记 2 分，50%～70% 记 1 分"""
    parts, prev = [], None
    for b in bands:
        what = f"低于 {_pct(b.bound)}" if prev is None else f"{_pct(prev)}～{_pct(b.bound)}"
        parts.append(_scored(what, b.points))
        prev = b.bound
    return "，".join(parts)


def _share_bands(bands: tuple[Band, ...], label: str) -> str:
    """30% 及以上记 3 分，15%～30% 记 2 分，有逾期问题但不到 15% 记 1 分"""
    parts, prev = [], None
    for b in bands:
        if b.op == "above":
            what = (f"有{label}" if b.bound == 0 else f"高于 {_pct(b.bound)}") + (
                f"但不到 {_pct(prev)}" if prev is not None else "")
        else:
            what = f"{_pct(b.bound)} 及以上" if prev is None else f"{_pct(b.bound)}～{_pct(prev)}"
        parts.append(_scored(what, b.points))
        prev = b.bound
    return "，".join(parts)


def _count_bands(bands: tuple[Band, ...], unit: str) -> str:
    """3 个及以上 2 分，1～2 个 1 分（个数为整数：下一档上限是上一档界限减一）"""
    parts, prev = [], None
    for b in bands:
        what = (f"{_count(b.bound)} {unit}及以上" if prev is None
                else f"{_span(_count(b.bound), _count(prev - 1))} {unit}")
        parts.append(f"{what} {b.points} 分")
        prev = b.bound
    return "，".join(parts)


def _note(rule: LaggingRule) -> str:
    return f"（{rule.note}）" if rule.note else ""


def _least(min_items: int | None) -> str:
    return "最少件数" + (f" {min_items} " if min_items else "")


def _sentence(rule: LaggingRule, min_items: int | None) -> str:
    match rule:
        case RateBelowRule():
            return f"{rule.label}{_below_bands(rule.bands)}{_note(rule)}；"
        case ShareAtLeastRule():
            return (f"{rule.label}占{rule.denominator_label} {_share_bands(rule.bands, rule.label)}"
                    f"（{rule.denominator_label}少于{_least(min_items)}时按个数：{_count_bands(rule.by_count, rule.count_unit)}）"
                    f"{_note(rule)}；")
        case PerOccurrenceRule():
            return f"{rule.label}{_note(rule)}每次记 {rule.points} 分，最多 {rule.cap} 分；"
        case MismatchRule():
            return (f"{rule.zero_label}为 0 但{rule.count_label} {rule.at_least} {rule.count_unit}及以上"
                    f"{_note(rule)}记 {rule.points} 分；")
    raise TypeError(f"未知的滞后评分规则：{rule!r}")


def _min_items_sentence(rules: LaggingRules, min_items: int | None) -> str | None:
    rates = [r for r in rules.rules if isinstance(r, RateBelowRule)]
    if not rates:
        return None
    return (f"{'、'.join(r.label for r in rates)}的分母（{'、'.join(r.denominator_label for r in rates)}）"
            f"少于本专项整治规定的{_least(min_items)}时，该项不计分（样本太少，不据此排名）。")


def thresholds_text(rules: LaggingRules | None = None, short: bool = False) -> str:
    """红黄绿分数线：'≥6分红色，4～5分黄色，其余绿色'；short：'红≥6，黄4～5'。"""
    t = _table(rules)
    yellow = _span(str(t.yellow), str(t.red - 1))
    if short:
        return f"红≥{t.red}，黄{yellow}"
    return f"≥{t.red}分红色，{yellow}分黄色，其余绿色"


def states_sentence(rules: LaggingRules | None = None) -> str:
    t = _table(rules)
    return (f"合计 ≥ {t.red} 分为红色（{STATE_ADVICE['红']}），"
            f"{_span(str(t.yellow), str(t.red - 1))} 分为黄色（{STATE_ADVICE['黄']}），"
            f"{t.yellow - 1} 分及以下为绿色（{STATE_ADVICE['绿']}）。")


def rules_text(rules: LaggingRules | None = None, min_items: int | None = None) -> list[str]:
    """规则说明，一条一行：各扣分项、分母太少不计分、红黄绿分数线。min_items 给出时写明件数。"""
    t = _table(rules)
    lines = [_sentence(r, min_items) for r in t.rules]
    least = _min_items_sentence(t, min_items)
    return lines + ([least] if least else []) + [states_sentence(t)]
