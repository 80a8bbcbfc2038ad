"""The outbox dispatcher: sends every queued message exactly once, through the officer's channel.

A pass claims due rows in batches — `pending` rows whose `not_before` has come, and `sending`
rows whose lease has lapsed (their worker died) — by one `UPDATE … WHERE id IN (SELECT … FOR
UPDATE SKIP LOCKED LIMIT n) RETURNING`, so two workers on PostgreSQL never claim the same row
(SQLite ignores the locking clause; the single statement is atomic there). The claim commits a
lease; sending happens outside any transaction, with bounded concurrency; each outcome is
recorded at once in its own small transaction, with a `Delivery` row:

- sent → `sent` (never claimed again);
- `RetryAfter` → back to `pending` after the platform's delay, and the whole channel pauses;
- `TransientSendError` → retried with exponential backoff, `failed` after `max_attempts`;
- `PermanentSendError`, or nobody to send to → `failed` at once (the office sees it).

A crash between claim and record leaves the row `sending`; it is claimed again after the lease.
Only that window (the sends of one batch not yet committed) can ever be sent twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import String, Text, and_, bindparam, func, insert, or_, select, update

from bot.channels.base import PermanentSendError, RetryAfter, Sender, TransientSendError
from bot.settings import Settings
from handlers.types import Choice, Reply
from reminders.calendar import CalendarConfig, WorkingCalendar
from reminders.planner import DIGEST, REMINDER
from storage.db import Database
from storage.models import Delivery, DialogState, Outbox, OutboxStatus, UTCDateTime
from storage.recipients import NOT_ENROLLED, Address, addresses

log = logging.getLogger(__name__)

# How long a commit of outcomes waits for the other sends in flight (group commit).
_LINGER = 0.005

Clock = Callable[[], datetime]


# Reminders and digests wait out the quiet hours even when they are late (a retry, a backlog
# after downtime): people are not pinged at night. Notices and other messages go when due.
QUIET_KINDS = (REMINDER, DIGEST)


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class DispatchPolicy:
    """How hard the dispatcher pushes: batch size, parallel sends, lease and retries."""

    batch_size: int = 100
    concurrency: int = 8
    lease: timedelta = timedelta(minutes=5)
    max_attempts: int = 5
    backoff: timedelta = timedelta(seconds=30)
    max_backoff: timedelta = timedelta(hours=1)

    @classmethod
    def from_settings(cls, settings: Settings) -> DispatchPolicy:
        return cls(
            batch_size=settings.dispatch_batch_size,
            concurrency=settings.dispatch_concurrency,
            lease=timedelta(seconds=settings.dispatch_lease_seconds),
            max_attempts=settings.dispatch_max_attempts,
            backoff=timedelta(seconds=settings.dispatch_backoff_seconds),
        )

    def retry_delay(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th transient failure: base × 2^(attempts-1), capped."""
        return min(self.backoff * 2 ** max(attempts - 1, 0), self.max_backoff)


