"""Numbers typed in a chat: percentages (`45`, `45%`, `45,5`) and indicator values (`1.234,5`).

Vietnamese writes a decimal comma and groups thousands with dots; people also type the English
way. A lone separator followed by exactly three digits is read the locale's way: `1.500` is 1500 in
Vietnamese and 1.5 in English, `1,500` the reverse; every other spelling means the same in both.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_NUMBER = re.compile(r"^-?[0-9][0-9.,]*$")
_SPACED = re.compile(r"^-?[0-9]{1,3}(?:\s[0-9]{3})+(?:[.,][0-9]+)?$")
_GROUPED = re.compile(r"^-?[0-9]{1,3}(?:[.,][0-9]{3})+$")


def parse_number(text: str, locale: str = "vi") -> float | None:
    """The number typed, or None when `text` is not one."""
    raw = text.strip()
    if any(ch.isspace() for ch in raw):
        # Spaces group thousands ("1 500"), nothing else.
        if not _SPACED.match(raw):
            return None
        raw = "".join(raw.split())
    if not _NUMBER.match(raw) or raw.endswith((".", ",")):
        return None
    dots, commas = raw.count("."), raw.count(",")
    if dots and commas:
        decimal_sep = "." if raw.rfind(".") > raw.rfind(",") else ","
        group_sep = "," if decimal_sep == "." else "."
        if raw.count(decimal_sep) > 1:
            return None
        raw = raw.replace(group_sep, "").replace(decimal_sep, ".")
    elif dots > 1 or commas > 1:
        if not _GROUPED.match(raw):
            return None
        raw = raw.replace(".", "").replace(",", "")
    elif commas == 1:
        raw = raw.replace(",", "" if locale == "en" and _GROUPED.match(raw) else ".")
    elif dots == 1 and locale == "vi" and _GROUPED.match(raw):
        raw = raw.replace(".", "")
    try:
        value = float(Decimal(raw))
    except (InvalidOperation, OverflowError):
        return None
    return value if math.isfinite(value) else None


def parse_percent(text: str, locale: str = "vi") -> int | None:
    """A percentage 0–100 from `45`, `45%`, `45,5 %`, rounded half up; None otherwise."""
    raw = text.strip().removesuffix("%").strip()
    if "." in raw and "," not in raw:
        # "45.5" is a decimal point in a percentage, never a thousands separator.
        raw = raw.replace(".", ",")
    value = parse_number(raw, locale)
    if value is None or not 0 <= value <= 100:
        return None
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
