"""Mask complainants' names and phone numbers; key them for repeat detection."""

from __future__ import annotations

import hashlib
import math
import re

from etl.normalize._text import clean

_MOBILE = re.compile(r"^(?:\+?86)?(1\d{10})$")
_LANDLINE = re.compile(r"^(0\d{2,3})-?(\d{7,8})(?:-\d{1,6})?$")
_KEY_LENGTH = 16


def _text(value: object) -> str:
    """Cell text; an Excel number such as 13812341234.0 loses its '.0'."""
    if isinstance(value, float) and not math.isnan(value) and value.is_integer():
        value = int(value)
    return clean(value)


def _phone_digits(phone: object) -> str:
    s = _text(phone)
    if m := _MOBILE.match(s.replace("-", "")):
        return m[1]
    return re.sub(r"\D", "", s)


def mask_name(name: object) -> str:
    """First character and two stars whatever the length: "张三" → "张**"; blank → ""."""
    s = _text(name)
    return f"{s[0]}**" if s else ""


def mask_phone(phone: object) -> str:
    """138****1234 for mobiles, 0558-****371 for landlines, else first 2 chars + ****."""
    s = _text(phone)
    if not s:
        return ""
    if m := _MOBILE.match(s.replace("-", "")):
        return f"{m[1][:3]}****{m[1][-4:]}"
    if m := _LANDLINE.match(s):
        return f"{m[1]}-****{m[2][-3:]}"
    return f"{s[:2]}****"


def complainant_key(name: object, phone: object, salt: str) -> str | None:
    """Salted sha256 (first 16 hex) of the phone digits, else of the name; None if both blank.

    The same person gets the same key across files without the number being shown.
    """
    digits = _phone_digits(phone)
    basis = digits or _text(name)
    if not basis:
        return None
    return hashlib.sha256(f"{salt}{basis}".encode()).hexdigest()[:_KEY_LENGTH]


# Phone numbers written into free text ("来电人13812341234反映…"): mobile numbers and landlines
# with an area code, not embedded in a longer run of digits (case numbers, amounts).
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-\d{7,8})(?!\d)")


def scrub_phones(text: str | None) -> str | None:
    """Mask every phone number inside free text; the rest of the text is kept as written."""
    if not text:
        return text
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)
