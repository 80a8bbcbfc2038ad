"""`python -m bot.cli` runs the `taskbot` command."""

from bot.cli import app

app()
