"""Every user-facing string is in both catalogs, and Vietnamese is complete."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import translator

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "t": None, "N_": None, "ngettext": (1, 2)}


def _code_msgids() -> set[str]:
    found: set[str] = set()
    for package in ("bot", "handlers", "reminders", "storage"):
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def _catalog(locale: str) -> dict[str, object]:
    with open(ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f, locale=locale)
    assert not [m.id for m in catalog if m.id and m.fuzzy], f"fuzzy entries in {locale}"
    return {(m.id if isinstance(m.id, str) else m.id[0]): m.string for m in catalog if m.id}


def test_every_string_is_in_both_catalogs() -> None:
    code = _code_msgids()
    assert code, "extraction found no strings"
    for locale in ("vi", "en"):
        missing = sorted(code - _catalog(locale).keys())
        assert not missing, f"not in the {locale} catalog (run `make i18n-extract`): {missing}"


def test_vietnamese_is_complete() -> None:
    untranslated = [
        msgid
        for msgid, string in _catalog("vi").items()
        if not (string if isinstance(string, str) else all(string))
    ]
    assert not untranslated, f"untranslated in vi: {untranslated}"


def test_vietnamese_dates_and_numbers() -> None:
    vi, en = translator("vi"), translator("en")
    assert vi.date(date(2025, 2, 13)) == "13/02/2025"
    assert vi.datetime(datetime(2025, 5, 20, 1, 0, tzinfo=UTC)) == "08:00 20/05/2025"
    assert vi.number(1234.5) == "1.234,5"
    assert vi.percent(0.755) == "75,5%"
    assert en.number(1234.5) == "1,234.5"
    assert vi("« Back") == "« Quay lại" and en("« Back") == "« Back"
