"""The webhook receiver: Telegram's POSTs answered only once the update is handled.

python-telegram-bot's own webhook server answers 200 as soon as an update is queued, so an
update queued by a process that then dies is lost (Telegram does not send it again). Here the
answer waits for the handling: a worker killed mid-update never answers, Telegram (or the
load balancer in front of several workers) sends the update again, and the database's record
of handled update ids keeps a second worker from handling it twice.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.web import Application, RequestHandler

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024

# Handles one decoded update; returns once it is handled (or kept for later).
Receive = Callable[[dict[str, Any]], Awaitable[None]]


class _UpdateHandler(RequestHandler):
    """Checks the secret token Telegram sends back, then hands the update over."""

    def initialize(self, receive: Receive, secret: str) -> None:
        self._receive = receive
        self._secret = secret

    def check_xsrf_cookie(self) -> None:
        """Telegram sends no cookie; the secret token header authenticates the request."""

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self._secret.encode()):
            log.warning(
                "refused a webhook request without the right secret token from %s",
                self.request.remote_ip,
            )
            self.set_status(403)
            return
        try:
            update = json.loads(self.request.body)
        except ValueError:
            self.set_status(400)
            return
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            self.set_status(400)
            return
        await self._receive(update)
        self.set_status(200)


class WebhookReceiver:
    """A small HTTP server on `listen:port` that hands Telegram's updates to `receive`."""

    def __init__(self, receive: Receive, *, path: str, secret: str) -> None:
        if not secret:
            # Without it anyone who finds the address could post updates in a member's name.
            raise ValueError("a Telegram webhook needs a secret token")
        self._app = Application(
            [(f"/{path.strip('/')}", _UpdateHandler, {"receive": receive, "secret": secret})]
        )
        self._server: HTTPServer | None = None

    def start(self, listen: str, port: int) -> None:
        """Listen (in the running event loop)."""
        self._server = HTTPServer(self._app, max_body_size=MAX_BODY, xheaders=True)
        self._server.listen(port, address=listen)
        log.info("Telegram webhook receiver on %s:%d", listen, port)

    async def stop(self) -> None:
        """Stop accepting updates and close open connections."""
        if self._server is None:
            return
        self._server.stop()
        await self._server.close_all_connections()
        self._server = None
