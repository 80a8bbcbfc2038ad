"""Throttling and retries for every Bot API call the Telegram channel makes.

PTB's own `AIORateLimiter` throttles the bot overall and each group, but not private chats, and
it retries nothing but 429s. This limiter adds the per-private-chat limit (Telegram: about one
message per second per chat), waits `retry_after` on a 429 (holding back every other call
meanwhile, as Telegram asks), and retries network errors and 5xx with exponential backoff.
After the last attempt the PTB error propagates: the channel maps it to a `SendError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

JSON = bool | dict[str, Any] | list[dict[str, Any]]

# Calls that are not messages: the updater retries getUpdates itself.
_UNLIMITED = frozenset({"getUpdates"})
# Above this many idle per-chat limiters, forget the idle ones.
_MAX_IDLE_LIMITERS = 1024


def retry_after_seconds(error: RetryAfter) -> float:
    """The wait a 429 asks for. PTB 22 gives `retry_after` as int or timedelta depending on an
    environment variable (with a deprecation warning); its own limiter reads `_retry_after`."""
    return error._retry_after.total_seconds()


class TelegramRateLimiter(BaseRateLimiter[int]):
    """≤ `per_second` messages overall, ≤ `chat_per_second` per private chat, ≤
    `group_per_minute` per group; 429s waited out and network errors retried."""

    def __init__(
        self,
        *,
        per_second: float = 30,
        chat_per_second: float = 1,
        group_per_minute: float = 20,
        max_retries: int = 5,
        backoff: float = 1.0,
    ) -> None:
        burst = max(1, round(per_second))
        self._overall = AsyncLimiter(burst, burst / per_second)
        self._chat_period = 1 / chat_per_second
        self._group_rate = group_per_minute
        self._chats: dict[int | str, AsyncLimiter] = {}
        self._max_retries = max_retries
        self._backoff = backoff
        self._resume = asyncio.Event()
        self._resume.set()

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def _chat_limiter(self, chat_id: int | str) -> AsyncLimiter:
        if len(self._chats) > _MAX_IDLE_LIMITERS:
            for key, limiter in list(self._chats.items()):
                if limiter.has_capacity(limiter.max_rate):
                    del self._chats[key]
        limiter = self._chats.get(chat_id)
        if limiter is None:
            group = isinstance(chat_id, str) or chat_id < 0
            limiter = (
                AsyncLimiter(self._group_rate, 60) if group else AsyncLimiter(1, self._chat_period)
            )
            self._chats[chat_id] = limiter
        return limiter

    async def _once(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        chat_id: int | str | None,
    ) -> JSON:
        if chat_id is None:
            await self._resume.wait()
            return await callback(*args, **kwargs)
        async with self._chat_limiter(chat_id), self._overall:
            await self._resume.wait()
            return await callback(*args, **kwargs)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        if endpoint in _UNLIMITED:
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id")
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        attempt = 0
        while True:
            try:
                return await self._once(callback, args, kwargs, chat_id)
            except BadRequest:
                raise
            except (RetryAfter, NetworkError) as error:
                if attempt == retries:
                    raise
                await self._wait_before_retry(endpoint, error, attempt)
            attempt += 1

    async def _wait_before_retry(self, endpoint: str, error: Exception, attempt: int) -> None:
        if isinstance(error, RetryAfter):
            wait = retry_after_seconds(error) + 0.1
            log.warning("Telegram asked to slow down: %s waits %.1f s", endpoint, wait)
            # Telegram's flood control is per bot: hold every call back meanwhile.
            self._resume.clear()
            try:
                await asyncio.sleep(wait)
            finally:
                self._resume.set()
        else:
            wait = self._backoff * 2**attempt
            log.warning("%s failed (%s); retrying in %.1f s", endpoint, error, wait)
            await asyncio.sleep(wait)
