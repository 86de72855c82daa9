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
