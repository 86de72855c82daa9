"""The sample generator (samplegen/): deterministic output, and expected.json agrees with the files.

Files are read back here independently (openpyxl, python-calamine for .xls, csv) — not with etl/read.
"""
from __future__ import annotations

import csv
import hashlib
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from etl.config import load_campaign
from samplegen import generate, main
from samplegen.common import WorkCalendar

CAMPAIGNS = ["fuyang-2023", "haixi-2023"]
STATUS = {  # progress text → status (docs/design.md parse_status), test-local copy
    "尚未完成": "未整改", "未整改": "未整改", "否": "未整改", "正在整改": "整改中", "整改中": "整改中",
    "正在整改，尚未完成": "整改中", "推进中": "整改中", "已完成整改": "已整改", "已整改": "已整改", "完成": "已整改",
    "是": "已整改", "已销号": "已销号", "已完成整改，已销号": "已销号", "持续推进": "长期推进",
}
CHANNEL = {"12345": "12345热线", "12328": "12328热线", "12389": "12389举报", "信访": "信访", "媒体": "新闻媒体",
           "微信": "网络平台", "门户网站": "网络平台", "QQ": "网络平台", "暗访": "暗访检查", "上级交办": "上级交办",
           "监督员": "执法监督员", "行政复议": "行政复议", "行政诉讼": "行政诉讼", "督查": "督查检查", "自查": "自查自纠"}


@pytest.fixture(scope="module", params=CAMPAIGNS)
def runs(request, tmp_path_factory):
    a, b = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    ma = generate(request.param, a)
    mb = generate(request.param, b, seed=2023)
    return request.param, a, ma, b, mb


def _files(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir() if p.is_file())


def _read(path: Path) -> list[list[object]]:
    """All rows of the first sheet, as lists (merged cells NOT filled)."""
    if path.suffix == ".csv":
        for enc in ("utf-8-sig", "gb18030"):
            try:
                with open(path, encoding=enc, newline="") as f:
                    return [[v if v != "" else None for v in row] for row in csv.reader(f)]
            except UnicodeDecodeError:
                continue
        raise AssertionError(path)
    if path.suffix == ".xls":
        wb = CalamineWorkbook.from_path(str(path))
        rows = wb.get_sheet_by_index(0).to_python()
        return [[v if v != "" else None for v in row] for row in rows]
    ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _d(v) -> date | None:
    if v is None:
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, (int, float)):
        return date(1899, 12, 30) + timedelta(days=int(v))
    m = re.fullmatch(r"(\d{4})[年./-](\d{1,2})[月./-](\d{1,2})日?", str(v))
    assert m, v
    return date(*map(int, m.groups()))


def _due(assigned: date, n: int) -> date:
    d, k = assigned, 0
    while k < n:
        d += timedelta(days=1)
        if chinese_calendar.is_workday(d):
            k += 1
    return d


def test_deterministic(runs):
    _, a, ma, b, mb = runs
    assert ma == mb
    assert _files(a) == _files(b)
    for name in _files(a):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_seed_changes_output(runs, tmp_path):
    cid, a, ma, *_ = runs
    mc = generate(cid, tmp_path, seed=7)
    assert mc["data_rows_written"] != ma["data_rows_written"] or mc["ledger"] != ma["ledger"]


def test_file_inventory(runs):
    cid, a, m, *_ = runs
    camp = load_campaign(cid)
    listed = sorted(f["file"] for f in m["files"])
    assert listed == [n for n in _files(a) if n != "expected.json"]
    suffixes = {Path(n).suffix for n in listed}
    assert {".xlsx", ".xls", ".xlsm", ".csv"} <= suffixes
    leads_files = [f for f in m["files"] if f["kind"] == "leads"]
    assert len(leads_files) == len(camp.units)
    assert sum(f["file"].endswith(".csv") for f in leads_files) == 1
    assert {f["file"] for f in m["files"] if f["kind"] == "survey"} == {"满意度测评_2022.xlsx", "满意度测评_2023.xlsx"}
    for uid, u in m["ledger"]["per_unit"].items():
        n_files = sum(1 for f in m["files"] if f["kind"] == "ledger" and f["unit_id"] == uid)
        assert n_files == u["reports"] == len(camp.reporting.ledger_due_dates) - len(u["missing_due_dates"])
    assert m["ledger"]["missing_reports"] >= 1 and m["ledger"]["late_reports"] >= 1
    total = sum(m["ledger"]["per_unit"][u]["reports"] for u in m["ledger"]["per_unit"])
    assert total == m["file_count"]["ledger"]


