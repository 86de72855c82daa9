"""简报文字：标题块与开头一段（公文用语），数字全部来自 BriefData（即看板的同一批查询）。"""
from __future__ import annotations

from datetime import date, timedelta

from analytics import lagging, metrics
from analytics.queries import to_date
from etl.lagging_config import LaggingRules


def md(d: date) -> str:
    return f"{d.month}月{d.day}日"


def ymd(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def pct1(num, den) -> str:
    """The dashboard's rounding (half up; short of 100 % never 100.0 %): metrics.fmt_pct."""
    return metrics.fmt_pct(metrics.rate(num, den))


def pp_rounded(pp: float | None) -> float | None:
    """百分点变化四舍五入到一位小数（与看板 metrics.fmt_pp 同一舍入，不用银行家舍入）。"""
    return None if pp is None else float(metrics.round_half_up(pp, 1))


def pp_value(data, num: str, den: str) -> float | None:
    """本期与上期比率之差（百分点），保留一位小数。"""
    if data.kpi_prev is None:
        return None
    return pp_rounded(metrics.pp_change(metrics.rate(data.kpi[num], data.kpi[den]),
                                        metrics.rate(data.kpi_prev[num], data.kpi_prev[den])))


def lagging_thresholds(short: bool = False, rules: LaggingRules | None = None) -> str:
    """红黄绿的分数线，取自专项整治配置的滞后评分表（与评分同一张表）；rules 不给时用默认表。"""
    return lagging.thresholds_text(rules, short=short)


def prev_label(data) -> str:
    """“上周” 或 “上期（9月18日）”。"""
    if data.week_gap == 7:
        return "上周"
    return f"上期（{md(data.prev_as_of)}）"


def pp_phrase(data, num: str, den: str) -> str:
    pp = pp_value(data, num, den)
    if pp is None:
        return ""
    if pp == 0:
        return f"，与{prev_label(data)}持平"
    return f"，较{prev_label(data)}{'提高' if pp > 0 else '下降'}{abs(pp):.1f}个百分点"


def count_phrase(data, col: str, unit: str) -> str:
    if data.kpi_prev is None:
        return ""
    d = int(data.kpi[col]) - int(data.kpi_prev[col])
    if d == 0:
        return f"，与{prev_label(data)}持平"
    return f"，较{prev_label(data)}{'增加' if d > 0 else '减少'}{abs(d)}{unit}"


def issue_number(data) -> int:
    """期数：专项整治开始后第几个周报日（含统计日所在周）。"""
    start = to_date(data.campaign["start_date"])
    wd = int(data.campaign.get("weekly_report_weekday") or 4)
    first = start + timedelta(days=(wd - start.isoweekday()) % 7)
    if data.as_of < first:
        return 1
    return (data.as_of - first).days // 7 + 1 + (1 if data.as_of.isoweekday() != wd else 0)


def title_block(data) -> dict[str, str]:
    c = data.campaign
    period_start = data.prev_as_of + timedelta(days=1) if data.prev_as_of else to_date(c["start_date"])
    return {
        "title": f"{c['short_name']}工作简报" + (f"（{data.scope_name}）" if data.scope_name else ""),
        "issue": f"第{issue_number(data)}期",
        "office": c["office"],
        "date": ymd(data.as_of),
        "period": f"统计期间：{ymd(period_start)}至{ymd(data.as_of)}",
        "compared": compared_note(data),
        "basis": (f"数据来源：截至{ymd(data.as_of)}各单位报送的整改工作台账、问题线索登记表"
                  "和执法满意度测评结果；口径与专班看板一致。"),
        "doc": f"依据：{c['name']}（{c['doc_number']}）",
    }


def compared_note(data) -> str:
    """简报印出的对比说明，与看板同一句（analytics.comparison.sentence）。"""
    if data.prev_as_of is None:
        return f"{data.compared}。"
    return f"本简报的“较上期”变化均为{data.compared}。"


def opening_paragraph(data) -> str:
    """“截至9月21日，全市共查摆问题N个，已整改M个……” 全部数字来自 kpi_overview / unit_progress。"""
    k = data.kpi
    region = data.scope_name or data.campaign.get("region_label") or "全市"  # a unit's brief speaks of the unit
    parts = [
        f"截至{md(data.as_of)}，{region}共查摆问题{int(k['problems'])}个，"
        f"已整改{int(k['done'])}个（其中已销号{int(k['closed'])}个），"
        f"整改率{pct1(k['done'], k['problems'])}{pp_phrase(data, 'done', 'problems')}；"
        f"销号率{pct1(k['closed'], k['problems'])}{pp_phrase(data, 'closed', 'problems')}；",
        f"逾期未整改问题{int(k['overdue'])}个{count_phrase(data, 'overdue', '个')}；"
        f"长期推进问题{int(k['long_term'])}个，反弹问题{int(k['relapse'])}个；",
        f"受理问题线索{int(k['leads_received'])}件，已办结{int(k['leads_concluded'])}件，"
        f"按时办结率{pct1(k['leads_ontime'], k['leads_ontime_den'])}"
        f"{pp_phrase(data, 'leads_ontime', 'leads_ontime_den')}，"
        f"反馈率{pct1(k['leads_feedback'], k['leads_concluded'])}，"
        f"超期未办结线索{int(k['leads_open_overdue'])}件{count_phrase(data, 'leads_open_overdue', '件')}。",
    ]
    red = data.units[data.units["lagging_state"] == "红"]["unit_name"].tolist()
    yellow = data.units[data.units["lagging_state"] == "黄"]["unit_name"].tolist()
    if red or yellow:
        s = "按滞后评分，"
        if red:
            s += f"红色单位{len(red)}个（{'、'.join(red)}）"
        if yellow:
            s += ("，" if red else "") + f"黄色单位{len(yellow)}个（{'、'.join(yellow)}）"
        parts.append(s + "。")
    else:
        parts.append("各单位滞后评分均为绿色。")
    st = data.stage
    if st.get("current_stage"):
        dl = to_date(st.get("current_stage_deadline"))
        parts.append(f"目前处于{st['current_stage']}阶段" + (f"（至{md(dl)}）" if dl else "") + "。")
    return "".join(parts)


def lagging_rule_sentence(data) -> str:
    """滞后评分规则（各扣分项与红黄绿分数线）：与看板“滞后评分规则”同一段文字，由专项整治配置 [lagging] 生成。"""
    return "".join(lagging.rules_text(lagging.for_campaign(data.campaign_id), data.min_items))


def lagging_summary(data) -> str:
    lag = data.lagging
    if lag.empty:
        head = "本期无红色、黄色滞后单位。"
    else:
        red = int((lag["lagging_state"] == "红").sum())
        yellow = int((lag["lagging_state"] == "黄").sum())
        head = f"本期滞后评分红色单位{red}个、黄色单位{yellow}个。"
    return head + "扣分规则：" + lagging_rule_sentence(data)


def followup_summary(data) -> str:
    fu = data.followup
    if fu is None:
        return "本期为首期简报（上期统计日前尚无台账数据），无上期督办事项。"
    u, p = fu.units, fu.problems
    improved = int(u["change"].str.startswith("已改善").sum()) if not u.empty else 0
    done = int(p["outcome"].isin(["已整改", "已销号"]).sum()) if not p.empty else 0
    still = int((p["outcome"] == "仍逾期").sum()) if not p.empty else 0
    lt = int((p["outcome"] == "转为长期推进").sum()) if not p.empty else 0
    return (f"上期（{md(data.prev_as_of)}）通报滞后单位{len(u)}个，本期已改善{improved}个、"
            f"未改善或加重{len(u) - improved}个；上期逾期问题{len(p)}个，本期已整改（含销号）{done}个，"
            f"转为长期推进{lt}个，仍逾期{still}个。")
