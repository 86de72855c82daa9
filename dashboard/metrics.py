"""统计口径：每个指标的中文名称、一句话解释和计算规则，全站只在这里定义。

SQL（queries/*.sql）按这里的定义返回分子、分母；页面用这里的格式化函数显示
“72.4%（21/29）”“+3.2个百分点”，用 ``lagging`` 计算滞后评分和红黄绿状态。
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

DONE_STATUSES = ("已整改", "已销号")
OPEN_STATUSES = ("未整改", "整改中")
STATUSES = ("未整改", "整改中", "已整改", "已销号", "长期推进")
FOUND_FINDINGS = ("属实", "部分属实")


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    help: str
    unit: str = ""  # "%"、"个"、"件"、"分"


METRICS: dict[str, Metric] = {m.key: m for m in [
    Metric("problems", "查摆问题数",
           "截至统计日，各单位最近一次报送台账中的问题条数（每个问题取统计日前最新一期状态）。", "个"),
    Metric("rectified", "已整改", "截至统计日状态为“已整改”的问题数（尚未销号）。", "个"),
    Metric("done", "已完成整改", "截至统计日状态为“已整改”或“已销号”的问题数。", "个"),
    Metric("closed", "已销号", "截至统计日经专班核查“已销号”的问题数。", "个"),
    Metric("completion", "整改率",
           "（已整改＋已销号）÷ 查摆问题数；长期推进的问题计入分母、不计入分子。", "%"),
    Metric("closure", "销号率", "已销号 ÷ 查摆问题数。", "%"),
    Metric("overdue", "逾期问题",
           "整改时限为具体日期、时限早于统计日、状态仍为未整改或整改中的问题数"
           "（立行立改、长期推进不计）。", "个"),
    Metric("relapse", "反弹问题数",
           "截至统计日被标记为“死灰复燃”“重复反弹”的问题数（表现形式、案例文字或问题来源判定）。", "个"),
    Metric("leads_received", "受理线索", "受理日期不晚于统计日的问题线索件数。", "件"),
    Metric("ontime", "线索按时办结率",
           "按工作日（含调休）规则在期限内办结的件数 ÷（期限已到或已办结的线索件数）。", "%"),
    Metric("feedback", "反馈率", "已向投诉人反馈的件数 ÷ 已办结件数。", "%"),
    Metric("substantiated", "属实率", "（属实＋部分属实）÷ 已办结且有调查结论的件数。", "%"),
    Metric("leads_open_overdue", "超期未办结线索",
           "截至统计日仍未办结、且办理期限已过的线索件数。", "件"),
    Metric("satisfaction", "满意度得分",
           "统计日所在年度及以前最近一次测评中全部题目得分的平均值 × 20（百分制）。", "分"),
    Metric("reports_missed", "未按时报送",
           "报送节点（含宽限天数）已过、该节点窗口内没有台账报送的次数"
           "（窗口：上一节点宽限期结束后至本节点宽限期结束）。", "次"),
    Metric("lagging", "滞后评分",
           "按整改率、逾期问题、线索按时办结率、反馈率、报送情况和自查自纠情况累计扣分，"
           "分数越高越滞后；规则见“滞后评分规则”。", "分"),
]}


def label(key: str) -> str:
    return METRICS[key].label


def help_text(key: str) -> str:
    return METRICS[key].help


# ------------------------------------------------------------------ formatting
def _is_missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA or x is pd.NaT


def rate(num, den) -> float | None:
    """num/den，分母为 0 或缺失时为 None。"""
    if _is_missing(num) or _is_missing(den) or den == 0:
        return None
    return float(num) / float(den)


def round_half_up(x: float, digits: int = 1) -> Decimal:
    """四舍五入（不用银行家舍入）：56.25 → 56.3。"""
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def fmt_pct(r: float | None, digits: int = 1) -> str:
    return "—" if _is_missing(r) else f"{round_half_up(r * 100, digits)}%"


def fmt_rate(num, den, digits: int = 1) -> str:
    """比率连同分子分母：'72.4%（21/29）'；分母为 0 时 '—（0/0）'。"""
    n = 0 if _is_missing(num) else int(num)
    d = 0 if _is_missing(den) else int(den)
    return f"{fmt_pct(rate(n, d), digits)}（{n}/{d}）"


def pp_change(cur: float | None, prev: float | None) -> float | None:
    """两个比率之差，单位：百分点。"""
    if _is_missing(cur) or _is_missing(prev):
        return None
    return (cur - prev) * 100


def fmt_pp(pp: float | None, digits: int = 1) -> str | None:
    """'+3.2个百分点' / '-1.0个百分点' / '持平'；无法比较时 None。"""
    if _is_missing(pp):
        return None
    v = round_half_up(pp, digits)
    if v == 0:
        return "持平"
    return f"{'+' if v > 0 else ''}{v}个百分点"


def fmt_delta(cur, prev, unit: str = "") -> str | None:
    """计数的变化：'+3' '-2' '持平'；无法比较时 None。"""
    if _is_missing(cur) or _is_missing(prev):
        return None
    d = cur - prev
    if d == 0:
        return "持平"
    if isinstance(d, float) and not d.is_integer():
        return f"{d:+.1f}{unit}"
    return f"{int(d):+d}{unit}"


# ------------------------------------------------------------------ ranking rule
def rankable(den, min_items: int) -> bool:
    """分母少于 min_items 的单位不参与该比率的首尾排名。"""
    return not _is_missing(den) and int(den) >= int(min_items)


def rank_extremes(df: pd.DataFrame, num: str, den: str, min_items: int, n: int = 3,
                  ascending: bool = True) -> pd.DataFrame:
    """按 num/den 排序、只取分母 ≥ min_items 的单位的前 n 个（ascending=True 取最低）。"""
    d = df[df[den].fillna(0) >= min_items].copy()
    d["_rate"] = d[num] / d[den]
    return d.sort_values("_rate", ascending=ascending).head(n).drop(columns="_rate")


# ------------------------------------------------------------------ lagging score
# 每条规则：（说明, 函数(row)->分数）。分数累加；≥ RED 为红，≥ YELLOW 为黄，其余绿。
LAG_RED = 5
LAG_YELLOW = 2

LAGGING_RULES_TEXT = [
    "整改率低于 60% 记 2 分，60%～80% 记 1 分；",
    "逾期问题 3 个及以上记 2 分，1～2 个记 1 分；",
    "线索按时办结率低于 60% 记 2 分，60%～80% 记 1 分；",
    "反馈率低于 80% 记 1 分；",
    "以上三项比率的分母（查摆问题数、期限已到或已办结的线索数、已办结线索数）少于本专项整治"
    "规定的最少件数时，该项不计分（样本太少，不据此排名）；",
    "未按时报送台账（迟报或漏报）每次记 2 分，最多 4 分；",
    "自查自纠查摆问题为 0 但收到线索 3 件及以上（自查自纠与实际不符）记 1 分。",
    f"合计 ≥ {LAG_RED} 分为红色（建议挂牌督办或约谈），{LAG_YELLOW}～{LAG_RED - 1} 分为黄色"
    f"（重点关注），{LAG_YELLOW - 1} 分及以下为绿色。",
]


def _num(x) -> float:
    return 0.0 if _is_missing(x) else float(x)


def _rate_if(num, den, min_items: int) -> float | None:
    return rate(_num(num), _num(den)) if rankable(_num(den), min_items) else None


def lagging_points(row, min_items: int = 0) -> dict[str, int]:
    """一行单位指标（unit_progress.sql 的列）→ 各项扣分。"""
    pts: dict[str, int] = {}
    comp = _rate_if(row.get("done"), row.get("problems"), max(min_items, 1))
    pts["整改率低"] = 0 if comp is None else (2 if comp < 0.6 else 1 if comp < 0.8 else 0)
    od = _num(row.get("overdue"))
    pts["逾期问题"] = 2 if od >= 3 else 1 if od >= 1 else 0
    ot = _rate_if(row.get("leads_ontime"), row.get("leads_ontime_den"), max(min_items, 1))
    pts["线索超期"] = 0 if ot is None else (2 if ot < 0.6 else 1 if ot < 0.8 else 0)
    fb = _rate_if(row.get("leads_feedback"), row.get("leads_concluded"), max(min_items, 1))
    pts["未反馈"] = 0 if fb is None else (1 if fb < 0.8 else 0)
    pts["报送不及时"] = int(min(4, 2 * _num(row.get("reports_missed"))))
    pts["自查不实"] = 1 if (_num(row.get("self_inspection")) == 0
                         and _num(row.get("leads_received")) >= 3) else 0
    return pts


def lagging_state(score: float) -> str:
    if score >= LAG_RED:
        return "红"
    if score >= LAG_YELLOW:
        return "黄"
    return "绿"


STATE_ICON = {"红": "红色", "黄": "黄色", "绿": "绿色"}  # 不用 emoji：投影机/服务器常缺彩色字体
STATE_COLOR = {"红": "#c0392b", "黄": "#e0a800", "绿": "#2e8b57"}


def add_lagging(df: pd.DataFrame, min_items: int = 0) -> pd.DataFrame:
    """给 unit_progress 结果加列：lagging_score、lagging_state（红/黄/绿）、lagging_reasons。"""
    out = df.copy()
    scores, states, reasons = [], [], []
    for _, row in out.iterrows():
        pts = lagging_points(row, min_items)
        s = sum(pts.values())
        scores.append(s)
        states.append(lagging_state(s))
        reasons.append("、".join(f"{k}{v}分" for k, v in pts.items() if v) or "—")
    out["lagging_score"] = scores
    out["lagging_state"] = states
    out["lagging_reasons"] = reasons
    return out


def unit_table(df: pd.DataFrame, min_items: int) -> pd.DataFrame:
    """unit_progress（已 add_lagging）→ 县区进度显示表：比率连同分子分母。"""
    rows = []
    for _, r in df.iterrows():
        note = []
        if not rankable(r["problems"], min_items):
            note.append(f"问题少于{min_items}个，不参与整改率排名")
        rep = (f"按时{int(r['reports_ontime'])}/{int(r['reports_due'])}"
               + (f"，未按时{int(r['reports_missed'])}次" if r["reports_missed"] else "")
               + (f"，待报{int(r['reports_pending'])}" if r["reports_pending"] else ""))
        rows.append({
            "单位": r["unit_name"],
            "状态": STATE_ICON[r["lagging_state"]],
            "滞后评分": int(r["lagging_score"]),
            "查摆问题数": int(r["problems"]),
            "整改率": fmt_rate(r["done"], r["problems"]),
            "销号率": fmt_rate(r["closed"], r["problems"]),
            "逾期问题": int(r["overdue"]),
            "反弹问题": int(r["relapse"]),
            "线索按时办结率": fmt_rate(r["leads_ontime"], r["leads_ontime_den"]),
            "反馈率": fmt_rate(r["leads_feedback"], r["leads_concluded"]),
            "超期未办结线索": int(r["leads_open_overdue"]),
            "台账报送": rep,
            "扣分项": r["lagging_reasons"],
            "备注": "；".join(note),
        })
    return pd.DataFrame(rows)


def satisfaction_score(mean_score) -> float | None:
    """满意度得分 = 均分（1–5）× 20。"""
    return None if _is_missing(mean_score) else float(mean_score) * 20
