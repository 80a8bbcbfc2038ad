"""The compiled period report as files: XLSX (summary sheet + one sheet per unit level) or CSV.

XLSX is written with openpyxl's write-only mode (rows go to a temporary file as they come), so a
large export holds one chunk of rows in memory. Headers are in the reader's language (Vietnamese
by default); dates are real Excel dates shown dd/mm/yyyy; every sheet has a frozen header row,
an auto-filter and set column widths. CSV is UTF-8 with a BOM (so Excel detects the encoding),
one row per task with the unit level as the first column and dates written dd/mm/yyyy.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import N_, Translator
from reminders.periods import Period
from storage.export import CHUNK, ExportRow, Summary, UnitCounts, iter_rows, summarize
from storage.models import ReportStatus, ReviewState, Unit
from storage.status import CATEGORY_LABELS, Category

Progress = Callable[[int], None]
# Rows between two progress calls.
PROGRESS_STEP = 250

# (header msgid, column width in characters)
COLUMNS: tuple[tuple[str, int], ...] = (
    (N_("No."), 6),
    (N_("Task code"), 14),
    (N_("Task"), 50),
    (N_("Presiding unit"), 26),
    (N_("Coordinating units"), 30),
    (N_("Officer in charge"), 22),
    (N_("Due date"), 12),
    (N_("Milestone expected this period"), 36),
    (N_("Status category"), 24),
    (N_("Report"), 18),
    (N_("Percent complete"), 10),
    (N_("Indicators (actual / target)"), 36),
    (N_("Indicators reaching target"), 12),
    (N_("Result"), 40),
    (N_("Obstacles"), 36),
    (N_("Proposals"), 36),
    (N_("Submitted at"), 17),
    (N_("On time / late"), 12),
)
REPORT_STATUS = {
    ReportStatus.not_started: N_("not started"),
    ReportStatus.in_progress: N_("in progress"),
    ReportStatus.completed: N_("completed"),
    ReportStatus.blocked: N_("blocked"),
}
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")
# Positions in `COLUMNS` of the date columns.
_DUE, _SUBMITTED = 6, 16
# Text columns wrapped when long: task, milestone, indicators, result, obstacles, proposals.
_WRAPPED = (2, 7, 11, 13, 14, 15)


def _indicators(t: Translator, row: ExportRow) -> tuple[str, str]:
    lines = []
    for cell in row.indicators:
        actual = t.number(cell.actual) if cell.actual is not None else "—"
        unit = f" {cell.unit_of_measure}" if cell.unit_of_measure else ""
        lines.append(f"{cell.name}: {actual} / {t.number(cell.target)}{unit}")
    reached = sum(cell.reached for cell in row.indicators)
    return "\n".join(lines), (f"{reached}/{len(row.indicators)}" if row.indicators else "")


def _report_label(t: Translator, row: ExportRow) -> str:
    if row.status is None:
        return t("no report")
    label = t(REPORT_STATUS[ReportStatus(row.status)])
    if row.review_state == ReviewState.pending:
        label += f" ({t('awaiting confirmation')})"
    return label


def row_values(t: Translator, number: int, row: ExportRow, *, as_text: bool) -> list[Any]:
    """A row's cells; dates as local datetimes for XLSX, as dd/mm/yyyy text for CSV."""
    indicators, reached = _indicators(t, row)
    submitted: Any = None
    if row.submitted_at is not None:
        local = row.submitted_at.astimezone(t.tz)
        submitted = t.datetime(local) if as_text else local.replace(tzinfo=None)
    on_time = "" if row.on_time is None else t("on time") if row.on_time else t("late")
    return [
        number,
        row.code,
        row.title,
        row.presiding,
        "; ".join(row.coordinators),
        row.officer or "",
        t.date(row.due_date) if as_text else row.due_date,
        row.milestone or "",
        t(CATEGORY_LABELS[row.category]),
        _report_label(t, row),
        row.percent,
        indicators,
        reached,
        row.result or "",
        row.obstacles or "",
        row.proposals or "",
        submitted or "",
        on_time,
    ]