@dataclass
class DispatchStats:
    """What one pass did, counted per outcome."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def add(self, other: DispatchStats) -> None:
        self.claimed += other.claimed
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed


@dataclass(frozen=True, slots=True)
class Claimed:
    """A row this worker holds the lease on, with where it goes."""

    id: int
    officer_id: int
    text: str
    choices: list[list[str]]
    attempts: int
    address: Address

    @property
    def reply(self) -> Reply:
        choices = tuple(Choice(token, label) for token, label in self.choices)
        return Reply(self.text, choices=choices)


# An outcome waiting to be written: parameters of `_RECORD`, of the delivery to insert and of
# the choices to offer (`_OFFER`).
_Outcome = tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]

_table = Outbox.__table__.c  # type: ignore[attr-defined]
_STAMP = UTCDateTime()
# A send's outcome; NULL parameters keep the column as it is (executemany needs one shape).
_RECORD = (
    update(Outbox.__table__)  # type: ignore[arg-type]
    .where(_table.id == bindparam("row_id"), _table.status == OutboxStatus.sending)
    .values(
        status=bindparam("new_status"),
        attempts=bindparam("new_attempts"),
        lease_until=None,
        not_before=func.coalesce(bindparam("new_not_before", type_=_STAMP), _table.not_before),
        sent_at=func.coalesce(bindparam("new_sent_at", type_=_STAMP), _table.sent_at),
        channel=func.coalesce(bindparam("new_channel", type_=String()), _table.channel),
        last_error=func.coalesce(bindparam("new_error", type_=Text()), _table.last_error),
    )
)

_state = DialogState.__table__.c  # type: ignore[attr-defined]
# A sent message's choices become what a typed number or label answers in that chat (Zalo has
# no buttons; see `handlers.dispatch.remember_choices`), unless a dialog is open there.
_OFFER = (
    update(DialogState.__table__)  # type: ignore[arg-type]
    .where(
        _state.channel == bindparam("offer_channel"),
        _state.chat_id == bindparam("offer_chat"),
        _state.dialog.is_(None),
    )
    .values(
        choices=bindparam("offer_choices", type_=_state.choices.type),
        updated_at=bindparam("offer_at", type_=_STAMP),
    )
)


class OutboxDispatcher:
    """Claims, sends and records outbox rows; `run_once` drains what is due now."""

    def __init__(
        self,
        db: Database,
        senders: Mapping[str, Sender],
        *,
        clock: Clock = system_clock,
        policy: DispatchPolicy | None = None,
        fallback: Address | None = None,
    ) -> None:
        """`fallback` receives messages for officers with no identity on a running channel
        (the console, when no messenger is configured)."""
        self.db = db
        self.senders = senders
        self.clock = clock
        self.policy = policy or DispatchPolicy()
        self.fallback = fallback
        self.quiet_hours = WorkingCalendar(CalendarConfig())
        # Channels that answered 429: no sends on them until the given instant.
        self._paused: dict[str, datetime] = {}
        self._outcomes: list[_Outcome] = []
        self._flushing = asyncio.Lock()

    async def run_once(self, *, max_batches: int | None = None) -> DispatchStats:
        """Send everything due now, batch after batch, until nothing is due (or `max_batches`)."""
        total = DispatchStats()
        batches = 0
        while max_batches is None or batches < max_batches:
            stats = await self.run_batch()
            if not stats.claimed:
                break
            total.add(stats)
            batches += 1
        return total

    async def run_batch(self) -> DispatchStats:
        """Claim one batch, send it and record every outcome."""
        stats = DispatchStats()
        batch = await self._claim(stats)
        semaphore = asyncio.Semaphore(self.policy.concurrency)

        async def deliver(row: Claimed) -> None:
            async with semaphore:
                outcome = await self._send(row, stats)
            # Recorded outside the semaphore, so the next sends go out while this commits.
            await self._record(row, **outcome)

        await asyncio.gather(*(deliver(row) for row in batch))
        return stats

    async def _claim(self, stats: DispatchStats) -> list[Claimed]:
        now = self.clock()
        due = or_(
            and_(Outbox.status == OutboxStatus.pending, Outbox.not_before <= now),
            and_(Outbox.status == OutboxStatus.sending, Outbox.lease_until <= now),
        )
        if self.quiet_hours.is_quiet(now):
            due = and_(due, Outbox.kind.notin_(QUIET_KINDS))  # type: ignore[attr-defined]
        ids = (
            select(Outbox.id)
            .where(due)
            .order_by(Outbox.not_before, Outbox.id)
            .limit(self.policy.batch_size)
            .with_for_update(skip_locked=True)
        )
        claim = (
            update(Outbox)
            .where(Outbox.id.in_(ids.scalar_subquery()))  # type: ignore[union-attr]
            .values(status=OutboxStatus.sending, lease_until=now + self.policy.lease)
            .returning(Outbox.id, Outbox.officer_id, Outbox.text, Outbox.choices, Outbox.attempts)
            .execution_options(synchronize_session=False)
        )
        async with self.db.session() as session:
            rows = (await session.exec(claim)).all()  # type: ignore[call-overload]
            found = await addresses(session, {row.officer_id for row in rows}, self.senders)
            batch, unreachable = [], []
            for row in rows:
                address = found.get(row.officer_id, self.fallback)
                if address is None:
                    unreachable.append(row.id)
                else:
                    batch.append(Claimed(*row, address=address))
            if unreachable:
                await session.exec(  # type: ignore[call-overload]
                    update(Outbox)
                    .where(Outbox.id.in_(unreachable))  # type: ignore[union-attr]
                    .values(status=OutboxStatus.failed, last_error=NOT_ENROLLED, lease_until=None)
                    .execution_options(synchronize_session=False)
                )
        stats.claimed += len(rows)
        stats.failed += len(unreachable)
        return sorted(batch, key=lambda row: row.id)

    async def _send(self, row: Claimed, stats: DispatchStats) -> dict[str, Any]:
        """Try one send; the outcome to record, as `_record` keywords."""
        channel = row.address.channel
        paused = self._paused.get(channel)
        if paused is not None and paused > self.clock():
            stats.retried += 1
            return {"retry_at": paused}
        try:
            message_id = await self.senders[channel].send(row.address.chat_id, row.reply)
        except RetryAfter as error:
            retry_at = self.clock() + timedelta(seconds=error.seconds)
            self._paused[channel] = max(retry_at, paused or retry_at)
            stats.retried += 1
            return {"error": error, "retry_at": retry_at}
        except PermanentSendError as error:
            stats.failed += 1
            return {"error": error, "attempt": True, "give_up": True}
        except (TransientSendError, OSError) as error:
            attempts = row.attempts + 1
            give_up = attempts >= self.policy.max_attempts
            retry_at = self.clock() + self.policy.retry_delay(attempts)
            if give_up:
                stats.failed += 1
            else:
                stats.retried += 1
            return {"error": error, "attempt": True, "give_up": give_up, "retry_at": retry_at}
        stats.sent += 1
        return {"message_id": message_id, "attempt": True}

    async def _record(
        self,
        row: Claimed,
        *,
        message_id: str | None = None,
        error: Exception | None = None,
        attempt: bool = False,
        give_up: bool = False,
        retry_at: datetime | None = None,
    ) -> None:
        """Write one outcome: the row's new state and, for a real try, a `Delivery`.

        Outcomes are group-committed: while one transaction writes, the outcomes that arrive
        meanwhile wait and go together in the next one. A batch ends only once every outcome is
        committed, so a crash can repeat at most the current batch's unrecorded sends.
        """
        now = self.clock()
        outcome: dict[str, Any] = {
            "row_id": row.id,
            "new_status": OutboxStatus.pending,
            "new_attempts": row.attempts + (1 if attempt else 0),
            "new_not_before": retry_at,
            "new_sent_at": None,
            "new_channel": None,
            "new_error": _describe(error) if error else None,
        }
        if error is None and retry_at is None:
            outcome |= {
                "new_status": OutboxStatus.sent,
                "new_sent_at": now,
                "new_channel": row.address.channel,
            }
        elif give_up:
            outcome["new_status"] = OutboxStatus.failed
        delivery = None
        if error is not None or message_id is not None:
            delivery = {
                "outbox_id": row.id,
                "channel": row.address.channel,
                "chat_id": row.address.chat_id,
                "attempt": row.attempts + 1,
                "ok": error is None,
                "error": outcome["new_error"],
                "provider_message_id": message_id,
                "at": now,
            }
        offer = None
        if outcome["new_status"] == OutboxStatus.sent and row.choices:
            offer = {
                "offer_channel": row.address.channel,
                "offer_chat": row.address.chat_id,
                "offer_choices": row.choices,
                "offer_at": now,
            }
        self._outcomes.append((outcome, delivery, offer))
        if error is not None:
            log.warning("outbox %s to %s: %s", row.id, row.address.channel, _describe(error))
        async with self._flushing:
            if 0 < len(self._outcomes) < self.policy.concurrency:
                await asyncio.sleep(_LINGER)  # let the other sends in flight join this commit
            outcomes, self._outcomes = self._outcomes, []
            if outcomes:
                await self._write(outcomes)

    async def _write(self, outcomes: list[_Outcome]) -> None:
        """One transaction, two executemany statements, however many outcomes wait."""
        deliveries = [delivery for _, delivery, _ in outcomes if delivery is not None]
        offers = [offer for _, _, offer in outcomes if offer is not None]
        async with self.db.session() as session:
            connection = await session.connection()
            await connection.execute(_RECORD, [outcome for outcome, _, _ in outcomes])
            if deliveries:
                await connection.execute(insert(Delivery.__table__), deliveries)  # type: ignore[attr-defined]
            if offers:
                await connection.execute(_OFFER, offers)


def _describe(error: Exception | None) -> str:
    return f"{type(error).__name__}: {error}"[:500] if error else ""
