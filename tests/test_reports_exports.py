"""Consolidated ledgers in the plans' layouts, round trip through the ETL, templates, export safety."""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from etl.build import CampaignSources, build, collect
from etl.config import load_campaign
from etl.normalize.channels import CHANNELS
from reports.ledger_export import build_workbook, export_ledger
from reports.safe_cells import write_csv
from reports.templates import leads_template, ledger_template, template_file_names
from tests._reports_common import CAMPAIGNS, SNAP, build_sample_db, truth_problems

AS_OF = "2023-09-21"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_sample_db(tmp_path_factory.mktemp("export_db"))


@pytest.fixture(scope="module")
def exports(db, tmp_path_factory):
    root = tmp_path_factory.mktemp("exports")
    out = {}
    for cid in CAMPAIGNS:
        d = root / cid
        d.mkdir()
        out[cid] = export_ledger(db, cid, date.fromisoformat(AS_OF), out=d / "合并台账.xlsx")
    return out


def _merged(ws) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


def test_fuyang_annex3_layout(exports):
    wb = openpyxl.load_workbook(exports["fuyang-2023"])
    ws = wb["临泉县交通运输局"]
    m = _merged(ws)
    assert ws["A1"].value == "全市交通运输执法领域专项整治行动问题清单、措施清单、时限清单、责任清单"
    assert {"A1:K1", "A2:K2", "B3:D3", "A3:A4", "E3:E4", "F3:F4", "G3:G4", "H3:H4"} <= m
    assert ws["A2"].value.startswith("填报单位：临泉县交通运输局") and "填报时间：2023年9月21日" in ws["A2"].value
    assert [ws.cell(3, c).value for c in (1, 2, 5, 6, 7, 8)] == ["序号", "整改问题", "问题来源", "整改措施",
                                                                 "整改时限", "整改责任部门、责任人"]
    assert [ws.cell(4, c).value for c in (2, 3, 4)] == ["问题方面", "表现形式", "具体案例"]
    _assert_category_merged_down(ws, col="B", first=5)


def test_haixi_annex2_layout(exports):
    wb = openpyxl.load_workbook(exports["haixi-2023"])
    ws = wb["格尔木市交通运输局"]
    assert ws["A1"].value == "交通运输执法领域突出问题整改工作台账"
    assert {"A1:J1", "A2:J2"} <= _merged(ws)
    assert "填报单位：格尔木市交通运输局" in ws["A2"].value and "2023年9月21日" in ws["A2"].value
    assert [c.value for c in ws[3]] == ["编号", "问题类别", "具体表现", "问题描述", "问题来源", "整改措施",
                                        "责任单位", "整改时限", "整改进度及可验证成果", "备注"]
    _assert_category_merged_down(ws, col="B", first=4)


def _assert_category_merged_down(ws, col: str, first: int) -> None:
    runs = [r for r in ws.merged_cells.ranges if r.min_col == r.max_col == 2 and r.min_row >= first]
    assert runs, "问题方面未向下合并"
    covered = set()
    for r in runs:
        covered |= set(range(r.min_row, r.max_row + 1))
    # every row inside a merged run belongs to the same category; runs never hold two categories
    values = {}
    for row in range(first, ws.max_row + 1):
        v = ws[f"{col}{row}"].value
        if v is not None:
            values[row] = v
    for r in runs:
        assert r.min_row in values and all(x not in values for x in range(r.min_row + 1, r.max_row + 1))
    # adjacent unmerged rows have different categories
    starts = sorted(values)
    for a, b in zip(starts, starts[1:], strict=False):
        if b == a + 1 and a not in covered:
            assert values[a] != values[b]


def _unclassified_rows(db: Path, cid: str, workbook: Path, camp) -> list[tuple[str, int]]:
    """(sheet, row) in the exported workbook of each problem whose 问题方面 is blank in the source DB,
    found by its case text in column D of its unit's sheet."""
    src = duckdb.connect(str(db), read_only=True)
    try:
        blanks = src.execute(SNAP + "SELECT unit_id, case_text FROM snap WHERE category IS NULL",
                             {"c": cid, "d": AS_OF}).fetchall()
    finally:
        src.close()
    wb = openpyxl.load_workbook(workbook, read_only=True)
    out = []
    for unit_id, case_text in blanks:
        sheet = camp.unit(unit_id).name
        rows = [i for i, (d,) in enumerate(wb[sheet].iter_rows(min_col=4, max_col=4, values_only=True), 1)
                if d == case_text]
        assert len(rows) == 1, (sheet, case_text)
        out.append((sheet, rows[0]))
    return out


