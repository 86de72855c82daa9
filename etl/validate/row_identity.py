"""Identity of a row that carries no id of its own (no 线索编号, no 序号/编号): its whole content."""
from __future__ import annotations

import hashlib
import hmac
import math
from datetime import date, datetime

from etl.normalize._text import clean
from etl.validate.context import RowContext

_DIGEST_HEX = 16  # 64 bits: no accidental collision in millions of rows


def _comparable(value: object) -> str:
    """The value as written, made comparable: NFKC, no whitespace, 13812341234.0 → 13812341234,
    date-times with their time of day (two calls on one day are two rows)."""
    if isinstance(value, datetime):
        value = value.isoformat(sep=" ")
    elif isinstance(value, date):
        value = value.isoformat()
    elif isinstance(value, float) and not math.isnan(value) and value.is_integer():
        value = int(value)
    elif hasattr(value, "text") and hasattr(value, "message"):  # etl.read.model.CellError
        value = value.text
    return clean(value)


def content_digest(values: dict, key: str, fields: tuple[str, ...] | None = None) -> str:
    """Keyed digest (HMAC-SHA256) of every non-blank mapped value (or of ``fields`` only).

    Keyed with the complainant salt so that an id built from names and phones cannot be reversed
    by hashing candidate numbers. Blank values are left out, so the same row read from a layout
    with an extra empty column gets the same digest.
    """
    names = sorted(values) if fields is None else fields
    pairs = [(name, _comparable(values.get(name))) for name in names]
    basis = "\x1f".join(f"{name}\x1e{text}" for name, text in pairs if text)
    return hmac.new(key.encode(), basis.encode(), hashlib.sha256).hexdigest()[:_DIGEST_HEX]


def occurrence(ctx: RowContext, kind: str, digest: str, row: int) -> tuple[int, int]:
    """(first row with this content in the sheet, how many rows with it so far incl. this one)."""
    seen = ctx.memo.setdefault(("row-occurrence", kind, ctx.submission.submission_id, digest), [row, 0])
    seen[1] += 1
    return seen[0], seen[1]
