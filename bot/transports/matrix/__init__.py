"""Matrix (and Tchap), through matrix-nio: the adapter only translates."""

from bot.transports.matrix.adapter import MatrixSettings, MatrixTransport, StateStore

__all__ = ["MatrixSettings", "MatrixTransport", "StateStore"]
