"""Duplicates are reported, not double counted."""
from __future__ import annotations

from etl.collected import Collected
from etl.validate.context import ERROR, LoadError, Submission


def _reject(errors: list[LoadError], sub: Submission, row: int, column: str, value: str, message: str) -> None:
    errors.append(LoadError(sub.campaign_id, sub.submission_id, sub.file_name, sub.sheet_name,
                            row, column, value, message, ERROR))


def drop_duplicate_leads(leads: Collected, submissions: list[Submission], errors: list[LoadError]) -> None:
    """One row per 线索编号: the one from the most recent register wins (it carries the latest progress)."""
    subs = {s.submission_id: s for s in submissions}

    def rank(key):
        sub = subs[key[2]]
        as_of = sub.as_of_date.toordinal() if sub.as_of_date else 0
        return (-as_of, sub.file_name, sub.sheet_name, key[3])

    kept: dict[tuple[str, str], tuple] = {}
    for key in sorted(leads.keys, key=rank):
        campaign_id, lead_id, sub_id, row = key
        winner = kept.setdefault((campaign_id, lead_id), key)
        if winner is not key:
            leads.dropped.add((sub_id, row))
            _reject(errors, subs[sub_id], row, "线索编号", lead_id,
                    f"线索编号重复，已按“{subs[winner[2]].file_name}”第{winner[3]}行计入，本行不重复统计")


def drop_duplicate_snapshots(ledger: Collected, submissions: list[Submission], errors: list[LoadError]) -> None:
    """A problem appears at most once per as-of date."""
    subs = {s.submission_id: s for s in submissions}

    def rank(key):
        sub = subs[key[4]]
        return (sub.file_name, sub.sheet_name, key[5])

    kept: dict[tuple, tuple] = {}
    for key in sorted(ledger.keys, key=rank):
        campaign_id, problem_id, as_of, serial_no, sub_id, row = key
        winner = kept.setdefault((campaign_id, problem_id, as_of), key)
        if winner is not key:
            ledger.dropped.add((sub_id, row))
            _reject(errors, subs[sub_id], row, "序号/编号", serial_no or "",
                    f"同一问题在同一填报时间重复出现（已按“{subs[winner[4]].file_name}”第{winner[5]}行计入），本行未导入")
