"""会议模式每个议题的一屏（HTML）：第一句话回答议题的问题，下面是几个大数字和前几名。
数据来自 analytics/page_data/meeting.py，版块来自 dashboard/charts/meeting.py。"""
from __future__ import annotations

from html import escape

from analytics.page_data import meeting as md
from dashboard.charts import meeting as mc
from dashboard.charts.county_map import NO_DATA_FILL


def _wrap(*parts: str) -> str:
    return f'<style>{mc.CSS}</style><div class="mt">{"".join(p for p in parts if p)}</div>'


def _head(text: str) -> str:
    return f'<p class="head">{escape(text)}</p>'


def _line(text: str) -> str:
    return f'<p class="line">{escape(text)}</p>'


def _small(text: str) -> str:
    return f'<p class="small">{escape(text)}</p>'


def _change_words(delta: str | None) -> str:
    """标题句里的变化：“较上期提高3.8个百分点”“较上期持平”；没有上期时空。"""
    if delta is None:
        return ""
    if delta == "持平":
        return "，较上期持平"
    verb = "提高" if delta.startswith("+") else "下降"
    return f"，较上期{verb}{delta.lstrip('+-')}"


NO_DATA = "所选统计日没有数据"


def stage(d: md.StageSlide) -> str:
    head = f"整改率{d.completion}{_change_words(d.completion_delta)}" if d.has_problems else f"{NO_DATA}（没有台账问题）"
    where = f"所处阶段：{d.stage}" + (f"（至 {d.stage_end:%Y-%m-%d}）" if d.stage_end else "")
    if d.next_due:
        when = "今天" if d.days_to_next == 0 else f"还有{d.days_to_next}天"
        nxt = f"下一节点：{d.next_due:%Y-%m-%d} {d.next_what or ''}（{when}）"
    else:
        nxt = "方案规定的节点均已过"
    return _wrap(_head(head), mc.stage_strip(d.steps), _line(f"{where}；{nxt}"), mc.cards(d.figures, big=True))


def lagging(d: md.LaggingSlide) -> str:
    if not d.has_units:
        return _wrap(_head(NO_DATA), _small(d.rule))
    if not d.rows:
        return _wrap(_head("当前没有红色或黄色单位"), _line("各单位滞后评分均低于黄色线。"), _small(d.rule))
    head = f"红色{d.n_red}个、黄色{d.n_yellow}个单位滞后"
    rows = [[(mc.chip(r.state), ""), (escape(mc.short_unit(r.unit_name)), ""), (f"{r.score}分", "num"),
             (escape("、".join(r.reasons)), "why"), (escape(r.prev), "num")] for r in d.rows]
    more = _small(f"另有{d.more}个红黄单位未列出，见“县区进度”。") if d.more else ""
    return _wrap(_head(head), mc.table([("状态", ""), ("单位", ""), ("评分", "num"), ("扣分原因", ""),
                                        ("上期", "num")], rows), more, _small("评分规则：" + d.rule))


def county_head(d: md.MapSlide) -> str:
    """“县区分布”的标题句；没有地图配置或没有数据时说明（地图与旁边的表由 dashboard/meeting_map.py 摆放）。"""
    if not d.has_map:
        return _wrap(_head("本专项整治没有配置县区地图"),
                     _line("各单位的滞后状态见“滞后单位”一页。"),
                     _small("需要地图时，在 data/maps/ 下为本专项整治添加地图配置（各单位的辖区边界代码）。"))
    if not d.has_units:
        return _wrap(_head(NO_DATA))
    return _wrap(_head(md.where_sentence(d, mc.short_unit)))


def county_side(d: md.MapSlide) -> str:
    """地图旁：红黄绿图例（各几个单位）、不在地图上的单位及其状态和评分、评分规则。"""
    keys = "".join(f'<span>{mc.chip(s)} {d.counts.get(s, 0)}个</span>' for s in ("红", "黄", "绿"))
    filtered = d.mapped["code"].nunique() < len(d.geojson.get("features", []))   # 筛选了单位：有县区是灰色
    if filtered:
        keys += f'<span><span class="key" style="background:{NO_DATA_FILL}"></span>不在筛选范围</span>'
    parts = [f'<div class="legend big">{keys}</div>']
    if d.others:
        rows = [[(mc.chip(u.state), ""), (escape(mc.short_unit(u.unit_name)), ""), (f"{u.score}分", "num")]
                for u in d.others]
        parts.append('<p class="line">不在地图上的单位（无辖区边界）</p>')
        parts.append(mc.table([("状态", ""), ("单位", ""), ("评分", "num")], rows))
    else:
        parts.append(_line("所选单位都在地图上。" if filtered else "所有单位都在地图上。"))
    parts.append(_small("评分规则：" + d.rule))
    return _wrap(*parts)


