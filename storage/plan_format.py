"""The plan spreadsheet: its sheets and columns, and how a cell's text becomes a value.

One workbook (or one folder of CSV files, one file per sheet named `<sheet key>.csv`) holds a
plan: its metadata, the units, the officers, the tasks, their indicators and their roadmap
(milestones). Row 1 holds the column headers (Vietnamese in the template; the English header or
the column key is accepted too), row 2 explains each column and is skipped, data starts on row 3.
The same definitions drive the reader, the validator and the template writer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.i18n import N_

# The first row of data (1-based): headers on row 1, explanations on row 2.
FIRST_DATA_ROW = 3


class Kind(StrEnum):
    text = "text"
    date = "date"
    number = "number"
    percent = "percent"
    codes = "codes"  # a comma-separated list of codes


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # English msgid; the template shows its translation
    explanation: str
    kind: Kind = Kind.text
    required: bool = False
    choices: tuple[str, ...] = ()
    width: int = 18
    limit: int = 0  # maximum length of a text value (the database column's), 0 for none


@dataclass(frozen=True)
class Sheet:
    key: str  # also the CSV file name: `<key>.csv`
    title: str  # English msgid; the XLSX sheet is named by its translation
    columns: tuple[Column, ...]
    required: bool = False
    # Unique within the sheet: these columns' values together identify a row.
    identity: tuple[str, ...] = field(default=())

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


# Plan metadata is a key/value sheet: each row names a field (by key or header) and its value.
PLAN_FIELDS = (
    Column("code", N_("Plan number"), N_("e.g. 386-KH/TU"), required=True, limit=64),
    Column("title", N_("Plan title"), N_("The plan's full title"), required=True, limit=500),
    Column("issued_on", N_("Issued on"), N_("dd/mm/yyyy"), Kind.date),
    Column("issuer", N_("Issued by"), N_("e.g. Ban Thường vụ Tỉnh ủy Hưng Yên"), limit=255),
)
# Any other field named `calendar.<setting>` overrides that reporting-calendar setting.
CALENDAR_PREFIX = "calendar."

PLAN = Sheet(
    "plan",
    N_("Plan"),
    (
        Column(
            "field", N_("Field"), N_("Plan number, Plan title, ... or calendar.<setting>"), width=28
        ),
        Column("value", N_("Value"), N_("The field's value"), width=60),
    ),
    required=True,
)

ROLES = ("officer", "head", "office", "admin")
CADENCES = ("monthly", "quarterly", "both")
LOCALES = ("vi", "en")

UNITS = Sheet(
    "units",
    N_("Units"),
    (
        Column(
            "code",
            N_("Unit code"),
            N_("Short unique code, e.g. SKHCN"),
            required=True,
            width=14,
            limit=64,
        ),
        Column(
            "name",
            N_("Unit name"),
            N_("Full name, e.g. Sở Khoa học và Công nghệ"),
            required=True,
            width=40,
            limit=255,
        ),
        Column(
            "kind", N_("Kind"), N_("province, department, commune, center, ..."), width=14, limit=32
        ),
        Column(
            "parent",
            N_("Parent unit code"),
            N_("Code of the unit above; empty for the province"),
            width=16,
            limit=64,
        ),
    ),
    identity=("code",),
)

OFFICERS = Sheet(
    "officers",
    N_("Officers"),
    (
        Column(
            "code",
            N_("Officer code"),
            N_("Short unique code, e.g. CB-SKHCN-1"),
            required=True,
            width=16,
            limit=64,
        ),
        Column(
            "full_name",
            N_("Full name"),
            N_("With diacritics, e.g. Nguyễn Văn An"),
            required=True,
            width=28,
            limit=255,
        ),
        Column(
            "unit",
            N_("Unit code"),
            N_("The unit they belong to"),
            required=True,
            width=14,
            limit=64,
        ),
        Column(
            "role",
            N_("Role"),
            N_("officer, head, office or admin"),
            required=True,
            choices=ROLES,
            width=10,
        ),
        Column("title", N_("Position"), N_("e.g. Phó Giám đốc (optional)"), width=22, limit=255),
        Column("phone", N_("Phone"), N_("Optional"), limit=32),
        Column("email", N_("Email"), N_("Optional"), width=26, limit=255),
        Column("locale", N_("Language"), N_("vi or en; empty means vi"), choices=LOCALES, width=10),
    ),
    identity=("code",),
)

TASKS = Sheet(
    "tasks",
    N_("Tasks"),
    (
        Column(
            "plan", N_("Plan number"), N_("Empty means the plan of this file"), width=14, limit=64
        ),
        Column(
            "code",
            N_("Task code"),
            N_("Unique within the plan, e.g. 386.II.3.a"),
            required=True,
            width=14,
            limit=64,
        ),
        Column("title", N_("Task"), N_("What is to be done"), required=True, width=60),
        Column(
            "presiding_unit",
            N_("Presiding unit"),
            N_("Unit code of the unit in charge"),
            required=True,
            width=14,
            limit=64,
        ),
        Column(
            "coordinators",
            N_("Coordinating units"),
            N_("Unit codes separated by commas"),
            Kind.codes,
            width=20,
        ),
        Column(
            "leader",
            N_("Directing leader"),
            N_("Name of the leader in charge"),
            width=24,
            limit=255,
        ),
        Column(
            "officer",
            N_("Officer in charge"),
            N_("Officer code of the focal officer"),
            width=16,
            limit=64,
        ),
        Column(
            "start_date", N_("Start date"), N_("dd/mm/yyyy"), Kind.date, required=True, width=12
        ),
        Column("due_date", N_("Due date"), N_("dd/mm/yyyy"), Kind.date, required=True, width=12),
        Column(
            "cadence",
            N_("Reporting cadence"),
            N_("monthly, quarterly or both"),
            required=True,
            choices=CADENCES,
            width=12,
        ),
        Column(
            "product",
            N_("Expected product"),
            N_("e.g. a decision, a system in operation"),
            width=30,
        ),
        Column("goal", N_("Goal"), N_("What the task must achieve"), width=30),
        Column("key_results", N_("Key results"), N_("Measurable key results"), width=30),
    ),
    required=True,
    identity=("code",),
)

INDICATORS = Sheet(
    "indicators",
    N_("Indicators"),
    (
        Column(
            "task",
            N_("Task code"),
            N_("The task this indicator measures"),
            required=True,
            width=14,
            limit=64,
        ),
        Column(
            "code",
            N_("Indicator code"),
            N_("Optional; unique within the task (default CT1, CT2, ...)"),
            width=12,
            limit=32,
        ),
        Column("name", N_("Indicator"), N_("What is measured"), required=True, width=50, limit=500),
        Column(
            "unit_of_measure",
            N_("Unit of measure"),
            N_("e.g. %, records, people"),
            width=14,
            limit=64,
        ),
        Column(
            "baseline", N_("Baseline"), N_("Value at the start (a number)"), Kind.number, width=10
        ),
        Column(
            "target",
            N_("Target"),
            N_("Value to reach (a number)"),
            Kind.number,
            required=True,
            width=10,
        ),
    ),
    identity=("task", "code"),
)

MILESTONES = Sheet(
    "milestones",
    N_("Roadmap"),
    (
        Column(
            "task",
            N_("Task code"),
            N_("The task this milestone belongs to"),
            required=True,
            width=14,
            limit=64,
        ),
        Column(
            "period",
            N_("Period"),
            N_("Month 2025-05 or quarter 2025-Q2"),
            required=True,
            width=10,
            limit=8,
        ),
        Column(
            "expected",
            N_("Expected milestone"),
            N_("What should be reached by the end of the period"),
            required=True,
            width=60,
        ),
        Column(
            "expected_percent",
            N_("Expected percent"),
            N_("0 to 100 (optional)"),
            Kind.percent,
            width=10,
        ),
    ),
    identity=("task", "period"),
)

SHEETS: tuple[Sheet, ...] = (PLAN, UNITS, OFFICERS, TASKS, INDICATORS, MILESTONES)

# Vietnamese words accepted for the English choice values.
CHOICE_SYNONYMS = {
    "can bo": "officer",
    "chuyen vien": "officer",
    "thu truong": "head",
    "lanh dao": "head",
    "van phong": "office",
    "thuong truc": "office",
    "quan tri": "admin",
    "hang thang": "monthly",
    "thang": "monthly",
    "hang quy": "quarterly",
    "quy": "quarterly",
    "ca hai": "both",
    "thang va quy": "both",
}


class CellError(ValueError):
    """A cell whose text cannot be read; the message is an English msgid to translate."""


def fold(text: str) -> str:
    """Lower case without diacritics or extra spaces: what header and choice matching compare."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(text.lower().replace("_", " ").split())


