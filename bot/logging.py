"""Logging for `taskbot run`: one stream handler whose records never carry a secret.

httpx logs every request URL, and a Telegram Bot API URL contains the bot token
(`…/bot123:ABC…/sendMessage`); PTB logs request parameters at DEBUG (a webhook's secret token).
The filter replaces every configured secret, and anything shaped like a bot token, in the
message and in the traceback text before any handler formats it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TextIO

from pydantic import SecretStr
from sqlalchemy.engine import make_url

from bot.settings import Settings

REDACTED = "[REDACTED]"
# Telegram bot tokens: "<bot id>:<35 characters>".
_BOT_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
# Short values are not worth hiding (and would garble unrelated text).
_MIN_SECRET_LENGTH = 6


def secret_values(settings: Settings) -> list[str]:
    """Every secret the settings hold: tokens, webhook secrets, the database password."""
    values = [
        value.get_secret_value()
        for value in (getattr(settings, name) for name in type(settings).model_fields)
        if isinstance(value, SecretStr)
    ]
    values.append(settings.telegram_webhook_secret() or "")
    values.append(make_url(settings.database_url).password or "")
    return values


class RedactSecrets(logging.Filter):
    """Replaces secrets in a record's message and exception text with `[REDACTED]`."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        unique = {secret for secret in secrets if len(secret) >= _MIN_SECRET_LENGTH}
        # Longest first, so a secret containing another is replaced whole.
        self.secrets = sorted(unique, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return _BOT_TOKEN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def setup_logging(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """Log to `stream` (stderr) at `TASKBOT_LOG_LEVEL`, secrets redacted; returns the handler."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secret_values(settings)))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    level = logging.getLevelName(settings.log_level)
    debugging = isinstance(level, int) and level <= logging.DEBUG
    # One line per HTTP request (every long poll) is noise unless debugging.
    logging.getLogger("httpx").setLevel(logging.DEBUG if debugging else logging.WARNING)
    # PTB's DEBUG lines carry whole updates: what people wrote, invite codes. Never logged.
    logging.getLogger("telegram").setLevel(logging.INFO)
    # matplotlib chats at INFO about every chart's axis units.
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    return handler
