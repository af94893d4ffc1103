"""Messages kept on disk: written whole, read back in order, handed over after a restart."""

from __future__ import annotations

from pathlib import Path

from bot.chat.types import ChatType, Deferred, FileKind, Incoming, IncomingFile, Outgoing
from bot.transports.base import PatientAnswers
from bot.transports.spool import Spool


def _kept_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.json"))


def _message(n: int, chat: str = "amina") -> Incoming:
    return Incoming(
        platform="telegram",
        user_id=chat,
        chat_id=chat,
        text=f"/demande souci n°{n} — « ameli »",
        chat_type=ChatType.GROUP if n % 2 else ChatType.PRIVATE,
        event_id=f"update-{n}",
        reply_to="42" if n == 2 else None,
        is_button=n == 3,
        file=IncomingFile(FileKind.IMAGE, "écran.png", "image/png", 1234, "AgAD-42")
        if n == 4
        else None,
    )


async def test_kept_messages_come_back_whole_and_in_order(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "kept")
    assert await spool.load() == []  # nothing kept yet: no directory either
    names = [await spool.put(_message(n)) for n in range(1, 6)]
    assert [incoming for _, incoming in await Spool(tmp_path / "kept").load()] == [
        _message(n) for n in range(1, 6)
    ]
    await spool.drop(names[1])
    assert [name for name, _ in await spool.load()] == [names[0], *names[2:]]
    assert not list((tmp_path / "kept").glob(".*partial"))


async def test_an_unreadable_file_is_set_aside_not_deleted(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    await spool.put(_message(1))
    (tmp_path / "00000000000000000000-1-000000.json").write_text("{not json", "utf-8")
    left = await spool.load()
    assert [incoming for _, incoming in left] == [_message(1)]
    assert (tmp_path / "00000000000000000000-1-000000.bad").exists()


async def test_a_restarted_worker_answers_what_the_previous_one_kept(tmp_path: Path) -> None:
    available = False
    handled: list[str] = []
    sent: list[tuple[str, str]] = []

    async def handle(incoming: Incoming) -> list[Outgoing]:
        if not available:
            raise Deferred(incoming, [Outgoing("Votre message est gardé.")])
        handled.append(incoming.text)
        return [Outgoing(f"Reçu : {incoming.text}")]

    async def send(chat_id: str, message: Outgoing, *, key: str | None = None) -> str:
        sent.append((chat_id, message.text))
        return str(len(sent))

    before = PatientAnswers(handle, send, spool=Spool(tmp_path), retry_first=3600)
    for n in (1, 2):
        await before.answer(_message(n))
    assert before.kept == 2 and len(_kept_files(tmp_path)) == 2
    await before.close()  # the worker stops (or dies) with the database still away

    available = True
    after = PatientAnswers(handle, send, spool=Spool(tmp_path), retry_first=0)
    await after.resume()
    await after.resume()  # taken up once, however often asked
    assert after._retrying is not None
    await after._retrying
    assert handled == [_message(1).text, _message(2).text]
    assert not _kept_files(tmp_path)
    await after.close()


async def test_forget_removes_the_kept_messages_of_an_erased_person(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "kept")
    mine = [await spool.put(_message(n, chat="amina")) for n in (1, 2)]
    other = await spool.put(_message(3, chat="karim"))
    broken = tmp_path / "kept" / "00000000000000000001-1-000001.bad"
    broken.write_bytes(b'{"user_id": "amina", "text": "cut')  # set aside: still hers
    assert await spool.forget(["amina"]) == 3
    assert [p.name for p in (tmp_path / "kept").iterdir()] == [other]
    assert await spool.forget(["amina"]) == 0
    assert not any(name in [p.name for p in (tmp_path / "kept").iterdir()] for name in mine)
    assert await Spool(tmp_path / "nowhere").forget(["amina"]) == 0
