"""督办页的数据：到期预警（台账问题、问题线索：N 个工作日内到期与已逾期，按单位汇总）、红黑榜（界限与规则文字
来自专项整治配置 [supervision]）、连续 N 期滞后评分红色的单位；督办事项加上督办等级（蓝/黄/红）。

工作日与颜色只在 analytics/supervision_rules.py 算（etl.normalize.workdays，含法定节假日与调休）：
working_days_left = 统计日之后到期限（含）的工作日数，期限就是统计日时为 0；已过期限为负：期限之后到统计日
（含）的工作日数取负（与简报“超期工作日”相同）。“逾期”按日历：期限早于统计日（与 etl/sql/views.sql 的
is_overdue / is_overdue_open 相同）；“N 个工作日内到期”：未逾期且剩余工作日 ≤ N（N 默认取配置的 blue_within，
即蓝色的界限）。
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from analytics import lagging
from analytics import supervision_rules as sr
from analytics.page_data import PageFilters, Run
from analytics.queries import to_date
from etl.config import CAMPAIGNS_DIR, Supervision, list_campaigns, load_campaign
from etl.normalize.workdays import is_provisional

# 红黑榜指标 → (分子列, 分母列)：queries/unit_progress.sql 的列（中文名见 etl.config.SUPERVISION_METRICS）
METRIC_COLUMNS = {"completion": ("done", "problems")}
OPEN_ITEM = sr.WAITING  # 线索、台账问题按“单位尚未反馈的督办事项”定颜色
UNIT_COLUMNS = ["unit_id", "unit_name", "sort_order", "problems_overdue", "problems_due_soon",
                "leads_overdue", "leads_due_soon", "next_deadline"]


def rules_for(campaign_id: str) -> Supervision:
    """该专项整治配置的 [supervision]；data/campaigns/ 下没有它的配置（压测库）时用第一个配置的。"""
    if not (CAMPAIGNS_DIR / f"{campaign_id}.toml").exists():
        campaign_id = list_campaigns()[0]
    return load_campaign(campaign_id).supervision


def _colours(values: pd.Series) -> pd.Series:
    """颜色列：无颜色为 None（pandas 3 把 [None, "蓝"] 推断为字符串列，None 变成 NaN）。"""
    return pd.Series([v if isinstance(v, str) else None for v in values], index=values.index, dtype=object)


def add_escalation(df: pd.DataFrame, date_col: str, as_of: date, rules: Supervision) -> pd.DataFrame:
    """线索、台账问题（都未办结）加列 working_days_left（逾期为负）、overdue（期限早于统计日）、colour（红/黄/蓝/None），
    颜色按未办结的督办事项算（analytics/supervision_rules.escalation_columns）。"""
    rows = pd.DataFrame({"deadline": df[date_col], "status": OPEN_ITEM}, index=df.index)
    esc = sr.escalation_columns(rows, as_of, rules) if len(rows) else rows.assign(
        colour=None, working_days_left=0, overdue=False)
    out = df.copy()
    out["colour"] = _colours(esc["colour"])
    out["working_days_left"] = esc["working_days_left"].astype(int)
    out["overdue"] = esc["overdue"].astype(bool)
    return out


@dataclass
class EarlyWarning:
    within_days: int                 # N：剩余工作日 ≤ N 为即将到期
    problems_overdue: pd.DataFrame   # due_soon_problems 的逾期行 + 工作日列（逾期最久的在前）
    problems_due_soon: pd.DataFrame  # N 个工作日内到期的问题（期限最近的在前）
    leads_overdue: pd.DataFrame      # due_soon_leads 的超期行 + 工作日列
    leads_due_soon: pd.DataFrame
    by_unit: pd.DataFrame            # UNIT_COLUMNS：每个有预警的单位一行
    provisional: bool                # 有期限落在节假日安排未公布的年份（按周一至周五推算）

    @property
    def empty(self) -> bool:
        return self.by_unit.empty


def _split(df: pd.DataFrame, date_col: str, as_of: date, rules: Supervision, within: int):
    df = add_escalation(df, date_col, as_of, rules)
    overdue = df[df["overdue"]].sort_values([date_col, "sort_order"], kind="stable")
    soon = df[~df["overdue"] & (df["working_days_left"] <= within)]
    return overdue.reset_index(drop=True), soon.reset_index(drop=True)


def _by_unit(parts: dict[str, pd.DataFrame], soon: pd.DataFrame) -> pd.DataFrame:
    """每个有逾期或即将到期事项的单位一行：各类件数与最近的到期日（未逾期的）。"""
    names = pd.concat([d[["unit_id", "unit_name", "sort_order"]] for d in parts.values()])
    out = names.drop_duplicates("unit_id").set_index("unit_id")
    for name, d in parts.items():
        out[name] = d.groupby("unit_id").size().reindex(out.index, fill_value=0).astype(int)
    out["next_deadline"] = soon.groupby("unit_id")["deadline"].min().reindex(out.index)
    out = out.reset_index().sort_values(["sort_order", "unit_id"], kind="stable").reset_index(drop=True)
    return out[UNIT_COLUMNS]


def early_warning(run: Run, f: PageFilters, rules: Supervision | None = None,
                  within_days: int | None = None) -> EarlyWarning:
    """统计日 N 个工作日内到期、已逾期的台账问题与线索（按侧栏筛选），工作日按法定节假日计算。"""
    rules = rules or rules_for(f.campaign_id)
    within = rules.blue_within if within_days is None else int(within_days)
    p = f.params()
    po, ps = _split(run("due_soon_problems", **p), "deadline", f.as_of, rules, within)
    lo, ls = _split(run("due_soon_leads", **p), "due_date", f.as_of, rules, within)
    parts = {"problems_overdue": po, "problems_due_soon": ps, "leads_overdue": lo, "leads_due_soon": ls}
    soon = pd.concat([ps[["unit_id", "deadline"]], ls[["unit_id", "due_date"]].rename(columns={"due_date": "deadline"})])
    deadlines = [to_date(v) for v in soon["deadline"]]
    return EarlyWarning(within, po, ps, lo, ls, _by_unit(parts, soon),
                        provisional=any(d is not None and is_provisional(d) for d in deadlines))


# ------------------------------------------------------------------ 红黑榜
@dataclass
class RollCall:
    honor: pd.DataFrame      # 红榜：unit_id, unit_name, num, den, rate（高的在前）
    black: pd.DataFrame      # 黑榜（低的在前）
    unranked: pd.DataFrame   # 有问题但分母少于最少件数、不参与红黑榜的单位（没有问题的单位不列）
    metric_label: str        # 整改率
    rule: str                # 规则文字（与页面、简报同一句）


def roll_call(units: pd.DataFrame, rules: Supervision, min_items: int) -> RollCall:
    """units 为 unit_progress 的结果；红榜 rate ≥ at_least，黑榜 rate < below；分母 < max(min_items, 1) 不参与。"""
    num, den = METRIC_COLUMNS[rules.honor_roll.metric]
    bnum, bden = METRIC_COLUMNS[rules.black_list.metric]
    cols = ["unit_id", "unit_name", "num", "den", "rate"]

    def rated(n: str, d: str) -> pd.DataFrame:
        t = units[["unit_id", "unit_name"]].copy()
        t["num"], t["den"] = units[n].astype(int), units[d].astype(int)
        t["rate"] = t["num"] / t["den"].where(t["den"] > 0)
        return t

    least = max(min_items, 1)
    h, b = rated(num, den), rated(bnum, bden)
    honor = h[(h["den"] >= least) & h["rate"].map(lambda r: sr.on_list(r, rules.honor_roll))]
    black = b[(b["den"] >= least) & b["rate"].map(lambda r: sr.on_list(r, rules.black_list))]
    unranked = h[(h["den"] > 0) & (h["den"] < least)]
    return RollCall(honor.sort_values(["rate", "den"], ascending=False, kind="stable")[cols].reset_index(drop=True),
                    black.sort_values(["rate", "den"], ascending=[True, False], kind="stable")[cols]
                    .reset_index(drop=True),
                    unranked[cols].reset_index(drop=True), rules.honor_roll.metric_label,
                    sr.lists_text(rules))


# ------------------------------------------------------------------ 连续红色
def report_dates(as_of: date, weekday: int, first: date | None, n: int | None = None) -> list[date]:
    """统计日及之前的周报日（weekday 1=周一 … 7=周日），新的在前：统计日本身是第一期（即使不是周报日），
    不早于 first（首个台账日期），最多 n 个（None 不限，此时须给 first）。"""
    out, d = [as_of], as_of
    while n is None or len(out) < n:
        d = d - timedelta(days=(d.isoweekday() - weekday) % 7 or 7)
        if first is not None and d < first:
            break
        out.append(d)
    return out


def red_streaks(run: Run, f: PageFilters, rules: Supervision) -> pd.DataFrame:
    """每期（统计日与之前的周报日，见 report_dates）按滞后评分红色的单位，从本期往前连续红色的期数
    ≥ red_streak_periods 的单位：unit_id, unit_name, streak（连续期数）, since（连续红色的第一期）,
    lagging_reasons（本期扣分项）。每期一次 unit_progress 查询，往前数到没有单位仍连续红色为止。"""
    cols = ["unit_id", "unit_name", "streak", "since", "lagging_reasons"]
    snaps = run("snapshot_dates", campaign_id=f.campaign_id)
    first = to_date(snaps["as_of_date"].min()) if not snaps.empty else None
    if first is None or f.as_of < first:
        return pd.DataFrame(columns=cols)
    weekday = int(f.campaign.get("weekly_report_weekday") or 4)
    rules_table = lagging.for_campaign(f.campaign_id)
    current = None
    streak: dict[str, int] = {}
    since: dict[str, date] = {}
    alive: set[str] | None = None
    for d in report_dates(f.as_of, weekday, first):
        units = lagging.add_lagging(run("unit_progress", **f.params(as_of=d)), f.min_items, rules_table)
        current = units if current is None else current
        red = set(units.loc[units["lagging_state"] == "红", "unit_id"])
        alive = red if alive is None else alive & red
        if not alive:
            break
        for u in alive:
            streak[u] = streak.get(u, 0) + 1
            since[u] = d
    out = current[current["unit_id"].map(lambda u: streak.get(u, 0) >= rules.red_streak_periods)].copy()
    out["streak"] = out["unit_id"].map(streak).astype(int)
    out["since"] = out["unit_id"].map(since)
    return out.sort_values(["streak", "lagging_score"], ascending=False, kind="stable")[cols].reset_index(drop=True)


# ------------------------------------------------------------------ 督办事项
def items_with_escalation(items: pd.DataFrame, as_of: date, rules: Supervision) -> pd.DataFrame:
    """state.supervision.list_items 的结果加列 colour、working_days_left、overdue（supervision_rules）与
    state_label：状态，逾期时加“（逾期）”（逾期是推出来的，不存储）。"""
    if items.empty:
        return items.assign(colour=None, working_days_left=0, overdue=False, state_label="")
    out = sr.escalation_columns(items, as_of, rules)
    out["colour"] = _colours(out["colour"])
    out["state_label"] = [f"{s}（逾期）" if o else s for s, o in zip(out["status"], out["overdue"], strict=True)]
    return out


@dataclass
class SupervisionData:
    warning: EarlyWarning
    roll: RollCall
    streaks: pd.DataFrame            # red_streaks
    streak_periods: int              # 配置的 N（连续 N 期红色）
    rules_text: str                  # 督办期限与蓝黄红的规则（配置生成）；红黑榜的在 roll.rule
    units: pd.DataFrame = field(default_factory=pd.DataFrame)  # 本期 unit_progress + 滞后评分


def supervision_data(run: Run, f: PageFilters, within_days: int | None = None) -> SupervisionData:
    """督办页（到期预警、红黑榜、连续红色）：按当前筛选与统计日。"""
    rules = rules_for(f.campaign_id)
    units = lagging.add_lagging(run("unit_progress", **f.params()), f.min_items, lagging.for_campaign(f.campaign_id))
    return SupervisionData(
        warning=early_warning(run, f, rules, within_days),
        roll=roll_call(units, rules, f.min_items),
        streaks=red_streaks(run, f, rules),
        streak_periods=rules.red_streak_periods,
        rules_text=sr.rules_text(rules),
        units=units,
    )
