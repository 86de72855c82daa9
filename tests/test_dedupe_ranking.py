"""Duplicate ranking (etl/validate/dedupe.py) ranks only identities seen more than once; it drops exactly the
rows (each with the row kept instead), and writes exactly the messages, that ranking every row did (the earlier query, kept here as the
reference), on random registers with many repeats, NULL keys, same-named files and missing 填报时间."""
from __future__ import annotations

import random
from datetime import date

import duckdb
import pytest

from etl.collected import Collected, records_table
from etl.validate.context import LoadError, Submission
from etl.validate.dedupe import drop_all_duplicates

REFERENCE = """
WITH k AS (
    SELECT r.*, s.file_name, s.sheet_name, s.as_of_date AS sub_as_of
    FROM rows r JOIN subs s USING (submission_id)
), ranked AS (
    SELECT *, row_number() OVER w AS n, first_value(submission_id) OVER w AS kept_sub,
           first_value(source_row) OVER w AS kept_row
    FROM k
    WINDOW w AS (PARTITION BY {identity} ORDER BY {newest} file_name, sheet_name, source_row, submission_id)
)
SELECT submission_id, source_row, kept_sub, kept_row FROM ranked WHERE n > 1
"""


def _reference(collected: Collected, submissions: list[Submission], identity: str, newest: bool) -> dict:
    """(submission_id, source_row) of each dropped row → (submission_id, source_row) of the row kept instead."""
    with duckdb.connect() as con:
        con.register("rows", collected.arrow())
        con.register("subs", records_table(submissions, "submissions"))
        sql = REFERENCE.format(identity=identity, newest="sub_as_of DESC NULLS LAST," if newest else "")
        return {(sub, row): (kept_sub, kept_row) for sub, row, kept_sub, kept_row in con.execute(sql).fetchall()}


def _submissions(rng: random.Random, n: int) -> list[Submission]:
    names = [f"县{i % 7}_问题线索登记表.xlsx" for i in range(n)]  # same names in several folders
    return [Submission(f"s{i:03d}", "c1", names[i], rng.choice(["Sheet1", "线索"]), "leads", None,
                       rng.choice([None, date(2023, 5, rng.randint(1, 28))]), "表头", f"{i:064x}")
            for i in range(n)]


@pytest.mark.parametrize("seed", range(6))
def test_the_same_rows_are_dropped_as_by_ranking_every_row(seed):
    rng = random.Random(seed)
    subs = _submissions(rng, 40)
    leads, ledger, scores = Collected("leads"), Collected("ledger_snapshots"), Collected("survey_unit_scores")
    for sub in subs:
        leads.add([{"campaign_id": "c1", "lead_id": rng.choice([None, *(f"L{k}" for k in range(60))]),
                    "submission_id": sub.submission_id, "source_row": row} for row in range(3, 3 + rng.randint(0, 12))])
        ledger.add([{"campaign_id": "c1", "problem_id": f"P{rng.randint(0, 30)}",
                     "as_of_date": rng.choice([None, date(2023, 4, 1), date(2023, 5, 1)]), "serial_no": str(row),
                     "submission_id": sub.submission_id, "source_row": row} for row in range(3, 3 + rng.randint(0, 8))])
        scores.add([{"campaign_id": "c1", "survey_year": rng.choice([2022, 2023]),
                     "unit_id": rng.choice([None, "u1", "u2", "u3"]), "submission_id": sub.submission_id,
                     "source_row": row} for row in range(2, 2 + rng.randint(0, 3))])
    want = {"leads": _reference(leads, subs, "campaign_id, lead_id", True),
            "ledger": _reference(ledger, subs, "campaign_id, problem_id, as_of_date", False),
            "scores": _reference(scores, subs, "campaign_id, survey_year, unit_id", False)}
    errors: list[LoadError] = []
    drop_all_duplicates(ledger, leads, scores, subs, errors)
    assert leads.dropped == want["leads"] and len(want["leads"]) > 50
    assert ledger.dropped == want["ledger"] and len(want["ledger"]) > 20
    assert scores.dropped == want["scores"] and len(want["scores"]) > 5
    # one 错误 per dropped row, naming its file and row
    by_id = {s.submission_id: s for s in subs}
    assert sorted((e.submission_id, e.source_row) for e in errors) == sorted(
        [*leads.dropped, *ledger.dropped, *scores.dropped])  # (this test's tables share submissions)
    assert all(e.file_name == by_id[e.submission_id].file_name and e.severity == "错误" for e in errors)
    # rows without a lead id count as one identity (as every row's ranking did): one of them is kept
    nulls = leads.arrow().column("lead_id").null_count
    assert sum(1 for row in leads.rows() if row["lead_id"] is None) == min(nulls, 1)
