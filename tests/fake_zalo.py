"""A fake Zalo Bot API over real HTTP on 127.0.0.1, with the wire format of CHANNELS.md.

It records what the bot sends, queues updates for `getUpdates` (HTTP 408 when there is none),
pushes updates to a registered webhook with the secret header, fetches the photos the bot sends
by URL (as the platform does), and can inject 5xx storms and `{"ok": false}` answers.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp

TOKEN = "1234567890:fake-zalo-token"


def bind() -> tuple[socket.socket, str]:
    """A listening socket on a free port of 127.0.0.1 and its base URL (known before serving)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock, f"http://127.0.0.1:{sock.getsockname()[1]}"


@asynccontextmanager
async def serve(app: ASGIApp, bound: tuple[socket.socket, str] | None = None) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1 (a free port unless `bound`); yield its base URL."""
    sock, url = bound or bind()
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield url
    finally:
        server.should_exit = True
        await task
        sock.close()


def text_update(
    text: str, *, user: str = "u1", message_id: str | None = None, group: bool = False
) -> dict[str, Any]:
    return _update("message.text.received", {"text": text}, user, message_id, group)


def sticker_update(*, user: str = "u1", message_id: str | None = None) -> dict[str, Any]:
    return _update("message.sticker.received", {"sticker": "0e078a2f"}, user, message_id, False)


def image_update(*, user: str = "u1", message_id: str | None = None) -> dict[str, Any]:
    body = {"photo_url": "https://example.com/a.jpg", "caption": "ảnh"}
    return _update("message.image.received", body, user, message_id, False)


_message_ids = itertools.count(1)


def _update(
    event: str, content: dict[str, Any], user: str, message_id: str | None, group: bool
) -> dict[str, Any]:
    return {
        "event_name": event,
        "message": {
            "message_id": message_id or f"m{next(_message_ids):06d}",
            "from": {"id": user, "display_name": f"Người dùng {user}", "is_bot": False},
            "chat": {"id": "g1" if group else user, "chat_type": "GROUP" if group else "PRIVATE"},
            "date": 1795312800000,
            **content,
        },
    }


@dataclass
class FakeZalo:
    """The fake platform's state; `app` is its Starlette app."""

    token: str = TOKEN
    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    photos: list[bytes] = field(default_factory=list)
    updates: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    webhook: tuple[str, str] | None = None
    calls: list[str] = field(default_factory=list)
    # The next `storm` calls answer HTTP 500; `errors` are answered (as ok:false) to sends.
    storm: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    max_wait: float = 0.3
    # getUpdates calls so far, and the call count at which each message id was handed out.
    polls: int = 0
    handed_out: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self.app = Starlette(routes=[Route("/bot{token}/{method}", self._api, methods=["POST"])])

    # What tests read ----------------------------------------------------------------------------

    def texts(self, chat_id: str | None = None) -> list[str]:
        return [
            payload["text"]
            for method, payload in self.sent
            if method == "sendMessage" and chat_id in (None, payload["chat_id"])
        ]

    @property
    def text(self) -> str:
        return "\n".join(self.texts())

    def processed(self, message_id: str) -> bool:
        """The bot has handled `message_id`: it polled again after receiving it."""
        return message_id in self.handed_out and self.polls > self.handed_out[message_id]

    async def deliver(self, update: dict[str, Any], *, secret: str | None = None) -> int:
        """Push `update` to the registered webhook as the platform would; return the status."""
        assert self.webhook is not None, "no webhook registered"
        url, registered = self.webhook
        async with httpx.AsyncClient() as client:
            response = await client.post(
                url,
                json=update,
                headers={"X-Bot-Api-Secret-Token": registered if secret is None else secret},
            )
        return response.status_code

    # The API ------------------------------------------------------------------------------------

    async def _api(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        self.calls.append(method)
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        if self.storm > 0:
            self.storm -= 1
            return JSONResponse({"ok": False, "description": "Internal error"}, status_code=500)
        payload = await request.json()
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return _error(404, "Method not found")
        return await handler(payload)

    async def _getMe(self, _payload: dict[str, Any]) -> JSONResponse:
        return _ok({"id": "42", "account_name": "bot.taskbot", "account_type": "BASIC"})

    async def _getUpdates(self, payload: dict[str, Any]) -> JSONResponse:
        self.polls += 1
        wait = min(float(payload.get("timeout") or 30), self.max_wait)
        try:
            update = await asyncio.wait_for(self.updates.get(), wait)
        except TimeoutError:
            return _error(408, "Request timeout")
        self.handed_out[update["message"]["message_id"]] = self.polls
        return _ok(update)

    async def _setWebhook(self, payload: dict[str, Any]) -> JSONResponse:
        secret = str(payload.get("secret_token") or "")
        if not payload.get("url") or not 8 <= len(secret) <= 256:
            return _error(400, "Invalid url or secret_token")
        self.webhook = (payload["url"], secret)
        return _ok({"url": payload["url"], "updated_at": 1749538250568})

    async def _deleteWebhook(self, _payload: dict[str, Any]) -> JSONResponse:
        self.webhook = None
        return _ok({"url": "", "updated_at": 1749538250568})

    async def _getWebhookInfo(self, _payload: dict[str, Any]) -> JSONResponse:
        return _ok({"url": self.webhook[0] if self.webhook else "", "updated_at": 1749538250568})

    async def _sendMessage(self, payload: dict[str, Any]) -> JSONResponse:
        text = payload.get("text")
        if not payload.get("chat_id") or not isinstance(text, str) or not 1 <= len(text) <= 2000:
            return _error(400, "text must have 1 to 2000 characters")
        return self._sent("sendMessage", payload)

    async def _sendPhoto(self, payload: dict[str, Any]) -> JSONResponse:
        if not payload.get("chat_id") or not payload.get("photo"):
            return _error(400, "chat_id and photo are required")
        async with httpx.AsyncClient() as client:
            response = await client.get(payload["photo"])
        if response.status_code != 200 or not response.headers["content-type"].startswith("image/"):
            return _error(400, "photo URL cannot be fetched")
        self.photos.append(response.content)
        return self._sent("sendPhoto", payload)

    def _sent(self, method: str, payload: dict[str, Any]) -> JSONResponse:
        if self.errors:
            return _error(*self.errors.pop(0))
        self.sent.append((method, payload))
        return _ok({"message_id": f"out{next(self._ids)}", "date": 1749632637199})


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def _error(code: int, description: str) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if code == 429:
        body["parameters"] = {"retry_after": 3}
    status = code if code in (400, 401, 403, 404, 408, 429) else 200
    return JSONResponse(body, status_code=status)
