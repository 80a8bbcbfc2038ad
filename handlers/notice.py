"""Notices: the office's `/notice` dialog and `/notice_status`; everyone's "Received" button."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.i18n import N_, Translator
from handlers.basics import ROLE_NAMES
from handlers.context import Answer, Context, Invalid, Question
from handlers.router import INVALID_BUTTON, OFFICE, Router, action_token
from handlers.types import Reply
from storage.models import Notice
from storage.notices import (
    NOT_ENROLLED,
    AckOutcome,
    Audience,
    AudienceKind,
    NoticeStatus,
    Queued,
    Recipient,
    acknowledge,
    count_members,
    create_notice,
    notice_status,
)
from storage.units import unit_by_code

router = Router()
dialog = router.dialog("notice", "text")

ACK_ACTION = "ack"
# Zalo's limit for a text message is 2,000 characters; Telegram's is 4,096.
MAX_TEXT = 2000
LOCAL_FORMAT = "%d/%m/%Y %H:%M"


def ack_token(notice_id: int) -> str:
    return action_token(ACK_ACTION, notice_id)


def parse_local_datetime(text: str, tz: ZoneInfo) -> datetime:
    """'25/11/2026 08:00' in the office's time zone → an aware datetime (ValueError if not)."""
    return datetime.strptime(" ".join(text.split()), LOCAL_FORMAT).replace(tzinfo=tz)


def describe(t: Translator, audience: Audience) -> str:
    if audience.kind is AudienceKind.all:
        return t("everyone")
    if audience.kind is AudienceKind.role:
        return t("every {role}").format(role=t(ROLE_NAMES[audience.value]))
    if audience.kind is AudienceKind.subtree:
        return t("unit {code} and every unit below it").format(code=audience.value)
    return t("unit {code}").format(code=audience.value)


def status_lines(status: NoticeStatus, t: Translator, limit: int = 20) -> list[str]:
    """Counts, then who is unreachable and who has not acknowledged yet (for chat and CLI)."""
    notice = status.notice
    lines = [
        t("Notice #{id}, {when}, to {audience}:").format(
            id=notice.id,
            when=t.datetime(notice.send_at),
            audience=describe(t, Audience.parse(notice.audience.get("spec", "all"))),
        ),
        t(
            "{total} people · received {received} · acknowledged {acked} · waiting {waiting} · "
            "unreachable {unreachable}"
        ).format(
            total=status.total,
            received=status.received,
            acked=len(status.acknowledged),
            waiting=len(status.waiting),
            unreachable=len(status.unreachable),
        ),
    ]
    sections: tuple[tuple[str, list[Recipient]], ...] = (
        (t("Unreachable:"), status.unreachable),
        (t("Received, not acknowledged yet:"), status.delivered),
    )
    for title, people in sections:
        if not people:
            continue
        lines.append(title)
        for person in people[:limit]:
            why = ""
            if person.reason:
                reason = N_("not enrolled") if person.reason == NOT_ENROLLED else N_("send failed")
                why = f" — {t(reason)}"
            lines.append(f"• {person.code} {person.name} ({person.unit}){why}")
        if len(people) > limit:
            lines.append(t("… and {n} more").format(n=len(people) - limit))
    return lines


def queued_lines(queued: Queued, t: Translator) -> list[str]:
    """What the office is told once a notice is queued (chat and CLI)."""
    lines = [
        t("Notice #{id} is queued for {n} people.").format(id=queued.notice.id, n=queued.queued)
    ]
    if queued.not_enrolled:
        lines.append(
            t(
                "{n} people are not enrolled: they get it only if they enroll before it is sent."
            ).format(n=queued.not_enrolled)
        )
    lines.append(t("Follow it with /notice_status {id}.").format(id=queued.notice.id))
    return lines


# --- the /notice dialog --------------------------------------------------------------------


@router.command("notice", N_("Send a notice to officers and units"), OFFICE)
async def notice(ctx: Context, args: str) -> list[Reply]:
    return await ctx.start_dialog("notice")


async def ask_text(ctx: Context) -> Question:
    return Question(ctx.t("Type the text of the notice."), free_text=True)


async def answer_text(ctx: Context, answer: Answer) -> str:
    text = (answer.text or "").strip()
    if not text:
        raise Invalid(ctx.t("The notice is empty. Type its text."))
    if len(text) > MAX_TEXT:
        raise Invalid(
            ctx.t("The notice is too long ({n} characters); at most {max}.").format(
                n=len(text), max=MAX_TEXT
            )
        )
    ctx.state.data = {**ctx.state.data, "text": text}
    return "audience"


async def ask_audience(ctx: Context) -> Question:
    t = ctx.t
    return Question(
        t("Who is it for?"),
        options=(
            ("all", t("Everyone")),
            ("unit", t("One unit")),
            ("subtree", t("A unit and every unit below it")),
            ("role:head", t("Every head of unit")),
            ("role:officer", t("Every officer")),
        ),
    )


async def answer_audience(ctx: Context, answer: Answer) -> str:
    value = answer.value or ""
    if value in ("unit", "subtree"):
        ctx.state.data = {**ctx.state.data, "scope": value}
        return "unit"
    ctx.state.data = {**ctx.state.data, "audience": Audience.parse(value).spec}
    return "when"


