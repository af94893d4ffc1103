"""How a place is shown in chat (name, address, phone, open now, fees, appointment link), and
how a wrong field is told (in chat and in the import report)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal

from bot.chat.context import Context
from bot.chat.i18n import N_, Translator
from bot.core.place_fields import Issue, IssueKind
from bot.core.place_hours import HoursStatus, OpenState
from bot.core.places import NearbyPlace
from bot.core.types import Place

ISSUES = {
    IssueKind.MISSING: N_("{field} is missing"),
    IssueKind.BAD_POSTAL_CODE: N_("the postal code “{value}” is not a French postal code"),
    IssueKind.BAD_ID: N_("the id “{value}” is too long or reserved"),
    IssueKind.DUPLICATE_ID: N_("the id “{value}” was already in the file"),
    IssueKind.NO_KNOWN_SERVICE: N_("no service of the schema (found: “{value}”)"),
    IssueKind.UNKNOWN_SERVICE: N_("unknown services left out: “{value}”"),
    IssueKind.OUTSIDE_FRANCE: N_("the coordinates {value} are outside France"),
    IssueKind.BAD_COORDINATES: N_("the coordinates “{value}” cannot be read"),
    IssueKind.BAD_HOURS: N_("the opening hours “{value}” cannot be read (OpenStreetMap format)"),
    IssueKind.BAD_PHONE: N_("the phone number “{value}” cannot be read"),
    IssueKind.BAD_URL: N_("{field}: “{value}” is not a web address (http or https)"),
    IssueKind.BAD_EMAIL: N_("the e-mail address “{value}” cannot be read"),
    IssueKind.BAD_DATE: N_("the date “{value}” cannot be read (YYYY-MM-DD)"),
    IssueKind.BAD_INSEE: N_("the INSEE code “{value}” cannot be read"),
    IssueKind.BAD_VALUE: N_("{field}: “{value}” is not a value of the schema"),
    IssueKind.UNREADABLE: N_("the line cannot be read (quotes, encoding or length)"),
}

_FEES = {
    "Gratuit": N_("Free."),
    "Gratuit sous condition": N_("Free under conditions."),
    "Payant": N_("Not free."),
}


def issue_text(t: Translator, issue: Issue, *, outcome: bool = True) -> str:
    """One wrong field, said plainly (with what the import did about it, if `outcome`)."""
    said = t._(ISSUES[issue.kind]).format(field=issue.field, value=issue.value)
    if not outcome:
        return said[:1].upper() + said[1:] + "."
    return said + (t._(": row skipped") if issue.rejects else t._(": field left out"))


def _hour(moment: datetime, locale: str) -> str:
    if locale == "fr":
        return f"{moment.hour} h" + (f" {moment.minute:02d}" if moment.minute else "")
    return f"{moment:%H:%M}"


def open_line(ctx: Context, status: HoursStatus, now: datetime, timezone: str) -> str:
    """ "Ouvert jusqu'à 12 h", "Ouvre lundi à 9 h", "Fermé pour l'instant"…"""
    locale = ctx.t.locale
    if status.state is OpenState.UNKNOWN:
        return ctx._("Opening hours unknown.")
    change = status.change
    if status.state is OpenState.OPEN:
        if change is None:
            return ctx._("Open now.")
        return ctx._("Open now, until {time}.").format(time=_hour(change, locale))
    if change is None:
        return ctx._("Closed for now.")
    today = now.astimezone(ZoneInfo(timezone)).date()
    time = _hour(change, locale)
    if change.date() == today:
        return ctx._("Closed now. Opens at {time}.").format(time=time)
    if change.date() == today + timedelta(days=1):
        return ctx._("Closed now. Opens tomorrow at {time}.").format(time=time)
    day = format_date(change.date(), "EEEE", locale=locale)
    return ctx._("Closed now. Opens {day} at {time}.").format(day=day, time=time)


def phone_text(phone: str) -> str:
    """A stored (E.164) phone number as people dial it in France."""
    import phonenumbers  # loaded by the first place shown with a phone number

    try:
        number = phonenumbers.parse(phone, "FR")
    except phonenumbers.NumberParseException:
        return phone
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def address_text(place: Place) -> str:
    """ "12 rue Nationale, 37000 Tours" (what is known of it)."""
    town = " ".join(part for part in (place.postal_code, place.commune) if part)
    return ", ".join(part for part in (place.address, place.address_extra, town) if part)


def fee_line(ctx: Context, place: Place) -> str:
    """Free or not, as the place says (nothing if it says nothing)."""
    fees = (place.fees or "").split(";")
    for fee, said in _FEES.items():
        if fee in fees:
            return ctx._(said)
    return ""


def place_lines(
    ctx: Context, number: int, found: NearbyPlace, now: datetime, timezone: str
) -> list[str]:
    """One place of an answer: name and distance, address, phone, open now, fees, link."""
    place = found.place
    distance = format_decimal(round(found.distance_km, 1), locale=ctx.t.locale)
    lines = [
        f"{number}. {place.name} — {distance} km",
        address_text(place),
        ctx._("Phone: {phone}").format(phone=phone_text(place.phone)) if place.phone else "",
        open_line(ctx, found.hours, now, timezone),
        fee_line(ctx, place),
        ctx._("Appointment: {link}").format(link=place.booking_url.split(";")[0])
        if place.booking_url
        else "",
    ]
    if found.outdated:
        lines.append(ctx._("These details may be out of date (not updated for over a year)."))
    return [line for line in lines if line]
