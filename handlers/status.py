"""`/status`: a head's view of their unit and every unit below it, with a chart, drill-down
buttons into child units and `/status CODE`; the office and admins see the whole province."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.charts import render_status_chart
from bot.i18n import N_, Translator
from handlers.context import Context
from handlers.router import INVALID_BUTTON, LEADERS, Router, action_token
from handlers.types import Attachment, Choice, Reply
from reminders.periods import Period
from storage.models import Role, Unit
from storage.status import (
    CATEGORY_LABELS,
    Category,
    ReportItem,
    UnitStatus,
    reporting_rates,
    unit_status,
)
from storage.units import is_within, unit_by_code

router = Router()
T = TypeVar("T")

ACTION = "status"
# Items listed per section (the counts are always complete); buttons per message.
SHOWN = 10
MAX_BUTTONS = 50
CHART_MONTHS = 6
SNIPPET = 80


async def scope_of(ctx: Context) -> Unit:
    """The unit a leader sees with everything below it: a head's own unit; the office's and
    admins' province (the root of their unit's branch)."""
    assert ctx.officer is not None
    unit = await ctx.session.get(Unit, ctx.officer.unit_id)
    assert unit is not None
    if ctx.role is Role.head:
        return unit
    root = await ctx.session.get(Unit, int(unit.path.strip("/").split("/")[0]))
    return root or unit


@router.command("status", N_("Progress of your unit and the units below it"), LEADERS)
async def status(ctx: Context, args: str) -> list[Reply]:
    scope = await scope_of(ctx)
    code = args.strip()
    if not code:
        return await show(ctx, scope, scope)
    unit = await unit_by_code(ctx.session, code)
    if unit is None or not is_within(unit, scope):
        return [
            Reply(
                ctx.t("No unit {code} among the units you can see. Send /status for yours.").format(
                    code=code
                )
            )
        ]
    return await show(ctx, unit, scope)


@router.action(ACTION)
async def drill_down(ctx: Context, args: list[str]) -> list[Reply]:
    """A child unit's button; the unit id is checked against what this person may see."""
    if ctx.role not in LEADERS or len(args) != 1 or not args[0].isdigit():
        return [Reply(ctx.t(INVALID_BUTTON))]
    scope = await scope_of(ctx)
    unit = await ctx.session.get(Unit, int(args[0]))
    if unit is None or not is_within(unit, scope):
        return [Reply(ctx.t("You can only see your own unit and the units below it."))]
    return await show(ctx, unit, scope)


async def show(ctx: Context, unit: Unit, scope: Unit) -> list[Reply]:
    """The chart, then the numbers with a button per child unit (and one back up)."""
    t = ctx.t
    today = ctx.now.astimezone(ctx.settings.tz).date()
    month = Period.month_of(today)
    result = await unit_status(
        ctx.session, unit, today, month, tz=ctx.settings.timezone, limit=SHOWN
    )
    chart = await _chart(ctx.session, t, result, today)
    title = t("Status of {unit} on {date}").format(unit=unit.name, date=t.date(today))
    return [
        Reply(title, attachment=Attachment(f"status-{unit.code}-{today}.png", chart, "image/png")),
        Reply(format_status(t, result), choices=await _buttons(ctx, result, scope)),
    ]


async def _chart(session: AsyncSession, t: Translator, result: UnitStatus, today: date) -> bytes:
    months = [result.period]
    while len(months) < CHART_MONTHS:
        months.insert(0, months[0].previous())
    earlier = await reporting_rates(session, result.unit, months[:-1])
    rates = [*earlier, (result.period, result.tally.reporting_rate)]
    labels = [(f"{p.number:02d}/{p.year}", rate) for p, rate in rates]
    title = f"{result.unit.name} — {t.date(today)}"
    return await render_status_chart(t, title, result.tally, labels)


async def _buttons(ctx: Context, result: UnitStatus, scope: Unit) -> tuple[Choice, ...]:
    t = ctx.t
    choices = [
        Choice(
            action_token(ACTION, row.unit.id),
            f"{row.unit.name} — {_rate(t, row.tally.completion_rate)}",
        )
        for row in result.children[:MAX_BUTTONS]
    ]
    unit = result.unit
    if unit.id != scope.id and unit.parent_id is not None:
        parent = await ctx.session.get(Unit, unit.parent_id)
        if parent is not None:
            choices.append(Choice(action_token(ACTION, parent.id), f"⬆ {parent.name}"))
    return tuple(choices)


def _rate(t: Translator, rate: float | None) -> str:
    return t.percent(rate) if rate is not None else "—"


def format_status(t: Translator, result: UnitStatus) -> str:
    """The status as text for a phone: counts, rates, then what needs the leader's attention."""
    tally = result.tally
    lines = [
        t("Status of {unit} on {date}").format(unit=result.unit.name, date=t.date(result.today)),
        t.ngettext("{n} task", "{n} tasks", tally.total).format(n=t.number(tally.total)),
    ]
    lines += [f"• {t(CATEGORY_LABELS[c])}: {t.number(tally.counts[c])}" for c in Category]
    if tally.due:
        lines.append(
            t("Completion rate: {rate} ({done} of {due} tasks already due)").format(
                rate=_rate(t, tally.completion_rate), done=tally.completed_due, due=tally.due
            )
        )
    else:
        lines.append(t("Completion rate: no task is due yet"))
    period = result.period.label(t.locale)
    if tally.reports_expected:
        lines.append(
            t("Reporting rate for {period}: {rate} ({got} of {owed} reports in)").format(
                period=period,
                rate=_rate(t, tally.reporting_rate),
                got=tally.reports_in,
                owed=tally.reports_expected,
            )
        )
    else:
        lines.append(t("Reporting rate for {period}: no report is due").format(period=period))
    lines += _overdue(t, result)
    lines += _section(
        t,
        t("Open obstacles ({n}):"),
        result.obstacles,
        tally.open_obstacles,
        lambda item: f"{_item(t, item)}: {_snippet(item.text)}",
    )
    lines += _section(
        t,
        t("Completions awaiting confirmation ({n}):"),
        result.awaiting,
        tally.awaiting_confirmation,
        lambda item: _item(t, item),
    )
    if result.children:
        lines += ["", t("Units below — choose one for details:")]
    return "\n".join(lines)


def _overdue(t: Translator, result: UnitStatus) -> list[str]:
    return _section(
        t,
        t("Overdue tasks ({n}):"),
        result.overdue,
        result.tally.counts[Category.open_overdue],
        lambda task: t("{code} {title} — due {date}; {officer}, {unit}").format(
            code=task.code,
            title=_snippet(task.title),
            date=t.date(task.due_date),
            officer=task.officer_name or t("no officer assigned"),
            unit=task.unit_name,
        ),
    )


def _item(t: Translator, item: ReportItem) -> str:
    period = Period.parse(item.period).label(t.locale)
    who = item.officer_name or t("no officer assigned")
    return f"{item.task_code}, {period} — {who}"


def _section(
    t: Translator, heading: str, items: Sequence[T], total: int, line: Callable[[T], str]
) -> list[str]:
    """A heading with the total, the items carried, and how many more there are."""
    if not total:
        return []
    lines = ["", heading.format(n=total), *(f"• {line(item)}" for item in items)]
    if total > len(items):
        lines.append(t("…and {n} more").format(n=total - len(items)))
    return lines


def _snippet(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"