class _Sheets:
    """The level sheets of a write-only workbook, made on first use."""

    def __init__(self, workbook: Workbook, t: Translator) -> None:
        self.workbook = workbook
        self.t = t
        self.sheets: dict[int, tuple[WriteOnlyWorksheet, list[int]]] = {}

    def append(self, row: ExportRow) -> None:
        sheet, count = self.sheets.get(row.level) or self._new(row.level)
        count[0] += 1
        values = row_values(self.t, count[0], row, as_text=False)
        cells: list[Any] = list(values)
        for index, number_format in ((_DUE, DATE_FORMAT), (_SUBMITTED, DATETIME_FORMAT)):
            if values[index]:
                cells[index] = WriteOnlyCell(sheet, value=values[index])
                cells[index].number_format = number_format
        for index in _WRAPPED:
            if len(values[index]) > 40:
                cells[index] = WriteOnlyCell(sheet, value=values[index])
                cells[index].alignment = _WRAP
        sheet.append(cells)

    def _new(self, level: int) -> tuple[WriteOnlyWorksheet, list[int]]:
        sheet = self.workbook.create_sheet(self.t("Level {n}").format(n=level + 1))
        _header(sheet, [(self.t(name), width) for name, width in COLUMNS])
        self.sheets[level] = (sheet, [0])
        return self.sheets[level]

    def close(self) -> None:
        for sheet, count in self.sheets.values():
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count[0] + 1}"


def _header(sheet: WriteOnlyWorksheet, columns: Sequence[tuple[str, int]]) -> None:
    """Widths, a frozen bold header row (must come before any row in write-only mode)."""
    for index, (_name, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    cells = []
    for name, _width in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _WRAP
        cells.append(cell)
    sheet.append(cells)


SUMMARY_COLUMNS: tuple[tuple[str, int], ...] = (
    (N_("Level"), 8),
    (N_("Unit"), 34),
    (N_("Number of tasks"), 10),
    *((label, 14) for label in CATEGORY_LABELS.values()),
    (N_("Reports received"), 12),
    (N_("On time"), 10),
    (N_("Late"), 10),
    (N_("Reporting rate"), 12),
    (N_("On-time rate"), 12),
    (N_("With obstacles"), 12),
)


def _percent(sheet: WriteOnlyWorksheet, value: float | None) -> Any:
    if value is None:
        return "—"
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = "0.0%"
    return cell


def _unit_line(sheet: WriteOnlyWorksheet, level: Any, name: Any, counts: UnitCounts) -> list[Any]:
    return [
        level,
        name,
        counts.tasks,
        *(counts.categories[category] for category in Category),
        counts.reports,
        counts.on_time,
        counts.late,
        _percent(sheet, counts.reporting_rate),
        _percent(sheet, counts.on_time_rate),
        counts.with_obstacles,
    ]


def _write_summary(
    workbook: Workbook, t: Translator, summary: Summary, scope: str, now: datetime
) -> None:
    sheet = workbook.create_sheet(t("Summary"))
    _header(sheet, [(t(name), width) for name, width in SUMMARY_COLUMNS])
    total = summary.total
    for counts in summary.units:
        sheet.append(_unit_line(sheet, counts.level + 1, counts.unit, counts))
    bold = WriteOnlyCell(sheet, value=t("Total"))
    bold.font = _HEADER_FONT
    sheet.append(_unit_line(sheet, "", bold, total))
    sheet.append([])
    title = WriteOnlyCell(
        sheet,
        value=t("Progress of the plan's tasks, {period}").format(
            period=summary.period.label(t.locale)
        ),
    )
    title.font = _HEADER_FONT
    sheet.append([None, title])
    facts: list[tuple[str, Any]] = [
        (t("Units"), scope),
        (t("Compiled at"), t.datetime(now)),
        (t("Tasks in this report"), total.tasks),
        *((t(CATEGORY_LABELS[c]), total.categories[c]) for c in Category),
        (t("Tasks already due"), summary.due),
        (t("Completion rate (completed ÷ tasks already due)"), summary.completion_rate),
        (t("Reports received"), total.reports),
        (t("Reporting rate"), total.reporting_rate),
        (t("On-time rate (of reports received)"), total.on_time_rate),
        (t("Reports with obstacles"), total.with_obstacles),
    ]
    for label, value in facts:
        shown = _percent(sheet, value) if isinstance(value, float) or value is None else value
        sheet.append([None, label, shown])
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(SUMMARY_COLUMNS))}{len(summary.units) + 1}"


