"""/review: heads confirm completed tasks, or return them to the officer with a comment.

The buttons carry the report id and revision, so a button for a report that has since been
revised or reviewed does nothing; each press checks the reviewer's unit scope again.
"""

from __future__ import annotations

from bot.i18n import N_, translator
from handlers.context import Answer, Context, Invalid, Question
from handlers.router import INVALID_BUTTON, LEADERS, Router, action_token
from handlers.taskview import period_label, row_id, short_title, task_line
from handlers.types import Choice, Reply
from storage.models import Officer, Report, ReviewState, Task
from storage.review import awaiting_review, confirm, may_review, return_report

router = Router()
dialog = router.dialog("review_return", "comment")

PAGE = 10


@router.command("review", N_("Confirm or return reports of completed tasks"), LEADERS)
async def review(ctx: Context, args: str) -> list[Reply]:
    _ = ctx.t
    assert ctx.officer is not None
    rows, total = await awaiting_review(ctx.session, ctx.officer, PAGE)
    if not rows:
        return [Reply(_("No report awaits your confirmation."))]
    lines = [
        _.ngettext(
            "{n} completed task awaits your confirmation:",
            "{n} completed tasks await your confirmation:",
            total,
        ).format(n=total)
    ]
    choices: list[Choice] = []
    for index, (report, task, submitter) in enumerate(rows, 1):
        lines += [
            "",
            f"{index}. {task_line(task)}",
            f"   {period_label(_, report.period)} · {submitter.full_name} · "
            f"{_.datetime(report.submitted_at)}",
            f"   {short_title(report.result or '—', 200)}",
        ]
        choices += [
            Choice(
                action_token("rvc", report.id, report.revision),
                _("✓ Confirm {code}").format(code=task.code),
            ),
            Choice(
                action_token("rvr", report.id, report.revision),
                _("↩ Return {code}").format(code=task.code),
            ),
        ]
    if total > len(rows):
        lines += ["", _("… and {n} more after these.").format(n=total - len(rows))]
    if not ctx.in_dialog:
        ctx.state.choices = [[c.token, c.label] for c in choices]
    return [Reply("\n".join(lines), choices=tuple(choices))]


async def _pending(ctx: Context, report_id: object, revision: object) -> tuple[Report, Task] | str:
    """The report when it still awaits this reviewer at this revision, else why not (a msgid)."""
    if ctx.officer is None or ctx.role not in LEADERS:
        return INVALID_BUTTON
    report_number, revision_number = row_id(report_id), row_id(revision)
    if report_number is None or revision_number is None:
        return INVALID_BUTTON
    report = await ctx.session.get(Report, report_number)
    task = await ctx.session.get(Task, report.task_id) if report else None
    if report is None or task is None or not await may_review(ctx.session, ctx.officer, task):
        return INVALID_BUTTON
    if report.revision != revision_number or report.review_state != ReviewState.pending:
        return N_(
            "This report has changed or was already reviewed. Send /review to see what awaits."
        )
    return report, task


async def _notify(ctx: Context, report: Report, task: Task, comment: str | None) -> None:
    """The submitter and the assigned officer learn the head's decision, in their language."""
    assert ctx.officer is not None
    for officer_id in dict.fromkeys(x for x in (report.submitted_by_id, task.officer_id) if x):
        officer = await ctx.session.get(Officer, officer_id)
        if officer is None:
            continue
        t = translator(officer.locale, ctx.settings.timezone)
        period = period_label(t, report.period)
        if comment is None:
            text = t("{head} confirmed the completion of {code} ({period}).")
            choices = None
        else:
            text = (
                t("{head} returned your report on {code} ({period}):\n{comment}")
                + "\n"
                + t("The task is back in progress. Revise the report when it is done.")
            )
            choices = [
                [
                    action_token("rp", task.id, report.period),
                    t("Revise {code} · {period}").format(code=task.code, period=period),
                ]
            ]
        ctx.notify(
            officer_id,
            text.format(head=ctx.officer.full_name, code=task.code, period=period, comment=comment),
            kind="review_result",
            key=f"{report.id}:{report.revision}:{report.review_state}:{officer_id}",
            choices=choices,
            task_id=task.id,
            period=report.period,
        )


@router.action("rvc")
async def confirm_button(ctx: Context, args: list[str]) -> list[Reply]:
    """`rvc:<report id>:<revision>` — confirm a completion."""
    checked = await _pending(ctx, *args) if len(args) == 2 else INVALID_BUTTON
    if isinstance(checked, str):
        return [Reply(ctx.t(checked))]
    report, task = checked
    assert ctx.officer is not None
    await confirm(ctx.session, report, ctx.officer, ctx.now)
    await _notify(ctx, report, task, None)
    return [
        Reply(
            ctx.t("Confirmed: {code}, {period}.").format(
                code=task.code, period=period_label(ctx.t, report.period)
            )
        )
    ]


@router.action("rvr")
async def return_button(ctx: Context, args: list[str]) -> list[Reply]:
    """`rvr:<report id>:<revision>` — ask for a comment, then return the report."""
    checked = await _pending(ctx, *args) if len(args) == 2 else INVALID_BUTTON
    if isinstance(checked, str):
        return [Reply(ctx.t(checked))]
    report, _task = checked
    data = {"report_id": report.id, "revision": report.revision}
    return await ctx.start_dialog("review_return", data)


async def ask_comment(ctx: Context) -> Question:
    _ = ctx.t
    report = await ctx.session.get(Report, ctx.state.data["report_id"])
    task = await ctx.session.get(Task, report.task_id) if report else None
    if report is None or task is None:
        raise LookupError("the report under review was deleted")
    return Question(
        _("Why do you return {code} ({period})? Your comment goes to the officer.").format(
            code=task.code, period=period_label(_, report.period)
        ),
        free_text=True,
    )


async def answer_comment(ctx: Context, answer: Answer) -> list[Reply]:
    _ = ctx.t
    comment = (answer.text or "").strip()
    if len(comment) < 3:
        raise Invalid(_("Please write a short comment for the officer."))
    if len(comment) > 1000:
        raise Invalid(_("Please keep the comment under 1000 characters."))
    checked = await _pending(ctx, ctx.state.data["report_id"], ctx.state.data["revision"])
    if isinstance(checked, str):
        return [Reply(_(checked))]
    report, task = checked
    assert ctx.officer is not None
    await return_report(ctx.session, report, ctx.officer, comment, ctx.now)
    await _notify(ctx, report, task, comment)
    return [
        Reply(
            _("Returned: {code}, {period}. The officer has your comment.").format(
                code=task.code, period=period_label(_, report.period)
            )
        )
    ]


Router.step(dialog, "comment", ask=ask_comment, answer=answer_comment)
