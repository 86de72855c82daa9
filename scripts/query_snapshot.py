"""Fingerprint every query in queries/ over a grid of parameter sets, to show a refactor changes no result.

    python scripts/query_snapshot.py --db data/db/dashboard.duckdb --out before.json
    … refactor …
    python scripts/query_snapshot.py --db data/db/dashboard.duckdb --compare before.json

Each query runs with every combination of the parameters it uses (campaigns × as-of dates × unit,
category and channel filters …); the result is fingerprinted (columns, types, rows in order).
"""
from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import re
import sys
from datetime import date
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
_PARAM = re.compile(r"\$([a-z_]+)")


def _grid(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Parameter values per campaign: two as-of dates, no filter and one value of each filter."""
    out = []
    for (cid,) in con.execute("SELECT campaign_id FROM campaigns ORDER BY 1").fetchall():
        units = [u for (u,) in con.execute("SELECT unit_id FROM units WHERE campaign_id = ? ORDER BY sort_order LIMIT 2",
                                           [cid]).fetchall()]
        cats = [c for (c,) in con.execute("SELECT DISTINCT category FROM categories WHERE campaign_id = ? ORDER BY 1 "
                                          "LIMIT 1", [cid]).fetchall()]
        chans = [c for (c,) in con.execute("SELECT DISTINCT channel FROM leads WHERE campaign_id = ? AND channel "
                                           "IS NOT NULL ORDER BY 1 LIMIT 1", [cid]).fetchall()]
        dates = [d for (d,) in con.execute("SELECT DISTINCT as_of_date FROM submissions WHERE campaign_id = ? AND "
                                           "as_of_date IS NOT NULL ORDER BY 1", [cid]).fetchall()]
        as_ofs = sorted({dates[len(dates) // 2], dates[-1]}) if dates else [date(2023, 9, 21)]
        years = sorted({y for (y,) in con.execute("SELECT DISTINCT survey_year FROM survey_responses WHERE "
                                                  "campaign_id = ?", [cid]).fetchall()}) or [2023]
        problem = con.execute("SELECT problem_id FROM ledger_snapshots WHERE campaign_id = ? ORDER BY 1 LIMIT 1",
                              [cid]).fetchall()
        out.append({
            "campaign_id": [cid], "as_of": as_ofs, "units": [[], units[:1], units],
            "categories": [[], cats], "channels": [[], chans], "limit": [50], "survey_year": years[-1:],
            "unit_id": units[:1], "problem_ids": [[p for (p,) in problem]],
            "sel_unit": [None, units[0] if units else None], "sel_category": [None], "sel_channel": [None],
            "sel_manifestation": [None], "measure": ["problems", "received"], "sel_units": [[], units[:1]],
            "only_overdue": [False, True], "only_late": [False, True],
        })
    return out


def _fingerprint(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> str:
    cur = con.cursor()
    try:
        cur.execute(sql, params)
        rows = cur.fetchall()
        cols = [(d[0], str(d[1])) for d in cur.description]
    except duckdb.Error as exc:
        return "ERROR " + type(exc).__name__
    finally:
        cur.close()
    # Float sums and standard deviations differ in the last bits between runs (parallel aggregation
    # order): compared at 9 decimals.
    rows = [tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows]
    return hashlib.sha256(repr((cols, rows)).encode()).hexdigest()[:16]


def snapshot(db: Path) -> dict[str, str]:
    con = duckdb.connect(str(db), read_only=True)
    out: dict[str, str] = {}
    try:
        for grid in _grid(con):
            for path in sorted(QUERIES.glob("*.sql")):
                sql = path.read_text(encoding="utf-8")
                names = sorted(set(_PARAM.findall(re.sub(r"--[^\n]*", "", sql))))
                for combo in itertools.product(*(grid[n] for n in names)):
                    params = dict(zip(names, combo, strict=True))
                    out[f"{path.stem} {json.dumps(params, default=str, ensure_ascii=False)}"] = \
                        _fingerprint(con, sql, params)
    finally:
        con.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", required=True)
    ap.add_argument("--out")
    ap.add_argument("--compare")
    args = ap.parse_args(argv)
    snap = snapshot(Path(args.db))
    if args.out:
        Path(args.out).write_text(json.dumps(snap, ensure_ascii=False, indent=0), encoding="utf-8")
        print(f"{len(snap)} query × parameter runs → {args.out}")
    if args.compare:
        before = json.loads(Path(args.compare).read_text(encoding="utf-8"))
        changed = sorted(k for k in before if snap.get(k) != before[k])
        added = sorted(set(snap) - set(before))
        print(f"{len(before)} runs before, {len(snap)} now: {len(changed)} differ, {len(added)} new")
        for k in changed[:30]:
            print("  differs:", k, before[k], "→", snap.get(k))
        return 1 if changed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
