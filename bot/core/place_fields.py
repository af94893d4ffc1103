"""One row of a national places file, checked field by field against the schema.

A row whose required fields are missing or wrong (id, name, commune, postal code, address,
at least one known service) is rejected; a wrong optional field (coordinates outside France,
unreadable hours, a bad phone number, an unknown service among known ones…) is left out and
the row kept. Every decision is an `Issue` the import report shows with the row's line.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.core.place_geo import in_france, is_postal_code
from bot.core.place_hours import valid_hours
from bot.core.types import PlaceData
from domain.places import STRUCTURE_SOURCE_PREFIX
from skills import ServiceCatalog, fold


class IssueKind(StrEnum):
    """What was wrong with a field."""

    MISSING = "missing"
    BAD_POSTAL_CODE = "bad_postal_code"
    BAD_ID = "bad_id"
    DUPLICATE_ID = "duplicate_id"
    NO_KNOWN_SERVICE = "no_known_service"
    UNKNOWN_SERVICE = "unknown_service"
    OUTSIDE_FRANCE = "outside_france"
    BAD_COORDINATES = "bad_coordinates"
    BAD_HOURS = "bad_hours"
    BAD_PHONE = "bad_phone"
    BAD_URL = "bad_url"
    BAD_EMAIL = "bad_email"
    BAD_DATE = "bad_date"
    BAD_INSEE = "bad_insee"
    BAD_VALUE = "bad_value"
    UNREADABLE = "unreadable"


@dataclass(frozen=True, slots=True)
class Issue:
    """A field that was wrong, its value (shortened), and whether the row was rejected."""

    kind: IssueKind
    field: str
    value: str = ""
    rejects: bool = False


@dataclass(frozen=True, slots=True)
class CheckedRow:
    """A row read: the place to store (None if rejected) and what was wrong."""

    place: PlaceData | None
    issues: tuple[Issue, ...]


REQUIRED = ("id", "nom", "commune", "code_postal", "adresse", "services")
FEES = ("Gratuit", "Gratuit sous condition", "Payant")
_FEES_BY_FOLD = {fold(fee): fee for fee in FEES}
_MULTI = re.compile(r"[;|]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
_EMAIL = re.compile(r"\A[^@\s;<>\"']+@[^@\s;<>\"']+\.[^@\s;<>\"']+\Z")
_INSEE = re.compile(r"\A(?:[0-9]{2}|2[AB])[0-9]{3}\Z")
_TYPOLOGY = re.compile(r"\A[A-Za-z_]{2,30}\Z")
_URL_MAX = 500
_URL_UNSAFE = re.compile(r"[\s\"'<>`\\|\[\]{}^]")
# The schema's own phone format (E.164 of France and its overseas), accepted as it is.
_SCHEMA_PHONE = re.compile(r"\A\+(?:33|590|594|262|596|269|687|689|508|681)[0-9]{6,9}\Z")
_SHOWN = 60  # characters of a bad value repeated in the report


def clean(value: Any, limit: int) -> str:
    """A value as one line of plain text: no control characters, spaces collapsed, cut."""
    if value is None or isinstance(value, bool):
        return ""
    text = value if isinstance(value, str) else str(value)
    # Most values are already clean: checking is cheaper than rewriting (imports of 20,000 rows).
    if not (text.isprintable() and "  " not in text and unicodedata.is_normalized("NFC", text)):
        text = unicodedata.normalize("NFC", text)
        text = _SPACES.sub(" ", _CONTROL.sub(" ", text))
    return text.strip()[:limit].strip()


def values_of(value: Any, limit: int = 200) -> list[str]:
    """The values of a multi-valued field: a list (JSON), or text separated by ";" or "|"."""
    items: Iterable[Any] = value if isinstance(value, list) else _MULTI.split(str(value or ""))
    return [text for item in items if (text := clean(item, limit))]


def _shown(value: Any) -> str:
    text = clean(value, _SHOWN + 1)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def commune_key(commune: str | None) -> str | None:
    """The folded form of a commune's name, the key it is looked up by ("Saint-Avertin" and
    "st avertin" are not the same key; accents, case and hyphens do not matter)."""
    key = fold(commune or "")[:120]
    return key or None


class _Row:
    """The fields of one raw row being checked, and the issues found so far."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.issues: list[Issue] = []

    def text(self, name: str, limit: int = 250) -> str:
        return clean(self.raw.get(name), limit)

    def problem(
        self, kind: IssueKind, name: str, value: Any = "", *, rejects: bool = False
    ) -> None:
        self.issues.append(Issue(kind, name, _shown(value), rejects))

    @property
    def rejected(self) -> bool:
        return any(issue.rejects for issue in self.issues)


