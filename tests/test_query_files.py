"""Every file in queries/ runs on the fixture database with every parameter set it declares.

The grid (as in scripts/query_snapshot.py): for each campaign two as-of dates (the first and the last
ledger date), no filter / one unit / two units, no filter / one category, no filter / one channel,
$limit 50 and NULL, the latest survey year, one unit and problem for the single-item pages and the
hotspot drill-down selections ('' = 不限, or one unit). Each run must succeed, give unique column names
(DuckDB silently renames a duplicate to name_1) and, where the query takes $units and returns unit_id,
only rows of the selected units; without filters a query has rows on at least one as-of date.
"""
from __future__ import annotations

import itertools
import re
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
QUERIES = sorted((ROOT / "queries").glob("*.sql"))
PARAM = re.compile(r"\$([a-z_]+)")


def declared_params(sql: str) -> list[str]:
    return sorted(set(PARAM.findall(re.sub(r"--[^\n]*", "", sql))))


def parameter_grid(con: duckdb.DuckDBPyConnection) -> list[dict[str, list]]:
    grids = []
    for (cid,) in con.execute("SELECT campaign_id FROM campaigns ORDER BY 1").fetchall():
        def values(sql: str, cid: str = cid) -> list:
            return [v for (v,) in con.execute(sql, [cid]).fetchall()]
        units = values("SELECT unit_id FROM units WHERE campaign_id = ? AND unit_id IN "
                       "(SELECT unit_id FROM ledger_snapshots) ORDER BY sort_order LIMIT 2")
        categories = values("SELECT DISTINCT category FROM categories WHERE campaign_id = ? ORDER BY 1 LIMIT 1")
        channels = values("SELECT DISTINCT channel FROM leads WHERE campaign_id = ? AND channel IS NOT NULL "
                          "ORDER BY 1 LIMIT 1")
        dates = values("SELECT DISTINCT as_of_date FROM ledger_snapshots WHERE campaign_id = ? ORDER BY 1")
        years = values("SELECT DISTINCT survey_year FROM survey_responses WHERE campaign_id = ? ORDER BY 1")
        problems = values("SELECT problem_id FROM ledger_snapshots WHERE campaign_id = ? ORDER BY 1 LIMIT 1")
        grids.append({
            "campaign_id": [cid], "as_of": sorted({dates[0], dates[-1]}),
            "units": [[], units[:1], units], "categories": [[], categories], "channels": [[], channels],
            "limit": [50, None], "survey_year": years[-1:], "unit_id": units[:1], "problem_ids": [problems],
            "sel_unit": ["", units[0]], "sel_category": [""], "sel_channel": [""], "sel_manifestation": [""],
            "measure": ["problems", "received"], "sel_units": [[], units[:1]], "only_overdue": [False, True],
            "only_late": [False, True],
        })
    return grids


@pytest.fixture(scope="module")
def con(fixture_db):
    c = duckdb.connect(str(fixture_db), read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def grids(con):
    return parameter_grid(con)


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_query_runs_with_every_parameter_set(con, grids, path):
    sql = path.read_text(encoding="utf-8")
    names = declared_params(sql)
    unknown = [n for n in names if n not in grids[0]]
    assert not unknown, f"{path.name}: no grid values for {unknown}; add them to parameter_grid"
    runs = unfiltered_rows = 0
    for grid in grids:
        for combo in itertools.product(*(grid[n] for n in names)):
            params = dict(zip(names, combo, strict=True))
            cur = con.cursor()
            try:
                rows = cur.execute(sql, params).fetchall()
                columns = [d[0] for d in cur.description]
            finally:
                cur.close()
            runs += 1
            assert len(columns) == len(set(columns)), (path.name, columns)
            assert not any(re.search(r"_\d+$", c) for c in columns), (path.name, columns)
            if params.get("units") and "unit_id" in columns:
                i = columns.index("unit_id")
                assert {r[i] for r in rows} <= set(params["units"]), (path.name, params)
            if not any(params.get(k) for k in ("units", "categories", "channels", "sel_unit")):
                unfiltered_rows += len(rows)
    assert runs >= 1
    # without filters every query has rows on at least one as-of date (a NULL parameter or a broken
    # join would give none)
    assert unfiltered_rows > 0, path.name


def test_the_grid_covers_the_fixture(grids):
    """The grid has what the filters need: two as-of dates, two units, a category and a channel."""
    fuyang = next(g for g in grids if g["campaign_id"] == ["fuyang-2023"])
    assert [len(fuyang[k][-1]) for k in ("units", "categories", "channels")] == [2, 1, 1]
    assert len(fuyang["as_of"]) == 2


STATUS_LITERALS = re.compile(r"'(已整改|已销号|未整改|整改中|长期推进|属实|部分属实|不属实)'")


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_no_status_literal_outside_the_macros(path):
    """口径 lives in etl/sql/views.sql (status_is_done …); queries use the flags the macros output."""
    sql = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
    assert not STATUS_LITERALS.findall(sql)
