"""The Telegram transport: PTB updates to `Incoming`, `Outgoing` to Bot API calls.

It runs inside the bot's own event loop next to the other transports (`async with app`, its
own getUpdates loop or webhook receiver, `app.start()`), so it does itself what `post_init`
would have done: read the bot's username and set the command menus.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

import httpx
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    InputFile,
    Message,
    Update,
)
from telegram.constants import ChatType as TelegramChatType
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.chat.types import (
    Attachment,
    ChatType,
    FileProblem,
    FileUnavailable,
    Incoming,
    IncomingFile,
    Location,
    Outgoing,
)
from bot.transports.base import AnswersPatiently, Delivered, DeliveryError, Handle, PatientAnswers
from bot.transports.spool import Spool
from bot.transports.telegram.formatting import (
    keyboard,
    split_text,
    to_html,
    valid_callback,
)
from bot.transports.telegram.limits import SendPacer
from bot.transports.telegram.media import PHOTO_TYPES, PHOTO_UPLOAD_LIMIT, incoming_file
from bot.transports.telegram.polling import UPDATE_TYPES, poll_updates
from bot.transports.telegram.presses import MAX_PRESS_ANSWER, PRESS, Press, answer_press
from bot.transports.telegram.webhook import WebhookReceiver
from bot.transports.waiting import Backoff, pause, until_stopped

log = logging.getLogger(__name__)

PLATFORM = "telegram"
# Bots download files of 20 MB at most (getFile answers "file is too big" above).
DOWNLOAD_LIMIT = 20 * 1024 * 1024
# Telegram unreachable at start: tried again after about 1 s, 2 s, 4 s… then every minute.
START_RETRY_FIRST = 1.0
START_RETRY_CAP = 60.0


class TelegramConflict(RuntimeError):
    """Another process polls with the same token: this one stops instead of fighting."""


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    """How to reach Telegram (or a self-hosted / test Bot API server)."""

    token: str
    base_url: str = ""
    mode: Literal["polling", "webhook"] = "polling"
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_path: str = "telegram"
    webhook_public_url: str = ""
    webhook_secret: str = ""
    poll_timeout: float = 10.0
    private_interval: float = 1.05
    # How many messages may leave at once in a private chat before `private_interval` applies.
    private_burst: int = 3
    # How long a Bot API call may take to answer before it counts as failed (and is retried).
    read_timeout: float = 5.0


@dataclass(frozen=True, slots=True)
class CommandMenu:
    """The commands shown in Telegram's menu, for a language, everywhere or in one chat."""

    language: str
    commands: tuple[tuple[str, str], ...]
    chat_id: str | None = None


MenuSource = Callable[[], Awaitable[list[CommandMenu]]]


