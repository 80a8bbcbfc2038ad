"""`/export [period] [unit]`: the compiled period report as an XLSX file in the chat.

The office exports every unit (or one it names); a head exports their own unit and the units
below it, never more (a unit outside their subtree is refused).
"""

from __future__ import annotations

import io

from bot.i18n import N_
from handlers.context import Context
from handlers.router import LEADERS, Router
from handlers.types import Attachment, Reply
from reminders.periods import Period
from storage.export import roots
from storage.export_files import compile_report
from storage.models import Role, Unit
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


async def _scope(ctx: Context, code: str | None) -> list[Unit] | None:
    """The units the export covers, None when the person may not export `code`."""
    assert ctx.officer is not None
    own = await ctx.session.get(Unit, ctx.officer.unit_id)
    wanted = await unit_by_code(ctx.session, code) if code else None
    if code and wanted is None:
        return None
    if ctx.role == Role.head:
        assert own is not None
        if wanted is not None and not is_within(wanted, own):
            return None
        return [wanted or own]
    return [wanted] if wanted else await roots(ctx.session, None)


@router.command("export", N_("The period's compiled report as a spreadsheet"), LEADERS)
async def export(ctx: Context, args: str) -> list[Reply]:
    t = ctx.t
    period, code = _parse(args, Period.month_of(ctx.now.astimezone(ctx.settings.tz).date()))
    units = await _scope(ctx, code)
    if units is None:
        return [
            Reply(
                t("You cannot export unit {code}: it is not yours or does not exist.").format(
                    code=code
                )
            )
        ]
    buffer = io.BytesIO()
    written = await compile_report(
        ctx.session, buffer, fmt="xlsx", units=units, period=period, now=ctx.now, t=t
    )
    name = "-".join(["bao-cao", period.key, *(unit.code for unit in units if len(units) == 1)])
    text = t("Compiled report for {period}: {n} tasks.").format(
        period=period.label(t.locale), n=written
    )
    return [Reply(text, attachment=Attachment(f"{name}.xlsx", buffer.getvalue(), XLSX))]
