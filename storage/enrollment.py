"""Invite codes: single-use, expiring, stored as SHA-256; redeeming one binds a chat identity."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditEvent, ChatIdentity, Invite, Officer

# No 0/O, 1/I/L: codes are read aloud and typed on phones.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
# Failed attempts from one chat identity within an hour before it is refused (guessing).
MAX_FAILED_ATTEMPTS = 5


def hash_code(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def new_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))


async def create_invite(
    session: AsyncSession, officer: Officer, now: datetime, ttl: timedelta, actor: str
) -> str:
    """A fresh code for `officer` (only its hash is stored); earlier unused codes stay valid."""
    code = new_code()
    session.add(
        Invite(
            officer_id=officer.id, code_hash=hash_code(code), created_at=now, expires_at=now + ttl
        )
    )
    session.add(
        AuditEvent(
            at=now,
            actor=actor,
            action="invite.create",
            entity="officer",
            entity_id=officer.code,
            detail={"expires_at": (now + ttl).isoformat()},
        )
    )
    return code


class RedeemError(StrEnum):
    unknown = "unknown"
    used = "used"
    expired = "expired"
    too_many_attempts = "too_many_attempts"


@dataclass(frozen=True)
class Redeemed:
    officer: Officer
    identity: ChatIdentity


async def _recent_failures(session: AsyncSession, actor: str, now: datetime) -> int:
    statement = select(func.count()).where(
        AuditEvent.actor == actor,
        AuditEvent.action == "invite.failed",
        AuditEvent.at >= now - timedelta(hours=1),
    )
    return (await session.exec(statement)).scalar_one()


async def redeem(
    session: AsyncSession,
    code: str,
    *,
    channel: str,
    external_user_id: str,
    chat_id: str,
    display_name: str | None,
    now: datetime,
) -> Redeemed | RedeemError:
    """Bind the chat identity to the invite's officer and use the code up."""
    actor = f"{channel}:{external_user_id}"
    if await _recent_failures(session, actor, now) >= MAX_FAILED_ATTEMPTS:
        return RedeemError.too_many_attempts
    invite = (
        await session.exec(
            select(Invite).where(Invite.code_hash == hash_code(code)).with_for_update()
        )
    ).scalar_one_or_none()
    error = None
    if invite is None:
        error = RedeemError.unknown
    elif invite.used_at is not None:
        error = RedeemError.used
    elif invite.expires_at <= now:
        error = RedeemError.expired
    if error is not None:
        session.add(
            AuditEvent(
                at=now,
                actor=actor,
                action="invite.failed",
                entity="invite",
                entity_id="-",
                detail={"reason": error.value},
            )
        )
        return error
    assert invite is not None
    officer = await session.get(Officer, invite.officer_id)
    assert officer is not None
    identity = (
        await session.exec(
            select(ChatIdentity).where(
                ChatIdentity.channel == channel, ChatIdentity.external_user_id == external_user_id
            )
        )
    ).scalar_one_or_none()
    if identity is None:
        identity = ChatIdentity(
            officer_id=officer.id,
            channel=channel,
            external_user_id=external_user_id,
            chat_id=chat_id,
            created_at=now,
        )
    identity.officer_id, identity.chat_id = officer.id, chat_id
    identity.display_name, identity.last_seen_at = display_name, now
    session.add(identity)
    await session.flush()
    invite.used_at, invite.used_by_identity_id = now, identity.id
    session.add(invite)
    session.add(
        AuditEvent(
            at=now,
            actor=actor,
            actor_officer_id=officer.id,
            action="invite.redeem",
            entity="officer",
            entity_id=officer.code,
            detail={"channel": channel},
        )
    )
    return Redeemed(officer, identity)
