"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests of the Telegram transport.

The real python-telegram-bot stack (serialisation, polling loop, error mapping) talks to it over
HTTP, exactly as it would to `api.telegram.org`:

    server = FakeBotApi(token="123456:TEST", username="samu_test_bot")
    await server.start()
    app = (
        ApplicationBuilder()
        .token(server.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )
    server.user_sends(user_id=1001, text="/start ABC")
    await server.wait_for(lambda: server.sent_messages(1001))
    await server.stop()

Requests arrive as `POST /bot<TOKEN>/<method>`, form-encoded (PTB JSON-encodes object values such
as `reply_markup` or `scope` as strings), multipart (uploads) or JSON. Answers are
`{"ok": true, "result": ...}` or `{"ok": false, "error_code": N, "description": ...}` with the
wording of the real Bot API for the errors the tests care about.

Faithfulness notes:
- `sendMessage` with `parse_mode=HTML` returns the *parsed* text (tags stripped, HTML entities
  unescaped) plus `entities` with UTF-16 offsets, like Telegram. The source text stays in
  `Call.params["text"]`.
- Updates stay queued until confirmed by a `getUpdates` whose `offset` is greater than their id.
- A second `getUpdates` while one is long-polling terminates the first with 409 Conflict.
- A request whose client hangs up before the answer is cancelled; its `Call.response_status` is
  499 (a send already processed stays sent).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import html
import io
import itertools
import json
import math
import re
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

__all__ = ["Call", "FakeBotApi", "UploadedFile"]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile: "bots can download files of up to 20 MB"
MAX_PHOTO = 10 * 1024 * 1024  # sendPhoto: at most 10 MB, width + height ≤ 10000, ratio ≤ 20
MAX_CALLBACK_DATA = 64
GLOBAL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
# Telegram's Bot FAQ: about one message per second in a chat, "short bursts" over it allowed
# (how short is not documented). Modelled as a token bucket of PRIVATE_BURST messages.
PRIVATE_INTERVAL = 1.0
PRIVATE_BURST = 3

_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "scope",
        "commands",
        "allowed_updates",
        "entities",
        "caption_entities",
        "link_preview_options",
        "media",
        "results",
    }
)
_INT_FIELDS = frozenset(
    {"offset", "limit", "message_id", "reply_to_message_id", "message_thread_id", "cache_time"}
)
_BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "show_alert",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "disable_content_type_detection",
        "for_channel",
    }
)
_COUNTED_METHODS = frozenset({"sendmessage", "senddocument", "sendphoto", "editmessagetext"})
_NOOP_METHODS = frozenset(
    {
        "close",
        "logout",
        "setmydescription",
        "setmyshortdescription",
        "setmyname",
        "setchatmenubutton",
        "setmydefaultadministratorrights",
    }
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Update types Telegram sends when `allowed_updates` was never given (or given as []).
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_LANG_RE = re.compile(r"[a-z]{2}")
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^<>]*)?)/?>")
_ATTR_RE = re.compile(r"""([A-Za-z_][\w-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_HTML_ENTITY_RE = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});")
_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "blockquote": "blockquote",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
}

_CONFLICT_POLLING = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: _CONFLICT_POLLING,
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
CLIENT_CLOSED = 499  # Call.response_status of a request whose client hung up first


@dataclass
class Call:
    """One request the fake received.

    `params` are decoded: JSON-encoded object fields become dicts/lists, ids and offsets become
    ints, `timeout` a number, booleans bools; uploaded files are `UploadedFile`s.
    `response_status` is 0 while the request is pending (a long poll) and 499 if the client
    hung up before the answer.
    """

    method: str
    params: dict[str, Any]
    at: float
    response_status: int = 0
    response: dict[str, Any] | None = None


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request (or a file the fake stores under a file_id)."""

    file_name: str | None
    mime_type: str | None
    data: bytes = field(repr=False)


@dataclass
class _Fault:
    status: int | None
    retry_after: int | None
    delay: float
    description: str | None


class _ApiError(Exception):
    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


def _too_many(retry_after: int) -> _ApiError:
    return _ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _cant_parse(detail: str) -> _ApiError:
    return _bad(f"can't parse entities: {detail}")


def _tag_entity(name: str, attrs: str, text: str, index: int) -> dict[str, Any]:
    """The entity fields a start tag opens (offset and length are added at the end tag)."""
    values = {
        m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
        for m in _ATTR_RE.finditer(attrs)
    }
    entity: dict[str, Any] = {"type": _HTML_ENTITY_TYPES[name]}
    if name == "span" and values.get("class") != "tg-spoiler":
        raise _cant_parse(
            f'unsupported start tag "span" at byte offset {_byte_offset(text, index)}'
        )
    if name == "a":
        href = values.get("href")
        if not href:
            entity["type"] = ""  # Telegram silently drops a link without href
        else:
            entity["url"] = html.unescape(href)
    if name == "blockquote" and "expandable" in values:
        entity["type"] = "expandable_blockquote"
    if name == "tg-emoji":
        emoji_id = values.get("emoji-id")
        if not emoji_id:
            raise _cant_parse("custom emoji identifier is not specified")
        entity["custom_emoji_id"] = emoji_id
    if name == "code" and values.get("class", "").startswith("language-"):
        entity["language"] = values["class"].removeprefix("language-")
    return entity


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram's HTML subset into (plain text, entities with UTF-16 offsets).

    Raises the Bot API's "can't parse entities" error on unknown or unbalanced tags and on
    unescaped `<`, `>` or `&`.
    """
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, int, dict[str, Any]]] = []
    position = 0  # in UTF-16 code units of the plain text
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<":
            match = _TAG_RE.match(text, i)
            if match is None:
                raise _cant_parse(
                    f"unexpected character '<' at byte offset {_byte_offset(text, i)}; "
                    "use &lt; to escape it"
                )
            closing, name, attrs = match.group(1) == "/", match.group(2).lower(), match.group(3)
            if closing:
                if not stack or stack[-1][0] != name:
                    raise _cant_parse(
                        f'unexpected end tag "{name}" at byte offset {_byte_offset(text, i)}'
                    )
                _, start, entity = stack.pop()
                if entity["type"] and position > start:
                    entities.append({**entity, "offset": start, "length": position - start})
            else:
                if name not in _HTML_ENTITY_TYPES:
                    raise _cant_parse(
                        f'unsupported start tag "{name}" at byte offset {_byte_offset(text, i)}'
                    )
                stack.append((name, position, _tag_entity(name, attrs, text, i)))
            i = match.end()
            continue
        if char == "&":
            match = _HTML_ENTITY_RE.match(text, i)
            if match is None:
                raise _cant_parse(
                    f"unsupported HTML entity at byte offset {_byte_offset(text, i)}; "
                    "use &amp; to escape '&'"
                )
            char = html.unescape(match.group(0))
            i = match.end()
        elif char == ">":
            raise _cant_parse(
                f"unexpected character '>' at byte offset {_byte_offset(text, i)}; "
                "use &gt; to escape it"
            )
        else:
            i += 1
        out.append(char)
        position += _utf16_len(char)
    if stack:
        raise _cant_parse(f'can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _bot_command_entities(text: str) -> list[dict[str, Any]]:
    """The `bot_command` entity Telegram adds to a message starting with `/command`."""
    match = re.match(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,})?", text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": _utf16_len(match.group(0))}]


def _picture_size(data: bytes) -> tuple[int, int] | None:
    """A picture's width and height, None when Telegram could not process it as a photo."""
    from PIL import Image  # the test environment has it (matplotlib depends on it)

    try:
        with Image.open(io.BytesIO(data)) as picture:
            return picture.size
    except Exception:
        return None


def _normalise_markup(markup: Any) -> Any:
    if isinstance(markup, dict) and markup.get("inline_keyboard") == []:
        return None
    return markup


def _update_type(update: Mapping[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


class FakeBotApi:
    """A loopback Telegram Bot API server whose state the tests own and inspect.

    All state lives on the instance; nothing is shared between instances.
    """

    def __init__(
        self,
        token: str = "123456:TEST",
        username: str = "samu_test_bot",
        enforce_limits: bool = False,
        *,
        first_name: str = "Samu",
        limits_clock: Callable[[], float] | None = None,
    ) -> None:
        self.token = token
        # The clock of the rate limits, in seconds (the event loop's unless a test passes
        # a virtual one, so that a busy machine does not stretch a burst past its window).
        self.limits_clock = limits_clock
        self.username = username
        self.first_name = first_name
        self.enforce_limits = enforce_limits
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.port = 0
        self.calls: list[Call] = []
        self.answered_callbacks: list[str] = []
        # The text shown to the presser (a passing notice), by callback query id.
        self.callback_texts: dict[str, str] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] | None = None
        self.known_chats: set[int] = set()
        # Users who blocked the bot: every send to their private chat is refused (403).
        self.blocked_by: set[int] = set()
        self.files: dict[str, UploadedFile] = {}
        self.too_many_requests = 0
        # Which limit each 429 enforced: "chat" (per private or group chat) or "overall".
        self.refused_by: Counter[str] = Counter()
        self._chats: dict[int, dict[str, Any]] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._sent: list[tuple[int, int]] = []
        self._last_message_id: dict[int, int] = {}
        self._updates: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._open_callbacks: set[str] = set()
        self._allowed_updates: list[str] = []
        self._faults: dict[str, deque[_Fault]] = {}
        self._poll_generation = 0
        self._global_sends: deque[float] = deque()
        self._chat_sends: dict[int, deque[float]] = {}
        self._changed = asyncio.Event()
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "senddocument": self._send_document,
            "sendphoto": self._send_photo,
            "sendchataction": self._send_chat_action,
            "getfile": self._get_file,
        }

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        """What to give `ApplicationBuilder().base_url()` (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """What to give `ApplicationBuilder().base_file_url()`."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot's `User` object, as in `getMe` and in the `from` of its messages."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    async def start(self) -> None:
        """Listen on 127.0.0.1 on a free port (see `port`, `base_url`)."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._stopping.clear()
        self._runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Answer pending long polls and delayed requests, then close the server."""
        self._stopping.set()
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ acting as users

    def user_sends(
        self,
        user_id: int = 1001,
        text: str = "/start",
        first_name: str = "Amina",
        language_code: str | None = "fr",
        chat_id: int | None = None,
        chat_type: str = "private",
        reply_to_message_id: int | None = None,
        *,
        username: str | None = None,
    ) -> dict[str, Any]:
        """Queue a `message` update from a user; return the Message dict.

        Private chats have `chat_id == user_id`; groups need a negative `chat_id` and
        `chat_type` "group" or "supergroup". A leading `/command` gets its `bot_command` entity.
        """
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self._users[user_id] = user
        chat = self._register_chat(user, chat_id, chat_type)
        message = self._new_message(chat, user, text=text, entities=_bot_command_entities(text))
        if reply_to_message_id is not None:
            message["reply_to_message"] = self._stored(chat["id"], reply_to_message_id)
        self.raw_update({"message": message})
        return copy.deepcopy(message)

    def user_sends_file(
        self,
        user_id: int,
        kind: str,
        data: bytes = b"",
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        caption: str = "",
        first_name: str = "Amina",
        language_code: str | None = "fr",
        chat_id: int | None = None,
        chat_type: str = "private",
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        """Queue a message with a file: `kind` is "photo", "document", "voice", "video_note",
        "audio", "video" or "sticker". `data` is what Telegram keeps (a JPEG for a photo:
        Telegram recompresses photos) and serves to getFile; a leading `/command` in the
        caption gets its `bot_command` caption entity. Returns the Message dict.
        """
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        self._users[user_id] = user
        chat = self._register_chat(user, chat_id, chat_type)
        info = self._keep_file(kind, UploadedFile(file_name, mime_type, data))
        media: Any = info
        if kind == "photo":
            thumbnail = {**info, "width": min(info["width"], 90), "height": min(info["height"], 90)}
            media = [thumbnail, info] if info["width"] > 90 or info["height"] > 90 else [info]
        elif kind == "sticker":
            media = {**info, "type": "regular", "width": 512, "height": 512, "emoji": "👍"}
            media.update(is_animated=False, is_video=False)
        elif kind in {"voice", "audio"}:
            media = {**info, "duration": 3}
        elif kind == "video":
            media = {**info, "duration": 3, "width": 640, "height": 360}
        elif kind == "video_note":
            media = {**info, "duration": 3, "length": 240}
        content: dict[str, Any] = {kind: media}
        if caption:
            content["caption"] = caption
            content["caption_entities"] = _bot_command_entities(caption)
        message = self._new_message(chat, user, **content)
        if reply_to_message_id is not None:
            message["reply_to_message"] = self._stored(chat["id"], reply_to_message_id)
        self.raw_update({"message": message})
        return copy.deepcopy(message)

    def _keep_file(self, kind: str, stored: UploadedFile) -> dict[str, Any]:
        """Store a file under a new file_id; its File-like description (a PhotoSize for a
        photo, with its dimensions)."""
        file_id = f"{kind[:2].upper()}ACAgIAAx{next(self._file_ids):06d}"
        self.files[file_id] = stored
        info: dict[str, Any] = {
            "file_id": file_id,
            "file_unique_id": f"AgAD{file_id[-6:]}",
            "file_size": len(stored.data),
        }
        if kind == "photo":
            info["width"], info["height"] = _picture_size(stored.data) or (800, 600)
            return info
        if stored.file_name and kind in {"document", "audio", "video"}:
            info["file_name"] = stored.file_name
        if stored.mime_type and kind != "sticker":
            info["mime_type"] = stored.mime_type
        return info

    def user_shares_location(
        self, user_id: int, latitude: float, longitude: float, first_name: str = "Amina"
    ) -> dict[str, Any]:
        """Queue a `message` update holding a location a user shared in their private chat."""
        user = self._users.get(user_id) or {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
        }
        self._users[user_id] = user
        chat = self._register_chat(user, None, "private")
        location = {"latitude": latitude, "longitude": longitude}
        message = self._new_message(chat, user, location=location)
        self.raw_update({"message": message})
        return copy.deepcopy(message)

    def user_presses(
        self, user_id: int, message_id: int, data: str, chat_id: int | None = None
    ) -> str:
        """Queue a `callback_query` update for a button of a message the bot sent.

        Returns the callback query id (to find in `answered_callbacks`).
        """
        chat_key = user_id if chat_id is None else chat_id
        message = self._stored(chat_key, message_id)
        user = self._users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": "User"}
        query_id = f"{self.bot_id}{next(self._callback_ids):08d}"
        self._open_callbacks.add(query_id)
        self.raw_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "message": message,
                    "chat_instance": f"ci{chat_key}",
                    "data": data,
                }
            }
        )
        return query_id

    def raw_update(self, update: Mapping[str, Any]) -> int:
        """Queue any update dict for `getUpdates`; assigns and returns its `update_id`."""
        update_id = next(self._update_ids)
        body = {key: value for key, value in update.items() if key != "update_id"}
        self._updates.append({"update_id": update_id, **copy.deepcopy(body)})
        self.history.append(copy.deepcopy(self._updates[-1]))
        self._notify()
        return update_id

    def redeliver(self, update_id: int) -> None:
        """Queue an update again under its own id, as Telegram does when a bot died before
        confirming it (a client that starts from offset 0 receives it once more)."""
        update = next(u for u in self.history if u["update_id"] == update_id)
        self._updates = sorted(
            [*self._updates, copy.deepcopy(update)], key=lambda u: int(u["update_id"])
        )
        self._notify()

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Queued updates not yet confirmed by a getUpdates offset."""
        return copy.deepcopy(self._updates)

    # ------------------------------------------------------------------ inspection

    def sent_messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Messages the bot sent (sendMessage/sendDocument), in order, as currently edited.

        Deleted messages are left out.
        """
        return [
            copy.deepcopy(self._messages[key])
            for key in self._sent
            if key in self._messages and (chat_id is None or key[0] == chat_id)
        ]

    def calls_to(self, method: str) -> list[Call]:
        """The calls of one method (case-insensitive), in order."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,
    ) -> None:
        """Wait until `predicate()` is true; it is re-checked after every request and update.

        The predicate should look at server state (`calls`, `sent_messages()`...): a flag the
        bot sets after a request is only seen at the next request. Raises `TimeoutError`.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = ", ".join(
                    f"{c.method}->{c.response_status or 'pending'}" for c in self.calls[-8:]
                )
                raise TimeoutError(
                    f"condition not met within {timeout}s; last calls: [{recent}]; "
                    f"{len(self._updates)} update(s) still queued"
                )
            await self._wait_changed(remaining)

    def notify(self) -> None:
        """Wake `wait_for` callers (for predicates on state the server does not see)."""
        self._notify()

    # ------------------------------------------------------------------ faults

    def fail_next(
        self,
        method: str,
        status: int | None = None,
        retry_after: int | None = None,
        delay: float = 0.0,
        description: str | None = None,
    ) -> None:
        """Make the next call of `method` fail; faults of a method are consumed in order.

        `status` 429 answers "Too Many Requests: retry after N" with `parameters.retry_after`
        (default 3); 500 "Internal Server Error"; 409 the getUpdates conflict; others a generic
        wording (or `description`). `delay` holds the answer that long: with a status the error
        comes after the delay; without one the request is processed first (a message is really
        sent) and only the answer is late — as when Telegram is slow and the client times out.
        """
        if status == 429 and retry_after is None:
            retry_after = 3
        fault = _Fault(status, retry_after, delay, description)
        self._faults.setdefault(method.lower(), deque()).append(fault)

    # ------------------------------------------------------------------ webhook helpers

    async def post_update_to(
        self, url: str, update: Mapping[str, Any], secret_token: str | None = None
    ) -> int:
        """POST an update to the bot's webhook like Telegram does; return the HTTP status.

        An `update_id` is assigned if missing. Only loopback URLs are allowed.
        """
        host = urlsplit(url).hostname
        if host not in {"127.0.0.1", "localhost", "::1"}:
            raise ValueError(f"refusing to post to non-loopback URL {url!r}")
        body = dict(update)
        body.setdefault("update_id", next(self._update_ids))
        headers = {} if secret_token is None else {"X-Telegram-Bot-Api-Secret-Token": secret_token}
        timeout = aiohttp.ClientTimeout(total=10)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(url, json=body, headers=headers) as response,
        ):
            await response.read()
            return response.status

    async def flush_to_webhook(self) -> list[int]:
        """POST every queued update to the registered webhook (with its secret token).

        Updates answered with 2xx are removed from the queue; returns the statuses.
        """
        if self.webhook is None:
            raise RuntimeError("no webhook is set")
        statuses: list[int] = []
        for update in list(self._updates):
            status = await self.post_update_to(
                self.webhook["url"], update, self.webhook.get("secret_token")
            )
            statuses.append(status)
            if 200 <= status < 300:
                self._updates.remove(update)
        self._notify()
        return statuses

    # ------------------------------------------------------------------ HTTP plumbing

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _pause(self, seconds: float) -> None:
        """Wait `seconds`, or less if the server is stopping."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _wait_changed(self, seconds: float) -> None:
        """Wait for the next request/update notification, at most `seconds`."""
        changed = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), seconds)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.path.startswith("/file/bot"):
            return self._serve_file(request)
        match = re.fullmatch(r"/bot([^/]*)/([A-Za-z0-9_]+)", request.path)
        if match is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        token, method = match.groups()
        try:
            params = await self._read_params(request)
        except ValueError as exc:
            return web.json_response(_bad(f"can't parse request: {exc}").body(), status=400)
        call = Call(method=method, params=params, at=asyncio.get_running_loop().time())
        self.calls.append(call)
        self._notify()
        try:
            status, body = await self._answer(token, method, params)
        except asyncio.CancelledError:
            call.response_status = CLIENT_CLOSED
            self._notify()
            raise
        call.response_status = status
        call.response = body
        self._notify()
        return web.json_response(body, status=status)

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        raw: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.body_exists:
            if request.content_type == "application/json":
                loaded = await request.json()
                if not isinstance(loaded, dict):
                    raise ValueError("JSON body is not an object")
                raw.update(loaded)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        raw[key] = UploadedFile(
                            file_name=value.filename,
                            mime_type=value.content_type,
                            data=value.file.read(),
                        )
                    else:
                        raw[key] = value
        return {key: self._decode(key, value) for key, value in raw.items()}

    @staticmethod
    def _decode(key: str, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            if key in _JSON_FIELDS:
                return json.loads(value)
            if key in _INT_FIELDS:
                return int(value)
            if key == "chat_id":
                return int(value) if re.fullmatch(r"-?\d+", value) else value
            if key == "timeout":
                number = float(value)
                return int(number) if number.is_integer() else number
        except ValueError as exc:
            raise ValueError(f"field {key!r}: {exc}") from exc
        if key in _BOOL_FIELDS and value in {"true", "false"}:
            return value == "true"
        return value

    async def _answer(
        self, token: str, method: str, params: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        name = method.lower()
        queue = self._faults.get(name)
        fault = queue.popleft() if queue else None
        if fault is not None and fault.status is not None:
            if fault.delay:
                await self._pause(fault.delay)
            return fault.status, self._fault_body(fault)
        status, body = await self._run(name, params)
        if fault is not None and fault.delay:
            await self._pause(fault.delay)
        return status, body

    async def _run(self, name: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        handler = self._methods.get(name)
        try:
            if handler is not None:
                result = handler(params)
                if asyncio.iscoroutine(result):
                    result = await result
            elif name in _NOOP_METHODS:
                result = True
            else:
                raise _bad("method not found")
        except _ApiError as error:
            return error.status, error.body()
        return 200, {"ok": True, "result": result}

    @staticmethod
    def _fault_body(fault: _Fault) -> dict[str, Any]:
        status = fault.status or 500
        parameters: dict[str, Any] | None = None
        if fault.retry_after is not None:
            parameters = {"retry_after": fault.retry_after}
        description = fault.description
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {fault.retry_after}"
            else:
                description = _DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
        return _ApiError(status, description, parameters).body()

    def _serve_file(self, request: web.Request) -> web.Response:
        prefix = f"/file/bot{self.token}/"
        if not request.path.startswith(prefix):
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        file_path = request.path.removeprefix(prefix)
        file_id = file_path.split("/")[-1]
        stored = self.files.get(file_id)
        if stored is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    # ------------------------------------------------------------------ chats and messages

    def _register_chat(
        self, user: dict[str, Any], chat_id: int | None, chat_type: str
    ) -> dict[str, Any]:
        if chat_type == "private":
            if chat_id not in (None, user["id"]):
                raise ValueError("a private chat's id is the user's id")
            chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
            if "username" in user:
                chat["username"] = user["username"]
        elif chat_type in {"group", "supergroup"}:
            if chat_id is None or chat_id >= 0:
                raise ValueError("group chats need a negative chat_id")
            chat = {"id": chat_id, "type": chat_type, "title": f"Group {chat_id}"}
        else:
            raise ValueError(f"unsupported chat_type {chat_type!r}")
        self._chats[chat["id"]] = chat
        self.known_chats.add(chat["id"])
        return chat

    def _chat(self, raw: Any) -> dict[str, Any]:
        if raw is None or raw == "":
            raise _bad("chat_id is empty")
        if not isinstance(raw, int) or raw not in self.known_chats:
            raise _bad("chat not found")
        if raw in self._chats:
            return self._chats[raw]
        if raw > 0:
            return {"id": raw, "type": "private", "first_name": "User"}
        if str(raw).startswith("-100"):
            return {"id": raw, "type": "supergroup", "title": f"Group {raw}"}
        return {"id": raw, "type": "group", "title": f"Group {raw}"}

    def _stored(self, chat_id: int, message_id: int) -> dict[str, Any]:
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        reply = {key: value for key, value in message.items() if key != "reply_to_message"}
        return copy.deepcopy(reply)

    def _new_message(
        self, chat: dict[str, Any], sender: dict[str, Any], **content: Any
    ) -> dict[str, Any]:
        message_id = self._last_message_id.get(chat["id"], 0) + 1
        self._last_message_id[chat["id"]] = message_id
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": dict(sender),
            "chat": dict(chat),
            "date": int(time.time()),
        }
        message.update({key: value for key, value in content.items() if value})
        self._messages[(chat["id"], message_id)] = message
        return message

    def _reply_target(self, chat_id: int, params: dict[str, Any]) -> dict[str, Any] | None:
        reply = params.get("reply_parameters")
        if reply is None and params.get("reply_to_message_id") is not None:
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply", False),
            }
        if not reply:
            return None
        target_chat = reply.get("chat_id", chat_id)
        key = (target_chat, reply.get("message_id"))
        if key in self._messages:
            return self._stored(*key)
        if reply.get("allow_sending_without_reply"):
            return None
        raise _bad("message to be replied not found")

    @staticmethod
    def _check_markup(markup: Any) -> dict[str, Any] | None:
        """Validate a reply_markup; return it if it is shown on the Message (inline only)."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return None  # reply keyboards are accepted but not echoed in the Message
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad("can't parse inline keyboard markup JSON object")
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise _bad("BUTTON_TEXT_INVALID")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                    raise _bad("BUTTON_DATA_INVALID")
                if len(button) < 2:
                    raise _bad(
                        "can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard"
                    )
        return _normalise_markup(markup)

    @staticmethod
    def _formatted(text: str, parse_mode: Any, entities: Any) -> tuple[str, list[dict[str, Any]]]:
        if isinstance(parse_mode, str) and parse_mode.lower() == "html":
            return parse_html(text)
        return text, list(entities or [])

    # ------------------------------------------------------------------ limits

    def _limits_now(self) -> float:
        if self.limits_clock is not None:
            return self.limits_clock()
        return asyncio.get_running_loop().time()

    def _check_limits(self, chat: dict[str, Any]) -> None:
        if chat["id"] in self.blocked_by:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        if not self.enforce_limits:
            return
        now = self._limits_now()
        waits: list[float] = []
        sends = self._chat_sends.get(chat["id"], deque())
        if chat["type"] == "private":
            # `sends` holds one moment: when the chat's allowance is whole again.
            in_use = (sends[0] - now) if sends else 0.0
            if in_use > (PRIVATE_BURST - 1) * PRIVATE_INTERVAL + 1e-9:
                waits.append(in_use - (PRIVATE_BURST - 1) * PRIVATE_INTERVAL)
        else:
            while sends and now - sends[0] >= 60:
                sends.popleft()
            if len(sends) >= GROUP_PER_MINUTE:
                waits.append(sends[0] + 60 - now)
        if waits:
            self.refused_by["chat"] += 1
        while self._global_sends and now - self._global_sends[0] >= 1:
            self._global_sends.popleft()
        if len(self._global_sends) >= GLOBAL_PER_SECOND:
            waits.append(self._global_sends[0] + 1 - now)
            self.refused_by["overall"] += 1
        if waits:
            self.too_many_requests += 1
            raise _too_many(max(1, math.ceil(max(waits))))

    def _count_send(self, chat: dict[str, Any]) -> None:
        if not self.enforce_limits:
            return
        now = self._limits_now()
        self._global_sends.append(now)
        sends = self._chat_sends.setdefault(chat["id"], deque())
        if chat["type"] == "private":
            full_at = max(sends.popleft() if sends else now, now)
            sends.append(full_at + PRIVATE_INTERVAL)
        else:
            sends.append(now)

    # ------------------------------------------------------------------ methods

    def _get_me(self, _params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise _ApiError(409, _CONFLICT_WEBHOOK)
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        if "allowed_updates" in params:
            self._allowed_updates = list(params["allowed_updates"] or [])
        self._poll_generation += 1
        generation = self._poll_generation
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise _ApiError(409, _CONFLICT_WEBHOOK if self.webhook else _CONFLICT_POLLING)
            self._drop_unwanted_updates()
            if self._updates or self._stopping.is_set():
                return copy.deepcopy(self._updates[:limit])
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            await self._wait_changed(remaining)

    def _drop_unwanted_updates(self) -> None:
        allowed = set(self._allowed_updates)
        self._updates = [
            u
            for u in self._updates
            if (_update_type(u) in allowed)
            or (not allowed and _update_type(u) not in _DEFAULT_EXCLUDED_UPDATES)
        ]

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        self._check_limits(chat)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad("message text is empty")
        plain, entities = self._formatted(text, params.get("parse_mode"), params.get("entities"))
        if not plain.strip():
            raise _bad("message text is empty")
        if _utf16_len(plain) > MAX_TEXT:
            raise _bad("message is too long")
        markup = self._check_markup(params.get("reply_markup"))
        reply = self._reply_target(chat["id"], params)
        message = self._new_message(
            chat,
            self.bot_user,
            reply_to_message=reply,
            text=plain,
            entities=entities,
            reply_markup=markup,
        )
        self._sent.append((chat["id"], message["message_id"]))
        self._count_send(chat)
        return copy.deepcopy(message)

    def _message_to_edit(self, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        if params.get("inline_message_id"):
            raise _bad("inline messages are not supported by the fake")
        chat = self._chat(params.get("chat_id"))
        message_id = params.get("message_id")
        message = (
            self._messages.get((chat["id"], message_id)) if isinstance(message_id, int) else None
        )
        if message is None:
            raise _bad("message to edit not found")
        if message["from"].get("id") != self.bot_id:
            raise _bad("message can't be edited")
        return chat, message

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message = self._message_to_edit(params)
        self._check_limits(chat)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad("message text is empty")
        plain, entities = self._formatted(text, params.get("parse_mode"), params.get("entities"))
        if _utf16_len(plain) > MAX_TEXT:
            raise _bad("message is too long")
        if "text" not in message:
            raise _bad("there is no text in the message to edit")
        markup = self._check_markup(params.get("reply_markup"))
        if (
            plain == message.get("text")
            and entities == message.get("entities", [])
            and markup == message.get("reply_markup")
        ):
            raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
        message["text"] = plain
        self._set_optional(message, "entities", entities)
        self._set_optional(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        self._count_send(chat)
        return copy.deepcopy(message)

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        _chat, message = self._message_to_edit(params)
        markup = self._check_markup(params.get("reply_markup"))
        if markup == message.get("reply_markup"):
            raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
        self._set_optional(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    @staticmethod
    def _set_optional(message: dict[str, Any], key: str, value: Any) -> None:
        if value:
            message[key] = value
        else:
            message.pop(key, None)

    def _delete_message(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params.get("chat_id"))
        message_id = params.get("message_id")
        if (
            not isinstance(message_id, int)
            or self._messages.pop((chat["id"], message_id), None) is None
        ):
            raise _bad("message to delete not found")
        return True

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_callbacks:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text")
        if text is not None and (not isinstance(text, str) or len(text) > 200):
            raise _bad("MESSAGE_TOO_LONG")
        self._open_callbacks.discard(query_id)
        self.answered_callbacks.append(query_id)
        if text:
            self.callback_texts[query_id] = text
        return True

    def _scope_key(self, scope: Any) -> str:
        if scope is None:
            return "default"
        if not isinstance(scope, dict):
            raise _bad("can't parse BotCommandScope JSON object")
        kind = scope.get("type")
        if kind in {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}:
            return str(kind)
        if kind in {"chat", "chat_administrators", "chat_member"}:
            chat = self._chat(scope.get("chat_id"))
            if kind == "chat_member":
                return f"chat_member:{chat['id']}:{scope.get('user_id')}"
            return f"{kind}:{chat['id']}"
        raise _bad("wrong parameter scope specified")

    def _commands_key(self, params: dict[str, Any]) -> tuple[str, str]:
        language = params.get("language_code") or ""
        if language and not _LANG_RE.fullmatch(language):
            raise _bad("invalid language code specified")
        return self._scope_key(params.get("scope")), language

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        cleaned: list[dict[str, Any]] = []
        for command in commands:
            name = command.get("command") if isinstance(command, dict) else None
            if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name):
                raise _bad("BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        key = self._commands_key(params)
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return copy.deepcopy(self.commands.get(self._commands_key(params), []))

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url") or ""
        if not url:
            return self._delete_webhook(params)
        if urlsplit(url).scheme not in {"http", "https"}:
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_RE.fullmatch(secret):
            raise _bad("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": params.get("allowed_updates"),
            "max_connections": int(params.get("max_connections") or 40),
            "ip_address": params.get("ip_address"),
        }
        self._poll_generation += 1  # a pending long poll now conflicts
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = None
        return True

    def _get_webhook_info(self, _params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook:
            info["max_connections"] = self.webhook["max_connections"]
            if self.webhook["allowed_updates"] is not None:
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        self._check_limits(chat)
        document = params.get("document")
        if isinstance(document, UploadedFile):
            file_id = f"BQACAgIAAx{next(self._file_ids):06d}"
            self.files[file_id] = document
        elif isinstance(document, str) and document in self.files:
            file_id = document
        elif not document:
            raise _bad("there is no document in the request")
        else:
            raise _bad("wrong file identifier/HTTP URL specified")
        stored = self.files[file_id]
        caption = ""
        caption_entities: list[dict[str, Any]] = []
        if params.get("caption"):
            caption, caption_entities = self._formatted(
                params["caption"], params.get("parse_mode"), params.get("caption_entities")
            )
            if _utf16_len(caption) > MAX_CAPTION:
                raise _bad("message caption is too long")
        markup = self._check_markup(params.get("reply_markup"))
        reply = self._reply_target(chat["id"], params)
        info: dict[str, Any] = {
            "file_id": file_id,
            "file_unique_id": f"AgAD{file_id[-6:]}",
            "file_size": len(stored.data),
        }
        if stored.file_name:
            info["file_name"] = stored.file_name
        if stored.mime_type:
            info["mime_type"] = stored.mime_type
        message = self._new_message(
            chat,
            self.bot_user,
            reply_to_message=reply,
            document=info,
            caption=caption,
            caption_entities=caption_entities,
            reply_markup=markup,
        )
        self._sent.append((chat["id"], message["message_id"]))
        self._count_send(chat)
        return copy.deepcopy(message)

    def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        self._check_limits(chat)
        photo = params.get("photo")
        if isinstance(photo, UploadedFile):
            size = _picture_size(photo.data)
            if size is None:
                raise _bad("IMAGE_PROCESS_FAILED")
            width, height = size
            if len(photo.data) > MAX_PHOTO or width + height > 10_000 or max(size) > 20 * min(size):
                raise _bad("PHOTO_INVALID_DIMENSIONS")
            info = self._keep_file("photo", photo)
        elif isinstance(photo, str) and photo in self.files:
            info = self._keep_file("photo", self.files[photo])
        elif not photo:
            raise _bad("there is no photo in the request")
        else:
            raise _bad("wrong file identifier/HTTP URL specified")
        caption = ""
        caption_entities: list[dict[str, Any]] = []
        if params.get("caption"):
            caption, caption_entities = self._formatted(
                params["caption"], params.get("parse_mode"), params.get("caption_entities")
            )
            if _utf16_len(caption) > MAX_CAPTION:
                raise _bad("message caption is too long")
        markup = self._check_markup(params.get("reply_markup"))
        message = self._new_message(
            chat,
            self.bot_user,
            reply_to_message=self._reply_target(chat["id"], params),
            photo=[info],
            caption=caption,
            caption_entities=caption_entities,
            reply_markup=markup,
        )
        self._sent.append((chat["id"], message["message_id"]))
        self._count_send(chat)
        return copy.deepcopy(message)

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._chat(params.get("chat_id"))
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = params.get("file_id")
        if not isinstance(file_id, str) or file_id not in self.files:
            raise _bad("invalid file_id")
        stored = self.files[file_id]
        if len(stored.data) > MAX_DOWNLOAD:
            raise _bad("file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": f"AgAD{file_id[-6:]}",
            "file_size": len(stored.data),
            "file_path": f"documents/{file_id}",
        }
