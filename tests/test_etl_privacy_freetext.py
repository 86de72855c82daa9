"""A phone number written into free text (lead summary, case text) is masked before it is stored."""
from __future__ import annotations

import csv

import duckdb

from etl.build import CampaignSources, build
from etl.config import load_campaign


def test_phone_in_summary_and_bad_cell_is_masked_in_the_database(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    with (src / "线索.csv").open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["线索编号", "线索来源", "受理日期", "交办日期", "承办单位", "问题摘要", "投诉人", "联系电话"])
        w.writerow(["X-1", "12345热线", "2023-06-01", "2023-06-02", "临泉县", "来电人13812341234反映乱罚款",
                    "张伟", "13812341234"])
        # rejected row: its raw value is kept in load_errors, masked as well
        w.writerow(["X-2", "12345热线", "2023-06-01", "2023-06-02", "电话15900001111的单位", "反映", "李娜",
                    "15900001111"])
    db = tmp_path / "p.duckdb"
    build([CampaignSources(load_campaign("fuyang-2023"), [src])], db, salt="s")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT summary FROM leads").fetchall() == [("来电人138****1234反映乱罚款",)]
        assert con.execute("SELECT raw_value FROM load_errors WHERE severity = '错误'").fetchall() == [
            ("电话159****1111的单位",)]
    raw = db.read_bytes()
    assert b"13812341234" not in raw and b"15900001111" not in raw
