"""简报中的督办部分（.docx 与 .xlsx 共用）：开头的“督办事项跟踪”（上次例会以来的事项、状态、督办等级，
下次例会前到期的事项）与“即将到期”（N 个工作日内到期的问题、线索，各单位到期预警）。
数据来自 BriefData.supervision（状态库）与 BriefData.warning（analytics.page_data.supervision）。"""
from __future__ import annotations

from analytics.supervision_rules import WAITING, rules_text
from reports.brief_tables import Column, Table
from reports.brief_text import md
from reports.safe_cells import clean_value

STATUS_ORDER = ("督办中", "已反馈", "已核查", "已销号")


def days_text(left, status: str) -> str | None:
    """剩余工作日：'3'、期限当天 '0（今日到期）'、已过期限 '逾期2'；只对单位尚未反馈的（督办中）写，
    已反馈、已核查、已销号的期限不再计。"""
    if status != WAITING or clean_value(left) is None:
        return None
    left = int(left)
    if left < 0:
        return f"逾期{-left}"
    return "0（今日到期）" if left == 0 else str(left)


def supervision_summary(data) -> str:
    t = data.supervision
    if t is None:
        return "未读取督办事项。"
    if t.items.empty:
        return f"上次例会（{md(t.last_meeting)}）以来没有在办的督办事项。"
    items = t.items
    counts = "、".join(f"{s}{int((items['status'] == s).sum())}项" for s in STATUS_ORDER
                      if (items["status"] == s).any())
    colour = items["colour"]
    return (f"上次例会（{md(t.last_meeting)}）以来督办事项{len(items)}项：{counts}；"
            f"其中逾期未反馈（红色）{int(items['overdue'].sum())}项，临近期限黄色{int((colour == '黄').sum())}项、"
            f"蓝色{int((colour == '蓝').sum())}项。下次例会（{md(t.next_report)}）前到期{len(t.due_next)}项。")


def supervision_items_table(data) -> Table:
    t = Table("supervision_items", "督办事项跟踪", [
        Column("编号", "int", 1.0), Column("单位", "text", 2.6), Column("来源", "text", 1.5),
        Column("督办事项", "text", 4.4), Column("期限", "date", 2.0), Column("剩余工作日", "text", 1.6),
        Column("状态", "text", 1.9), Column("等级", "state", 1.0)], empty_text="上次例会以来没有在办的督办事项。")
    names = _unit_names(data)
    track = data.supervision
    for _, r in (track.items.iterrows() if track is not None else ()):
        t.rows.append([int(r["id"]), names.get(r["unit_id"], r["unit_id"]), r["source"], r["title"], r["deadline"],
                       days_text(r["working_days_left"], r["status"]), r["state_label"], clean_value(r["colour"])])
    if track is not None:
        t.note = rules_text(track.rules)
    return t


def due_next_table(data) -> Table:
    track = data.supervision
    when = f"（{md(track.next_report)}）" if track is not None else ""
    t = Table("supervision_due", f"下次例会{when}前到期的督办事项", [
        Column("编号", "int", 1.0), Column("单位", "text", 2.6), Column("督办事项", "text", 4.6),
        Column("责任人", "text", 2.0), Column("期限", "date", 2.0), Column("剩余工作日", "text", 1.6),
        Column("状态", "text", 1.6), Column("等级", "state", 1.0)], empty_text="下次例会前没有到期的督办事项。")
    names = _unit_names(data)
    for _, r in (track.due_next.iterrows() if track is not None else ()):
        t.rows.append([int(r["id"]), names.get(r["unit_id"], r["unit_id"]), r["title"], r["owner"], r["deadline"],
                       days_text(r["working_days_left"], r["status"]), r["state_label"], clean_value(r["colour"])])
    return t


def _unit_names(data) -> dict[str, str]:
    return dict(zip(data.units["unit_id"], data.units["unit_name"], strict=True))


# ------------------------------------------------------------------ 即将到期
def due_soon_summary(data) -> str:
    w = data.warning
    n = w.within_days
    units = int(((w.by_unit["problems_due_soon"] + w.by_unit["leads_due_soon"]) > 0).sum())
    text = (f"截至{md(data.as_of)}，{n}个工作日内到期的问题{len(w.problems_due_soon)}个、"
            f"线索{len(w.leads_due_soon)}件（涉及{units}个单位），请相关单位在期限前办结；"
            f"已逾期问题{len(w.problems_overdue)}个、超期未办结线索{len(w.leads_overdue)}件，清单见前文。"
            "剩余工作日为统计日之后到期限当天的工作日数，按法定节假日和调休计算。")
    if w.provisional:
        text += "部分期限所在年度的节假日安排尚未公布，按周一至周五推算。"
    return text


def due_soon_units_table(data) -> Table:
    n = data.warning.within_days
    t = Table("due_soon_units", f"各单位到期预警（{n}个工作日内到期与已逾期）", [
        Column("单位", "text", 3.6), Column("逾期问题", "int", 1.4), Column(f"{n}日内到期问题", "int", 1.6),
        Column("超期未办结线索", "int", 1.6), Column(f"{n}日内到期线索", "int", 1.6),
        Column("最近到期日", "date", 2.2)], empty_text="没有已逾期或即将到期的问题、线索。")
    for _, r in data.warning.by_unit.iterrows():
        t.rows.append([r["unit_name"], int(r["problems_overdue"]), int(r["problems_due_soon"]),
                       int(r["leads_overdue"]), int(r["leads_due_soon"]), r["next_deadline"]])
    t.note = "最近到期日为尚未逾期的问题、线索中最早的期限。"
    return t


def due_soon_problems_table(data) -> Table:
    t = Table("due_soon_problems", f"{data.warning.within_days}个工作日内到期的问题", [
        Column("单位", "text", 2.8), Column("问题方面", "text", 2.2), Column("具体问题", "text", 5.4),
        Column("整改时限", "date", 2.1), Column("剩余工作日", "int", 1.3), Column("等级", "state", 1.0),
        Column("当前状态", "text", 1.4), Column("责任部门、责任人", "text", 2.4)],
        empty_text="没有即将到期的问题。")
    for _, r in data.warning.problems_due_soon.iterrows():
        t.rows.append([r["unit_name"], r["category"], r["case_text"], r["deadline"], int(r["working_days_left"]),
                       clean_value(r["colour"]), r["status"], r["responsible"]])
    return t


def due_soon_leads_table(data) -> Table:
    t = Table("due_soon_leads", f"{data.warning.within_days}个工作日内到期的线索", [
        Column("线索编号", "text", 3.4), Column("承办单位", "text", 2.8), Column("线索来源", "text", 1.8),
        Column("问题方面", "text", 2.0), Column("问题摘要", "text", 4.2), Column("办理期限", "date", 2.0),
        Column("剩余工作日", "int", 1.3), Column("等级", "state", 1.0)], empty_text="没有即将到期的线索。")
    for _, r in data.warning.leads_due_soon.iterrows():
        t.rows.append([r["lead_id"], r["unit_name"], r["channel"], r["category"], r["summary"], r["due_date"],
                       int(r["working_days_left"]), clean_value(r["colour"])])
    t.note = "不含投诉人信息。"
    return t


def opening_tables(data) -> list[Table]:
    """简报开头：督办事项跟踪、下次例会前到期。"""
    return [supervision_items_table(data), due_next_table(data)]


def due_soon_tables(data) -> list[Table]:
    """“即将到期”一节（没有预警数据时为空）。"""
    if data.warning is None:
        return []
    return [due_soon_units_table(data), due_soon_problems_table(data), due_soon_leads_table(data)]
