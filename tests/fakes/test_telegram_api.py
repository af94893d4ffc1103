"""The fake Bot API against the real python-telegram-bot stack (Bot, Application, Updater)."""

from __future__ import annotations

import asyncio
import socket
import warnings
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes.telegram_api import CLIENT_CLOSED, FakeBotApi, UploadedFile, parse_html

# PTB's own RetryAfter.__init__ reads the deprecated int-valued `retry_after` and warns.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)

TOKEN = "123456:TEST"
USER = 1001


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN, username="samu_test_bot") as fake:
        yield fake


def make_bot(server: FakeBotApi, token: str = TOKEN) -> Bot:
    return Bot(token, base_url=server.base_url, base_file_url=server.base_file_url)


@pytest.fixture
async def bot(server: FakeBotApi) -> AsyncIterator[Bot]:
    async with make_bot(server) as ptb_bot:
        yield ptb_bot


def make_application(server: FakeBotApi) -> Application:  # type: ignore[type-arg]
    return (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )


def retry_seconds(exc: RetryAfter) -> float:
    """`RetryAfter.retry_after` warns (int → timedelta migration); read it quietly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------------- Bot: happy paths


async def test_get_me_is_the_first_call(bot: Bot, server: FakeBotApi) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.first_name, me.username) == (123456, True, "Samu", "samu_test_bot")
    assert server.calls[0].method == "getMe"  # from `async with bot` (Bot.initialize)
    assert all(call.response_status == 200 for call in server.calls)


async def test_inline_keyboard_callback_data_round_trips(bot: Bot, server: FakeBotApi) -> None:
    server.user_sends(user_id=USER, text="bonjour")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Oui", callback_data="yes:42")]])
    sent = await bot.send_message(USER, "Confirmer ?", reply_markup=keyboard)

    assert sent.reply_markup == keyboard
    assert sent.chat.id == USER
    assert sent.message_id == 2  # the user's message was 1 in this chat
    assert server.calls_to("sendMessage")[0].params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Oui", "callback_data": "yes:42"}]]
    }
    query_id = server.user_presses(user_id=USER, message_id=sent.message_id, data="yes:42")
    updates = await bot.get_updates(timeout=1)
    assert [u.update_id for u in updates] == [1, 2]
    query = updates[1].callback_query
    assert query is not None and query.data == "yes:42" and query.id == query_id
    assert query.message is not None and query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query_id) is True
    assert server.answered_callbacks == [query_id]
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)


async def test_edit_message_text_and_not_modified(bot: Bot, server: FakeBotApi) -> None:
    server.user_sends(user_id=USER, text="salut")
    sent = await bot.send_message(USER, "Version 1")
    edited = await bot.edit_message_text("Version 2", chat_id=USER, message_id=sent.message_id)
    assert isinstance(edited, type(sent)) and edited.text == "Version 2"
    assert edited.edit_date is not None
    assert [m["text"] for m in server.sent_messages(USER)] == ["Version 2"]
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Version 2", chat_id=USER, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=99)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    with_markup = await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=keyboard)
    assert isinstance(with_markup, type(sent)) and with_markup.reply_markup == keyboard


async def test_html_is_parsed_into_entities(bot: Bot, server: FakeBotApi) -> None:
    server.user_sends(user_id=USER, text="salut")
    sent = await bot.send_message(
        USER, "<b>Bonjour</b> &amp; <a href='https://example.org'>lien</a>", parse_mode="HTML"
    )
    assert sent.text == "Bonjour & lien"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 7),
        ("text_link", 10, 4),
    ]
    assert server.calls_to("sendMessage")[0].params["text"].startswith("<b>Bonjour</b>")
    for bad in ("<b>non fermé", "<div>x</div>", "a & b", "a < b", "<b><i>x</b></i>"):
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(USER, bad, parse_mode=ParseMode.HTML)
    assert parse_html("😀<i>é</i>")[1] == [{"type": "italic", "offset": 2, "length": 1}]


async def test_send_message_validation(bot: Bot, server: FakeBotApi) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(4242, "personne ?")
    server.user_sends(user_id=USER, text="salut")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER, "")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "x" * 4097)
    assert (await bot.send_message(USER, "x" * 4096)).text == "x" * 4096
    # Telegram counts UTF-16 code units: an emoji outside the BMP counts two.
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "😀" * 2049)
    assert (await bot.send_message(USER, "😀" * 2048)).text == "😀" * 2048
    # ... of the text once its entities are parsed: "&lt;" counts one.
    assert (await bot.send_message(USER, "&lt;" * 4096, parse_mode=ParseMode.HTML)).text
    too_long = InlineKeyboardButton("B", callback_data="d" * 65)
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "t", reply_markup=InlineKeyboardMarkup([[too_long]]))
    server.known_chats.add(7)
    assert (await bot.send_message(7, "connu")).chat.type == "private"
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(USER, "réponse", reply_to_message_id=999)
    reply = await bot.send_message(USER, "réponse", reply_to_message_id=1)
    assert reply.reply_to_message is not None and reply.reply_to_message.text == "salut"


async def test_commands_by_scope_and_language(bot: Bot, server: FakeBotApi) -> None:
    server.user_sends(user_id=USER, text="salut")
    commands = [BotCommand("start", "Démarrer"), BotCommand("aide", "Obtenir de l'aide")]
    scope = BotCommandScopeChat(USER)
    assert await bot.set_my_commands(commands, scope=scope, language_code="fr") is True
    assert server.calls_to("setMyCommands")[0].params["scope"] == {"type": "chat", "chat_id": USER}
    assert server.commands == {
        (f"chat:{USER}", "fr"): [
            {"command": "start", "description": "Démarrer"},
            {"command": "aide", "description": "Obtenir de l'aide"},
        ]
    }
    assert await bot.get_my_commands(scope=scope, language_code="fr") == tuple(commands)
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start", "Majuscule")])
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_DESCRIPTION_INVALID"):
        await bot.set_my_commands([BotCommand("vide", "")])
    assert await bot.delete_my_commands(scope=scope, language_code="fr") is True
    assert server.commands == {}


async def test_send_document_and_download(bot: Bot, server: FakeBotApi) -> None:
    server.user_sends(user_id=USER, text="mon dossier ?")
    await bot.send_chat_action(USER, "upload_document")
    sent = await bot.send_document(
        USER,
        InputFile(b"%PDF-1.4 fake", filename="dossier.pdf"),
        caption="<b>Votre</b> dossier",
        parse_mode="HTML",
    )
    assert sent.document is not None and sent.document.file_name == "dossier.pdf"
    assert sent.document.mime_type == "application/pdf" and sent.document.file_size == 13
    assert sent.caption == "Votre dossier"
    upload = server.calls_to("sendDocument")[0].params["document"]
    assert isinstance(upload, UploadedFile) and upload.file_name == "dossier.pdf"
    assert server.sent_messages(USER)[-1]["document"]["file_name"] == "dossier.pdf"
    telegram_file = await bot.get_file(sent.document.file_id)
    assert await telegram_file.download_as_bytearray() == bytearray(b"%PDF-1.4 fake")


async def test_users_files_get_file_limits_and_send_photo(bot: Bot, server: FakeBotApi) -> None:
    from tests.helpers import jpeg

    photo = jpeg(200, 100)
    sent = server.user_sends_file(USER, "photo", photo, caption="/demande voici")
    sizes = sent["photo"]
    assert [(s["width"], s["height"]) for s in sizes] == [(90, 90), (200, 100)]
    assert sent["caption_entities"][0]["type"] == "bot_command"
    [update] = await bot.get_updates()
    assert update.message is not None and update.message.caption == "/demande voici"
    found = await bot.get_file(update.message.photo[-1].file_id)
    assert await found.download_as_bytearray() == bytearray(photo)
    server.user_sends_file(USER, "document", b"x" * (20 * 1024 * 1024 + 1), file_name="big.bin")
    big = server.history[-1]["message"]["document"]
    assert big["file_name"] == "big.bin" and big["file_size"] == 20 * 1024 * 1024 + 1
    with pytest.raises(BadRequest, match="too big"):
        await bot.get_file(big["file_id"])
    message = await bot.send_photo(USER, InputFile(photo, filename="photo.jpg"))
    assert message.photo[-1].width == 200
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(USER, InputFile(b"not a picture", filename="x.png"))
    with pytest.raises(BadRequest, match=r"(?i)photo_invalid_dimensions"):
        await bot.send_photo(USER, InputFile(jpeg(2100, 100), filename="long.jpg"))


# ---------------------------------------------------------------------- Bot: errors


async def test_injected_faults_map_to_ptb_errors(bot: Bot, server: FakeBotApi) -> None:
    server.user_sends(user_id=USER, text="salut")
    server.fail_next("sendMessage", status=429, retry_after=3)
    server.fail_next("sendMessage", status=500)
    with pytest.raises(RetryAfter) as too_many:
        await bot.send_message(USER, "un")
    assert retry_seconds(too_many.value) == 3
    assert server.calls[-1].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    with pytest.raises(NetworkError) as server_error:
        await bot.send_message(USER, "deux")
    assert type(server_error.value) is NetworkError
    assert "Internal Server Error" in server_error.value.message
    assert (await bot.send_message(USER, "trois")).text == "trois"  # faults are consumed
    assert server.sent_messages(USER)[0]["text"] == "trois"
    assert server.too_many_requests == 0  # injected, not from the limits

    server.fail_next("getUpdates", status=409)
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await bot.get_updates()


async def test_unknown_method_is_bad_request_and_wrong_token_invalid(
    bot: Bot, server: FakeBotApi
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)method not found") as unknown:
        await bot.do_api_request("noSuchMethod")
    assert not isinstance(unknown.value, InvalidToken)
    assert server.calls[-1].response_status == 400
    with pytest.raises(InvalidToken):
        await make_bot(server, token="999:WRONG").get_me()
    assert server.calls[-1].response_status == 401


async def test_delay_triggers_client_timeout_but_message_is_sent(
    bot: Bot, server: FakeBotApi
) -> None:
    server.user_sends(user_id=USER, text="salut")
    server.fail_next("sendMessage", delay=2.0)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "lent", read_timeout=0.2)
    await server.wait_for(lambda: server.calls[-1].response_status == CLIENT_CLOSED)
    assert [m["text"] for m in server.sent_messages(USER)] == ["lent"]


async def test_second_poller_terminates_the_first(server: FakeBotApi) -> None:
    async with make_bot(server) as first, make_bot(server) as second:
        polling = asyncio.create_task(first.get_updates(timeout=5))
        await server.wait_for(lambda: len(server.calls_to("getUpdates")) == 1)
        assert await second.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await polling


async def test_wait_for_times_out_with_context(server: FakeBotApi) -> None:
    with pytest.raises(TimeoutError, match="last calls"):
        await server.wait_for(lambda: False, timeout=0.05)


async def test_plain_http_json_body_and_bad_paths(server: FakeBotApi) -> None:
    server.user_sends(user_id=USER, text="salut")
    async with httpx.AsyncClient() as client:
        url = f"{server.base_url}{TOKEN}"
        markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
        ok = await client.post(
            f"{url}/sendMessage", json={"chat_id": USER, "text": "json", "reply_markup": markup}
        )
        assert ok.status_code == 200 and ok.json()["result"]["reply_markup"] == markup
        got = await client.get(f"{url}/getMe")
        assert got.json()["result"]["username"] == "samu_test_bot"
        nowhere = await client.get(f"http://127.0.0.1:{server.port}/elsewhere")
        assert nowhere.status_code == 404


# ---------------------------------------------------------------------- Application


async def test_application_polls_echoes_and_confirms_offset(server: FakeBotApi) -> None:
    handled: list[int] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        handled.append(update.update_id)
        await update.effective_message.reply_text(f"start:{' '.join(context.args or [])}")

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_message.text
        handled.append(update.update_id)
        await update.effective_message.reply_text(update.effective_message.text)

    async def run_once(text: str, expected_messages: int) -> None:
        application = make_application(server)
        application.add_handler(CommandHandler("start", start))
        application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        async with application:
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0, timeout=1)
            await application.start()
            server.user_sends(user_id=USER, text=text)
            await server.wait_for(lambda: len(server.sent_messages(USER)) == expected_messages)
            await application.updater.stop()
            await application.stop()

    await run_once("/start ABC", 1)
    methods = [call.method for call in server.calls]
    assert methods[:3] == ["getMe", "deleteWebhook", "getUpdates"]
    last_poll = server.calls_to("getUpdates")[-1]
    assert last_poll.params["offset"] == 2 and last_poll.params["timeout"] == 0
    assert server.pending_updates == []

    await run_once("bonjour", 2)  # a NEW Application: update 1 must not come back
    assert handled == [1, 2]
    assert [m["text"] for m in server.sent_messages(USER)] == ["start:ABC", "bonjour"]
    assert all(call.response_status in (200, CLIENT_CLOSED) for call in server.calls)


async def test_application_webhook_mode_checks_secret(server: FakeBotApi) -> None:
    received: list[str] = []

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_message.text
        received.append(update.effective_message.text)
        await update.effective_message.reply_text(update.effective_message.text.upper())

    port = free_port()
    url = f"http://127.0.0.1:{port}/tg"
    application = make_application(server)
    application.add_handler(MessageHandler(filters.TEXT, echo))
    async with application:
        assert application.updater is not None
        await application.updater.start_webhook(
            listen="127.0.0.1", port=port, url_path="tg", webhook_url=url, secret_token="s3cret"
        )
        await application.start()
        assert server.webhook is not None
        assert (server.webhook["url"], server.webhook["secret_token"]) == (url, "s3cret")
        message = server.user_sends(user_id=USER, text="coucou")
        assert server.pending_updates[0]["message"] == message
        with pytest.raises(Conflict, match="webhook is active"):
            await application.bot.get_updates()
        assert await server.post_update_to(url, {"message": message}, "wrong") == 403
        assert await server.flush_to_webhook() == [200]
        await server.wait_for(lambda: len(server.sent_messages(USER)) == 1)
        await application.updater.stop()
        await application.stop()
    assert received == ["coucou"]
    assert server.sent_messages(USER)[0]["text"] == "COUCOU"


# ---------------------------------------------------------------------- limits


class VirtualClock:
    """The limits' clock in these tests: it moves only when a test says so, so a slow machine
    cannot spread a burst over two windows."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_limits_one_message_per_second_per_private_chat_after_a_short_burst() -> None:
    clock = VirtualClock()
    limited = FakeBotApi(token=TOKEN, enforce_limits=True, limits_clock=clock)
    async with limited, make_bot(limited) as bot:
        limited.known_chats.update({USER, USER + 1})
        for text in ("un", "deux", "trois"):
            await bot.send_message(USER, text)
        with pytest.raises(RetryAfter) as too_many:
            await bot.send_message(USER, "quatre")
        assert retry_seconds(too_many.value) == 1
        await bot.send_message(USER + 1, "autre chat")  # other chats are not affected
        assert limited.too_many_requests == 1
        clock.now += 1.0  # a second later the chat may have one more
        await bot.send_message(USER, "quatre")
        with pytest.raises(RetryAfter):
            await bot.send_message(USER, "cinq")
        assert limited.too_many_requests == 2


