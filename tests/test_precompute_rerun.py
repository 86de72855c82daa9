"""etl/sql/precompute.sql computes only from the record tables and views.sql's …_computed macros, never from
the tables it stores: run a second time on a built database it gives the same tables (it used to empty four
of them, because the macros it re-points then read what it had just deleted)."""
from __future__ import annotations

import shutil

import duckdb

from etl.load import SQL_DIR

DERIVED = ("problem_periods", "repeat_complainant_keys", "repeat_complainant_leads", "survey_response_scores",
           "survey_unit_year_scores", "survey_dimension_scores", "lead_unit_periods", "lead_overdue_spans")


def _derived(con) -> dict[str, list]:
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in DERIVED}


def test_precompute_twice_gives_the_same_tables(fixture_db, tmp_path):
    db = tmp_path / "twice.duckdb"
    shutil.copyfile(fixture_db, db)
    precompute = (SQL_DIR / "precompute.sql").read_text(encoding="utf-8")
    with duckdb.connect(str(db)) as con:
        con.execute(precompute)
        once = _derived(con)
        con.execute(precompute)
        twice = _derived(con)
        # an independent count: leads whose complainant has ≥ 2 leads in the campaign, counted here
        repeated = con.execute("""
            SELECT count(*) FROM leads l
            WHERE complainant_key IS NOT NULL AND (SELECT count(*) FROM leads m WHERE m.campaign_id = l.campaign_id
                                                   AND m.complainant_key = l.complainant_key) >= 2""").fetchone()[0]
        responses = con.execute("SELECT count(DISTINCT (campaign_id, survey_year, unit_id, response_id)) "
                                "FROM survey_responses").fetchone()[0]
    assert twice == once
    assert len(twice["repeat_complainant_leads"]) == repeated > 0
    assert len(twice["survey_response_scores"]) == responses > 0
    assert all(twice[t] for t in DERIVED)
