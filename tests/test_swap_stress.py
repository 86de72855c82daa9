"""Swap without errors (issue 8, item 7): 20 threads query the dashboard's runner while the
database is rebuilt three times; every query answers, from the old file or the new one."""
from __future__ import annotations

import threading
import time

import pytest

from dashboard import db
from etl.build import CampaignSources, build
from etl.config import load_campaign
from tests.test_etl_small_build import write_leads_csv, write_ledger

THREADS = 20
REBUILDS = 3
LEDGER = [["LQ-01", "逐利执法", "乱罚款", "超限车辆罚款后未卸载", "自查自纠", "立即纠正", "2023年6月30日前", "法规股", "正在整改"]]


@pytest.fixture()
def live_db(tmp_path, monkeypatch):
    src = tmp_path / "src"
    src.mkdir()
    write_leads_csv(src / "线索登记表.csv")
    path = tmp_path / "db" / "dashboard.duckdb"
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    return src, path


def rebuild(src, path, n_ledgers: int) -> None:
    """Each rebuild adds one ledger file: 1, 2, 3 … submissions of kind ledger."""
    write_ledger(src / f"临泉_整改台账_2023052{n_ledgers}.xlsx", f"2023年5月2{n_ledgers}日", LEDGER)
    build([CampaignSources(load_campaign("fuyang-2023"), [src])], path, salt="s", lock_timeout=60)


def ledger_count(frame) -> int:
    return int((frame["kind_label"] == "整改台账").sum())


def test_twenty_threads_through_three_rebuilds(live_db, monkeypatch):
    src, path = live_db
    monkeypatch.setattr(db, "scope_unit", lambda: None)  # a 专班 session: this test is about the file swap
    rebuild(src, path, 0)
    stop = threading.Event()
    failures: list[str] = []
    seen: set[int] = set()
    answered = [0] * THREADS

    def ask(i: int) -> None:
        while not stop.is_set():
            try:
                if i % 4 == 0:  # the cached page path; new params each time so the query runs
                    db.run_query("submissions_list", campaign_id="fuyang-2023", units=[f"u{answered[i]}"])
                else:
                    frame = db.get_runner(None).run("submissions_list", campaign_id="fuyang-2023", units=[])
                    seen.add(ledger_count(frame))
                answered[i] += 1
            except Exception as exc:  # noqa: BLE001 — counted, the test asserts there are none
                failures.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=ask, args=(i,), daemon=True) for i in range(THREADS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    try:
        for n in range(1, REBUILDS + 1):
            time.sleep(0.3)
            rebuild(src, path, n)
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert time.perf_counter() - started < 60
    assert failures == [], f"{len(failures)} of {sum(answered) + len(failures)} queries failed: {failures[:3]}"
    assert min(answered) > 0
    # answers came from the first database and from the last one
    assert {1, REBUILDS + 1} <= seen
    assert ledger_count(db.get_runner(None).run("submissions_list", campaign_id="fuyang-2023", units=[])) == REBUILDS + 1
