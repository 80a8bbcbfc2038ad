"""/report: the progress report dialog, from a command or straight from a reminder's button.

task → status → percent → one step per indicator → result → obstacles → proposals → confirm.
The dialog keeps only ids and answers in `DialogState.data`, so it survives a restart; the task,
period and the officer's right to report are checked again when the report is submitted.
"""

from __future__ import annotations

from typing import Any

from bot.i18n import N_, translator
from handlers.context import Answer, Context, Invalid, Question
from handlers.numbers import parse_number, parse_percent
from handlers.router import INVALID_BUTTON, Router, action_token
from handlers.taskview import (
    STATUS_LABELS,
    amount,
    local_today,
    period_label,
    report_state,
    row_id,
    short_title,
    shown,
    task_line,
)
from handlers.types import Reply
from reminders.periods import Period
from storage.models import Indicator, Report, ReportStatus, Task
from storage.reports import (
    Calendars,
    Owed,
    PeriodClosed,
    ReportInput,
    find_report,
    indicator_value,
    indicators,
    is_closed,
    is_reportable,
    may_report,
    my_tasks,
    owed,
    save_report,
)
from storage.review import reviewers_for

router = Router()
dialog = router.dialog("report", "task")

# Indicator steps are numbered ind0…; a task with more indicators reports only the first ones.
MAX_INDICATORS = 20
# Longest narrative answer kept (a summary must still fit one chat message).
MAX_TEXT = 2000
_EMPTY = ("", "-")


async def _open_items(ctx: Context, code: str | None = None) -> list[Owed]:
    """What the officer may report now (own and delegated tasks), optionally for one task code."""
    assert ctx.officer is not None and ctx.officer.id is not None
    today = local_today(ctx)
    tasks = await my_tasks(ctx.session, ctx.officer.id, today)
    if code:
        tasks = [task for task in tasks if task.code.casefold() == code.casefold()]
    return shown(await owed(ctx.session, tasks, today))[0]


async def _check(ctx: Context, task_id: int, period_key: str) -> tuple[Task, Period] | str:
    """The task and period when the officer may report on them now, else why not."""
    _ = ctx.t
    assert ctx.officer is not None and ctx.officer.id is not None
    today = local_today(ctx)
    task = await ctx.session.get(Task, task_id)
    try:
        period = Period.parse(period_key)
    except ValueError:
        return _(INVALID_BUTTON)
    if task is None or not await may_report(ctx.session, ctx.officer.id, task, today):
        return _("This task is not assigned to you. Send /tasks to see yours.")
    if not await is_reportable(Calendars(ctx.session, today), task, period):
        return _("Task {code} does not report for {period}.").format(
            code=task.code, period=period_label(_, period)
        )
    if await is_closed(ctx.session, task, period):
        return _(
            "{period} is closed: reports can no longer be sent or changed. "
            "Contact the standing office if this is wrong."
        ).format(period=period_label(_, period))
    return task, period


async def _begin(ctx: Context, task: Task, period: Period) -> dict[str, Any]:
    ids = [ind.id for ind in await indicators(ctx.session, task.id)]  # type: ignore[arg-type]
    return {"task_id": task.id, "period": period.key, "indicators": ids[:MAX_INDICATORS]}


async def _task(ctx: Context) -> Task:
    task = await ctx.session.get(Task, ctx.state.data["task_id"])
    if task is None:
        raise LookupError("the task of this report dialog was deleted")
    return task


async def _previous(ctx: Context) -> Report | None:
    data = ctx.state.data
    return await find_report(ctx.session, data["task_id"], Period.parse(data["period"]))


@router.command("report", N_("Report progress on a task: /report or /report CODE"))
async def report(ctx: Context, args: str) -> list[Reply]:
    _ = ctx.t
    items = await _open_items(ctx, args or None)
    if not items:
        if args:
            return [
                Reply(
                    _("You have nothing to report now for a task with code {code}.").format(
                        code=args
                    )
                )
            ]
        return [Reply(_("You have nothing to report now. Send /tasks to see your tasks."))]
    if len(items) == 1:
        data = await _begin(ctx, items[0].task, items[0].period)
        return await ctx.start_dialog("report", data, at="status")
    return await ctx.start_dialog("report", {"code": args} if args else {})


