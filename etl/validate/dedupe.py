"""Duplicates are reported, not double counted."""
from __future__ import annotations

from etl.validate.context import ERROR, LoadError, Submission


def _by_submission(submissions: list[Submission]) -> dict[str, Submission]:
    return {s.submission_id: s for s in submissions}


def _reject(errors: list[LoadError], sub: Submission, rec: dict, column: str, value: str, message: str) -> None:
    errors.append(LoadError(sub.campaign_id, sub.submission_id, sub.file_name, sub.sheet_name,
                            rec["source_row"], column, value, message, ERROR))


def drop_duplicate_leads(leads: list[dict], submissions: list[Submission], errors: list[LoadError]) -> list[dict]:
    """One row per 线索编号: the one from the most recent register wins (it carries the latest progress)."""
    subs = _by_submission(submissions)

    def rank(rec):
        sub = subs[rec["submission_id"]]
        as_of = sub.as_of_date.toordinal() if sub.as_of_date else 0
        return (-as_of, sub.file_name, sub.sheet_name, rec["source_row"])

    kept: dict[tuple[str, str], dict] = {}
    for rec in sorted(leads, key=rank):
        key = (rec["campaign_id"], rec["lead_id"])
        winner = kept.setdefault(key, rec)
        if winner is not rec:
            w = subs[winner["submission_id"]]
            _reject(errors, subs[rec["submission_id"]], rec, "线索编号", rec["lead_id"],
                    f"线索编号重复，已按“{w.file_name}”第{winner['source_row']}行计入，本行不重复统计")
    return list(kept.values())


def drop_duplicate_snapshots(ledger: list[dict], submissions: list[Submission], errors: list[LoadError]) -> list[dict]:
    """A problem appears at most once per as-of date."""
    subs = _by_submission(submissions)

    def rank(rec):
        sub = subs[rec["submission_id"]]
        return (sub.file_name, sub.sheet_name, rec["source_row"])

    kept: dict[tuple, dict] = {}
    for rec in sorted(ledger, key=rank):
        key = (rec["campaign_id"], rec["problem_id"], rec["as_of_date"])
        winner = kept.setdefault(key, rec)
        if winner is not rec:
            w = subs[winner["submission_id"]]
            _reject(errors, subs[rec["submission_id"]], rec, "序号/编号", rec["serial_no"] or "",
                    f"同一问题在同一填报时间重复出现（已按“{w.file_name}”第{winner['source_row']}行计入），本行未导入")
    return list(kept.values())
