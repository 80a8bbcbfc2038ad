"""Run `taskbot` commands from async tests (the CLI runs its own event loop, so in a thread)."""

from __future__ import annotations

import asyncio

from typer.testing import CliRunner


async def taskbot(runner: CliRunner, *args: str, code: int = 0) -> str:
    """The output of `taskbot ARGS`, asserting its exit code."""
    from bot.cli import app

    result = await asyncio.to_thread(runner.invoke, app, list(args))
    assert result.exit_code == code, result.output
    return result.output
