"""/tasks: my tasks (and those I cover during a colleague's leave), due dates, what is due now."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from bot.i18n import N_
from handlers.context import Context
from handlers.router import Router
from handlers.taskview import (
    local_today,
    period_label,
    report_button,
    report_state,
    shown,
    task_line,
)
from handlers.types import Reply
from storage.models import Officer
from storage.reports import Owed, my_tasks, owed

router = Router()


@router.command("tasks", N_("Your tasks and what is due now"))
async def tasks(ctx: Context, args: str) -> list[Reply]:
    _ = ctx.t
    assert ctx.officer is not None and ctx.officer.id is not None
    today = local_today(ctx)
    mine = await my_tasks(ctx.session, ctx.officer.id, today)
    if not mine:
        return [Reply(_("You have no tasks assigned to you."))]
    items, hidden = shown(await owed(ctx.session, mine, today))
    due: dict[int, list[Owed]] = defaultdict(list)
    for item in items:
        due[item.task.id].append(item)  # type: ignore[index]
    covered = {t.officer_id for t in mine} - {ctx.officer.id}
    names = {}
    if covered:
        rows = await ctx.session.exec(
            select(Officer.id, Officer.full_name).where(Officer.id.in_(covered))
        )  # type: ignore[union-attr]
        names = dict(rows.all())
    lines = [_("Your tasks:")]
    for task in mine:
        lines.append("")
        lines.append(f"• {task_line(task)}")
        lines.append("  " + _("Due: {date}").format(date=_.date(task.due_date)))
        if task.officer_id in names:
            lines.append(
                "  " + _("Covering for {name} (on leave)").format(name=names[task.officer_id])
            )
        for item in due.get(task.id, []):  # type: ignore[arg-type]
            if item.report is None and item.deadline < today:
                state = _("not reported, overdue (deadline {date})").format(
                    date=_.date(item.deadline)
                )
            elif item.report is None:
                state = _("not reported yet, deadline {date}").format(date=_.date(item.deadline))
            else:
                state = _("reported: {state}").format(state=report_state(_, item.report))
            lines.append(f"  {period_label(_, item.period)}: {state}")
        if hidden[task.id]:  # type: ignore[index]
            more = _.ngettext(
                "and {n} earlier period not reported",
                "and {n} earlier periods not reported",
                hidden[task.id],  # type: ignore[index]
            )
            lines.append("  " + more.format(n=hidden[task.id]))  # type: ignore[index]
        if not due.get(task.id):  # type: ignore[arg-type]
            lines.append("  " + _("Nothing to report now."))
    choices = tuple(report_button(_, item) for items in due.values() for item in items)
    if not ctx.in_dialog:
        # Outside a dialog a typed number picks one of these buttons (numbered channels).
        ctx.state.choices = [[c.token, c.label] for c in choices]
    return [Reply("\n".join(lines), choices=choices)]
