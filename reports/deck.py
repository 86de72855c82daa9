"""会议幻灯片（.pptx，16:9）：与工作简报同一份数据（reports.brief_data.collect → BriefData）、同一批图
（reports.charts_png）、同样的表格行（reports.brief_tables），一页一个议题：

封面；整体进展；滞后单位；逾期问题；线索办理；反弹问题；满意度；督办事项。

每页页脚写明范围与筛选、上期统计日和“数据截至 YYYY-MM-DD”。表格只放一页放得下的行，其余注明
“另有 N 个，见简报”。单位账号的幻灯片只含本单位（collect(..., scope_unit=...)），标题写明单位。
"""
from __future__ import annotations

from pathlib import Path

from analytics import lagging
from reports import brief_supervision as bs
from reports import brief_tables as bt
from reports import brief_text as tx
from reports import deck_layout as L
from reports.charts_png import brief_charts
from reports.deck_cards import kpi_cards
from reports.deck_layout import Col, Run
from reports.output import save_document

TOPICS = ("整体进展", "滞后单位", "逾期问题", "线索办理", "反弹问题", "满意度", "督办事项")
TABLE_PT = 15
BODY_PT = 18


def stamp(data) -> str:
    return f"数据截至 {data.as_of:%Y-%m-%d}"


def scope_text(data) -> str:
    """页脚：范围、筛选、比较的上期。"""
    if data.scope_name:
        scope = f"范围：{data.scope_name}（单位账号，仅本单位）"
    else:
        scope = f"范围：{data.campaign.get('region_label') or '全市'}全部{len(data.units)}个单位"
    return f"{scope}｜问题方面、来源渠道：全部｜{data.compared}"  # 看板、简报印的同一句