def clean_text(value: object) -> str:
    """A cell as stripped text in NFC (Excel on macOS may give decomposed Vietnamese)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


_EXCEL_EPOCH = date(1899, 12, 30)
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(value: object) -> date:
    """A real Excel date, an Excel serial number, `dd/mm/yyyy` or ISO `yyyy-mm-dd`."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise CellError(N_("not a date (use dd/mm/yyyy)"))
    text = clean_text(value)
    if text.endswith(" 00:00:00"):
        text = text[: -len(" 00:00:00")]
    match = _DMY.match(text)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
        match = _ISO.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day)
    except ValueError as error:
        raise CellError(N_("no such date")) from error
    raise CellError(N_("not a date (use dd/mm/yyyy)"))


# (pattern, thousands separator, decimal mark), tried in order.
_NUMBER_FORMS = (
    (re.compile(r"^[+-]?\d+(,\d+)?$"), "", ","),  # 12,5 (Vietnamese decimal comma)
    (re.compile(r"^[+-]?\d+(\.\d+)?$"), "", "."),  # 12.5
    (re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$"), ".", ","),  # 1.234.567,5
    (re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"), ",", "."),  # 1,234,567.5
)


def parse_number(value: object) -> float:
    """A number; text may use the Vietnamese decimal comma (`12,5`, `1.234,5`) or a point.

    A lone separator is a decimal mark (`1,5` and `1.5` are both one and a half); thousands
    separators must group digits by three (`1.234.567`, `1,234.5`).
    """
    if isinstance(value, bool):
        raise CellError(N_("not a number"))
    if isinstance(value, int | float):
        return float(value)
    text = clean_text(value).replace(" ", "").replace("\u00a0", "").removesuffix("%")
    for pattern, thousands, decimal in _NUMBER_FORMS:
        if pattern.match(text):
            if thousands:
                text = text.replace(thousands, "")
            return float(text.replace(decimal, "."))
    raise CellError(N_("not a number"))


def parse_percent(value: object) -> int:
    """A whole percentage 0..100 (`80`, `80%`, `80,0`)."""
    number = parse_number(value)
    if not 0 <= number <= 100:
        raise CellError(N_("must be between 0 and 100"))
    return round(number)


def parse_codes(value: object) -> list[str]:
    """Comma- or semicolon-separated codes, duplicates dropped, order kept."""
    parts = re.split(r"[,;\n]", clean_text(value))
    return list(dict.fromkeys(part.strip() for part in parts if part.strip()))


def parse_choice(value: object, column: Column) -> str:
    text = fold(clean_text(value))
    text = CHOICE_SYNONYMS.get(text, text)
    if text not in column.choices:
        raise CellError(N_("must be one of: {choices}"))
    return text


def parse_cell(value: object, column: Column) -> object:
    """The typed value of a non-empty cell in `column`; raises CellError."""
    if column.choices:
        return parse_choice(value, column)
    if column.kind is Kind.date:
        return parse_date(value)
    if column.kind is Kind.number:
        return parse_number(value)
    if column.kind is Kind.percent:
        return parse_percent(value)
    if column.kind is Kind.codes:
        return parse_codes(value)
    return clean_text(value)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def header_names(column: Column, translations: Iterable[str]) -> set[str]:
    """Every folded spelling under which a header names `column`."""
    return {fold(column.key), fold(column.header), *(fold(name) for name in translations)}
