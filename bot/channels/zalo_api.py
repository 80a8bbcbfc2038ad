"""A thin async client of the Zalo Bot Platform (`POST {base}{token}/{method}`, JSON both ways).

There is no maintained Python SDK; this is the few methods taskbot uses, on one shared
`httpx.AsyncClient`. Network errors and 5xx answers are retried with exponential backoff; an
`{"ok": false}` answer is raised as `ZaloApiError` carrying the platform's code and description.
Sending is capped at `max_per_second` for the whole bot (the platform documents no limit).

The token is part of every URL, so it must never reach a log: httpx logs request URLs at INFO,
which is why its logger is raised to WARNING here, and errors name only the method.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx

log = logging.getLogger(__name__)
# httpx logs "HTTP Request: POST <url>" at INFO, and the URL holds the bot token.
logging.getLogger("httpx").setLevel(logging.WARNING)

NO_UPDATE = 408


class ZaloError(Exception):
    """A Zalo Bot API call failed."""


class ZaloUnavailable(ZaloError):
    """The network failed or the platform answered 5xx, even after the retries."""


class ZaloApiError(ZaloError):
    """The platform answered `{"ok": false, "error_code": ..., "description": ...}`."""

    def __init__(self, method: str, error_code: int, description: str) -> None:
        super().__init__(f"{method}: {error_code} {description}")
        self.method = method
        self.error_code = error_code
        self.description = description


class ZaloRateLimited(ZaloApiError):
    """HTTP/error code 429: wait `retry_after` seconds before sending again."""

    def __init__(self, method: str, description: str, retry_after: float) -> None:
        super().__init__(method, 429, description)
        self.retry_after = retry_after


class _Throttle:
    """At most `rate` calls per second, spaced evenly, shared by every sender of the bot."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self.interval:
            return
        async with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self.interval
        if delay > 0:
            await asyncio.sleep(delay)


class ZaloApi:
    """The Zalo Bot API methods taskbot uses."""

    def __init__(
        self,
        token: str,
        *,
        base: str = "https://bot-api.zaloplatforms.com/bot",
        client: httpx.AsyncClient | None = None,
        timeout: float = 15.0,
        retries: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 10.0,
        max_per_second: float = 10.0,
    ) -> None:
        self._url = f"{base}{token}/"
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(timeout))
        self._owns_client = client is None
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._throttle = _Throttle(max_per_second)

    async def close(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    def delay(self, attempt: int) -> float:
        """Backoff before retry number `attempt` (1, 2, ...): doubling, capped."""
        return min(self.max_backoff, self.backoff * 2 ** (attempt - 1))

    async def call(
        self, method: str, payload: dict[str, Any] | None = None, *, wait: float | None = None
    ) -> Any:
        """Call `method`; return its `result`. Retries network errors and 5xx answers.

        `wait` overrides the timeout of one HTTP request (a long poll needs more).
        """
        attempt = 0
        while True:
            try:
                response = await self._client.post(
                    self._url + method,
                    json=payload or {},
                    timeout=wait if wait is not None else self.timeout,
                )
                if response.status_code < 500:
                    return self._result(method, response)
                problem = f"HTTP {response.status_code}"
            except httpx.TransportError as error:
                problem = type(error).__name__
            attempt += 1
            if attempt > self.retries:
                raise ZaloUnavailable(f"{method}: {problem} after {attempt} attempts")
            delay = self.delay(attempt)
            log.warning("zalo %s: %s, retry %d in %.1fs", method, problem, attempt, delay)
            await asyncio.sleep(delay)

    @staticmethod
    def _result(method: str, response: httpx.Response) -> Any:
        try:
            body = response.json()
        except ValueError:
            raise ZaloApiError(method, response.status_code, "answer is not JSON") from None
        if not isinstance(body, dict):
            raise ZaloApiError(method, response.status_code, "answer is not a JSON object")
        if body.get("ok") and response.is_success:
            return body.get("result")
        code = int(body.get("error_code") or response.status_code)
        description = str(body.get("description") or response.reason_phrase)
        if code == 429:
            parameters = body.get("parameters") or {}
            retry_after = float(parameters.get("retry_after") or 1)
            raise ZaloRateLimited(method, description, retry_after)
        raise ZaloApiError(method, code, description)

    # The methods ------------------------------------------------------------------------------

    async def get_me(self) -> dict[str, Any]:
        return await self.call("getMe")

    async def get_updates(self, seconds: int = 30) -> dict[str, Any] | None:
        """Wait up to `seconds` for one update; None when there is none (408)."""
        try:
            wait = seconds + self.timeout
            result = await self.call("getUpdates", {"timeout": seconds}, wait=wait)
        except ZaloApiError as error:
            if error.error_code == NO_UPDATE:
                return None
            raise
        if isinstance(result, list):  # tolerate a Telegram-style list of at most one update
            return result[0] if result else None
        return result or None

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        await self._throttle.wait()
        return await self.call("sendMessage", {"chat_id": chat_id, "text": text})

    async def send_photo(self, chat_id: str, photo_url: str, caption: str = "") -> dict[str, Any]:
        await self._throttle.wait()
        payload = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            payload["caption"] = caption
        return await self.call("sendPhoto", payload)

    async def set_webhook(self, url: str, secret_token: str) -> dict[str, Any]:
        return await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> dict[str, Any]:
        return await self.call("deleteWebhook")

    async def get_webhook_info(self) -> dict[str, Any]:
        return await self.call("getWebhookInfo")
