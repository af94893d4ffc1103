"""The router: finds the command, checks who may use it where, and answers every input.

A stranger reaches only `/start`; a member's free text goes to their open dialog; every
failure gets a message that says what to do next.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import NamedTuple

from bot.chat.choosing import number_lists, remember, resolve
from bot.chat.context import Command, Context, Handler, NoSuchNumber, Reply, UsageError
from bot.chat.dialogs import AWAIT_TEXT
from bot.chat.files import FileDesk
from bot.chat.i18n import Translator, pick_locale, translator
from bot.chat.permissions import PERMISSIONS, Decision, decide
from bot.chat.request_replies import refusal
from bot.chat.room_events import on_room_event
from bot.chat.suggest import closest_command, retyped
from bot.chat.text import MAX_MESSAGE_LENGTH, clean_text
from bot.chat.types import Action, Deferred, Incoming, Outgoing, Sent
from bot.chat.wording import (
    help_hint,
    join_explanation,
    private_only,
    resumed_notice,
    usage_lines,
)
from bot.core import dialogs, members
from bot.core.errors import RequestNotFound, is_unavailable
from bot.core.observe import Via
from bot.core.request_states import IllegalTransition
from bot.core.services import Services
from bot.core.types import DialogState, Member
from skills import fold

log = logging.getLogger(__name__)

# An event another worker handles is looked at again this many times per takeover delay.
BUSY_LOOKS = 4


# Dialogs whose awaited answer may be a file alone (the `/msg N` prompt).
FILE_DIALOGS = frozenset({"msg"})

# Answers a reply to one of the bot's messages (context, replied-to reference, text): e.g.
# relays it to the thread of the request that message is about; None if it is about none.
ReplyHandler = Callable[[Context, str, str], Awaitable[Reply | None]]


class ParsedCommand(NamedTuple):
    """A command line split into its name and the rest."""

    name: str
    args: str


def parse_command(text: str, prefix: str) -> ParsedCommand | None:
    """Split `/name@bot args` into a folded name and its arguments; None for plain text."""
    if not text.startswith(("/", prefix)):
        return None
    head, _, args = text[1:].partition(" ")
    if "\n" in head:
        head, _, rest = head.partition("\n")
        args = f"{rest} {args}".strip()
    name = fold(head.split("@", 1)[0]).replace(" ", "")
    return ParsedCommand(name=name, args=args.strip()) if name else None


class Router:
    """Dispatches incoming messages to the declared commands."""

    def __init__(
        self,
        commands: Sequence[Command],
        services: Services,
        *,
        free_text: Handler | None = None,
        reply: ReplyHandler | None = None,
        location_command: str | None = None,
    ) -> None:
        self.commands = tuple(commands)
        self._location_command = location_command
        self.services = services
        self._free_text_handler = free_text
        self._reply_handler = reply
        self.files = FileDesk()
        self._by_name: dict[str, Command] = {}
        missing = {command.name for command in self.commands} - set(PERMISSIONS)
        if missing:
            raise ValueError(f"commands missing from the permission table: {sorted(missing)}")
        for command in self.commands:
            for name in {command.name, command.name_en}:
                if name in self._by_name:
                    raise ValueError(f"command name declared twice: {name}")
                self._by_name[name] = command

    def lookup(self, name: str) -> Command | None:
        """The command with this name in either language."""
        return self._by_name.get(fold(name).replace(" ", ""))

    def typed_name(self, name: str, locale: str) -> str:
        """The name of a command in a language (its English name for `en`)."""
        command = self._by_name[name]
        return command.name_en if locale == "en" else command.name

    async def handle(self, incoming: Incoming) -> Reply:
        """Answer one incoming message (never raises for bad input).

        Raises Deferred when the database is unavailable (the transport keeps the message,
        tells the person, and hands it over again later), and when another worker that was
        alive a moment ago is handling the same event (kept silently, looked at again later).
        """
        member: Member | None = None
        t = translator(pick_locale(incoming.language, self.services.default_locale))
        try:
            arrival = await members.arrive(
                self.services, incoming.platform, incoming.user_id, incoming.event_id
            )
            if arrival.busy:  # e.g. received again just after its worker was killed
                wait = self.services.worker.takeover_after.total_seconds() / BUSY_LOOKS
                raise Deferred(incoming, [], wait=wait)
            if not arrival.fresh:
                return []
            self.services.observer.received(incoming.platform)
            member = arrival.member
            if member is not None:
                t = translator(member.locale)
            if arrival.resumed:
                return await self._give_back(incoming, member, t)
            replies = number_lists(await self._dispatch(incoming, member, t, arrival.dialog))
        except Deferred:
            raise
        except Exception as error:
            if is_unavailable(error):
                log.warning("database unavailable; message from %s kept", incoming.platform)
                ctx = self._context(incoming, member, t)
                kept = ctx.reply(
                    ctx._("The service is unavailable for a moment."),
                    ctx._("Your message is kept: I will answer it as soon as I can."),
                )
                raise Deferred(incoming, [kept]) from error
            log.exception(
                "failed to handle a message from %s:%s", incoming.platform, incoming.user_id
            )
            ctx = self._context(incoming, member, t)
            replies = [
                ctx.reply(
                    ctx._("Sorry, something went wrong on our side."),
                    ctx._("Please try again in a moment."),
                    ctx._("If it keeps happening, tell a coordinator."),
                )
            ]
        await self._finish(incoming)
        return replies

    async def delivered(self, sent: Sent) -> None:
        """An answer was delivered: remember what it showed (its list, its request)."""
        self.services.observer.sent(sent.incoming.platform, Via.REPLY)
        await remember(self.services, sent)

    async def _give_back(self, incoming: Incoming, member: Member | None, t: Translator) -> Reply:
        """A message a dead worker may have half-handled: not redone, its text given back (to
        a member through the outbox, finished in the same transaction; to others directly)."""
        if member is not None and incoming.event_id is not None:
            await members.give_back(
                self.services,
                incoming.platform,
                incoming.event_id,
                member.id,
                incoming.text,
            )
            return []
        await self._finish(incoming)
        return [resumed_notice(self._context(incoming, member, t), incoming.text)]

    async def _finish(self, incoming: Incoming) -> None:
        if incoming.event_id is None:
            return
        try:
            await members.handled(self.services, incoming.platform, incoming.event_id)
        except Exception as error:  # the answer still goes out; a repeat is seen as unfinished
            log.warning("could not record event %s as handled: %s", incoming.event_id, error)

    def _context(self, incoming: Incoming, member: Member | None, t: Translator) -> Context:
        return Context(incoming, member, self.services, t, self.typed_name, self.commands)

    async def _dispatch(
        self,
        incoming: Incoming,
        member: Member | None,
        t: Translator,
        dialog: DialogState | None,
    ) -> Reply:
        ctx = self._context(incoming, member, t)
        if incoming.room_event is not None:
            return await on_room_event(ctx, incoming.room_event)
        if incoming.undecryptable:
            return [
                ctx.reply(
                    ctx._("I could not read your last message (encryption)."),
                    ctx._("Please send it again."),
                )
            ]
        if incoming.location is not None and self._location_command is not None:
            located = self.lookup(self._location_command)
            if located is not None:  # a shared position: that command, without arguments
                return await self._run(ctx, located, "", dialog)
        text = clean_text(incoming.text)
        if not text and incoming.file is None:
            return [ctx.reply(ctx._("Your message is empty."), help_hint(ctx))]
        if len(text) > MAX_MESSAGE_LENGTH:
            return [
                ctx.reply(
                    ctx._("Your message is too long (4,000 characters at most)."),
                    ctx._("Please shorten it or send it in several parts."),
                )
            ]
        resolved = await resolve(ctx, text)
        if resolved.refusal is not None:
            return [resolved.refusal]
        text = resolved.text
        ctx = replace(ctx, choice=resolved.choice)
        if incoming.file is not None:
            received = await self.files.receive(ctx, incoming.file, text)
            if received.answer is not None:
                return received.answer
            ctx = replace(ctx, files=received.files)
        replies = await self._dispatch_text(ctx, text, dialog, pressed=resolved.pressed)
        return replies + await self.files.left_over(ctx)

    async def _dispatch_text(
        self, ctx: Context, text: str, dialog: DialogState | None, *, pressed: bool
    ) -> Reply:
        """A command, or free text (possibly empty when a file came alone)."""
        parsed = parse_command(text, ctx.incoming.command_prefix) if text else None
        command = self.lookup(parsed.name) if parsed else None
        if pressed and (parsed is None or command is None):
            return [ctx.reply(ctx._("This button is no longer valid."), help_hint(ctx))]
        if parsed is None:
            return await self._free_text(ctx, text, dialog)
        if command is None:
            if ctx.member is None or not ctx.private:
                return self._stranger_or_silence(ctx)
            return [self._unknown(ctx, parsed)]
        return await self._run(ctx, command, parsed.args, dialog)

    def _unknown(self, ctx: Context, parsed: ParsedCommand) -> Outgoing:
        """A mistyped command: the closest one the person may run, as a button, else help."""
        role = ctx.member.role if ctx.member is not None else None
        found = closest_command(parsed.name, self.commands, role, ctx.incoming.chat_type)
        if found is None:
            return ctx.reply(ctx._("I don't know this command."), help_hint(ctx))
        command, name = found
        typed = ctx.incoming.command_prefix + name
        return ctx.reply(
            ctx._("I don't know this command. Did you mean {command}?").format(command=typed),
            help_hint(ctx),
            actions=[Action(typed, retyped(command.name, parsed.args))],
        )

    def _stranger_or_silence(self, ctx: Context) -> Reply:
        if not ctx.private:
            return []
        return [join_explanation(ctx)]

    async def _run(
        self, ctx: Context, command: Command, args: str, dialog: DialogState | None
    ) -> Reply:
        role = ctx.member.role if ctx.member is not None else None
        decision = decide(command.name, role, ctx.incoming.chat_type)
        if decision in (Decision.JOIN_FIRST, Decision.SILENT):
            return self._stranger_or_silence(ctx)
        if decision is Decision.COORDINATORS_ONLY:
            return [ctx.reply(ctx._("This command is for coordinators."), help_hint(ctx))]
        if decision is Decision.PRIVATE_ONLY:
            return [private_only(ctx)]
        if ctx.member is not None and ctx.private and dialog is not None:
            await dialogs.close_dialog(self.services, ctx.member.id)
        try:
            return await command.handler(ctx, args)
        except UsageError:
            return [self.usage(ctx, command)]
        except NoSuchNumber as unknown:
            return [ctx.reply(ctx._("#{n}: not found.").format(n=unknown.number), help_hint(ctx))]
        except (RequestNotFound, IllegalTransition) as refused:
            return [refusal(ctx, refused)]

    def usage(self, ctx: Context, command: Command) -> Outgoing:
        """The usage line of a command, in the person's language, with an example."""
        return ctx.reply(*usage_lines(ctx, command))

    async def _free_text(self, ctx: Context, text: str, dialog: DialogState | None) -> Reply:
        if ctx.member is None:
            return self._stranger_or_silence(ctx)
        if not ctx.private:
            return []
        waiting = dialog is not None and dialog.kind == AWAIT_TEXT
        if ctx.incoming.reply_to and self._reply_handler is not None:
            # A reply to a message about a request goes to its thread, even while a dialog
            # waits (the dialog's own questions are about no request).
            try:
                answered = await self._reply_handler(ctx, ctx.incoming.reply_to, text)
            except (RequestNotFound, IllegalTransition) as refused:
                return [refusal(ctx, refused)]
            if answered is not None:
                return answered
        if dialog is not None and waiting and (text or dialog.step in FILE_DIALOGS):
            command = self.lookup(dialog.step)
            if command is not None:
                prefix = str(dialog.data.get("args", ""))
                return await self._run(ctx, command, f"{prefix} {text}".strip(), dialog)
        if not text:
            return []  # a file alone: `FileDesk.left_over` asks where it goes
        if self._free_text_handler is not None:
            try:
                return await self._free_text_handler(ctx, text)
            except (RequestNotFound, IllegalTransition) as refused:
                return [refusal(ctx, refused)]
        return [ctx.reply(ctx._("I did not understand."), help_hint(ctx))]
