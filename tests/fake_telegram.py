"""A fake Telegram Bot API over real HTTP (starlette + uvicorn on 127.0.0.1, a random port).

Tests queue updates (the JSON Telegram would send), the bot polls them with getUpdates or
receives them on its webhook, and everything the bot calls is recorded. The server can be told
to fail the next calls of a method with a 429 (`retry_after`) or a 5xx.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TOKEN = "123456:TEST-token_abcdefghijklmnopqrstuvwxyz"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Taskbot",
    "username": "taskbot_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# Fields whose form value is JSON.
_JSON_FIELDS = {"reply_markup", "commands", "allowed_updates", "scope"}
# The longest a getUpdates call is held open: stopping the bot never waits long.
MAX_POLL_WAIT = 0.2


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    # What the server answered (a sent message's JSON, for pressing its buttons later).
    result: Any = None


@dataclass
class Failure:
    method: str
    times: int
    status: int
    retry_after: int | None


@dataclass
class FakeTelegram:
    """The server's state: queued updates, recorded calls, planned failures."""

    token: str = TOKEN
    updates: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    base_url: str = ""
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1000))
    _news: asyncio.Condition = field(default_factory=asyncio.Condition)

    # --- what tests use ---------------------------------------------------------------------

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/bot"

    @property
    def file_base(self) -> str:
        return f"{self.base_url}/file/bot"

    def fail(
        self, method: str, *, times: int = 1, status: int = 429, retry_after: int | None = None
    ) -> None:
        """Answer the next `times` calls of `method` with `status` (and `retry_after`)."""
        self.failures.append(Failure(method, times, status, retry_after))

    def message_update(
        self,
        user_id: int,
        text: str | None = None,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        language: str = "vi",
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The JSON of a user's message (text, or other content in `extra`)."""
        update_id = next(self._ids)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "from": _user(user_id, language),
            "chat": _chat(chat_id or user_id, chat_type, user_id),
            **(extra or {}),
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split(" ", 1)[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return {"update_id": update_id, "message": message}

    def callback_update(
        self, user_id: int, data: str, message: dict[str, Any], *, language: str = "vi"
    ) -> dict[str, Any]:
        """The JSON of a button press on `message` (a message the bot sent, as recorded)."""
        return {
            "update_id": next(self._ids),
            "callback_query": {
                "id": f"cq{next(self._ids)}",
                "from": _user(user_id, language),
                "chat_instance": str(user_id),
                "data": data,
                "message": message,
            },
        }

    async def push(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates."""
        async with self._news:
            self.updates.append(update)
            self._news.notify_all()

    def attempts(self, method: str = "sendMessage", chat_id: int | None = None) -> list[Call]:
        """Every call of `method` (to `chat_id`), failed ones included."""
        return [
            call
            for call in self.calls
            if call.method == method
            and (chat_id is None or str(call.params.get("chat_id")) == str(chat_id))
        ]

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[Call]:
        """The successful calls of `method` (to `chat_id`)."""
        return [call for call in self.attempts(method, chat_id) if call.result is not None]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [str(call.params.get("text", "")) for call in self.sent(chat_id=chat_id)]

    async def wait_for(self, check: Callable[[], Any], within: float = 10) -> Any:
        """Wait until `check()` is truthy (at most `within` seconds); return its value."""
        deadline = time.monotonic() + within
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; calls so far: {[c.method for c in self.calls]}")
            await asyncio.sleep(0.01)

    # --- the API -----------------------------------------------------------------------------

    async def handle(self, request: Request) -> JSONResponse:
        token, method = request.path_params["token"], request.path_params["method"]
        if token != self.token:
            return _error(401, "Unauthorized")
        params = await _params(request)
        call = Call(method, params, time.monotonic())
        self.calls.append(call)
        for failure in self.failures:
            if failure.method == method and failure.times > 0:
                failure.times -= 1
                return _failure(failure)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        call.result = await handler(params)
        return JSONResponse({"ok": True, "result": call.result})

    async def _api_getMe(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), MAX_POLL_WAIT)

        def pending() -> list[dict[str, Any]]:
            return [u for u in self.updates if u["update_id"] >= offset]

        async with self._news:
            if not pending() and wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._news.wait_for(pending), wait)
            return pending()

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        return self._message(params, text=params["text"])

    async def _api_sendPhoto(self, params: dict[str, Any]) -> Any:
        photo = {"file_id": "photo1", "file_unique_id": "p1", "width": 800, "height": 600}
        return self._message(params, photo=[photo], caption=params.get("caption"))

    async def _api_sendDocument(self, params: dict[str, Any]) -> Any:
        document = {"file_id": "doc1", "file_unique_id": "d1", "file_name": params["document"]}
        return self._message(params, document=document, caption=params.get("caption"))

    async def _api_editMessageText(self, params: dict[str, Any]) -> Any:
        return self._message(params, text=params["text"], message_id=int(params["message_id"]))

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        return self._message(params, text="", message_id=int(params["message_id"]))

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_setMyCommands(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    def _message(
        self, params: dict[str, Any], *, message_id: int | None = None, **content: Any
    ) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message = {
            "message_id": message_id or next(self._message_ids),
            "date": int(time.time()),
            "from": BOT_USER,
            "chat": _chat(chat_id, "private" if chat_id > 0 else "group", chat_id),
            **{key: value for key, value in content.items() if value is not None},
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message


def _user(user_id: int, language: str) -> dict[str, Any]:
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": f"User{user_id}",
        "last_name": "Test",
        "language_code": language,
    }


def _chat(chat_id: int, chat_type: str, user_id: int) -> dict[str, Any]:
    if chat_type == "private":
        return {"id": chat_id, "type": "private", "first_name": f"User{user_id}"}
    return {"id": chat_id, "type": chat_type, "title": "Nhóm công tác"}


async def _params(request: Request) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/"):
        form = await request.form()
        params = {
            key: (value.filename if hasattr(value, "filename") else value)
            for key, value in form.items()
        }
    elif content_type.startswith("application/json"):
        params = await request.json()
    else:
        params = dict(parse_qsl((await request.body()).decode()))
    for key in _JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            params[key] = json.loads(params[key])
    return params


def _error(status: int, description: str) -> JSONResponse:
    return JSONResponse(
        {"ok": False, "error_code": status, "description": description}, status_code=status
    )


def _failure(failure: Failure) -> JSONResponse:
    if failure.status == 429:
        seconds = failure.retry_after or 1
        return JSONResponse(
            {
                "ok": False,
                "error_code": 429,
                "description": f"Too Many Requests: retry after {seconds}",
                "parameters": {"retry_after": seconds},
            },
            status_code=429,
        )
    descriptions = {403: "Forbidden: bot was blocked by the user", 502: "Bad Gateway"}
    return _error(failure.status, descriptions.get(failure.status, "Internal Server Error"))


@asynccontextmanager
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """Serve a `FakeTelegram` on 127.0.0.1 (random port) for the duration of the block."""
    fake = FakeTelegram()
    app = Starlette(routes=[Route("/bot{token}/{method}", fake.handle, methods=["GET", "POST"])])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    fake.base_url = f"http://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        server.should_exit = True
        await task


@dataclass
class TelegramUser:
    """One person in a private chat with the bot, driven through the fake server."""

    fake: FakeTelegram
    user_id: int
    language: str = "vi"
    # How an update reaches the bot: queued for polling (default) or posted to a webhook.
    deliver: Callable[[dict[str, Any]], Any] | None = None

    async def _send(self, update: dict[str, Any], expect: str | None) -> list[str]:
        before = len(self.fake.calls)
        if self.deliver is None:
            await self.fake.push(update)
        else:
            await self.deliver(update)

        def new_texts() -> list[str]:
            return [
                str(call.params.get("text") or call.params.get("caption") or "")
                for call in self.fake.calls[before:]
                if call.result is not None
                and call.method in ("sendMessage", "editMessageText", "sendPhoto", "sendDocument")
                and str(call.params.get("chat_id")) == str(self.user_id)
            ]

        if expect is None:
            return await self.fake.wait_for(new_texts)
        return await self.fake.wait_for(
            lambda: new_texts() if any(expect in text for text in new_texts()) else None
        )

    async def say(self, text: str, expect: str | None = None) -> list[str]:
        """Send `text`; wait for a reply (containing `expect`); return the texts received."""
        update = self.fake.message_update(self.user_id, text, language=self.language)
        return await self._send(update, expect)

    def last_keyboard_message(self, label: str) -> tuple[dict[str, Any], str] | None:
        """The latest message to this user with a button whose label contains `label`, and
        that button's callback data."""
        for call in reversed(self.fake.sent(chat_id=self.user_id)):
            markup = call.params.get("reply_markup") or {}
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    if label in button["text"]:
                        return call.result, button["callback_data"]
        return None

    async def press(self, label: str, expect: str | None = None) -> list[str]:
        """Press the button `label` of the latest message that has it (waiting for it)."""
        message, data = await self.fake.wait_for(lambda: self.last_keyboard_message(label))
        update = self.fake.callback_update(self.user_id, data, message, language=self.language)
        return await self._send(update, expect)
