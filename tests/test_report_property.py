"""Random text and random buttons fed into the report dialog never break it (hypothesis)."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from handlers.numbers import parse_number, parse_percent
from handlers.registry import build_router
from handlers.router import action_token
from storage.db import Database
from storage.models import AuditEvent, DialogState, Report, ReportRevision
from tests.chat import Chat
from tests.conftest import run_blocking
from tests.reporting import enrolled, make_bot, org_with_tasks

COMMANDS = ["/report", "/report 386.II.1", "/tasks", "/back", "/skip", "/cancel", "/review"]
DIALOGS = build_router().dialogs

move = st.one_of(
    st.tuples(st.just("text"), st.text(max_size=40)),
    st.tuples(st.just("text"), st.sampled_from(["1", "2", "3", "0", "45%", "12,5", "-", "x"])),
    st.tuples(st.just("text"), st.sampled_from(COMMANDS)),
    st.tuples(st.just("press"), st.integers(min_value=0, max_value=20)),
    st.tuples(
        st.just("token"),
        st.one_of(
            st.text(max_size=30),
            st.builds(lambda n, v: f"d:{n}:{v}", st.text(max_size=8), st.text(max_size=10)),
            st.builds(
                lambda a, b: action_token("rp", a, b),
                st.sampled_from(["1", "2", "3", "4", "x", "-1"]),
                st.sampled_from(["2026-11", "2026-Q4", "2026-10", "2027-01", "??"]),
            ),
            st.builds(lambda a: action_token("rvc", a, 1), st.integers(0, 3)),
        ),
    ),
)


async def _play(url: str, moves: list[tuple[str, object]]) -> None:
    db = Database(url)
    try:
        async with db.session() as s:
            fresh = (await s.exec(select(func.count()).select_from(AuditEvent))).scalar_one() == 0
        if fresh:
            await org_with_tasks(db)
            await enrolled(make_bot(db), db, "OA", "1")
        chat = Chat(make_bot(db), user="1")
        for kind, value in moves:
            if kind == "text":
                await chat.say(str(value))
            elif kind == "token":
                await chat.press_token(str(value))
            else:
                buttons = [c for r in chat.replies[-3:] for c in r.choices]
                if buttons:
                    await chat.press_token(buttons[int(str(value)) % len(buttons)].token)
            await _check_state(db)
        async with db.session() as s:
            failed = await s.exec(select(AuditEvent).where(AuditEvent.action == "update.failed"))
            assert failed.scalars().first() is None, "an exception escaped a handler"
    finally:
        await db.dispose()


async def _check_state(db: Database) -> None:
    async with db.session() as s:
        state = (await s.exec(select(DialogState))).scalar_one()
        reports = (await s.exec(select(Report))).scalars().all()
        revisions = (await s.exec(select(func.count()).select_from(ReportRevision))).scalar_one()
    if state.dialog is None:
        assert state.step is None and state.data == {} and state.history == []
    else:
        assert state.dialog in DIALOGS and state.step in DIALOGS[state.dialog].steps
        assert state.nonce and all(step in DIALOGS[state.dialog].steps for step in state.history)
        if state.dialog == "report" and state.step != "task":
            assert {"task_id", "period", "indicators"} <= state.data.keys()
    assert all(0 <= report.percent <= 100 for report in reports)
    assert revisions == sum(report.revision for report in reports)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(moves=st.lists(move, min_size=1, max_size=10))
def test_random_input_keeps_the_dialog_valid(
    sqlite_template: Path, tmp_path: Path, moves: list[tuple[str, object]]
) -> None:
    path = tmp_path / "property.db"
    if not path.exists():
        shutil.copy(sqlite_template, path)
    run_blocking(_play(f"sqlite+aiosqlite:///{path}", moves))


@given(st.integers(min_value=-(10**9), max_value=10**9), st.integers(min_value=0, max_value=99))
def test_numbers_read_back_in_both_styles(whole: int, cents: int) -> None:
    vi = f"{whole:,}".replace(",", ".") + f",{cents:02d}"
    en = f"{whole:,}.{cents:02d}"
    expected = float(f"{whole}.{cents:02d}")
    assert parse_number(vi, "vi") == expected
    assert parse_number(en, "en") == expected
    assert parse_number(en, "vi") == expected  # both separators: the last one is the decimal


def test_percentages() -> None:
    assert [parse_percent(t) for t in ("45", "45%", "45,5", " 45.4 % ", "0", "100")] == [
        45,
        45,
        46,
        45,
        0,
        100,
    ]
    assert [parse_percent(t) for t in ("120%", "-1", "abc", "", "4 5", "45%%")] == [None] * 6
    assert parse_number("1.500", "vi") == 1500 and parse_number("1.500", "en") == 1.5
    assert parse_number("1,500", "en") == 1500 and parse_number("1,5", "en") == 1.5
    assert parse_number("1 500,5") == 1500.5 and parse_number("\u00a01 500 ") == 1500
