"""Command, action and dialog registration: one `Router` per feature module (errbot/aiogram-like).

- a *command* is `/name args`, allowed to some roles;
- an *action* is a self-validating button token `a:<name>:<args>` (e.g. "start the report on
  task 12 for 2025-05" from a reminder): its handler checks the arguments against the database
  and the user's rights, so a forged token does nothing;
- a *dialog* is a set of steps, each asking a `Question` and taking an `Answer`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from bot.i18n import N_
from handlers.context import Answer, Context, Question
from handlers.types import Reply
from storage.models import Role

CommandFn = Callable[[Context, str], Awaitable[list[Reply]]]
ActionFn = Callable[[Context, list[str]], Awaitable[list[Reply]]]
AskFn = Callable[[Context], Awaitable[Question]]
AnswerFn = Callable[[Context, Answer], Awaitable["str | list[Reply]"]]

# What a forged, stale or malformed button gets, whichever feature it belongs to.
INVALID_BUTTON = N_("This button is not valid any more. Send /help to see what you can do.")

EVERYONE = frozenset(Role)
LEADERS = frozenset({Role.head, Role.office, Role.admin})
OFFICE = frozenset({Role.office, Role.admin})


@dataclass(frozen=True)
class Command:
    name: str
    fn: CommandFn
    help: str
    roles: frozenset[Role]
    # Shown in /help and the channel's command menu; hidden ones still work.
    listed: bool = True
    # Works before enrollment (only /start and /help) and in group chats.
    public: bool = False


@dataclass(frozen=True)
class Step:
    """A dialog step. `answer` returns the next step's name, or the replies that end the dialog."""

    ask: AskFn
    answer: AnswerFn
    # A step that may be left empty (`/skip` or "-").
    optional: bool = False


@dataclass
class Dialog:
    name: str
    first: str
    steps: dict[str, Step] = field(default_factory=dict)


class Router:
    """The commands, actions and dialogs of one feature module."""

    def __init__(self) -> None:
        self.commands: dict[str, Command] = {}
        self.actions: dict[str, ActionFn] = {}
        # Actions that work before enrollment (the console's person picker).
        self.public_actions: set[str] = set()
        self.dialogs: dict[str, Dialog] = {}

    def command(
        self,
        name: str,
        help: str,
        roles: Iterable[Role] = EVERYONE,
        *,
        listed: bool = True,
        public: bool = False,
    ) -> Callable[[CommandFn], CommandFn]:
        def register(fn: CommandFn) -> CommandFn:
            self.commands[name] = Command(name, fn, help, frozenset(roles), listed, public)
            return fn

        return register

    def action(self, name: str, *, public: bool = False) -> Callable[[ActionFn], ActionFn]:
        def register(fn: ActionFn) -> ActionFn:
            self.actions[name] = fn
            if public:
                self.public_actions.add(name)
            return fn

        return register

    def dialog(self, name: str, first: str) -> Dialog:
        dialog = Dialog(name, first)
        self.dialogs[name] = dialog
        return dialog

    @staticmethod
    def step(
        dialog: Dialog, name: str, *, ask: AskFn, answer: AnswerFn, optional: bool = False
    ) -> None:
        dialog.steps[name] = Step(ask, answer, optional)

    def include(self, other: Router) -> None:
        for table, extra in (
            (self.commands, other.commands),
            (self.actions, other.actions),
            (self.dialogs, other.dialogs),
        ):
            clash = table.keys() & extra.keys()
            if clash:
                raise ValueError(f"registered twice: {sorted(clash)}")
            table.update(extra)  # type: ignore[attr-defined]
        self.public_actions |= other.public_actions


def action_token(name: str, *args: object) -> str:
    """A button token for an action; at most 64 bytes (Telegram's callback_data limit)."""
    token = ":".join(["a", name, *(str(arg) for arg in args)])
    if len(token.encode()) > 64:
        raise ValueError(f"action token too long: {token!r}")
    return token
