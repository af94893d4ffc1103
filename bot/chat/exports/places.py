"""The "Lieux" page of the exports: the places of digital mediation by commune, with their
services, address, phone, hours and appointment link.

Every text comes from an imported file or a coordinator, so each format escapes it (HTML
entities, Markdown and DokuWiki markup) and a link is written only when it is a plain web
address (`safe_url`); the page depends only on the places given (no "now").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.chat.exports import dokuwiki, markdown
from bot.chat.exports.common import Wording, labelled, one_line
from bot.chat.exports.html import escape as html_escape
from bot.chat.exports.html import page as html_page
from bot.chat.i18n import Translator
from bot.chat.place_views import address_text, phone_text
from bot.core.place_fields import safe_url
from bot.core.types import Place
from skills import default_catalog, fold

PAGE = "lieux"


@dataclass(frozen=True, slots=True)
class Commune:
    """The places of one commune (by folded name), in name order."""

    name: str
    postal_codes: tuple[str, ...]
    places: tuple[Place, ...]


@dataclass(frozen=True, slots=True)
class _Entry:
    """What is shown of a place, as plain text (each format escapes it)."""

    name: str
    address: str
    services: str
    phone: str
    hours: str
    booking: str
    updated: str


def by_commune(places: Sequence[Place]) -> list[Commune]:
    """The places grouped by commune, communes and places in alphabetical order."""
    groups: dict[str, list[Place]] = {}
    for place in places:
        groups.setdefault(fold(place.commune or "") or "~", []).append(place)
    communes = []
    for key in sorted(groups):
        found = sorted(groups[key], key=lambda p: (fold(p.name), p.source_id))
        codes = tuple(sorted({p.postal_code for p in found if p.postal_code}))
        communes.append(Commune(found[0].commune or "?", codes, tuple(found)))
    return communes


def _entry(place: Place, t: Translator) -> _Entry:
    catalog = default_catalog()
    booking = (place.booking_url or "").split(";")[0]
    return _Entry(
        name=one_line(place.name),
        address=one_line(address_text(place)),
        services=", ".join(s.label_in(t.locale) for s in catalog.from_mask(place.services)),
        phone=phone_text(place.phone) if place.phone else "",
        hours=one_line(place.hours or ""),
        booking=booking if safe_url(booking) else "",
        updated=place.updated_on.isoformat() if place.updated_on else "",
    )


def _title(commune: Commune) -> str:
    codes = ", ".join(commune.postal_codes)
    return f"{commune.name} ({codes})" if codes else commune.name


def _intro(t: Translator) -> tuple[str, str]:
    return (
        t._("Places of digital mediation"),
        t._(
            "Where to send a person for help with digital tools, by commune "
            "(from the national open data and the network's own structures)."
        ),
    )


def _fields(entry: _Entry, t: Translator) -> list[tuple[str, str]]:
    return [
        (t._("Services"), entry.services),
        (t._("Address"), entry.address),
        (t._("Phone"), entry.phone),
        (t._("Opening hours"), entry.hours),
        (t._("Updated"), entry.updated),
    ]


def html_main(places: Sequence[Place], t: Translator) -> list[str]:
    """The `<main>` content of `lieux.html`."""
    title, intro = _intro(t)
    out = [f"<h1>{html_escape(title)}</h1>", f"<p>{html_escape(intro)}</p>"]
    for commune in by_commune(places):
        out += [f"<h2>{html_escape(_title(commune))}</h2>", "<ul>"]
        for place in commune.places:
            entry = _entry(place, t)
            items = [f"<strong>{html_escape(entry.name)}</strong>"]
            items += [
                f"{html_escape(labelled(t, label))} {html_escape(value)}"
                for label, value in _fields(entry, t)
                if value
            ]
            if entry.booking:
                link = html_escape(entry.booking)
                items.append(
                    f'<a href="{link}" rel="nofollow">{html_escape(t._("Appointment"))}</a>'
                )
            out.append("<li>" + "<br>".join(items) + "</li>")
        out.append("</ul>")
    return out


def html_file(places: Sequence[Place], t: Translator, words: Wording) -> str:
    """`lieux.html`, a page of the site like the others."""
    title, _ = _intro(t)
    return html_page(t, words, root="", title=title, main=html_main(places, t), licences=())


def markdown_page(places: Sequence[Place], t: Translator, words: Wording) -> str:
    """`lieux.md`."""
    title, intro = _intro(t)
    out = [f"# {markdown.escape(title)}", "", markdown.escape(intro), ""]
    for commune in by_commune(places):
        out += [f"## {markdown.escape(_title(commune))}", ""]
        for place in commune.places:
            entry = _entry(place, t)
            out.append(f"- **{markdown.escape(entry.name)}**")
            out += [
                f"  - {markdown.escape(labelled(t, label))} {markdown.escape(value)}"
                for label, value in _fields(entry, t)
                if value
            ]
            if entry.booking:
                out.append(f"  - <{entry.booking}>")
        out.append("")
    out += [f"[{markdown.escape(words.back)}](index.md)", ""]
    return "\n".join(out)


def dokuwiki_page(places: Sequence[Place], t: Translator, words: Wording) -> str:
    """`pages/lieux.txt`."""
    title, intro = _intro(t)
    out = [dokuwiki.heading(1, title), "", dokuwiki.escape(intro), ""]
    for commune in by_commune(places):
        out += [dokuwiki.heading(2, _title(commune).replace("=", "-")), ""]
        for place in commune.places:
            entry = _entry(place, t)
            out.append(f"  * **{dokuwiki.escape(entry.name)}**")
            out += [
                f"    * {dokuwiki.escape(labelled(t, label))} {dokuwiki.escape(value)}"
                for label, value in _fields(entry, t)
                if value
            ]
            if entry.booking:
                out.append(f"    * [[{entry.booking}|{dokuwiki.link_label(t._('Appointment'))}]]")
        out.append("")
    return "\n".join(out)