async def ask_unit(ctx: Context) -> Question:
    return Question(ctx.t("Type the unit's code (e.g. SKHCN)."), free_text=True)


async def answer_unit(ctx: Context, answer: Answer) -> str:
    code = (answer.text or "").strip()
    unit = await unit_by_code(ctx.session, code) or await unit_by_code(ctx.session, code.upper())
    if unit is None:
        raise Invalid(ctx.t("There is no unit with code {code}.").format(code=code))
    suffix = "+" if ctx.state.data.get("scope") == "subtree" else ""
    ctx.state.data = {**ctx.state.data, "audience": unit.code + suffix}
    return "when"


async def ask_when(ctx: Context) -> Question:
    t = ctx.t
    return Question(
        t("When should it be sent?"), options=(("now", t("Now")), ("later", t("Later…")))
    )


async def answer_when(ctx: Context, answer: Answer) -> str:
    if answer.value == "later":
        return "at"
    ctx.state.data = {k: v for k, v in ctx.state.data.items() if k != "at"}
    return "preview"


async def ask_at(ctx: Context) -> Question:
    return Question(ctx.t("Type the date and time, e.g. 25/11/2026 08:00."), free_text=True)


async def answer_at(ctx: Context, answer: Answer) -> str:
    t = ctx.t
    try:
        at = parse_local_datetime(answer.text or "", ctx.settings.tz)
    except ValueError as error:
        raise Invalid(t("Please write the time as dd/mm/yyyy HH:MM, e.g. 25/11/2026 08:00.")) from (
            error
        )
    if at <= ctx.now:
        raise Invalid(t("That time has passed. Give a time in the future."))
    ctx.state.data = {**ctx.state.data, "at": at.isoformat()}
    return "preview"


async def ask_preview(ctx: Context) -> Question:
    t = ctx.t
    data = ctx.state.data
    audience = Audience.parse(data["audience"])
    total, enrolled = await count_members(ctx.session, audience)
    when = t.datetime(datetime.fromisoformat(data["at"])) if data.get("at") else t("now")
    text = "\n".join(
        [
            t("Preview of the notice:"),
            "",
            data["text"],
            "",
            t("To: {audience} — {total} people, {enrolled} of them enrolled.").format(
                audience=describe(t, audience), total=total, enrolled=enrolled
            ),
            t("Sent: {when}.").format(when=when),
        ]
    )
    return Question(text, options=(("send", t("Send")),))


async def answer_preview(ctx: Context, answer: Answer) -> list[Reply]:
    t = ctx.t
    data = ctx.state.data
    assert ctx.officer is not None
    queued = await create_notice(
        ctx.session,
        data["text"],
        Audience.parse(data["audience"]),
        now=ctx.now,
        send_at=datetime.fromisoformat(data["at"]) if data.get("at") else None,
        ack_token=ack_token,
        created_by=f"officer:{ctx.officer.code}",
        actor_officer_id=ctx.officer.id,
        timezone=ctx.settings.timezone,
    )
    return [Reply("\n".join(queued_lines(queued, t)))]


Router.step(dialog, "text", ask=ask_text, answer=answer_text)
Router.step(dialog, "audience", ask=ask_audience, answer=answer_audience)
Router.step(dialog, "unit", ask=ask_unit, answer=answer_unit)
Router.step(dialog, "when", ask=ask_when, answer=answer_when)
Router.step(dialog, "at", ask=ask_at, answer=answer_at)
Router.step(dialog, "preview", ask=ask_preview, answer=answer_preview)


# --- status and acknowledgment -------------------------------------------------------------


@router.command("notice_status", N_("Who received and acknowledged a notice"), OFFICE)
async def notice_status_(ctx: Context, args: str) -> list[Reply]:
    t = ctx.t
    if args.strip().lstrip("#").isdigit():
        status = await notice_status(ctx.session, int(args.strip().lstrip("#")))
        if status is None:
            return [Reply(t("There is no notice #{id}.").format(id=args.strip()))]
        return [Reply("\n".join(status_lines(status, t)))]
    recent = (
        (await ctx.session.exec(select(Notice).order_by(Notice.id.desc()).limit(10)))  # type: ignore[union-attr]
        .scalars()
        .all()
    )
    if not recent:
        return [Reply(t("No notices yet. Send one with /notice."))]
    lines = [t("Recent notices (send /notice_status N for one):")]
    for item in recent:
        preview = item.text if len(item.text) <= 50 else item.text[:49] + "…"
        lines.append(f"#{item.id} · {t.datetime(item.send_at)} · {preview}")
    return [Reply("\n".join(lines))]


@router.action(ACK_ACTION)
async def ack(ctx: Context, args: list[str]) -> list[Reply]:
    t = ctx.t
    assert ctx.officer is not None and ctx.officer.id is not None
    if len(args) != 1 or not args[0].isdigit():
        return [Reply(t(INVALID_BUTTON))]
    outcome, row = await acknowledge(ctx.session, int(args[0]), ctx.officer.id, ctx.now)
    if outcome is AckOutcome.invalid or row is None:
        return [Reply(t(INVALID_BUTTON))]
    if outcome is AckOutcome.already:
        return [Reply(t("You have already acknowledged this notice."))]
    return [
        Reply(f"{row.text}\n✓ {t('Received')}", edit_previous=True),
        Reply(t("Thank you: the standing office sees that you received the notice.")),
    ]
