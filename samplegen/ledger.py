"""Rectification ledgers (整改台账): simulated problems, snapshots per report date, messy sheets."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from .common import fmt_date, iso, loose_unit_name, month_end, rng_for, short_name, unit_code
from .writers import SheetData, write_table, write_xlsx_fast

STATUSES = ("未整改", "整改中", "已整改", "已销号", "长期推进")

# written progress text → canonical status (docs/design.md parse_status contract)
PROGRESS_TEXTS = {
    "未整改": ["尚未完成", "未整改", "尚未完成"],
    "整改中": ["正在整改", "整改中", "正在整改，尚未完成", "推进中"],
    "已整改": ["已完成整改", "已整改", "完成"],
    "已销号": ["已销号", "已完成整改，已销号"],
    "长期推进": ["持续推进"],
}
YESNO = {"未整改": "否", "整改中": "否", "已整改": "是", "已销号": "已销号", "长期推进": "持续推进"}
YESNO_STATUS = {"否": "未整改", "是": "已整改", "已销号": "已销号", "持续推进": "长期推进"}
EVIDENCE = ["印发《规范执法行为十条措施》", "开展执法人员专题培训2期", "清退违规设置的非现场执法设备1处",
            "对涉事执法人员批评教育并调离执法岗位", "退还违规罚款并书面道歉", "修订行政处罚自由裁量基准",
            "建立执法全过程记录制度", "组织案卷评查，评查案卷30卷"]
PLACES = ["G105线", "G3011线", "S204线", "S102线", "汽车客运站", "货运源头企业", "治超检测站", "城区出租车市场",
          "高速公路出口", "物流园区", "驾培机构", "城乡公交站点", "危货运输企业", "维修企业集中区"]
ACTORS = ["执法人员", "执法大队", "辅助执法人员", "执法中队", "路政执法人员", "运政执法人员"]
MEASURES = ["立即停止违规行为，对相关人员批评教育", "修订完善执法制度，开展专题培训", "退还违规罚款，向当事人赔礼道歉",
            "拆除违规设置的监控设备，重新备案", "落实执法全过程记录制度", "开展案卷评查，规范自由裁量",
            "建立首违不罚清单，推行柔性执法", "加强执法辅助人员管理，签订廉洁承诺书", "约谈相关负责人，限期整改到位",
            "优化审批流程，压缩办理时限"]
DEPTS = ["法制股", "执法大队", "运管股", "路政股", "办公室", "综合执法科", "政策法规科", "执法监督科"]
SOURCES = ["自查自纠", "自查自纠", "自查自纠", "自查自纠", "12345热线交办", "12328热线", "暗访", "上级交办",
           "信访", "执法监督员反映", "媒体曝光"]
EARLIER_ROUND = "2021年专项整治回头看"
FOOTERS = ["填报人：{a}　　审核人：{b}　　联系电话：{tel}", "填报人：{a}        审核人：{b}"]
TITLES = {"fuyang": "全市交通运输执法领域专项整治行动问题清单、措施清单、时限清单、责任清单",
          "haixi": "交通运输执法领域突出问题整改工作台账"}
BAD_MANIFESTATION = "工作作风漂浮"   # matches no manifestation name or synonym
UNCLASSIFIED_CASE = "个别执法人员工作作风漂浮，群众有意见"
UNCLASSIFIED_MEASURE = "加强作风建设"


@dataclass
class Problem:
    unit_id: str
    key: str
    category: str | None           # None: the planted row whose 问题方面 cannot be told
    category_text: str | None
    manif_code: str | None
    manif_text: str
    case_text: str
    source: str
    measure: str
    responsible: str
    kind: str                      # normal | stuck | long_term | immediate
    discovered: date
    d_start: date | None = None
    d_rect: date | None = None
    d_close: date | None = None
    deadline: date | None = None
    deadline_kind: str = "date"    # date | immediate | long_term
    deadline_written: object = None
    remark: str | None = None
    serial: int = 0
    code: str | None = None
    relapse: dict | None = None
    linked_lead: str | None = None
    progress_choice: int = 0

    def status(self, t: date) -> str:
        if self.kind == "long_term":
            return "长期推进"
        if self.d_close and t >= self.d_close:
            return "已销号"
        if self.d_rect and t >= self.d_rect:
            return "已整改"
        if self.d_start and t >= self.d_start:
            return "整改中"
        return "未整改"


@dataclass
class Report:
    unit_id: str
    due: date
    as_of: date
    file: str = ""
    meta_style: str = "merged"
    rows: dict = field(default_factory=dict)   # problem key → excel row


def _short_manif(m) -> str:
    return m.name.replace("“", "").replace("”", "")


def _unique_synonyms(campaign) -> dict[str, list[str]]:
    """Synonyms that identify exactly one manifestation (safe to write instead of the name)."""
    owners: dict[str, set[str]] = {}
    for m in campaign.manifestations:
        for s in m.synonyms:
            owners.setdefault(s, set()).add(m.code)
    names = {m.name for m in campaign.manifestations}
    return {m.code: [s for s in m.synonyms if len(owners[s]) == 1 and s not in names]
            for m in campaign.manifestations}


class UnitStyle:
    def __init__(self, campaign, unit, idx: int, rng: random.Random, n_units: int):
        self.layout = campaign.ledger_layout
        self.use_code = rng.random() < 0.4
        if self.layout == "fuyang":
            self.serial_header = "编号" if (self.use_code or rng.random() < 0.3) else "序号"
            self.progress_header = rng.choice(["整改进度", "整改进度", "整改情况", "是否完成"])
        else:
            self.serial_header = "序号" if (not self.use_code and rng.random() < 0.4) else "编号"
            self.progress_header = rng.choice(["整改进度及可验证成果", "整改进度及可验证成果", "整改情况"])
        self.meta_style = rng.choice(["merged", "merged", "two_cells", "date_cell"])
        self.footer = rng.random() < 0.5
        self.sheet_name = rng.choice(["Sheet1", "问题清单" if self.layout == "fuyang" else "整改台账", "台账"])
        # file format: one unit .xls, one .xlsm (when the campaign has ≥ 3 units)
        self.ext = ".xlsx"
        if n_units >= 3 and idx == 2:
            self.ext = ".xls"
        elif n_units >= 3 and idx == n_units - 2:
            self.ext = ".xlsm"
        self.synonym_rate = rng.choice([0.0, 0.2, 0.4])
        self.category_text: dict[str, str] = {}
        self.deadline_styles = rng.sample(["cn_before", "dot", "month_end", "excel", "cn", "slash"], 3)


def _deadline_written(p: Problem, styles: list[str], rng: random.Random) -> None:
    if p.deadline_kind == "immediate":
        p.deadline_written = rng.choice(["立行立改", "立行立改", "立即整改"])
        return
    if p.deadline_kind == "long_term":
        p.deadline_written = rng.choice(["长期坚持", "长期", "长期坚持"])
        return
    style = rng.choice(styles)
    if style == "month_end":
        p.deadline = month_end(p.deadline)
        p.deadline_written = f"{p.deadline.month}月底"
    elif style == "cn_before":
        p.deadline_written = f"{p.deadline.year}年{p.deadline.month}月{p.deadline.day}日前"
    elif style == "excel":
        p.deadline_written = p.deadline
    else:
        p.deadline_written = fmt_date(p.deadline, {"dot": "dot", "cn": "cn", "slash": "slash"}[style])


def _base_problem(campaign, unit, rng, style, syn, manif, discovered, kind, used_cases, last_day) -> Problem:
    cat = manif.category
    cat_obj = next(c for c in campaign.categories if c.name == cat)
    if cat not in style.category_text:
        style.category_text[cat] = (cat if (not cat_obj.synonyms or rng.random() > 0.25)
                                    else rng.choice(cat_obj.synonyms))
    cat_text = style.category_text[cat]
    m_text = manif.name
    if syn.get(manif.code) and rng.random() < style.synonym_rate:
        m_text = rng.choice(syn[manif.code])
    mshort = rng.choice(syn.get(manif.code) or [_short_manif(manif)])
    for _ in range(50):
        place, actor = rng.choice(PLACES), rng.choice(ACTORS)
        tmpl = rng.randrange(4)
        if tmpl == 0:
            text = f"{place}{actor}存在{mshort}现象"
        elif tmpl == 1:
            text = f"{discovered.month}月{discovered.day}日，{place}{actor}{mshort}，当事人投诉"
        elif tmpl == 2:
            text = f"自查发现{place}{actor}{mshort}问题{rng.randint(1, 5)}起"
        else:
            text = f"群众反映{place}{actor}{mshort}"
        if text not in used_cases:
            break
    else:
        text = f"{text}（{len(used_cases)}）"
    used_cases.add(text)
    p = Problem(
        unit_id=unit.id, key="", category=cat, category_text=cat_text, manif_code=manif.code,
        manif_text=m_text, case_text=text, source=rng.choice(SOURCES), measure=rng.choice(MEASURES),
        responsible=(f"{rng.choice(DEPTS)} {rng.choice('张王李赵刘陈杨马')}{rng.choice(['某', '某某', '建军', '海涛', '丽'])}"
                     if style.layout == "fuyang" else f"{short_name(unit)}{rng.choice(DEPTS)}"),
        kind=kind, discovered=discovered, progress_choice=rng.randrange(10),
    )
    _trajectory(p, rng, last_day)
    _deadline_written(p, style.deadline_styles, rng)
    if rng.random() < 0.12:
        p.remark = rng.choice(["已报专班核查", "涉及多部门协调", "结合线索核查情况整改", "已约谈相关责任人"])
    return p


def _trajectory(p: Problem, rng: random.Random, last_day: date) -> None:
    d0 = p.discovered
    if p.kind == "long_term":
        p.deadline_kind = "long_term"
        p.d_start = d0
        return
    if p.kind == "immediate":
        p.deadline_kind = "immediate"
        p.d_start = d0
        p.d_rect = d0 + timedelta(days=rng.randint(0, 10))
        p.d_close = p.d_rect + timedelta(days=rng.randint(7, 40)) if rng.random() < 0.75 else None
        return
    p.deadline = d0 + timedelta(days=rng.randint(25, 120))
    if p.kind == "stuck":
        p.deadline = d0 + timedelta(days=rng.randint(15, 45))
        p.d_start = d0 + timedelta(days=rng.randint(3, 30)) if rng.random() < 0.7 else None
        return
    p.d_start = d0 + timedelta(days=rng.randint(0, 20))
    p.d_rect = p.d_start + timedelta(days=rng.randint(10, 90))
    p.d_close = p.d_rect + timedelta(days=rng.randint(7, 40)) if rng.random() < 0.7 else None


def unclassified_problem(unit, report: Report) -> Problem:
    """The planted row whose 问题方面 cannot be told: category cell blank, 表现形式 matching nothing,
    no 序号. The ETL loads it with the category blank and a 警告. It is written in this one report
    only, so from then on this report's row stays its latest snapshot (the `problems` view)."""
    deadline = report.as_of + timedelta(days=60)
    return Problem(
        unit_id=unit.id, key=f"{unit.id}#未分类", category=None, category_text=None, manif_code=None,
        manif_text=BAD_MANIFESTATION, case_text=UNCLASSIFIED_CASE, source="自查自纠",
        measure=UNCLASSIFIED_MEASURE, responsible=None, kind="stuck", discovered=report.as_of,
        d_start=report.as_of, deadline=deadline, deadline_written=fmt_date(deadline, "cn"))


