"""/channel: where the bot's own messages (reminders, notices) reach an officer enrolled twice.

"auto" (the default) follows the channel the officer used last; choosing Telegram or Zalo pins
it (see `storage.recipients`). Only channels the officer is enrolled on can be chosen.
"""

from __future__ import annotations

from bot.i18n import N_
from handlers.context import Context
from handlers.router import INVALID_BUTTON, Router, action_token
from handlers.types import Choice, Reply
from storage.models import AuditEvent
from storage.recipients import AUTO, enrolled_channels

router = Router()

CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "console": N_("console")}


def _name(ctx: Context, channel: str) -> str:
    if channel == AUTO:
        return ctx.t("automatic (the channel you used last)")
    return ctx.t(CHANNEL_NAMES.get(channel, channel))


async def _choosable(ctx: Context) -> list[str]:
    assert ctx.officer is not None and ctx.officer.id is not None
    return [*await enrolled_channels(ctx.session, ctx.officer.id), AUTO]


@router.command("channel", N_("Choose where reminders reach you: Telegram, Zalo or automatic"))
async def channel(ctx: Context, args: str) -> list[Reply]:
    assert ctx.officer is not None
    choosable = await _choosable(ctx)
    wanted = args.strip().lower()
    if wanted:
        return _choose(ctx, wanted, choosable)
    current = ctx.officer.preferred_channel or AUTO
    choices = tuple(Choice(action_token("ch", name), _name(ctx, name)) for name in choosable)
    ctx.state.choices = [[choice.token, choice.label] for choice in choices]
    text = ctx.t("Reminders reach you on: {current}. Where should they go?").format(
        current=_name(ctx, current)
    )
    return [Reply(text, choices=choices)]


@router.action("ch")
async def channel_chosen(ctx: Context, args: list[str]) -> list[Reply]:
    if len(args) != 1:
        return [Reply(ctx.t(INVALID_BUTTON))]
    return _choose(ctx, args[0], await _choosable(ctx))


def _choose(ctx: Context, wanted: str, choosable: list[str]) -> list[Reply]:
    officer = ctx.officer
    assert officer is not None
    if wanted not in choosable:
        return [
            Reply(
                ctx.t("You can choose: {choices}.").format(
                    choices=", ".join(f"/channel {name}" for name in choosable)
                )
            )
        ]
    officer.preferred_channel = None if wanted == AUTO else wanted
    ctx.session.add(officer)
    ctx.session.add(
        AuditEvent(
            at=ctx.now,
            actor=f"officer:{officer.code}",
            actor_officer_id=officer.id,
            action="officer.channel",
            entity="officer",
            entity_id=officer.code,
            detail={"channel": wanted},
        )
    )
    return [
        Reply(
            ctx.t("Done: reminders will reach you on {channel}.").format(channel=_name(ctx, wanted))
        )
    ]
