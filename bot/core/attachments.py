"""Files members send (screenshots, documents): kept with the request they belong to.

```
received ──keep──▶ waiting: its sender says where it goes ──place──▶ with a new request,
    │                  │ (within WAITING_FOR)                          or in a request's thread
    │ too big          │ not placed, or "delete"                                │
    ▼                  ▼                                                        ▼
 refused            deleted                  erased with the texts it came with (retention,
                                             /oublier); listed in /mesdonnees
```

Nothing a sender's app says about a file is trusted: its name is cleaned (no folders, no
control or invisible characters, bounded length), and a picture is a picture only if its
content is one (PNG, JPEG, GIF or WebP), whatever type was declared.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from io import BytesIO

from bot.core.services import Services
from bot.core.types import Member, StoredAttachment
from storage.db import UnitOfWork

# A file waits this long for its sender to say where it goes (a request written just after
# the screenshot takes it); then it is deleted.
WAITING_FOR = timedelta(minutes=30)

IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
UNKNOWN_TYPE = "application/octet-stream"
MAX_NAME_LENGTH = 120

_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}")
_SEPARATORS = re.compile(r"[/\\]")


class FileTooBig(Exception):
    """A file over the configured size limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"file over {limit} bytes")
        self.limit = limit


@dataclass(frozen=True, slots=True)
class NewFile:
    """A file as a member's app sent it: name and type as declared (not trusted yet)."""

    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class Placed:
    """Files just given to a request or a message; `first`: the sender's first in the request
    (they are reminded that screenshots often show personal data)."""

    files: tuple[StoredAttachment, ...] = ()
    first: bool = False


@dataclass(frozen=True, slots=True)
class FileToSend:
    """A kept file with its bytes, to pass on."""

    info: StoredAttachment
    content: bytes = field(repr=False)


def is_image(media_type: str) -> bool:
    """Whether a (recognised) media type is a picture a chat shows inline."""
    return media_type in IMAGE_TYPES.values()


def recognise(content: bytes, declared: str) -> str:
    """The media type of a file: a picture from its content, else the declared type when it
    is well formed (never an image type nothing confirmed), else `application/octet-stream`."""
    found = _image_format(content)
    if found is not None:
        return IMAGE_TYPES[found]
    media_type = declared.split(";", 1)[0].strip().lower()
    if not _MEDIA_TYPE.fullmatch(media_type) or media_type.startswith("image/"):
        return UNKNOWN_TYPE
    return media_type


def _image_format(content: bytes) -> str | None:
    """PNG, JPEG, GIF or WEBP when the bytes are such a picture (its header read, not its
    pixels: a "decompression bomb" is refused as a picture)."""
    from PIL import Image  # a few MiB: loaded once a file arrives, not at every start

    try:
        with Image.open(BytesIO(content), formats=tuple(IMAGE_TYPES)) as image:
            width, height = image.size
            most = Image.MAX_IMAGE_PIXELS or 0
            if width < 1 or height < 1 or (most and width * height > most):
                return None
            return image.format if image.format in IMAGE_TYPES else None
    except Exception:  # Pillow raises several kinds for what is not a picture
        return None


def clean_filename(name: str, media_type: str) -> str:
    """A file name safe to show and to hand to another app: its last path component, without
    control or invisible characters, at most MAX_NAME_LENGTH characters (extension kept);
    `image.png` / `document.pdf` when nothing usable is left."""
    name = _SEPARATORS.split(unicodedata.normalize("NFC", name))[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = " ".join(name.split()).lstrip(". ").rstrip(" ")
    if name in ("", "..", "."):
        stem = "image" if is_image(media_type) else "document"
        return stem + (_extension(media_type) or "")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10 and stem:
            name = stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:MAX_NAME_LENGTH].rstrip()
    return name


def _extension(media_type: str) -> str | None:
    if media_type == "image/jpeg":
        return ".jpg"
    return mimetypes.guess_extension(media_type, strict=False)


