"""`taskbot zalo check`: is the Zalo token good, and where does the platform deliver updates?"""

from __future__ import annotations

import asyncio
from typing import Any

import typer

from bot.channels.zalo_api import ZaloApi, ZaloError
from bot.cli import _, app, console
from bot.settings import get_settings

zalo_app = typer.Typer(help="The Zalo bot.", no_args_is_help=True)
app.add_typer(zalo_app, name="zalo")


@zalo_app.command("check")
def check() -> None:
    """Check TASKBOT_ZALO_TOKEN with getMe and show the registered webhook (getWebhookInfo)."""
    settings = get_settings()
    if settings.zalo_token is None:
        console.print(_("TASKBOT_ZALO_TOKEN is not set."))
        raise typer.Exit(2)
    api = ZaloApi(settings.zalo_token.get_secret_value(), base=settings.zalo_api_base, retries=1)

    async def go() -> tuple[dict[str, Any], dict[str, Any]]:
        try:
            return await api.get_me(), await api.get_webhook_info()
        finally:
            await api.close()

    try:
        me, webhook = asyncio.run(go())
    except ZaloError as error:
        console.print(_("Zalo refused: {error}").format(error=error), markup=False)
        raise typer.Exit(1) from error
    console.print(
        _("Zalo bot {name} (id {id}) is reachable.").format(
            name=me.get("account_name", "?"), id=me.get("id", "?")
        ),
        markup=False,
    )
    url = (webhook or {}).get("url")
    if url:
        console.print(_("Webhook: {url}").format(url=url), markup=False)
    else:
        console.print(_("No webhook: updates are fetched by polling."))
