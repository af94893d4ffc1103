"""Matrix (and Tchap), through matrix-nio: the adapter only translates."""

from bot.transports.matrix.adapter import (
    MatrixSettings,
    MatrixTransport,
    StateStore,
    device_fingerprint,
)

__all__ = ["MatrixSettings", "MatrixTransport", "StateStore", "device_fingerprint"]
