"""What the bot trusts of a file a member sends: nothing its app declares."""

from __future__ import annotations

import struct
import zlib

import pytest

from bot.core.attachments import MAX_NAME_LENGTH, clean_filename, recognise
from tests.helpers import png


@pytest.mark.parametrize(
    ("name", "media_type", "cleaned"),
    [
        ("capture.png", "image/png", "capture.png"),
        ("../../etc/passwd", "text/plain", "passwd"),
        ("C:\\Users\\amina\\Bureau\\écran.png", "image/png", "écran.png"),
        ("rapport\x00\x07\u202egnp.exe.pdf", "application/pdf", "rapportgnp.exe.pdf"),
        ("zero\u200bwidth  \t name.txt", "text/plain", "zerowidth name.txt"),
        (".bashrc", "text/plain", "bashrc"),
        ("", "image/jpeg", "image.jpg"),
        ("///", "application/pdf", "document.pdf"),
        ("\u202e", "application/octet-stream", "document.bin"),
        ("Cafe\u0301.png", "image/png", "Café.png"),
    ],
)
def test_file_names_are_cleaned(name: str, media_type: str, cleaned: str) -> None:
    assert clean_filename(name, media_type) == cleaned


def test_a_long_name_keeps_its_extension() -> None:
    cleaned = clean_filename("a" * 300 + ".pdf", "application/pdf")
    assert len(cleaned) == MAX_NAME_LENGTH and cleaned.endswith("aaa.pdf")
    assert len(clean_filename("b" * 300, "text/plain")) == MAX_NAME_LENGTH


def _png_header(width: int, height: int) -> bytes:
    """The first bytes of a PNG claiming these dimensions (no pixels follow)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


@pytest.mark.parametrize(
    ("content", "declared", "recognised"),
    [
        (png(), "application/pdf", "image/png"),  # a picture whatever it claims to be
        (png(), "", "image/png"),
        (b"<svg onload=alert(1)>", "image/svg+xml", "application/octet-stream"),
        (b"MZ\x90\x00 not a picture", "image/png", "application/octet-stream"),
        (b"%PDF-1.4", "application/pdf", "application/pdf"),
        (b"bonjour", "TEXT/Plain; charset=utf-8", "text/plain"),
        (b"bonjour", "text/plain\r\nX-Evil: 1", "application/octet-stream"),
        (b"bonjour", "../../../x", "application/octet-stream"),
        (_png_header(100_000, 100_000), "image/png", "application/octet-stream"),  # a bomb
        (b"", "image/gif", "application/octet-stream"),
    ],
)
def test_media_types_come_from_the_content(content: bytes, declared: str, recognised: str) -> None:
    assert recognise(content, declared) == recognised