@pytest.mark.parametrize("cid", CAMPAIGNS)
def test_round_trip_through_etl(exports, db, tmp_path, cid):
    out_db = tmp_path / "rt.duckdb"
    camp = load_campaign(cid)
    res = build([CampaignSources(camp, [Path(exports[cid]).parent])], out_db, salt="t")
    # the only message: the sample's 未分类 problem (问题方面 blank in the DB) is exported with 问题方面 and
    # 表现形式 blank, and re-imported the same way — loaded, with one 警告 on its row
    unclassified = _unclassified_rows(db, cid, exports[cid], camp)
    assert len(unclassified) == 1
    cat_header = "问题方面" if camp.ledger_layout == "fuyang" else "问题类别"
    assert sorted((e.file_name, e.sheet_name, e.source_row, e.column_name, e.raw_value, e.message, e.severity)
                  for e in res.errors) == sorted(
        ("合并台账.xlsx", sheet, row, cat_header, None,
         "缺少问题方面（问题类别）和表现形式；已导入，问题方面留空（统计中列为“未分类”）", "警告")
        for sheet, row in unclassified)
    back = truth_problems(out_db, cid, AS_OF)
    assert back == truth_problems(db, cid, AS_OF)
    assert sum(1 for r in back if r[1] == "") == len(unclassified)
    con = duckdb.connect(str(out_db), read_only=True)
    try:
        ids_back = {r[0] for r in con.execute("SELECT problem_id FROM ledger_snapshots").fetchall()}
    finally:
        con.close()
    src = duckdb.connect(str(db), read_only=True)
    try:
        ids_src = {r[0] for r in src.execute(SNAP + "SELECT problem_id FROM snap", {"c": cid, "d": AS_OF}).fetchall()}
    finally:
        src.close()
    assert ids_back == ids_src  # problem ids (unit code or 序号+案例指纹) are stable too


