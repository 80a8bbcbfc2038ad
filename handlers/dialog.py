"""The dialog engine: ask a step's question, take the answer, go back, cancel, resume.

State lives in `DialogState` (dialog, step, data, history, nonce, choices), so a dialog
continues after a restart or on another worker. Every question gets a fresh nonce; a button
whose token carries another nonce is stale and re-shows the current question. Validation errors
(`Invalid`) say what was wrong and ask the same question again.
"""

from __future__ import annotations

import secrets
import unicodedata

from handlers.context import Answer, Context, Invalid
from handlers.router import Dialog, Step
from handlers.types import Choice, Reply

QUESTION_KEY = "_question"
BACK = "__back"
CANCEL = "__cancel"


def normalize_label(text: str) -> str:
    """Casefold, strip diacritics and symbols, so 'hoan thanh' matches 'Hoàn thành' and
    'gửi báo cáo' matches '✓ Gửi báo cáo'."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    kept = (ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch))
    return " ".join("".join(kept).split())


def match_choice(text: str, choices: list[list[str]]) -> str | None:
    """The token of the choice a typed answer names: its number ("2") or its label."""
    answer = text.strip().rstrip(".")
    if answer.isdigit():
        index = int(answer) - 1
        return choices[index][0] if 0 <= index < len(choices) else None
    wanted = normalize_label(answer)
    if not wanted:
        return None
    for token, label in choices:
        if normalize_label(label) == wanted:
            return token
    return None


def dialog_token(nonce: str, value: str) -> str:
    token = f"d:{nonce}:{value}"
    if len(token.encode()) > 64:
        raise ValueError(f"dialog choice value too long: {value!r}")
    return token


def clear(ctx: Context) -> None:
    state = ctx.state
    state.dialog, state.step, state.data, state.history = None, None, {}, []
    state.nonce, state.choices = "", []


class DialogEngine:
    """Runs the dialogs registered on a router against a context's `DialogState`."""

    def __init__(self, dialogs: dict[str, Dialog]) -> None:
        self.dialogs = dialogs

    def _current(self, ctx: Context) -> Step:
        state = ctx.state
        dialog = self.dialogs.get(state.dialog or "")
        if dialog is None or state.step not in dialog.steps:
            raise LookupError(f"no step {state.dialog}.{state.step}")
        return dialog.steps[state.step]

    async def start(
        self, ctx: Context, name: str, data: dict | None = None, at: str | None = None
    ) -> list[Reply]:
        """Open a dialog at its first step, or at step `at` when earlier answers are known."""
        dialog = self.dialogs[name]
        state = ctx.state
        state.dialog, state.step, state.history = name, at or dialog.first, []
        state.data = dict(data or {})
        return await self.ask(ctx)

    async def ask(self, ctx: Context) -> list[Reply]:
        """Render the current step's question, with a fresh nonce and Back/Cancel."""
        _ = ctx.t
        state = ctx.state
        step = self._current(ctx)
        question = await step.ask(ctx)
        state.nonce = secrets.token_urlsafe(4)
        options = list(question.options)
        text = question.text
        if options:
            if state.history:
                options.append((BACK, _("« Back")))
            options.append((CANCEL, _("✖ Cancel")))
            choices = tuple(Choice(dialog_token(state.nonce, v), label) for v, label in options)
        else:
            hints = [_("/back to go back")] if state.history else []
            if step.optional:
                hints.append(_("/skip to leave it empty"))
            hints.append(_("/cancel to stop"))
            text = f"{text}\n({' · '.join(hints)})"
            choices = ()
        state.choices = [[c.token, c.label] for c in choices]
        state.data = {**state.data, QUESTION_KEY: question.text}
        return [Reply(text=text, choices=choices)]

    async def on_choice(self, ctx: Context, token: str) -> list[Reply]:
        """A button press (or a typed number mapped to one) inside a dialog."""
        _ = ctx.t
        parts = token.split(":", 2)
        if len(parts) != 3 or parts[1] != ctx.state.nonce or not ctx.in_dialog:
            expired = Reply(_("This question has expired. Here is the current one:"))
            if not ctx.in_dialog:
                return [Reply(_("This question has expired. Send /help to see what you can do."))]
            return [expired, *await self.ask(ctx)]
        label = dict(map(tuple, ctx.state.choices)).get(token)
        if label is None:
            return [
                Reply(_("This question has expired. Here is the current one:")),
                *await self.ask(ctx),
            ]
        # A pressed button's question stays readable in the chat: its text, the answer ticked.
        # A typed answer needs no echo: the user's own message shows it.
        question = ctx.state.data.get(QUESTION_KEY, "")
        echo = [Reply(f"{question}\n✓ {label}", edit_previous=True)] if ctx.incoming.choice else []
        value = parts[2]
        if value == BACK:
            return [*echo, *await self.back(ctx)]
        if value == CANCEL:
            return [*echo, *self.cancel(ctx)]
        return [*echo, *await self._answer(ctx, Answer(value=value))]

    async def on_text(self, ctx: Context, text: str) -> list[Reply]:
        """Typed text inside a dialog: a choice by number/label, or a free-text answer."""
        _ = ctx.t
        if ctx.state.choices:
            token = match_choice(text, ctx.state.choices)
            if token is None:
                hint = Reply(_("Please pick one of the options: reply with its number."))
                return [hint, *await self.ask(ctx)]
            return await self.on_choice(ctx, token)
        return await self._answer(ctx, Answer(text=text.strip()))

    async def skip(self, ctx: Context) -> list[Reply]:
        _ = ctx.t
        if not self._current(ctx).optional:
            return [Reply(_("This question cannot be skipped.")), *await self.ask(ctx)]
        return await self._answer(ctx, Answer())

    async def back(self, ctx: Context) -> list[Reply]:
        state = ctx.state
        if state.history:
            history = list(state.history)
            state.step = history.pop()
            state.history = history
        return await self.ask(ctx)

    def cancel(self, ctx: Context) -> list[Reply]:
        clear(ctx)
        return [Reply(ctx.t("Cancelled. Nothing was saved."))]

    async def _answer(self, ctx: Context, answer: Answer) -> list[Reply]:
        state = ctx.state
        current = state.step
        try:
            outcome = await self._current(ctx).answer(ctx, answer)
        except Invalid as error:
            return [Reply(error.message), *await self.ask(ctx)]
        if isinstance(outcome, str):
            if outcome != current:
                state.history = [*state.history, current]
            state.step = outcome
            return await self.ask(ctx)
        clear(ctx)
        return outcome

    async def resume(self, ctx: Context) -> list[Reply]:
        """Ask the current question again (after a command interrupted the dialog)."""
        return await self.ask(ctx)
