"""督办通知单（.docx，一个单位一份）：专班办公室名称、编号“督办〔2023〕N号”，该单位截至统计日的逾期未整改问题、
超期未办结线索（queries/brief_overdue_problems.sql、brief_leads_overdue.sql，在该单位的数据范围内执行：
analytics.scope，只看得到本单位的行）、未销号的督办事项（状态库，只取该单位的）及期限、督办等级。

下发即记录：通知单编号写到该单位每个未销号的督办事项上（state.supervision.record_notice，事项历史“下发通知单”、
审计日志 supervision_noticed）；没有督办事项的单位也记一条同样的审计日志。编号按年度顺排：取状态库里已用过的
同前缀、同年度编号（审计日志与事项上的）的最大号加一。不含投诉人、电话。
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from docx.enum.text import WD_ALIGN_PARAGRAPH

from analytics.filters import Filters
from analytics.page_data.supervision import items_with_escalation, rules_for
from analytics.page_data.unit_progress import units_with_lagging
from analytics.queries import QueryRunner
from analytics.scope import UnitScope
from analytics.supervision_rules import default_deadline, rules_text
from etl.config import Supervision
from etl.normalize.workdays import working_day_ages
from reports import brief_docx as bd
from reports.brief_supervision import days_text
from reports.brief_tables import Column, Table
from reports.brief_text import ymd
from reports.output import save_document

NOTICED_ACTION = "supervision_noticed"


def notice_number(prefix: str, year: int, seq: int) -> str:
    return f"{prefix}〔{year}〕{seq}号"


def next_notice_seq(store, prefix: str, year: int) -> int:
    """本年度下一个编号：审计日志（每次下发都记）与督办事项上已用过的同前缀、同年度编号的最大号加一。"""
    from state.audit import list_events
    from state.supervision import list_items

    pattern = re.compile(re.escape(f"{prefix}〔{year}〕") + r"(\d+)号")
    used = list(list_events(store, action=NOTICED_ACTION, limit=None)["target"])
    used += [n for n in list_items(store)["notice_number"] if isinstance(n, str)]
    return max((int(m[1]) for n in used if (m := pattern.fullmatch(n.strip()))), default=0) + 1


@dataclass
class NoticeData:
    campaign: dict           # campaigns 表一行（office、name、doc_number）
    unit_id: str
    unit_name: str
    as_of: date
    number: str              # 督办〔2023〕N号
    reply_by: date           # 反馈期限：统计日后第 default_working_days 个工作日
    problems: pd.DataFrame   # 逾期未整改问题 + working_days_overdue
    leads: pd.DataFrame      # 超期未办结线索 + working_days_overdue
    items: pd.DataFrame      # 未销号的督办事项 + colour、working_days_left、state_label
    rules: Supervision


def collect_notice(runner: QueryRunner, store, campaign_id: str, unit_id: str, as_of: date,
                   number: str) -> NoticeData:
    """一个单位的通知单内容；查询限定在该单位（及该专项整治）的数据范围内。"""
    from state.supervision import list_items

    scope = UnitScope(unit_id, campaign_id)
    q = runner.scoped(scope)
    camp = q.run("campaigns")
    units = q.run("units", campaign_id=campaign_id)
    if camp.empty or units.empty:
        raise ValueError(f"数据库中没有专项整治 {campaign_id} 的单位 {unit_id}")
    p = {"campaign_id": campaign_id, "as_of": as_of, "units": [], "categories": [], "channels": []}
    problems = q.run("brief_overdue_problems", **p)
    problems["working_days_overdue"] = working_day_ages(problems["deadline"], as_of)
    leads = q.run("brief_leads_overdue", **p)
    leads["working_days_overdue"] = working_day_ages(leads["due_date"], as_of)
    rules = rules_for(campaign_id)
    items = list_items(store, campaign_id=campaign_id, scope=scope)
    items = items_with_escalation(items[items["status"] != "已销号"].reset_index(drop=True), as_of, rules)
    return NoticeData(camp.iloc[0].to_dict(), unit_id, str(units.iloc[0]["name"]), as_of, number,
                      default_deadline(as_of, rules), problems, leads, items, rules)


def red_units(runner: QueryRunner, campaign_id: str, as_of: date) -> list[str]:
    """统计日滞后评分为红色的单位（按单位顺序）。"""
    camps = runner.run("campaigns")
    camp = camps[camps["campaign_id"] == campaign_id]
    if camp.empty:
        raise ValueError(f"数据库中没有专项整治：{campaign_id}")
    f = Filters(campaign_id, as_of, None, campaign=camp.iloc[0].to_dict())
    units = units_with_lagging(runner.run, f)
    return units.loc[units["lagging_state"] == "红", "unit_id"].tolist()


# ------------------------------------------------------------------ document
def problems_table(d: NoticeData) -> Table:
    t = Table("notice_problems", f"一、逾期未整改问题（{len(d.problems)}个）", [
        Column("序号", "int", 1.0), Column("问题方面", "text", 2.2), Column("具体问题", "text", 6.0),
        Column("整改时限", "date", 2.2), Column("逾期工作日", "int", 1.4), Column("当前状态", "text", 1.5),
        Column("责任部门、责任人", "text", 2.6)], empty_text="截至统计日，你单位没有逾期未整改的问题。")
    for i, (_, r) in enumerate(d.problems.iterrows(), 1):
        t.rows.append([i, r["category"], r["case_text"], r["deadline"], int(r["working_days_overdue"]), r["status"],
                       r["responsible"]])
    t.note = "逾期：整改时限为具体日期、早于统计日、仍为未整改或整改中（立行立改、长期推进不计）。"
    return t


def leads_table(d: NoticeData) -> Table:
    wd = int(d.campaign.get("lead_working_days") or 5)
    t = Table("notice_leads", f"二、超过办理时限（{wd}个工作日）未办结的线索（{len(d.leads)}件）", [
        Column("序号", "int", 1.0), Column("线索编号", "text", 3.4), Column("线索来源", "text", 1.8),
        Column("问题方面", "text", 2.0), Column("问题摘要", "text", 4.6), Column("办理期限", "date", 2.0),
        Column("超期工作日", "int", 1.4)], empty_text="截至统计日，你单位没有超期未办结的线索。")
    for i, (_, r) in enumerate(d.leads.iterrows(), 1):
        t.rows.append([i, r["lead_id"], r["channel"], r["category"], r["summary"], r["due_date"],
                       int(r["working_days_overdue"])])
    t.note = "工作日按法定节假日和调休计算；不含投诉人信息。"
    return t


def items_table(d: NoticeData) -> Table:
    t = Table("notice_items", f"三、未销号的督办事项（{len(d.items)}项）", [
        Column("编号", "int", 1.0), Column("来源", "text", 1.6), Column("督办事项", "text", 3.6),
        Column("督办要求", "text", 4.4), Column("期限", "date", 2.0), Column("剩余工作日", "text", 1.6),
        Column("状态", "text", 1.8), Column("等级", "state", 1.0)], empty_text="你单位没有未销号的督办事项。")
    for _, r in d.items.iterrows():
        t.rows.append([int(r["id"]), r["source"], r["title"], r["requirement"], r["deadline"],
                       days_text(r["working_days_left"], r["status"]), r["state_label"], r["colour"]])
    t.note = rules_text(d.rules)
    return t


def opening_text(d: NoticeData) -> str:
    c = d.campaign
    overdue_items = int(d.items["overdue"].sum()) if not d.items.empty else 0
    return (f"根据{c['name']}（{c['doc_number']}）工作安排，经专班核查，截至{ymd(d.as_of)}，你单位尚有"
            f"逾期未整改问题{len(d.problems)}个、超期未办结线索{len(d.leads)}件、未销号的督办事项{len(d.items)}项"
            f"（其中逾期未反馈{overdue_items}项）。现予督办，请对照下列清单逐项整改落实。")


def closing_text(d: NoticeData) -> str:
    return (f"请于{ymd(d.reply_by)}前将整改落实情况（附佐证材料）书面反馈{d.campaign['office']}；"
            "督办事项在看板“督办”页逐项反馈。逾期未反馈或整改不到位的，将按规定予以通报、约谈。")


def build_notice(d: NoticeData):
    doc = bd.new_document()
    center = WD_ALIGN_PARAGRAPH.CENTER
    bd.para(doc, d.campaign["office"], bd.TITLE_FONT, 16, True, center, space_after=4, color="C00000")
    bd.para(doc, "督办通知单", bd.TITLE_FONT, 22, True, center, space_after=4)
    bd.red_rule(bd.para(doc, d.number, bd.BODY_FONT, 14, False, center, space_after=10))
    bd.para(doc, f"{d.unit_name}：", bd.BODY_FONT, 14, space_after=4)
    bd.para(doc, opening_text(d), size=14, indent=True)
    for t in (problems_table(d), leads_table(d), items_table(d)):
        bd.add_table(doc, t)
    bd.para(doc, closing_text(d), size=14, indent=True, space_after=18)
    right = WD_ALIGN_PARAGRAPH.RIGHT
    bd.para(doc, d.campaign["office"], size=14, align=right, space_after=2)
    bd.para(doc, ymd(d.as_of), size=14, align=right)
    return doc


def write_notice(d: NoticeData, out: str | Path | None = None) -> bytes | Path:
    return save_document(build_notice(d), out)


def notice_file_name(d: NoticeData) -> str:
    return f"督办通知单_{d.number}_{d.unit_name}.docx"


# ------------------------------------------------------------------ issue = number + write + record
def issue_notice(runner: QueryRunner, store, campaign_id: str, unit_id: str, as_of: date, actor: str,
                 out_dir: str | Path | None = None) -> tuple[NoticeData, bytes | Path]:
    """编号、生成、记录一份通知单：out_dir 给出时写到其中（返回路径），否则返回字节（页面下载）。"""
    from state.audit import record
    from state.supervision import record_notice

    rules = rules_for(campaign_id)
    number = notice_number(rules.notice_prefix, as_of.year, next_notice_seq(store, rules.notice_prefix, as_of.year))
    d = collect_notice(runner, store, campaign_id, unit_id, as_of, number)
    result = write_notice(d, None if out_dir is None else Path(out_dir) / notice_file_name(d))
    ids = [int(i) for i in d.items["id"]]
    if ids:
        record_notice(store, ids, number, actor)
    else:  # the same audit row record_notice writes, for a unit with no open item
        record(store, actor, NOTICED_ACTION, target=number, detail={"items": [], "unit_ids": [unit_id]})
    return d, result
