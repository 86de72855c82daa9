"""会议模式的数据：一屏一个议题，回答例会要问的六个问题。数字全部来自各页面已有的数据函数（总览、县区进度、
反弹、满意度、督办），这里只挑出会上要念的几个数、排序、截取前几名，不另写口径。

议题：1 整体进度（阶段、整改率、按时办结率，较上期）；2 滞后单位（红、黄及原因）；3 县区分布（县区地图按滞后状态
着色，无辖区边界的单位列在旁边，一句话说问题在哪里）；4 逾期未办（各单位逾期问题、超期未办结线索）；5 反弹问题；
6 满意度靠后；7 督办事项（逾期、即将到期）。
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from analytics import county_map, lagging, metrics
from analytics.page_data import PageFilters, Run
from analytics.page_data.overview import overview_data
from analytics.page_data.relapse import relapse_data
from analytics.page_data.satisfaction import satisfaction_data, survey_years
from analytics.page_data.supervision import early_warning, items_with_escalation, rules_for
from analytics.page_data.unit_progress import count_state, units_with_lagging
from analytics.queries import to_date
from analytics.supervision_rules import WAITING

TOPICS = ("整体进度", "滞后单位", "县区分布", "逾期未办", "反弹问题", "满意度靠后", "督办事项")
LAGGING_ROWS = 8        # 一屏最多列出的滞后单位
OVERDUE_ROWS = 8        # 逾期最多的单位
RELAPSE_ROWS = 6
SATISFACTION_ROWS = 6   # 得分最低的可排名单位
SUPERVISION_ROWS = 5    # 逾期、即将到期的督办事项
SENTENCE_NAMES = 4      # “问题在哪里”一句里最多点名的单位（其余写“等N个”）
TITLE_CHARS = 22        # 督办事项标题在幻灯片上最多显示的字数


@dataclass
class Figure:
    """幻灯片上的一个大数字：名称、数值文字、说明（分子/分母等）、较上期变化及其好坏。"""
    label: str
    value: str
    note: str = ""
    delta: str | None = None     # “+3.8个百分点”“-2”“持平”；没有上期时 None
    good: bool | None = None     # 变化是好事 True / 坏事 False / 持平或无 None


def _figure(label: str, value: str, note: str, delta: str | None, inverse: bool = False,
            neutral: bool = False) -> Figure:
    """inverse：增加是坏事（逾期）；neutral：增减无好坏（查摆问题多了不算坏事）。"""
    good = None
    if delta not in (None, "持平") and not neutral:
        good = delta.startswith("+") != inverse
    return Figure(label, value, note, delta, good)


# ------------------------------------------------------------------ 1 整体进度
@dataclass
class StageStep:
    name: str
    start: date | None
    end: date | None             # 方案规定的截止日；长期阶段 None
    state: str                   # 已过 / 当前 / 未到


def stage_steps(stages: pd.DataFrame, current: str | None) -> list[StageStep]:
    """stage_timeline 的工作阶段（不含报送节点）→ 阶段条：所处阶段之前的“已过”，之后的“未到”。"""
    steps = stages[stages["kind"] == "工作阶段"].sort_values("seq")
    names = steps["name"].tolist()
    at = names.index(current) if current in names else -1
    return [StageStep(r.name, to_date(r.start_date), None if r.long_term else to_date(r.deadline),
                      "当前" if i == at else ("已过" if i < at else "未到"))
            for i, r in enumerate(steps.itertuples())]


@dataclass
class StageSlide:
    stage: str                   # 所处阶段（尚未开始时“尚未开始”）
    stage_end: date | None
    next_due: date | None
    next_what: str | None
    days_to_next: int | None
    figures: list[Figure]        # 查摆问题、整改率、线索按时办结率
    completion: str              # 整改率文字（标题句用）
    completion_delta: str | None
    steps: list[StageStep] = field(default_factory=list)
    has_problems: bool = True    # 统计日有台账问题（否则整改率无从谈起，标题句说明没有数据）


def stage_slide(run: Run, f: PageFilters) -> StageSlide:
    d = overview_data(run, f)
    k, dl, nxt = d.kpi, d.deltas, d.next_deadline
    done, problems = int(k["done"]), int(k["problems"])
    completion = metrics.fmt_pct(metrics.rate(done, problems))
    figures = [
        _figure("查摆问题", f"{problems}个", f"已整改{done}个，已销号{int(k['closed'])}个", dl["problems"],
                neutral=True),
        _figure("整改率", completion, f"已整改 {done}/{problems}", dl["completion"]),
        _figure("线索按时办结率", metrics.fmt_pct(metrics.rate(k["leads_ontime"], k["leads_ontime_den"])),
                f"按时办结 {int(k['leads_ontime'])}/{int(k['leads_ontime_den'])}", dl["ontime"]),
    ]
    days = nxt["days_to_next"]
    return StageSlide(stage=nxt["current_stage"] or "尚未开始", stage_end=d.stage_end, next_due=d.next_due,
                      next_what=nxt["next_what"] if d.next_due else None,
                      days_to_next=None if pd.isna(days) else int(days),
                      figures=figures, completion=completion, completion_delta=dl["completion"],
                      steps=stage_steps(d.stages, nxt["current_stage"]), has_problems=problems > 0)


# ------------------------------------------------------------------ 2 滞后单位
@dataclass
class LaggingRow:
    unit_name: str
    state: str                   # 红 / 黄
    score: int
    reasons: list[str]           # “逾期问题2分”…
    prev: str                    # 上期：“红7分”“黄4分”“绿3分”；上期没有该单位或没有上期时“—”


@dataclass
class LaggingSlide:
    rows: list[LaggingRow]       # 红在前，分高在前，最多 LAGGING_ROWS 个
    n_red: int
    n_yellow: int
    more: int                    # 没有列出的红黄单位数
    rule: str                    # 红黄绿分数线（与评分同一张表）
    has_units: bool              # 有单位数据（否则是“所选统计日没有数据”）


def lagging_slide(run: Run, f: PageFilters) -> LaggingSlide:
    units = units_with_lagging(run, f)
    rule = lagging.states_sentence(lagging.for_campaign(f.campaign_id))
    if units.empty:
        return LaggingSlide([], 0, 0, 0, rule, False)
    prev = {}
    if f.prev_as_of:
        p = units_with_lagging(run, f, f.prev_params())
        prev = {r.unit_id: f"{r.lagging_state}{int(r.lagging_score)}分" for r in p.itertuples()}
    flagged = units[units["lagging_state"] != "绿"].assign(_red=lambda t: t["lagging_state"] == "红")
    flagged = flagged.sort_values(["_red", "lagging_score", "overdue", "sort_order"],
                                  ascending=[False, False, False, True], kind="stable")
    rows = [LaggingRow(r.unit_name, r.lagging_state, int(r.lagging_score),
                       [] if r.lagging_reasons == "—" else r.lagging_reasons.split("、"), prev.get(r.unit_id, "—"))
            for r in flagged.head(LAGGING_ROWS).itertuples()]
    return LaggingSlide(rows, count_state(units, "红"), count_state(units, "黄"),
                        max(0, len(flagged) - LAGGING_ROWS), rule, True)


# ------------------------------------------------------------------ 3 县区分布
@dataclass
class MapUnit:
    unit_name: str
    state: str                   # 红 / 黄 / 绿
    score: int
    place: str                   # 地图上的：县区名；不在地图上的：为什么没有辖区边界（地图配置的说明）


@dataclass
class MapSlide:
    has_map: bool                # 该专项整治有地图配置（data/maps/<campaign_id>.toml）
    has_units: bool = False      # 统计日有单位数据
    title: str = ""              # 地图配置的标题（“阜阳市各县（市、区）”）
    geojson: dict = field(default_factory=dict)
    mapped: pd.DataFrame = field(default_factory=pd.DataFrame)   # analytics.county_map 的地图上单位（画图用）
    counties: list[MapUnit] = field(default_factory=list)       # 地图上的单位：红在前、分高在前
    others: list[MapUnit] = field(default_factory=list)         # 不在地图上的单位（支队、中心、科室），同样排序
    counts: dict[str, int] = field(default_factory=dict)        # 红 / 黄 / 绿 单位数（地图上与旁边合计）
    rule: str = ""


def _map_units(units: pd.DataFrame, place: str) -> list[MapUnit]:
    if units.empty:
        return []
    t = units.assign(_rank=units["lagging_state"].map({"红": 0, "黄": 1, "绿": 2}))
    t = t.sort_values(["_rank", "lagging_score", "sort_order"], ascending=[True, False, True], kind="stable")
    return [MapUnit(r.unit_name, r.lagging_state, int(r.lagging_score), getattr(r, place)) for r in t.itertuples()]


def map_slide(run: Run, f: PageFilters, maps_dir=None) -> MapSlide:
    """县区地图（analytics.county_map，与“县区地图”页同一份数据）按滞后状态着色；没有地图配置时 has_map False。"""
    rule = lagging.states_sentence(lagging.for_campaign(f.campaign_id))
    d = county_map.county_map_data(run, f, maps_dir)
    if not d.has_map:
        return MapSlide(False, rule=rule)
    counties, others = _map_units(d.mapped, "county"), _map_units(d.others, "note")
    counts = {s: sum(u.state == s for u in counties + others) for s in ("红", "黄", "绿")}
    return MapSlide(True, bool(counties or others), d.config.title, d.geojson, d.mapped, counties, others, counts,
                    rule)


def _names(names: list[str]) -> str:
    shown = "、".join(names[:SENTENCE_NAMES])
    return shown + (f"等{len(names)}个" if len(names) > SENTENCE_NAMES else "")


def _where_on_map(on_map: list[str], counties: list[str], state: str) -> str:
    """地图上该颜色的县区：全部、“除…外”或“集中在…”（多数县区都是这个颜色时不说“集中”）。"""
    if len(on_map) == len(counties):
        return f"地图上{len(on_map)}个县区都是{state}色"
    if len(on_map) > SENTENCE_NAMES:
        rest = [c for c in counties if c not in on_map]
        return f"除{_names(rest)}外，{len(on_map)}个县区都是{state}色"
    return f"{state}色单位集中在{_names(on_map)}"


def where_sentence(d: MapSlide, short=lambda n: n) -> str:
    """一句话回答“问题在哪里”：红色单位在哪些县区、哪些无辖区单位；没有红色时说黄色；都没有时说都是绿色。
    short：单位简称（幻灯片用“临泉县”代替“临泉县交通运输局”）。"""
    counties = [short(u.unit_name) for u in d.counties]
    for state in ("红", "黄"):
        on_map = [short(u.unit_name) for u in d.counties if u.state == state]
        beside = [short(u.unit_name) for u in d.others if u.state == state]
        if not on_map and not beside:
            continue
        if on_map:
            text = _where_on_map(on_map, counties, state)
            text += f"，另有{_names(beside)}也是{state}色" if beside else ""
        else:
            text = f"地图上没有{state}色县区，{state}色单位是{_names(beside)}"
        if state == "黄":
            return "没有红色单位；" + text
        return text + (f"；黄色{d.counts['黄']}个" if d.counts.get("黄") else "")
    return "各单位均为绿色，没有滞后单位"


# ------------------------------------------------------------------ 4 逾期未办
@dataclass
class OverdueSlide:
    figures: list[Figure]        # 逾期问题、超期未办结线索（较上期）
    by_unit: pd.DataFrame        # unit_name, overdue, leads_open_overdue, total（多的在前，最多 OVERDUE_ROWS 个）
    more_units: int              # 另有逾期的单位数
    more_items: int              # 它们的逾期件数合计
    overdue: int
    leads_overdue: int
    has_data: bool = True        # 统计日有台账问题或线索（unit_progress 对没有数据的单位也给一行 0）


def overdue_slide(run: Run, f: PageFilters) -> OverdueSlide:
    d = overview_data(run, f)
    k = d.kpi
    overdue, leads = int(k["overdue"]), int(k["leads_open_overdue"])
    figures = [_figure("逾期未整改问题", f"{overdue}个", "已过整改时限、仍未整改", d.deltas["overdue"], inverse=True),
               _figure("超期未办结线索", f"{leads}件", "已过办理期限、仍未办结", d.deltas["leads_open_overdue"],
                       inverse=True)]
    u = d.units.assign(overdue=d.units["overdue"].astype(int),
                       leads_open_overdue=d.units["leads_open_overdue"].astype(int))
    u = u.assign(total=u["overdue"] + u["leads_open_overdue"])
    u = u[u["total"] > 0].sort_values(["total", "overdue", "sort_order"], ascending=[False, False, True],
                                      kind="stable")
    top, rest = u.head(OVERDUE_ROWS), u.iloc[OVERDUE_ROWS:]
    return OverdueSlide(figures, top[["unit_name", "overdue", "leads_open_overdue", "total"]].reset_index(drop=True),
                        len(rest), int(rest["total"].sum()), overdue, leads,
                        bool(int(k["problems"]) or int(k["leads_received"])))


# ------------------------------------------------------------------ 5 反弹问题
@dataclass
class RelapseSlide:
    figures: list[Figure]        # 反弹问题、本期新发现、涉及单位、已整改
    by_unit: pd.DataFrame        # unit_name, categories（、分隔）, relapses, done（多的在前）
    more_units: int
    total: int
    new_this_period: int
    units: int


def relapse_slide(run: Run, f: PageFilters) -> RelapseSlide:
    d = relapse_data(run, f)
    since = f"上期（{f.prev_as_of:%m-%d}）以来" if f.prev_as_of else "截至统计日"
    figures = [Figure("反弹问题", f"{d.total}个"), Figure("本期新发现", f"{d.new_this_period}个", since),
               Figure("涉及单位", f"{d.units}个"), Figure("已整改或销号", f"{d.done}个")]
    if d.counts.empty:
        return RelapseSlide(figures, pd.DataFrame(columns=["unit_name", "categories", "relapses", "done"]), 0,
                            0, 0, 0)
    c = d.counts
    g = (c.groupby(["unit_id", "unit_name", "sort_order"], sort=False)
         .agg(categories=("category", lambda s: "、".join(dict.fromkeys(s))), relapses=("relapses", "sum"),
              done=("relapses_done", "sum"))
         .reset_index()
         .sort_values(["relapses", "sort_order"], ascending=[False, True], kind="stable"))
    g = g.assign(relapses=g["relapses"].astype(int), done=g["done"].astype(int))
    return RelapseSlide(figures, g.head(RELAPSE_ROWS)[["unit_name", "categories", "relapses", "done"]]
                        .reset_index(drop=True), max(0, len(g) - RELAPSE_ROWS), d.total, d.new_this_period, d.units)


# ------------------------------------------------------------------ 6 满意度靠后
@dataclass
class SatisfactionSlide:
    year: int | None             # 测评年度；没有测评时 None
    overall: str                 # 总体得分文字“86.3分”或“—”
    respondents: int
    low_below: float | None
    low_bottom: int | None
    bottom: pd.DataFrame = field(default_factory=pd.DataFrame)  # unit_name, score, rank, from_bottom, respondents, is_low
    low_names: list[str] = field(default_factory=list)          # 满意度低的单位（得分低的在前）
    rankable: int = 0            # 可排名的单位数
    unranked: list[str] = field(default_factory=list)           # 样本不足、不排名的单位


def satisfaction_slide(run: Run, f: PageFilters) -> SatisfactionSlide:
    years = survey_years(run, f)
    d = satisfaction_data(run, f, years.years[0]) if years.years else None
    if d is None:
        return SatisfactionSlide(None, "—", 0, None, None)
    ranked = d.ranking[d.ranking["rankable"].fillna(False).astype(bool)]
    n = len(ranked)
    low = ranked.sort_values("score", kind="stable")
    bottom = low.head(SATISFACTION_ROWS)
    bottom = pd.DataFrame({"unit_name": bottom["unit_name"], "score": bottom["score"].astype(float),
                           "rank": bottom["rank"].astype(int), "from_bottom": n + 1 - bottom["rank"].astype(int),
                           "respondents": bottom["respondents"], "is_low": bottom["is_low"].fillna(False).astype(bool)
                           }).reset_index(drop=True)
    overall = d.overall
    return SatisfactionSlide(
        year=d.year, overall=f"{overall.iloc[0]['score']:.1f}分" if not overall.empty else "—",
        respondents=d.respondents, low_below=d.low_below, low_bottom=d.low_bottom, bottom=bottom,
        low_names=low[low["is_low"].fillna(False).astype(bool)]["unit_name"].tolist(), rankable=n,
        unranked=d.insufficient["unit_name"].tolist())


# ------------------------------------------------------------------ 7 督办事项
@dataclass
class SupervisionSlide:
    today: date                  # 督办事项按这一天算期限与颜色（督办页同样按当天）
    open_items: int              # 未销号的事项
    overdue: int                 # 逾期未反馈（红）
    due_soon: int                # 临近期限（黄、蓝）
    answered: int                # 单位已反馈、待专班核查
    rows: pd.DataFrame           # 逾期与临近期限的事项：unit_name, title, deadline, colour, days_text（最急的在前）
    more: int
    within_days: int             # 预警的 N 个工作日
    problems_due_soon: int       # 统计日起 N 个工作日内到期的问题、线索；已逾期的问题、线索
    leads_due_soon: int
    problems_overdue: int
    leads_overdue: int
    figures: list[Figure] = field(default_factory=list)  # 督办逾期、临近期限、待核查；N 日内到期的问题、线索


def days_text(left: int) -> str:
    """剩余工作日 → “逾期2个工作日”“今日到期”“剩3个工作日”。"""
    if left < 0:
        return f"逾期{-left}个工作日"
    return "今日到期" if left == 0 else f"剩{left}个工作日"


def short_title(text: str, limit: int = TITLE_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def supervision_slide(run: Run, f: PageFilters, items: pd.DataFrame, today: date) -> SupervisionSlide:
    """items：state.supervision.list_items 的结果（按账号的范围读出）；颜色与逾期按 today 算（与督办页一致），
    即将到期的问题、线索按统计日算（与督办页的到期预警、简报一致）。"""
    rules = rules_for(f.campaign_id)
    w = early_warning(run, f, rules)
    live = items[items["status"] != "已销号"] if not items.empty else items
    esc = items_with_escalation(live.reset_index(drop=True), today, rules)
    names = f.unit_names
    cols = ["unit_name", "title", "deadline", "colour", "days_text"]
    if esc.empty:
        rows = pd.DataFrame(columns=cols)
        overdue = due_soon = answered = 0
    else:
        waiting = esc[(esc["status"] == WAITING) & esc["colour"].notna()]
        waiting = waiting.sort_values(["working_days_left", "id"], kind="stable")
        rows = pd.DataFrame({"unit_name": [names.get(u, u) for u in waiting["unit_id"]],
                             "title": [short_title(t) for t in waiting["title"]],
                             "deadline": waiting["deadline"], "colour": waiting["colour"],
                             "days_text": [days_text(int(v)) for v in waiting["working_days_left"]]})
        overdue = int((esc["colour"] == "红").sum())
        due_soon = int(esc["colour"].isin(["黄", "蓝"]).sum())
        answered = int((esc["status"] == "已反馈").sum())
    n = w.within_days
    figures = [Figure("督办逾期未反馈", f"{overdue}项"), Figure("督办临近期限", f"{due_soon}项"),
               Figure("单位已反馈待核查", f"{answered}项"),
               Figure(f"{n}个工作日内到期问题", f"{len(w.problems_due_soon)}个"),
               Figure(f"{n}个工作日内到期线索", f"{len(w.leads_due_soon)}件")]
    return SupervisionSlide(
        figures=figures, today=today, open_items=len(esc), overdue=overdue, due_soon=due_soon, answered=answered,
        rows=rows.head(SUPERVISION_ROWS).reset_index(drop=True), more=max(0, len(rows) - SUPERVISION_ROWS),
        within_days=w.within_days, problems_due_soon=len(w.problems_due_soon), leads_due_soon=len(w.leads_due_soon),
        problems_overdue=len(w.problems_overdue), leads_overdue=len(w.leads_overdue))
