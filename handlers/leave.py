"""`/leave`: an officer records leave (no reminders then), names a delegate, or cancels leave."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import exists, select

from bot.i18n import N_, Translator, translator
from handlers.context import Answer, Context, Invalid, Question
from handlers.router import INVALID_BUTTON, Router, action_token
from handlers.types import Choice, Reply
from reminders.calendar import parse_day
from storage.leave import LeaveError, add_leave, cancel_leave, upcoming_leave
from storage.models import ChatIdentity, Leave, Officer

router = Router()
dialog = router.dialog("leave", "start")

MAX_DAYS = 366
NO_DELEGATE = "none"
DELEGATE_NOTICE = N_(
    "{name} is on leave {span} and named you delegate: you will receive their reminders and may "
    "report on their tasks."
)


def _today(ctx: Context) -> date:
    return ctx.now.astimezone(ctx.settings.tz).date()


def _span(t: Translator, leave: Leave) -> str:
    if leave.start_date == leave.end_date:
        return t.date(leave.start_date)
    return f"{t.date(leave.start_date)} – {t.date(leave.end_date)}"


async def _colleagues(ctx: Context) -> list[Officer]:
    """Who may stand in: active, enrolled officers of the same unit (not oneself)."""
    assert ctx.officer is not None
    enrolled = exists().where(ChatIdentity.officer_id == Officer.id)
    query = (
        select(Officer)
        .where(
            Officer.unit_id == ctx.officer.unit_id,
            Officer.id != ctx.officer.id,
            Officer.active.is_(True),  # type: ignore[attr-defined]
            enrolled,
        )
        .order_by(Officer.full_name)
        .limit(30)
    )
    return list((await ctx.session.exec(query)).scalars().all())


@router.command("leave", N_("Record your leave (no reminders), or cancel it"))
async def leave(ctx: Context, args: str) -> list[Reply]:
    """Upcoming leave with a Cancel button each and "Add leave"; straight to the dialog if none."""
    t = ctx.t
    assert ctx.officer is not None and ctx.officer.id is not None
    upcoming = await upcoming_leave(ctx.session, ctx.officer.id, _today(ctx))
    if not upcoming:
        return await ctx.start_dialog("leave")
    delegates = {
        officer.id: officer.full_name
        for officer in await _officers(ctx, [item.delegate_id for item in upcoming])
    }
    lines = [t("Your leave:")]
    for item in upcoming:
        line = f"• {_span(ctx.t, item)}"
        if item.delegate_id in delegates:
            line += " — " + t("delegate: {name}").format(name=delegates[item.delegate_id])
        lines.append(line)
    cancel = t("Cancel {span}")
    choices = [
        Choice(action_token("leave_cancel", item.id), cancel.format(span=_span(t, item)))
        for item in upcoming
    ]
    choices.append(Choice(action_token("leave_new"), t("Add leave")))
    ctx.state.choices = [[choice.token, choice.label] for choice in choices]
    return [Reply("\n".join(lines), choices=tuple(choices))]


async def _officers(ctx: Context, ids: list[int | None]) -> list[Officer]:
    wanted = {officer_id for officer_id in ids if officer_id is not None}
    if not wanted:
        return []
    query = select(Officer).where(Officer.id.in_(wanted))  # type: ignore[union-attr]
    return list((await ctx.session.exec(query)).scalars().all())


@router.action("leave_new")
async def leave_new(ctx: Context, args: list[str]) -> list[Reply]:
    return await ctx.start_dialog("leave")


@router.action("leave_cancel")
async def leave_cancel(ctx: Context, args: list[str]) -> list[Reply]:
    t = ctx.t
    assert ctx.officer is not None
    item = await ctx.session.get(Leave, int(args[0])) if args and args[0].isdigit() else None
    if item is None or item.officer_id != ctx.officer.id or item.end_date < _today(ctx):
        return [Reply(t(INVALID_BUTTON))]
    span = _span(ctx.t, item)
    await cancel_leave(
        ctx.session,
        item,
        actor=f"officer:{ctx.officer.code}",
        actor_officer=ctx.officer,
        now=ctx.now,
        today=_today(ctx),
    )
    ctx.state.choices = []
    return [Reply(t("Leave {span} cancelled: reminders resume on those days.").format(span=span))]


# --- the dialog ---------------------------------------------------------------------------


async def ask_start(ctx: Context) -> Question:
    t = ctx.t
    question = t("First day of your leave? Write it as dd/mm or dd/mm/yyyy (today is {today}).")
    return Question(question.format(today=t.date(_today(ctx))), free_text=True)


def _parse(ctx: Context, answer: Answer) -> date:
    try:
        return parse_day(answer.text or "", _today(ctx))
    except ValueError as error:
        raise Invalid(ctx.t("Please write a date as dd/mm or dd/mm/yyyy, e.g. 24/11.")) from error


async def answer_start(ctx: Context, answer: Answer) -> str:
    start = _parse(ctx, answer)
    if start < _today(ctx):
        raise Invalid(ctx.t("That day has passed. Give today or a later day."))
    ctx.state.data = {**ctx.state.data, "start": start.isoformat()}
    return "end"


async def ask_end(ctx: Context) -> Question:
    return Question(ctx.t("Last day of your leave (dd/mm)?"), free_text=True)


async def answer_end(ctx: Context, answer: Answer) -> str:
    t = ctx.t
    assert ctx.officer is not None and ctx.officer.id is not None
    start = date.fromisoformat(ctx.state.data["start"])
    end = _parse(ctx, answer)
    if end < start:
        raise Invalid(t("The last day is before the first ({start}).").format(start=t.date(start)))
    if end - start >= timedelta(days=MAX_DAYS):
        raise Invalid(t("Leave can be at most a year; ask the standing office for longer."))
    for other in await upcoming_leave(ctx.session, ctx.officer.id, _today(ctx)):
        if other.start_date <= end and other.end_date >= start:
            raise Invalid(
                t("This overlaps your leave {span}; cancel that one first with /leave.").format(
                    span=_span(ctx.t, other)
                )
            )
    ctx.state.data = {**ctx.state.data, "end": end.isoformat()}
    return "delegate" if await _colleagues(ctx) else "confirm"


async def ask_delegate(ctx: Context) -> Question:
    t = ctx.t
    options = [(str(officer.id), officer.full_name) for officer in await _colleagues(ctx)]
    options.append((NO_DELEGATE, t("No delegate")))
    return Question(
        t("Who should receive your reminders and may report for you while you are away?"),
        options=tuple(options),
    )


async def answer_delegate(ctx: Context, answer: Answer) -> str:
    value = answer.value or NO_DELEGATE
    allowed = {str(officer.id) for officer in await _colleagues(ctx)}
    if value != NO_DELEGATE and value not in allowed:
        raise Invalid(ctx.t("Please pick one of the options: reply with its number."))
    ctx.state.data = {**ctx.state.data, "delegate": None if value == NO_DELEGATE else int(value)}
    return "confirm"


async def ask_confirm(ctx: Context) -> Question:
    t = ctx.t
    data = ctx.state.data
    start, end = date.fromisoformat(data["start"]), date.fromisoformat(data["end"])
    lines = [t("Leave from {start} to {end}.").format(start=t.date(start), end=t.date(end))]
    delegate = await ctx.session.get(Officer, data["delegate"]) if data.get("delegate") else None
    if delegate is not None:
        lines.append(t("Delegate: {name}.").format(name=delegate.full_name))
    else:
        lines.append(t("No delegate: your reminders wait until you are back."))
    return Question("\n".join(lines), options=(("save", t("Save")),))


async def answer_confirm(ctx: Context, answer: Answer) -> list[Reply]:
    t = ctx.t
    officer = ctx.officer
    assert officer is not None
    data = ctx.state.data
    delegate = await ctx.session.get(Officer, data["delegate"]) if data.get("delegate") else None
    try:
        saved = await add_leave(
            ctx.session,
            officer,
            date.fromisoformat(data["start"]),
            date.fromisoformat(data["end"]),
            delegate=delegate,
            actor=f"officer:{officer.code}",
            actor_officer=officer,
            now=ctx.now,
            today=_today(ctx),
        )
    except LeaveError as error:
        return [Reply(t(str(error)))]
    if delegate is not None and delegate.id is not None:
        theirs = translator(delegate.locale, ctx.settings.timezone)
        ctx.notify(
            delegate.id,
            theirs(DELEGATE_NOTICE).format(name=officer.full_name, span=_span(theirs, saved)),
            kind="leave_delegate",
            key=str(saved.id),
        )
    return [
        Reply(
            t(
                "Saved: no reminders during your leave {span}. Send /leave to see or cancel it."
            ).format(span=_span(t, saved))
        )
    ]


Router.step(dialog, "start", ask=ask_start, answer=answer_start)
Router.step(dialog, "end", ask=ask_end, answer=answer_end)
Router.step(dialog, "delegate", ask=ask_delegate, answer=answer_delegate)
Router.step(dialog, "confirm", ask=ask_confirm, answer=answer_confirm)
