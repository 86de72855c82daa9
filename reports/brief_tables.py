"""简报中的表格（一次定义，.docx 和 .xlsx 共用同样的行和列）。

每列有类型：text 文字、int 整数、rate 比率（值为 (分子, 分母)，docx 显示“63.1%（111/176）”，
xlsx 写成百分比数字）、date 日期、score 分数（一位小数）、state 红/黄/绿、
dint 计数变化（+3/-2/持平）、dpp 比率变化（百分点）。
"""
from __future__ import annotations

from dataclasses import dataclass, field

from analytics import lagging, metrics
from analytics.queries import to_date
from reports import brief_text as tx
from reports.safe_cells import clean_value


@dataclass
class Column:
    header: str
    kind: str = "text"
    width: float = 2.0      # 厘米（docx）；xlsx 按比例换算


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    note: str = ""
    empty_text: str = "无。"


def display(value, kind: str) -> str:
    value = value if isinstance(value, tuple) else clean_value(value)
    if value is None:
        return "—"
    if kind == "rate":
        return metrics.fmt_rate(*value)
    if kind == "date":
        d = to_date(value)
        return f"{d:%Y-%m-%d}" if d else "—"
    if kind == "score":
        return f"{float(value):.1f}"
    if kind == "dint":
        return "持平" if value == 0 else f"{int(value):+d}"
    if kind == "dpp":
        return metrics.fmt_pp(value) or "—"
    if kind == "int":
        return str(int(value))
    return str(value)


def _rate_tuple(row, num, den):
    return (int(row[num]), int(row[den]))


def kpi_table(data) -> Table:
    k, p = data.kpi, data.kpi_prev
    t = Table("kpi", "关键指标", [Column("指标", "text", 4.2), Column("本期", "rate", 3.8),
                                   Column("上期", "rate", 3.8), Column("变化", "text", 3.0)])
    counts = [("查摆问题数", "problems"), ("已整改（含已销号）", "done"), ("其中：已销号", "closed"),
              ("逾期问题", "overdue"), ("长期推进", "long_term"), ("反弹问题", "relapse")]
    rates = [("整改率", "done", "problems"), ("销号率", "closed", "problems")]
    lead_counts = [("受理线索", "leads_received"), ("已办结线索", "leads_concluded"),
                   ("超期未办结线索", "leads_open_overdue")]
    lead_rates = [("线索按时办结率", "leads_ontime", "leads_ontime_den"),
                  ("反馈率", "leads_feedback", "leads_concluded"),
                  ("属实率", "leads_found", "leads_with_finding")]
    # 每行：[指标, 本期值, 上期值, 变化]；值的类型逐行不同，用 (kind, value) 标注
    for label, col in counts[:3]:
        t.rows.append(_kpi_count(label, col, k, p))
    for label, num, den in rates:
        t.rows.append(_kpi_rate(label, num, den, k, p))
    for label, col in counts[3:]:
        t.rows.append(_kpi_count(label, col, k, p))
    for label, col in lead_counts:
        t.rows.append(_kpi_count(label, col, k, p))
    for label, num, den in lead_rates:
        t.rows.append(_kpi_rate(label, num, den, k, p))
    if data.satisfaction is not None and not data.satisfaction.empty:
        s = data.satisfaction
        n = int(s["responses"].sum())
        w = float((s["score"] * s["responses"]).sum() / n) if n else None
        t.rows.append([("text", f"满意度得分（{int(s['survey_year'].iloc[0])}年测评，按样本加权）"),
                       ("score", w), ("text", None), ("text", None)])
    t.note = "“已整改”含已销号；整改率 =（已整改＋已销号）÷ 查摆问题数；口径见看板“指标说明”。"
    t.note += tx.compared_note(data)
    return t


def _kpi_count(label, col, k, p):
    cur = int(k[col])
    prev = None if p is None else int(p[col])
    return [("text", label), ("int", cur), ("int", prev),
            ("dint", None if prev is None else cur - prev)]


def _kpi_rate(label, num, den, k, p):
    cur = (int(k[num]), int(k[den]))
    prev = None if p is None else (int(p[num]), int(p[den]))
    pp = None
    if p is not None:
        pp = tx.pp_rounded(metrics.pp_change(metrics.rate(*cur), metrics.rate(*prev)))
    return [("text", label), ("rate", cur), ("rate", prev), ("dpp", pp)]