@dataclass
class TelegramTransport(AnswersPatiently):
    """Telegram for every member who uses it."""

    settings: TelegramSettings
    handle: Handle
    menus: MenuSource | None = None
    delivered: Delivered | None = None
    on_handled: Callable[[], None] | None = None
    platform: str = PLATFORM
    command_prefix: str = "/"
    # Enough sends waiting for the pacer to fill 30 msg/s while some wait for their chat.
    parallel_sends: int = 32
    username: str | None = None
    _app: Application[Any, Any, Any, Any, Any, Any] | None = None
    _pacer: SendPacer = field(default_factory=SendPacer)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    # Where messages are kept on disk while the database is away (None: in memory only).
    spool: Spool | None = None
    _answers: PatientAnswers | None = None
    _ready: asyncio.Event = field(default_factory=asyncio.Event)
    _conflict: bool = False
    download_limit: int | None = DOWNLOAD_LIMIT
    # The delays between tries while Telegram cannot be reached at start.
    start_retry: Backoff = field(
        default_factory=lambda: Backoff(START_RETRY_FIRST, START_RETRY_CAP)
    )

    @property
    def private_link(self) -> str | None:
        """The link that opens a private chat with the bot (once its username is known)."""
        return private_chat_link(self.username) if self.username else None

    def _build(self) -> Application[Any, Any, Any, Any, Any, Any]:
        # No PTB updater: it acknowledges updates as soon as they are fetched or queued, so
        # an update fetched by a process that then dies would be lost. `poll_updates` and
        # `WebhookReceiver` acknowledge an update only once it is handled.
        # PTB's two HTTP clients (getUpdates, and everything else), as its builder makes them,
        # but with one TLS context between them: each would load the CA bundle again (~20 ms,
        # ~1 MB). No job queue: nothing here uses PTB's scheduler.
        tls = httpx.create_ssl_context()
        builder = (
            ApplicationBuilder()
            .token(self.settings.token)
            .updater(None)
            .job_queue(None)
            .request(
                HTTPXRequest(
                    connection_pool_size=256,
                    read_timeout=self.settings.read_timeout,
                    httpx_kwargs={"verify": tls},
                )
            )
            .get_updates_request(HTTPXRequest(connection_pool_size=1, httpx_kwargs={"verify": tls}))
        )
        if self.settings.base_url:
            base = self.settings.base_url.rstrip("/")
            builder = builder.base_url(base).base_file_url(base.replace("/bot", "/file/bot"))
        app = builder.build()
        app.add_handler(CallbackQueryHandler(self._on_button))
        app.add_handler(MessageHandler(filters.TEXT, self._on_message))
        app.add_handler(
            MessageHandler(filters.LOCATION & filters.UpdateType.MESSAGE, self._on_location)
        )
        # Pictures, documents, voice notes, stickers…: everything else a person sends
        # (service messages such as "X joined the group" excepted).
        app.add_handler(MessageHandler(~filters.StatusUpdate.ALL, self._on_message))
        app.add_error_handler(self._on_error)
        return app

    async def run(self) -> None:
        """Receive updates until `stop()`; raises TelegramConflict if another poller runs.

        Telegram unreachable at start (no network, a silent proxy, 5xx) is waited out: tried
        again with backoff, one log line per try, while the other transports run.
        """
        self._pacer.private_interval = self.settings.private_interval
        self._pacer.private_burst = self.settings.private_burst
        retry = self.start_retry
        try:
            while not self._stop.is_set():
                try:
                    await until_stopped(self._serve(), self._stop)
                    break
                except TelegramError as error:
                    if self._ready.is_set() or not _unreachable(error):
                        raise
                    delay = retry.next()
                    if isinstance(error, RetryAfter):
                        delay = max(delay, _seconds(error.retry_after))
                    log.warning(
                        "Telegram unreachable (try %d: %s); trying again in %.1f s",
                        retry.attempts,
                        error,
                        delay,
                    )
                await pause(self._stop, delay)
        finally:
            if self._answers is not None:
                await self._answers.close()
        if self._conflict:
            raise TelegramConflict(
                "another program is already receiving this bot's messages (409 Conflict): "
                "stop it, or run a single `samu run` with this token"
            )

    async def _serve(self) -> None:
        """One start (getMe, menus, webhook or polling), then updates until `stop()`."""
        app = self._app = self._build()
        try:
            async with app:
                me = await app.bot.get_me()
                self.username = me.username
                await self._set_menus()
                await self._patient().resume()  # messages kept on disk by a previous run, first
                receiver = polling = None
                try:
                    if self.settings.mode == "webhook":
                        receiver = await self._start_webhook(app)
                    else:
                        await app.bot.delete_webhook(drop_pending_updates=False)
                        polling = asyncio.create_task(
                            poll_updates(
                                app, self._stop, self.settings.poll_timeout, self._on_conflict
                            ),
                            name="telegram-polling",
                        )
                    await app.start()
                    log.info(
                        "Telegram transport ready as @%s (%s)", self.username, self.settings.mode
                    )
                    self._ready.set()
                    await self._stop.wait()
                finally:
                    if receiver is not None:
                        await receiver.stop()
                    if polling is not None:
                        polling.cancel()
                        await asyncio.gather(polling, return_exceptions=True)
                    if app.running:
                        await app.stop()
        finally:
            self._app = None

    async def _start_webhook(
        self, app: Application[Any, Any, Any, Any, Any, Any]
    ) -> WebhookReceiver:
        """Listen for Telegram's POSTs, then tell Telegram where to send them.

        Several workers behind a load balancer all register the same public URL; each update
        is acknowledged only once handled (see `webhook.py`).
        """

        async def receive(data: dict[str, Any]) -> None:
            update = Update.de_json(data, app.bot)
            if update is not None:
                await app.process_update(update)

        settings = self.settings
        receiver = WebhookReceiver(
            receive, path=settings.webhook_path, secret=settings.webhook_secret
        )
        public = settings.webhook_public_url.rstrip("/") + "/" + settings.webhook_path.strip("/")
        receiver.start(settings.webhook_listen, settings.webhook_port)
        try:
            await app.bot.set_webhook(
                url=public,
                secret_token=settings.webhook_secret,
                allowed_updates=UPDATE_TYPES,
            )
        except BaseException:  # the next start listens on the same port again
            await receiver.stop()
            raise
        return receiver

    def stop(self) -> None:
        """Ask `run()` to return after a clean shutdown."""
        self._stop.set()

    @property
    def connected(self) -> bool:
        """True from the start of polling (or of the webhook) until stopped."""
        return self._ready.is_set() and not self._stop.is_set()

    async def wait_ready(self) -> None:
        """Return once updates are being received (polling or webhook started)."""
        await self._ready.wait()

    async def _set_menus(self) -> None:
        if self.menus is None or self._app is None:
            return
        for menu in await self.menus():
            await self.set_menu(menu)

    async def set_menu(self, menu: CommandMenu) -> None:
        """Set one command menu (a failure is logged: the menu is a convenience)."""
        if self._app is None:
            return
        scope = BotCommandScopeChat(int(menu.chat_id)) if menu.chat_id else BotCommandScopeDefault()
        try:
            await self._app.bot.set_my_commands(
                [BotCommand(name, description[:256]) for name, description in menu.commands],
                scope=scope,
                language_code=menu.language or None,
            )
        except TelegramError as error:
            where = f"chat {menu.chat_id}" if menu.chat_id else "everyone"
            log.warning("cannot set the command menu (%s, %r): %s", where, menu.language, error)

    def _on_conflict(self) -> None:
        log.error("409 Conflict: another poller uses this token; stopping")
        self._conflict = True
        self._stop.set()

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while handling a Telegram update", exc_info=context.error)

    def _incoming(
        self,
        update: Update,
        text: str,
        *,
        is_button: bool = False,
        reply_to: str | None = None,
        file: IncomingFile | None = None,
        choice_of: str | None = None,
        location: Location | None = None,
    ) -> Incoming | None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None or user.is_bot:
            return None
        private = chat.type == TelegramChatType.PRIVATE
        if private and chat.id != user.id:
            # A private chat's id is its user's id: anything else is a forged update that
            # would answer someone else's request in another person's chat.
            log.warning(
                "dropped update %s: private chat %s does not belong to user %s",
                update.update_id,
                chat.id,
                user.id,
            )
            return None
        return Incoming(
            platform=PLATFORM,
            user_id=str(user.id),
            chat_id=str(chat.id),
            text=text,
            chat_type=ChatType.PRIVATE if private else ChatType.GROUP,
            display_name=user.first_name,
            language=user.language_code,
            event_id=str(update.update_id),
            reply_to=reply_to,
            is_button=is_button,
            file=file,
            choice_of=choice_of,
            location=location,
            private_link=None if private else self.private_link,
        )

    async def _on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A text, or anything else sent (then its caption is the text, maybe empty)."""
        message = update.effective_message
        if message is None:
            return
        replied = message.reply_to_message
        reply_to = (
            str(replied.message_id)
            if replied is not None and replied.from_user is not None and replied.from_user.is_bot
            else None
        )
        if self._for_another_bot(message.text or message.caption or ""):
            return
        if message.text is not None:
            incoming = self._incoming(update, message.text, reply_to=reply_to)
        else:
            text = message.caption or ""
            incoming = self._incoming(update, text, reply_to=reply_to, file=incoming_file(message))
        if incoming is not None:
            await self._answer(incoming)

    def _for_another_bot(self, text: str) -> bool:
        """Whether a text is a command addressed to another bot (`/aide@otherbot`): in a group
        with several bots, each answers only its own."""
        if not text.startswith("/"):
            return False
        head = text.split(maxsplit=1)[0] if text.strip() else ""
        _, at, addressee = head.partition("@")
        if not at:
            return False
        return self.username is None or addressee.casefold() != self.username.casefold()

    async def _on_location(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A shared location (not a live one's updates): the nearest places answer it."""
        message = update.effective_message
        if message is None or message.location is None:
            return
        where = Location(message.location.latitude, message.location.longitude)
        incoming = self._incoming(update, "", location=where)
        if incoming is not None:
            await self._answer(incoming)

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        # The conversation judges the press against the message that showed the button, and
        # edits that message itself once the outcome is known (never "✔" on a lost claim).
        payload = valid_callback(query.data)
        shown = query.message
        incoming = self._incoming(
            update,
            payload or "/?",
            is_button=True,
            choice_of=str(shown.message_id) if shown is not None else None,
        )
        if incoming is None or incoming.chat_type is ChatType.PRIVATE:
            await answer_press(query)  # stops the button's spinner at once
            if incoming is not None:
                await self._answer(incoming)
            return
        # In a group, the press is answered once handled: a press by someone the message is
        # not for gets its short answer there, seen by that person only (see `send`).
        press = Press(query, incoming.chat_id, str(shown.message_id) if shown else "")
        token = PRESS.set(press)
        try:
            await self._answer(incoming)
        finally:
            PRESS.reset(token)
            if not press.answered:
                await answer_press(query)

    async def fetch_file(self, file: IncomingFile, limit: int) -> bytes:
        """Download a file a person sent (getFile, then the file itself)."""
        if self._app is None:
            raise FileUnavailable(FileProblem.UNREADABLE)
        try:
            found = await self._app.bot.get_file(file.ref)
            if found.file_size is not None and found.file_size > limit:
                raise FileUnavailable(FileProblem.TOO_BIG)
            content = bytes(await found.download_as_bytearray())
        except BadRequest as error:
            too_big = "too big" in str(error).lower()
            raise FileUnavailable(
                FileProblem.TOO_BIG if too_big else FileProblem.UNREADABLE
            ) from error
        except TelegramError as error:
            raise FileUnavailable(FileProblem.UNREADABLE) from error
        if len(content) > limit:
            raise FileUnavailable(FileProblem.TOO_BIG)
        return content

    async def send(self, chat_id: str, message: Outgoing, *, key: str | None = None) -> str:
        """Send (or edit) a message; returns the id of its last text part (the one that
        carries the buttons, and that replies and presses name), files coming after it."""
        if self._app is None:
            raise DeliveryError("Telegram transport is not running")
        bot = self._app.bot
        group = chat_id.startswith("-")
        if message.brief and await self._answered_as_press(chat_id, message):
            press = PRESS.get()
            return press.shown if press is not None else ""
        try:
            if message.edit_of:
                edited = await self._edit(chat_id, message, group=group)
                if edited is not None:
                    return edited
            parts = split_text(message.text)
            shown: Message | None = None
            for index, part in enumerate(parts):
                async with self._pacer.turn(chat_id, group=group):
                    shown = await bot.send_message(
                        chat_id=int(chat_id),
                        text=to_html(part),
                        parse_mode=ParseMode.HTML,
                        reply_markup=keyboard(message.actions) if index == len(parts) - 1 else None,
                    )
            for attachment in message.attachments:
                await self._send_file(chat_id, attachment, group=group)
            assert shown is not None
            return str(shown.message_id)
        except RetryAfter as error:
            raise DeliveryError(str(error), retry_after=_seconds(error.retry_after)) from error
        except Forbidden as error:
            raise DeliveryError(str(error), permanent=True) from error
        except BadRequest as error:
            raise DeliveryError(str(error), permanent=True) from error
        except NetworkError as error:
            raise DeliveryError(str(error)) from error

    async def _answered_as_press(self, chat_id: str, message: Outgoing) -> bool:
        """Show a brief answer as the answer to the group press being handled (a notice only
        its presser sees); False when there is no such press (then it is sent as a message)."""
        press = PRESS.get()
        if press is None or press.answered or press.chat_id != chat_id:
            return False
        if message.actions or message.attachments or message.edit_of:
            return False
        if not await answer_press(press.query, message.text[:MAX_PRESS_ANSWER]):
            return False
        press.answered = True
        return True

    async def _send_file(self, chat_id: str, attachment: Attachment, *, group: bool) -> None:
        """A picture as a photo (Telegram shows it in the chat), anything else as a document;
        a picture Telegram cannot process as a photo goes as a document."""
        assert self._app is not None
        bot = self._app.bot
        if attachment.media_type in PHOTO_TYPES and len(attachment.content) <= PHOTO_UPLOAD_LIMIT:
            try:
                async with self._pacer.turn(chat_id, group=group):
                    await bot.send_photo(
                        chat_id=int(chat_id),
                        photo=InputFile(attachment.content, filename=attachment.filename),
                    )
                return
            except BadRequest as error:
                log.info("a picture not accepted as a photo (%s): sent as a file", error)
        async with self._pacer.turn(chat_id, group=group):
            await bot.send_document(
                chat_id=int(chat_id),
                document=InputFile(attachment.content, filename=attachment.filename),
            )

    async def _edit(self, chat_id: str, message: Outgoing, *, group: bool) -> str | None:
        assert self._app is not None and message.edit_of is not None
        try:
            async with self._pacer.turn(chat_id, group=group):
                await self._app.bot.edit_message_text(
                    chat_id=int(chat_id),
                    message_id=int(message.edit_of),
                    # The message edited is the last part of a long one (the part with the
                    # buttons): it takes the end of the new text, the earlier parts stay.
                    text=to_html(split_text(message.text)[-1]),
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard(message.actions),
                )
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return message.edit_of
            log.info("cannot edit message %s, sending a new one: %s", message.edit_of, error)
            return None
        return message.edit_of


def _unreachable(error: TelegramError) -> bool:
    """Whether a failure at start is the network's (wait and try again) rather than the
    configuration's (a refused token, a bad webhook URL: stop and say so)."""
    if isinstance(error, RetryAfter):
        return True
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def bot_username(settings: TelegramSettings) -> str:
    """Ask Telegram (or the configured Bot API server) for the bot's username."""
    builder = ApplicationBuilder().token(settings.token).updater(None)
    if settings.base_url:
        base = settings.base_url.rstrip("/")
        builder = builder.base_url(base).base_file_url(base.replace("/bot", "/file/bot"))
    app = builder.build()
    async with app:
        me = await app.bot.get_me()
    if not me.username:
        raise DeliveryError("the bot has no username")
    return me.username


def private_chat_link(username: str) -> str:
    """The link that opens a private chat with the bot."""
    return f"https://t.me/{username}"


def deep_link(username: str, code: str) -> str:
    """The link that opens the bot and sends `/start CODE` (payload: [A-Za-z0-9_-], ≤ 64)."""
    return f"{private_chat_link(username)}?start={code}"
