"""Shared text clean-up helpers (internal)."""

from __future__ import annotations

import math
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def clean(value: object) -> str:
    """NFKC (full-width digits, letters, brackets and spaces to ASCII) and no whitespace."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(value)))


def shown(value: object) -> str:
    """The value as quoted back to the user in messages."""
    return "" if value is None else str(value).strip()
