"""Round trip: the generated sample files → ETL → the counts the generator intended (expected.json)."""
from __future__ import annotations

import csv
import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest

from etl.build import CampaignSources, build
from etl.config import PROJECT_ROOT, load_campaign

CAMPAIGNS = ["fuyang-2023", "haixi-2023"]
SAMPLE = PROJECT_ROOT / "data" / "sample"
PHONE = re.compile(r"1[3-9]\d{9}")


@pytest.fixture(scope="module", params=CAMPAIGNS)
def built(request, tmp_path_factory):
    cid = request.param
    db = tmp_path_factory.mktemp(cid) / "db.duckdb"
    build([CampaignSources(load_campaign(cid), [SAMPLE / cid])], db, salt="roundtrip")
    expected = json.loads((SAMPLE / cid / "expected.json").read_text(encoding="utf-8"))
    con = duckdb.connect(str(db), read_only=True)
    yield cid, con, expected, db
    con.close()


def test_every_planted_bad_row_is_reported_where_it_is(built):
    _, con, expected, _ = built
    errors = {(r[0], r[1], r[2], r[3]) for r in con.execute(
        "SELECT file_name, sheet_name, source_row, column_name FROM load_errors WHERE severity = '错误'").fetchall()}
    planted = {(b["file"], b["sheet"], b["row"], b["column"]) for b in expected["bad_rows"]}
    assert len(planted) == 4
    assert errors == planted


def test_planted_warning_row_is_loaded_uncategorised_with_its_warning(built):
    """A row with 问题方面 blank and an unknown 表现形式 is loaded, category blank, with one 警告 there."""
    _, con, expected, _ = built
    (w,) = expected["planted_warnings"]
    # footers (填报人/审核人) below the data are the only other 警告 of the sample
    warnings = con.execute("""SELECT file_name, sheet_name, source_row, column_name, raw_value, message
                              FROM load_errors WHERE severity = '警告' AND message NOT LIKE '%是表尾%'""").fetchall()
    assert len(warnings) == 1
    file, sheet, row, column, raw, message = warnings[0]
    assert (file, sheet, row, column, raw) == (w["file"], w["sheet"], w["row"], w["column"], w["raw_value"])
    assert message.startswith("缺少问题方面（问题类别），表现形式也无法对应（无法识别的表现形式“工作作风漂浮”")
    assert message.endswith("；已导入，问题方面留空（统计中列为“未分类”）")
    assert con.execute("""SELECT s.unit_id, s.category, s.manifestation_code, s.status, s.is_relapse
                          FROM ledger_snapshots s JOIN submissions USING (submission_id)
                          WHERE file_name = ? AND source_row = ?""", [w["file"], w["row"]]).fetchall() == [
        (w["unit_id"], None, None, w["status"], False)]
    assert con.execute("SELECT count(*) FROM ledger_snapshots WHERE category IS NULL").fetchone() == (1,)


def test_rows_read_equal_loaded_plus_rejected(built):
    _, con, expected, _ = built
    per_kind = {k: {"read": r, "loaded": lo, "rejected": rej} for k, r, lo, rej in con.execute(
        "SELECT kind, sum(rows_read), sum(rows_loaded), sum(rows_rejected) FROM submissions GROUP BY kind").fetchall()}
    assert per_kind == expected["rows_expected"]
    assert {k: v["read"] for k, v in per_kind.items()} == expected["data_rows_written"]
    assert con.execute("SELECT count(*) FROM submissions WHERE rows_read <> rows_loaded + rows_rejected").fetchone() == (0,)
    rejected = con.execute("SELECT sum(rows_rejected) FROM submissions").fetchone()[0]
    assert rejected == len(expected["bad_rows"]) == con.execute(
        "SELECT count(*) FROM load_errors WHERE severity = '错误'").fetchone()[0]
    # every loaded ledger row is one snapshot row, the warned one included
    assert con.execute("SELECT count(*) FROM ledger_snapshots").fetchone()[0] == expected["rows_expected"]["ledger"]["loaded"]


def test_latest_snapshot_status_counts_per_unit(built):
    _, con, expected, _ = built
    got = Counter({(u, s): n for u, s, n in con.execute(
        "SELECT unit_id, status, count(*) FROM problems GROUP BY ALL").fetchall()})
    want = Counter()
    for unit, info in expected["ledger"]["per_unit"].items():
        for status, n in info["latest"]["status"].items():
            if n:
                want[(unit, status)] = n
    assert got == want
    assert dict(con.execute("SELECT status, count(*) FROM problems GROUP BY ALL").fetchall()) == {
        k: v for k, v in expected["ledger"]["status_totals_latest"].items() if v}


def test_reports_per_unit_and_as_of_dates(built):
    _, con, expected, _ = built
    got = {(u, d) for u, d in con.execute(
        "SELECT unit_id, as_of_date FROM submissions WHERE kind = 'ledger' AND rows_loaded > 0").fetchall()}
    want = {(u, date.fromisoformat(f["as_of"])) for u, info in expected["ledger"]["per_unit"].items()
            for f in info["report_files"]}
    assert got == want


