"""Telegram figures against the loopback Bot API server of the tests (no network).

1. Latency: time from an injected command (`/aide` unless --command) to the bot's reply
   (sendMessage answered), next to a bare python-telegram-bot echo bot on the same server; the
   ratio is the figure. Single commands (each from another member), then three commands sent
   back to back by one member (each answer timed from its own command); `--gap` seconds
   between two members (0.1 by default: under Telegram's 30 messages a second, which the bot
   keeps and the echo bot does not).
2. Fan-out: 1,000 queued messages to 1,000 private chats, the server enforcing Telegram's
   limits: achieved send rate and the number of 429 answers.

Run: .venv/bin/python bench/telegram_bench.py [--requests 200] [--fanout 1000]
     [--command "/demande souci avec un compte ameli"] [--skip-fanout] [--gap 0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.app import App
from bot.config import parse_config
from bot.core.types import Role
from tests.fakes.telegram_api import FakeBotApi

TOKEN = "123456:BENCH"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def answered(server: FakeBotApi, chat_id: int) -> int:
    return sum(
        1
        for c in server.calls_to("sendMessage")
        if c.params.get("chat_id") == chat_id and c.response_status == 200
    )


async def reply_latencies(server: FakeBotApi, chat_id: int, texts: list[str]) -> list[float]:
    """Send the texts as the user all at once (back to back) and time each answer from its own
    text: the n-th answered sendMessage of the chat answers the n-th text."""
    before = answered(server, chat_id)
    starts = []
    for text in texts:
        starts.append(time.perf_counter())
        server.user_sends(chat_id, text, first_name="Amina")
    latencies = []
    for index, start in enumerate(starts):
        await server.wait_for(lambda n=index: answered(server, chat_id) > before + n, timeout=10)
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


async def measure(server: FakeBotApi, chats: list[int], command: str, gap: float) -> Figures:
    """Single commands, one per chat of the first half; then three back to back per chat of
    the second half. `gap` seconds pass between two chats: answers one right after another,
    faster than Telegram's 30 messages a second, would time the bot's pacing to that limit
    (one every 35 ms), not its answer."""
    half = len(chats) // 2
    single: list[float] = []
    for chat in chats[:half]:
        single += await reply_latencies(server, chat, [command])
        await asyncio.sleep(gap)
    three: list[float] = []
    for chat in chats[half:]:
        three += await reply_latencies(server, chat, [command] * 3)
        await asyncio.sleep(gap)
    return Figures(single, three)


@dataclass
class Figures:
    single: list[float]
    three: list[float]


async def echo_bot(server: FakeBotApi, count: int, command: str, gap: float) -> Figures:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    app = ApplicationBuilder().token(TOKEN).base_url(server.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=10)
        await app.start()
        latencies = await measure(server, [2000 + i for i in range(count)], command, gap)
        await app.updater.stop()
        await app.stop()
    return latencies


def config(folder: str, server: FakeBotApi) -> dict[str, object]:
    return {
        "database": {"url": f"sqlite:///{folder}/bench.db"},
        "network": {"structures": ["Mission locale"]},
        "requests": {"quiet_hours": "00:00-00:00", "quiet_weekends": False},
        "console": {"enabled": False},
        "telegram": {"enabled": True, "token": TOKEN, "base_url": server.base_url},
    }


async def samu_bot(server: FakeBotApi, count: int, command: str, gap: float) -> Figures:
    """Each chat is a different member."""
    with tempfile.TemporaryDirectory() as folder:
        app = App.build(parse_config(config(folder, server), "bench", {}))
        await app.prepare(migrate=True)
        await seed_members(app, server, [1000 + i for i in range(count)])
        stop = asyncio.Event()
        task = asyncio.create_task(app.run(None, app.telegram(), stop))
        await server.wait_for(lambda: bool(server.calls_to("getUpdates")))
        latencies = await measure(server, [1000 + i for i in range(count)], command, gap)
        stop.set()
        await task
        await app.close()
    return latencies


async def seed_members(app: App, server: FakeBotApi, chats: list[int]) -> list[int]:
    """Members with a Telegram identity each, written directly in the database."""
    clock = app.services.clock
    ids = []
    async with app.services.uow() as uow:
        for chat in chats:
            server.known_chats.add(chat)
            member = await uow.members.add(
                display_name=f"M{chat}",
                role=Role.MEMBER,
                locale="fr",
                structure_id=None,
                now=clock.now(),
            )
            await uow.members.add_identity(
                member_id=member.id,
                platform="telegram",
                platform_user_id=str(chat),
                chat_id=str(chat),
                now=clock.now(),
            )
            ids.append(member.id)
        await uow.commit()
    return ids


async def fan_out(count: int) -> tuple[float, int, int]:
    async with FakeBotApi(token=TOKEN, enforce_limits=True) as server:
        with tempfile.TemporaryDirectory() as folder:
            app = App.build(parse_config(config(folder, server), "bench", {}))
            await app.prepare(migrate=True)
            clock = app.services.clock
            members = await seed_members(app, server, [10_000 + i for i in range(count)])
            async with app.services.uow() as uow:
                for member_id in members:
                    await uow.outbox.enqueue(
                        recipient_id=member_id,
                        kind="delivery_failed",
                        params={"member_id": member_id},
                        now=clock.now(),
                    )
                await uow.commit()
            telegram = app.telegram()
            stop = asyncio.Event()
            runner = asyncio.create_task(telegram.run())
            await server.wait_for(lambda: bool(server.calls_to("getUpdates")))
            dispatcher = app.use_transports([telegram])
            start = time.perf_counter()
            delivered = await dispatcher.run_once()
            elapsed = time.perf_counter() - start
            telegram.stop()
            await runner
            stop.set()
            await app.close()
            return delivered / elapsed, server.too_many_requests, delivered


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--fanout", type=int, default=1000)
    parser.add_argument("--command", default="/aide", help="the command timed (default /aide)")
    parser.add_argument("--skip-fanout", action="store_true")
    parser.add_argument(
        "--gap",
        type=float,
        default=0.1,
        help="seconds between two members' commands (0: one right after the other's answer)",
    )
    args = parser.parse_args()
    # The echo bot keeps no limits (it would get 429s past 30 answers a second); ours runs on a
    # server enforcing Telegram's, so an answer that broke them would be refused and counted.
    async with FakeBotApi(token=TOKEN) as server:
        echo = await echo_bot(server, args.requests, args.command, args.gap)
    async with FakeBotApi(token=TOKEN, enforce_limits=True) as server:
        ours = await samu_bot(server, args.requests, args.command, args.gap)
        ours_refused = server.too_many_requests
    chats = args.requests // 2
    for label, mine, bare in (
        (f"single {args.command}, {chats} members", ours.single, echo.single),
        (
            f"three {args.command} back to back, {args.requests - chats} members",
            ours.three,
            echo.three,
        ),
    ):
        print(f"latency {label} → reply ({len(mine)} answers, ms):")
        print(
            f"  samu      median {statistics.median(mine):7.2f}  p95 {percentile(mine, 0.95):7.2f}"
        )
        print(
            f"  echo bot  median {statistics.median(bare):7.2f}  p95 {percentile(bare, 0.95):7.2f}"
        )
        print(
            f"  ratio     median {statistics.median(mine) / statistics.median(bare):.2f}x  "
            f"p95 {percentile(mine, 0.95) / percentile(bare, 0.95):.2f}x   (target ≤ 1.3x)"
        )
    print(f"429 answers to samu during the latency runs: {ours_refused} (target 0)")
    if args.skip_fanout:
        return
    rate, refused, delivered = await fan_out(args.fanout)
    print(
        f"fan-out: {delivered} messages to {args.fanout} chats at {rate:.1f} msg/s "
        f"(target ≥ 27 of 30), {refused} answered 429 by the server (target 0)"
    )


if __name__ == "__main__":
    asyncio.run(main())
