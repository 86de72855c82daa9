"""The precomputed tables (etl/sql/precompute.sql) change no figure: every queries/*.sql file gives the same
result on a database whose macros read the precomputed tables as on the same database with the macros as they
were before precomputing (kept below, verbatim: windows over every ledger snapshot) and the query files that
were rewritten for speed as they were before (tests/test_precomputed_before.py); on the fixture database and on
a built sample, at several dates, with sidebar filters and in a unit account's scope."""
from __future__ import annotations

import math
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from analytics.queries import QUERIES_DIR, QueryRunner, sql_params
from tests._reports_common import build_sample_db
from tests.test_precomputed_before import BEFORE

ROOT = Path(__file__).resolve().parent.parent
PRECOMPUTE_SQL = ROOT / "etl" / "sql" / "precompute.sql"
VIEWS_SQL = ROOT / "etl" / "sql" / "views.sql"
QUERY_NAMES = sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))

# The independent computation: the two row-selecting macros exactly as views.sql defined them before
# precompute.sql existed (the other macros build on these two), the helpers queries read directly as windows
# over every snapshot too, every complainant key as a repeat candidate, and summary_only_scores as it was.
REFERENCE_MACROS = """
CREATE OR REPLACE MACRO problems_as_of(cid, as_of) AS TABLE
WITH latest_snapshot AS (
    SELECT *
    FROM ledger_snapshots
    WHERE campaign_id = cid AND as_of_date <= CAST(as_of AS DATE)
    QUALIFY row_number() OVER (PARTITION BY unit_id, problem_id
                               ORDER BY as_of_date DESC, submission_id DESC) = 1
)
SELECT *,
    status_is_rectified(status) AS is_rectified,
    status_is_closed(status) AS is_closed,
    status_is_done(status) AS is_done,
    status_is_open(status) AS is_open,
    status_is_long_term(status) AS is_long_term,
    problem_is_overdue(deadline_kind, deadline, status, as_of) AS is_overdue,
    channel_is_self_inspection(source_channel) AS is_self_inspection
FROM latest_snapshot;

CREATE OR REPLACE MACRO filtered_problems_by_date(cid, as_of, unit_list, category_list, channel_list) AS TABLE
WITH valid AS (
    SELECT *,
        coalesce(lead(as_of_date) OVER (PARTITION BY problem_id ORDER BY as_of_date, submission_id),
                 DATE '9999-12-31') AS valid_until
    FROM ledger_snapshots
    WHERE campaign_id = cid AND as_of_date <= CAST(as_of AS DATE)
      AND (len(unit_list) = 0 OR list_contains(unit_list, unit_id))
), snapshot_dates AS (
    SELECT DISTINCT as_of_date AS snap_date
    FROM ledger_snapshots
    WHERE campaign_id = cid AND as_of_date <= CAST(as_of AS DATE)
)
SELECT snapshot_dates.snap_date, valid.* EXCLUDE (valid_until),
    status_is_rectified(valid.status) AS is_rectified,
    status_is_closed(valid.status) AS is_closed,
    status_is_done(valid.status) AS is_done,
    status_is_open(valid.status) AS is_open,
    status_is_long_term(valid.status) AS is_long_term,
    problem_is_overdue(valid.deadline_kind, valid.deadline, valid.status, snapshot_dates.snap_date) AS is_overdue,
    channel_is_self_inspection(valid.source_channel) AS is_self_inspection
FROM valid
JOIN snapshot_dates ON snapshot_dates.snap_date >= valid.as_of_date AND snapshot_dates.snap_date < valid.valid_until
WHERE sidebar_match(valid.unit_id, valid.category, valid.source_channel, [], category_list, channel_list);

-- the helpers the queries read directly (completion_trend), over every snapshot as well
CREATE OR REPLACE MACRO latest_snapshots(cid, as_of) AS TABLE
SELECT * EXCLUDE (is_rectified, is_closed, is_done, is_open, is_long_term, is_overdue, is_self_inspection)
FROM problems_as_of(cid, as_of);

CREATE OR REPLACE MACRO snapshots_with_validity(cid, as_of, unit_list) AS TABLE
SELECT *,
    coalesce(lead(as_of_date) OVER (PARTITION BY problem_id ORDER BY as_of_date, submission_id),
             DATE '9999-12-31') AS valid_until
FROM ledger_snapshots
WHERE campaign_id = cid AND as_of_date <= CAST(as_of AS DATE)
  AND (len(unit_list) = 0 OR list_contains(unit_list, unit_id));

-- the summary-table rows as before: units without questionnaires, looked up in every answer
CREATE OR REPLACE MACRO summary_only_scores(cid, max_year, unit_list) AS TABLE
SELECT x.*, coalesce(x.score, x.satisfaction_rate) AS score_or_rate
FROM survey_unit_scores x
WHERE x.campaign_id = cid AND x.survey_year <= max_year
  AND (len(unit_list) = 0 OR list_contains(unit_list, x.unit_id))
  AND NOT EXISTS (SELECT 1 FROM survey_responses y WHERE y.campaign_id = x.campaign_id
                  AND y.survey_year = x.survey_year AND y.unit_id = x.unit_id);

-- every complainant key a candidate: the leads queries then count every key, as before the candidates existed
CREATE OR REPLACE MACRO repeat_complainant_candidates(cid) AS TABLE
SELECT DISTINCT campaign_id, unit_id, complainant_key FROM leads WHERE campaign_id = cid AND complainant_key IS NOT NULL;
"""


