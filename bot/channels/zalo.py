"""The Zalo channel: Zalo Bot Platform updates in, `Reply`s out, by polling or by webhook.

Transport only. Updates become `Incoming` (`zalo_wire.parse_update`), the core answers, and the
replies go back with `sendMessage` (numbered choices, pieces of ≤ 2000 characters). Replies that
edit a previous message are dropped: Zalo cannot edit. Charts go by `sendPhoto`, which takes a
URL: the image is served from our own web server at `/files/{token}` (`bot.files`); exports get
a download link from the same route. Without a public URL (`TASKBOT_PUBLIC_URL` or
`TASKBOT_WEBHOOK_URL`) a file is replaced by a line saying it cannot be sent on Zalo.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import time
from datetime import UTC, datetime
from json import JSONDecodeError

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.base import (
    Conversation,
    PermanentSendError,
    RetryAfter,
    SendError,
    TransientSendError,
)
from bot.channels.zalo_api import (
    ZaloApi,
    ZaloApiError,
    ZaloError,
    ZaloRateLimited,
    ZaloUnavailable,
)
from bot.channels.zalo_wire import InvalidUpdate, parse_update, render_text, split_text
from bot.files import FileStore
from bot.i18n import translator
from bot.settings import Settings
from handlers.types import Attachment, Incoming, Reply

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/zalo"


class ZaloChannel:
    """One Zalo bot: receives updates (long polling or webhook) and sends replies."""

    name = "zalo"
    # Wait after a failed getUpdates or reply, doubling up to the maximum.
    backoff = 1.0
    max_backoff = 60.0
    # How long a reply is retried while the platform fails (the update is already handled, so
    # a reply given up on is lost; it is logged).
    reply_patience = 180.0

    def __init__(
        self,
        settings: Settings,
        conversation: Conversation,
        *,
        api: ZaloApi | None = None,
        files: FileStore | None = None,
    ) -> None:
        if api is None:
            if settings.zalo_token is None:
                raise ValueError("TASKBOT_ZALO_TOKEN is not set")
            api = ZaloApi(
                settings.zalo_token.get_secret_value(),
                base=settings.zalo_api_base,
                max_per_second=settings.zalo_max_per_second,
            )
        self.settings = settings
        self.conversation = conversation
        self.api = api
        self.files = files or FileStore()
        self._ = translator(settings.default_locale, settings.timezone)
        self._poller: asyncio.Task[None] | None = None

    # Receiving --------------------------------------------------------------------------------

    async def start(self, *, webhook: bool) -> None:
        """Check the token, then register the webhook or start the polling task (returns)."""
        me = await self.api.get_me()
        log.info("zalo bot %s ready", (me or {}).get("account_name", "?"))
        if webhook:
            url, secret = self._webhook_target()
            await self.api.set_webhook(url, secret)
            log.info("zalo webhook set to %s", url)
        else:
            # getUpdates does not work while a webhook is registered.
            await self.api.delete_webhook()
            self._poller = asyncio.create_task(self._poll(), name="zalo-poll")

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        await self.api.close()

    def webhook_routes(self) -> list[BaseRoute]:
        return [Route(WEBHOOK_PATH, self._webhook, methods=["POST"]), *self.files.routes()]

    def _webhook_target(self) -> tuple[str, str]:
        base, secret = self.settings.webhook_url, self.settings.zalo_webhook_secret()
        if not base or secret is None:
            raise ValueError("webhook mode needs TASKBOT_WEBHOOK_URL")
        if not 8 <= len(secret) <= 256:
            raise ValueError("Zalo needs a TASKBOT_WEBHOOK_SECRET of 8 to 256 characters")
        return base.rstrip("/") + WEBHOOK_PATH, secret

    async def _webhook(self, request: Request) -> Response:
        secret = self.settings.zalo_webhook_secret()
        given = request.headers.get(SECRET_HEADER, "").encode()
        if secret is None or not hmac.compare_digest(given, secret.encode()):
            return JSONResponse({"ok": False}, status_code=403)
        try:
            incoming = parse_update(await request.json())
        except (JSONDecodeError, UnicodeDecodeError, InvalidUpdate) as error:
            log.warning("zalo webhook: invalid body (%s)", error)
            return JSONResponse({"ok": False}, status_code=400)
        await self.process(incoming)
        return JSONResponse({"ok": True})

    async def _poll(self) -> None:
        failures = 0
        while True:
            try:
                update = await self.api.get_updates(self.settings.zalo_poll_timeout)
            except ZaloError as error:
                failures += 1
                delay = self._delay(failures)
                log.warning("zalo getUpdates failed (%s); next try in %.1fs", error, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            if update is None:
                continue
            try:
                incoming = parse_update(update, now=datetime.now(UTC))
            except InvalidUpdate as error:
                log.warning("zalo: ignored an update we cannot read (%s)", error)
                continue
            try:
                await self.process(incoming)
            except Exception:
                log.exception("zalo: update %s failed", incoming.update_key)

    def _delay(self, failures: int) -> float:
        return min(self.max_backoff, self.backoff * 2 ** (failures - 1))

    async def process(self, incoming: Incoming) -> None:
        """Hand one update to the core and send its replies to the chat."""
        for reply in await self.conversation.handle(incoming):
            try:
                await self._send_patiently(incoming.chat_id, reply)
            except SendError as error:
                log.error("zalo: reply to %s lost: %s", incoming.chat_id, error)

    async def _send_patiently(self, chat_id: str, reply: Reply) -> None:
        """Send, riding out rate limits and outages for up to `reply_patience` seconds."""
        deadline = time.monotonic() + self.reply_patience
        failures = 0
        while True:
            try:
                await self.send(chat_id, reply)
                return
            except (RetryAfter, TransientSendError) as error:
                failures += 1
                wait = error.seconds if isinstance(error, RetryAfter) else self._delay(failures)
                if time.monotonic() + wait > deadline:
                    raise
                log.warning("zalo: reply to %s failed (%s); again in %.1fs", chat_id, error, wait)
                await asyncio.sleep(wait)

    # Sending ----------------------------------------------------------------------------------

    async def send(self, chat_id: str, reply: Reply) -> str:
        """Send `reply`; return the last message id ("" for a dropped edit)."""
        if reply.edit_previous:
            return ""
        try:
            return await self._deliver(chat_id, reply)
        except ZaloRateLimited as error:
            raise RetryAfter(error.retry_after, error.description) from error
        except ZaloUnavailable as error:
            raise TransientSendError(str(error)) from error
        except ZaloApiError as error:
            if error.error_code >= 500 or error.error_code == 408:
                raise TransientSendError(str(error)) from error
            raise PermanentSendError(str(error)) from error

    async def _deliver(self, chat_id: str, reply: Reply) -> str:
        text = render_text(reply, self._)
        photo_url = None
        if reply.attachment is not None:
            photo_url, line = self._file_link(reply.attachment)
            text = f"{text}\n\n{line}" if line and text else (line or text)
        message_id = ""
        for piece in split_text(text):
            message_id = _message_id(await self.api.send_message(chat_id, piece), message_id)
        if photo_url:
            message_id = _message_id(await self.api.send_photo(chat_id, photo_url), message_id)
        return message_id

    def _file_link(self, attachment: Attachment) -> tuple[str | None, str]:
        """(photo URL to send, text line to add) for a file Zalo cannot take as bytes."""
        _ = self._
        base = self.settings.files_base_url
        if base is None:
            line = _("(The file {filename} cannot be sent on Zalo by this server.)")
            return None, line.format(filename=attachment.filename)
        token, expires = self.files.put(attachment)
        url = f"{base}/files/{token}"
        if attachment.is_photo:
            return url, ""
        line = _("Download {filename}: {url}\nThe link works until {time}.")
        until = datetime.fromtimestamp(expires, UTC)
        return None, line.format(filename=attachment.filename, url=url, time=_.datetime(until))


def _message_id(result: object, previous: str) -> str:
    if isinstance(result, dict) and result.get("message_id") is not None:
        return str(result["message_id"])
    return previous