@router.action("rp")
async def report_from_button(ctx: Context, args: list[str]) -> list[Reply]:
    """`rp:<task id>:<period>` — a reminder's (or /tasks') button opens the dialog there."""
    task_id = row_id(args[0]) if len(args) == 2 else None
    if task_id is None:
        return [Reply(ctx.t(INVALID_BUTTON))]
    checked = await _check(ctx, task_id, args[1])
    if isinstance(checked, str):
        return [Reply(checked)]
    return await ctx.start_dialog("report", await _begin(ctx, *checked), at="status")


# --- task -----------------------------------------------------------------------------------


async def ask_task(ctx: Context) -> Question:
    _ = ctx.t
    items = await _open_items(ctx, ctx.state.data.get("code"))
    options = tuple(
        (
            f"{item.task.id}@{item.period.key}",
            f"{item.task.code} · {period_label(_, item.period)} — "
            + short_title(item.task.title, 40),
        )
        for item in items
    )
    return Question(_("Which task do you want to report on?"), options=options)


async def answer_task(ctx: Context, answer: Answer) -> str:
    task_text, _sep, period_key = (answer.value or "").partition("@")
    task_id = row_id(task_text)
    checked = await _check(ctx, task_id, period_key) if task_id is not None else None
    if not isinstance(checked, tuple):
        raise Invalid(checked or ctx.t("Please pick one of the options: reply with its number."))
    ctx.state.data = {**ctx.state.data, **await _begin(ctx, *checked)}
    return "status"


# --- status and percent ---------------------------------------------------------------------


async def ask_status(ctx: Context) -> Question:
    _ = ctx.t
    task = await _task(ctx)
    lines = [task_line(task), period_label(_, ctx.state.data["period"]), ""]
    previous = await _previous(ctx)
    if previous is not None:
        lines.append(
            _("Already reported: {state}. Sending again makes a new revision.").format(
                state=report_state(_, previous)
            )
        )
    lines.append(_("What is the status of the task?"))
    options = tuple((status.value, _(label)) for status, label in STATUS_LABELS.items())
    return Question("\n".join(lines), options=options)


def _after_percent(ctx: Context) -> str:
    return "ind0" if ctx.state.data.get("indicators") else "result"


async def answer_status(ctx: Context, answer: Answer) -> str:
    if answer.value not in set(ReportStatus):
        raise Invalid(ctx.t("Please pick one of the options: reply with its number."))
    ctx.state.data = {**ctx.state.data, "status": answer.value}
    if answer.value == ReportStatus.completed:
        # Completed means 100%: nothing to ask.
        ctx.state.data = {**ctx.state.data, "percent": 100}
        return _after_percent(ctx)
    return "percent"


async def ask_percent(ctx: Context) -> Question:
    _ = ctx.t
    text = _("How much of the task is done, in percent? Reply with a number from 0 to 100.")
    previous = await _previous(ctx)
    if previous is not None:
        text += "\n" + _("Last reported: {percent}%").format(percent=previous.percent)
    return Question(text, free_text=True)


async def answer_percent(ctx: Context, answer: Answer) -> str:
    percent = parse_percent(answer.text or "", ctx.t.locale)
    if percent is None:
        raise Invalid(ctx.t("Please reply with a number from 0 to 100, such as 45 or 45%."))
    ctx.state.data = {**ctx.state.data, "percent": percent}
    return _after_percent(ctx)


# --- indicators -----------------------------------------------------------------------------


