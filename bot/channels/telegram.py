"""The Telegram channel: python-telegram-bot as transport, the core doing everything else.

One PTB handler takes every update, turns it into an `Incoming` (`telegram_format`), hands it
to `Conversation.handle` and renders the replies: escaped HTML text split at 4096 characters,
inline buttons carrying the choice tokens, a pressed button's question edited in place, files
as photos or documents. Every call goes through `TelegramRateLimiter`.

Polling suits one process; with `TASKBOT_WEBHOOK_URL` several processes can share the work
behind one URL: the database dedupes update ids and keeps dialog state, so any process can
take the next update of any chat.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import json
import logging
from collections.abc import Awaitable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import Bot, BotCommand, InputFile, Message, Update
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
)
from telegram.error import RetryAfter as PtbRetryAfter
from telegram.ext import Application, ApplicationBuilder, BaseUpdateProcessor, TypeHandler

from bot.channels.base import (
    Conversation,
    PermanentSendError,
    RetryAfter,
    SendError,
    TransientSendError,
)
from bot.channels.telegram_format import (
    CAPTION_LIMIT,
    CHANNEL,
    TEXT_LIMIT,
    keyboard,
    split_text,
    to_incoming,
)
from bot.channels.telegram_limits import TelegramRateLimiter, retry_after_seconds
from bot.i18n import SUPPORTED_LOCALES, translator
from bot.settings import Settings
from handlers.registry import build_router
from handlers.types import Reply

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram"
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
# Updates are a few kilobytes; anything much larger is not from Telegram.
MAX_UPDATE_BYTES = 1 << 20


async def fetch_username(settings: Settings) -> str | None:
    """The bot's @username: `TASKBOT_TELEGRAM_USERNAME`, else asked with getMe."""
    if settings.telegram_username or settings.telegram_token is None:
        return settings.telegram_username
    bot = Bot(
        settings.telegram_token.get_secret_value(),
        base_url=settings.telegram_api_base,
        base_file_url=settings.telegram_file_base,
    )
    try:
        async with bot:
            return bot.username
    except TelegramError as error:
        log.warning("could not ask Telegram for the bot's name: %s", error)
        return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Updates of different chats in parallel, those of one chat one after another, in order.

    Sending is throttled per chat, so a strictly sequential bot would make every chat wait for
    the busiest one; a fully concurrent one could answer a chat's two quick taps out of order.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        # Per chat: its lock and how many updates hold or wait for it (dropped at zero).
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock, users = self._chats.get(chat.id, (asyncio.Lock(), 0))
        self._chats[chat.id] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._chats[chat.id]
            if users == 1:
                del self._chats[chat.id]
            else:
                self._chats[chat.id] = (lock, users - 1)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


