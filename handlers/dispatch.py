"""Route one update: a command, a button (action or dialog choice), or an answer in a dialog.

Gates come first: someone not enrolled learns only how to enroll; a group chat gets nothing
but a pointer to a private chat (status and reports are not for a group's eyes); a command is
refused politely to a role it is not for.
"""

from __future__ import annotations

from handlers.basics import enroll_hint
from handlers.context import Context
from handlers.dialog import DialogEngine, match_choice
from handlers.router import INVALID_BUTTON, Router
from handlers.types import Reply

# Work inside a dialog, not commands that replace it.
_DIALOG_NAVIGATION = {"cancel", "back", "skip"}


def parse_command(text: str) -> tuple[str, str] | None:
    """'/report@taskbot 12' → ('report', '12'); None when the text is not a command."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _sep, args = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    if not name.replace("_", "").isalnum():
        return None
    return name, args.strip()


def remember_choices(ctx: Context, replies: list[Reply]) -> None:
    """Outside a dialog, the buttons just shown are the ones a typed "2" or label answers.

    Zalo and the console have no buttons: they number the choices and the user types the number
    or the label. Only the last message with choices counts (each is numbered from 1); a reply
    without choices clears them, so a stale "2" is not taken for a button.
    """
    offered = [reply.choices for reply in replies if reply.choices]
    ctx.state.choices = [[c.token, c.label] for c in offered[-1]] if offered else []


class Dispatcher:
    """Dispatches updates to the routers' commands, actions and dialogs."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self.dialogs = DialogEngine(router.dialogs)

    async def dispatch(self, ctx: Context) -> list[Reply]:
        replies = await self._route(ctx)
        if not ctx.in_dialog:
            remember_choices(ctx, replies)
        return replies

    async def _route(self, ctx: Context) -> list[Reply]:
        incoming = ctx.incoming
        _ = ctx.t
        ctx.commands, ctx.dialogs = self.router.commands, self.dialogs
        text = (incoming.text or "").strip()
        command = parse_command(text) if text else None

        if not incoming.private:
            if command and command[0] in ("help", "start"):
                return [Reply(_("Please talk to me in a private chat: reports are personal."))]
            return []
        if incoming.unsupported:
            return [
                Reply(
                    _("I can only read text messages and buttons. Send /help to see what I can do.")
                )
            ]
        if command is not None:
            return await self._command(ctx, *command)
        token = incoming.choice
        if token is None and text and not ctx.in_dialog and ctx.state.choices:
            token = match_choice(text, ctx.state.choices)
        if ctx.officer is None and not self._is_public_action(token):
            return enroll_hint(ctx)
        if token is not None:
            return await self._choice(ctx, token)
        if not text:
            return []
        if ctx.in_dialog:
            return await self.dialogs.on_text(ctx, text)
        return [Reply(_("Sorry, I did not understand that. Send /help to see what I can do."))]

    def _is_public_action(self, token: str | None) -> bool:
        if token is None or not token.startswith("a:"):
            return False
        return token.split(":", 2)[1] in self.router.public_actions

    async def _command(self, ctx: Context, name: str, args: str) -> list[Reply]:
        _ = ctx.t
        command = self.router.commands.get(name)
        if ctx.officer is None and not (command and command.public):
            return enroll_hint(ctx)
        if command is None:
            return [Reply(_("Unknown command /{name}. Send /help for the list.").format(name=name))]
        if ctx.officer is not None and ctx.role not in command.roles:
            return [Reply(_("Sorry, /{name} is not available for your role.").format(name=name))]
        if ctx.in_dialog and name in _DIALOG_NAVIGATION:
            return await self._navigate(ctx, name)
        before = (ctx.state.dialog, ctx.state.step, ctx.state.nonce)
        replies = await command.fn(ctx, args)
        if ctx.in_dialog and (ctx.state.dialog, ctx.state.step, ctx.state.nonce) == before:
            # An informational command in the middle of a dialog: show its answer, then the
            # pending question again, so the dialog is not lost.
            replies = [*replies, *await self.dialogs.resume(ctx)]
        return replies

    async def _navigate(self, ctx: Context, name: str) -> list[Reply]:
        if name == "cancel":
            return self.dialogs.cancel(ctx)
        if name == "back":
            return await self.dialogs.back(ctx)
        return await self.dialogs.skip(ctx)

    async def _choice(self, ctx: Context, token: str) -> list[Reply]:
        _ = ctx.t
        kind, _sep, rest = token.partition(":")
        if kind == "d":
            return await self.dialogs.on_choice(ctx, token)
        if kind == "a":
            name, _sep, args = rest.partition(":")
            action = self.router.actions.get(name)
            if action is not None:
                return await action(ctx, args.split(":") if args else [])
        return [Reply(_(INVALID_BUTTON))]
