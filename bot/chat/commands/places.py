"""Places of digital mediation in chat: `/orienter` finds the nearest places offering what a
person needs (also answers a shared location); `/lieu` shows and completes the entry of the
coordinator's structure."""

from __future__ import annotations

from bot.chat.context import Command, Context, Reply
from bot.chat.dates import day_text
from bot.chat.i18n import N_
from bot.chat.place_views import address_text, issue_text, phone_text, place_lines
from bot.chat.text import shorten
from bot.chat.types import Action
from bot.core import place_edits, places
from bot.core.place_edits import EditField
from bot.core.places import Orientation, OriginKind
from bot.core.types import Place, Structure
from skills import PlaceService, fold

LOCATION_COMMAND = "orienter"
"""The command a shared location is handed to."""

NEED_BUTTONS = ("demarches", "acces-materiel", "outils-quotidien", "insertion-pro")
_LINE_LENGTH = 240

FIELD_WORDS = {
    "nom": EditField.NAME, "name": EditField.NAME,
    "adresse": EditField.ADDRESS, "address": EditField.ADDRESS,
    "complement": EditField.ADDRESS_EXTRA, "extra": EditField.ADDRESS_EXTRA,
    "cp": EditField.POSTAL_CODE, "codepostal": EditField.POSTAL_CODE,
    "postcode": EditField.POSTAL_CODE,
    "commune": EditField.COMMUNE, "ville": EditField.COMMUNE, "town": EditField.COMMUNE,
    "gps": EditField.COORDINATES, "position": EditField.COORDINATES,
    "horaires": EditField.HOURS, "hours": EditField.HOURS,
    "services": EditField.SERVICES,
    "telephone": EditField.PHONE, "tel": EditField.PHONE, "phone": EditField.PHONE,
    "courriel": EditField.EMAILS, "email": EditField.EMAILS,
    "site": EditField.WEBSITE, "website": EditField.WEBSITE,
    "rdv": EditField.BOOKING, "booking": EditField.BOOKING,
    "presentation": EditField.SUMMARY, "summary": EditField.SUMMARY,
    "frais": EditField.FEES, "fees": EditField.FEES,
}  # fmt: skip

EXAMPLES = {
    EditField.HOURS: "Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00",
    EditField.SERVICES: "démarches, accès internet",
    EditField.COORDINATES: "47.3941, 0.6848",
    EditField.POSTAL_CODE: "37000",
    EditField.FEES: "Gratuit",
}


def _need_actions(ctx: Context, services: list[PlaceService], where: str = "") -> list[Action]:
    return [
        Action(
            service.label_in(ctx.t.locale),
            f"/orienter {service.aliases[0] if service.aliases else service.label} {where}".strip(),
        )
        for service in services
    ]


def _usage(ctx: Context) -> Reply:
    catalog = ctx.services.places.catalog
    common = [s for slug in NEED_BUTTONS if (s := catalog.get(slug)) is not None]
    return [
        ctx.reply(
            ctx._("Which need? And where (postal code or town)?"),
            ctx._("Example: {command}").format(command=ctx.cmd("orienter", ctx._("scanner 37000"))),
            ctx._("Or share your location: I show the nearest places."),
            actions=_need_actions(ctx, common),
        )
    ]


def _origin_text(ctx: Context, found: Orientation) -> str:
    origin = found.origin
    if origin is None or origin.kind is OriginKind.LOCATION:
        return ctx._("your location")
    return origin.label


def _answer(ctx: Context, args: str, found: Orientation) -> Reply:
    catalog = ctx.services.places.catalog
    if found.location_outside:
        return [
            ctx.reply(
                ctx._("This location is not in France."),
                ctx._("I only know places in France. Send a postal code instead."),
            )
        ]
    if found.unknown_place is not None:
        return [
            ctx.reply(
                ctx._("I do not know the place “{place}”.").format(place=found.unknown_place),
                ctx._("Give a postal code (5 digits) or a town: {command}").format(
                    command=ctx.cmd("orienter", ctx._("scanner 37000"))
                ),
            )
        ]
    if found.need_unknown:
        known = found.suggestions or [s for s in catalog if s.slug in NEED_BUTTONS]
        return [
            ctx.reply(
                ctx._("I did not recognise this need: “{need}”.").format(
                    need=shorten(found.need, 80)
                ),
                ctx._("Choose one of these services, or say it in other words."),
                actions=_need_actions(ctx, known, found.where),
            )
        ]
    if found.no_origin:
        return [
            ctx.reply(
                ctx._("Where? Add a postal code or a town: {command}").format(
                    command=ctx.cmd("orienter", ctx._("scanner 37000"))
                ),
                ctx._(
                    "Your structure has no address yet: a coordinator can add it with {command}."
                ).format(command=ctx.cmd("lieu")),
            )
        ]
    what = found.services[0].label_in(ctx.t.locale) if found.services else ctx._("any service")
    where = _origin_text(ctx, found)
    if not found.places:
        return [
            ctx.reply(
                ctx._("No place offers “{service}” within 150 km of {where}.").format(
                    service=what, where=where
                ),
            )
        ]
    now = ctx.services.clock.now()
    timezone = ctx.services.places.timezone
    lines = [ctx._("Places for “{service}” near {where}:").format(service=what, where=where)]
    for number, nearby in enumerate(found.places, start=1):
        block = place_lines(ctx, number, nearby, now, timezone)
        # a blank line before each place (a reply drops empty lines, not inner newlines)
        lines.append("\n" + "\n".join(shorten(line, _LINE_LENGTH) for line in block))
    return [ctx.reply(*lines)]


