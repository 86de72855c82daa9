"""Shared set-up for tests/test_reports_*.py: one sample database per test session."""
from __future__ import annotations

from pathlib import Path

import duckdb

from etl.build import CampaignSources, build
from etl.config import PROJECT_ROOT, load_campaign

CAMPAIGNS = ("fuyang-2023", "haixi-2023")
# two Thursdays (weekly report day) per campaign; the previous brief is 7 days earlier
AS_OF = {"fuyang-2023": ("2023-07-27", "2023-09-21"), "haixi-2023": ("2023-08-31", "2023-09-21")}

SNAP = """
WITH snap AS (
    SELECT * FROM ledger_snapshots WHERE campaign_id = $c AND as_of_date <= CAST($d AS DATE)
    QUALIFY row_number() OVER (PARTITION BY problem_id ORDER BY as_of_date DESC, submission_id DESC) = 1
)
"""


def sample_dirs(tmp_root: Path) -> dict[str, Path]:
    """data/sample/<campaign> when present, else generate the sample into tmp_root."""
    out = {}
    for cid in CAMPAIGNS:
        d = PROJECT_ROOT / "data" / "sample" / cid
        if not any(d.glob("*.xlsx")):
            from samplegen import generate

            d = tmp_root / cid
            generate(cid, d)
        out[cid] = d
    return out


def build_sample_db(tmp_root: Path) -> Path:
    db = tmp_root / "sample.duckdb"
    dirs = sample_dirs(tmp_root)
    build([CampaignSources(load_campaign(cid), [dirs[cid]]) for cid in CAMPAIGNS], db, salt="test")
    return db


def truth_kpi(db: Path, cid: str, as_of: str) -> dict:
    """Independent SQL (not the queries/ files): the numbers the brief must show."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        p = con.execute(SNAP + """
            SELECT count(*) AS problems,
                   count(*) FILTER (WHERE status IN ('已整改','已销号')) AS done,
                   count(*) FILTER (WHERE status = '已销号') AS closed,
                   count(*) FILTER (WHERE status = '长期推进') AS long_term,
                   count(*) FILTER (WHERE is_relapse) AS relapse,
                   count(*) FILTER (WHERE deadline_kind = 'date' AND deadline < CAST($d AS DATE)
                                    AND status IN ('未整改','整改中')) AS overdue
            FROM snap""", {"c": cid, "d": as_of}).fetchone()
        leads = con.execute("""
            SELECT count(*),
                   count(*) FILTER (WHERE concluded_date <= CAST($d AS DATE)),
                   count(*) FILTER (WHERE concluded_date <= CAST($d AS DATE) AND concluded_date <= due_date),
                   count(*) FILTER (WHERE concluded_date <= CAST($d AS DATE) OR due_date < CAST($d AS DATE)),
                   count(*) FILTER (WHERE concluded_date <= CAST($d AS DATE) AND feedback_date <= CAST($d AS DATE)),
                   count(*) FILTER (WHERE (concluded_date IS NULL OR concluded_date > CAST($d AS DATE))
                                    AND due_date < CAST($d AS DATE))
            FROM leads WHERE campaign_id = $c AND coalesce(received_date, assigned_date) <= CAST($d AS DATE)
        """, {"c": cid, "d": as_of}).fetchone()
    finally:
        con.close()
    keys = ["problems", "done", "closed", "long_term", "relapse", "overdue"]
    out = dict(zip(keys, p, strict=True))
    out.update(dict(zip(["leads_received", "leads_concluded", "leads_ontime", "leads_ontime_den",
                         "leads_feedback", "leads_open_overdue"], leads, strict=True)))
    return out


def truth_overdue(db: Path, cid: str, as_of: str) -> dict[str, tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(SNAP + """
            SELECT problem_id, case_text, deadline, status FROM snap
            WHERE deadline_kind = 'date' AND deadline < CAST($d AS DATE) AND status IN ('未整改','整改中')
        """, {"c": cid, "d": as_of}).fetchall()
    finally:
        con.close()
    return {r[0]: r[1:] for r in rows}


def truth_status(db: Path, cid: str, as_of: str) -> dict[str, str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(SNAP + "SELECT problem_id, status FROM snap", {"c": cid, "d": as_of}).fetchall()
    finally:
        con.close()
    return dict(rows)


def truth_problems(db: Path, cid: str, as_of: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return sorted(con.execute(SNAP + """
            SELECT unit_id, coalesce(category, ''), coalesce(manifestation, ''), coalesce(case_text, ''),
                   coalesce(CAST(deadline AS VARCHAR), ''), coalesce(deadline_kind, ''), status FROM snap
        """, {"c": cid, "d": as_of}).fetchall())
    finally:
        con.close()
