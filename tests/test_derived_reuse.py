"""Issue 13: a build copies a derived table (etl/load.py DERIVED_FROM) from the database in place when its
source table's rows and the deriving SQL are unchanged, and computes it again otherwise; either way the
database equals a cold build's. An added ledger leaves the lead and survey tables to be copied.
These builds write a whole new database (no cache, so no in-place update: tests/test_db_increment.py), as
a build does when the update in place is refused."""
from __future__ import annotations

import shutil

import duckdb
import pytest

import etl.load
from etl.load import DERIVED_FROM
from tests.test_etl_small_build import write_leads_csv
from tests.test_incremental_build import SAMPLE, tables
from tests.test_incremental_cache import run, src  # noqa: F401 — src is a fixture

LEADS = set(DERIVED_FROM["leads"])
SURVEY = set(DERIVED_FROM["survey_responses"])
LEDGER = set(DERIVED_FROM["ledger_snapshots"])


@pytest.fixture()
def reused(monkeypatch) -> list[set[str]]:
    """The derived tables each build copied."""
    seen: list[set[str]] = []
    real = etl.load._reuse_derived

    def recording(con, db_path, keys):
        out = real(con, db_path, keys)
        seen.append(set(out))
        return out

    monkeypatch.setattr(etl.load, "_reuse_derived", recording)
    return seen


def _equals_cold(tmp_path, src, db) -> None:  # noqa: F811
    cold = tmp_path / "cold" / f"c{len(list(tmp_path.glob('cold/*.duckdb')))}.duckdb"
    run(src, cold, cache=False)
    assert tables(db) == tables(cold)


def test_an_added_ledger_copies_the_lead_and_survey_tables(tmp_path, src, reused):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=False)
    assert reused == [set()]  # nothing in place yet
    run(src, db, cache=False)
    assert reused[-1] == LEADS | SURVEY | LEDGER  # nothing changed: everything copied
    shutil.copyfile(SAMPLE / "临泉县_整改台账_20230626.xlsx", src / "临泉县_整改台账_20230626.xlsx")
    run(src, db, cache=False)
    assert reused[-1] == LEADS | SURVEY  # the ledger changed: its periods computed again
    _equals_cold(tmp_path, src, db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM lead_unit_periods").fetchone()[0] > 10
        assert con.execute("SELECT count(*) FROM problem_periods").fetchone()[0] > 10


def test_a_changed_register_computes_the_lead_tables_again(tmp_path, src, reused):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=False)
    write_leads_csv(src / "规划运输科_问题线索登记表.csv")  # other leads in place of the register
    run(src, db, cache=False)
    assert reused[-1] == SURVEY | LEDGER
    _equals_cold(tmp_path, src, db)


def test_a_key_that_does_not_match_is_computed_again(tmp_path, src, reused):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=False)
    with duckdb.connect(str(db)) as con:  # e.g. a database derived by other SQL, or damaged
        con.execute("UPDATE build_info SET value = 'x' WHERE key = 'derived:survey_responses'")
        con.execute("DELETE FROM survey_dimension_scores")
    run(src, db, cache=False)
    assert reused[-1] == LEADS | LEDGER
    _equals_cold(tmp_path, src, db)


def test_stored_digests_never_read_as_a_phone_number():
    """build_info digests are base32: no 1, so no run of digits the personal-data scans take for a mobile number
    (a hex digest of the fuyang sample held 14746743310)."""
    import hashlib
    import re

    phone = re.compile(r"1[3-9]\d{9}")
    hexes = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(20_000)]
    assert any(phone.search(h) for h in hexes)  # hex does
    stored = [etl.load.stored_digest(hashlib.sha256(str(i).encode())) for i in range(20_000)]
    assert not any(phone.search(s) for s in stored)
    assert set("".join(stored)) <= set("abcdefghijklmnopqrstuvwxyz234567") and len(stored[0]) == 52