async def orient_command(ctx: Context, args: str) -> Reply:
    """`/orienter BESOIN [code postal | commune]`, or a shared location: the nearest places."""
    location = ctx.incoming.location
    if not args.strip() and location is None:
        return _usage(ctx)
    services = ctx.services
    found = await places.orient(
        services,
        ctx.me,
        args,
        location=(location.latitude, location.longitude) if location else None,
    )
    return _answer(ctx, args, found)


def _entry_lines(ctx: Context, entry: Place) -> list[str]:
    catalog = ctx.services.places.catalog
    services = ", ".join(s.label_in(ctx.t.locale) for s in catalog.from_mask(entry.services))
    position = (
        f"{entry.latitude}, {entry.longitude}"
        if entry.latitude is not None and entry.longitude is not None
        else ""
    )
    rows = [
        (ctx._("Address"), address_text(entry)),
        (ctx._("Position"), position),
        (ctx._("Opening hours"), entry.hours or ""),
        (ctx._("Services"), services),
        (ctx._("Phone"), phone_text(entry.phone) if entry.phone else ""),
        (ctx._("Appointment"), entry.booking_url or ""),
        (ctx._("Updated"), day_text(entry.updated_on, ctx.t.locale) if entry.updated_on else ""),
    ]
    missing = ctx._("not given")
    return [entry.name, *(f"{label}: {value or missing}" for label, value in rows)]


def _how_to_edit(ctx: Context) -> list[str]:
    return [
        ctx._("To complete it: {command}").format(command=ctx.cmd("lieu", ctx._("FIELD value"))),
        ctx._("Fields: adresse, cp, commune, gps, horaires, services, telephone, rdv, frais."),
        ctx._("Example: {command}").format(
            command=ctx.cmd("lieu", "horaires " + EXAMPLES[EditField.HOURS])
        ),
    ]


async def place_command(ctx: Context, args: str) -> Reply:
    """`/lieu [FIELD value]` (coordinators): their structure's entry among the places."""
    me = ctx.me
    if me.structure_id is None:
        return [
            ctx.reply(
                ctx._("You have no structure yet."),
                ctx._("Choose it first: {command}").format(command=ctx.cmd("structure")),
            )
        ]
    services = ctx.services
    head, _, value = args.strip().partition(" ")
    if not head:
        entry = await place_edits.structure_entry(services, me.structure_id)
        if entry is None:
            return [
                ctx.reply(
                    ctx._("{structure} is not among the places yet.").format(
                        structure=me.structure_name or ""
                    ),
                    *_how_to_edit(ctx),
                )
            ]
        return [ctx.reply(*_entry_lines(ctx, entry), "", *_how_to_edit(ctx))]
    edit = FIELD_WORDS.get(fold(head).replace(" ", ""))
    if edit is None:
        return [
            ctx.reply(
                ctx._("I do not know the field “{field}”.").format(field=shorten(head, 40)),
                *_how_to_edit(ctx),
            )
        ]
    structure = Structure(me.structure_id, me.structure_name or "")
    result = await place_edits.edit_structure_entry(services, structure, edit, value)
    if result.place is None:
        example = EXAMPLES.get(edit)
        return [
            ctx.reply(
                *(issue_text(ctx.t, issue, outcome=False) for issue in result.issues),
                ctx._("Nothing was changed."),
                ctx._("Example: {command}").format(command=ctx.cmd("lieu", f"{head} {example}"))
                if example
                else "",
            )
        ]
    return [ctx.reply(ctx._("Saved."), *_entry_lines(ctx, result.place))]


COMMANDS = (
    Command(
        "orienter",
        "places",
        orient_command,
        summary=N_("find a place near you for a need (scanner, ameli…)"),
        usage=N_("NEED [postal code or town]"),
        example=N_("scanner 37000"),
    ),
    Command(
        "lieu",
        "venue",
        place_command,
        summary=N_("your structure's entry among the places"),
        usage=N_("[FIELD value]"),
        example="gps 47.3953, 0.6933",
    ),
)