def _copy(source: Path, target: Path, sql: str) -> Path:
    shutil.copyfile(source, target)
    with duckdb.connect(str(target)) as con:
        con.execute(sql)
    return target


def _queries_before(target: Path) -> Path:
    """queries/ with the files precomputing rewrote as they were before (tests/test_precomputed_before.py)."""
    shutil.copytree(QUERIES_DIR, target)
    for name, sql in BEFORE.items():
        (target / f"{name}.sql").write_text(sql, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    return build_sample_db(tmp_path_factory.mktemp("precomputed_sample"))


# The built sample changed the way real ledgers are messy, so lead counts meet every edge of their 口径: no 受理日期
# (交办日期 counts), no date at all, 办结 before 受理, 反馈 before 办结, no 办理期限, 期限 before 受理, 办结 on the
# 期限 day and the day after, no 核查结论 / another wording, no unit, 是否按时 given without a 期限; questionnaire
# answers without a score, answers missing, questionnaires without a unit. Then precompute.sql
# runs again, as tests that change a built database must (after views.sql: precompute.sql re-points the
# repeat_complainant_candidates / response_scores macros at its tables, and a second run would derive them from
# its own, just emptied, tables).
MODIFY_SAMPLE = """
UPDATE leads SET received_date = NULL WHERE hash(lead_id) % 13 = 0;
UPDATE leads SET received_date = NULL, assigned_date = NULL WHERE hash(lead_id) % 29 = 1;
UPDATE leads SET concluded_date = received_date - 3 WHERE hash(lead_id) % 17 = 2 AND received_date IS NOT NULL;
UPDATE leads SET feedback_date = concluded_date - 1 WHERE hash(lead_id) % 11 = 3 AND concluded_date IS NOT NULL;
UPDATE leads SET due_date = NULL, on_time = (hash(lead_id) % 2 = 0) WHERE hash(lead_id) % 9 = 4;
UPDATE leads SET due_date = received_date - 2 WHERE hash(lead_id) % 19 = 5 AND received_date IS NOT NULL;
UPDATE leads SET concluded_date = due_date WHERE hash(lead_id) % 7 = 6 AND due_date IS NOT NULL;
UPDATE leads SET concluded_date = due_date + 1 WHERE hash(lead_id) % 7 = 1 AND due_date IS NOT NULL;
UPDATE leads SET concluded_date = NULL, feedback_date = NULL WHERE hash(lead_id) % 10 = 7;
UPDATE leads SET finding = CASE WHEN hash(lead_id) % 2 = 0 THEN NULL ELSE '无法核实' END WHERE hash(lead_id) % 8 = 2;
UPDATE leads SET unit_id = NULL WHERE hash(lead_id) % 31 = 8;
UPDATE leads SET complainant_key = NULL WHERE hash(lead_id) % 5 = 3;
UPDATE survey_responses SET score = NULL WHERE hash(response_id || dimension) % 7 = 0;
DELETE FROM survey_responses WHERE hash(response_id || dimension) % 11 = 1;
UPDATE survey_responses SET unit_id = NULL WHERE hash(response_id) % 23 = 5;
"""


def _derive_again() -> str:
    """What a build runs after loading the tables: views.sql (its macros replacing the ones there), precompute.sql."""
    views = re.sub(r"^CREATE (MACRO|VIEW) ", r"CREATE OR REPLACE \1 ", VIEWS_SQL.read_text(encoding="utf-8"), flags=re.M)
    return views + PRECOMPUTE_SQL.read_text(encoding="utf-8")


@pytest.fixture(scope="module", params=["fixture", "sample", "modified"])
def pair(request, fixture_db, tmp_path_factory):
    """(precomputed runner, reference runner) on one database. The fixture database is written without a
    build, so precompute.sql is applied to it here; the sample is built, so its build ran precompute.sql;
    the modified sample (MODIFY_SAMPLE) runs precompute.sql again."""
    d = tmp_path_factory.mktemp(f"pair_{request.param}")
    if request.param == "fixture":
        fast = _copy(fixture_db, d / "fast.duckdb", PRECOMPUTE_SQL.read_text(encoding="utf-8"))
        slow = _copy(fixture_db, d / "slow.duckdb", REFERENCE_MACROS)
    else:
        sample_db = request.getfixturevalue("sample_db")   # built only when a sample test runs
        fast = sample_db
        if request.param == "modified":
            fast = _copy(sample_db, d / "fast.duckdb", MODIFY_SAMPLE + _derive_again())
        slow = _copy(fast, d / "slow.duckdb",
                     REFERENCE_MACROS + "DELETE FROM problem_periods; DELETE FROM lead_unit_periods; "
                     "DELETE FROM repeat_complainant_leads; DELETE FROM survey_dimension_scores; "
                     "DELETE FROM survey_unit_year_scores; DELETE FROM lead_overdue_spans;")
    runners = QueryRunner(fast), QueryRunner(slow, queries_dir=_queries_before(d / "queries_before"))
    yield runners
    for r in runners:
        r.close()


def _dates(con, cid: str) -> list[date]:
    """Several as-of dates: before any snapshot, the first, a day between two, the middle, the last, a year on."""
    snaps = [d for (d,) in con.execute("SELECT DISTINCT as_of_date FROM ledger_snapshots WHERE campaign_id = ? "
                                       "ORDER BY 1", [cid]).fetchall()]
    between = snaps[0] + timedelta(days=1) if len(snaps) > 1 and snaps[1] > snaps[0] + timedelta(days=1) else snaps[0]
    return sorted({snaps[0] - timedelta(days=1), snaps[0], between, snaps[len(snaps) // 2], snaps[-1],
                   snaps[-1] + timedelta(days=365)})


def _pick(sql: str, params: dict) -> dict:
    missing = [k for k in sql_params(sql) if k not in params]
    assert not missing, f"test_precomputed.py 的参数组没有 {missing}：请在 _param_sets 里补上"
    return {k: params[k] for k in sql_params(sql)}


def _param_sets(con) -> list[dict]:
    """Per campaign: every date without filters; on the last date each sidebar filter alone and together."""
    out = []
    for (cid,) in con.execute("SELECT campaign_id FROM campaigns ORDER BY 1").fetchall():
        def values(sql: str, cid: str = cid) -> list:
            return [v for (v,) in con.execute(sql, [cid]).fetchall()]
        units = values("SELECT unit_id FROM units WHERE campaign_id = ? AND unit_id IN "
                       "(SELECT unit_id FROM ledger_snapshots) ORDER BY sort_order LIMIT 2")
        category = values("SELECT category FROM ledger_snapshots WHERE campaign_id = ? AND category IS NOT NULL "
                          "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
        channel = values("SELECT source_channel FROM ledger_snapshots WHERE campaign_id = ? "
                         "AND source_channel IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
        years = values("SELECT DISTINCT survey_year FROM survey_responses WHERE campaign_id = ? ORDER BY 1")
        problems = values("SELECT problem_id FROM ledger_snapshots WHERE campaign_id = ? ORDER BY 1 LIMIT 3")
        dates = _dates(con, cid)
        base = {"campaign_id": cid, "units": [], "categories": [], "channels": [], "limit": 500,
                "survey_year": years[-1] if years else 2023, "unit_id": units[0], "problem_ids": problems,
                "sel_unit": "", "sel_category": "", "sel_channel": "", "sel_manifestation": "",
                "measure": "problems", "sel_units": [], "only_overdue": False, "only_late": False}
        for i, d in enumerate(dates):
            out.append({**base, "as_of": d, "prev_as_of": dates[i - 1] if i else None})
        last = {**base, "as_of": dates[-2], "prev_as_of": dates[-3]}
        out += [{**last, "scoped_run": True}, {**last, "units": units[:1]}, {**last, "units": units}, {**last, "categories": category},
                {**last, "channels": channel}, {**last, "sel_unit": units[0], "sel_units": units[:1]},
                {**last, "measure": "received"}, {**last, "measure": "overdue", "only_overdue": True},
                {**last, "units": units, "categories": category, "channels": channel}]
    return out


def _rows(frame) -> list[tuple]:
    """Rows with floats rounded (a sum may add the same numbers in another order) and NaN/NaT as None."""
    def cell(v):
        if v is None or (isinstance(v, float) and math.isnan(v)) or str(v) in ("NaT", "<NA>"):
            return None
        if isinstance(v, float):
            return round(v, 9)
        if isinstance(v, list | tuple) or hasattr(v, "tolist"):
            return repr(v.tolist() if hasattr(v, "tolist") else v)
        return v
    return [tuple(cell(v) for v in row) for row in frame.itertuples(index=False)]


def _same(fast, slow, label) -> None:
    assert list(fast.columns) == list(slow.columns), label
    a, b = _rows(fast), _rows(slow)
    # same rows in the same order; rows that tie on every ORDER BY key may come in another order
    assert a == b or sorted(a, key=repr) == sorted(b, key=repr), label


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_query_gives_the_same_result_with_and_without_precomputed_tables(pair, name):
    fast, slow = pair
    sql = fast.sql(name)
    runs = nonempty = 0
    for params in _param_sets(slow.connection):
        p = _pick(sql, params)
        got, want = fast.run(name, **p), slow.run(name, **p)
        _same(got, want, (name, p))
        runs += 1
        nonempty += len(want) > 0
    assert runs >= 10 and nonempty > 0


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_scoped_query_gives_the_same_result(pair, name):
    """A unit account's run reads the scoped problem_periods: same result as the reference in that scope."""
    fast, slow = pair
    sql = fast.sql(name)
    for params in _param_sets(slow.connection):
        if params.get("scoped_run"):           # each campaign's last snapshot date, one unit with data
            p = _pick(sql, params)
            unit = params["unit_id"]
            _same(fast.scoped(unit).run(name, **p), slow.scoped(unit).run(name, **p), (name, unit, p))


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_rewritten_query_on_a_database_without_precomputed_rows(pair, name):
    """A database written without the build (the test fixture; here the reference copy, whose precomputed tables
    are empty): the rewritten file counts lead by lead and gives the old file's result."""
    _fast, slow = pair
    plain = QueryRunner(slow.path)
    try:
        for params in _param_sets(slow.connection):
            p = _pick(plain.sql(name), params)
            _same(plain.run(name, **p), slow.run(name, **p), (name, p))
    finally:
        plain.close()


def test_problems_as_of_is_row_for_row_the_window_definition(pair):
    """The macros themselves, at every snapshot date and the days around it, every campaign."""
    fast, slow = pair
    con = slow.connection
    checked = 0
    for cid, d in con.execute("SELECT DISTINCT campaign_id, as_of_date FROM ledger_snapshots ORDER BY 1, 2").fetchall():
        for day in (d - timedelta(days=1), d):
            for macro in (f"problems_as_of('{cid}', DATE '{day}')",
                          f"filtered_problems_by_date('{cid}', DATE '{day}', [], [], [])"):
                sql = f"SELECT * FROM {macro} ORDER BY ALL"
                assert fast.connection.execute(sql).fetchall() == con.execute(sql).fetchall(), macro
                checked += 1
    assert checked >= 8


def test_problem_periods_hold_one_row_per_problem_and_date(sample_db):
    """The built sample carries the table (the build ran precompute.sql) and its periods never overlap:
    on any date each problem has at most one row, and exactly the problems reported by then have one."""
    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        periods, snapshots = con.execute("SELECT (SELECT count(*) FROM problem_periods), "
                                         "(SELECT count(*) FROM ledger_snapshots)").fetchone()
        assert 0 < periods <= snapshots
        overlaps = con.execute("""
            SELECT count(*) FROM problem_periods a JOIN problem_periods b
              ON a.campaign_id = b.campaign_id AND a.problem_id = b.problem_id
             AND a.rowid < b.rowid
             AND a.as_of_date < b.valid_to AND b.as_of_date < a.valid_to""").fetchone()[0]
        assert overlaps == 0
        cid, last = con.execute("SELECT campaign_id, max(as_of_date) FROM ledger_snapshots GROUP BY 1 "
                                "ORDER BY 1 LIMIT 1").fetchone()
        reported = con.execute("SELECT count(DISTINCT problem_id) FROM ledger_snapshots WHERE campaign_id = ?",
                               [cid]).fetchone()[0]
        live = con.execute("SELECT count(*) FROM problem_periods WHERE campaign_id = ? AND as_of_date <= ? "
                           "AND valid_to > ?", [cid, last, last]).fetchone()[0]
        assert live == reported > 0
    finally:
        con.close()


def test_precompute_is_deterministic(fixture_db, tmp_path):
    """Same data → same table content, row for row in storage order (the database stays reproducible)."""
    sql = PRECOMPUTE_SQL.read_text(encoding="utf-8")
    a = _copy(fixture_db, tmp_path / "a.duckdb", sql)
    b = _copy(a, tmp_path / "b.duckdb", sql)            # run twice: DELETE + INSERT gives the same rows again
    rows = []
    for path in (a, b):
        with duckdb.connect(str(path), read_only=True) as con:
            rows.append(con.execute("SELECT * FROM problem_periods").fetchall())
    assert rows[0] == rows[1] and len(rows[0]) > 0


LEAD_COUNTS = {   # lead_unit_periods column → the leads_as_of flag it counts
    "received": "true", "assigned": "is_assigned", "concluded": "is_concluded", "on_time": "is_on_time",
    "on_time_due": "is_on_time_due", "fed_back": "is_fed_back", "found": "is_found", "with_finding": "has_finding",
    "keyed": "complainant_key IS NOT NULL", "overdue_open": "is_overdue_open"}


def test_lead_unit_periods_are_the_lead_flags_counted_on_every_date(pair):
    """On every date a lead's count can change (each 受理/交办/办结/反馈 date, each 期限 and the day after) and the
    days either side, each unit's row valid on that date holds leads_as_of's flags counted lead by lead."""
    fast, slow = pair
    con = fast.connection
    cols = ", ".join(LEAD_COUNTS)
    counted = ", ".join(f"count(*) FILTER (WHERE {flag})" for flag in LEAD_COUNTS.values())
    checked = 0
    for (cid,) in con.execute("SELECT DISTINCT campaign_id FROM leads ORDER BY 1").fetchall():
        days = [d for (d,) in con.execute("""
            SELECT DISTINCT d FROM leads, unnest([received_date, assigned_date, concluded_date, feedback_date,
                                                  due_date, due_date + 1]) AS t(d)
            WHERE campaign_id = ? AND d IS NOT NULL ORDER BY 1""", [cid]).fetchall()]
        for day in sorted({x + timedelta(days=k) for x in days for k in (-1, 0, 1)}):
            want = con.execute(f"SELECT unit_id, {counted} FROM leads_as_of(?, ?, [], [], []) GROUP BY 1 "
                               "ORDER BY 1 NULLS FIRST", [cid, day]).fetchall()
            got = con.execute(f"SELECT unit_id, {cols} FROM lead_unit_periods WHERE campaign_id = ? "
                              "AND as_of_date <= ? AND valid_to > ? ORDER BY 1 NULLS FIRST", [cid, day, day]).fetchall()
            assert got == want, (cid, day)
            checked += len(want)
    assert checked > 100


def test_lead_overdue_spans_are_the_overdue_open_leads_on_every_date(pair):
    """On every date the flag can change (each 受理 date, 期限 and the day after, 办结 date) and the days either side,
    the leads whose span holds the date are exactly leads_as_of's is_overdue_open leads."""
    fast, _slow = pair
    con = fast.connection
    checked = 0
    for (cid,) in con.execute("SELECT DISTINCT campaign_id FROM leads ORDER BY 1").fetchall():
        days = [d for (d,) in con.execute("""
            SELECT DISTINCT d FROM leads, unnest([received_date, assigned_date, concluded_date, due_date,
                                                  due_date + 1]) AS t(d)
            WHERE campaign_id = ? AND d IS NOT NULL ORDER BY 1""", [cid]).fetchall()]
        for day in sorted({x + timedelta(days=k) for x in days for k in (-1, 0, 1)}):
            want = con.execute("SELECT lead_id FROM leads_as_of(?, ?, [], [], []) WHERE is_overdue_open ORDER BY 1",
                               [cid, day]).fetchall()
            got = con.execute("SELECT lead_id FROM lead_overdue_spans WHERE campaign_id = ? AND overdue_from <= ? "
                              "AND overdue_to > ? ORDER BY 1", [cid, day, day]).fetchall()
            assert got == want, (cid, day)
            checked += len(want)
    assert checked > 10


def test_modified_sample_reaches_the_lead_edges(sample_db, tmp_path):
    """MODIFY_SAMPLE does hit what it is meant to (else the comparisons above prove less than they say)."""
    db = _copy(sample_db, tmp_path / "m.duckdb", MODIFY_SAMPLE + _derive_again())
    with duckdb.connect(str(db), read_only=True) as con:
        n = con.execute("""SELECT
            count(*) FILTER (WHERE received_date IS NULL AND assigned_date IS NOT NULL),
            count(*) FILTER (WHERE received_date IS NULL AND assigned_date IS NULL),
            count(*) FILTER (WHERE concluded_date < received_date),
            count(*) FILTER (WHERE feedback_date < concluded_date),
            count(*) FILTER (WHERE due_date IS NULL AND concluded_date IS NOT NULL),
            count(*) FILTER (WHERE concluded_date = due_date + 1),
            count(*) FILTER (WHERE unit_id IS NULL)
            FROM leads""").fetchone()
        assert all(x > 0 for x in n), n
        assert con.execute("SELECT count(*) FROM lead_unit_periods WHERE unit_id IS NULL").fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM survey_dimension_scores WHERE scored < answers").fetchone()[0] > 0
