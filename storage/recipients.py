"""Which chat an officer is reached on when the bot writes first (reminders, notices, digests).

An officer may be enrolled on Telegram and Zalo at once. Messages go to the channel they chose
with `/channel`, if they are enrolled there; otherwise to the channel they used last (the
identity with the latest `last_seen_at`). Only channels that are running count: an officer last
seen on Zalo is still reached on Telegram when Zalo is not configured.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ChatIdentity, Officer

# `Officer.preferred_channel` unset (or this value): follow the channel used last.
AUTO = "auto"
# The outbox error of a message to someone with no chat identity on a running channel.
NOT_ENROLLED = "not enrolled"


@dataclass(frozen=True, slots=True)
class Address:
    """Where to send: a channel name and a chat id on it."""

    channel: str
    chat_id: str


def choose(identities: Iterable[ChatIdentity], preferred: str | None) -> Address | None:
    """The address among one officer's identities: the preferred channel, else the latest used."""
    latest: ChatIdentity | None = None
    for identity in identities:
        if preferred not in (None, AUTO) and identity.channel == preferred:
            return Address(identity.channel, identity.chat_id)
        if latest is None or identity.last_seen_at > latest.last_seen_at:
            latest = identity
    return Address(latest.channel, latest.chat_id) if latest else None


async def addresses(
    session: AsyncSession, officer_ids: Collection[int], channels: Collection[str]
) -> dict[int, Address]:
    """Each officer's address on the running `channels`; officers not reachable are absent."""
    if not officer_ids or not channels:
        return {}
    rows = (
        await session.exec(
            select(ChatIdentity, Officer.preferred_channel)
            .join(Officer, col(Officer.id) == ChatIdentity.officer_id)
            .where(
                col(ChatIdentity.officer_id).in_(set(officer_ids)),
                col(ChatIdentity.channel).in_(set(channels)),
            )
        )
    ).all()
    by_officer: dict[int, list[ChatIdentity]] = {}
    preferred: dict[int, str | None] = {}
    for identity, channel in rows:
        by_officer.setdefault(identity.officer_id, []).append(identity)
        preferred[identity.officer_id] = channel
    found = {
        officer_id: choose(identities, preferred[officer_id])
        for officer_id, identities in by_officer.items()
    }
    return {officer_id: address for officer_id, address in found.items() if address}


async def enrolled_channels(session: AsyncSession, officer_id: int) -> list[str]:
    """The channels an officer has an identity on, sorted."""
    rows = await session.exec(
        select(ChatIdentity.channel).where(ChatIdentity.officer_id == officer_id).distinct()
    )
    return sorted(rows.scalars().all())