class TelegramChannel:
    """A `bot.channels.base.Channel` for Telegram."""

    name = CHANNEL

    def __init__(self, settings: Settings, conversation: Conversation) -> None:
        if settings.telegram_token is None:
            raise ValueError("TASKBOT_TELEGRAM_TOKEN is not set")
        self.settings = settings
        self.conversation = conversation
        self.app: Application = (
            ApplicationBuilder()
            .token(settings.telegram_token.get_secret_value())
            .base_url(settings.telegram_api_base)
            .base_file_url(settings.telegram_file_base)
            .rate_limiter(
                TelegramRateLimiter(
                    per_second=settings.telegram_rate_per_second,
                    chat_per_second=settings.telegram_chat_rate_per_second,
                    group_per_minute=settings.telegram_group_rate_per_minute,
                    max_retries=settings.telegram_max_retries,
                    backoff=settings.telegram_retry_backoff,
                )
            )
            .concurrent_updates(ChatOrderedProcessor(settings.telegram_concurrent_updates))
            .job_queue(None)
            .build()
        )
        self.app.add_handler(TypeHandler(Update, self._on_update))
        self.app.add_error_handler(self._on_error)
        self._secret = settings.telegram_webhook_secret() or ""
        self._initialized = False

    @property
    def username(self) -> str | None:
        """The bot's @username (from getMe), once started."""
        return self.app.bot.username if self._initialized else None

    # --- lifecycle -------------------------------------------------------------------------

    async def _initialize(self) -> None:
        if not self._initialized:
            await self.app.initialize()
            self._initialized = True

    async def start(self, *, webhook: bool) -> None:
        """Long polling, or (webhook) register `TASKBOT_WEBHOOK_URL/telegram` with Telegram."""
        await self._initialize()
        await self._set_commands()
        await self.app.start()
        if webhook:
            if not self.settings.webhook_url:
                raise ValueError("webhook mode needs TASKBOT_WEBHOOK_URL")
            url = self.settings.webhook_url.rstrip("/") + WEBHOOK_PATH
            await self.app.bot.set_webhook(
                url, secret_token=self._secret, allowed_updates=ALLOWED_UPDATES
            )
            log.info("Telegram webhook set for @%s", self.app.bot.username)
        else:
            assert self.app.updater is not None
            await self.app.updater.start_polling(
                poll_interval=0,
                timeout=self.settings.telegram_poll_timeout,
                allowed_updates=ALLOWED_UPDATES,
            )
            log.info("Telegram polling started for @%s", self.app.bot.username)

    async def stop(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        if self._initialized:
            await self.app.shutdown()
            self._initialized = False

    async def _set_commands(self) -> None:
        """The command menu in each language (the listed commands of every feature)."""
        commands = [c for c in build_router().commands.values() if c.listed]
        for locale in SUPPORTED_LOCALES:
            _ = translator(locale)
            menu = [BotCommand(c.name, _(c.help)[:256]) for c in commands]
            try:
                await self.app.bot.set_my_commands(menu, language_code=locale)
                if locale == self.settings.default_locale:
                    await self.app.bot.set_my_commands(menu)
            except TelegramError as error:
                log.warning("could not set the %s command menu: %s", locale, error)

    # --- webhook ---------------------------------------------------------------------------

    def webhook_routes(self) -> list[BaseRoute]:
        return [Route(WEBHOOK_PATH, self._webhook, methods=["POST"])]

    async def _webhook(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret.encode()):
            log.warning("Telegram webhook call without the right secret from %s", request.client)
            return Response(status_code=403)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_UPDATE_BYTES:
                log.warning("Telegram webhook body over %d bytes refused", MAX_UPDATE_BYTES)
                return Response(status_code=413)
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("no update_id")
            update = Update.de_json(data, self.app.bot)
        except Exception as error:
            log.warning("Telegram webhook body is not an update: %s", error)
            return Response(status_code=400)
        if not self.app.running:
            return Response(status_code=503)
        # Answer at once; the update is handled in the background (deduped in the database).
        await self.app.update_queue.put(update)
        return Response(status_code=200)

    # --- inbound ---------------------------------------------------------------------------

    async def _on_update(self, update: Update, _context: object) -> None:
        query = update.callback_query
        if query is not None:
            await self._quietly(query.answer())
        incoming = to_incoming(update)
        if incoming is None:
            return
        replies = await self.conversation.handle(incoming)
        pressed = query.message if query is not None else None
        if not isinstance(pressed, Message):
            pressed = None
        edited = False
        for reply in replies:
            if reply.edit_previous and pressed is not None and not edited:
                edited = await self._edit(pressed, reply)
                if edited:
                    continue
            if reply.edit_previous and pressed is None:
                continue
            await self._quietly(self._deliver(incoming.chat_id, reply))
        if pressed is not None and not edited:
            # The buttons of a question already answered (or expired) must not linger.
            await self._quietly(pressed.edit_reply_markup(reply_markup=None))

    async def _on_error(self, update: object, context: Any) -> None:
        update_id = getattr(update, "update_id", "?")
        log.error("Telegram update %s failed", update_id, exc_info=context.error)

    async def _edit(self, message: Message, reply: Reply) -> bool:
        """Put `reply` in place of the question whose button was pressed; False if impossible."""
        if len(reply.text) > TEXT_LIMIT or message.text is None:
            return False
        try:
            await message.edit_text(
                html.escape(reply.text), parse_mode=ParseMode.HTML, reply_markup=None
            )
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return True
            log.info("could not edit message %s: %s", message.message_id, error)
            return False
        except TelegramError as error:
            log.warning("could not edit message %s: %s", message.message_id, error)
            return False
        return True

    @staticmethod
    async def _quietly(call: Awaitable[object]) -> None:
        """A reply that cannot be sent is logged; the update was handled all the same."""
        try:
            await call
        except (TelegramError, SendError) as error:
            log.warning("Telegram reply not delivered: %s", error)

    # --- outbound --------------------------------------------------------------------------

    async def send(self, chat_id: str, reply: Reply) -> str:
        """Send `reply` (for the outbox dispatcher); PTB errors become `SendError`s."""
        await self._initialize()
        return await self._deliver(chat_id, reply)

    async def _deliver(self, chat_id: str, reply: Reply) -> str:
        try:
            return await self._send_pieces(chat_id, reply)
        except PtbRetryAfter as error:
            raise RetryAfter(retry_after_seconds(error), str(error)) from error
        except (Forbidden, BadRequest, InvalidToken, ChatMigrated) as error:
            raise PermanentSendError(str(error)) from error
        except (NetworkError, TelegramError) as error:
            raise TransientSendError(str(error)) from error

    async def _send_pieces(self, chat_id: str, reply: Reply) -> str:
        bot = self.app.bot
        markup = keyboard(reply.choices)
        attachment = reply.attachment
        caption = None
        texts = split_text(reply.text)
        if attachment is not None and len(reply.text) <= CAPTION_LIMIT:
            caption, texts = (html.escape(reply.text) or None), []
        last: Message | None = None
        for number, text in enumerate(texts, 1):
            final = number == len(texts) and attachment is None
            last = await bot.send_message(
                chat_id,
                html.escape(text),
                parse_mode=ParseMode.HTML,
                reply_markup=markup if final else None,
            )
        if attachment is not None:
            file = InputFile(attachment.content, filename=attachment.filename)
            send = bot.send_photo if attachment.is_photo else bot.send_document
            last = await send(
                chat_id,
                file,
                caption=caption,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        if last is None:
            raise PermanentSendError("empty reply")
        return str(last.message_id)
