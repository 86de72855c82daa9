"""Duplicates are reported, not double counted: one mechanism, one rule per table, ranked in DuckDB
over the rows' key columns (a million leads' keys as Python tuples cost seconds and hundreds of MB)."""
from __future__ import annotations

from collections.abc import Callable

import duckdb

from etl.collected import Collected, records_table
from etl.validate.context import ERROR, LoadError, Submission

# Keep the first row of each identity by file, sheet and row (newest_first: the most recent 填报时间
# before that, rows without one last); submission_id only breaks the tie of two same-named files.
# Only identities seen more than once are ranked (a hash count over a million leads, then a window over the few).
_RANKED = """
WITH repeated AS (
    SELECT {identity} FROM rows GROUP BY ALL HAVING count(*) > 1
), k AS (
    SELECT r.*, s.file_name, s.sheet_name, s.as_of_date AS sub_as_of
    FROM rows r SEMI JOIN repeated ON {same_identity}
    JOIN subs s USING (submission_id)
), ranked AS (
    SELECT *, row_number() OVER w AS n, first_value(file_name) OVER w AS kept_file,
           first_value(source_row) OVER w AS kept_row, first_value(submission_id) OVER w AS kept_submission
    FROM k
    WINDOW w AS (PARTITION BY {identity} ORDER BY {newest} file_name, sheet_name, source_row, submission_id)
)
SELECT submission_id, source_row, {fields}, kept_file, kept_row, kept_submission
FROM ranked WHERE n > 1
ORDER BY {newest} file_name, sheet_name, source_row, submission_id
"""


# The identity of a record per table: two rows with the same one are duplicates (NULL equal to NULL).
IDENTITY = {"leads": ("campaign_id", "lead_id"), "ledger_snapshots": ("campaign_id", "problem_id", "as_of_date"),
            "survey_unit_scores": ("campaign_id", "survey_year", "unit_id")}

# (the row's identity and shown fields by name, file name of the kept row, kept row) → (column, raw value, message)
Report = Callable[[dict, str, int], tuple[str, str, str]]


class _Submissions:
    """The build's submissions, by id and as the small Arrow table the ranking joins (made once per build:
    24,000 submissions took 0.5 s to convert)."""

    def __init__(self, submissions: list[Submission]):
        self.by_id = {s.submission_id: s for s in submissions}
        self.table = records_table(submissions, "submissions").select(
            ["submission_id", "file_name", "sheet_name", "as_of_date"])


def _drop_duplicates(collected: Collected, submissions: list[Submission] | _Submissions, errors: list[LoadError],
                     identity: tuple[str, ...], shown: str, report: Report, newest_first: bool = False) -> None:
    """Every row but the first of its identity is dropped (collected.dropped, with the row kept instead) and
    gets a 错误 naming the kept row."""
    if not len(collected):
        return
    subs = submissions if isinstance(submissions, _Submissions) else _Submissions(submissions)
    fields = list(dict.fromkeys([*identity, shown]))
    rows = collected.arrow().select([*fields, "submission_id", "source_row"])
    by_id = subs.by_id
    sql = _RANKED.format(identity=", ".join(identity), fields=", ".join(fields),
                         same_identity=" AND ".join(f"r.{c} IS NOT DISTINCT FROM repeated.{c}" for c in identity),
                         newest="sub_as_of DESC NULLS LAST," if newest_first else "")
    with duckdb.connect() as con:
        con.register("rows", rows)
        con.register("subs", subs.table)
        found = con.execute(sql).fetchall()
    for sub_id, row, *values, kept_file, kept_row, kept_submission in found:
        collected.dropped[(sub_id, row)] = (kept_submission, kept_row)
        sub = by_id[sub_id]
        column, value, message = report(dict(zip(fields, values, strict=True)), kept_file, kept_row)
        errors.append(LoadError(sub.campaign_id, sub.submission_id, sub.file_name, sub.sheet_name,
                                row, column, value, message, ERROR))


def drop_all_duplicates(ledger: Collected, leads: Collected, scores: Collected, submissions: list[Submission],
                        errors: list[LoadError]) -> None:
    """The three rules below, in this order, over one table of the submissions."""
    subs = _Submissions(submissions)
    drop_duplicate_snapshots(ledger, subs, errors)
    drop_duplicate_leads(leads, subs, errors)
    drop_duplicate_unit_scores(scores, subs, errors)


def drop_duplicate_leads(leads: Collected, submissions: list[Submission] | _Submissions,
                         errors: list[LoadError]) -> None:
    """One row per 线索编号: the one from the most recent register wins (it carries the latest progress)."""
    _drop_duplicates(leads, submissions, errors, IDENTITY["leads"], "lead_id", lambda k, file, row: (
        "线索编号", k["lead_id"], f"线索编号重复，已按“{file}”第{row}行计入，本行不重复统计"), newest_first=True)


def drop_duplicate_snapshots(ledger: Collected, submissions: list[Submission] | _Submissions,
                             errors: list[LoadError]) -> None:
    """A problem appears at most once per as-of date."""
    _drop_duplicates(ledger, submissions, errors, IDENTITY["ledger_snapshots"], "serial_no",
                     lambda k, file, row: ("序号/编号", k["serial_no"] or "",
                                           f"同一问题在同一填报时间重复出现（已按“{file}”第{row}行计入），本行未导入"))


def drop_duplicate_unit_scores(scores: Collected, submissions: list[Submission] | _Submissions,
                               errors: list[LoadError]) -> None:
    """One summary per unit and survey year (the queries assume one row per unit and year)."""
    _drop_duplicates(scores, submissions, errors, IDENTITY["survey_unit_scores"], "unit_id",
                     lambda k, file, row: ("被测评单位", k["unit_id"],
                                           f"同一单位{k['survey_year']}年的满意度汇总重复（已按“{file}”第{row}行计入），本行未导入"))