def test_data_rows_and_headers(runs):
    _, a, m, *_ = runs
    for f in m["files"]:
        rows = _read(a / f["file"])
        header = rows[f["header_row"] - 1]
        body = rows[f["first_data_row"] - 1:]
        n = 0
        for r in body:
            if all(v is None for v in r):
                break          # ledger footer (填报人/审核人) follows a blank row
            n += 1
        assert n == f["data_rows"], f["file"]
        if f["kind"] == "leads":
            assert header[0] == "线索编号"
        elif f["kind"] == "survey":
            assert header[:3] == ["问卷编号", "测评年度", "被测评单位"]
        else:
            assert header[0] in ("序号", "编号", None)


def test_bad_rows_at_their_locations(runs):
    _, a, m, *_ = runs
    problems = sorted(b["problem"] for b in m["bad_rows"])
    assert problems == sorted(["impossible_date", "unknown_unit", "duplicate_lead_id", "answer_out_of_range"])
    assert m["bad_rows_planted"] == {"ledger": 1, "leads": 2, "survey": 1}
    for b in m["bad_rows"]:
        rows = _read(a / b["file"])
        row = rows[b["row"] - 1]
        cell = row[b["column_no"] - 1]
        if b["problem"] == "duplicate_lead_id":
            assert row == rows[b["duplicate_of_row"] - 1] and cell == b["raw_value"]
        else:
            assert str(cell) == b["raw_value"], b
        f = next(f for f in m["files"] if f["file"] == b["file"])
        assert f["first_data_row"] <= b["row"] < f["first_data_row"] + f["data_rows"]


def test_planted_warning_row_at_its_location(runs):
    """The ledger row without 问题方面 and with a 表现形式 that matches nothing: loaded with a 警告."""
    _, a, m, *_ = runs
    (w,) = m["planted_warnings"]
    assert (w["kind"], w["problem"], w["raw_value"]) == ("ledger", "missing_category", "工作作风漂浮")
    rows = _read(a / w["file"])
    f = next(f for f in m["files"] if f["file"] == w["file"])
    header = rows[f["header_row"] - 1]
    row = rows[w["row"] - 1]
    assert f["first_data_row"] <= w["row"] < f["first_data_row"] + f["data_rows"]
    assert header[w["column_no"] - 1] == w["column"] and w["column"] in ("表现形式", "具体表现")
    assert header[1] == w["blank_column"] and w["blank_column"] in ("问题方面", "问题类别")
    assert row[0] is None and row[1] is None and row[w["column_no"] - 1] == "工作作风漂浮"
    # its written progress is the status the ETL will load (正在整改 → 整改中, 否 → 未整改)
    assert w["status"] == next(STATUS[v] for v in row if v in STATUS)
    assert (w["file"], w["row"]) not in {(b["file"], b["row"]) for b in m["bad_rows"]}


def test_rows_expected_read_loaded_rejected(runs):
    _, _, m, *_ = runs
    for kind, r in m["rows_expected"].items():
        assert r["read"] == m["data_rows_written"][kind] == r["loaded"] + r["rejected"]
        assert r["rejected"] == sum(1 for b in m["bad_rows"] if b["kind"] == kind)   # warned rows are loaded
    assert m["rows_expected"]["ledger"]["rejected"] == 1 and m["rows_expected"]["leads"]["rejected"] == 2


