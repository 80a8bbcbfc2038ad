"""`TaskBot`: one update in, the replies for its chat out, in one database transaction.

The transaction records the update key (a redelivery is answered once), the dialog state, the
change the handler made and any messages for other people (outbox). Channels call `handle`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from bot.i18n import normalize_locale, translator
from bot.settings import Settings
from handlers.context import Context
from handlers.dispatch import Dispatcher
from handlers.registry import build_router
from handlers.types import Incoming, Reply
from storage.conversation import claim_update, lock_dialog_state, speaker
from storage.db import Database
from storage.models import AuditEvent, Officer

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class TaskBot:
    """The channel-agnostic core the channels feed (`bot.channels.base.Conversation`)."""

    def __init__(self, db: Database, settings: Settings, clock: Clock = system_clock) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.dispatcher = Dispatcher(build_router())

    async def handle(self, incoming: Incoming) -> list[Reply]:
        now = self.clock()
        try:
            async with self.db.session() as session:
                if not await claim_update(session, incoming.channel, incoming.update_key, now):
                    log.info(
                        "duplicate update %s/%s ignored", incoming.channel, incoming.update_key
                    )
                    return []
                state = await lock_dialog_state(session, incoming.channel, incoming.chat_id, now)
                identity, officer = await speaker(session, incoming.channel, incoming.sender_id)
                if identity is not None:
                    # Reminders follow the officer to the channel they used last.
                    identity.last_seen_at = now
                    session.add(identity)
                if incoming.channel == "console" and state.acting_officer_id is not None:
                    officer = await session.get(Officer, state.acting_officer_id)
                locale = (
                    officer.locale
                    if officer
                    else (incoming.language_hint or self.settings.default_locale)
                )
                ctx = Context(
                    incoming=incoming,
                    session=session,
                    now=now,
                    settings=self.settings,
                    _=translator(normalize_locale(locale), self.settings.timezone),
                    state=state,
                    officer=officer,
                )
                replies = await self.dispatcher.dispatch(ctx)
                state.updated_at = now
                session.add(state)
                session.add_all(ctx.outgoing)
                return replies
        except Exception:
            log.exception(
                "update %s/%s from %s failed",
                incoming.channel,
                incoming.update_key,
                incoming.sender_id,
            )
            await self._record_failure(incoming, now)
            _ = translator(normalize_locale(incoming.language_hint or self.settings.default_locale))
            return [
                Reply(_("Sorry, something went wrong on our side. Please try again in a moment."))
            ]

    async def _record_failure(self, incoming: Incoming, now: datetime) -> None:
        """Keep the failed update in the audit trail so nothing the user sent is lost."""
        try:
            async with self.db.session() as session:
                session.add(
                    AuditEvent(
                        at=now,
                        actor=f"{incoming.channel}:{incoming.sender_id}",
                        action="update.failed",
                        entity="update",
                        entity_id=incoming.update_key,
                        detail={"text": incoming.text, "choice": incoming.choice},
                    )
                )
        except Exception:
            log.exception("could not record the failed update %s", incoming.update_key)
