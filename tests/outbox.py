"""Test helpers for the outbox: chat identities, queued rows and a fake channel that records."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select

from bot.channels.base import SendError
from handlers.types import Reply
from storage.db import Database
from storage.models import ChatIdentity, Officer, Outbox

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


async def enroll(
    db: Database, code: str, channel: str, chat_id: str, *, seen: datetime = T0
) -> None:
    """Give officer `code` an identity on `channel`, last used at `seen`."""
    async with db.session() as s:
        officer = (await s.exec(select(Officer).where(Officer.code == code))).scalar_one()
        s.add(
            ChatIdentity(
                officer_id=officer.id,
                channel=channel,
                external_user_id=chat_id,
                chat_id=chat_id,
                last_seen_at=seen,
            )
        )


async def queue(
    db: Database,
    code: str,
    count: int,
    *,
    at: datetime = T0,
    prefix: str = "m",
    kind: str = "test",
) -> list[int]:
    """Queue `count` messages to officer `code`, due at `at`; their ids."""
    async with db.session() as s:
        officer = (await s.exec(select(Officer).where(Officer.code == code))).scalar_one()
        rows = [
            Outbox(
                dedupe_key=f"test:{prefix}:{code}:{n}",
                kind=kind,
                officer_id=officer.id,
                text=f"{prefix}-{code}-{n}",
                choices=[["a:rp:1:2026-11", "Report"]],
                not_before=at,
                created_at=at,
            )
            for n in range(count)
        ]
        s.add_all(rows)
        await s.flush()
        return [row.id for row in rows if row.id is not None]


@dataclass
class RecordingSender:
    """A channel that records what it is asked to send; `fail(chat, text)` may raise instead."""

    name: str
    fail: Callable[[str, str], SendError | None] = lambda chat, text: None
    sent: list[tuple[str, Reply]] = field(default_factory=list)
    calls: int = 0
    in_flight: int = 0
    max_in_flight: int = 0

    async def send(self, chat_id: str, reply: Reply) -> str:
        self.calls += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.001)
            error = self.fail(chat_id, reply.text)
            if error is not None:
                raise error
            self.sent.append((chat_id, reply))
            return f"{self.name}-{len(self.sent)}"
        finally:
            self.in_flight -= 1

    @property
    def texts(self) -> list[str]:
        return [reply.text for _, reply in self.sent]
