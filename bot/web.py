"""The web server for webhooks: one Starlette app carrying every channel's routes."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


def build_app(routes: Iterable[BaseRoute]) -> Starlette:
    """A Starlette app with `/healthz` and the given channel routes (e.g. `/telegram`, `/zalo`)."""
    return Starlette(routes=[Route("/healthz", healthz), *routes])
