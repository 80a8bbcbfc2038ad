"""Settings from the environment (prefix `TASKBOT_`) and an optional `.env` file."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TASKBOT_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///taskbot.db"
    timezone: str = "Asia/Ho_Chi_Minh"
    default_locale: str = "vi"
    # Run pending migrations at start-up instead of refusing to start on an old schema.
    auto_migrate: bool = False
    # Loaded into an empty database by `taskbot run` when no channel token is configured.
    sample_plan: Path = PROJECT_ROOT / "samples" / "plan-386.xlsx"
    invite_ttl_days: int = 14
    log_level: str = "INFO"

    telegram_token: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org/bot"
    telegram_file_base: str = "https://api.telegram.org/file/bot"
    telegram_username: str | None = None
    # Sending limits (Telegram: ~30 messages/s per bot, ~1/s per chat, 20/min per group).
    telegram_rate_per_second: float = 30
    telegram_chat_rate_per_second: float = 1
    telegram_group_rate_per_minute: float = 20
    # Retries of one API call: after a 429 (waiting `retry_after`) or a network error/5xx
    # (waiting `telegram_retry_backoff` seconds, doubled each time).
    telegram_max_retries: int = 5
    telegram_retry_backoff: float = 1.0
    # Long-polling: seconds one getUpdates call may wait for news.
    telegram_poll_timeout: int = 30
    # Updates handled at once (those of one chat always one after another, in order).
    telegram_concurrent_updates: int = 16

    zalo_token: SecretStr | None = None
    zalo_api_base: str = "https://bot-api.zaloplatforms.com/bot"
    # Long-poll wait of one getUpdates call, in seconds (polling mode).
    zalo_poll_timeout: int = 30
    # The platform documents no rate limit: our own cap on messages per second for the bot.
    zalo_max_per_second: float = 10.0

    # Public base URL of our web server (https://host): Zalo fetches charts from
    # `{public_url}/files/{token}`. Defaults to TASKBOT_WEBHOOK_URL.
    public_url: str | None = None

    # Outbox dispatcher: rows claimed per batch, parallel sends, how long a claim holds,
    # transient-error retries (exponential backoff from the base delay).
    dispatch_batch_size: int = 100
    dispatch_concurrency: int = 8
    dispatch_lease_seconds: int = 300
    dispatch_max_attempts: int = 5
    dispatch_backoff_seconds: float = 30.0
    dispatch_interval_seconds: float = 10.0
    # Reminder planner: how often it looks for due reminders, and how old a missed send time
    # may be and still be sent after downtime.
    planner_interval_seconds: float = 300.0
    reminder_catch_up_days: int = 5

    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1:8080"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        if value not in ("vi", "en"):
            raise ValueError("default_locale must be 'vi' or 'en'")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def files_base_url(self) -> str | None:
        """Where our `/files/{token}` route is reachable from the internet, if anywhere."""
        base = self.public_url or self.webhook_url
        return base.rstrip("/") if base else None

    def telegram_webhook_secret(self) -> str | None:
        """The secret Telegram sends with webhook calls: `webhook_secret`, else one derived
        from the token (the same in every process, and no setting to forget)."""
        return self._webhook_secret(self.telegram_token, b"taskbot-telegram-webhook")

    def zalo_webhook_secret(self) -> str | None:
        """The secret Zalo sends with webhook calls (`X-Bot-Api-Secret-Token`), like Telegram's:
        `webhook_secret`, else one derived from the Zalo token (64 characters; Zalo wants 8–256)."""
        return self._webhook_secret(self.zalo_token, b"taskbot-zalo-webhook")

    def _webhook_secret(self, token: SecretStr | None, purpose: bytes) -> str | None:
        if self.webhook_secret is not None:
            return self.webhook_secret.get_secret_value()
        if token is None:
            return None
        return hmac.new(token.get_secret_value().encode(), purpose, hashlib.sha256).hexdigest()

    @property
    def has_channel_token(self) -> bool:
        return self.telegram_token is not None or self.zalo_token is not None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