def unit_table(data) -> Table:
    t = Table("units", "各单位整改进度", [
        Column("单位", "text", 3.2), Column("状态", "state", 1.0), Column("滞后评分", "int", 1.1),
        Column("查摆问题", "int", 1.1), Column("整改率", "rate", 2.2), Column("销号率", "rate", 2.2),
        Column("逾期问题", "int", 1.1), Column("反弹问题", "int", 1.1),
        Column("超期未办结线索", "int", 1.3), Column("扣分项", "text", 4.4)])
    for _, r in data.units.iterrows():
        t.rows.append([r["unit_name"], r["lagging_state"], int(r["lagging_score"]), int(r["problems"]),
                       _rate_tuple(r, "done", "problems"), _rate_tuple(r, "closed", "problems"),
                       int(r["overdue"]), int(r["relapse"]), int(r["leads_open_overdue"]),
                       r["lagging_reasons"]])
    t.note = f"状态按滞后评分：{tx.lagging_thresholds(rules=lagging.for_campaign(data.campaign_id))}。"
    return t


def lagging_table(data) -> Table:
    t = Table("lagging", "滞后单位及原因", [
        Column("单位", "text", 3.6), Column("状态", "state", 1.1), Column("滞后评分", "int", 1.2),
        Column("较上期", "dint", 1.3), Column("扣分项（原因）", "text", 6.0), Column("建议", "text", 3.5)],
        empty_text="本期无红色、黄色滞后单位。")
    prev = (data.units_prev.set_index("unit_id")["lagging_score"]
            if data.units_prev is not None else None)
    for _, r in data.lagging.iterrows():
        d = None if prev is None else int(r["lagging_score"]) - int(prev.get(r["unit_id"], 0))
        advice = lagging.STATE_ADVICE[r["lagging_state"]]  # 与规则说明同一措辞
        t.rows.append([r["unit_name"], r["lagging_state"], int(r["lagging_score"]), d,
                       r["lagging_reasons"], advice])
    return t


def overdue_table(data) -> Table:
    t = Table("overdue", "逾期问题清单", [
        Column("单位", "text", 2.8), Column("问题方面", "text", 2.2), Column("具体问题", "text", 6.2),
        Column("整改时限", "date", 2.2), Column("逾期天数", "int", 1.3), Column("当前状态", "text", 1.5),
        Column("责任部门、责任人", "text", 2.6)], empty_text="本期无逾期问题。")
    for _, r in data.overdue.iterrows():
        t.rows.append([r["unit_name"], r["category"], r["case_text"], r["deadline"], int(r["days_overdue"]),
                       r["status"], r["responsible"]])
    t.note = "逾期：整改时限为具体日期、早于统计日、仍为未整改或整改中（立行立改、长期推进不计）。"
    return t


def leads_overdue_table(data) -> Table:
    wd = int(data.campaign.get("lead_working_days") or 5)
    t = Table("leads_overdue", f"超过办理时限（{wd}个工作日）未办结的线索", [
        Column("线索编号", "text", 3.4), Column("承办单位", "text", 2.8), Column("线索来源", "text", 1.8),
        Column("问题方面", "text", 2.0), Column("问题摘要", "text", 4.6), Column("交办日期", "date", 2.0),
        Column("办理期限", "date", 2.0), Column("超期工作日", "int", 1.4)],
        empty_text="本期无超期未办结线索。")
    for _, r in data.leads_overdue.iterrows():
        t.rows.append([r["lead_id"], r["unit_name"], r["channel"], r["category"], r["summary"],
                       r["assigned_date"], r["due_date"], int(r["working_days_overdue"])])
    t.note = "办理期限按国务院节假日安排（含调休上班日）计算工作日；不含投诉人信息。"
    return t


def relapse_table(data) -> Table:
    t = Table("relapses", "反弹问题", [
        Column("单位", "text", 2.8), Column("问题方面", "text", 2.2), Column("具体问题", "text", 5.6),
        Column("判定依据", "text", 2.2), Column("当前状态", "text", 1.5), Column("首次报告", "date", 2.1),
        Column("前期问题", "text", 4.0)], empty_text="本期无反弹问题。")
    for _, r in data.relapses.iterrows():
        earlier = None
        if bool(clean_value(r.get("earlier_found"))):
            earlier = f"{r['earlier_case_text']}（{r['earlier_status']}）"
        t.rows.append([r["unit_name"], r["category"], r["case_text"], metrics.relapse_basis_text(r["relapse_basis"]),
                       r["status"],
                       r["first_reported"], earlier])
    return t


