"""统计口径：每个指标的中文名称、一句话解释和计算规则，全站只在这里定义。

SQL（queries/*.sql）按这里的定义返回分子、分母；页面用这里的格式化函数显示
“72.4%（21/29）”“+3.2个百分点”，滞后评分和红黄绿状态见 ``analytics.lagging``。
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from analytics.lagging import STATE_ICON

STATUSES = ("未整改", "整改中", "已整改", "已销号", "长期推进")


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


def _half_up_text(x: float, digits: int) -> str:
    """str(round_half_up(x, digits))，快：Decimal 每次约 3 µs，县区进度表 3000 个单位 × 4 个比率就是几十毫秒。
    离进位点（…5）远时 float 的 f 格式与按 repr 四舍五入结果相同；接近进位点、很大或不是有限数时仍用 Decimal。"""
    if 0 <= digits <= 6 and -1e6 < x < 1e6:
        scaled = x * _SCALE[digits]
        if abs(scaled - math.floor(scaled) - 0.5) > 1e-6:
            return f"{x:.{digits}f}"
    return str(round_half_up(x, digits))


_SCALE = [10 ** k for k in range(7)]


def _pct_text(x: float, digits: int) -> str:
    """x（百分数）四舍五入到 digits 位小数；不到 100% 的比率不显示成 100%、大于 0 的不显示成 0%：
    反馈率 16697/16705 = 99.952% 显示 99.95%，不是 100.0%（会上会读成全部反馈了）。多给最多 3 位小数，
    仍进位到 100 或舍到 0 时取差一个末位的数。"""
    text = _half_up_text(x, digits)
    if not 0 < x < 100 or float(text) not in (0.0, 100.0):
        return text
    for more in range(digits + 1, digits + 4):
        text = _half_up_text(x, more)
        if float(text) not in (0.0, 100.0):
            return text
    last = 10.0 ** -(digits + 3)
    return f"{100 - last if x > 50 else last:.{digits + 3}f}"


def fmt_pct(r: float | None, digits: int = 1) -> str:
    return "—" if _is_missing(r) else _pct_text(float(r * 100), digits) + "%"


def fmt_rate(num, den, digits: int = 1) -> str:
    """比率连同分子分母：'72.4%（21/29）'；分母为 0 时 '—（0/0）'。"""
    n = 0 if _is_missing(num) else int(num)
    d = 0 if _is_missing(den) else int(den)
    pct = "—" if d == 0 else _pct_text(float(n) / float(d) * 100, digits) + "%"
    return f"{pct}（{n}/{d}）"


def fmt_rates(nums, dens, digits: int = 1) -> list[str]:
    """[fmt_rate(n, d) for n, d in zip(nums, dens)]，整列一起算（各单位表几千行 × 几个比率）。"""
    n, d = _whole_numbers(nums), _whole_numbers(dens)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = n.astype(float) / d.astype(float) * 100
        fast = (d != 0) & (np.abs(pct) < 1e6)
        if 0 <= digits <= 6:
            scaled = pct * _SCALE[digits]
            fast &= np.abs(scaled - np.floor(scaled) - 0.5) > 1e-6
            # within half a last digit of 0 or 100 without being it: _pct_text gives more decimals
            fast &= ~((pct > 0) & (pct < 100) & ((scaled < 0.5 + 1e-6) | ((100 - pct) * _SCALE[digits] < 0.5 + 1e-6)))
        else:
            fast[:] = False
    spec = f".{digits}f"
    out = [f"{x:{spec}}%（{a}/{b}）" for x, a, b in zip(pct.tolist(), n.tolist(), d.tolist(), strict=True)]
    for i in np.flatnonzero(~fast):     # 分母为 0、接近进位点（…5）或很大：逐个按原规则
        out[i] = fmt_rate(int(n[i]), int(d[i]), digits)
    return out


def _whole_numbers(values) -> np.ndarray:
    """一列计数 → int64：空值为 0，小数截去（与 fmt_rate 的 int() 相同）。"""
    return pd.to_numeric(pd.Series(values), errors="raise").fillna(0).to_numpy().astype(np.int64)


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


def _col(df: pd.DataFrame, c: str) -> pd.Series:
    if c not in df:
        return pd.Series(0.0, index=df.index)
    return pd.to_numeric(df[c], errors="coerce").fillna(0).astype(float)


def trend_units(units: pd.DataFrame, selected=(), n: int = 10) -> tuple[list[str], str]:
    """各单位趋势图画哪些单位：侧栏选了单位就画所选的（超过 n 个取其中最滞后的 n 个），
    否则画滞后评分最高的 n 个单位（有查摆问题的）。→ (unit_id 列表, 中文说明)。"""
    d = units[units["problems"] > 0] if "problems" in units else units
    order = ["lagging_score", "overdue"] if "lagging_score" in d else ["overdue"]
    d = d.sort_values(order, ascending=False, kind="stable")
    if selected:
        d = d[d["unit_id"].isin(list(selected))]
        ids = d["unit_id"].head(n).tolist()
        note = ("侧栏所选单位" if len(d) <= n
                else f"侧栏所选 {len(d)} 个单位中滞后评分最高的 {n} 个")
        return ids, note
    ids = d["unit_id"].head(n).tolist()
    return ids, (f"滞后评分最高的 {len(ids)} 个单位（在侧栏选择单位可查看其他单位）"
                 if len(d) > n else "全部单位")


def unit_table(df: pd.DataFrame, min_items: int) -> pd.DataFrame:
    """unit_progress（已 add_lagging）→ 县区进度显示表：状态、评分、扣分项在前；比率连同分子分母。"""
    def ints(c):
        return _col(df, c).astype(int).tolist()

    def rates(num, den):
        return fmt_rates(ints(num), ints(den))

    rep = [f"按时{o}/{d}" + (f"，未按时{m}次" if m else "") + (f"，待报{p}" if p else "")
           for o, d, m, p in zip(ints("reports_ontime"), ints("reports_due"), ints("reports_missed"),
                                 ints("reports_pending"), strict=True)]
    note = ["" if rankable(n, min_items) else f"问题少于{min_items}个，不参与整改率排名"
            for n in ints("problems")]
    return pd.DataFrame({
        "单位": df["unit_name"].tolist(),
        "状态": [STATE_ICON[s] for s in df["lagging_state"].tolist()],
        "滞后评分": ints("lagging_score"),
        "扣分项": df["lagging_reasons"].tolist(),
        "整改率": rates("done", "problems"),
        "逾期问题": ints("overdue"),
        "台账报送": rep,
        "线索按时办结率": rates("leads_ontime", "leads_ontime_den"),
        "反馈率": rates("leads_feedback", "leads_concluded"),
        "查摆问题数": ints("problems"),
        "销号率": rates("closed", "problems"),
        "反弹问题": ints("relapse"),
        "超期未办结线索": ints("leads_open_overdue"),
        "备注": note,
    })


RELAPSE_BASIS = {
    "台账标注": "台账标注为反弹问题",
    "文字": "案例文字写明反弹/死灰复燃",
    "前期来源": "来源为前期专项整治",
    "推导": "同单位同表现形式整改后再次出现",
}


def relapse_basis_text(code) -> str:
    """反弹判定依据（ETL 写入的代码）→ 中文说明；未知的原样显示。"""
    if _is_missing(code) or code == "":
        return "—"
    return RELAPSE_BASIS.get(str(code), str(code))
