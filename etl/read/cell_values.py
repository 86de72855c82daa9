"""What a column's sampled cells look like: dates, the campaign's unit names, survey answers.

Used where a header alone does not tell the field (see columns.map_columns)."""
from __future__ import annotations

from datetime import date, datetime

from etl.config import Campaign
from etl.normalize.categories import match_category, match_manifestation
from etl.normalize.channels import normalize_channel
from etl.normalize.dates import parse_date
from etl.normalize.deadlines import parse_deadline
from etl.normalize.errors import NormalizeError
from etl.normalize.status import parse_status
from etl.normalize.survey_scale import parse_score
from etl.normalize.units import resolve_unit

_YEAR = 2023  # only to tell whether a text like "6月30日" is a date; the value itself is not kept


def _share(values: list, ok) -> float:
    if not values:
        return 0.0
    hits = 0
    for v in values:
        try:
            hits += bool(ok(v))
        except (NormalizeError, ValueError, TypeError):
            pass
    return hits / len(values)


def date_share(values: list, deadline: bool = False) -> float:
    """Share of cells that are dates (a deadline column may also say 立行立改/长期)."""
    def ok(v):
        if isinstance(v, (date, datetime)):
            return True
        return parse_deadline(v, _YEAR) if deadline else parse_date(v, _YEAR)
    return _share(values, ok)


def unit_share(values: list, campaign: Campaign) -> float:
    """Share of cells that name one of the campaign's units."""
    if not all(isinstance(v, str) for v in values):
        return 0.0
    return _share(values, lambda v: resolve_unit(v, campaign))


def scale_share(values: list, scale: dict[str, int]) -> float:
    """Share of cells that are answers on the survey scale (1–5 or its words)."""
    return _share(values, lambda v: parse_score(v, scale))


def channel_share(values: list) -> float:
    """Share of cells that name a lead channel (12345热线, 信访, 暗访 …)."""
    return _share(values, normalize_channel)


def category_share(values: list, campaign: Campaign) -> float:
    """Share of cells that name one of the campaign's categories or manifestations."""
    def ok(v):
        try:
            return match_category(v, campaign)
        except NormalizeError:
            return match_manifestation(v, campaign)
    return _share(values, ok)


def status_share(values: list) -> float:
    """Share of cells that read as rectification progress (已整改, 正在整改, 是/否 …)."""
    return _share(values, parse_status)


def fits(kind_of_value: str, values: list, campaign: Campaign | None) -> float:
    """Share of cells that fit what a field's column should hold (data/vocabulary.toml, values)."""
    if kind_of_value in ("date", "deadline"):
        return date_share(values, deadline=kind_of_value == "deadline")
    if kind_of_value == "channel":
        return channel_share(values)
    if kind_of_value == "status":
        return status_share(values)
    if kind_of_value == "category" and campaign is not None:
        return category_share(values, campaign)
    return 1.0