def progress_text(p: Problem, status: str, style: UnitStyle) -> tuple[str, str]:
    """(written text, canonical status the text stands for)."""
    if style.progress_header == "是否完成":
        txt = YESNO[status]
        return txt, YESNO_STATUS[txt]
    opts = PROGRESS_TEXTS[status]
    txt = opts[p.progress_choice % len(opts)]
    if style.layout == "haixi" and status in ("已整改", "已销号"):
        txt = f"{txt}；{EVIDENCE[p.progress_choice % len(EVIDENCE)]}"
    return txt, status


def simulate_unit(campaign, unit, idx, n_units, seed, leads_by_unit, relapse_plan) -> dict:
    """Problems and report dates of one unit (no files yet)."""
    rng = rng_for(seed, campaign.id, "ledger", unit.id)
    style = UnitStyle(campaign, unit, idx, rng, n_units)
    dues = list(campaign.reporting.ledger_due_dates)
    reports = []
    skip = relapse_plan.get("skip", {}).get(unit.id)
    for due in dues:
        if skip == due:
            continue
        if rng.random() < 0.22:
            as_of = due + timedelta(days=rng.randint(1, 6))
        else:
            as_of = due - timedelta(days=rng.randint(0, 5))
        reports.append(Report(unit.id, due, as_of, meta_style=style.meta_style))
    last_day = reports[-1].as_of
    syn = _unique_synonyms(campaign)
    pool = [m for m in campaign.manifestations if m.code != campaign.relapse_manifestation]
    rng.shuffle(pool)
    n = rng.randint(8, 25)
    used_cases: set[str] = set()
    problems: list[Problem] = []
    first_due = dues[0]
    for i in range(n):
        if rng.random() < 0.5:
            disc = campaign.start_date + timedelta(days=rng.randint(0, max(1, (first_due - campaign.start_date).days - 3)))
        else:
            disc = first_due + timedelta(days=rng.randint(0, max(1, (last_day - first_due).days - 8)))
        r = rng.random()
        kind = "stuck" if r < 0.13 else "long_term" if r < 0.23 else "immediate" if r < 0.31 else "normal"
        problems.append(_base_problem(campaign, unit, rng, style, syn, pool[i % len(pool)], disc, kind,
                                      used_cases, last_day))
    # some problems come from substantiated leads of this unit
    for p, lead in zip([p for p in problems if p.source != "自查自纠"][:3], leads_by_unit.get(unit.id, []), strict=False):
        if lead["assigned"] < p.discovered:
            p.source = lead["channel_raw"]
            p.case_text += f"（线索编号：{lead['lead_id']}）"
            p.linked_lead = lead["lead_id"]
    # planted relapses
    for spec in relapse_plan.get("units", {}).get(unit.id, []):
        _plant_relapse(campaign, unit, rng, style, syn, problems, reports, spec, used_cases, last_day)
    problems.sort(key=lambda p: (p.discovered, p.case_text))
    prefix = unit_code(unit.id)
    for i, p in enumerate(problems, 1):
        p.serial = i
        p.key = f"{unit.id}#{i}"
        if style.use_code:
            p.code = f"{prefix}-2023-{i:03d}"
    for p in problems:
        if p.relapse and p.relapse.get("of_obj") is not None:
            a = p.relapse.pop("of_obj")
            p.relapse["relapse_of"] = a.code or str(a.serial)
            if p.relapse.get("cite"):
                p.case_text += f"（原{a.code or '第' + str(a.serial) + '号'}问题）"
    return {"unit": unit, "style": style, "reports": reports, "problems": problems}


