"""Servers that never answer, for a bot whose network is down.

- `Blackhole`: accepts TCP connections on loopback and never sends a byte (a silent server,
  a proxy that holds requests, a firewall that lets the handshake through): every request
  waits for its client's timeout.
- `refused_port()`: a loopback port where nothing listens: every connection is refused at once.
"""

from __future__ import annotations

import asyncio
import socket
from types import TracebackType


class Blackhole:
    """A loopback TCP server that holds every connection open and answers nothing."""

    def __init__(self) -> None:
        self.port = 0
        self.accepted = 0  # connections taken so far (each one a request left hanging)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        """The server's address, as a base URL."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Listen on a free loopback port (`port`)."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Close every connection held, then the server."""
        for writer in self._writers:
            writer.close()
        self._writers.clear()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def __aenter__(self) -> Blackhole:
        await self.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self._writers.add(writer)  # read nothing, answer nothing: the client waits


def refused_port() -> int:
    """A loopback port nothing listens on (taken from the system, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
