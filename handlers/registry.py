"""Every feature module's router, included in one (the dispatcher's table)."""

from __future__ import annotations

from functools import cache

from handlers import basics
from handlers.router import Router


@cache
def build_router() -> Router:
    router = Router()
    for module in (basics,):
        router.include(module.router)
    return router
