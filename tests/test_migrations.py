from sqlalchemy import inspect

from storage.db import Database
from storage.migrate import SchemaOutOfDate, current_revision, ensure_current, head_revision


async def test_migrated_database_is_current(db: Database) -> None:
    assert await current_revision(db.engine) == head_revision()
    await ensure_current(db.engine)


async def test_empty_database_is_refused_then_migrated(tmp_path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    try:
        try:
            await ensure_current(database.engine)
        except SchemaOutOfDate as error:
            assert "taskbot db upgrade" in str(error)
        else:
            raise AssertionError("an un-migrated database must be refused")
        await ensure_current(database.engine, migrate=True)
        async with database.engine.connect() as connection:
            tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
        assert {"report", "outbox", "dialog_state"} <= set(tables)
    finally:
        await database.dispose()
