"""Phone numbers written anywhere in a unit's file, in any form, are masked before they are stored."""
from __future__ import annotations

import csv
import re
import unicodedata

import duckdb
import openpyxl
import pytest

from etl.build import CampaignSources, build
from etl.config import PROJECT_ROOT, load_campaign

SAMPLE_SALT = "s"
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

# (as written, its masked form, the digits that must not survive); every number is a different one.
FORMS = [
    ("13848210001", "*******0001", "13848210001"),
    ("138-4822-0002", "*******0002", "13848220002"),
    ("138 4823 0003", "*******0003", "13848230003"),
    ("+86 139 4824 0004", "*******0004", "13948240004"),
    ("+8613748250005", "*******0005", "13748250005"),
    ("86-13748260006", "*******0006", "13748260006"),
    ("13848270007".translate(FULLWIDTH), "*******0007", "13848270007"),
    ("0558-4828008", "0558-*****08", "4828008"),
    ("(0558)4829009", "0558-*****09", "4829009"),
    ("0558 4830010", "0558-*****10", "4830010"),
]
NEAR_MISSES = "罚款13800元，2023年10月12日查获皖K12345，案号GD20230601001"


def _ledger(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["填报单位：临泉县交通运输局    填报时间：2023年7月25日"])
    ws.append(["编号", "问题方面", "表现形式", "具体案例", "问题来源", "整改措施", "整改时限", "整改责任部门、责任人",
               "整改进度"])
    for r in rows:
        ws.append(r)
    wb.save(path)


def _leads(path, rows):
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["线索编号", "线索来源", "受理日期", "交办日期", "承办单位", "问题摘要", "投诉人", "联系电话", "工单状态"])
        w.writerows(rows)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    ledger_rows, lead_rows = [], []
    for i, (written, _, _) in enumerate(FORMS, start=1):
        ledger_rows.append([f"LQ-{i:02d}", "逐利执法", "乱罚款", f"群众{written}反映{NEAR_MISSES}", "自查自纠",
                            f"回访{written}", "2023年8月30日", f"法规股 张三 {written}", f"正在整改，已电话{written}沟通"])
        lead_rows.append([f"X-{i}", "12345热线", "2023-06-01", "2023-06-02", "临泉县", f"来电人{written}反映乱罚款",
                          "张伟", written, f"办理中（回访{written}）"])
        # rejected (unit unknown): the raw value is kept in load_errors, masked as well
        lead_rows.append([f"R-{i}", "12345热线", "2023-06-01", "2023-06-02", f"电话{written}的单位", "反映", "李娜",
                          written, ""])
    _ledger(src / "临泉_整改台账_20230725.xlsx", ledger_rows)
    _leads(src / "线索.csv", lead_rows)
    db = tmp_path_factory.mktemp("db") / "p.duckdb"
    build([CampaignSources(load_campaign("fuyang-2023"), [src])], db, salt=SAMPLE_SALT)
    return db


def _rows(db, sql):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_form_is_masked_in_every_free_text_column(built):
    ledger = _rows(built, "SELECT case_text, measure, responsible, progress_text FROM ledger_snapshots "
                          "ORDER BY serial_no")
    assert ledger == [(f"群众{m}反映{NEAR_MISSES}", f"回访{m}", f"法规股 张三 {m}", f"正在整改，已电话{m}沟通")
                      for _, m, _ in FORMS]
    leads = _rows(built, "SELECT summary, phone_masked, handling_status FROM leads ORDER BY source_row")
    assert leads == [(f"来电人{m}反映乱罚款", m, f"办理中（回访{m}）") for _, m, _ in FORMS]


def test_every_form_is_masked_in_load_errors(built):
    raw = _rows(built, "SELECT raw_value FROM load_errors WHERE column_name = '承办单位' ORDER BY source_row")
    assert raw == [(f"电话{m}的单位",) for _, m, _ in FORMS]


def test_the_same_number_written_differently_gets_one_key(built):
    keys = _rows(built, "SELECT complainant_key FROM leads ORDER BY source_row")
    assert len({k for (k,) in keys}) == len(FORMS)  # ten numbers, ten keys, none blank


def _varchar_cells(db) -> list[tuple[str, str, str]]:
    cells = []
    with duckdb.connect(str(db), read_only=True) as con:
        columns = con.execute("SELECT table_name, column_name FROM information_schema.columns "
                              "WHERE data_type = 'VARCHAR' AND table_schema = 'main'").fetchall()
        for table, column in columns:
            sql = f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL'
            cells += [(table, column, value) for (value,) in con.execute(sql).fetchall()]
    assert len(cells) > 100
    return cells


_HEX_DIGEST = re.compile(r"[0-9a-f]{16,64}")
_MOBILE_ANYWHERE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _clear_numbers(value: str) -> list[str]:
    """11-digit mobiles in the cell once full-width digits, separators and +86 are taken away."""
    flat = re.sub(r"[\s\-—–.()（）+]", "", unicodedata.normalize("NFKC", value))
    return _MOBILE_ANYWHERE.findall(re.sub(r"(?<!\d)86(?=1[3-9]\d{9}(?!\d))", "", flat))


def test_no_clear_number_is_stored_anywhere(built):
    found = []
    for table, column, value in _varchar_cells(built):
        if _HEX_DIGEST.fullmatch(value):  # a SHA-256 / keyed digest: no number in clear, but its hex may hold
            continue                      # an 11-digit run such as "17154474131" by chance
        flat = re.sub(r"\D", "", unicodedata.normalize("NFKC", value))
        found += [(table, column, value) for _ in _clear_numbers(value)]
        found += [(table, column, value) for *_, digits in FORMS if digits in flat]
        if re.search("[０-９]", value):
            found.append((table, column, value))
    assert found == []
    raw = built.read_bytes()
    for written, _, digits in FORMS:
        assert digits.encode() not in raw and written.encode() not in raw


def test_the_sample_build_stores_no_clear_number(tmp_path):
    db = tmp_path / "sample.duckdb"
    build([CampaignSources(load_campaign(cid), [PROJECT_ROOT / "data" / "sample" / cid])
           for cid in ("fuyang-2023", "haixi-2023")], db, salt=SAMPLE_SALT)
    masked = _rows(db, "SELECT count(*), count(*) FILTER (WHERE phone_masked LIKE '*******____') FROM leads "
                       "WHERE phone_masked IS NOT NULL")
    assert masked[0][0] > 100 and masked[0][0] == masked[0][1]
    assert [(t, c, v) for t, c, v in _varchar_cells(db) if _clear_numbers(v)] == []