def _indicator_step(index: int) -> None:
    async def ask(ctx: Context) -> Question:
        _ = ctx.t
        ids = ctx.state.data["indicators"]
        indicator = await ctx.session.get(Indicator, ids[index])
        if indicator is None:
            raise LookupError("an indicator of this report dialog was deleted")
        unit = indicator.unit_of_measure
        lines = [
            _("Indicator {n} of {total}: {name}").format(
                n=index + 1, total=len(ids), name=indicator.name
            ),
            _("Target: {target}").format(target=amount(_, indicator.target, unit)),
        ]
        if indicator.baseline is not None:
            lines.append(_("Baseline: {value}").format(value=amount(_, indicator.baseline, unit)))
        previous = await _previous(ctx)
        if previous is not None:
            last = await indicator_value(ctx.session, previous.id, indicator.id)  # type: ignore[arg-type]
            if last is not None:
                lines.append(_("Last reported: {value}").format(value=amount(_, last, unit)))
        lines.append(_("What value has it reached? Reply with a number."))
        return Question("\n".join(lines), free_text=True)

    async def answer(ctx: Context, answer: Answer) -> str:
        value = parse_number(answer.text or "", ctx.t.locale)
        if value is None:
            raise Invalid(ctx.t("Please reply with a number, such as 12 or 12,5."))
        ids = ctx.state.data["indicators"]
        values = {**ctx.state.data.get("values", {}), str(ids[index]): value}
        ctx.state.data = {**ctx.state.data, "values": values}
        return f"ind{index + 1}" if index + 1 < len(ids) else "result"

    Router.step(dialog, f"ind{index}", ask=ask, answer=answer)


for _index in range(MAX_INDICATORS):
    _indicator_step(_index)


# --- narrative ------------------------------------------------------------------------------


def _text(answer: Answer) -> str | None:
    text = (answer.text or "").strip()
    return None if text in _EMPTY else text


def _checked_text(ctx: Context, answer: Answer) -> str | None:
    text = _text(answer)
    if text is not None and len(text) > MAX_TEXT:
        raise Invalid(
            ctx.t("Please keep it under {n} characters (you sent {m}).").format(
                n=MAX_TEXT, m=len(text)
            )
        )
    return text


async def ask_result(ctx: Context) -> Question:
    return Question(ctx.t("What was achieved in this period? Describe the result."), free_text=True)


async def answer_result(ctx: Context, answer: Answer) -> str:
    text = _checked_text(ctx, answer)
    if text is None:
        raise Invalid(ctx.t("Please describe the result in a few words."))
    ctx.state.data = {**ctx.state.data, "result": text}
    return "obstacles"


async def ask_obstacles(ctx: Context) -> Question:
    return Question(ctx.t("Any difficulties or obstacles?"), free_text=True)


async def answer_obstacles(ctx: Context, answer: Answer) -> str:
    text = _checked_text(ctx, answer)
    if text is None and ctx.state.data.get("status") == ReportStatus.blocked:
        raise Invalid(ctx.t("The task is blocked: please describe the obstacle."))
    ctx.state.data = {**ctx.state.data, "obstacles": text}
    return "proposals"


async def ask_proposals(ctx: Context) -> Question:
    return Question(ctx.t("Any proposals or requests to the leadership?"), free_text=True)


async def answer_proposals(ctx: Context, answer: Answer) -> str:
    ctx.state.data = {**ctx.state.data, "proposals": _checked_text(ctx, answer)}
    return "confirm"


# --- summary and submission -----------------------------------------------------------------


async def summary(ctx: Context, task: Task) -> list[str]:
    _ = ctx.t
    data = ctx.state.data
    lines = [
        task_line(task),
        period_label(_, data["period"]),
        _("Status: {status}").format(status=_(STATUS_LABELS[ReportStatus(data["status"])])),
        _("Done: {percent}%").format(percent=data["percent"]),
    ]
    values = data.get("values", {})
    for indicator_id in data.get("indicators", []):
        indicator = await ctx.session.get(Indicator, indicator_id)
        if indicator is not None and str(indicator_id) in values:
            unit = indicator.unit_of_measure
            lines.append(
                _("{name}: {value} (target {target})").format(
                    name=short_title(indicator.name, 50),
                    value=amount(_, values[str(indicator_id)], unit),
                    target=amount(_, indicator.target, unit),
                )
            )
    for label, key in (
        (N_("Result: {text}"), "result"),
        (N_("Obstacles: {text}"), "obstacles"),
        (N_("Proposals: {text}"), "proposals"),
    ):
        lines.append(_(label).format(text=short_title(data.get(key) or "—", 300)))
    return lines


