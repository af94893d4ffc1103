"""Matrix (and Tchap), through matrix-nio: the adapter only translates."""

from bot.transports.matrix.adapter import MatrixTransport
from bot.transports.matrix.login import Device, LoginRefused, check_login, device_fingerprint
from bot.transports.matrix.settings import MatrixSettings, MemberDirectory, StateStore

__all__ = [
    "Device",
    "LoginRefused",
    "MatrixSettings",
    "MatrixTransport",
    "MemberDirectory",
    "StateStore",
    "check_login",
    "device_fingerprint",
]