def _plant_relapse(campaign, unit, rng, style, syn, problems, reports, spec, used_cases, last_day):
    kind = spec["kind"]
    marker = spec.get("marker")
    if kind == "earlier_round":
        m = rng.choice([m for m in campaign.manifestations if m.code != campaign.relapse_manifestation])
        disc = reports[len(reports) // 2].as_of - timedelta(days=rng.randint(3, 15))
        b = _base_problem(campaign, unit, rng, style, syn, m, disc, "normal", used_cases, last_day)
        b.source = EARLIER_ROUND
        if marker:
            b.case_text = f"2021年已整改的{_short_manif(m).removesuffix('问题')}问题{marker}，{b.case_text}"
        b.relapse = {"kind": kind, "marker": marker}
        problems.append(b)
        return
    # original must be rectified in a report strictly before the relapse first appears
    cands = []
    for a in problems:
        if a.kind in ("normal", "immediate") and a.d_rect and not a.relapse:
            shown = [r for r in reports if r.as_of >= a.d_rect]
            if len(shown) >= 2 and shown[0].as_of >= a.discovered:
                cands.append((a, shown))
    if not cands:
        return
    a, shown = rng.choice(cands)
    lo = shown[0].as_of + timedelta(days=1)
    hi = max(lo, shown[-1].as_of - timedelta(days=3))
    disc = lo + timedelta(days=rng.randint(0, (hi - lo).days))
    if kind == "f19":
        m = campaign.manifestation(campaign.relapse_manifestation)
    else:
        m = campaign.manifestation(a.manif_code)
    b = _base_problem(campaign, unit, rng, style, syn, m, disc, rng.choice(["normal", "stuck"]),
                      used_cases, last_day)
    if kind == "f19":
        b.case_text = f"{rng.choice(PLACES)}{_short_manif(campaign.manifestation(a.manif_code))}问题{marker or '死灰复燃'}"
        used_cases.add(b.case_text)
    elif marker:
        b.case_text = f"此前整改的{_short_manif(m).removesuffix('问题')}问题{marker}，{b.case_text}"
    b.relapse = {"kind": kind, "marker": marker, "of_obj": a, "cite": kind == "f19"}
    problems.append(b)


# ---------------------------------------------------------------- sheet building

def _columns(style: UnitStyle) -> list[str]:
    if style.layout == "fuyang":
        return [style.serial_header, "问题方面", "表现形式", "具体案例", "问题来源", "整改措施", "整改时限",
                "整改责任部门、责任人", style.progress_header, "完成时间", "备注"]
    return [style.serial_header, "问题类别", "具体表现", "问题描述", "问题来源", "整改措施", "责任单位",
            "整改时限", style.progress_header, "备注"]


def build_report_sheet(campaign, sim, report: Report, rng: random.Random, bad: dict | None):
    """Rows of one snapshot. Returns (SheetData, info) with row numbers of every problem."""
    style, unit = sim["style"], sim["unit"]
    cols = _columns(style)
    nc = len(cols)
    rows: list[list[object]] = []
    merges: list[tuple[int, int, int, int]] = []
    rows.append([TITLES[style.layout]] + [None] * (nc - 1))
    merges.append((1, 1, 1, nc))
    uname = loose_unit_name(unit, rng)
    meta = [None] * nc
    ms = report.meta_style
    if ms == "merged":
        meta[0] = f"填报单位：{uname}        填报时间：{fmt_date(report.as_of, 'cn')}"
        merges.append((2, 1, 2, nc))
    elif ms == "two_cells":
        meta[0] = f"填报单位：{uname}"
        meta[nc - 3] = f"填报时间：{fmt_date(report.as_of, 'iso')}"
        merges.append((2, 1, 2, 4))
    elif ms == "date_cell":
        meta[0] = f"填报单位：{uname}"
        meta[nc - 2] = "填报时间："
        meta[nc - 1] = report.as_of
        merges.append((2, 1, 2, 4))
    else:  # no_date: as-of comes from the file name
        meta[0] = f"填报单位：{uname}"
        meta[nc - 2] = "填报时间："
        merges.append((2, 1, 2, 4))
    rows.append(meta)
    if style.layout == "fuyang":
        h1 = [cols[0], "整改问题", None, None] + cols[4:]
        h2 = [None, "问题方面", "表现形式", "具体案例"] + [None] * (nc - 4)
        rows += [h1, h2]
        merges.append((3, 2, 3, 4))
        for c in [1] + list(range(5, nc + 1)):
            merges.append((3, c, 4, c))
        header_rows = (3, 4)
    else:
        rows.append(cols)
        header_rows = (3,)
    first_data = len(rows) + 1
    visible = [p for p in sim["problems"] if p.discovered <= report.as_of]
    cat_order = {c.name: i for i, c in enumerate(campaign.categories)}
    visible.sort(key=lambda p: (cat_order[p.category], p.serial))
    statuses: dict[str, str] = {}
    written_progress: dict[str, str] = {}
    for p in visible:
        st = p.status(report.as_of)
        txt, canon = progress_text(p, st, style)
        statuses[p.key] = canon
        written_progress[p.key] = txt
        serial = p.code if p.code else p.serial
        deadline = p.deadline_written
        if bad and bad.get("deadline_key") == p.key:
            deadline = bad["deadline_value"]
        row_no = len(rows) + 1
        report.rows[p.key] = row_no
        if style.layout == "fuyang":
            completed = None
            if canon in ("已整改", "已销号") and p.d_rect:
                completed = fmt_date(p.d_rect, rng.choice(["excel", "excel", "cn", "dot"]))
            rows.append([serial, p.category_text, p.manif_text, p.case_text, p.source, p.measure, deadline,
                         p.responsible, txt, completed, p.remark])
        else:
            rows.append([serial, p.category_text, p.manif_text, p.case_text, p.source, p.measure,
                         p.responsible, deadline, txt, p.remark])
    # merge the category cell down the rows of one category
    r = first_data
    while r < len(rows) + 1:
        cat = rows[r - 1][1]
        r2 = r
        while r2 + 1 <= len(rows) and rows[r2][1] == cat:
            r2 += 1
        if r2 > r:
            merges.append((r, 2, r2, 2))
            for rr in range(r + 1, r2 + 1):
                rows[rr - 1][1] = None
        r = r2 + 1
    bad_rows, warnings, extra_problems = [], [], []
    if bad and bad.get("deadline_key") in report.rows:
        col = cols.index("整改时限") + 1
        bad_rows.append({"kind": "ledger", "problem": "impossible_date", "row": report.rows[bad["deadline_key"]],
                         "column": "整改时限", "column_no": col, "raw_value": bad["deadline_value"]})
    if bad and bad.get("missing_category"):
        p = unclassified_problem(unit, report)
        txt, canon = progress_text(p, p.status(report.as_of), style)
        row_no = len(rows) + 1
        report.rows[p.key] = row_no
        statuses[p.key], written_progress[p.key] = canon, txt
        junk = [None] * nc
        junk[2], junk[3], junk[4], junk[5] = p.manif_text, p.case_text, p.source, p.measure
        junk[cols.index("整改时限")] = p.deadline_written
        junk[cols.index(style.progress_header)] = txt
        rows.append(junk)
        extra_problems.append(p)
        # loaded all the same: the 警告 stands on the 表现形式 cell, the only one of the two with a value
        warnings.append({"kind": "ledger", "problem": "missing_category", "row": row_no, "column": cols[2],
                         "column_no": 3, "raw_value": BAD_MANIFESTATION, "blank_column": cols[1],
                         "status": canon, "note": f"{cols[1]}为空且{cols[2]}“{BAD_MANIFESTATION}”无法匹配："
                                                  "已导入，问题方面留空（未分类）"})
    n_data = len(rows) - first_data + 1
    if style.footer:
        rows.append([None] * nc)
        footer = [None] * nc
        footer[0] = rng.choice(FOOTERS).format(a=rng.choice("张王李赵") + "某", b=rng.choice("刘陈杨") + "某",
                                               tel=f"0{rng.randint(900, 999)}-{rng.randint(1000000, 9999999)}")
        rows.append(footer)
        merges.append((len(rows), 1, len(rows), nc))
    widths = {c: 14 for c in range(1, nc + 1)}
    widths[4 if style.layout == "fuyang" else 4] = 40
    sd = SheetData(style.sheet_name, rows, merges, bold_rows=(1, *header_rows), widths=widths)
    info = {"first_data_row": first_data, "data_rows": n_data, "header_row": header_rows[-1],
            "statuses": statuses, "progress": written_progress, "bad_rows": bad_rows, "warnings": warnings,
            "extra_problems": extra_problems, "unit_written": uname}
    return sd, info


def write_unit_ledgers(campaign, sim, out_dir: Path, seed: int, bad_plan: dict, fast: bool = False) -> list[dict]:
    unit, style = sim["unit"], sim["style"]
    rng = rng_for(seed, campaign.id, "ledger-sheets", unit.id)
    out = []
    for i, rep in enumerate(sim["reports"]):
        if bad_plan.get("no_date") == (unit.id, i):
            rep.meta_style = "no_date"
        rep.file = f"{short_name(unit)}_整改台账_{rep.as_of:%Y%m%d}{style.ext}"
        bad = None
        if bad_plan.get("deadline") and bad_plan["deadline"][0] == (unit.id, i):
            bad = {"deadline_key": bad_plan["deadline"][1], "deadline_value": "2023年2月30日"}
        if bad_plan.get("missing_category") == (unit.id, i):
            bad = dict(bad or {}, missing_category=True)
        sd, info = build_report_sheet(campaign, sim, rep, rng, bad)
        if fast and style.ext != ".xls":
            write_xlsx_fast(out_dir / rep.file, sd)
        else:
            write_table(out_dir / rep.file, [sd])
        for b in info["bad_rows"] + info["warnings"]:
            b.update(file=rep.file, sheet=sd.name, unit_id=unit.id)
        info.update(file=rep.file, sheet=sd.name, due=rep.due, as_of=rep.as_of, meta_style=rep.meta_style)
        out.append(info)
    return out


def ledger_manifest(campaign, sims: list[dict], infos: dict[str, list[dict]]) -> dict:
    grace = campaign.reporting.grace_days
    per_unit = {}
    relapses = []
    totals = {s: 0 for s in STATUSES}
    rows_written = 0
    n_reports = 0
    for sim in sims:
        unit = sim["unit"]
        uinfos = infos[unit.id]
        reps = []
        seen_first: dict[str, date] = {}
        rect_seen: dict[str, date] = {}
        last_seen: dict[str, tuple[Report, str]] = {}    # problem → (its latest report, status there)
        for rep, info in zip(sim["reports"], uinfos, strict=True):
            rows_written += info["data_rows"]
            n_reports += 1
            reps.append({"file": rep.file, "sheet": info["sheet"], "due_date": iso(rep.due), "as_of": iso(rep.as_of),
                         "as_of_source": "file_name" if rep.meta_style == "no_date" else "填报时间",
                         "days_late": max(0, (rep.as_of - rep.due).days),
                         "late_beyond_grace": (rep.as_of - rep.due).days > grace,
                         "data_rows": info["data_rows"], "problem_rows": len(info["statuses"]),
                         "header_row": info["header_row"], "first_data_row": info["first_data_row"]})
            for k, st in info["statuses"].items():
                seen_first.setdefault(k, rep.as_of)
                last_seen[k] = (rep, st)
                if st in ("已整改", "已销号"):
                    rect_seen.setdefault(k, rep.as_of)
        last_rep = sim["reports"][-1]
        status_counts = {s: 0 for s in STATUSES}
        overdue = 0
        byp = {p.key: p for p in sim["problems"]} | {p.key: p for i in uinfos for p in i["extra_problems"]}
        deadline_kinds = {"date": 0, "immediate": 0, "long_term": 0}
        # As the ETL counts (`problems` view): every problem ever reported, at the status of its latest
        # snapshot. A problem missing from the latest file keeps its last written status.
        carried = [{"file": r.file, "row": r.rows[k], "status": st}
                   for k, (r, st) in last_seen.items() if r is not last_rep]
        for k, (_, st) in last_seen.items():
            status_counts[st] += 1
            totals[st] += 1
            p = byp[k]
            deadline_kinds[p.deadline_kind] += 1
            if p.deadline_kind == "date" and p.deadline < last_rep.as_of and st in ("未整改", "整改中"):
                overdue += 1
        submitted = {r.due for r in sim["reports"]}
        per_unit[unit.id] = {
            "unit_name": unit.name,
            "file_format": sim["style"].ext,
            "serial_style": "code" if sim["style"].use_code else "plain",
            "reports": len(sim["reports"]),
            "report_files": reps,
            "missing_due_dates": [iso(d) for d in campaign.reporting.ledger_due_dates if d not in submitted],
            "distinct_problems": len(seen_first),
            "latest": {"file": last_rep.file, "as_of": iso(last_rep.as_of), "problems": len(last_seen),
                       "status": status_counts, "overdue": overdue, "deadline_kinds": deadline_kinds,
                       "carried_from_earlier": carried},
        }
        # relapse: planted ones plus any derived by the rule below
        for k in seen_first:
            p = byp[k]
            basis = []
            if campaign.relapse_manifestation and p.manif_code == campaign.relapse_manifestation:
                basis.append("manifestation")
            if "死灰复燃" in p.case_text or "反弹" in p.case_text:
                basis.append("text")
            if "回头看" in p.source:
                basis.append("earlier_round")
            earlier = [q for q in seen_first if q != k and p.manif_code is not None
                       and byp[q].manif_code == p.manif_code
                       and q in rect_seen and rect_seen[q] < seen_first[k]]
            if earlier:
                basis.append("reappeared")
            if basis:
                relapses.append({
                    "unit_id": unit.id, "serial": p.code or p.serial, "case_text": p.case_text,
                    "manifestation_code": p.manif_code, "first_seen": iso(seen_first[k]), "basis": basis,
                    "planted": p.relapse is not None,
                    "planted_kind": p.relapse["kind"] if p.relapse else None,
                    "relapse_of": (p.relapse or {}).get("relapse_of")
                    or ",".join(str(byp[q].code or byp[q].serial) for q in earlier) or None,
                })
    return {
        "files": n_reports,
        "data_rows_written": rows_written,
        "status_totals_latest": totals,
        "late_reports": sum(1 for u in per_unit.values() for r in u["report_files"] if r["days_late"] > 0),
        "late_reports_beyond_grace": sum(1 for u in per_unit.values() for r in u["report_files"]
                                         if r["late_beyond_grace"]),
        "missing_reports": sum(len(u["missing_due_dates"]) for u in per_unit.values()),
        "relapse_rule": "basis: manifestation=表现形式为反弹类(F19); text=具体案例含“死灰复燃”/“反弹”; "
                        "earlier_round=问题来源含“回头看”; reappeared=同单位同表现形式的另一问题在更早一期台账中已整改/已销号"
                        "（表现形式为空的问题不参与）",
        "relapses": relapses,
        "relapse_count": len(relapses),
        "relapse_planted_count": sum(1 for r in relapses if r["planted"]),
        "per_unit": per_unit,
    }
