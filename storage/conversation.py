"""Per-update bookkeeping: processed update keys, the chat's dialog state, who is speaking."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ChatIdentity, DialogState, Officer, ProcessedUpdate


async def insert_ignore(
    session: AsyncSession, model: type[SQLModel], values: dict[str, Any]
) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when the row was inserted."""
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(**values).on_conflict_do_nothing()
    result = await session.exec(statement)  # type: ignore[call-overload]
    return bool(result.rowcount)


async def claim_update(session: AsyncSession, channel: str, update_key: str, now: datetime) -> bool:
    """Record an update as processed; False when it was processed before (a redelivery).

    The row is part of the update's transaction: if handling fails and rolls back, the key is
    released and a redelivery is handled again.
    """
    return await insert_ignore(
        session,
        ProcessedUpdate,
        {"channel": channel, "update_key": update_key, "processed_at": now},
    )


async def lock_dialog_state(
    session: AsyncSession, channel: str, chat_id: str, now: datetime
) -> DialogState:
    """The chat's dialog state, created if new and locked for this transaction.

    On PostgreSQL the row lock serializes two workers handling updates of the same chat.
    """
    await insert_ignore(
        session,
        DialogState,
        {
            "channel": channel,
            "chat_id": chat_id,
            "data": {},
            "history": [],
            "choices": [],
            "nonce": "",
            "updated_at": now,
        },
    )
    statement = (
        select(DialogState)
        .where(DialogState.channel == channel, DialogState.chat_id == chat_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(statement)).scalar_one()  # type: ignore[call-overload]


async def speaker(
    session: AsyncSession, channel: str, external_user_id: str
) -> tuple[ChatIdentity | None, Officer | None]:
    """The chat identity of a sender and the officer it is bound to, if any."""
    statement = (
        select(ChatIdentity, Officer)
        .join(Officer, Officer.id == ChatIdentity.officer_id)
        .where(
            ChatIdentity.channel == channel,
            ChatIdentity.external_user_id == external_user_id,
            Officer.active.is_(True),  # type: ignore[attr-defined]
        )
    )
    row = (await session.exec(statement)).first()  # type: ignore[call-overload]
    return (row[0], row[1]) if row else (None, None)
