"""Files on Matrix: what a media event describes, fetching (and decrypting) it, and the
event content of a file the bot sends."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
from nio import (
    AsyncClient,
    MemoryDownloadResponse,
    RoomEncryptedImage,
    RoomEncryptedMedia,
    RoomMessageImage,
    RoomMessageMedia,
    StickerEvent,
)
from nio.crypto import decrypt_attachment
from nio.exceptions import EncryptionError

from bot.chat.types import Attachment, FileKind, FileProblem, FileUnavailable, IncomingFile

# What a media event is: RoomMessageMedia, RoomEncryptedMedia or StickerEvent (nio has no
# type hints, so their union reads as Any).
MEDIA_EVENTS = (RoomMessageMedia, RoomEncryptedMedia, StickerEvent)
VOICE_KEY = "org.matrix.msc3245.voice"  # how Element marks a voice message (an m.audio)


def incoming_file(event: Any) -> tuple[IncomingFile, str]:
    """The file of a media event and its caption (a body that differs from the file name,
    as clients that support captions send them)."""
    content = event.source.get("content", {})
    info = content.get("info") if isinstance(content.get("info"), dict) else {}
    size = info.get("size")
    filename = str(content.get("filename") or event.body or "")
    caption = event.body if content.get("filename") and event.body != content["filename"] else ""
    if isinstance(event, StickerEvent):
        return IncomingFile(FileKind.STICKER, ref=_ref(event)), ""
    if isinstance(event, RoomMessageImage | RoomEncryptedImage):
        kind = FileKind.IMAGE
    elif content.get("msgtype") == "m.audio" and VOICE_KEY in content:
        kind = FileKind.VOICE
    else:
        kind = FileKind.FILE
    media_type = str(info.get("mimetype") or getattr(event, "mimetype", "") or "")
    declared = size if isinstance(size, int) and size >= 0 else None
    return IncomingFile(kind, filename, media_type, declared, _ref(event)), caption


def _ref(event: Any) -> str:
    """Where the file is, and its keys when it is encrypted (JSON)."""
    if isinstance(event, RoomEncryptedMedia):
        return json.dumps(
            {
                "url": event.url,
                "key": event.key.get("k", ""),
                "iv": event.iv,
                "sha256": event.hashes.get("sha256", ""),
            }
        )
    return json.dumps({"url": event.url})


async def fetch(client: AsyncClient, file: IncomingFile, limit: int) -> bytes:
    """Download a file from the homeserver, decrypted when it was sent encrypted.

    (The homeserver's own upload limit bounds what is downloaded before `limit` is checked.)
    """
    try:
        where = json.loads(file.ref)
        response = await client.download(mxc=str(where["url"]))
    except (ValueError, KeyError, TypeError, OSError, aiohttp.ClientError) as error:
        raise FileUnavailable(FileProblem.UNREADABLE) from error
    if not isinstance(response, MemoryDownloadResponse):
        raise FileUnavailable(FileProblem.UNREADABLE)
    content: bytes = response.body
    if "key" in where:
        try:
            content = await asyncio.to_thread(
                decrypt_attachment, content, where["key"], where["sha256"], where["iv"]
            )
        except (EncryptionError, ValueError, TypeError) as error:
            raise FileUnavailable(FileProblem.UNDECRYPTABLE) from error
    if len(content) > limit:
        raise FileUnavailable(FileProblem.TOO_BIG)
    return content


def file_content(attachment: Attachment, url: str, keys: dict[str, Any] | None) -> dict[str, Any]:
    """An `m.image` or `m.file` event for an uploaded file (`keys`: it was encrypted)."""
    event: dict[str, Any] = {
        "msgtype": "m.image" if attachment.is_image else "m.file",
        "body": attachment.filename,
        "filename": attachment.filename,
        "info": {"mimetype": attachment.media_type, "size": len(attachment.content)},
    }
    if keys is not None:
        event["file"] = {"url": url, **keys}
    else:
        event["url"] = url
    return event
