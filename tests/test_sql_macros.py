"""The as-of macros from etl/sql/views.sql (problems_as_of, filtered_problems) on a hand-made case."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent

# campaign, unit, problem, as_of_date, category, source_channel, status, submission_id
ROWS = [
    ("c1", "u1", "u1:P1", "2023-05-10", "逐利执法", "信访", "未整改", "s-u1-0510"),
    ("c1", "u1", "u1:P1", "2023-06-10", "执法粗暴", "自查自纠", "整改中", "s-u1-0610-1"),
    ("c1", "u1", "u1:P1", "2023-06-10", "执法粗暴", "自查自纠", "已整改", "s-u1-0610-2"),  # same-day resubmission wins
    ("c1", "u2", "u2:P1", "2023-05-10", "逐利执法", "12345热线", "整改中", "s-u2-0510"),
    ("c2", "u1", "u1:P1", "2023-01-01", "逐利执法", "信访", "已销号", "s-c2"),            # other campaign
]


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    c.execute((ROOT / "etl" / "schema.sql").read_text(encoding="utf-8"))
    c.execute((ROOT / "etl" / "sql" / "views.sql").read_text(encoding="utf-8"))
    c.executemany(
        "INSERT INTO ledger_snapshots (campaign_id, unit_id, problem_id, as_of_date, category, "
        "source_channel, status, submission_id) VALUES (?,?,?,?,?,?,?,?)", ROWS)
    yield c
    c.close()


def status_as_of(con, as_of, sql="SELECT problem_id, status FROM problems_as_of('c1', $d)"):
    return dict(con.execute(sql, {"d": as_of}).fetchall())


def test_problems_as_of_takes_latest_snapshot_not_after_date(con):
    assert status_as_of(con, date(2023, 5, 9)) == {}
    # between the two snapshots → the earlier one
    assert status_as_of(con, date(2023, 5, 31)) == {"u1:P1": "未整改", "u2:P1": "整改中"}
    # on/after the later date → the later one; of two same-day submissions the larger submission_id
    assert status_as_of(con, date(2023, 6, 10)) == {"u1:P1": "已整改", "u2:P1": "整改中"}
    assert status_as_of(con, "2023-12-31") == {"u1:P1": "已整改", "u2:P1": "整改中"}  # string date ok


def test_problems_as_of_is_per_campaign(con):
    assert con.execute("SELECT problem_id, status FROM problems_as_of('c2', DATE '2023-12-31')").fetchall() == [
        ("u1:P1", "已销号")]


def test_filtered_problems_empty_lists_mean_all(con):
    sql = "SELECT problem_id FROM filtered_problems('c1', $d, $u, $k, $ch) ORDER BY 1"
    assert con.execute(sql, {"d": date(2023, 5, 31), "u": [], "k": [], "ch": []}).fetchall() == [
        ("u1:P1",), ("u2:P1",)]
    # literal empty lists work too (what an analyst types in the SQL console)
    assert con.execute("SELECT count(*) FROM filtered_problems('c1', DATE '2023-05-31', [], [], [])").fetchone() == (2,)


@pytest.mark.parametrize("units, categories, channels, expected", [
    (["u2"], [], [], ["u2:P1"]),
    (["u1", "u2"], [], [], ["u1:P1", "u2:P1"]),
    ([], ["逐利执法"], [], ["u2:P1"]),          # u1:P1 is 执法粗暴 in its latest snapshot
    ([], ["执法粗暴"], [], ["u1:P1"]),
    ([], [], ["信访"], []),                     # 信访 only in u1:P1's earlier snapshot
    ([], [], ["自查自纠", "12345热线"], ["u1:P1", "u2:P1"]),
    (["u1"], ["逐利执法"], [], []),
    (["nope"], [], [], []),
])
def test_filtered_problems_filters_apply_to_the_latest_snapshot(con, units, categories, channels, expected):
    got = con.execute(
        "SELECT problem_id, status FROM filtered_problems('c1', $d, $u, $k, $ch) ORDER BY 1",
        {"d": date(2023, 6, 30), "u": units, "k": categories, "ch": channels}).fetchall()
    assert [r[0] for r in got] == expected
    assert all(status == {"u1:P1": "已整改", "u2:P1": "整改中"}[pid] for pid, status in got)


def test_filtered_problems_as_of_between_snapshots_uses_earlier_values(con):
    got = con.execute("SELECT problem_id, status FROM filtered_problems('c1', DATE '2023-05-31', [], ['逐利执法'], ['信访'])")
    assert got.fetchall() == [("u1:P1", "未整改")]


def test_sidebar_match_scalar_macro(con):
    got = con.execute(
        "SELECT sidebar_match('u1', '逐利执法', NULL, [], [], []), "
        "sidebar_match('u1', '逐利执法', '信访', ['u1'], ['逐利执法'], ['信访']), "
        "sidebar_match('u1', '逐利执法', '信访', ['u2'], [], []), "
        "coalesce(sidebar_match('u1', '逐利执法', NULL, [], [], ['信访']), false)").fetchone()
    assert got == (True, True, False, False)


# lead_id, unit, channel, category, received, assigned, due, concluded
LEADS = [
    ("L1", "u1", "信访", "逐利执法", "2023-06-01", "2023-06-02", "2023-06-09", "2023-06-08"),
    ("L2", "u1", "12345热线", "执法粗暴", None, "2023-06-05", "2023-06-12", None),
    ("L3", "u2", "信访", "逐利执法", "2023-06-20", "2023-06-20", "2023-06-28", "2023-06-30"),
]


@pytest.fixture(scope="module")
def lead_con():
    c = duckdb.connect()
    c.execute((ROOT / "etl" / "schema.sql").read_text(encoding="utf-8"))
    c.execute((ROOT / "etl" / "sql" / "views.sql").read_text(encoding="utf-8"))
    c.executemany("INSERT INTO leads (campaign_id, lead_id, unit_id, channel, category, received_date, assigned_date, "
                  "due_date, concluded_date) VALUES ('c1',?,?,?,?,?,?,?,?)", LEADS)
    yield c
    c.close()


@pytest.mark.parametrize("as_of, units, channels, expected", [
    # L1 received, not yet concluded; L2 has no received date and counts from its assignment date (06-05)
    ("2023-06-04", [], [], {"L1": (False, False)}),
    ("2023-06-05", [], [], {"L1": (False, False), "L2": (False, False)}),
    # past L2's due date and still open → overdue; L3 received but not yet due
    ("2023-06-21", [], [], {"L1": (True, False), "L2": (False, True), "L3": (False, False)}),
    # L3 due 06-28 and concluded only 06-30: overdue on 06-29, concluded by 06-30
    ("2023-06-29", ["u2"], [], {"L3": (False, True)}),
    ("2023-06-30", [], ["信访"], {"L1": (True, False), "L3": (True, False)}),
])
def test_leads_as_of_received_by_date_with_flags_and_filters(lead_con, as_of, units, channels, expected):
    rows = lead_con.execute("SELECT lead_id, is_concluded, is_overdue_open FROM leads_as_of('c1', $d, $u, [], $ch)",
                            {"d": as_of, "u": units, "ch": channels}).fetchall()
    assert {r[0]: (r[1], r[2]) for r in rows} == expected


def test_filtered_problems_by_date_equals_problems_as_of_on_each_snapshot_date(con):
    sql = ("SELECT snap_date, problem_id, status FROM filtered_problems_by_date('c1', DATE '2023-12-31', $u, $k, []) "
           "ORDER BY ALL")
    assert con.execute(sql, {"u": [], "k": []}).fetchall() == [
        (date(2023, 5, 10), "u1:P1", "未整改"), (date(2023, 5, 10), "u2:P1", "整改中"),
        (date(2023, 6, 10), "u1:P1", "已整改"), (date(2023, 6, 10), "u2:P1", "整改中")]
    # the category filter applies to each date's latest snapshot; the dates stay those of all units
    assert con.execute(sql, {"u": ["u1"], "k": ["执法粗暴"]}).fetchall() == [(date(2023, 6, 10), "u1:P1", "已整改")]
    for day in (date(2023, 5, 10), date(2023, 6, 10)):
        by_date = dict(con.execute("SELECT problem_id, status FROM filtered_problems_by_date('c1', $d, [], [], []) "
                                   "WHERE snap_date = $d", {"d": day}).fetchall())
        assert by_date == status_as_of(con, day)


# The 口径 flags. problem, deadline_kind, deadline, status, source_channel — one snapshot each on 2023-06-10.
FLAG_PROBLEMS = [
    ("P-open-late", "date", "2023-06-15", "整改中", "自查自纠"),
    ("P-open-due", "date", "2023-06-30", "未整改", "信访"),
    ("P-rectified", "date", "2023-06-15", "已整改", "信访"),
    ("P-closed", "immediate", None, "已销号", "信访"),
    ("P-long", "long_term", None, "长期推进", "自查自纠"),
]
PROBLEM_FLAGS = "is_rectified, is_closed, is_done, is_open, is_long_term, is_overdue, is_self_inspection"


@pytest.fixture(scope="module")
def flag_con():
    c = duckdb.connect()
    c.execute((ROOT / "etl" / "schema.sql").read_text(encoding="utf-8"))
    c.execute((ROOT / "etl" / "sql" / "views.sql").read_text(encoding="utf-8"))
    c.executemany("INSERT INTO ledger_snapshots (campaign_id, unit_id, problem_id, as_of_date, deadline_kind, deadline, "
                  "status, source_channel, submission_id) VALUES ('c1', 'u1', ?, DATE '2023-06-10', ?, ?, ?, ?, 's1')",
                  FLAG_PROBLEMS)
    yield c
    c.close()


def test_problem_flags_on_2023_06_20(flag_con):
    rows = flag_con.execute(f"SELECT problem_id, {PROBLEM_FLAGS} FROM problems_as_of('c1', DATE '2023-06-20')")
    got = {r[0]: r[1:] for r in rows.fetchall()}
    #                  rectified closed done  open   long   overdue self
    assert got == {
        "P-open-late": (False, False, False, True, False, True, True),    # deadline 06-15 passed, still open
        "P-open-due": (False, False, False, True, False, False, False),   # deadline 06-30 not yet
        "P-rectified": (True, False, True, False, False, False, False),   # past deadline but done: not overdue
        "P-closed": (False, True, True, False, False, False, False),
        "P-long": (False, False, False, False, True, False, True),        # no date deadline: never overdue
    }


def test_overdue_counts_as_of_and_by_snapshot_date(flag_con):
    overdue = "SELECT count(*) FILTER (is_overdue) FROM problems_as_of('c1', $d)"
    assert [flag_con.execute(overdue, {"d": d}).fetchone()[0] for d in ("2023-06-15", "2023-06-16", "2023-07-01")] == [
        0, 1, 2]
    # the trend macro judges overdue on each snapshot date (06-10: nothing due yet), whatever as_of is
    by_date = flag_con.execute("SELECT snap_date, count(*) FILTER (is_overdue), count(*) FILTER (is_done) "
                               "FROM filtered_problems_by_date('c1', DATE '2023-07-01', [], [], []) GROUP BY 1")
    assert by_date.fetchall() == [(date(2023, 6, 10), 0, 2)]


# lead_id, assigned, due, concluded, on_time (source column), feedback, finding — all received 2023-06-01
FLAG_LEADS = [
    ("L-ontime", "2023-06-02", "2023-06-09", "2023-06-08", None, "2023-06-09", "属实"),
    ("L-late", "2023-06-02", "2023-06-09", "2023-06-12", None, None, "部分属实"),
    ("L-nodue-ok", "2023-06-02", None, "2023-06-12", True, "2023-06-30", "不属实"),
    ("L-open-late", "2023-06-02", "2023-06-09", None, None, None, None),
    ("L-open", "2023-06-25", "2023-07-05", "2023-06-28", None, None, "属实"),   # concluded after as_of
]
LEAD_FLAGS = "is_assigned, is_concluded, is_overdue_open, is_on_time, is_on_time_due, is_fed_back, is_found, has_finding"


def test_lead_flags_on_2023_06_20(flag_con):
    flag_con.executemany("INSERT INTO leads (campaign_id, unit_id, received_date, lead_id, assigned_date, due_date, "
                         "concluded_date, on_time, feedback_date, finding) VALUES ('c1', 'u1', DATE '2023-06-01', "
                         "?, ?, ?, ?, ?, ?, ?)", FLAG_LEADS)
    rows = flag_con.execute(f"SELECT lead_id, {LEAD_FLAGS} FROM leads_as_of('c1', DATE '2023-06-20', [], [], [])")
    got = {r[0]: tuple(bool(v) for v in r[1:]) for r in rows.fetchall()}  # NULL (unknown) counts as not
    #                assigned concl  overdue ontime due    fedback found  finding
    assert got == {
        "L-ontime": (True, True, False, True, True, True, True, True),
        "L-late": (True, True, False, False, True, False, True, True),
        "L-nodue-ok": (True, True, False, True, True, False, False, True),   # feedback 06-30 is after as_of
        "L-open-late": (True, False, True, False, True, False, False, False),
        "L-open": (False, False, False, False, False, False, False, False),
    }


@pytest.fixture(scope="module")
def ledger_report_con():
    """Due dates 05-01, 06-01, 07-01 with 3 grace days; u1 reports 05-03 and 06-10, u2 reports 06-04."""
    c = duckdb.connect()
    c.execute((ROOT / "etl" / "schema.sql").read_text(encoding="utf-8"))
    c.execute((ROOT / "etl" / "sql" / "views.sql").read_text(encoding="utf-8"))
    c.execute("INSERT INTO campaigns (campaign_id, grace_days) VALUES ('c1', 3)")
    c.execute("INSERT INTO report_due_dates VALUES ('c1', '2023-05-01'), ('c1', '2023-06-01'), ('c1', '2023-07-01')")
    c.execute("INSERT INTO units VALUES ('c1', 'u1', '一号', '县区', 1), ('c1', 'u2', '二号', '县区', 2)")
    c.execute("INSERT INTO submissions (submission_id, campaign_id, kind, unit_id, as_of_date) VALUES "
              "('a', 'c1', 'ledger', 'u1', '2023-05-03'), ('b', 'c1', 'ledger', 'u1', '2023-06-10'), "
              "('c', 'c1', 'ledger', 'u2', '2023-06-04'), ('d', 'c1', 'leads', 'u2', '2023-05-02')")
    yield c
    c.close()


def test_ledger_report_windows_and_reports_due(ledger_report_con):
    windows = ledger_report_con.execute("SELECT due_date, win_start, win_end, next_due FROM ledger_report_windows('c1')")
    d = date
    assert windows.fetchall() == [
        (d(2023, 5, 1), None, d(2023, 5, 4), d(2023, 6, 1)),
        (d(2023, 6, 1), d(2023, 5, 4), d(2023, 6, 4), d(2023, 7, 1)),
        (d(2023, 7, 1), d(2023, 6, 4), d(2023, 7, 4), d(9999, 12, 31))]
    due = "SELECT unit_id, due_date FROM ledger_reports_due('c1', $d, $u) ORDER BY ALL"
    assert ledger_report_con.execute(due, {"d": "2023-06-01", "u": ["u2"]}).fetchall() == [
        ("u2", d(2023, 5, 1)), ("u2", d(2023, 6, 1))]
    assert len(ledger_report_con.execute(due, {"d": "2023-07-01", "u": []}).fetchall()) == 6


def test_ledger_reports_in_window(ledger_report_con):
    sql = """SELECT due.unit_id, due.due_date, count(report.submission_id)
             FROM ledger_reports_due('c1', DATE '2023-06-30', []) AS due
             LEFT JOIN ledger_reports_as_of('c1', DATE '2023-06-30') AS report
                    ON report.unit_id = due.unit_id AND in_report_window(report.as_of_date, due.win_start, due.win_end)
             GROUP BY ALL ORDER BY ALL"""
    d = date
    # u1: 05-03 in the first window; 06-10 is after 06-04, so late for 06-01. u2: 06-04 is the last day of
    # the 06-01 window (grace included); its 05-02 file is a leads file and does not count.
    assert ledger_report_con.execute(sql).fetchall() == [
        ("u1", d(2023, 5, 1), 1), ("u1", d(2023, 6, 1), 0), ("u2", d(2023, 5, 1), 0), ("u2", d(2023, 6, 1), 1)]
