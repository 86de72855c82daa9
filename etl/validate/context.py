"""What every validator needs: the submission a row came from, the error list, memoized normalizers."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from etl.config import Campaign
from etl.normalize.dates import check_plausible, parse_date
from etl.normalize.errors import NormalizeError
from etl.normalize.privacy import scrub_phones
from etl.normalize.units import resolve_unit

ERROR = "错误"      # the row was not loaded
WARNING = "警告"    # the row was loaded, the named field left blank


@dataclass(frozen=True)
class LoadError:
    campaign_id: str
    submission_id: str | None
    file_name: str
    sheet_name: str
    source_row: int | None
    column_name: str | None
    raw_value: str | None
    message: str
    severity: str = ERROR


@dataclass
class Submission:
    submission_id: str
    campaign_id: str
    file_name: str
    sheet_name: str
    kind: str | None
    unit_id: str | None
    as_of_date: date | None
    as_of_source: str
    file_sha256: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    columns_ignored: str | None = None
    mapping_profile: str | None = None


def raw_text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


@dataclass
class RowContext:
    """Collects the errors of one submission and memoizes normalizer calls. The memo is shared
    by every sheet of a build: the same unit names, categories and dates recur in thousands of
    small ledgers and in every row of a large register."""

    campaign: Campaign
    submission: Submission
    columns: dict[str, str]
    errors: list[LoadError] = field(default_factory=list)
    memo: dict = field(default_factory=dict)
    answer_format: str | None = None  # the sheet's (etl.read.model.OPTION_NUMBER: answers are option numbers)

    def column_label(self, column: str) -> str:
        return self.columns.get(column, column)

    def add_error(self, row: int | None, column: str | None, value: object, message: str,
                  severity: str = ERROR) -> None:
        s = self.submission
        self.errors.append(LoadError(
            s.campaign_id, s.submission_id, s.file_name, s.sheet_name, row,
            self.column_label(column) if column else None, scrub_phones(raw_text(value)), scrub_phones(message),
            severity,
        ))

    def normalize(self, func, value, *args):
        """Call func(value, *args) with memoization; NormalizeError is re-raised each time."""
        cell = value if value.__class__ in _KEY_VALUES else _subclass_key(value)
        # the usual one or two arguments without a generator: this runs for every cell of a million-row register
        if not args:
            key = (func, cell)
        elif len(args) == 1:
            key = (func, cell, _arg_key(args[0]))
        else:
            key = (func, cell, *map(_arg_key, args))
        hit = self.memo.get(key)
        if hit is None:
            try:
                hit = (True, func(value, *args))
            except NormalizeError as exc:
                hit = (False, exc)
            self.memo[key] = hit
        ok, result = hit
        if ok:
            return result
        raise result


_KEY_VALUES = frozenset({str, int, float, date, datetime, type(None)})  # keys as they are
_KEY_ARGS = frozenset({str, int, type(None)})


def _subclass_key(value: object) -> object:
    """Trap: True == 1, so a bool keyed by its value would be handed the result cached for the number 1."""
    return (value.__class__, value) if isinstance(value, (str, int, float, date)) else repr(value)


def _arg_key(arg: object) -> object:
    """An argument in a memo key: a string or number as it is, anything else (the campaign) by identity."""
    return arg if arg.__class__ in _KEY_ARGS or isinstance(arg, (str, int)) else id(arg)


class RowRejected(Exception):
    """Raised inside a row validator after the reason was recorded."""


def checked_date(ctx: RowContext, value: object, year: int) -> date:
    """The date part of a date or date-time cell, within the campaign's plausible range;
    NormalizeError if not (etl.normalize.dates.check_plausible)."""
    return ctx.normalize(plausible_date, value, year, ctx.campaign.end_date.toordinal())


def plausible_date(value: object, year: int, campaign_end: int) -> date:
    return check_plausible(parse_date(value, year), date.fromordinal(campaign_end))


def row_unit(ctx: RowContext, row: int, values: dict, missing_message: str) -> str:
    """The unit named in the row's unit column, else the submission's reporting unit."""
    unit_text = raw_text(values.get("unit"))
    if unit_text:
        try:
            return ctx.normalize(resolve_unit, unit_text, ctx.campaign)
        except NormalizeError as exc:
            ctx.add_error(row, "unit", unit_text, f"{exc}，本行未导入")
            raise RowRejected from exc
    if ctx.submission.unit_id is None:
        ctx.add_error(row, "unit", None, missing_message)
        raise RowRejected
    return ctx.submission.unit_id
