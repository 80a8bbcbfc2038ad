"""Translations and locale-aware formatting (Babel + gettext catalogs in `locales/`).

A leaf module: every layer may import it. Message ids are English; `vi` is the default locale.
Mark strings defined at import time with `N_` and translate them when they are shown.
"""

from __future__ import annotations

import gettext
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
SUPPORTED_LOCALES = ("vi", "en")
DEFAULT_LOCALE = "vi"
DEFAULT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_DATE_FORMAT = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}
_DATETIME_FORMAT = {"vi": "HH:mm dd/MM/yyyy", "en": "HH:mm, d MMM yyyy"}


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet."""
    return message


def normalize_locale(value: str | None) -> str:
    """Map a language hint such as 'en-US' or 'vi_VN' to a supported locale, else the default."""
    if not value:
        return DEFAULT_LOCALE
    base = value.replace("_", "-").split("-")[0].lower()
    return base if base in SUPPORTED_LOCALES else DEFAULT_LOCALE


class Translator:
    """gettext for one locale, plus dates and numbers in that locale's format."""

    def __init__(self, locale: str, tz: ZoneInfo = DEFAULT_TZ) -> None:
        self.locale = normalize_locale(locale)
        self.tz = tz
        self._catalog = gettext.translation(
            "messages", localedir=LOCALES_DIR, languages=[self.locale], fallback=True
        )

    def gettext(self, message: str) -> str:
        return self._catalog.gettext(message)

    __call__ = gettext

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog.ngettext(singular, plural, n)

    def date(self, value: date) -> str:
        return format_date(value, _DATE_FORMAT[self.locale], locale=self.locale)

    def datetime(self, value: datetime) -> str:
        return format_datetime(
            value.astimezone(self.tz), _DATETIME_FORMAT[self.locale], locale=self.locale
        )

    def number(self, value: float) -> str:
        return format_decimal(value, format="#,##0.##", locale=self.locale)

    def percent(self, value: float) -> str:
        """`value` is a ratio (0.75 → '75%'); one decimal at most."""
        return format_decimal(value * 100, format="#,##0.#", locale=self.locale) + "%"


@lru_cache(maxsize=8)
def translator(locale: str | None = None, tz: str = "Asia/Ho_Chi_Minh") -> Translator:
    return Translator(normalize_locale(locale), ZoneInfo(tz))