async def write_xlsx(
    target: str | IO[bytes],
    rows: AsyncIterator[ExportRow],
    summary: Summary,
    t: Translator,
    *,
    scope: str,
    now: datetime,
    progress: Progress | None = None,
    images: Sequence[tuple[str, bytes]] = (),
) -> int:
    """Write the workbook to `target` (a path or a binary stream); the number of task rows.

    `images` are (title, PNG bytes) put on a sheet of their own after the summary (charts).
    """
    workbook = Workbook(write_only=True)
    _write_summary(workbook, t, summary, scope, now)
    _add_images(workbook, images)
    sheets = _Sheets(workbook, t)
    written = await _drain(rows, sheets.append, progress)
    if not sheets.sheets:
        _Sheets(workbook, t)._new(0)
    sheets.close()
    workbook.save(target)
    return written


def _add_images(workbook: Workbook, images: Sequence[tuple[str, bytes]]) -> None:
    for title, png in images:
        sheet = workbook.create_sheet(title[:31])
        sheet.add_image(Image(io.BytesIO(png)), "A1")


async def _drain(
    rows: AsyncIterator[ExportRow], write: Callable[[ExportRow], None], progress: Progress | None
) -> int:
    written = pending = 0
    async for row in rows:
        write(row)
        written += 1
        pending += 1
        if progress and pending >= PROGRESS_STEP:
            progress(pending)
            pending = 0
    if progress and pending:
        progress(pending)
    return written


async def write_csv(
    target: IO[str],
    rows: AsyncIterator[ExportRow],
    t: Translator,
    *,
    progress: Progress | None = None,
) -> int:
    """Write the rows as CSV to a text stream opened with encoding 'utf-8-sig' and newline=''."""
    writer = csv.writer(target)
    writer.writerow([t("Level"), *(t(name) for name, _width in COLUMNS)])
    numbers: dict[int, int] = {}

    def write(row: ExportRow) -> None:
        numbers[row.level] = numbers.get(row.level, 0) + 1
        writer.writerow([row.level + 1, *row_values(t, numbers[row.level], row, as_text=True)])

    return await _drain(rows, write, progress)


async def compile_report(
    session: AsyncSession,
    target: IO[bytes],
    *,
    fmt: str,
    units: Sequence[Unit],
    period: Period,
    now: datetime,
    t: Translator,
    progress: Progress | None = None,
    images: Sequence[tuple[str, bytes]] = (),
    chunk: int = CHUNK,
) -> int:
    """Write the period report of `units` (and the units below them) as `fmt` (xlsx or csv)."""
    today = now.astimezone(t.tz).date()
    tz = str(t.tz)
    rows = iter_rows(session, units, period, today, tz=tz, chunk=chunk)
    if fmt == "csv":
        text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
        try:
            return await write_csv(text, rows, t, progress=progress)
        finally:
            text.detach()
    summary = await summarize(session, units, period, today, tz=tz)
    scope = ", ".join(unit.name for unit in units)
    return await write_xlsx(
        target, rows, summary, t, scope=scope, now=now, progress=progress, images=images
    )
