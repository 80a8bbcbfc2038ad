"""A dispatcher process for the multi-process tests: `python -m tests.dispatch_worker URL NAME`.

Its fake channel "delivers" by inserting into the `received` table of the same PostgreSQL
database (the receiving side counts deliveries there); a share of sends fail transiently before
anything is delivered. It drains the outbox until no row is pending or leased, then exits.
With `--hang-after N`, every send after the N-th delivers and then never returns, so the process
dies (SIGKILL) holding sends that were delivered but not acknowledged — the worst moment.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
from datetime import timedelta

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.channels.base import TransientSendError
from handlers.types import Reply
from reminders.dispatcher import DispatchPolicy, OutboxDispatcher
from storage.db import Database
from storage.models import Outbox, OutboxStatus

RECEIVED_DDL = "CREATE TABLE IF NOT EXISTS received (body text NOT NULL, worker text NOT NULL)"


class ReceivingSender:
    """Inserts each delivered message into `received`; fails `failure_rate` of sends first."""

    name = "fake"

    def __init__(
        self, pool: asyncpg.Pool, worker: str, failure_rate: float, hang_after: int | None
    ) -> None:
        self.pool = pool
        self.worker = worker
        self.failure_rate = failure_rate
        self.hang_after = hang_after
        self.delivered = 0

    async def send(self, chat_id: str, reply: Reply) -> str:
        if random.random() < self.failure_rate:
            raise TransientSendError("simulated 503")
        await self.pool.execute(
            "INSERT INTO received (body, worker) VALUES ($1, $2)", reply.text, self.worker
        )
        self.delivered += 1
        if self.hang_after is not None and self.delivered > self.hang_after:
            await asyncio.Event().wait()
        return f"{self.worker}-{reply.text}"


async def unfinished(db: Database) -> int:
    active = (OutboxStatus.pending, OutboxStatus.sending)
    async with db.session() as s:
        statement = select(func.count()).select_from(Outbox).where(Outbox.status.in_(active))  # type: ignore[attr-defined]
        return int((await s.exec(statement)).scalar_one())  # type: ignore[call-overload]


async def run(
    url: str, worker: str, failure_rate: float, hang_after: int | None, lease: float
) -> None:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=8)
    db = Database(url)
    sender = ReceivingSender(pool, worker, failure_rate, hang_after)
    policy = DispatchPolicy(
        batch_size=100,
        concurrency=8,
        lease=timedelta(seconds=lease),
        max_attempts=60,
        backoff=timedelta(0),
    )
    dispatcher = OutboxDispatcher(db, {"fake": sender}, policy=policy)
    try:
        while True:
            await dispatcher.run_once()
            if not await unfinished(db):
                break
            await asyncio.sleep(0.1)
    finally:
        await db.dispose()
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("worker")
    parser.add_argument("--failure-rate", type=float, default=0.1)
    parser.add_argument("--hang-after", type=int, default=None)
    parser.add_argument("--lease", type=float, default=60.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(run(args.url, args.worker, args.failure_rate, args.hang_after, args.lease))


if __name__ == "__main__":
    main()
