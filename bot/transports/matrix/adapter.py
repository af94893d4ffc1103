"""The Matrix transport: nio sync responses to `Incoming`, `Outgoing` to room events.

The sync token, the access token and the device id live in the bot's database (through the
`StateStore` the composition root gives), so a restart resumes where it stopped: no command
runs twice, no new device appears. Olm/Megolm sessions live in `store_path`. Which room a
member's private content may go to is `routes.Routes`' business.
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nio import (
    AsyncClient,
    InviteMemberEvent,
    JoinResponse,
    LocalProtocolError,
    MegolmEvent,
    ReactionEvent,
    RoomGetEventResponse,
    RoomMessageText,
    RoomMessageUnknown,
    RoomSendError,
    SendRetryError,
    SyncResponse,
    UploadResponse,
)

from bot.chat.invitations import MATRIX_PREFIX
from bot.chat.types import (
    Attachment,
    Attention,
    FileKind,
    FileProblem,
    FileUnavailable,
    Incoming,
    IncomingFile,
    Outgoing,
)
from bot.transports.base import AnswersPatiently, Delivered, DeliveryError, Handle, PatientAnswers
from bot.transports.matrix.formatting import (
    ACTIONS_KEY,
    action_for_reaction,
    content,
    edit,
    reply_target,
    strip_reply_fallback,
)
from bot.transports.matrix.geo import location_of
from bot.transports.matrix.login import fingerprint, log_in, new_client, prepare_store
from bot.transports.matrix.media import MEDIA_EVENTS, fetch, file_content, incoming_file
from bot.transports.matrix.rooms import bot_joined
from bot.transports.matrix.routes import Routes, display_name
from bot.transports.matrix.settings import MatrixSettings, MemberDirectory, StateStore
from bot.transports.spool import Spool
from bot.transports.waiting import until_stopped

log = logging.getLogger(__name__)

PLATFORM = "matrix"
TOKEN_KEY = "matrix.next_batch"
REMEMBERED_EVENTS = 2000
MAX_BACKOFF = 30.0
CLOCK_SLACK_MS = 5_000
# A send asked before the start's sync made the rooms known is tried again this much later.
NOT_SYNCED_RETRY = 0.5


@dataclass
class MatrixTransport(AnswersPatiently):
    """Matrix for every member who uses it (direct chats, encrypted or not)."""

    settings: MatrixSettings
    handle: Handle
    state: StateStore
    delivered: Delivered | None = None
    directory: MemberDirectory | None = None
    on_handled: Callable[[], None] | None = None
    platform: str = PLATFORM
    command_prefix: str = MATRIX_PREFIX
    parallel_sends: int = 1  # the bot's own pace spaces every send (pace_seconds)
    fingerprint: str | None = None
    device_id: str | None = None
    _client: AsyncClient | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    # Where messages are kept on disk while the database is away (None: in memory only).
    spool: Spool | None = None
    _answers: PatientAnswers | None = None
    _ready: asyncio.Event = field(default_factory=asyncio.Event)
    # Set by the start's full-state sync: from then on every room the bot is in is known.
    _rooms_known: bool = False
    _routes: Routes | None = None
    _send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _next_send: float = 0.0
    # The actions each recent message of the bot showed (what a reaction to it stands for).
    _actions: OrderedDict[str, list[dict[str, Any]]] = field(default_factory=OrderedDict)
    _joined_at: dict[str, int] = field(default_factory=dict)
    _syncing: bool = False  # the last sync succeeded
    download_limit: int | None = None  # the homeserver's upload limit is the only one

    def stop(self) -> None:
        """Ask `run()` to return."""
        self._stop.set()

    def resume(self) -> None:
        """Make a stopped transport runnable again (another `run()`, e.g. after an election)."""
        self._stop.clear()
        self._ready.clear()

    @property
    def connected(self) -> bool:
        """True once a sync succeeded, until a sync fails or the transport stops."""
        return self._ready.is_set() and self._syncing and not self._stop.is_set()

    async def wait_ready(self) -> None:
        """Return once the first sync is done (for tests and start-up ordering)."""
        await self._ready.wait()

    @property
    def routes(self) -> Routes:
        """The rooms' keeper (one per transport)."""
        if self._routes is None:
            self._routes = Routes(
                self.settings,
                self._answer,
                directory=self.directory,
                command_prefix=self.command_prefix,
                wait_turn=self._wait_turn,
            )
        return self._routes

    async def run(self) -> None:
        """Log in (or resume), then sync until `stop()`; homeserver outages are waited out.

        nio retries a request that gets no answer on its own, for ever: a stop does not wait
        for it (the login or sync under way is cancelled after a short grace).
        """
        await until_stopped(self._run(), self._stop)

    async def _run(self) -> None:
        await prepare_store(self.settings)
        client = new_client(self.settings)
        self._client = client
        self._rooms_known = False
        try:
            await log_in(client, self.settings, self.state)
            await self._patient().resume()
            self.device_id, self.fingerprint = str(client.device_id), fingerprint(client)
            log.info(
                "Matrix: %s, device %s, fingerprint %s",
                client.user_id,
                self.device_id,
                self.fingerprint or "none (encryption off)",
            )
            await self._sync_loop(client)
        finally:
            self._rooms_known = self._syncing = False
            await client.close()
            self._client = None

    async def _sync_loop(self, client: AsyncClient) -> None:
        """The first sync asks for the full state of every room (nio knows rooms only from
        syncs, and cannot send to a room it does not know); its timeline holds what happened
        since the saved token. On a first run ever, that timeline is history, not commands."""
        token = await self.state.get(TOKEN_KEY)
        history = token is None
        first = True
        backoff = 1.0
        while not self._stop.is_set():
            sync = asyncio.ensure_future(
                client.sync(
                    timeout=0 if first else self.settings.sync_timeout_ms,
                    since=token,
                    full_state=True if first else None,
                )
            )
            stopper = asyncio.ensure_future(self._stop.wait())
            done, _ = await asyncio.wait({sync, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if sync not in done:
                sync.cancel()
                return
            response = sync.result()
            self._syncing = isinstance(response, SyncResponse)
            if not isinstance(response, SyncResponse):
                log.warning("Matrix sync failed (%s); retrying in %.0f s", response, backoff)
                await self._pause(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            backoff = 1.0
            self._rooms_known = True
            await self._chores(client)
            await self._accept_invites(client, response)
            await self.routes.after_sync(client, response, start=first, history=history)
            if not (first and history):
                await self._handle_timeline(client, response)
            token = response.next_batch
            await self.state.set(TOKEN_KEY, token)
            first = history = False
            self._ready.set()

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
        except TimeoutError:
            return

    @staticmethod
    async def _chores(client: AsyncClient) -> None:
        if client.olm is None:
            return
        if client.should_upload_keys:
            await client.keys_upload()
        if client.should_query_keys:
            await client.keys_query()
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())

    async def _accept_invites(self, client: AsyncClient, response: SyncResponse) -> None:
        for room_id, info in response.rooms.invite.items():
            invite = next(
                (
                    event
                    for event in info.invite_state
                    if isinstance(event, InviteMemberEvent)
                    and event.state_key == client.user_id
                    and event.membership == "invite"
                ),
                None,
            )
            if invite is None:
                continue
            direct = bool(invite.content.get("is_direct"))
            if room_id in self.settings.allowed_rooms or (
                direct and self.settings.homeserver_allowed(invite.sender)
            ):
                self._joined_at[room_id] = int(time.time() * 1000)
                joined = await client.join(room_id)
                if not isinstance(joined, JoinResponse):
                    log.warning("could not join %s: %s", room_id, joined)
                elif direct:
                    self.routes.joined_on_invitation(room_id, invite.sender)
            else:
                log.info("refusing invitation to %s from %s", room_id, invite.sender)
                await client.room_leave(room_id)

    async def _handle_timeline(self, client: AsyncClient, response: SyncResponse) -> None:
        for room_id, info in response.rooms.join.items():
            joined_at = self._joined_at.get(room_id, 0)
            for event in info.timeline.events:
                if getattr(event, "sender", None) == client.user_id:
                    continue
                if getattr(event, "server_timestamp", joined_at) < joined_at - CLOCK_SLACK_MS:
                    continue  # history shown on (re)joining a room: not a command to run now
                incoming = await self._incoming(client, room_id, event)
                if incoming is not None:
                    await self._answer(incoming)

    async def _incoming(self, client: AsyncClient, room_id: str, event: Any) -> Incoming | None:
        base: dict[str, Any] = {
            "platform": PLATFORM,
            "user_id": event.sender,
            "chat_id": room_id,
            "chat_type": self.routes.chat_type(client, room_id, event.sender),
            "display_name": display_name(client.rooms.get(room_id), event.sender),
            "event_id": event.event_id,
            "command_prefix": self.command_prefix,
        }
        if isinstance(event, (RoomMessageText, RoomMessageUnknown, *MEDIA_EVENTS)):
            return _message(event, base)
        if isinstance(event, ReactionEvent):
            actions = await self._actions_of(client, room_id, event.reacts_to)
            payload = action_for_reaction(event.key, actions) if actions else None
            if payload is None:
                return None
            return Incoming(text=payload, is_button=True, choice_of=event.reacts_to, **base)
        if isinstance(event, MegolmEvent):
            try:
                await client.request_room_key(event)
            except Exception as error:  # a key request already sent is refused by nio
                log.info("room key request not sent: %s", error)
            return Incoming(text="", undecryptable=True, **base)
        return None

    async def _actions_of(
        self, client: AsyncClient, room_id: str, event_id: str
    ) -> list[dict[str, Any]]:
        if event_id in self._actions:
            return self._actions[event_id]
        response = await client.room_get_event(room_id, event_id)
        if not isinstance(response, RoomGetEventResponse):
            return []
        source = getattr(response.event, "source", {})
        actions = source.get("content", {}).get(ACTIONS_KEY, [])
        return actions if isinstance(actions, list) else []

    async def fetch_file(self, file: IncomingFile, limit: int) -> bytes:
        """Download (and decrypt) a file a person sent."""
        if self._client is None:
            raise FileUnavailable(FileProblem.UNREADABLE)
        return await fetch(self._client, file, limit)

    async def _wait_turn(self) -> None:
        loop = asyncio.get_running_loop()
        async with self._send_lock:
            start = max(loop.time(), self._next_send)
            self._next_send = start + self.settings.pace_seconds
        delay = start - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)

    async def _slow_down(self, seconds: float) -> None:
        """The homeserver refused a send for `seconds`: no send of ours before then."""
        loop = asyncio.get_running_loop()
        async with self._send_lock:
            self._next_send = max(self._next_send, loop.time() + seconds)

    async def send(self, chat_id: str, message: Outgoing, *, key: str | None = None) -> str:
        """Send (or edit, with `m.replace`) a message in a room; returns its event id (for an
        edit, the id of the message edited: replies and reactions name that one).

        `key` becomes the transaction id, so the homeserver keeps one event per key even if
        the send is repeated (a retry after a timeout, or after a worker died mid-send).
        """
        client = self._synced_client()
        body = content(
            message.text,
            message.actions,
            notice=message.attention is Attention.QUIET,
            first=message.first_number,
        )
        # Files first: the message with the actions comes last, so the moment a person can
        # react to it, it is fully sent (and remembered by the conversation right after).
        for index, attachment in enumerate(message.attachments):
            file_key = f"{key}-file-{index}" if key else None
            await self._send_file(client, chat_id, attachment, file_key)
        event = edit(message.edit_of, body) if message.edit_of else body
        event_id = await self._send_event(client, chat_id, event, key)
        if message.edit_of:
            event_id = message.edit_of
        # An edit that removes the list keeps what the reactions to it stood for: the
        # conversation answers them (no longer valid) rather than this transport dropping them.
        if body[ACTIONS_KEY] or not message.edit_of:
            self._actions[event_id] = body[ACTIONS_KEY]
        while len(self._actions) > REMEMBERED_EVENTS:
            self._actions.popitem(last=False)
        return event_id

    async def private_chat(self, user_id: str, chat_id: str) -> str:
        """The room to send `user_id` private content to: `chat_id` while only the bot and
        they are in it, else another such room, else a direct chat opened now."""
        return await self.routes.private_chat(self._synced_client(), user_id, chat_id)

    def _synced_client(self) -> AsyncClient:
        """The client, once the start's sync made every room known (else: try again soon)."""
        client = self._client
        if client is None:
            raise DeliveryError("Matrix transport is not running")
        if not self._rooms_known:
            raise DeliveryError("Matrix rooms not synced yet", retry_after=NOT_SYNCED_RETRY)
        return client

    async def _send_event(
        self, client: AsyncClient, room_id: str, event: dict[str, Any], key: str | None
    ) -> str:
        """One `m.room.message` at the bot's pace; its event id."""
        room = client.rooms.get(room_id)
        if room is None or not bot_joined(room, str(client.user_id)):
            raise DeliveryError(f"the bot is not in room {room_id}", permanent=True)
        await self._wait_turn()
        try:
            response = await client.room_send(
                room_id, "m.room.message", event, tx_id=key, ignore_unverified_devices=True
            )
        except (LocalProtocolError, SendRetryError) as error:  # e.g. keys not shared yet
            raise DeliveryError(f"{room_id}: {error!r}") from error
        if isinstance(response, RoomSendError):
            if response.status_code == "M_LIMIT_EXCEEDED":
                retry = (response.retry_after_ms or 1000) / 1000
                await self._slow_down(retry)
                raise DeliveryError(str(response), retry_after=retry)
            permanent = response.status_code in ("M_FORBIDDEN", "M_NOT_FOUND", "M_UNKNOWN_TOKEN")
            raise DeliveryError(str(response), permanent=permanent)
        return str(response.event_id)

    async def _send_file(
        self, client: AsyncClient, room_id: str, attachment: Attachment, key: str | None
    ) -> str:
        """Upload a file (encrypted for an encrypted room) and post it as `m.image` (a
        picture) or `m.file`."""
        room = client.rooms.get(room_id)
        encrypted = bool(room is not None and room.encrypted)
        uploaded, keys = await client.upload(
            lambda *_: io.BytesIO(attachment.content),
            content_type=attachment.media_type,
            filename=attachment.filename,
            encrypt=encrypted,
            filesize=len(attachment.content),
        )
        if not isinstance(uploaded, UploadResponse):
            raise DeliveryError(f"upload of {attachment.filename}: {uploaded}")
        event = file_content(attachment, uploaded.content_uri, keys)
        return await self._send_event(client, room_id, event, key)


def _message(event: Any, base: dict[str, Any]) -> Incoming | None:
    """A message event (text, media, location or other) as the conversation reads it; None
    for an edit of a message already handled."""
    if isinstance(event, RoomMessageUnknown):
        where = location_of(event.content) if event.msgtype == "m.location" else None
        if where is not None:
            return Incoming(text="", location=where, **base)
        # A poll, a bad location…: nothing to pass on.
        return Incoming(text="", file=IncomingFile(FileKind.OTHER), **base)
    relates = event.source.get("content", {}).get("m.relates_to", {})
    if isinstance(relates, dict) and relates.get("rel_type") == "m.replace":
        return None
    if isinstance(event, RoomMessageText):
        # A bare number chooses from the lists the bot showed: the conversation knows which
        # (kept in its database), and a number replying to another message is text.
        text = strip_reply_fallback(event.body)
        return Incoming(text=text, reply_to=reply_target(event.source), numbers_choose=True, **base)
    file, caption = incoming_file(event)
    return Incoming(text=caption, file=file, reply_to=reply_target(event.source), **base)
