"""What a column's sampled cells look like: dates, the campaign's unit names, survey answers.

Used where a header alone does not tell the field (see columns.map_columns)."""
from __future__ import annotations

from datetime import date, datetime

from etl.config import Campaign
from etl.normalize.dates import parse_date
from etl.normalize.deadlines import parse_deadline
from etl.normalize.errors import NormalizeError
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