def satisfaction_table(data) -> Table | None:
    s = data.satisfaction
    if s is None or s.empty:
        return None
    c = data.campaign
    t = Table("satisfaction", f"执法满意度排名（{int(s['survey_year'].iloc[0])}年测评）", [
        Column("排名", "int", 1.2), Column("单位", "text", 4.0), Column("样本量（份）", "int", 1.8),
        Column("满意度得分", "score", 1.8), Column("评价", "text", 5.0)])
    summary_units = 0
    for _, r in s.iterrows():
        rankable = bool(clean_value(r["rankable"]))
        responses = clean_value(r["responses"])
        if not rankable and responses is None:
            note = "汇总表未填样本量，不参与排名"
        elif not rankable:
            note = f"样本不足{int(c.get('survey_min_responses') or 0)}份，不参与排名"
        elif bool(clean_value(r["is_low"])):
            note = "满意度低或排名靠后，建议约谈主要负责人"
        else:
            note = ""
        if clean_value(r.get("source")) == "汇总表":
            summary_units += 1
            note = "；".join(x for x in ("来自汇总表", note) if x)
        t.rows.append([clean_value(r["rank"]), r["unit_name"], None if responses is None else int(responses),
                       float(r["score"]), note])
    t.note = (f"得分 = 平均分 × 20（百分制）；低于{c.get('survey_low_score_below'):g}分或排名倒数"
              f"{int(c.get('survey_low_rank_bottom') or 0)}位为“满意度低”。")
    if summary_units:
        t.note += ("“来自汇总表”的单位没有逐份问卷，得分取各单位报送的满意度汇总表（无得分时用满意率），"
                   "样本量为表中样本量。")
    return t


def followup_units_table(data) -> Table | None:
    if data.followup is None:
        return None
    t = Table("followup_units", "上期督办事项跟踪：滞后单位", [
        Column("单位", "text", 3.6), Column("上期状态", "state", 1.3), Column("上期评分", "int", 1.3),
        Column("本期状态", "state", 1.3), Column("本期评分", "int", 1.3), Column("跟踪结果", "text", 2.6),
        Column("本期扣分项", "text", 5.0)], empty_text="上期无红色、黄色滞后单位。")
    for _, r in data.followup.units.iterrows():
        t.rows.append([r["unit_name"], r["prev_state"], int(r["prev_score"]), r["state"], int(r["score"]),
                       r["change"], r["reasons"]])
    return t


def followup_problems_table(data) -> Table | None:
    if data.followup is None:
        return None
    t = Table("followup_problems", "上期督办事项跟踪：上期逾期问题", [
        Column("单位", "text", 2.8), Column("具体问题", "text", 6.0), Column("整改时限", "date", 2.2),
        Column("上期状态", "text", 1.6), Column("本期状态", "text", 1.6), Column("跟踪结果", "text", 2.2)],
        empty_text="上期无逾期问题。")
    for _, r in data.followup.problems.iterrows():
        t.rows.append([r["unit_name"], r["case_text"], r["deadline"], r["prev_status"], r["status"],
                       r["outcome"]])
    return t


def all_tables(data) -> list[Table]:
    """简报的全部表格，与 .docx 同序：督办事项跟踪在前，即将到期在超期线索之后。"""
    from reports import brief_supervision as bs  # it builds on Table / Column above

    ts = [*bs.opening_tables(data), kpi_table(data), unit_table(data), lagging_table(data), overdue_table(data),
          leads_overdue_table(data), *bs.due_soon_tables(data), relapse_table(data), satisfaction_table(data),
          followup_units_table(data), followup_problems_table(data)]
    return [t for t in ts if t is not None]


def cell_kind(table: Table, row: list, i: int) -> tuple[str, object]:
    """(类型, 值)：KPI 表的行自带 (kind, value)，其它表按列类型。"""
    v = row[i]
    if table.key == "kpi":
        return v
    return table.columns[i].kind, v
