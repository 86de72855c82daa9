"""One ledger snapshot as a messy sheet: title, 填报单位/时间 line, one or two header rows, merged
category cells, planted bad cells, a footer; and the files of one unit."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..common import fmt_date, loose_unit_name, rng_for, short_name
from ..writers import SheetData, write_table, write_xlsx_fast
from .problems import Problem, Report, UnitStyle, progress_text, unclassified_problem
from .simulation import UnitSimulation
from .vocabulary import BAD_MANIFESTATION, FOOTERS, TITLES

IMPOSSIBLE_DEADLINE = "2023年2月30日"


@dataclass
class SheetInfo:
    """What one written report holds, for expected.json (row numbers 1-based as in Excel)."""
    first_data_row: int
    data_rows: int
    header_row: int
    statuses: dict[str, str]                # problem key → canonical status written
    progress: dict[str, str]                # problem key → progress text written
    bad_rows: list[dict]
    warnings: list[dict]
    extra_problems: list[Problem]           # the planted unclassified row
    unit_written: str
    file: str = ""
    sheet: str = ""
    due: date | None = None
    as_of: date | None = None
    meta_style: str = ""


@dataclass
class _Grid:
    rows: list[list[object]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def next_row(self) -> int:
        return len(self.rows) + 1


def _columns(style: UnitStyle) -> list[str]:
    if style.layout == "fuyang":
        return [style.serial_header, "问题方面", "表现形式", "具体案例", "问题来源", "整改措施", "整改时限",
                "整改责任部门、责任人", style.progress_header, "完成时间", "备注"]
    return [style.serial_header, "问题类别", "具体表现", "问题描述", "问题来源", "整改措施", "责任单位",
            "整改时限", style.progress_header, "备注"]


def _meta_row(grid: _Grid, nc: int, meta_style: str, unit_written: str, as_of: date) -> None:
    """The 填报单位/填报时间 line, in one of four shapes (no_date: the as-of date comes from the file name)."""
    meta = [None] * nc
    if meta_style == "merged":
        meta[0] = f"填报单位：{unit_written}        填报时间：{fmt_date(as_of, 'cn')}"
        grid.merges.append((2, 1, 2, nc))
    elif meta_style == "two_cells":
        meta[0] = f"填报单位：{unit_written}"
        meta[nc - 3] = f"填报时间：{fmt_date(as_of, 'iso')}"
        grid.merges.append((2, 1, 2, 4))
    elif meta_style == "date_cell":
        meta[0] = f"填报单位：{unit_written}"
        meta[nc - 2] = "填报时间："
        meta[nc - 1] = as_of
        grid.merges.append((2, 1, 2, 4))
    else:
        meta[0] = f"填报单位：{unit_written}"
        meta[nc - 2] = "填报时间："
        grid.merges.append((2, 1, 2, 4))
    grid.rows.append(meta)


def _header_rows(grid: _Grid, style: UnitStyle, cols: list[str]) -> tuple[int, ...]:
    """Fuyang's sample form has a two-row header (整改问题 over 问题方面/表现形式/具体案例)."""
    nc = len(cols)
    if style.layout != "fuyang":
        grid.rows.append(cols)
        return (3,)
    grid.rows += [[cols[0], "整改问题", None, None] + cols[4:], [None, "问题方面", "表现形式", "具体案例"] + [None] * (nc - 4)]
    grid.merges.append((3, 2, 3, 4))
    for c in [1] + list(range(5, nc + 1)):
        grid.merges.append((3, c, 4, c))
    return (3, 4)


def _problem_row(p: Problem, style: UnitStyle, canon: str, txt: str, deadline, rng: random.Random) -> list[object]:
    serial = p.code if p.code else p.serial
    if style.layout != "fuyang":
        return [serial, p.category_text, p.manif_text, p.case_text, p.source, p.measure,
                p.responsible, deadline, txt, p.remark]
    completed = None
    if canon in ("已整改", "已销号") and p.d_rect:
        completed = fmt_date(p.d_rect, rng.choice(["excel", "excel", "cn", "dot"]))
    return [serial, p.category_text, p.manif_text, p.case_text, p.source, p.measure, deadline,
            p.responsible, txt, completed, p.remark]


def _merge_category_cells(grid: _Grid, first_data: int) -> None:
    """Merge the category cell down the rows of one category (the value stays in the top cell)."""
    rows = grid.rows
    r = first_data
    while r < len(rows) + 1:
        cat = rows[r - 1][1]
        r2 = r
        while r2 + 1 <= len(rows) and rows[r2][1] == cat:
            r2 += 1
        if r2 > r:
            grid.merges.append((r, 2, r2, 2))
            for rr in range(r + 1, r2 + 1):
                rows[rr - 1][1] = None
        r = r2 + 1


