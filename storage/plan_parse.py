"""From raw cells to typed rows: headers matched to columns, every cell checked on its own.

Checks that need more than one row (references between sheets, the database) are the
importer's; this module reports what a single cell or sheet gets wrong, all of it at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.i18n import N_, Translator, translator
from storage.plan_format import (
    CALENDAR_PREFIX,
    FIRST_DATA_ROW,
    PLAN,
    PLAN_FIELDS,
    SHEETS,
    CellError,
    Column,
    Sheet,
    clean_text,
    fold,
    header_names,
    is_blank,
    parse_cell,
)
from storage.plan_reader import RawSheet


@dataclass(frozen=True)
class PlanError:
    """One problem, located as `file:sheet:row:column` (row and column may be unknown)."""

    file: str
    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        row = self.row if self.row is not None else "-"
        return f"{self.file}:{self.sheet}:{row}:{self.column or '-'}: {self.message}"


@dataclass(frozen=True)
class Where:
    """Where a row is, and how to name its columns in an error."""

    file: str
    sheet: str
    row: int
    headers: dict[str, str]

    def error(self, column: str | None, message: str) -> PlanError:
        return PlanError(self.file, self.sheet, self.row, self.headers.get(column or ""), message)


@dataclass
class Row:
    values: dict[str, Any]
    where: Where

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)


@dataclass
class ParsedPlan:
    """The typed content of a plan spreadsheet, before it is checked against the database."""

    source: str
    fields: dict[str, Any] = field(default_factory=dict)
    calendar: dict[str, Any] = field(default_factory=dict)
    calendar_rows: dict[str, Where] = field(default_factory=dict)
    plan_where: Where | None = None
    sheets: dict[str, list[Row]] = field(default_factory=dict)
    errors: list[PlanError] = field(default_factory=list)

    def rows(self, key: str) -> list[Row]:
        return self.sheets.get(key, [])

    @property
    def row_count(self) -> int:
        return sum(len(rows) for rows in self.sheets.values())


def _explanations(column: Column) -> set[str]:
    return {fold(column.explanation), fold(translator("vi")(column.explanation))}


def _match_headers(
    raw: RawSheet, sheet: Sheet, t: Translator, errors: list[PlanError]
) -> dict[int, Column] | None:
    """Column index → column, from the header row; None when the sheet is empty."""
    if not raw.rows:
        errors.append(PlanError(raw.file, raw.name, 1, None, t(N_("the sheet is empty"))))
        return None
    number, header = raw.rows[0]
    names = {fold(clean_text(cell)): index for index, cell in enumerate(header) if cell}
    found: dict[int, Column] = {}
    for column in sheet.columns:
        spellings = header_names(column, [translator("vi")(column.header)])
        index = next((names[name] for name in spellings if name in names), None)
        if index is not None:
            found[index] = column
        elif column.required:
            message = t(N_("missing column"))
            errors.append(PlanError(raw.file, raw.name, number, t(column.header), message))
    # Rows are still read without the missing columns, so that their other errors show too.
    return found


def _is_explanation(cells: tuple[object, ...], columns: dict[int, Column]) -> bool:
    return any(
        index < len(cells) and fold(clean_text(cells[index])) in _explanations(column)
        for index, column in columns.items()
        if not is_blank(cells[index] if index < len(cells) else None)
    )


def parse_sheet(raw: RawSheet, sheet: Sheet, t: Translator, errors: list[PlanError]) -> list[Row]:
    """The sheet's data rows with typed values; bad cells become errors and stay out of `values`."""
    columns = _match_headers(raw, sheet, t, errors)
    if columns is None:
        return []
    headers = {column.key: clean_text(raw.rows[0][1][index]) for index, column in columns.items()}
    data = [
        (number, cells)
        for number, cells in raw.rows[1:]
        if not (number < FIRST_DATA_ROW and _is_explanation(cells, columns))
    ]
    rows = []
    seen: dict[tuple[Any, ...], int] = {}
    for number, cells in data:
        where = Where(raw.file, raw.name, number, headers)
        values: dict[str, Any] = {}
        for index, column in columns.items():
            cell = cells[index] if index < len(cells) else None
            value, problem = _read_cell(cell, column, t)
            if problem:
                errors.append(where.error(column.key, problem))
            elif value is not None:
                values[column.key] = value
        identity = tuple(values.get(key) for key in sheet.identity)
        if sheet.identity and None not in identity:
            if identity in seen:
                message = t(N_("duplicate {value}, first on row {row}")).format(
                    value=" / ".join(str(part) for part in identity), row=seen[identity]
                )
                errors.append(where.error(sheet.identity[-1], message))
                continue
            seen[identity] = number
        # Kept even with bad cells: other rows' references to it are then not errors too.
        rows.append(Row(values, where))
    return rows


