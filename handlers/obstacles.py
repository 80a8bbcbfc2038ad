"""`/obstacles`: the office's queue of open obstacles and proposals, answered to the officer."""

from __future__ import annotations

from bot.i18n import N_, Translator, translator
from handlers.context import Answer, Context, Invalid, Question
from handlers.router import INVALID_BUTTON, OFFICE, Router, action_token
from handlers.types import Choice, Reply
from storage.models import Officer
from storage.obstacles import OpenItem, mark_handled, open_item, open_page

router = Router()
dialog = router.dialog("obstacle_reply", "reply")

PAGE = 5
ANSWER_ACTION = "obst"
PAGE_ACTION = "obstp"
MAX_REPLY = 1500


def _clip(text: str | None, size: int = 300) -> str:
    text = (text or "").strip()
    return text if len(text) <= size else text[: size - 1] + "…"


def _item_text(t: Translator, item: OpenItem) -> str:
    lines = [
        f"{item.task_code} · {item.period} · {item.unit_name}",
        _clip(item.task_title, 120),
        t("Reported by {name}, {when}").format(
            name=item.officer_name, when=t.datetime(item.submitted_at)
        ),
    ]
    if item.obstacles:
        lines.append(t("Obstacles: {text}").format(text=_clip(item.obstacles)))
    if item.proposals:
        lines.append(t("Proposals: {text}").format(text=_clip(item.proposals)))
    return "\n".join(lines)


def _refused(ctx: Context) -> list[Reply] | None:
    if ctx.role in OFFICE:
        return None
    return [Reply(ctx.t(INVALID_BUTTON))]


async def _page(ctx: Context, offset: int) -> list[Reply]:
    t = ctx.t
    items, total = await open_page(ctx.session, offset=offset, limit=PAGE)
    if total == 0:
        return [Reply(t("No open obstacles or proposals. Everything has been answered."))]
    if not items:
        offset = 0
        items, total = await open_page(ctx.session, offset=0, limit=PAGE)
    header = t("Open obstacles and proposals: {total} (showing {first}–{last}, oldest first).")
    replies = [Reply(header.format(total=total, first=offset + 1, last=offset + len(items)))]
    for item in items:
        replies.append(
            Reply(
                _item_text(t, item),
                choices=(Choice(action_token(ANSWER_ACTION, item.report_id), t("Answer")),),
            )
        )
    if offset + len(items) < total:
        more = Choice(action_token(PAGE_ACTION, offset + PAGE), t("Next page"))
        replies.append(Reply(t("More are waiting."), choices=(more,)))
    return replies


@router.command("obstacles", N_("Open obstacles and proposals across units"), OFFICE)
async def obstacles(ctx: Context, args: str) -> list[Reply]:
    page = int(args) if args.strip().isdigit() and int(args) > 0 else 1
    return await _page(ctx, (page - 1) * PAGE)


@router.action(PAGE_ACTION)
async def next_page(ctx: Context, args: list[str]) -> list[Reply]:
    refused = _refused(ctx)
    if refused or len(args) != 1 or not args[0].isdigit():
        return refused or await _page(ctx, 0)
    return await _page(ctx, int(args[0]))


@router.action(ANSWER_ACTION)
async def answer(ctx: Context, args: list[str]) -> list[Reply]:
    t = ctx.t
    refused = _refused(ctx)
    if refused:
        return refused
    item = await open_item(ctx.session, int(args[0])) if args and args[0].isdigit() else None
    if item is None:
        return [Reply(t("This item has already been answered or no longer exists."))]
    return await ctx.start_dialog("obstacle_reply", {"report": item.report_id})


async def ask_reply(ctx: Context) -> Question:
    t = ctx.t
    item = await open_item(ctx.session, int(ctx.state.data["report"]))
    shown = _item_text(t, item) if item else ""
    return Question(
        f"{shown}\n\n{t('Type the answer to send to the reporting officer.')}", free_text=True
    )


async def answer_reply(ctx: Context, answer: Answer) -> list[Reply]:
    t = ctx.t
    text = (answer.text or "").strip()
    if not text:
        raise Invalid(t("The answer is empty. Type it, or /cancel."))
    if len(text) > MAX_REPLY:
        raise Invalid(t("The answer is too long; at most {max} characters.").format(max=MAX_REPLY))
    if ctx.role not in OFFICE or ctx.officer is None:
        return [Reply(t(INVALID_BUTTON))]
    report_id = int(ctx.state.data["report"])
    item = await open_item(ctx.session, report_id)
    report = await mark_handled(ctx.session, report_id, ctx.officer, text, ctx.now)
    if report is None or item is None:
        return [Reply(t("This item has already been answered or no longer exists."))]
    recipient = await ctx.session.get(Officer, item.officer_id)
    rt = translator(recipient.locale if recipient else None, ctx.settings.timezone)
    message = rt("The standing office answered your report on {code} ({period}):").format(
        code=item.task_code, period=item.period
    )
    ctx.notify(
        item.officer_id,
        f"{message}\n{text}",
        kind="obstacle_reply",
        key=f"{report_id}:{report.revision}",
        task_id=report.task_id,
        period=report.period,
    )
    return [
        Reply(
            t("Answer recorded and sent to {name}. /obstacles for the rest.").format(
                name=item.officer_name
            )
        )
    ]


Router.step(dialog, "reply", ask=ask_reply, answer=answer_reply)