def _unclassified_row(grid: _Grid, cols: list[str], style: UnitStyle, unit, report: Report, info: SheetInfo) -> None:
    p = unclassified_problem(unit, report)
    txt, canon = progress_text(p, p.status(report.as_of), style)
    row_no = grid.next_row
    report.rows[p.key] = row_no
    info.statuses[p.key], info.progress[p.key] = canon, txt
    junk = [None] * len(cols)
    junk[2], junk[3], junk[4], junk[5] = p.manif_text, p.case_text, p.source, p.measure
    junk[cols.index("整改时限")] = p.deadline_written
    junk[cols.index(style.progress_header)] = txt
    grid.rows.append(junk)
    info.extra_problems.append(p)
    # loaded all the same: the 警告 stands on the 表现形式 cell, the only one of the two with a value
    info.warnings.append({"kind": "ledger", "problem": "missing_category", "row": row_no, "column": cols[2],
                          "column_no": 3, "raw_value": BAD_MANIFESTATION, "blank_column": cols[1],
                          "status": canon, "note": f"{cols[1]}为空且{cols[2]}“{BAD_MANIFESTATION}”无法匹配："
                                                   "已导入，问题方面留空（未分类）"})


def _footer(grid: _Grid, nc: int, rng: random.Random) -> None:
    grid.rows.append([None] * nc)
    footer = [None] * nc
    footer[0] = rng.choice(FOOTERS).format(a=rng.choice("张王李赵") + "某", b=rng.choice("刘陈杨") + "某",
                                           tel=f"0{rng.randint(900, 999)}-{rng.randint(1000000, 9999999)}")
    grid.rows.append(footer)
    grid.merges.append((len(grid.rows), 1, len(grid.rows), nc))


def build_report_sheet(campaign, sim: UnitSimulation, report: Report, rng: random.Random,
                       bad: dict | None) -> tuple[SheetData, SheetInfo]:
    """Rows of one snapshot, with the row number of every problem. The order of the RNG draws
    (unit name, completion dates, footer) fixes the generated files."""
    style, unit = sim.style, sim.unit
    cols = _columns(style)
    nc = len(cols)
    grid = _Grid()
    grid.rows.append([TITLES[style.layout]] + [None] * (nc - 1))
    grid.merges.append((1, 1, 1, nc))
    uname = loose_unit_name(unit, rng)
    _meta_row(grid, nc, report.meta_style, uname, report.as_of)
    header_rows = _header_rows(grid, style, cols)
    first_data = grid.next_row
    info = SheetInfo(first_data_row=first_data, data_rows=0, header_row=header_rows[-1], statuses={}, progress={},
                     bad_rows=[], warnings=[], extra_problems=[], unit_written=uname)
    cat_order = {c.name: i for i, c in enumerate(campaign.categories)}
    visible = sorted((p for p in sim.problems if p.discovered <= report.as_of),
                     key=lambda p: (cat_order[p.category], p.serial))
    for p in visible:
        txt, canon = progress_text(p, p.status(report.as_of), style)
        info.statuses[p.key] = canon
        info.progress[p.key] = txt
        deadline = p.deadline_written
        if bad and bad.get("deadline_key") == p.key:
            deadline = bad["deadline_value"]
        report.rows[p.key] = grid.next_row
        grid.rows.append(_problem_row(p, style, canon, txt, deadline, rng))
    _merge_category_cells(grid, first_data)
    if bad and bad.get("deadline_key") in report.rows:
        info.bad_rows.append({"kind": "ledger", "problem": "impossible_date", "row": report.rows[bad["deadline_key"]],
                              "column": "整改时限", "column_no": cols.index("整改时限") + 1,
                              "raw_value": bad["deadline_value"]})
    if bad and bad.get("missing_category"):
        _unclassified_row(grid, cols, style, unit, report, info)
    info.data_rows = len(grid.rows) - first_data + 1
    if style.footer:
        _footer(grid, nc, rng)
    widths = {c: 14 for c in range(1, nc + 1)}
    widths[4] = 40
    return SheetData(style.sheet_name, grid.rows, grid.merges, bold_rows=(1, *header_rows), widths=widths), info


def _planted(bad_plan: dict, unit_id: str, i: int) -> dict | None:
    """The bad cells planted in report i of this unit, if any."""
    bad = None
    if bad_plan.get("deadline") and bad_plan["deadline"][0] == (unit_id, i):
        bad = {"deadline_key": bad_plan["deadline"][1], "deadline_value": IMPOSSIBLE_DEADLINE}
    if bad_plan.get("missing_category") == (unit_id, i):
        bad = dict(bad or {}, missing_category=True)
    return bad


def write_unit_ledgers(campaign, sim: UnitSimulation, out_dir: Path, seed: int, bad_plan: dict,
                       fast: bool = False) -> list[SheetInfo]:
    unit, style = sim.unit, sim.style
    rng = rng_for(seed, campaign.id, "ledger-sheets", unit.id)
    out = []
    for i, rep in enumerate(sim.reports):
        if bad_plan.get("no_date") == (unit.id, i):
            rep.meta_style = "no_date"
        rep.file = f"{short_name(unit)}_整改台账_{rep.as_of:%Y%m%d}{style.ext}"
        sd, info = build_report_sheet(campaign, sim, rep, rng, _planted(bad_plan, unit.id, i))
        if fast and style.ext != ".xls":
            write_xlsx_fast(out_dir / rep.file, sd)
        else:
            write_table(out_dir / rep.file, [sd])
        for b in info.bad_rows + info.warnings:
            b.update(file=rep.file, sheet=sd.name, unit_id=unit.id)
        info.file, info.sheet, info.due, info.as_of, info.meta_style = rep.file, sd.name, rep.due, rep.as_of, rep.meta_style
        out.append(info)
    return out
