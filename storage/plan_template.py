"""Writing a plan workbook: the empty template, or a filled one (the sample plan is built so).

Each sheet gets its headers on row 1 (bold), an explanation of each column on row 2 (italic),
frozen panes below them, column widths, date formats and drop-down lists for choice columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from bot.i18n import Translator, translator
from storage.plan_format import FIRST_DATA_ROW, PLAN, PLAN_FIELDS, SHEETS, Kind, Sheet

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_LAST_ROW = 10000  # how far down drop-down lists and date formats reach in the template


def write_plan_workbook(
    path: Path,
    *,
    fields: Mapping[str, Any] | None = None,
    calendar: Mapping[str, Any] | None = None,
    sheets: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    locale: str = "vi",
) -> None:
    """Write a plan workbook; with no data it is the empty template.

    `fields` are the plan's metadata by key (code, title, issued_on, issuer); `sheets` maps a
    sheet key to its rows, each a mapping from column key to value (lists are joined by commas).
    """
    t = translator(locale)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in SHEETS:
        worksheet = workbook.create_sheet(t(sheet.title))
        _headers(worksheet, sheet, t)
        if sheet is PLAN:
            _plan_rows(worksheet, fields or {}, calendar or {}, t)
        else:
            rows = (sheets or {}).get(sheet.key, ())
            for offset, row in enumerate(rows):
                for index, column in enumerate(sheet.columns, start=1):
                    value = row.get(column.key)
                    if isinstance(value, list | tuple):
                        value = ", ".join(value)
                    worksheet.cell(FIRST_DATA_ROW + offset, index, value)
            _formats(worksheet, sheet, t)
    workbook.save(path)


def _headers(worksheet: Worksheet, sheet: Sheet, t: Translator) -> None:
    for index, column in enumerate(sheet.columns, start=1):
        header = worksheet.cell(1, index, t(column.header))
        header.font = Font(bold=True)
        header.fill = _HEADER_FILL
        header.alignment = Alignment(wrap_text=True, vertical="center")
        note = worksheet.cell(2, index, t(column.explanation))
        note.font = Font(italic=True, color="595959")
        note.alignment = Alignment(wrap_text=True, vertical="top")
        worksheet.column_dimensions[get_column_letter(index)].width = column.width
    worksheet.freeze_panes = worksheet.cell(FIRST_DATA_ROW, 1)


def _plan_rows(
    worksheet: Worksheet, fields: Mapping[str, Any], calendar: Mapping[str, Any], t: Translator
) -> None:
    """One row per plan field (its label and value), then the calendar overrides."""
    rows: list[tuple[str, Any]] = [(t(f.header), fields.get(f.key)) for f in PLAN_FIELDS]
    rows += [(f"calendar.{name}", value) for name, value in calendar.items()]
    for offset, (label, value) in enumerate(rows):
        worksheet.cell(FIRST_DATA_ROW + offset, 1, label)
        cell = worksheet.cell(FIRST_DATA_ROW + offset, 2, value)
        if isinstance(value, date):
            cell.number_format = "DD/MM/YYYY"
            cell.alignment = Alignment(horizontal="left")


def _formats(worksheet: Worksheet, sheet: Sheet, t: Translator) -> None:
    """Date formats and drop-down lists on the data rows of each column that has them."""
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        cells = f"{letter}{FIRST_DATA_ROW}:{letter}{_LAST_ROW}"
        if column.choices:
            validation = DataValidation(
                type="list", formula1=f'"{",".join(column.choices)}"', allow_blank=True
            )
            validation.error = t(column.explanation)
            worksheet.add_data_validation(validation)
            validation.add(cells)
        if column.kind is Kind.date:
            for row in worksheet.iter_rows(
                min_row=FIRST_DATA_ROW, max_row=worksheet.max_row, min_col=index, max_col=index
            ):
                row[0].number_format = "DD/MM/YYYY"
