"""Scratch databases for benchmarks: a SQLite file in a temporary folder, and a PostgreSQL
database with a random name on the test server, dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

PG_ADMIN = os.environ.get("TASKBOT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


@asynccontextmanager
async def scratch_postgres() -> AsyncIterator[str | None]:
    """The URL of a fresh PostgreSQL database, or None when the server is unreachable."""
    try:
        admin = await asyncpg.connect(PG_ADMIN.replace("+asyncpg", ""))
    except OSError:
        yield None
        return
    name = f"bench_{uuid.uuid4().hex[:8]}"
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        yield f"{base}/{name}"
    finally:
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        await admin.close()
