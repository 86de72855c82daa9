"""Mask complainants' names and phone numbers; key them for repeat detection.

Masks show so little that no number can be narrowed down from them (each leaves at least 10^5
candidates): a mobile shows its last 4 digits only ("*******5678", the usual "尾号5678"); a
landline its area code and last 2 digits ("0558-*****67"). The key is an HMAC with the
installation's secret (etl.installation_secret), so mask and key together do not give the number
back either. Every place that shows a phone (phone_masked, free text, load_errors) uses these masks.
"""

from __future__ import annotations

import hmac
import math
import re
import unicodedata

from etl.normalize._text import clean

_KEY_LENGTH = 16

# Digits as typed, full-width included; one separator may stand between any two digits
# ("138-1234-5678", "138 1234 5678", "138—1234—5678", "１３８１２３４５６７８").
_D = "[0-9０-９]"
_SEP = "[ \u00a0\u3000\\-－—–.．]"
_MOBILE = (rf"(?:(?:[+＋]|[0０]{{2}})?[8８][6６]{_SEP}?)?"  # +86 / 0086 / 86
           rf"[1１][3-9３-９](?:{_SEP}?{_D}){{9}}")
# Area code: 010 and 02X have 3 digits, all others 4; "(0558)1234567", "0558-1234567", "0558 1234567".
_AREA = "[0０](?:[1-2１-２][0-9０-９]|[3-9３-９][0-9０-９]{2})"
# Not after "<digit>-" or "<digit>.": then it is the tail of a code such as 2023-0601-0012345.
_LANDLINE = (r"(?<![0-9０-９][\-－—–.．])"
             rf"(?:[(（]{_AREA}[)）]|{_AREA}){_SEP}?{_D}{{3,4}}{_SEP}?{_D}{{4}}")
# Already masked by the sender the old way (138****5678): still shows 7 digits, masked again.
_PREMASKED_MOBILE = rf"[1１][3-9３-９]{_D}[*＊xX×]{{4}}{_D}{{4}}"
# The leading lookahead lets the regex engine skip every other character quickly (7x faster).
_PHONE_IN_TEXT = re.compile(
    rf"(?=[+＋(（0-9０-９])(?<![0-9０-９])(?:(?P<mobile>{_MOBILE})|(?P<premasked>{_PREMASKED_MOBILE})|(?P<landline>{_LANDLINE}))"
    r"(?![0-9０-９])")
_LOCAL_NUMBER = re.compile(r"^\d{7,8}$")


def _text(value: object) -> str:
    """Cell text; an Excel number such as 13812341234.0 loses its '.0'."""
    if isinstance(value, float) and not math.isnan(value) and value.is_integer():
        value = int(value)
    return clean(value)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text))


def _phone_mask(match: re.Match) -> str:
    digits = _digits(match.group(0))
    if match["mobile"]:
        return "*" * 7 + digits[-4:]
    if match["premasked"]:
        return "*" * 7 + digits[-4:]
    area = 3 if digits[1] in "12" else 4
    return f"{digits[:area]}-" + "*" * (len(digits) - area - 2) + digits[-2:]


def _canonical_digits(match: re.Match) -> str:
    """The number a key is made of: a mobile without +86, a landline as area code + number."""
    digits = _digits(match.group(0))
    return digits[-11:] if match["mobile"] else digits


def _plain_mobile(phone: object) -> str | None:
    """The cell's text when it is an 11-digit mobile number typed plainly (most cells of a register), so
    the mask and the key need neither the clean-up nor the phone regex; the result is the same."""
    s = phone if phone.__class__ is str else str(phone) if phone.__class__ is int else None
    if s and len(s) == 11 and s.isascii() and s.isdigit() and s[0] == "1" and s[1] in "3456789":
        return s
    return None


def mask_name(name: object) -> str:
    """First character and two stars whatever the length: "张三" → "张**"; blank → ""."""
    s = _text(name)
    return f"{s[0]}**" if s else ""


def mask_phone(phone: object) -> str:
    """"*******5678" for a mobile, "0558-*****67" for a landline; several numbers in one cell are
    masked each and joined by "、". A local number without area code keeps its last 2 digits; any
    other text with digits becomes "****"; text without digits (无, 不详, a name typed into the
    column) is not shown: ""."""
    if plain := _plain_mobile(phone):
        return "*" * 7 + plain[-4:]
    s = _text(phone)
    if found := list(_PHONE_IN_TEXT.finditer(s)):
        return "、".join(_phone_mask(m) for m in found)
    if _LOCAL_NUMBER.match(s):
        return "*" * (len(s) - 2) + s[-2:]
    return "****" if re.search(r"\d", s) else ""


def _phone_basis(phone: object) -> str:
    if plain := _plain_mobile(phone):
        return plain
    s = _text(phone)
    if m := _PHONE_IN_TEXT.search(s):
        return _canonical_digits(m)
    return _digits(s)


def complainant_key(name: object, phone: object, salt: str) -> str | None:
    """HMAC-SHA256 (first 16 hex) of the phone number keyed with the installation secret ``salt``,
    else of the name; None if both blank.

    The same person gets the same key across files (whatever way the number is written) without
    the number being shown; without the secret no candidate number can be checked against a key.
    """
    basis = _phone_basis(phone) or _text(name)
    if not basis:
        return None
    return hmac.digest(salt.encode(), basis.encode(), "sha256").hex()[:_KEY_LENGTH]  # = hmac.new(…).hexdigest()


def scrub_phones(text: str | None) -> str | None:
    """Mask every phone number inside free text, in any of the forms above, not inside a longer run
    of digits (case numbers, amounts, dates); the rest of the text is kept as written."""
    if not text:
        return text
    return _PHONE_IN_TEXT.sub(_phone_mask, text)