def _read_cell(cell: object, column: Column, t: Translator) -> tuple[Any, str | None]:
    """The cell's value (None when blank) and the translated problem with it, if any."""
    if is_blank(cell):
        return None, (t(N_("required")) if column.required else None)
    try:
        value = parse_cell(cell, column)
    except CellError as error:
        return None, t(str(error)).format(choices=", ".join(column.choices))
    if column.limit and isinstance(value, str) and len(value) > column.limit:
        return None, t(N_("longer than {limit} characters")).format(limit=column.limit)
    return value, None


def parse_plan_fields(raw: RawSheet, t: Translator, parsed: ParsedPlan) -> None:
    """The plan sheet: one field per row (by key or header), `calendar.<name>` rows too."""
    rows = parse_sheet(raw, PLAN, t, parsed.errors)
    known = {
        spelling: column
        for column in PLAN_FIELDS
        for spelling in header_names(column, [translator("vi")(column.header)])
    }
    given: set[str] = set()
    for row in rows:
        name = clean_text(row["field"])
        value = row["value"]
        if fold(name).startswith(CALENDAR_PREFIX):
            setting = name[len(CALENDAR_PREFIX) :].strip()
            parsed.calendar[setting] = _calendar_value(value)
            parsed.calendar_rows[setting] = row.where
            continue
        column = known.get(fold(name))
        if column is None:
            parsed.errors.append(row.where.error("field", t(N_("unknown field"))))
            continue
        given.add(column.key)
        typed, problem = _read_cell(value, column, t)
        if problem:
            parsed.errors.append(row.where.error("value", problem))
        elif typed is not None:
            parsed.fields[column.key] = typed
        parsed.plan_where = parsed.plan_where or row.where
    where = parsed.plan_where or Where(raw.file, raw.name, 1, {})
    for column in PLAN_FIELDS:
        if column.required and column.key not in given:
            message = t(N_("the plan sheet needs a row “{field}”")).format(field=t(column.header))
            parsed.errors.append(PlanError(where.file, where.sheet, None, None, message))


def _calendar_value(value: str | None) -> Any:
    """An override as `taskbot calendar set` stores it: JSON when it parses (`25`, `false`),
    else the text (`-3, 0`, `7h30`), which the calendar's own validators understand."""
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value


def parse_plan(raw: dict[str, RawSheet], source: str, t: Translator) -> ParsedPlan:
    """Every sheet of the plan, typed; `errors` lists what is wrong within sheets."""
    parsed = ParsedPlan(source)
    for sheet in SHEETS:
        if sheet.key not in raw:
            if sheet.required:
                message = t(N_("missing sheet “{sheet}”")).format(sheet=t(sheet.title))
                parsed.errors.append(PlanError(source, t(sheet.title), None, None, message))
            continue
        if sheet is PLAN:
            parse_plan_fields(raw[sheet.key], t, parsed)
        else:
            parsed.sheets[sheet.key] = parse_sheet(raw[sheet.key], sheet, t, parsed.errors)
    return parsed


def task_dates_error(row: Row, t: Translator) -> PlanError | None:
    start: date | None = row["start_date"]
    due: date | None = row["due_date"]
    if start and due and due < start:
        return row.where.error("due_date", t(N_("the due date is before the start date")))
    return None
