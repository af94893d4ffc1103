"""The operators' HTTP endpoint, served by aiohttp in `samu run`'s own event loop.

GET /healthz: 200 "ok" while the process runs. GET /readyz: 200 when every readiness check
passes, else 503; the JSON body gives each check's verdict. GET /metrics: Prometheus text.
"""

from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.monitoring import MonitoringError
from bot.monitoring.metrics import Metrics
from bot.monitoring.probe import OK, Probe

log = logging.getLogger(__name__)


class MonitoringServer:
    """Serves /healthz, /readyz and /metrics on `host:port` until stopped."""

    def __init__(self, probe: Probe, metrics: Metrics, host: str, port: int) -> None:
        self.probe = probe
        self.metrics = metrics
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None
        # One look at a time: scrapes and probes arriving together share the database's answer.
        self._looking = asyncio.Lock()

    @property
    def address(self) -> str:
        """The URL it answers on (the port actually bound, once started)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        """Listen; raises MonitoringError when the address cannot be used."""
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
        except OSError as error:
            await runner.cleanup()
            raise MonitoringError(
                f"monitoring: cannot listen on {self.host}:{self.port}: {error.strerror or error}"
            ) from None
        self._runner = runner
        bound = runner.addresses[0]
        self.port = int(bound[1])
        log.info("monitoring endpoint on %s (/healthz, /readyz, /metrics)", self.address)

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def _readyz(self, request: web.Request) -> web.Response:
        async with self._looking:
            look = await self.probe.look()
        limits = self.probe.limits
        self.metrics.saw(look, limits)
        checks = look.checks(limits)
        ready = all(verdict == OK for verdict in checks.values())
        if not ready:
            log.debug("not ready: %s", {k: v for k, v in checks.items() if v != OK})
        body = json.dumps({"ready": ready, "checks": checks}, ensure_ascii=False, indent=1)
        return web.Response(
            text=body + "\n", status=200 if ready else 503, content_type="application/json"
        )

    async def _metrics(self, request: web.Request) -> web.Response:
        async with self._looking:
            look = await self.probe.look(requests=True)
        page = self.metrics.page(look, self.probe.limits)
        return web.Response(body=page, headers={"Content-Type": CONTENT_TYPE_LATEST})