def test_leads_counts(runs):
    cid, a, m, *_ = runs
    camp = load_campaign(cid)
    ids: dict[str, int] = {}
    bad = {(b["file"], b["row"]) for b in m["bad_rows"] if b["kind"] == "leads"}
    channels: dict[str, int] = {}
    on_time = late = open_ = 0
    phones: dict[str, int] = {}
    for f in (f for f in m["files"] if f["kind"] == "leads"):
        rows = _read(a / f["file"])
        for i, r in enumerate(rows[f["first_data_row"] - 1:], f["first_data_row"]):
            ids[r[0]] = ids.get(r[0], 0) + 1
            if (f["file"], i) in bad:
                continue
            ch = next(v for k, v in CHANNEL.items() if k in r[1])
            channels[ch] = channels.get(ch, 0) + 1
            assigned, concluded = _d(r[3]), _d(r[9])
            if concluded is None:
                open_ += 1
            elif concluded <= _due(assigned, camp.lead_working_days):
                on_time += 1
            else:
                late += 1
            if r[8]:
                assert re.fullmatch(r"1\d{10}", str(r[8]))
                phones[str(r[8])] = phones.get(str(r[8]), 0) + 1
    lm = m["leads"]
    assert sum(ids.values()) == m["data_rows_written"]["leads"] == lm["data_rows_written"]
    assert [k for k, v in ids.items() if v > 1] == [b["raw_value"] for b in m["bad_rows"]
                                                     if b["problem"] == "duplicate_lead_id"]
    assert lm["valid_unique_leads"] == len(ids) - 1 == sum(channels.values())   # minus the unknown-unit row
    assert 40 * len(camp.units) <= lm["valid_unique_leads"] <= 120 * len(camp.units)
    assert channels == lm["per_channel"]
    assert (on_time, late, open_) == (lm["totals"]["on_time"], lm["totals"]["late"], lm["totals"]["open"])
    assert lm["repeat_complainant_phones"] == sum(1 for v in phones.values() if v > 1) > 0
    assert all(re.fullmatch(r"(阜交专办|西交专)〔2023〕\d{3,4}号", k) for k in ids)


def _progress_status(rows: list[list[object]], f: dict, row_no: int) -> str:
    header = rows[f["header_row"] - 1] + rows[f["header_row"] - 2]   # Fuyang: two header rows
    pcol = next(i for i, h in enumerate(header) if h in ("整改进度", "整改情况", "是否完成", "整改进度及可验证成果"))
    pcol %= len(rows[f["header_row"] - 1])
    return STATUS[str(rows[row_no - 1][pcol]).split("；")[0]]


def test_ledger_latest_snapshot(runs):
    """Latest statuses as the ETL counts them: every row of the unit's latest file, plus each problem
    that is missing from it at the status of the last file it was in (the planted 未分类 row)."""
    _, a, m, *_ = runs
    warned = {(w["file"], w["row"]) for w in m["planted_warnings"]}
    carried_total = 0
    for uid, u in m["ledger"]["per_unit"].items():
        latest = u["latest"]
        f = next(f for f in m["files"] if f["file"] == latest["file"])
        rows = _read(a / f["file"])
        counts = dict.fromkeys(latest["status"], 0)
        serials = set()
        for i in range(f["first_data_row"], f["first_data_row"] + f["data_rows"]):
            serials.add(rows[i - 1][0] if rows[i - 1][0] is not None else rows[i - 1][3])
            counts[_progress_status(rows, f, i)] += 1
        for c in latest["carried_from_earlier"]:
            assert (c["file"], c["row"]) in warned   # regular problems stay in every later ledger
            cf = next(x for x in m["files"] if x["file"] == c["file"])
            crows = _read(a / c["file"])
            assert _progress_status(crows, cf, c["row"]) == c["status"]
            serials.add(crows[c["row"] - 1][3])
            counts[c["status"]] += 1
            carried_total += 1
        assert len(serials) == latest["problems"] == sum(counts.values()), uid
        assert counts == latest["status"], uid
        assert latest["problems"] <= u["distinct_problems"] <= 25 + 4 + len(latest["carried_from_earlier"])
    assert carried_total == len(m["planted_warnings"]) == 1
    totals = m["ledger"]["status_totals_latest"]
    assert all(totals[s] > 0 for s in totals)
    assert totals == {s: sum(u["latest"]["status"][s] for u in m["ledger"]["per_unit"].values()) for s in totals}
    assert sum(u["latest"]["overdue"] for u in m["ledger"]["per_unit"].values()) > 0


