"""A lead register's plain rows validated a column at a time (a register has 100,000s of rows).

Each distinct cell of a column is normalised once (through the shared memo) and each row is then put
together from its columns. Only rows that validate_lead_row would load without a word are made here:
a row for which it would record an error or a warning, or whose id it would make from the row's content,
is left to it (None in the list returned). The records and the messages are therefore validate_lead_row's,
row for row (tests/test_validate_lead_columns.py compares the two on every kind of row).
"""
from __future__ import annotations

from datetime import date, datetime
from operator import itemgetter

from etl.normalize import categories, channels, findings, privacy, status, workdays
from etl.normalize.errors import NormalizeError
from etl.normalize.units import resolve_unit
from etl.read.model import RawRow
from etl.validate.context import RowContext, plausible_date, raw_text
from etl.validate.leads import DATE_COLUMNS, phone_columns

# Cells told apart by their value alone (a bool equals 0 or 1; a formula error is rejected by the caller).
PLAIN_CELLS = frozenset({str, int, float, date, datetime, type(None)})
_FAIL = object()  # the normaliser refused the cell: validate_lead_row says why


def _texts(cells: list) -> list[str | None]:
    return [(c.strip() or None) if c.__class__ is str else None if c is None else raw_text(c) for c in cells]


def _normalized(ctx: RowContext, func, cells: list, texts: list, *args) -> list:
    """ctx.normalize(func, cell, *args) for each cell with text (None for blank ones, _FAIL where it raises),
    called once per distinct cell, in the order they first appear."""
    keys = texts if cells is texts else [None if text is None else cell for cell, text in zip(cells, texts, strict=True)]
    done: dict = {}
    for key in dict.fromkeys(keys):
        if key is None:
            done[key] = None
            continue
        try:
            done[key] = ctx.normalize(func, key, *args)
        except NormalizeError:
            done[key] = _FAIL
    return [done[key] for key in keys]


def plain_lead_records(ctx: RowContext, raws: list[RawRow], salt: str) -> list[dict | None]:
    """The record of each row, or None for a row to be validated by validate_lead_row."""
    if not raws or "lead_id" not in raws[0].values:
        return [None] * len(raws)  # (rows without an id are identified by their content, row by row)
    sub, campaign = ctx.submission, ctx.campaign
    year = sub.as_of_date.year if sub.as_of_date else campaign.start_date.year
    keys = raws[0].values.keys()
    phones = phone_columns(raws[0].values)
    # rows with other columns (none from the reader) or with a cell that is not plain (a formula error, a bool)
    usable = [raw.values.keys() == keys for raw in raws]
    names = list(keys)
    others = dict.fromkeys(names)  # (a row left to validate_lead_row: its cells are not looked at here)
    rows = [raw.values if ok else others for raw, ok in zip(raws, usable, strict=True)]
    # one C call per row, then the rows turned into columns (itemgetter of one name gives a bare cell)
    cells = map(itemgetter(*names), rows) if len(names) > 1 else ((row[names[0]],) for row in rows)
    columns = dict(zip(names, map(list, zip(*cells, strict=True)), strict=True)) if rows else {n: [] for n in names}
    for column in columns.values():
        if not set(map(type, column)) <= PLAIN_CELLS:
            for i, cell in enumerate(column):
                usable[i] = usable[i] and cell.__class__ in PLAIN_CELLS
    blank = [None] * len(rows)

    def cells(name: str) -> list:
        return columns.get(name, blank)

    def texts(name: str) -> list[str | None]:
        return _texts(cells(name))

    campaign_end = campaign.end_date.toordinal()
    dates = [_normalized(ctx, plausible_date, cells(name), texts(name), year, campaign_end)
             for name in (*DATE_COLUMNS, "given_due_date")]
    unit_texts = texts("unit")
    units = [unit if text is not None else sub.unit_id
             for unit, text in zip(_normalized(ctx, resolve_unit, unit_texts, unit_texts, campaign), unit_texts,
                                   strict=True)]
    coded = []
    for name, func, args in (("channel", channels.normalize_channel, ()),
                             ("category", categories.match_category, (campaign,)),
                             ("finding", findings.parse_finding, ())):
        column = texts(name)
        coded.append(_normalized(ctx, func, column, column, *args))
    phone_texts = [texts(name) for name in phones]
    first_phones = (blank if not phone_texts else phone_texts[0] if len(phone_texts) == 1
                    else [next(filter(None, found), None) for found in zip(*phone_texts, strict=True)])
    handling = [privacy.scrub_phones(text) for text in texts("handling_status")]
    concluded_says: dict[str, bool | None] = {}

    out: list[dict | None] = []
    for (raw, ok, lead_id, unit_id, received, assigned, concluded, feedback, given, channel, category, finding,
         summary, name, phone, handling_text, visit) in zip(
            raws, usable, texts("lead_id"), units, *dates, *coded, texts("summary"), texts("complainant"),
            first_phones, handling, texts("visit_satisfaction"), strict=True):
        assigned = assigned or received
        if (not ok or lead_id is None or unit_id is None or unit_id is _FAIL or assigned is None
                or _FAIL in (received, assigned, concluded, feedback, given, channel, category, finding)
                or (concluded is not None and concluded < assigned)):
            out.append(None)
            continue
        due, provisional = workdays.add_working_days(assigned, campaign.lead_working_days)
        says = None
        if handling_text:
            says = concluded_says.get(handling_text, _FAIL)
            if says is _FAIL:
                says = concluded_says[handling_text] = status.lead_concluded(handling_text)
        if (given is not None and given != due) or (says and concluded is None) or (
                says is False and concluded is not None):
            out.append(None)  # validate_lead_row records a warning
            continue
        out.append({
            "campaign_id": campaign.id,
            "lead_id": lead_id,
            "unit_id": unit_id,
            "channel": channel,
            "received_date": received,
            "assigned_date": assigned,
            "due_date": due,
            "due_date_provisional": provisional,
            "concluded_date": concluded,
            "on_time": None if concluded is None else concluded <= due,
            "feedback_date": feedback,
            "finding": finding,
            "category": category,
            "summary": privacy.scrub_phones(summary),
            "complainant_masked": privacy.mask_name(name) if name else None,
            "phone_masked": privacy.mask_phone(phone) or None,
            "complainant_key": privacy.complainant_key(name, phone, salt),
            "handling_status": handling_text,
            "given_due_date": given,
            "visit_satisfaction": privacy.scrub_phones(visit),
            "submission_id": sub.submission_id,
            "source_row": raw.source_row,
        })
    return out
