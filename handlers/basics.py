"""Enrollment (/start CODE), /help, /lang, dialog navigation and the console's /as."""

from __future__ import annotations

from sqlalchemy import select

from bot.i18n import N_, SUPPORTED_LOCALES, translator
from handlers.context import Context
from handlers.router import EVERYONE, INVALID_BUTTON, Router, action_token
from handlers.types import Choice, Reply
from storage.enrollment import RedeemError, redeem
from storage.models import AuditEvent, Officer, Unit

router = Router()


def enroll_hint(ctx: Context) -> list[Reply]:
    """All that someone not enrolled is told: how to enroll."""
    _ = ctx.t
    return [
        Reply(
            _(
                "You are not enrolled in taskbot yet. Ask the standing office of the Steering "
                "Committee for your invite code, then send: /start YOUR-CODE"
            )
        )
    ]


_REDEEM_ERRORS = {
    RedeemError.unknown: N_(
        "This invite code is not valid. Check it, or ask the standing office for a new one."
    ),
    RedeemError.used: N_(
        "This invite code has already been used. Ask the standing office for a new one."
    ),
    RedeemError.expired: N_("This invite code has expired. Ask the standing office for a new one."),
    RedeemError.too_many_attempts: N_(
        "Too many wrong codes. Please wait an hour, or ask the standing office for help."
    ),
}

ROLE_NAMES = {
    "officer": N_("officer"),
    "head": N_("head of unit"),
    "office": N_("standing office"),
    "admin": N_("administrator"),
}


@router.command("start", N_("Enroll with your invite code, or see the welcome again"), public=True)
async def start(ctx: Context, args: str) -> list[Reply]:
    _ = ctx.t
    if not args:
        if ctx.officer is None:
            return enroll_hint(ctx)
        return await help_(ctx, "")
    incoming = ctx.incoming
    outcome = await redeem(
        ctx.session,
        args,
        channel=incoming.channel,
        external_user_id=incoming.sender_id,
        chat_id=incoming.chat_id,
        display_name=incoming.display_name,
        now=ctx.now,
    )
    if isinstance(outcome, RedeemError):
        return [Reply(_(_REDEEM_ERRORS[outcome]))]
    ctx.officer = outcome.officer
    ctx._ = _ = translator(outcome.officer.locale, ctx.settings.timezone)
    unit = await ctx.session.get(Unit, outcome.officer.unit_id)
    welcome = _("Welcome, {name} ({unit}). You are enrolled as {role}.").format(
        name=outcome.officer.full_name,
        unit=unit.name if unit else "",
        role=_(ROLE_NAMES[outcome.officer.role]),
    )
    return [Reply(welcome), *await help_(ctx, "")]


@router.command("help", N_("What you can do here"), public=True)
async def help_(ctx: Context, args: str) -> list[Reply]:
    _ = ctx.t
    if ctx.officer is None:
        return enroll_hint(ctx)
    lines = [_("Commands you can use:")]
    for command in ctx.commands.values():
        if command.listed and ctx.role in command.roles:
            lines.append(f"/{command.name} — {_(command.help)}")
    return [Reply("\n".join(lines))]


# Each language's name in itself, so anyone can find theirs.
_LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}


@router.command("lang", N_("Change language: /lang vi or /lang en"))
async def lang(ctx: Context, args: str) -> list[Reply]:
    assert ctx.officer is not None
    choice = args.strip().lower()
    if choice not in SUPPORTED_LOCALES:
        buttons = tuple(
            Choice(action_token("lang", code), label) for code, label in _LANGUAGES.items()
        )
        return [
            Reply(
                ctx.t("Choose a language: /lang vi (Tiếng Việt) or /lang en (English)."),
                choices=buttons,
            )
        ]
    ctx.officer.locale = choice
    ctx.session.add(ctx.officer)
    ctx.session.add(
        AuditEvent(
            at=ctx.now,
            actor=f"officer:{ctx.officer.code}",
            actor_officer_id=ctx.officer.id,
            action="officer.locale",
            entity="officer",
            entity_id=ctx.officer.code,
            detail={"locale": choice},
        )
    )
    ctx._ = translator(choice, ctx.settings.timezone)
    return [Reply(ctx.t("Language: English. Send /lang vi for Vietnamese."))]


@router.action("lang")
async def lang_button(ctx: Context, args: list[str]) -> list[Reply]:
    """A language button; anything but a supported code re-shows the choice."""
    return await lang(ctx, args[0] if len(args) == 1 else "")


@router.command("cancel", N_("Stop what you are doing"))
async def cancel(ctx: Context, args: str) -> list[Reply]:
    return [Reply(ctx.t("There is nothing to cancel."))]


@router.command("back", N_("Go back one question"), listed=False)
async def back(ctx: Context, args: str) -> list[Reply]:
    return [Reply(ctx.t("There is nothing to go back to."))]


@router.command("skip", N_("Leave an optional answer empty"), listed=False)
async def skip(ctx: Context, args: str) -> list[Reply]:
    return [Reply(ctx.t("There is nothing to skip."))]


async def _become(ctx: Context, officer: Officer) -> list[Reply]:
    ctx.state.acting_officer_id = officer.id
    ctx.state.dialog, ctx.state.step, ctx.state.data, ctx.state.history = None, None, {}, []
    ctx.state.choices, ctx.state.nonce = [], ""
    ctx.officer = officer
    ctx._ = translator(officer.locale, ctx.settings.timezone)
    _ = ctx.t
    unit = await ctx.session.get(Unit, officer.unit_id)
    return [
        Reply(
            _("You are now {name} — {role}, {unit}.").format(
                name=officer.full_name,
                role=_(ROLE_NAMES[officer.role]),
                unit=unit.name if unit else "",
            )
        ),
        *await help_(ctx, ""),
    ]


@router.command(
    "as", N_("Console only: act as a person of the plan"), EVERYONE, listed=False, public=True
)
async def act_as(ctx: Context, args: str) -> list[Reply]:
    _ = ctx.t
    if ctx.incoming.channel != "console":
        return [Reply(_("Unknown command /{name}. Send /help for the list.").format(name="as"))]
    if args:
        officer = (
            await ctx.session.exec(select(Officer).where(Officer.code == args.strip()))
        ).scalar_one_or_none()
        if officer is None:
            return [Reply(_("No person with code {code}.").format(code=args.strip()))]
        return await _become(ctx, officer)
    rows = (
        await ctx.session.exec(
            select(Officer, Unit)
            .join(Unit, Unit.id == Officer.unit_id)
            .order_by(Unit.path, Officer.code)
            .limit(60)
        )
    ).all()
    choices = tuple(
        Choice(
            action_token("as", officer.id),
            f"{officer.code} — {officer.full_name} ({_(ROLE_NAMES[officer.role])}, {unit.name})",
        )
        for officer, unit in rows
    )
    ctx.state.choices = [[c.token, c.label] for c in choices]
    return [Reply(_("Who do you want to be? Reply with a number or /as CODE."), choices=choices)]


@router.action("as", public=True)
async def act_as_chosen(ctx: Context, args: list[str]) -> list[Reply]:
    if ctx.incoming.channel != "console" or len(args) != 1 or not args[0].isdigit():
        return [Reply(ctx.t(INVALID_BUTTON))]
    officer = await ctx.session.get(Officer, int(args[0]))
    if officer is None:
        return [Reply(ctx.t(INVALID_BUTTON))]
    return await _become(ctx, officer)