def _required(row: _Row) -> None:
    for name in REQUIRED:
        value = row.raw.get(name)
        present = any(clean(v, 10) for v in value) if isinstance(value, list) else clean(value, 10)
        if not present:
            row.problem(IssueKind.MISSING, name, rejects=True)


def _postal_code(row: _Row) -> str | None:
    raw = row.raw.get("code_postal")
    text = str(raw).strip() if isinstance(raw, int | str) and not isinstance(raw, bool) else ""
    if len(text) == 4 and text.isascii() and text.isdigit():
        text = "0" + text  # a spreadsheet dropped the leading zero (01000 → 1000)
    if not text:
        return None
    if not is_postal_code(text):
        row.problem(IssueKind.BAD_POSTAL_CODE, "code_postal", raw, rejects=True)
        return None
    return text


def _source_id(row: _Row) -> str:
    text = row.text("id", 1000)
    if text and (len(text) > 200 or text.startswith(STRUCTURE_SOURCE_PREFIX)):
        row.problem(IssueKind.BAD_ID, "id", text, rejects=True)
    return text


def _services(row: _Row, catalog: ServiceCatalog) -> int:
    mask, unknown = 0, []
    for value in values_of(row.raw.get("services")):
        service = catalog.named(value)
        if service is None:
            unknown.append(value)
        else:
            mask |= service.bit
    if unknown and mask:
        row.problem(IssueKind.UNKNOWN_SERVICE, "services", "; ".join(unknown))
    elif unknown:
        row.problem(IssueKind.NO_KNOWN_SERVICE, "services", "; ".join(unknown), rejects=True)
    return mask


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(clean(value, 40).replace(",", "."))
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def _coordinates(row: _Row) -> tuple[float | None, float | None]:
    lat_raw, lon_raw = row.raw.get("latitude"), row.raw.get("longitude")
    if (lat_raw in (None, "")) and (lon_raw in (None, "")):
        return None, None
    latitude, longitude = _number(lat_raw), _number(lon_raw)
    shown = f"{clean(lat_raw, 20)}, {clean(lon_raw, 20)}"
    if latitude is None or longitude is None:
        row.problem(IssueKind.BAD_COORDINATES, "latitude/longitude", shown)
        return None, None
    if not in_france(latitude, longitude):
        row.problem(IssueKind.OUTSIDE_FRANCE, "latitude/longitude", shown)
        return None, None
    return round(latitude, 6), round(longitude, 6)


def _hours(row: _Row, timezone: str) -> str | None:
    text = row.text("horaires", 1000)
    if not text:
        return None
    if not valid_hours(text, timezone):
        row.problem(IssueKind.BAD_HOURS, "horaires", text)
        return None
    return text


def _phone(row: _Row) -> str | None:
    text = row.text("telephone", 40)
    if not text or _SCHEMA_PHONE.match(text):
        return text or None
    import phonenumbers  # loaded by the first phone number not already in E.164

    try:
        number = phonenumbers.parse(text, "FR")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        row.problem(IssueKind.BAD_PHONE, "telephone", text)
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def safe_url(text: str) -> bool:
    """Whether `text` is a web address we may show as a link (http or https, no spaces, no
    quotes or angle brackets: nothing that could break out of an HTML attribute)."""
    return (
        text[:8].lower().startswith(("https://", "http://"))
        and len(text) <= _URL_MAX
        and _URL_UNSAFE.search(text) is None
        and "." in text.split("/", 3)[2]
    )


def _urls(row: _Row, name: str) -> str | None:
    good: list[str] = []
    bad: list[str] = []
    for value in values_of(row.raw.get(name), _URL_MAX + 1):
        (good if safe_url(value) else bad).append(value)
    if bad:
        row.problem(IssueKind.BAD_URL, name, "; ".join(bad))
    return ";".join(good) or None


def _emails(row: _Row) -> str | None:
    good: list[str] = []
    bad: list[str] = []
    for value in values_of(row.raw.get("courriels") or row.raw.get("courriel")):
        (good if _EMAIL.match(value) else bad).append(value)
    if bad:
        row.problem(IssueKind.BAD_EMAIL, "courriels", "; ".join(bad))
    return ";".join(good) or None


def _date(row: _Row) -> date | None:
    text = row.text("date_maj", 40)
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    try:
        return datetime.strptime(text[:10], "%d/%m/%Y").date()
    except ValueError:
        pass
    row.problem(IssueKind.BAD_DATE, "date_maj", text)
    return None


def _insee(row: _Row) -> str | None:
    text = row.text("code_insee", 10).upper()
    if text and not _INSEE.match(text):
        row.problem(IssueKind.BAD_INSEE, "code_insee", text)
        return None
    return text or None