async def keep(services: Services, sender: Member, file: NewFile) -> StoredAttachment:
    """Keep a file a member sent, waiting for them to say where it goes.

    Raises FileTooBig over the configured limit (the services' file settings).
    """
    max_bytes = services.files.max_bytes
    if len(file.content) > max_bytes:
        raise FileTooBig(max_bytes)
    media_type = recognise(file.content, file.media_type)
    async with services.uow() as uow:
        kept = await uow.attachments.add(
            sender_id=sender.id,
            filename=clean_filename(file.filename, media_type),
            media_type=media_type,
            content=file.content,
            now=services.clock.now(),
        )
        await uow.commit()
    return kept


async def place_waiting(
    uow: UnitOfWork,
    now: datetime,
    sender_id: int,
    request_id: int,
    *,
    relay_id: int | None = None,
    ids: Collection[int] | None = None,
) -> Placed:
    """Inside an open unit of work: give the sender's waiting files (all those of the last
    WAITING_FOR, or only `ids`) to a request, or to a message of its thread."""
    waiting = await uow.attachments.waiting(sender_id, now - WAITING_FOR, ids)
    if not waiting:
        return Placed()
    before = await uow.attachments.count_in_request(request_id, sender_id)
    placed = await uow.attachments.place(
        [file.id for file in waiting], sender_id, request_id=request_id, relay_id=relay_id
    )
    return Placed(tuple(placed), first=bool(placed) and before == 0)


async def place_waiting_in_new(
    uow: UnitOfWork, now: datetime, sender_id: int, request_id: int
) -> Placed:
    """`place_waiting` (all the sender's waiting files) for a request just stored in this
    unit of work, which has no file yet: one statement."""
    placed = await uow.attachments.place_all_waiting(
        sender_id, now - WAITING_FOR, request_id=request_id
    )
    return Placed(tuple(placed), first=bool(placed))


async def waiting(
    services: Services, sender: Member, ids: Collection[int] | None = None
) -> list[StoredAttachment]:
    """The member's files still waiting to be placed (optionally only among `ids`)."""
    async with services.uow() as uow:
        return await uow.attachments.waiting(sender.id, services.clock.now() - WAITING_FOR, ids)


async def discard(services: Services, sender: Member) -> int:
    """Delete the member's files still waiting; how many went."""
    async with services.uow() as uow:
        dropped = await uow.attachments.drop_waiting(sender.id)
        await uow.commit()
    return dropped


async def drop_unplaced(services: Services) -> int:
    """Delete the files nobody placed within WAITING_FOR (the periodic work)."""
    async with services.uow() as uow:
        dropped = await uow.attachments.drop_waiting_before(services.clock.now() - WAITING_FOR)
        await uow.commit()
    return dropped


async def of_request(services: Services, request_id: int) -> list[StoredAttachment]:
    """The files sent with a request (not those of its thread)."""
    async with services.uow() as uow:
        return await uow.attachments.of_request(request_id)


async def with_content(services: Services, files: Collection[StoredAttachment]) -> list[FileToSend]:
    """These files with their bytes (those erased meanwhile are left out), in order."""
    async with services.uow() as uow:
        contents = await uow.attachments.contents([file.id for file in files])
    return [FileToSend(file, contents[file.id]) for file in files if file.id in contents]


async def of_request_to_send(services: Services, request_id: int) -> list[FileToSend]:
    """The files sent with a request, with their bytes (to pass on with an offer)."""
    return await with_content(services, await of_request(services, request_id))


async def of_message_to_send(services: Services, relay_id: int) -> list[FileToSend]:
    """The files of one message of a thread, with their bytes."""
    async with services.uow() as uow:
        files = await uow.attachments.of_message(relay_id)
    return await with_content(services, files)


async def first_in(services: Services, request_id: int, sender: Member) -> bool:
    """Whether the member has placed no file in this request yet."""
    async with services.uow() as uow:
        return await uow.attachments.count_in_request(request_id, sender.id) == 0
