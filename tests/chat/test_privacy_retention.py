"""Retention: the texts of requests finished long ago are erased once a day; the rows stay."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.core import privacy
from bot.core.clock import FixedClock
from bot.core.privacy import months_before
from bot.core.services import RetentionSettings
from storage.models import HelpRequestModel, OutboxModel
from tests.conftest import START
from tests.helpers import Conversation


async def closed_request(chat: Conversation, text: str, message: str) -> int:
    """Amina asks, Karim takes it, they talk once, Karim solves it, Amina confirms."""
    asked = await chat.say("Amina", f"/demande {text}")
    n = int(asked.split("#", 1)[1].split()[0])
    await chat.say("Karim", f"/prendre {n}")
    await chat.say("Amina", f"/msg {n} {message}")
    await chat.say("Karim", f"/resolu {n} oui")
    await chat.say("Karim", "/annuler")
    await chat.say("Amina", f"/confirmer {n}")
    return n


async def texts(app: App) -> dict[int, tuple[str | None, list[str | None]]]:
    """Each request's text and its thread's texts."""
    found = {}
    async with app.services.uow() as uow:
        for request_id in await uow.session.scalars(select(HelpRequestModel.id)):
            request = await uow.requests.get(request_id)
            assert request is not None
            thread = await uow.requests.thread(request_id)
            found[request_id] = (request.text, [message.text for message in thread])
    return found


def test_months_are_calendar_months() -> None:
    moment = START.replace(month=3, day=31)
    assert months_before(moment, 1).date().isoformat() == "2026-02-28"
    assert months_before(moment, 24).date().isoformat() == "2024-03-31"
    assert months_before(moment, 15).date().isoformat() == "2024-12-31"


async def test_old_texts_are_erased_once_a_day(
    chat: Conversation, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.core.privacy")
    app = chat.app
    assert app.services.retention == RetentionSettings(24, "Europe/Paris")
    await chat.join("Amina")
    await chat.join("Karim", structure="EPN Résoudre")
    await chat.declare("Karim", "ameli (former)")
    old = await closed_request(chat, "Attestation ameli introuvable OLD-1", "Merci OLD-MSG")
    asked = await chat.say("Amina", "/demande Question ameli annulée CANCELLED-2")
    cancelled = int(asked.split("#", 1)[1].split()[0])
    await chat.say("Amina", f"/annuler {cancelled} oui")
    clock.advance(timedelta(days=59))  # a Thursday: offers go out at once
    recent = await closed_request(chat, "Compte ameli bloqué RECENT-3", "Merci RECENT-MSG")
    asked = await chat.say("Amina", "/demande Encore ameli, toujours ouverte OPEN-4")
    still_open = int(asked.split("#", 1)[1].split()[0])

    clock.advance(START.replace(year=2028, month=12, day=30) - clock.now())  # START + 25 months
    caplog.clear()
    await chat.tick()  # the daily job runs with the periodic work
    after = await texts(app)
    assert after[old] == (None, [None])  # closed 25 months ago
    assert after[cancelled][0] is None
    assert after[recent] == ("Compte ameli bloqué RECENT-3", ["Merci RECENT-MSG"])  # 23 months
    assert after[still_open][0] == "Encore ameli, toujours ouverte OPEN-4"
    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.core.privacy"]
    assert "2 requests and 1 messages" in line
    async with app.services.uow() as uow:
        assert await uow.session.scalar(select(func.count(HelpRequestModel.id))) == 4
        assert (await uow.requests.get(old)) is not None
        # the notices delivered 25 months ago (they carry names) are gone, the recent ones stay
        sent = list(await uow.session.scalars(select(OutboxModel.sent_at)))
    assert sent and all(
        when is not None and when > clock.now() - timedelta(days=731) for when in sent
    )

    caplog.clear()
    again = await privacy.purge_expired(app.services)
    assert not again.ran and caplog.records == []  # once a day only
    clock.advance(timedelta(hours=20))
    next_day = await privacy.purge_expired(app.services)
    assert next_day.ran and (next_day.requests, next_day.messages) == (0, 0)  # idempotent
    assert await texts(app) == after

    clock.advance(timedelta(days=62))
    later = await privacy.purge_expired(app.services)
    assert (later.requests, later.messages) == (1, 1)
    assert (await texts(app))[recent] == (None, [None])