def test_export_filtered_by_unit(db, tmp_path):
    p = export_ledger(db, "fuyang-2023", date(2023, 9, 21), units=["taihe"], out=tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames == ["太和县交通运输局"]


@pytest.mark.parametrize("cid", CAMPAIGNS)
def test_template_dropdowns(cid):
    camp = load_campaign(cid)
    unit = camp.units[0]
    ws = ledger_template(camp, unit.id, date(2023, 9, 21)).active
    assert unit.name in ws["A2"].value and "2023年9月21日" in ws["A2"].value
    lists = _validation_lists(ws)
    hdr_row = 4 if camp.ledger_layout == "fuyang" else 3
    headers = {ws.cell(hdr_row, c).value: c for c in range(1, 12) if ws.cell(hdr_row, c).value}
    headers.update({ws.cell(3, c).value: c for c in range(1, 12) if ws.cell(3, c).value})
    by_header = {h: lists.get(c) for h, c in headers.items()}
    cat_h = "问题方面" if camp.ledger_layout == "fuyang" else "问题类别"
    man_h = "表现形式" if camp.ledger_layout == "fuyang" else "具体表现"
    prog_h = "整改进度" if camp.ledger_layout == "fuyang" else "整改进度及可验证成果"
    assert by_header[cat_h] == [c.name for c in camp.categories]
    assert by_header[man_h] == [m.name for m in camp.manifestations]
    assert by_header[prog_h] == ["未整改", "整改中", "已整改", "已销号", "长期推进"]
    assert by_header["问题来源"] == list(CHANNELS)
    leads_ws = leads_template(camp, unit.id, date(2023, 9, 21)).active
    ll = _validation_lists(leads_ws)
    hdr = {leads_ws.cell(3, c).value: c for c in range(1, 13)}
    assert ll[hdr["线索来源"]] == list(CHANNELS)
    assert ll[hdr["承办单位"]] == [u.name for u in camp.units]
    assert ll[hdr["调查结论"]] == ["属实", "部分属实", "不属实"]


def _validation_lists(ws) -> dict[int, list[str]]:
    """column → the values its list validation offers (read from the referenced cells)."""
    from openpyxl.utils import column_index_from_string, range_boundaries

    out = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list"
        c1, r1, c2, r2 = range_boundaries(dv.formula1.replace("$", ""))
        vals = [ws.cell(r, c1).value for r in range(r1, r2 + 1)]
        assert ws.column_dimensions[ws.cell(1, c1).column_letter].hidden
        col = column_index_from_string(str(dv.sqref).split(":")[0].rstrip("0123456789"))
        out[col] = vals
    return out


@pytest.mark.parametrize("cid", CAMPAIGNS)
def test_filled_template_loads_without_errors(tmp_path, cid):
    camp = load_campaign(cid)
    unit = camp.units[1]
    when = date(2023, 9, 21)
    names = template_file_names(camp, unit.id, when)
    wb = ledger_template(camp, unit.id, when)
    ws = wb.active
    fy = camp.ledger_layout == "fuyang"
    first = 5 if fy else 4
    keys = ["serial_no", "category", "manifestation", "case_text", "source_channel", "measure"] + (
        ["deadline", "responsible", "progress", "completed_date", "remark"] if fy
        else ["responsible", "deadline", "progress", "remark"])
    m1, m2 = camp.categories[0].manifestations[0], camp.categories[2].manifestations[1]
    rows = [
        dict(serial_no=1, category=m1.category, manifestation=m1.name, case_text="自查发现乱罚款问题1起",
             source_channel="自查自纠", measure="退还罚款", deadline=date(2023, 10, 31), responsible="法规股 张某",
             progress="整改中"),
        dict(serial_no=2, category=m2.category, manifestation=m2.name, case_text="群众反映运动式执法",
             source_channel="12345热线", measure="约谈", deadline="立行立改", responsible="执法大队", progress="已销号",
             completed_date=date(2023, 9, 1)),
        dict(serial_no=3, category=m2.category, manifestation=m2.name, case_text="长期问题",
             source_channel="暗访检查", measure="建章立制", deadline="长期坚持", responsible="执法大队",
             progress="长期推进"),
    ]
    for i, rec in enumerate(rows):
        for j, k in enumerate(keys, 1):
            if k in rec:
                ws.cell(first + i, j).value = rec[k]
    wb.save(tmp_path / names["ledger"])
    lw = leads_template(camp, unit.id, when)
    ls = lw.active
    lead = ["X〔2023〕001号", "12345热线", date(2023, 9, 1), date(2023, 9, 1), unit.name, camp.categories[0].name,
            "反映乱罚款", "张三", "13812341234", date(2023, 9, 5), "属实", date(2023, 9, 6)]
    for j, v in enumerate(lead, 1):
        ls.cell(4, j).value = v
    lw.save(tmp_path / names["leads"])
    res = collect([CampaignSources(camp, [tmp_path])], salt="t")
    assert res.errors == []
    assert len(res.ledger) == 3 and len(res.leads) == 1
    got = sorted((r["category"], r["manifestation"], r["status"], r["deadline_kind"]) for r in res.ledger.rows())
    assert got == sorted([(m1.category, m1.name, "整改中", "date"), (m2.category, m2.name, "已销号", "immediate"),
                          (m2.category, m2.name, "长期推进", "long_term")])
    assert {r["unit_id"] for r in res.ledger.rows()} == {unit.id}


HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\t=1+1", "\r=2"]


def test_hostile_text_stays_text_in_xlsx(db, tmp_path):
    camp = load_campaign("fuyang-2023")
    con = duckdb.connect(str(db), read_only=True)
    frame = con.execute(SNAP + """
        SELECT s.*, u.name AS unit_name, 1 AS category_no FROM snap s
        JOIN units u USING (campaign_id, unit_id) ORDER BY problem_id LIMIT 6""",
        {"c": "fuyang-2023", "d": AS_OF}).df()
    con.close()
    frame["case_text"] = HOSTILE
    frame["measure"] = HOSTILE[::-1]
    frame["unit_id"] = frame["unit_id"].iloc[0]
    wb = build_workbook(camp, frame, date(2023, 9, 21), {})
    path = tmp_path / "hostile.xlsx"
    wb.save(path)
    back = openpyxl.load_workbook(path)
    ws = back.worksheets[0]
    texts = {}
    for row in ws.iter_rows(min_row=5):
        for c in row:
            if isinstance(c.value, str) and c.value in HOSTILE:
                assert c.data_type == "s", (c.coordinate, c.value)
                texts[c.value] = c
    assert set(texts) == set(HOSTILE)
    # raw XML has no formula element at all
    import zipfile

    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    # numbers and dates keep their types
    assert isinstance(ws["A5"].value, int | str)
    dl = [c for c in ws["G"][4:] if c.value is not None and not isinstance(c.value, str)]
    assert all(c.is_date for c in dl)


def test_hostile_text_stays_text_in_csv(tmp_path):
    path = write_csv(tmp_path / "x.csv", ["案例", "数量", "日期"],
                     [[h, 3, date(2023, 9, 21)] for h in HOSTILE] + [["正常文字", 2.5, None]])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(keepends=False)))
    body = [r for r in rows[1:] if r]
    assert [r[0] for r in body[:4]] == ["'" + h for h in HOSTILE[:4]]
    assert all(r[0].startswith("'") for r in body[:len(HOSTILE)] if r[0])
    assert body[0][1:] == ["3", "2023-09-21"]
    assert body[-1] == ["正常文字", "2.5", ""]
    df = pd.read_csv(path, encoding="utf-8-sig")
    assert df.columns.tolist() == ["案例", "数量", "日期"]