def test_problem_keeps_serial_and_text(runs):
    """A problem keeps its 序号/编号 and case text across a unit's snapshots."""
    _, a, m, *_ = runs
    for uid, u in m["ledger"]["per_unit"].items():
        seen: dict[object, str] = {}
        for rep in u["report_files"]:
            rows = _read(a / rep["file"])
            for r in rows[rep["first_data_row"] - 1: rep["first_data_row"] - 1 + rep["data_rows"]]:
                key = str(r[0]) if r[0] is not None else f"无序号：{r[3]}"   # the planted 未分类 row
                case = re.sub(r"（原.*问题）$", "", r[3])
                assert seen.setdefault(key, case) == case, (uid, key)
        assert len(seen) == u["distinct_problems"]


def test_relapses_planted(runs):
    cid, a, m, *_ = runs
    rel = m["ledger"]["relapses"]
    planted = [r for r in rel if r["planted"]]
    assert len(planted) >= 3
    assert any("earlier_round" in r["basis"] for r in planted)
    assert any("text" in r["basis"] for r in planted)
    assert any("reappeared" in r["basis"] for r in planted)
    if cid.startswith("fuyang"):
        assert any(r["manifestation_code"] == "F19" for r in planted)
    texts = " ".join(str(v) for f in m["files"] if f["kind"] == "ledger"
                     for row in _read(a / f["file"]) for v in row if v)
    assert "2021年专项整治回头看" in texts and "2023年2月30日" in texts
    assert any(w in texts for w in ("死灰复燃", "问题反弹"))
    for w in ("立行立改", "长期", "月底"):
        assert w in texts


def test_survey_counts(runs):
    cid, a, m, *_ = runs
    camp = load_campaign(cid)
    names = {}
    for u in camp.units:
        for n in (u.name, *u.aliases):
            names[n] = u.id
    for ym in m["survey"].values():
        f = next(f for f in m["files"] if f["file"] == ym["file"])
        rows = _read(a / f["file"])[f["first_data_row"] - 1:]
        per: dict[str, int] = {}
        for r in rows:
            per[names[r[2]]] = per.get(names[r[2]], 0) + 1
            if ym["answers_as"] == "words":
                assert all(v in camp.survey.scale for v in r[4:])
        assert per == {u: v["responses"] for u, v in ym["per_unit"].items()}
        assert 1 <= len(ym["below_min_responses"]) <= 2
        assert len(ym["low_score_units"]) == 2
        assert all(30 <= n <= 80 for u, n in per.items() if u not in ym["below_min_responses"])


def test_working_day_rule():
    cal = WorkCalendar(date(2023, 1, 1), date(2023, 12, 31))
    assert cal.add(date(2023, 9, 27), 5) == date(2023, 10, 10)   # DOMAIN.md example (国庆 + 调休)
    assert cal.add(date(2023, 4, 28), 5) == date(2023, 5, 9)     # 劳动节, 5/6 Sat worked
    assert cal.add(date(2023, 6, 21), 5) == date(2023, 6, 29)    # 端午, 6/25 Sun worked


def test_scale_mode_small(tmp_path):
    assert main(["--campaign", "haixi-2023", "--out", str(tmp_path), "--units", "6", "--leads", "3000"]) == 0
    import json
    m = json.loads((tmp_path / "expected.json").read_text(encoding="utf-8"))
    camp = load_campaign(m["campaign_id"], tmp_path / "campaigns")
    assert len(camp.units) == 6 and camp.units[0].name == "测试单位0001"
    assert (tmp_path / "campaign.toml").read_bytes() == (tmp_path / "campaigns" / f"{camp.id}.toml").read_bytes()
    assert m["leads"]["valid_unique_leads"] == 3000
    assert m["data_rows_written"]["leads"] == 3002
    kinds = {Path(f["file"]).suffix for f in m["files"] if f["kind"] == "leads"}
    assert kinds == {".xlsx", ".csv"}
    digest = hashlib.sha256((tmp_path / "expected.json").read_bytes()).hexdigest()
    generate("haixi-2023", tmp_path, units=6, leads_total=3000)
    assert hashlib.sha256((tmp_path / "expected.json").read_bytes()).hexdigest() == digest
