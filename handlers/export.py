"""`/export [period] [unit]`: the compiled period report as an XLSX file in the chat.

Scoped like `/status`: a head exports their own unit and the units below it, the office its
province; a unit named outside that scope is refused. The workbook carries the `/status` chart.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import N_, Translator
from handlers.context import Context
from handlers.router import LEADERS, Router
from handlers.status import _chart as status_chart_png
from handlers.status import scope_of
from handlers.types import Attachment, Reply
from reminders.periods import Period
from storage.export_files import compile_report
from storage.models import Unit
from storage.status import unit_status
from storage.units import is_within, unit_by_code

router = Router()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _parse(args: str, default: Period) -> tuple[Period, str | None]:
    """'2025-05 SKHCN' → (May 2025, 'SKHCN'); either part may be left out."""
    period, unit = default, None
    for word in args.split():
        try:
            period = Period.parse(word)
        except ValueError:
            unit = word
    return period, unit


async def _scope(ctx: Context, code: str | None) -> Unit | None:
    """The unit the export covers (as `/status` scopes it), None when `code` is outside it."""
    scope = await scope_of(ctx)
    if not code:
        return scope
    wanted = await unit_by_code(ctx.session, code)
    return wanted if wanted is not None and is_within(wanted, scope) else None


async def status_charts(
    session: AsyncSession, t: Translator, units: Sequence[Unit], now: datetime
) -> list[tuple[str, bytes]]:
    """The `/status` chart of each exported unit, as of `now`, for the workbook's chart sheets."""
    today = now.astimezone(t.tz).date()
    charts = []
    for unit in units:
        result = await unit_status(session, unit, today, Period.month_of(today), tz=str(t.tz))
        title = t("Chart {code}").format(code=unit.code)
        charts.append((title, await status_chart_png(session, t, result, today)))
    return charts


@router.command("export", N_("The period's compiled report as a spreadsheet"), LEADERS)
async def export(ctx: Context, args: str) -> list[Reply]:
    t = ctx.t
    period, code = _parse(args, Period.month_of(ctx.now.astimezone(ctx.settings.tz).date()))
    unit = await _scope(ctx, code)
    if unit is None:
        return [
            Reply(
                t("You cannot export unit {code}: it is not yours or does not exist.").format(
                    code=code
                )
            )
        ]
    buffer = io.BytesIO()
    charts = await status_charts(ctx.session, t, [unit], ctx.now)
    written = await compile_report(
        ctx.session, buffer, fmt="xlsx", units=[unit], period=period, now=ctx.now, t=t,
        images=charts,
    )  # fmt: skip
    name = f"bao-cao-{period.key}-{unit.code}"
    text = t("Compiled report for {period}: {n} tasks.").format(
        period=period.label(t.locale), n=written
    )
    return [Reply(text, attachment=Attachment(f"{name}.xlsx", buffer.getvalue(), XLSX))]