async def ask_confirm(ctx: Context) -> Question:
    _ = ctx.t
    lines = [_("Please check your report:"), "", *await summary(ctx, await _task(ctx))]
    previous = await _previous(ctx)
    if previous is not None:
        lines += [
            "",
            _("This replaces your report already sent for this period (revision {n}).").format(
                n=previous.revision + 1
            ),
        ]
    return Question("\n".join(lines), options=(("submit", _("✓ Send the report")),))


async def answer_confirm(ctx: Context, answer: Answer) -> list[Reply]:
    _ = ctx.t
    assert ctx.officer is not None
    if answer.value != "submit":
        raise Invalid(_("Please pick one of the options: reply with its number."))
    data = ctx.state.data
    checked = await _check(ctx, data["task_id"], data["period"])
    if isinstance(checked, str):
        return [Reply(checked), Reply(_("Nothing was saved."))]
    task, period = checked
    answers = ReportInput(
        status=ReportStatus(data["status"]),
        percent=data["percent"],
        result=data["result"],
        obstacles=data.get("obstacles"),
        proposals=data.get("proposals"),
        values={int(key): value for key, value in data.get("values", {}).items()},
    )
    try:
        saved = await save_report(
            ctx.session,
            task=task,
            period=period,
            officer=ctx.officer,
            answers=answers,
            now=ctx.now,
        )
    except PeriodClosed:
        return [Reply(_("This period has just been closed. Nothing was saved."))]
    lines = [
        (
            _("Report received: {code}, {period}.")
            if saved.revision == 1
            else _("Report updated: {code}, {period} — revision {n}.")
        ).format(code=task.code, period=period_label(_, period), n=saved.revision)
    ]
    if not saved.on_time:
        lines.append(_("It was sent after the deadline and is recorded as late."))
    if answers.status is ReportStatus.completed:
        await _ask_for_review(ctx, task, period, saved)
        lines.append(_("The head of the presiding unit will confirm the completion."))
    return [Reply("\n".join(lines))]


async def _ask_for_review(ctx: Context, task: Task, period: Period, report: Report) -> None:
    """Tell the head(s) of the presiding unit a completion awaits them, with the two buttons."""
    assert ctx.officer is not None
    for head in await reviewers_for(ctx.session, task):
        t = translator(head.locale, ctx.settings.timezone)
        ctx.notify(
            head.id,  # type: ignore[arg-type]
            t("{name} reports task {code} completed ({period}):\n{title}\n{result}").format(
                name=ctx.officer.full_name,
                code=task.code,
                period=period_label(t, period),
                title=short_title(task.title),
                result=short_title(report.result or "", 300),
            )
            + "\n"
            + t("Please confirm it, or return it with a comment."),
            kind="review",
            key=f"{report.id}:{report.revision}:{head.id}",
            choices=[
                [action_token("rvc", report.id, report.revision), t("✓ Confirm")],
                [action_token("rvr", report.id, report.revision), t("↩ Return")],
            ],
            task_id=task.id,
            period=period.key,
        )


Router.step(dialog, "task", ask=ask_task, answer=answer_task)
Router.step(dialog, "status", ask=ask_status, answer=answer_status)
Router.step(dialog, "percent", ask=ask_percent, answer=answer_percent)
Router.step(dialog, "result", ask=ask_result, answer=answer_result)
Router.step(dialog, "obstacles", ask=ask_obstacles, answer=answer_obstacles, optional=True)
Router.step(dialog, "proposals", ask=ask_proposals, answer=answer_proposals, optional=True)
Router.step(dialog, "confirm", ask=ask_confirm, answer=answer_confirm)