def overdue(d: md.OverdueSlide) -> str:
    if not d.has_data:
        return _wrap(_head(NO_DATA))
    if d.by_unit.empty:
        return _wrap(_head("没有逾期未整改的问题和超期未办结的线索"), mc.cards(d.figures, compact=True))
    top = d.by_unit.iloc[0]
    head = (f"逾期问题{d.overdue}个、超期线索{d.leads_overdue}件；"
            f"最多的是{mc.short_unit(top['unit_name'])}（{int(top['total'])}件）")
    rows = [(mc.short_unit(r.unit_name), [int(r.overdue), int(r.leads_open_overdue)],
             f"问题{int(r.overdue)} · 线索{int(r.leads_open_overdue)}") for r in d.by_unit.itertuples()]
    more = f"另有{d.more_units}个单位共{d.more_items}件未列出，见“县区进度”。" if d.more_units else ""
    return _wrap(_head(head), mc.cards(d.figures, compact=True),
                 mc.stacked_bars(rows, mc.OVERDUE_COLOURS, ["逾期未整改问题（个）", "超期未办结线索（件）"], more))


def relapse(d: md.RelapseSlide) -> str:
    if d.total == 0:
        return _wrap(_head("截至统计日没有反弹问题"), mc.cards(d.figures, compact=True))
    head = f"反弹问题{d.total}个，涉及{d.units}个单位；本期新发现{d.new_this_period}个"
    rows = [[(escape(mc.short_unit(r.unit_name)), ""), (escape(r.categories), "why"), (f"{int(r.relapses)}个", "num"),
             (f"{int(r.done)}个", "num")] for r in d.by_unit.itertuples()]
    more = _small(f"另有{d.more_units}个单位未列出，见“反弹问题”。") if d.more_units else ""
    return _wrap(_head(head), mc.cards(d.figures, compact=True),
                 mc.table([("单位", ""), ("问题方面", ""), ("反弹", "num"), ("已整改或销号", "num")], rows), more)


def satisfaction(d: md.SatisfactionSlide) -> str:
    if d.year is None:
        return _wrap(_head("暂无满意度测评数据"))
    if d.low_names:
        names = "、".join(mc.short_unit(n) for n in d.low_names)
        head = f"{d.year}年满意度低的单位{len(d.low_names)}个：{names}"
    else:
        head = f"{d.year}年没有满意度低的单位"
    line = f"总体得分{d.overall}（{d.respondents}份问卷），{d.rankable}个单位参与排名"
    rule = f"满意度低：得分低于{d.low_below:g}分，或排名倒数{d.low_bottom}位（样本足够的单位）。"
    rows = [(mc.short_unit(r.unit_name), float(r.score), bool(r.is_low),
             f"{r.score:.1f}分 · 倒数第{int(r.from_bottom)}") for r in d.bottom.itertuples()]
    unranked = (_small("样本不足、不排名：" + "、".join(mc.short_unit(n) for n in d.unranked) + "。")
                if d.unranked else "")
    return _wrap(_head(head), _line(line), mc.score_bars(rows, d.low_below), _small(rule), unranked)


def supervision(d: md.SupervisionSlide) -> str:
    if d.open_items == 0:
        head = "没有在办的督办事项"
    else:
        head = f"在办督办事项{d.open_items}项：逾期未反馈{d.overdue}项，临近期限{d.due_soon}项"
    rows = [[(mc.chip(r.colour), ""), (escape(mc.short_unit(r.unit_name)), ""), (escape(r.title), "why"),
             (f"{r.deadline:%m-%d}", "num"), (escape(r.days_text), "num")] for r in d.rows.itertuples()]
    listing = mc.table([("等级", ""), ("单位", ""), ("督办事项", ""), ("期限", "num"), ("剩余", "num")], rows) \
        if rows else ""
    more = _small(f"另有{d.more}项未列出，见“督办”。") if d.more else ""
    note = (f"督办事项的期限和颜色按今天（{d.today:%Y-%m-%d}）计算；问题、线索按统计日计算，"
            f"已逾期的问题{d.problems_overdue}个、线索{d.leads_overdue}件见第{md.TOPICS.index('逾期未办') + 1}页。")
    return _wrap(_head(head), mc.cards(d.figures, compact=True), listing, more, _small(note))


# 议题名 → 该页的 HTML（“县区分布”有地图，由 dashboard/meeting_map.py 摆放，不在这里）
RENDER = {"整体进度": stage, "滞后单位": lagging, "逾期未办": overdue, "反弹问题": relapse, "满意度靠后": satisfaction,
          "督办事项": supervision}