def test_leads_counts_on_the_working_day_rule(built):
    _, con, expected, _ = built
    totals = expected["leads"]["totals"]
    row = con.execute("""SELECT count(*), count(concluded_date), count(*) FILTER (on_time),
                                count(*) FILTER (NOT on_time), count(*) FILTER (concluded_date IS NULL),
                                count(*) FILTER (finding IN ('属实', '部分属实'))
                         FROM leads""").fetchone()
    assert row == (expected["leads"]["valid_unique_leads"], totals["concluded"], totals["on_time"],
                   totals["late"], totals["open"], totals["substantiated"])
    assert dict(con.execute("SELECT channel, count(*) FROM leads GROUP BY ALL").fetchall()) == expected["leads"]["per_channel"]
    for ex in expected["leads"]["holiday_due_examples"]:
        due = con.execute("SELECT due_date FROM leads WHERE lead_id = ?", [ex["lead_id"]]).fetchone()
        assert due == (date.fromisoformat(ex["due"]),), ex
    repeat = con.execute("""SELECT count(*) FROM (SELECT complainant_key FROM leads WHERE complainant_key IS NOT NULL
                            GROUP BY ALL HAVING count(*) > 1)""").fetchone()[0]
    assert repeat == expected["leads"]["repeat_complainant_phones"]


def test_survey_scores_per_unit_and_year(built):
    _, con, expected, _ = built
    rows = con.execute("""SELECT survey_year, unit_id, count(DISTINCT response_id), avg(score) * 20
                          FROM survey_responses GROUP BY ALL""").fetchall()
    got = {(str(y), u): (n, s) for y, u, n, s in rows}
    for year, info in expected["survey"].items():
        if not isinstance(info, dict) or "per_unit" not in info:
            continue
        for unit, u in info["per_unit"].items():
            n, score = got[(year, unit)]
            assert n == u["valid_responses"]
            assert score == pytest.approx(u["score"], abs=0.01)


def test_relapses_match_the_planted_and_derived_ones(built):
    _, con, expected, _ = built
    got = {(u, t) for u, t in con.execute("SELECT unit_id, case_text FROM problems WHERE is_relapse").fetchall()}
    want = {(r["unit_id"], r["case_text"]) for r in expected["ledger"]["relapses"]}
    assert got == want
    earlier = dict(((u, t), s) for u, t, s in con.execute("""
        SELECT p.unit_id, p.case_text, e.serial_no FROM problems p JOIN problems e
          ON e.campaign_id = p.campaign_id AND e.problem_id = p.relapse_of""").fetchall())
    for r in expected["ledger"]["relapses"]:
        if "reappeared" in r["basis"]:
            assert earlier[(r["unit_id"], r["case_text"])] == str(r["relapse_of"])


def _clear_phones_in_sources(folder: Path) -> set[str]:
    phones = set()
    for path in folder.iterdir():
        if path.suffix == ".csv":
            text = path.read_bytes().decode("gb18030", errors="ignore")
            phones |= set(PHONE.findall(text))
        elif path.suffix in (".xlsx", ".xlsm"):
            wb = openpyxl.load_workbook(path, read_only=True)
            for ws in wb.worksheets:
                for row in ws.iter_rows(values_only=True):
                    phones |= {m for c in row if c is not None for m in PHONE.findall(str(c))}
    return phones


def test_no_clear_phone_number_in_the_database(built):
    cid, con, _, db = built
    phones = _clear_phones_in_sources(SAMPLE / cid)
    assert len(phones) > 50  # the sample registers really do carry phone numbers
    stored = set()
    for table, column in con.execute("""SELECT table_name, column_name FROM information_schema.columns
                                        WHERE data_type = 'VARCHAR' AND column_name NOT IN
                                        ('complainant_key', 'file_sha256', 'submission_id', 'kept_submission_id')""").fetchall():
        for (value,) in con.execute(f'SELECT DISTINCT "{column}" FROM {table} WHERE "{column}" IS NOT NULL').fetchall():
            stored |= set(PHONE.findall(value))
    assert stored == set()
    raw = db.read_bytes()
    assert not any(p.encode() in raw for p in phones)


def test_rebuilding_from_the_same_files_gives_the_same_database(built, tmp_path):
    cid, con, _, _ = built
    other = tmp_path / "again.duckdb"
    build([CampaignSources(load_campaign(cid), [SAMPLE / cid])], other, salt="roundtrip")
    with duckdb.connect(str(other), read_only=True) as again:
        for (table,) in con.execute("SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'").fetchall():
            assert con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall() == \
                again.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall(), table


def test_a_copy_of_a_file_under_another_name_changes_no_figure(built, tmp_path):
    cid, con, _, _ = built
    src = tmp_path / "src"
    src.mkdir()
    for p in (SAMPLE / cid).iterdir():
        (src / p.name).write_bytes(p.read_bytes())
    first_register = sorted(p for p in src.iterdir() if "线索登记表" in p.name)[0]
    (src / ("副本_" + first_register.name)).write_bytes(first_register.read_bytes())
    db = tmp_path / "copy.duckdb"
    build([CampaignSources(load_campaign(cid), [src])], db, salt="roundtrip")
    with duckdb.connect(str(db), read_only=True) as again:
        for table in ("leads", "ledger_snapshots", "survey_responses"):
            assert con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall() == \
                again.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall(), table
        assert again.execute("SELECT count(*) FROM load_errors WHERE message LIKE '%完全相同%'").fetchone() == (1,)


def test_gb18030_register_is_read(built):
    cid, con, expected, _ = built
    csv_files = [f for f in expected["files"] if f.get("encoding") == "gb18030"]
    assert csv_files, "the sample set must contain a GB18030 CSV register"
    for f in csv_files:
        with (SAMPLE / cid / f["file"]).open(encoding="gb18030", newline="") as fh:
            n_rows = sum(1 for row in csv.reader(fh) if any(row)) - 1
        assert con.execute("SELECT rows_read FROM submissions WHERE file_name = ?", [f["file"]]).fetchone() == (n_rows,)
