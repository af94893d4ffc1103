"""What a person sends besides text, as Telegram describes it, and what Telegram takes as a
photo."""

from __future__ import annotations

from telegram import Message

from bot.chat.types import FileKind, IncomingFile

# Sent as photos (shown in the chat, recompressed by Telegram); other pictures as documents.
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
# The largest photo Telegram takes in an upload (a larger picture goes as a document).
PHOTO_UPLOAD_LIMIT = 10 * 1024 * 1024


def incoming_file(message: Message) -> IncomingFile:
    """The picture, document, voice note or sticker of a message (OTHER: a location, a
    contact, a poll…: nothing to fetch)."""
    if message.photo:
        largest = message.photo[-1]
        return IncomingFile(FileKind.IMAGE, "", "image/jpeg", largest.file_size, largest.file_id)
    if message.sticker is not None:
        return IncomingFile(FileKind.STICKER, ref=message.sticker.file_id)
    if message.voice is not None:
        voice = message.voice
        return IncomingFile(
            FileKind.VOICE, "", voice.mime_type or "", voice.file_size, voice.file_id
        )
    if message.video_note is not None:
        note = message.video_note
        return IncomingFile(FileKind.VOICE, "", "video/mp4", note.file_size, note.file_id)
    for media in (message.document, message.video, message.audio, message.animation):
        if media is not None:
            return IncomingFile(
                FileKind.FILE,
                media.file_name or "",
                media.mime_type or "",
                media.file_size,
                media.file_id,
            )
    return IncomingFile(FileKind.OTHER)
