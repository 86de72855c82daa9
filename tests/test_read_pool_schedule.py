"""Issue 13: the reading processes count working days from the holiday schedule files this process uses
(a build with another calendar file is read in parallel, not refused back to one process)."""
from __future__ import annotations

import csv
from datetime import date

from etl import read_pool
from etl.config import load_campaign
from etl.normalize import workdays
from etl.read_one import read_one
from tests.test_etl_small_build import LEADS_HEADER
from tests.test_incremental_build import SALT, config_folder
from tests.test_incremental_scope import CALENDAR_2027, ROWS_2027


def test_the_workers_use_this_processes_calendar_file(tmp_path):
    later = load_campaign("fuyang-2023",
                          config_folder(tmp_path, "c", lambda t: t.replace("end_date = 2023-11-01", "end_date = 2026-11-01")))
    paths = [tmp_path / f"{n}_2027年线索登记表.csv" for n in ("临泉县", "太和县")]
    for path in paths:
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerows([LEADS_HEADER, *ROWS_2027])
    saved = workdays.schedule_files()
    calendar = tmp_path / "calendar.toml"
    calendar.write_text(CALENDAR_2027, encoding="utf-8")
    try:
        workdays.use_schedule_files(calendar, None)
        parts = list(read_pool.read_in_processes([(later, p, "sha") for p in paths], [], SALT, 2))
        here = [read_one(later, p, "sha", SALT, [], {}) for p in paths]
    finally:
        workdays.use_schedule_files(saved["calendar_file"], saved["campaigns_dir"])
    due = [part.rows["leads"].column("due_date").to_pylist() for part in parts]
    assert due == [[date(2027, 2, 16)] * 2] * 2  # (Mon–Fri alone would give 02-10)
    assert [p.rows["leads"].to_pylist() for p in parts] == [h.rows["leads"].to_pylist() for h in here]