class Deck:
    def __init__(self, data):
        self.data = data
        self.prs = L.new_presentation()
        self.charts = dict((title.split(" ")[0], png) for title, png in brief_charts(data))

    def slide(self, title: str, aside: str = ""):
        s = L.blank_slide(self.prs)
        L.header(s, title, aside)
        L.footer(s, scope_text(self.data), stamp(self.data), f"{len(self.prs.slides)}/{len(TOPICS) + 1}")
        return s

    def table(self, s, source: bt.Table, cols: list[Col], top: float, noun: str, sort_by: str | None = None,
              bottom: float = L.BODY_BOTTOM, left: float = L.MARGIN, size: float = TABLE_PT) -> float:
        """brief_tables 的表（同样的行）取几列画到幻灯片；放不下的行数注明“另有 N 个，见简报”。"""
        if not source.rows:
            return L.paragraph_box(s, left, top, sum(c.width for c in cols), source.empty_text, BODY_PT, 2,
                                   color=L.GREY)
        idx = [[c.header for c in source.columns].index(c.header) for c in cols]
        rows = list(source.rows)
        if sort_by is not None:
            k = [c.header for c in source.columns].index(sort_by)
            rows.sort(key=lambda r: -(r[k] or 0))
        texts = [[bt.display(r[i], source.columns[i].kind) for i in idx] for r in rows]
        fills = [[L.STATE_FILL.get(r[i]) if source.columns[i].kind == "state" else None for i in idx]
                 for r in rows]
        note_h = L.text_height(1, 14) + 0.05
        end, shown = L.table(s, cols, texts, left, top, bottom - top - note_h, size, fills, name=source.key)
        if shown < len(rows):
            more = f"另有 {len(rows) - shown} 个{noun}" if shown else f"共 {len(rows)} 个{noun}，本页放不下"
            L.paragraph_box(s, left, end + 0.05, sum(c.width for c in cols), f"{more}，见简报。", 14, 1,
                            color=L.GREY, name="另有")
            end += note_h
        return end

    # ------------------------------------------------------------------ 各页
    def title_slide(self) -> None:
        d, tb = self.data, tx.title_block(self.data)
        s = L.blank_slide(self.prs)
        band = s.shapes.add_shape(1, 0, L.Inches(1.55), L.Inches(L.SLIDE_W), L.Inches(2.5))
        band.fill.solid()
        band.fill.fore_color.rgb = L.RGBColor.from_string(L.NAVY)
        band.line.fill.background()
        title = L.clip(tb["title"], L.BODY_W, 36, 2)
        L.textbox(s, L.MARGIN, 1.65, L.BODY_W, 1.6, [[Run(title, 36, True, "FFFFFF")]],
                  align=L.PP_ALIGN.CENTER, anchor=L.MSO_ANCHOR.MIDDLE, name="标题")
        L.textbox(s, L.MARGIN, 3.3, L.BODY_W, 0.65, [[Run(f"会议材料　{tb['issue']}", 24, False, "FFFFFF")]],
                  align=L.PP_ALIGN.CENTER, anchor=L.MSO_ANCHOR.MIDDLE)
        lines = [tb["office"], tb["date"], tb["period"], tb["doc"]]
        paras = [[Run(L.clip(t, L.BODY_W, 18 if i < 2 else 15, 1), 18 if i < 2 else 15, False,
                      "000000" if i < 2 else L.GREY)] for i, t in enumerate(lines)]
        L.textbox(s, L.MARGIN, 4.35, L.BODY_W, 2.2, paras, align=L.PP_ALIGN.CENTER)
        L.footer(s, scope_text(d), stamp(d), f"1/{len(TOPICS) + 1}")

    def progress_slide(self) -> None:
        d = self.data
        st = d.stage.get("current_stage")
        s = self.slide("整体进展", f"目前处于{st}阶段" if st else "")
        labels = ["查摆问题数", "整改率", "销号率", "逾期问题", "长期推进", "反弹问题"]
        top = kpi_cards(s, d, labels, L.BODY_TOP, per_row=6)
        # 单位账号：“各单位整改率与销号率”只有本单位一根柱，不放
        charts = [self.charts[k] for k in (("图1",) if d.scope_name else ("图1", "图2")) if k in self.charts]
        w = (L.BODY_W - 0.2 * (len(charts) - 1)) / max(1, len(charts))
        for i, png in enumerate(charts):
            L.picture(s, png, L.MARGIN + i * (w + 0.2), top + 0.1, w, L.BODY_BOTTOM - top - 0.1)

    def lagging_slide(self) -> None:
        d = self.data
        rules = lagging.for_campaign(d.campaign_id)
        lag = d.lagging
        red, yellow = int((lag["lagging_state"] == "红").sum()), int((lag["lagging_state"] == "黄").sum())
        aside = (f"本单位：{d.units.iloc[0]['lagging_state']}色" if d.scope_name and len(d.units)
                 else f"红色 {red} 个　黄色 {yellow} 个")
        s = self.slide("滞后单位", aside)
        top = L.paragraph_box(s, L.MARGIN, L.BODY_TOP, L.BODY_W, "评分规则：" + lagging.states_sentence(rules),
                              15, 2, color=L.GREY, name="规则")
        if d.scope_name and len(d.units):  # 单位账号：本单位的评分与扣分项（不论红黄绿）
            r = d.units.iloc[0]
            text = (f"{d.scope_name}本期滞后评分{int(r['lagging_score'])}分（{r['lagging_state']}色），"
                    f"扣分项：{r['lagging_reasons'] or '无'}。")
            L.paragraph_box(s, L.MARGIN, top + 0.2, L.BODY_W, text, BODY_PT, 3, name="本单位")
            return
        chart_w = 4.9
        if "图3" in self.charts:
            L.picture(s, self.charts["图3"], L.MARGIN, top + 0.1, chart_w, L.BODY_BOTTOM - top - 0.1)
        cols = [Col("单位", 2.0, 2), Col("状态", 0.7, 1, "center"), Col("滞后评分", 0.95, 1, "center"),
                Col("较上期", 0.85, 1, "center"), Col("扣分项（原因）", 2.83, 3)]
        self.table(s, bt.lagging_table(d), cols, top + 0.1, "单位", left=L.MARGIN + chart_w + 0.2, size=14)

    def overdue_slide(self) -> None:
        d = self.data
        k = d.kpi
        s = self.slide("逾期问题", f"逾期未整改 {int(k['overdue'])} 个")
        by_unit = d.units[d.units["overdue"] > 0].sort_values("overdue", ascending=False, kind="stable")
        most = "、".join(f"{n}{int(c)}个" for n, c in zip(by_unit["unit_name"][:3], by_unit["overdue"][:3],
                                                          strict=True))
        where = "" if d.scope_name else f"，涉及{len(by_unit)}个单位" + (f"；最多的是{most}" if most else "")
        text = (f"截至{tx.md(d.as_of)}，逾期未整改问题{int(k['overdue'])}个{tx.count_phrase(d, 'overdue', '个')}"
                + (f"{where}。下表按逾期天数从多到少。" if len(d.overdue) else "。"))
        top = L.paragraph_box(s, L.MARGIN, L.BODY_TOP, L.BODY_W, text, BODY_PT, 3, name="摘要")
        cols = [Col("单位", 2.3, 2), Col("问题方面", 2.0, 2), Col("具体问题", 4.45, 2),
                Col("整改时限", 1.55, 1, "center"), Col("逾期天数", 1.1, 1, "center"),
                Col("当前状态", 1.0, 1, "center")]
        self.table(s, bt.overdue_table(d), cols, top + 0.1, "逾期问题", sort_by="逾期天数")

    def leads_slide(self) -> None:
        d = self.data
        s = self.slide("线索办理", f"超期未办结 {int(d.kpi['leads_open_overdue'])} 件")
        labels = ["受理线索", "已办结线索", "线索按时办结率", "反馈率", "属实率", "超期未办结线索"]
        top = kpi_cards(s, d, labels, L.BODY_TOP, per_row=6)
        source = bt.leads_overdue_table(d)
        top = L.paragraph_box(s, L.MARGIN, top + 0.05, L.BODY_W, f"{source.title}（按超期工作日从多到少）：",
                              16, 1, bold=True, name="表题")
        cols = [Col("线索编号", 2.75, 1), Col("承办单位", 2.2, 2), Col("线索来源", 1.3, 1, "center"),
                Col("问题摘要", 3.35, 2), Col("办理期限", 1.55, 1, "center"), Col("超期工作日", 1.25, 1, "center")]
        self.table(s, source, cols, top + 0.05, "超期线索", sort_by="超期工作日")

    def relapse_slide(self) -> None:
        d = self.data
        s = self.slide("反弹问题", f"反弹问题 {len(d.relapses)} 个")
        text = f"截至{tx.md(d.as_of)}，发现“死灰复燃”“重复反弹”问题{len(d.relapses)}个" + (
            "，须从严从重处理、挂牌整改。" if len(d.relapses) else "。")
        top = L.paragraph_box(s, L.MARGIN, L.BODY_TOP, L.BODY_W, text, BODY_PT, 2, name="摘要")
        cols = [Col("单位", 2.3, 2), Col("问题方面", 1.7, 2), Col("具体问题", 3.5, 2),
                Col("判定依据", 2.3, 2), Col("当前状态", 1.1, 1, "center"), Col("首次报告", 1.5, 1, "center")]
        self.table(s, bt.relapse_table(d), cols, top + 0.1, "反弹问题")

    def satisfaction_slide(self) -> None:
        d = self.data
        source = bt.satisfaction_table(d)
        s = self.slide("满意度", source.title.removeprefix("执法满意度排名") if source else "")
        if source is None:
            L.paragraph_box(s, L.MARGIN, L.BODY_TOP, L.BODY_W, "暂无执法满意度测评结果。", BODY_PT, 1,
                            color=L.GREY, name="摘要")
            return
        top = L.paragraph_box(s, L.MARGIN, L.BODY_TOP, L.BODY_W, source.note, 14, 2, color=L.GREY, name="口径")
        cols = [Col("排名", 0.9, 1, "center"), Col("单位", 3.7, 1), Col("样本量（份）", 1.7, 1, "center"),
                Col("满意度得分", 1.7, 1, "center"), Col("评价", 4.4, 1)]
        self.table(s, source, cols, top + 0.1, "单位")

    def supervision_slide(self) -> None:
        d = self.data
        n = 0 if d.supervision is None else len(d.supervision.items)
        s = self.slide("督办事项", f"在办及新近销号 {n} 项")
        top = L.paragraph_box(s, L.MARGIN, L.BODY_TOP, L.BODY_W, bs.supervision_summary(d), 16, 3, name="摘要")
        if d.warning is not None:
            w = d.warning
            soon = (f"即将到期：{w.within_days}个工作日内到期的问题{len(w.problems_due_soon)}个、"
                    f"线索{len(w.leads_due_soon)}件，请相关单位在期限前办结。")
            top = L.paragraph_box(s, L.MARGIN, top + 0.05, L.BODY_W, soon, 16, 2, name="即将到期")
        cols = [Col("编号", 0.75, 1, "center"), Col("单位", 2.2, 2), Col("来源", 1.2, 1, "center"),
                Col("督办事项", 2.9, 2), Col("期限", 1.5, 1, "center"), Col("剩余工作日", 1.3, 1, "center"),
                Col("状态", 1.75, 1, "center"), Col("等级", 0.8, 1, "center")]
        items = bs.supervision_items_table(d)
        if items.rows:  # 没有事项时摘要已写明，不再重复空表的说明
            top = self.table(s, items, cols, top + 0.1, "督办事项")
        if d.warning is not None and L.BODY_BOTTOM - top > 2.0:
            source = bs.due_soon_units_table(d)
            source.rows = [r for r in source.rows if any(r[1:5])]  # 只列有逾期或即将到期的单位
            top = L.paragraph_box(s, L.MARGIN, top + 0.15, L.BODY_W, source.title, 16, 1, bold=True, name="表题")
            cols = [Col("单位", 3.6, 1), *(Col(c.header, 1.75, 1, "center") for c in source.columns[1:5]),
                    Col("最近到期日", 1.83, 1, "center")]
            self.table(s, source, cols, top + 0.05, "单位")

    def build(self):
        self.title_slide()
        for make in (self.progress_slide, self.lagging_slide, self.overdue_slide, self.leads_slide,
                     self.relapse_slide, self.satisfaction_slide, self.supervision_slide):
            make()
        return self.prs


def build_deck(data):
    return Deck(data).build()


def write_deck(data, out: str | Path | None = None) -> bytes | Path:
    """BriefData → .pptx；out 不给时返回字节（下载按钮用）。"""
    return save_document(build_deck(data), out)