def _fees(row: _Row) -> str | None:
    kept: list[str] = []
    bad: list[str] = []
    for value in values_of(row.raw.get("frais_a_charge")):
        head = value.split(" : ", 1)[0]
        fee = head if head in FEES else _FEES_BY_FOLD.get(fold(head))
        if fee is None:
            bad.append(value)
        elif fee not in kept:
            kept.append(fee)
    if bad:
        row.problem(IssueKind.BAD_VALUE, "frais_a_charge", "; ".join(bad))
    return ";".join(kept) or None


def _typologies(row: _Row) -> str | None:
    kept: list[str] = []
    bad: list[str] = []
    for value in values_of(row.raw.get("typologie")):
        (kept if _TYPOLOGY.match(value) else bad).append(value.upper())
    if bad:
        row.problem(IssueKind.BAD_VALUE, "typologie", "; ".join(bad))
    return ";".join(kept)[:250] or None


def _listed(row: _Row, name: str) -> str | None:
    """A multi-valued field of free values, kept as the schema writes them (heads only)."""
    return ";".join(value.split(" : ", 1)[0] for value in values_of(row.raw.get(name))) or None


def check_row(
    raw: Mapping[str, Any],
    catalog: ServiceCatalog,
    timezone: str = "Europe/Paris",
    *,
    partial: bool = False,
) -> CheckedRow:
    """Check one row (keys are the schema's field names) and build the place to store.

    `partial` checks an entry being completed by hand (the network's own, or an edit): no
    field is required, the id is ours, and a wrong field is only reported.
    """
    row = _Row(raw)
    if not partial:
        _required(row)
    source_id = row.text("id", 200) if partial else _source_id(row)
    postal_code = _postal_code(row)
    services = _services(row, catalog) if values_of(raw.get("services")) else 0
    if row.rejected and not partial:
        return CheckedRow(None, tuple(row.issues))
    latitude, longitude = _coordinates(row)
    place = PlaceData(
        source_id=source_id,
        name=row.text("nom"),
        services=services,
        pivot=row.text("pivot", 40) or None,
        commune=row.text("commune", 120),
        postal_code=postal_code,
        insee_code=_insee(row),
        address=row.text("adresse"),
        address_extra=row.text("complement_adresse") or None,
        latitude=latitude,
        longitude=longitude,
        typologies=_typologies(row),
        phone=_phone(row),
        emails=_emails(row),
        website=_urls(row, "site_web"),
        hours=_hours(row, timezone),
        summary=row.text("presentation_resume", 500) or None,
        publics=_listed(row, "publics_specifiquement_adresses"),
        fees=_fees(row),
        access_modes=_listed(row, "modalites_acces"),
        support_modes=_listed(row, "modalites_accompagnement"),
        booking_url=_urls(row, "prise_rdv"),
        accessibility_url=_urls(row, "fiche_acces_libre"),
        updated_on=_date(row),
    )
    return CheckedRow(place, tuple(row.issues))


def schema_fields(place: PlaceData, catalog: ServiceCatalog) -> dict[str, Any]:
    """A place in the schema's field names and formats (multi-values joined by ";")."""
    services = ";".join(service.label for service in catalog.from_mask(place.services))
    return {
        "id": place.source_id,
        "pivot": place.pivot,
        "nom": place.name,
        "commune": place.commune,
        "code_postal": place.postal_code,
        "code_insee": place.insee_code,
        "adresse": place.address,
        "complement_adresse": place.address_extra,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "typologie": place.typologies,
        "telephone": place.phone,
        "courriels": place.emails,
        "site_web": place.website,
        "horaires": place.hours,
        "presentation_resume": place.summary,
        "services": services,
        "publics_specifiquement_adresses": place.publics,
        "frais_a_charge": place.fees,
        "modalites_acces": place.access_modes,
        "modalites_accompagnement": place.support_modes,
        "prise_rdv": place.booking_url,
        "fiche_acces_libre": place.accessibility_url,
        "date_maj": place.updated_on.isoformat() if place.updated_on else None,
    }


SCHEMA_FIELDS = (
    "id", "pivot", "nom", "commune", "code_postal", "code_insee", "adresse",
    "complement_adresse", "latitude", "longitude", "typologie", "telephone", "courriels",
    "site_web", "horaires", "presentation_resume", "services", "publics_specifiquement_adresses",
    "frais_a_charge", "modalites_acces", "modalites_accompagnement", "prise_rdv",
    "fiche_acces_libre", "date_maj",
)  # fmt: skip
"""The schema's fields this bot reads and writes, in the order exports write them."""
