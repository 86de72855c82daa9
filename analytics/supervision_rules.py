"""督办规则（唯一的一处）：默认期限、督办等级（蓝/黄/红）、规则说明。纯计算，不依赖 Streamlit。

剩余工作日 r = etl.normalize.workdays.working_days_between(统计日, 期限)：统计日之后（不含统计日）到期限
（含期限当天）的工作日数，按法定节假日和调休计算；统计日在期限当天或之后为 0。
等级：已销号 → 无；统计日晚于期限 → 红；r ≤ yellow_within → 黄；r ≤ blue_within → 蓝；否则无。
例（期限 2023-10-10 周二，蓝 ≤3、黄 ≤1；9-29～10-6 国庆中秋放假，10-7、10-8 调休上班）：
9-27 起 r = 5，9-28～10-6 r = 4 无色；10-7（周六调休）r = 3 起蓝；10-9 r = 1 起黄；10-10 期限当天黄；10-11 起红。
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from etl.config import ListRule, Supervision
from etl.normalize.workdays import add_working_days, working_days_between

if TYPE_CHECKING:
    import pandas

BLUE, YELLOW, RED = "蓝", "黄", "红"
COLOURS = (BLUE, YELLOW, RED)



def _day(value: date | datetime) -> date:
    """A date; datetimes and pandas Timestamps count as their calendar day."""
    return value.date() if isinstance(value, datetime) else value


def default_deadline(created: date | datetime, rules: Supervision) -> date:
    """交办默认期限：交办日之后第 default_working_days 个工作日（交办当天不算）。"""
    return add_working_days(_day(created), rules.default_working_days)[0]


def working_days_left(deadline: date | datetime, as_of: date | datetime) -> int:
    """统计日之后到期限（含）的工作日数；已过期限为负：期限之后到统计日（含）的工作日数取负。"""
    deadline, as_of = _day(deadline), _day(as_of)
    if as_of <= deadline:
        return working_days_between(as_of, deadline)
    return -working_days_between(deadline, as_of)


WAITING = "督办中"  # only an item the unit has not answered yet runs against its deadline


def is_overdue(deadline: date | datetime, as_of: date | datetime, status: str) -> bool:
    """逾期：统计日已过期限、单位仍未反馈（督办中，含被退回的）。逾期只由期限推出，不存入状态库；
    已反馈、已核查的事项在等专班，不算单位逾期。"""
    return status == WAITING and _day(as_of) > _day(deadline)


def escalation(deadline: date | datetime, as_of: date | datetime, status: str, rules: Supervision) -> str | None:
    """督办等级 "蓝" / "黄" / "红"，或 None（离期限尚远，或单位已反馈、已核查、已销号）。"""
    if status != WAITING:
        return None
    if _day(as_of) > _day(deadline):
        return RED
    left = working_days_between(_day(as_of), _day(deadline))
    if left <= rules.yellow_within:
        return YELLOW
    if left <= rules.blue_within:
        return BLUE
    return None


def escalation_columns(items: pandas.DataFrame, as_of: date, rules: Supervision) -> pandas.DataFrame:
    """items (state.supervision.list_items) with colour, working_days_left and overdue added (a copy)."""
    import pandas as pd

    out = items.copy()
    rows = list(zip(out["deadline"], out["status"], strict=True))
    # object dtype keeps None (no colour) as None, not NaN
    out["colour"] = pd.Series([escalation(d, as_of, s, rules) for d, s in rows], index=out.index, dtype=object)
    out["working_days_left"] = [working_days_left(d, as_of) for d, _ in rows]
    out["overdue"] = [is_overdue(d, as_of, s) for d, s in rows]
    return out


def rules_text(rules: Supervision) -> str:
    """页面和简报印出的规则说明（督办期限与蓝黄红）。"""
    b, y = rules.blue_within, rules.yellow_within
    if y == 0:
        yellow = "期限当天为黄色"
    elif y == 1:
        yellow = "离期限还有 1 个工作日及以内（期限前一个工作日和期限当天）为黄色"
    else:
        yellow = f"离期限还有 {y} 个工作日及以内为黄色"
    return (f"督办事项默认期限为交办后 {rules.default_working_days} 个工作日。"
            f"单位反馈之前，离期限还有 {b} 个工作日及以内为蓝色，{yellow}，超过期限仍未反馈为红色（逾期）；"
            "单位已反馈（等待专班核查）、已核查、已销号的不再标色，专班退回后重新计算。"
            "工作日按法定节假日和调休计算。")


def _percent(x: float) -> str:
    return f"{x * 100:.1f}".rstrip("0").rstrip(".") + "%"


def list_rule_text(rule: ListRule) -> str:
    """'整改率 ≥ 90%'、'整改率 < 85%'。"""
    return f"{rule.metric_label} {'≥' if rule.op == 'at_least' else '<'} {_percent(rule.bound)}"


def lists_text(rules: Supervision) -> str:
    """红黑榜规则：'红榜：整改率 ≥ 90%；黑榜：整改率 < 85%。'"""
    return f"红榜：{list_rule_text(rules.honor_roll)}；黑榜：{list_rule_text(rules.black_list)}。"


def on_list(value: float | None, rule: ListRule) -> bool:
    """value 是否满足入榜条件（无值不入榜）。"""
    if value is None or value != value:  # None or NaN
        return False
    return value >= rule.bound if rule.op == "at_least" else value < rule.bound


def red_streak_text(rules: Supervision) -> str:
    return f"连续 {rules.red_streak_periods} 期滞后评分为红色的单位单独列出。"
