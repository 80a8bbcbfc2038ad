"""The terminal channel: the whole bot in a shell, for the demo and for trying things out.

Choices are printed as numbered lines and answered with the number (or the label), exactly as
on Zalo; files (charts, exports) are saved under `out/` and their path printed.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from starlette.routing import BaseRoute

from bot.channels.base import Conversation
from bot.i18n import translator
from handlers.types import Incoming, Reply

CHAT_ID = "console"


class ConsoleChannel:
    """Reads lines from a terminal, prints the bot's replies; also a `Sender` for reminders."""

    name = "console"

    def __init__(
        self,
        conversation: Conversation,
        *,
        locale: str = "vi",
        read_line: Callable[[], str] = input,
        out: TextIO = sys.stdout,
        files_dir: Path = Path("out"),
    ) -> None:
        self.conversation = conversation
        self._ = translator(locale)
        self.read_line = read_line
        self.out = out
        self.files_dir = files_dir
        self._ids = itertools.count(1)
        self._session = datetime.now(UTC).strftime("%Y%m%d%H%M%S")

    async def say(self, text: str) -> list[Reply]:
        """Send one line as the console user and print the replies."""
        incoming = Incoming(
            channel=self.name,
            chat_id=CHAT_ID,
            sender_id=CHAT_ID,
            update_key=f"{self._session}-{next(self._ids)}",
            received_at=datetime.now(UTC),
            text=text,
        )
        replies = await self.conversation.handle(incoming)
        for reply in replies:
            self._print(reply)
        return replies

    async def run(self) -> None:
        """The interactive loop; ends on end of input, /quit or Ctrl-C."""
        _ = self._
        self._write(
            _("taskbot console: /as to choose who you are, /help for commands, /quit to leave.")
        )
        await self.say("/as")
        while True:
            try:
                line = await asyncio.to_thread(self.read_line)
            except (EOFError, KeyboardInterrupt):
                break
            line = line.strip()
            if line in ("/quit", "/exit"):
                break
            if line:
                await self.say(line)
        self._write(_("Goodbye."))

    async def send(self, chat_id: str, reply: Reply) -> str:
        self._write(self._("— message from taskbot —"))
        self._print(reply)
        return f"console-{next(self._ids)}"

    async def start(self, *, webhook: bool) -> None:
        await self.run()

    async def stop(self) -> None:
        return None

    def webhook_routes(self) -> list[BaseRoute]:
        return []

    def _print(self, reply: Reply) -> None:
        if reply.edit_previous:
            return
        lines = [reply.text]
        lines += [f"  {number}. {choice.label}" for number, choice in enumerate(reply.choices, 1)]
        if reply.attachment is not None:
            self.files_dir.mkdir(parents=True, exist_ok=True)
            path = self.files_dir / reply.attachment.filename
            path.write_bytes(reply.attachment.content)
            lines.append(self._("[file saved: {path}]").format(path=path))
        self._write("\n".join(lines))

    def _write(self, text: str) -> None:
        print(text, file=self.out, flush=True)
