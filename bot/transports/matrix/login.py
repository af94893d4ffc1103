"""The bot's Matrix login and device: kept in the bot's database, so that a restart resumes
the same device (its keys stay valid in `store_path`) instead of creating a new one.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from nio import AsyncClient, AsyncClientConfig, LoginResponse, WhoamiResponse

from bot.transports.matrix.settings import MatrixSettings, StateStore

LOGIN_KEY = "matrix.login"  # "device_id access_token"


class LoginRefused(Exception):
    """The homeserver refused the bot's credentials (or its saved login)."""


@dataclass(frozen=True, slots=True)
class Device:
    """Who the bot is on the homeserver: its account, its device and the device's key."""

    user_id: str
    device_id: str
    fingerprint: str | None  # the ed25519 key, None without encryption


def new_client(settings: MatrixSettings) -> AsyncClient:
    """A nio client for the bot (end-to-end encryption when enabled and a store is set)."""
    store = settings.store_path or ""
    return AsyncClient(
        settings.homeserver,
        settings.user_id,
        store_path=store,
        config=AsyncClientConfig(
            encryption_enabled=settings.encryption and bool(store),
            store_sync_tokens=False,
            max_limit_exceeded=0,
        ),
    )


async def prepare_store(settings: MatrixSettings) -> None:
    """Create the key store's folder when encryption needs it."""
    if settings.encryption and settings.store_path:
        await asyncio.to_thread(Path(settings.store_path).mkdir, parents=True, exist_ok=True)


async def log_in(client: AsyncClient, settings: MatrixSettings, state: StateStore) -> None:
    """Resume the saved login, else use the access token, else log in with the password (and
    save the login). Raises LoginRefused when the homeserver refuses."""
    saved = await state.get(LOGIN_KEY)
    if saved:
        device_id, token = saved.split(" ", 1)
        client.restore_login(settings.user_id, device_id, token)
        if client.store is None and settings.encryption and settings.store_path:
            client.load_store()
        return
    if settings.access_token:
        client.access_token = settings.access_token
        whoami = await client.whoami()
        if not isinstance(whoami, WhoamiResponse):
            raise LoginRefused(str(whoami))
        client.restore_login(settings.user_id, whoami.device_id or "SAMU", settings.access_token)
        if settings.encryption and settings.store_path:
            client.load_store()
    else:
        response = await client.login(settings.password, device_name=settings.device_name)
        if not isinstance(response, LoginResponse):
            raise LoginRefused(str(response))
    await state.set(LOGIN_KEY, f"{client.device_id} {client.access_token}")


def fingerprint(client: AsyncClient) -> str | None:
    """The device's ed25519 key, as clients show it when verifying (None without encryption)."""
    if client.olm is None:
        return None
    return str(client.olm.account.identity_keys.get("ed25519", "")) or None


async def check_login(settings: MatrixSettings, state: StateStore) -> Device:
    """Log in as `samu run` does, then ask the homeserver whom the token belongs to.

    A first login with the password is saved, so `samu run` uses that device afterwards.
    Raises LoginRefused (or a connection error) when the homeserver does not accept it.
    """
    await prepare_store(settings)
    client = new_client(settings)
    try:
        await log_in(client, settings, state)
        whoami = await client.whoami()
        if not isinstance(whoami, WhoamiResponse):
            raise LoginRefused(str(whoami))
        device_id = whoami.device_id or str(client.device_id)
        return Device(whoami.user_id, device_id, fingerprint(client))
    finally:
        await client.close()


async def device_fingerprint(settings: MatrixSettings, state: StateStore) -> tuple[str, str] | None:
    """The bot's device id and ed25519 fingerprint, read offline from its key store.

    None before the first login (nothing stored yet) or without encryption.
    """
    saved = await state.get(LOGIN_KEY)
    if not saved or not settings.encryption or not settings.store_path:
        return None
    if not await asyncio.to_thread(Path(settings.store_path).is_dir):
        return None
    device_id, token = saved.split(" ", 1)
    client = AsyncClient(
        settings.homeserver,
        settings.user_id,
        store_path=settings.store_path,
        config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False),
    )
    try:
        client.restore_login(settings.user_id, device_id, token)
        if client.olm is None:
            client.load_store()
        key = fingerprint(client)
        return None if key is None else (device_id, key)
    finally:
        await client.close()
