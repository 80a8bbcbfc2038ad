"""Reading a plan's raw cells: an XLSX workbook, or a folder of CSV files (one per sheet).

A workbook's sheets are found by name (the Vietnamese title, the English title or the sheet key,
compared without case or diacritics). A CSV plan is a folder holding `plan.csv`, `units.csv`,
`officers.csv`, `tasks.csv`, `indicators.csv`, `milestones.csv` (UTF-8, with or without BOM;
comma, semicolon or tab separated); a single `.csv` file stands for its folder.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from bot.i18n import N_, translator
from storage.plan_format import SHEETS, Sheet, fold


@dataclass
class RawSheet:
    """The cells of one sheet: the file it came from, its name there, and its rows (1-based)."""

    file: str
    name: str
    rows: list[tuple[int, tuple[object, ...]]]


class UnreadableSource(Exception):
    """The source is not a workbook or a folder of CSV files; the message is an English msgid."""


def sheet_names(sheet: Sheet) -> set[str]:
    """Every folded name a sheet may have in a workbook."""
    return {fold(sheet.key), fold(sheet.title), fold(translator("vi")(sheet.title))}


def read_source(source: Path) -> dict[str, RawSheet]:
    """The raw sheets of `source` by sheet key; a sheet that is absent is not in the result."""
    if source.is_dir() or source.suffix.lower() == ".csv":
        return _read_csv_folder(source if source.is_dir() else source.parent)
    if source.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_workbook(source)
    raise UnreadableSource(N_("give an .xlsx file or a folder of .csv files"))


def _trimmed(rows: Iterator[tuple[object, ...]]) -> list[tuple[int, tuple[object, ...]]]:
    """Numbered rows without the blank ones (a sheet's formatting often extends far below)."""
    kept = []
    for number, row in enumerate(rows, start=1):
        if any(cell is not None and str(cell).strip() for cell in row):
            kept.append((number, tuple(row)))
    return kept


def _read_workbook(path: Path) -> dict[str, RawSheet]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError, BadZipFile, InvalidFileException) as error:
        raise UnreadableSource(N_("the file is not a readable .xlsx workbook")) from error
    try:
        by_name = {fold(name): name for name in workbook.sheetnames}
        found = {}
        for sheet in SHEETS:
            name = next((by_name[n] for n in sheet_names(sheet) if n in by_name), None)
            if name is not None:
                rows = workbook[name].iter_rows(values_only=True)
                found[sheet.key] = RawSheet(path.name, name, _trimmed(rows))
        return found
    finally:
        workbook.close()


def _read_csv_folder(folder: Path) -> dict[str, RawSheet]:
    files = {fold(path.stem): path for path in folder.glob("*.csv")}
    if not files:
        raise UnreadableSource(N_("the folder holds no .csv files"))
    found = {}
    for sheet in SHEETS:
        path = next((files[n] for n in sheet_names(sheet) if n in files), None)
        if path is not None:
            found[sheet.key] = RawSheet(path.name, path.stem, _read_csv(path))
    return found


def _read_csv(path: Path) -> list[tuple[int, tuple[object, ...]]]:
    # utf-8-sig drops a BOM when there is one and reads plain UTF-8 otherwise.
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableSource(N_("a .csv file is not UTF-8 text")) from error
    # The header row decides the separator (csv.Sniffer misreads quoted commas in titles).
    header = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header.count)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _trimmed(tuple(row) for row in rows)
