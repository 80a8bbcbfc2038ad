"""Short-lived download links for files a channel cannot upload (charts and exports on Zalo).

Zalo's `sendPhoto` takes a URL, not bytes, and Zalo has no document upload at all, so such a file
is kept in memory under a random, unguessable token and served at `/files/{token}` on the bot's
own web server until it expires. The store lives in the process that sends the message, which
must also serve the web app (`taskbot run` does both in one process).
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from handlers.types import Attachment

DEFAULT_TTL = 7 * 24 * 3600.0


@dataclass(frozen=True, slots=True)
class _Entry:
    attachment: Attachment
    expires: float


class FileStore:
    """Attachments by token, each for `ttl` seconds; the oldest go first beyond `max_files`."""

    def __init__(
        self,
        *,
        ttl: float = DEFAULT_TTL,
        max_files: int = 1000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ttl = ttl
        self.max_files = max_files
        self.clock = clock
        self._files: OrderedDict[str, _Entry] = OrderedDict()

    def put(self, attachment: Attachment) -> tuple[str, float]:
        """Keep `attachment`; return its token and its expiry (epoch seconds)."""
        self._expire()
        token = secrets.token_urlsafe(24)
        expires = self.clock() + self.ttl
        self._files[token] = _Entry(attachment, expires)
        while len(self._files) > self.max_files:
            self._files.popitem(last=False)
        return token, expires

    def get(self, token: str) -> Attachment | None:
        entry = self._files.get(token)
        if entry is None or entry.expires <= self.clock():
            return None
        return entry.attachment

    def _expire(self) -> None:
        now = self.clock()
        while self._files and next(iter(self._files.values())).expires <= now:
            self._files.popitem(last=False)

    async def serve(self, request: Request) -> Response:
        attachment = self.get(request.path_params["token"])
        if attachment is None:
            return PlainTextResponse("not found", status_code=404)
        disposition = "inline" if attachment.is_photo else "attachment"
        return Response(
            attachment.content,
            media_type=attachment.mime_type,
            headers={
                "Content-Disposition": (
                    f"{disposition}; filename*=UTF-8''{quote(attachment.filename)}"
                ),
                "Cache-Control": "private, no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    def routes(self) -> list[BaseRoute]:
        return [Route("/files/{token}", self.serve, methods=["GET", "HEAD"])]
