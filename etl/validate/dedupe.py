"""Duplicates are reported, not double counted: one mechanism, one rule per table."""
from __future__ import annotations

from collections.abc import Callable

from etl.collected import Collected
from etl.validate.context import ERROR, LoadError, Submission

# (duplicate key, file name of the kept row, kept row) → (column, raw value, message)
Report = Callable[[tuple, str, int], tuple[str, str, str]]


def _drop_duplicates(collected: Collected, submissions: list[Submission], errors: list[LoadError],
                     identity: Callable[[tuple], tuple], report: Report, newest_first: bool = False) -> None:
    """Keep the first row of each identity (by file, sheet and row; newest_first: the most recent
    填报时间 before that); every other row is dropped and gets a 错误 naming the kept row.
    Keys are Collected.keys tuples, whose last two fields are submission_id and source_row."""
    subs = {s.submission_id: s for s in submissions}

    def rank(key):
        sub = subs[key[-2]]
        newest = -sub.as_of_date.toordinal() if newest_first and sub.as_of_date else 0
        return (newest, sub.file_name, sub.sheet_name, key[-1])

    kept: dict[tuple, tuple] = {}
    for key in sorted(collected.keys, key=rank):
        winner = kept.setdefault(identity(key), key)
        if winner is key:
            continue
        sub_id, row = key[-2:]
        collected.dropped.add((sub_id, row))
        sub = subs[sub_id]
        column, value, message = report(key, subs[winner[-2]].file_name, winner[-1])
        errors.append(LoadError(sub.campaign_id, sub.submission_id, sub.file_name, sub.sheet_name,
                                row, column, value, message, ERROR))


def drop_duplicate_leads(leads: Collected, submissions: list[Submission], errors: list[LoadError]) -> None:
    """One row per 线索编号: the one from the most recent register wins (it carries the latest progress)."""
    _drop_duplicates(leads, submissions, errors, lambda k: (k[0], k[1]), lambda k, file, row: (
        "线索编号", k[1], f"线索编号重复，已按“{file}”第{row}行计入，本行不重复统计"), newest_first=True)


def drop_duplicate_snapshots(ledger: Collected, submissions: list[Submission], errors: list[LoadError]) -> None:
    """A problem appears at most once per as-of date."""
    _drop_duplicates(ledger, submissions, errors, lambda k: (k[0], k[1], k[2]), lambda k, file, row: (
        "序号/编号", k[3] or "", f"同一问题在同一填报时间重复出现（已按“{file}”第{row}行计入），本行未导入"))


def drop_duplicate_unit_scores(scores: Collected, submissions: list[Submission], errors: list[LoadError]) -> None:
    """One summary per unit and survey year (the queries assume one row per unit and year)."""
    _drop_duplicates(scores, submissions, errors, lambda k: (k[0], k[1], k[2]), lambda k, file, row: (
        "被测评单位", k[2], f"同一单位{k[1]}年的满意度汇总重复（已按“{file}”第{row}行计入），本行未导入"))
