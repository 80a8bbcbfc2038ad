"""The messenger channels the settings enable (a token each), for sending and for `taskbot run`."""

from __future__ import annotations

from bot.channels.base import Channel, Conversation
from bot.settings import Settings


def configured_channels(settings: Settings, conversation: Conversation) -> dict[str, Channel]:
    """Telegram and/or Zalo, by name, for each token set; empty when none is."""
    channels: dict[str, Channel] = {}
    if settings.telegram_token is not None:
        from bot.channels.telegram import TelegramChannel

        channels["telegram"] = TelegramChannel(settings, conversation)
    if settings.zalo_token is not None:
        from bot.channels.zalo import ZaloChannel

        channels["zalo"] = ZaloChannel(settings, conversation)
    return channels
