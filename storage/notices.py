"""Notices from the standing office: audience, fan-out through the outbox, delivery tracking.

A notice gets one outbox row per active member of its audience, enrolled or not: the dispatcher
sends each row from the notice's time and marks it failed ("not enrolled") when the member has no
chat on a running channel by then. So someone who enrolls before a scheduled notice goes out
still gets it, and the outbox alone answers who received, who acknowledged and who could not be
reached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import exists, func, insert, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import N_, translator
from storage.models import (
    AuditEvent,
    ChatIdentity,
    Notice,
    Officer,
    Outbox,
    OutboxStatus,
    Role,
    Unit,
)
from storage.recipients import NOT_ENROLLED
from storage.units import subtree_filter, unit_by_code

NOTICE_KIND = "notice"
ACK_LABEL = N_("Received")
# Outbox rows are inserted in chunks: an "all" notice to 100,000 people stays bounded.
_CHUNK = 1000


class AudienceKind(StrEnum):
    all = "all"
    unit = "unit"
    subtree = "subtree"
    role = "role"


class AudienceError(ValueError):
    """An audience that names no unit or role we know."""


@dataclass(frozen=True)
class Audience:
    """Who a notice is for, written as `all`, `UNIT`, `UNIT+` (with units below) or `role:head`."""

    kind: AudienceKind
    value: str = ""

    @classmethod
    def parse(cls, spec: str) -> Audience:
        spec = spec.strip()
        if not spec:
            raise AudienceError("empty audience")
        if spec.lower() == "all":
            return cls(AudienceKind.all)
        if spec.lower().startswith("role:"):
            role = spec.split(":", 1)[1].strip().lower()
            if role not in Role.__members__:
                raise AudienceError(f"unknown role {role!r}")
            return cls(AudienceKind.role, role)
        if spec.endswith("+"):
            return cls(AudienceKind.subtree, spec[:-1].strip())
        return cls(AudienceKind.unit, spec)

    @property
    def spec(self) -> str:
        if self.kind is AudienceKind.all:
            return "all"
        if self.kind is AudienceKind.role:
            return f"role:{self.value}"
        return self.value + ("+" if self.kind is AudienceKind.subtree else "")

    async def members_query(self, session: AsyncSession) -> Any:
        """A SELECT of the active officers in the audience, ordered by unit then code."""
        query = (
            select(Officer.id, Officer.locale)
            .join(Unit, Unit.id == Officer.unit_id)
            .where(Officer.active.is_(True))  # type: ignore[attr-defined]
        )
        if self.kind is AudienceKind.role:
            query = query.where(Officer.role == self.value)
        elif self.kind in (AudienceKind.unit, AudienceKind.subtree):
            unit = await unit_by_code(session, self.value)
            if unit is None:
                raise AudienceError(f"unknown unit {self.value!r}")
            if self.kind is AudienceKind.subtree:
                query = query.where(subtree_filter(unit))
            else:
                query = query.where(Officer.unit_id == unit.id)
        return query.order_by(Unit.path, Officer.code)


async def count_members(session: AsyncSession, audience: Audience) -> tuple[int, int]:
    """(members, enrolled members) of an audience, for the preview before sending."""
    members = (await audience.members_query(session)).order_by(None).subquery()
    enrolled = exists().where(ChatIdentity.officer_id == members.c.id)
    total, reachable = (
        await session.exec(select(func.count(), func.count().filter(enrolled)).select_from(members))
    ).one()
    return int(total), int(reachable)


@dataclass(frozen=True)
class Queued:
    notice: Notice
    queued: int
    not_enrolled: int


async def create_notice(
    session: AsyncSession,
    text: str,
    audience: Audience,
    *,
    now: datetime,
    send_at: datetime | None = None,
    ack_token: Callable[[int], str],
    created_by: str,
    actor_officer_id: int | None = None,
    timezone: str = "Asia/Ho_Chi_Minh",
) -> Queued:
    """Create a notice and its outbox rows (sent from `send_at`, default now), in one go.

    `ack_token(notice_id)` makes the "Received" button's token (the handlers' action format).
    """
    notice = Notice(
        text=text,
        audience={"spec": audience.spec, "kind": audience.kind.value, "value": audience.value},
        created_by=created_by,
        created_at=now,
        send_at=send_at or now,
    )
    session.add(notice)
    await session.flush()
    assert notice.id is not None
    enrolled = exists().where(ChatIdentity.officer_id == Officer.id)
    members = (await audience.members_query(session)).add_columns(enrolled.label("enrolled"))
    token = ack_token(notice.id)
    queued = missing = 0
    batch: list[dict[str, Any]] = []
    for officer_id, locale, is_enrolled in (await session.exec(members)).all():
        label = translator(locale, timezone)(ACK_LABEL)
        batch.append(
            {
                "dedupe_key": f"{NOTICE_KIND}:{notice.id}:{officer_id}",
                "kind": NOTICE_KIND,
                "officer_id": officer_id,
                "text": text,
                "choices": [[token, label]],
                "status": OutboxStatus.pending.value,
                "not_before": notice.send_at,
                "created_at": now,
                "notice_id": notice.id,
                "attempts": 0,
            }
        )
        queued += bool(is_enrolled)
        missing += not is_enrolled
        if len(batch) >= _CHUNK:
            await session.exec(insert(Outbox), params=batch)  # type: ignore[call-overload]
            batch = []
    if batch:
        await session.exec(insert(Outbox), params=batch)  # type: ignore[call-overload]
    session.add(
        AuditEvent(
            at=now,
            actor=created_by,
            actor_officer_id=actor_officer_id,
            action="notice.create",
            entity="notice",
            entity_id=str(notice.id),
            detail={"audience": audience.spec, "queued": queued, "not_enrolled": missing},
        )
    )
    return Queued(notice, queued, missing)


class AckOutcome(StrEnum):
    recorded = "recorded"
    already = "already"
    invalid = "invalid"


async def acknowledge(
    session: AsyncSession, notice_id: int, officer_id: int, now: datetime
) -> tuple[AckOutcome, Outbox | None]:
    """Record that `officer_id` received notice `notice_id`; only its recipient may."""
    row = (
        (
            await session.exec(
                select(Outbox).where(
                    Outbox.notice_id == notice_id,
                    Outbox.officer_id == officer_id,
                    Outbox.kind == NOTICE_KIND,
                )
            )
        )
        .scalars()
        .first()
    )
    if row is None:
        return AckOutcome.invalid, None
    if row.acknowledged_at is not None:
        return AckOutcome.already, row
    row.acknowledged_at = now
    session.add(row)
    return AckOutcome.recorded, row


@dataclass(frozen=True)
class Recipient:
    code: str
    name: str
    unit: str
    reason: str | None = None


@dataclass
class NoticeStatus:
    """Where a notice stands: each member of its audience is in exactly one of the first four."""

    notice: Notice
    acknowledged: list[Recipient] = field(default_factory=list)
    delivered: list[Recipient] = field(default_factory=list)  # sent, not acknowledged yet
    waiting: list[Recipient] = field(default_factory=list)  # queued or being sent
    unreachable: list[Recipient] = field(default_factory=list)  # not enrolled, or sending failed

    @property
    def total(self) -> int:
        return (
            len(self.acknowledged) + len(self.delivered) + len(self.waiting) + len(self.unreachable)
        )

    @property
    def received(self) -> int:
        return len(self.acknowledged) + len(self.delivered)


async def notice_status(session: AsyncSession, notice_id: int) -> NoticeStatus | None:
    notice = await session.get(Notice, notice_id)
    if notice is None:
        return None
    rows = (
        await session.exec(
            select(Outbox.status, Outbox.acknowledged_at, Outbox.last_error, Officer, Unit.name)
            .join(Officer, Officer.id == Outbox.officer_id)
            .join(Unit, Unit.id == Officer.unit_id)
            .where(Outbox.notice_id == notice_id)
            .order_by(Unit.path, Officer.code)
        )
    ).all()
    status = NoticeStatus(notice)
    for state, acknowledged_at, error, officer, unit_name in rows:
        person = Recipient(officer.code, officer.full_name, unit_name)
        if acknowledged_at is not None:
            status.acknowledged.append(person)
        elif state == OutboxStatus.sent:
            status.delivered.append(person)
        elif state in (OutboxStatus.pending, OutboxStatus.sending):
            status.waiting.append(person)
        else:
            reason = NOT_ENROLLED if error == NOT_ENROLLED else "failed"
            status.unreachable.append(Recipient(person.code, person.name, person.unit, reason))
    return status
