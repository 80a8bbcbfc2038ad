"""Every feature module's router, included in one (the dispatcher's table).

A feature module is any module of the `handlers` package with a module-level `router`; adding
a feature is adding a module, no list to edit.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import handlers
from handlers.router import Router


@cache
def build_router() -> Router:
    router = Router()
    for info in sorted(pkgutil.iter_modules(handlers.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"handlers.{info.name}")
        feature = getattr(module, "router", None)
        if isinstance(feature, Router):
            router.include(feature)
    return router
