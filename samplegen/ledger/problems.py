"""One simulated problem: what the unit writes about it and how its status moves over time."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..common import fmt_date, month_end, short_name
from .vocabulary import (
    ACTORS,
    BAD_MANIFESTATION,
    DEPTS,
    EVIDENCE,
    MEASURES,
    PLACES,
    PROGRESS_TEXTS,
    REMARKS,
    SOURCES,
    UNCLASSIFIED_CASE,
    UNCLASSIFIED_MEASURE,
    YESNO,
    YESNO_STATUS,
)


@dataclass
class PlantedRelapse:
    kind: str                           # same | f19 | earlier_round
    marker: str | None = None           # the word planted in 具体案例 (死灰复燃 / 问题反弹)
    original: Problem | None = None     # the rectified problem it repeats
    cite: bool = False                  # 具体案例 names the original's number
    relapse_of: str | None = None       # the original's 编号/序号, once numbered


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
    relapse: PlantedRelapse | None = None
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


class UnitStyle:
    """How one unit fills in its ledger, drawn once and kept for all its reports."""

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


@dataclass
class ProblemDraw:
    """What new_problem needs besides the manifestation: the unit's RNG, style and running state."""
    campaign: object
    unit: object
    rng: random.Random
    style: UnitStyle
    synonyms: dict[str, list[str]]      # manifestation code → synonyms safe to write
    used_cases: set[str] = field(default_factory=set)


def short_manif(m) -> str:
    return m.name.replace("“", "").replace("”", "")


def unique_synonyms(campaign) -> dict[str, list[str]]:
    """Synonyms that identify exactly one manifestation (safe to write instead of the name)."""
    owners: dict[str, set[str]] = {}
    for m in campaign.manifestations:
        for s in m.synonyms:
            owners.setdefault(s, set()).add(m.code)
    names = {m.name for m in campaign.manifestations}
    return {m.code: [s for s in m.synonyms if len(owners[s]) == 1 and s not in names]
            for m in campaign.manifestations}


def _category_text(draw: ProblemDraw, category: str) -> str:
    """A unit writes one category the same way in every row: the name or one synonym."""
    style, rng = draw.style, draw.rng
    if category not in style.category_text:
        cat_obj = next(c for c in draw.campaign.categories if c.name == category)
        style.category_text[category] = (category if (not cat_obj.synonyms or rng.random() > 0.25)
                                         else rng.choice(cat_obj.synonyms))
    return style.category_text[category]


def _case_text(draw: ProblemDraw, mshort: str, discovered: date) -> str:
    rng = draw.rng
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
        if text not in draw.used_cases:
            break
    else:
        text = f"{text}（{len(draw.used_cases)}）"
    draw.used_cases.add(text)
    return text


def _responsible(draw: ProblemDraw) -> str:
    rng = draw.rng
    if draw.style.layout == "fuyang":
        return f"{rng.choice(DEPTS)} {rng.choice('张王李赵刘陈杨马')}{rng.choice(['某', '某某', '建军', '海涛', '丽'])}"
    return f"{short_name(draw.unit)}{rng.choice(DEPTS)}"


def new_problem(draw: ProblemDraw, manif, discovered: date, kind: str) -> Problem:
    """A problem of `manif` found on `discovered`, with its trajectory and written deadline.
    The order of the RNG draws below fixes the generated files: keep it."""
    rng, style, syn = draw.rng, draw.style, draw.synonyms
    category = manif.category
    category_text = _category_text(draw, category)
    m_text = manif.name
    if syn.get(manif.code) and rng.random() < style.synonym_rate:
        m_text = rng.choice(syn[manif.code])
    mshort = rng.choice(syn.get(manif.code) or [short_manif(manif)])
    case_text = _case_text(draw, mshort, discovered)
    source = rng.choice(SOURCES)
    measure = rng.choice(MEASURES)
    responsible = _responsible(draw)
    p = Problem(
        unit_id=draw.unit.id, key="", category=category, category_text=category_text, manif_code=manif.code,
        manif_text=m_text, case_text=case_text, source=source, measure=measure, responsible=responsible,
        kind=kind, discovered=discovered, progress_choice=rng.randrange(10),
    )
    _trajectory(p, rng)
    _write_deadline(p, style.deadline_styles, rng)
    if rng.random() < 0.12:
        p.remark = rng.choice(REMARKS)
    return p


def _trajectory(p: Problem, rng: random.Random) -> None:
    """Dates the problem starts, is rectified and closed (销号), by kind."""
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


def _write_deadline(p: Problem, styles: list[str], rng: random.Random) -> None:
    """The 整改时限 cell as the unit writes it (a 月底 deadline moves to the month's last day)."""
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