async def test_limits_thirty_messages_per_second_overall() -> None:
    clock = VirtualClock()
    limited = FakeBotApi(token=TOKEN, enforce_limits=True, limits_clock=clock)
    async with limited, make_bot(limited) as bot:
        chats = list(range(2001, 2062))
        limited.known_chats.update(chats)
        for chat in chats[:30]:
            await bot.send_message(chat, "annonce")
        with pytest.raises(RetryAfter) as too_many:
            await bot.send_message(chats[30], "une de trop")
        assert retry_seconds(too_many.value) == 1
        assert limited.too_many_requests == 1
        assert len(limited.sent_messages()) == 30
        clock.now += 1.0  # the next second has its own thirty
        for chat in chats[30:60]:
            await bot.send_message(chat, "annonce")
        assert len(limited.sent_messages()) == 60


async def test_limits_twenty_messages_per_minute_per_group() -> None:
    clock = VirtualClock()
    limited = FakeBotApi(token=TOKEN, enforce_limits=True, limits_clock=clock)
    async with limited, make_bot(limited) as bot:
        limited.user_sends(user_id=USER, text="hello", chat_id=-5001, chat_type="group")
        for index in range(20):
            clock.now += 0.5  # under the overall limit, within one minute
            await bot.send_message(-5001, f"message {index}")
        with pytest.raises(RetryAfter) as too_many:
            await bot.send_message(-5001, "une de trop")
        # The first of the twenty, sent 9.5 s before, leaves the minute 50.5 s from now.
        assert retry_seconds(too_many.value) == 51
        clock.now += 51.0
        await bot.send_message(-5001, "après la minute")
