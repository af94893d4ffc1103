"""A row of the national places file checked against the schema, and the file read in
bounded memory whatever it holds (BOM, CRLF, quotes, 10,000 columns, a giant line)."""

from __future__ import annotations

import io
import json
import tracemalloc
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.core.place_fields import IssueKind, check_row
from bot.core.place_files import FileFormat, read_rows
from bot.core.place_geo import in_france
from bot.core.place_hours import OpenState, hours_status, valid_hours
from skills import default_catalog

CATALOG = default_catalog()
GOOD: dict[str, Any] = {
    "id": "lieu-1",
    "nom": "Médiathèque François Mitterrand",
    "commune": "Tours",
    "code_postal": "37000",
    "adresse": "2 esplanade François Mitterrand",
    "latitude": "47.3941",
    "longitude": "0.6848",
    "services": "Aide aux démarches administratives;Accès internet et matériel informatique",
    "horaires": "Tu-Sa 10:00-18:00",
    "telephone": "02 47 05 47 33",
    "frais_a_charge": "Gratuit : Je peux accéder gratuitement au lieu et à ses services",
    "date_maj": "2026-10-01",
}


def kinds(raw: dict[str, Any]) -> tuple[bool, set[IssueKind]]:
    checked = check_row(raw, CATALOG)
    return checked.place is not None, {issue.kind for issue in checked.issues}


def test_a_good_row_is_kept_whole() -> None:
    checked = check_row(GOOD, CATALOG)
    assert checked.issues == () and checked.place is not None
    place = checked.place
    assert place.phone == "+33247054733" and place.fees == "Gratuit"
    assert {s.slug for s in CATALOG.from_mask(place.services)} == {"demarches", "acces-materiel"}


@pytest.mark.parametrize(
    "code", ["3700²", "37 000", "370001", "00000", "96000", "99100", "٣٧٠٠٠", "ABCDE"]
)
def test_a_bad_postal_code_rejects_the_row(code: str) -> None:
    assert kinds({**GOOD, "code_postal": code}) == (False, {IssueKind.BAD_POSTAL_CODE})


@pytest.mark.parametrize("code", ["20000", "97400", "97600", "98800", 1000])
def test_corsica_overseas_and_a_lost_leading_zero_are_postal_codes(code: Any) -> None:
    assert kinds({**GOOD, "code_postal": code}) == (True, set())


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(42.70, 9.45), (16.24, -61.53), (14.61, -61.07), (4.93, -52.33), (-20.88, 55.45),
     (-12.78, 45.23), (46.78, -56.17), (-17.53, -149.56), (-22.27, 166.45)],
)  # fmt: skip
def test_overseas_and_corsica_are_france(lat: float, lon: float) -> None:
    assert in_france(lat, lon)
    assert kinds({**GOOD, "latitude": lat, "longitude": lon}) == (True, set())


@pytest.mark.parametrize(
    ("lat", "lon", "kind"),
    [
        ("0.6848", "47.3941", IssueKind.OUTSIDE_FRANCE),  # swapped
        ("0", "0", IssueKind.OUTSIDE_FRANCE),
        ("51.5", "-0.12", IssueKind.OUTSIDE_FRANCE),  # London
        ("nan", "1", IssueKind.BAD_COORDINATES),
        ("47,39", "", IssueKind.BAD_COORDINATES),
        ("inf", "0.6", IssueKind.BAD_COORDINATES),
    ],
)
def test_bad_coordinates_are_left_out_and_the_row_kept(lat: str, lon: str, kind: IssueKind) -> None:
    checked = check_row({**GOOD, "latitude": lat, "longitude": lon}, CATALOG)
    assert checked.place is not None and checked.place.latitude is None
    assert [issue.kind for issue in checked.issues] == [kind]


def test_a_decimal_comma_is_read() -> None:
    checked = check_row({**GOOD, "latitude": "47,3941", "longitude": "0,6848"}, CATALOG)
    assert checked.place is not None and checked.place.latitude == 47.3941


def test_unreadable_hours_are_left_out() -> None:
    checked = check_row({**GOOD, "horaires": "du lundi au vendredi le matin"}, CATALOG)
    assert checked.place is not None and checked.place.hours is None
    assert [i.kind for i in checked.issues] == [IssueKind.BAD_HOURS]


def test_unknown_services_are_dropped_and_none_known_rejects() -> None:
    partly = check_row({**GOOD, "services": "Aide aux démarches administratives|Tricot"}, CATALOG)
    assert partly.place is not None
    assert [(i.kind, i.value) for i in partly.issues] == [(IssueKind.UNKNOWN_SERVICE, "Tricot")]
    assert kinds({**GOOD, "services": "Tricot;Poterie"}) == (False, {IssueKind.NO_KNOWN_SERVICE})


def test_old_wordings_and_lists_of_services_are_read() -> None:
    checked = check_row(
        {**GOOD, "services": ["Accéder à du matériel", "aide aux demarches administratives"]},
        CATALOG,
    )
    assert checked.place is not None and not checked.issues
    assert {s.slug for s in CATALOG.from_mask(checked.place.services)} == {
        "acces-materiel",
        "demarches",
    }


@pytest.mark.parametrize("field", ["id", "nom", "commune", "code_postal", "adresse", "services"])
def test_a_missing_required_field_rejects_the_row(field: str) -> None:
    assert kinds({**GOOD, field: "  "}) == (False, {IssueKind.MISSING})


def test_links_that_are_not_web_addresses_are_left_out() -> None:
    checked = check_row(
        {
            **GOOD,
            "prise_rdv": "javascript:alert(1)",
            "site_web": 'https://ok.example.org/;https://x.example.org/"onmouseover=alert(1)',
        },
        CATALOG,
    )
    assert checked.place is not None
    assert checked.place.booking_url is None
    assert checked.place.website == "https://ok.example.org/"
    assert {i.kind for i in checked.issues} == {IssueKind.BAD_URL}


def test_reserved_or_huge_ids_and_control_characters() -> None:
    assert kinds({**GOOD, "id": "samu:structure:1"}) == (False, {IssueKind.BAD_ID})
    assert kinds({**GOOD, "id": "x" * 201}) == (False, {IssueKind.BAD_ID})
    checked = check_row({**GOOD, "nom": "Lieu\x00\x1b[31m rouge\n\tbis"}, CATALOG)
    assert checked.place is not None and checked.place.name == "Lieu [31m rouge bis"


def test_dates_phones_and_fees_in_the_wild() -> None:
    checked = check_row(
        {
            **GOOD,
            "date_maj": "01/10/2026",
            "telephone": "pas de téléphone",
            "frais_a_charge": "Peut-être",
        },
        CATALOG,
    )
    assert checked.place is not None and checked.place.updated_on is not None
    assert checked.place.phone is None and checked.place.fees is None
    assert {i.kind for i in checked.issues} == {IssueKind.BAD_PHONE, IssueKind.BAD_VALUE}


# -- files ------------------------------------------------------------------------------------


def read(data: bytes, fmt: FileFormat = FileFormat.CSV, **kwargs: Any) -> list[Any]:
    return list(read_rows(io.BytesIO(data), fmt, **kwargs))


def test_csv_with_bom_crlf_quotes_and_a_field_over_two_lines() -> None:
    data = (
        "\ufeffid;nom;commune;code_postal;adresse;services\r\n"
        'a;"Le ""Bus"" numérique";Tours;37000;"1 rue; bis";Aide aux démarches administratives\r\n'
        'b;"Deux\r\nlignes";Tours;37000;2 rue;Accès internet et matériel informatique\r\n'
        "\r\n"
        "c;Trois;Tours;37000;3 rue;Aide aux démarches administratives\r\n"
    ).encode()
    found = read(data)
    assert [row.line for row in found] == [2, 3, 6]
    assert found[0].fields["id"] == "a" and found[0].fields["nom"] == 'Le "Bus" numérique'
    assert found[0].fields["adresse"] == "1 rue; bis"
    assert check_row(found[1].fields, CATALOG).place.name == "Deux lignes"  # type: ignore[union-attr]


def test_ten_thousand_columns_keep_the_schema_ones() -> None:
    extra = [f"x{i}" for i in range(10_000)]
    header = ",".join(["id", "nom", *extra, "commune", "code_postal", "adresse", "services"])
    row = ",".join(
        [
            "a",
            "Lieu",
            *["v"] * 10_000,
            "Tours",
            "37000",
            "1 rue",
            "Accès internet et matériel informatique",
        ]
    )
    found = read(f"{header}\n{row}\n".encode())
    assert len(found) == 1 and set(found[0].fields) == {
        "id",
        "nom",
        "commune",
        "code_postal",
        "adresse",
        "services",
    }
    assert check_row(found[0].fields, CATALOG).place is not None


def test_a_giant_line_is_skipped_in_bounded_memory() -> None:
    header = b"id,nom,commune,code_postal,adresse,services\n"
    giant = (
        b"a,"
        + b"x" * 20_000_000
        + b",Tours,37000,1 rue,Aide aux d\xc3\xa9marches administratives\n"
    )
    after = "b,Lieu,Tours,37000,2 rue,Aide aux démarches administratives\n".encode()
    stream = io.BytesIO(header + giant + after)
    tracemalloc.start()
    try:
        found = list(read_rows(stream, FileFormat.CSV, max_line=4096))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(row.line, row.fields is None) for row in found] == [(2, True), (3, False)]
    assert peak < 2_000_000  # the 20 MB line was never held whole (the input bytes are not traced)


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    found = read(b"id,nom,commune,code_postal,adresse,services\na,Caf\xe9,Tours,37000,1 rue,x\n")
    assert found[0].fields["nom"] == "Caf\ufffd"


@pytest.mark.parametrize(
    "document",
    [
        [{"id": "a"}, {"id": "b"}],
        {"data": [{"id": "a"}, {"id": "b"}]},
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [0.68, 47.39]},
                    "properties": {"id": "a"},
                },
                {"type": "Feature", "geometry": None, "properties": {"id": "b"}},
            ],
        },
    ],
)
def test_json_arrays_wrapped_arrays_and_geojson(document: Any) -> None:
    found = read(json.dumps(document).encode(), FileFormat.JSON)
    assert [row.fields["id"] for row in found] == ["a", "b"]


def test_broken_json_reports_where_it_stopped() -> None:
    found = read(b'[{"id": "a"}, {"id": "b", ', FileFormat.JSON)
    assert [row.fields is None for row in found] == [False, True]
    assert read(b'[1, "x", null]', FileFormat.JSON)[0].fields is None


# -- hours -------------------------------------------------------------------------------------

MONDAY_10 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 10:00 in Paris


def test_hours_open_now_and_next_opening() -> None:
    hours = "Mo-Fr 09:00-12:00,14:00-17:30; PH off"
    open_now = hours_status(hours, MONDAY_10)
    assert open_now.state is OpenState.OPEN and open_now.change is not None
    assert (open_now.change.hour, open_now.change.minute) == (12, 0)
    lunch = hours_status(hours, MONDAY_10.replace(hour=11, minute=30))
    assert lunch.state is OpenState.CLOSED and lunch.change is not None and lunch.change.hour == 14
    christmas = hours_status(hours, datetime(2026, 12, 25, 9, 0, tzinfo=UTC))  # a Friday, PH
    assert christmas.state is OpenState.CLOSED
    assert christmas.change is not None and christmas.change.day == 28


def test_unreadable_or_missing_hours_are_unknown() -> None:
    assert not valid_hours("lundi matin") and not valid_hours("x" * 5000)
    assert hours_status(None, MONDAY_10).state is OpenState.UNKNOWN
    assert hours_status("n'importe quoi", MONDAY_10).state is OpenState.UNKNOWN
    assert valid_hours("24/7") and hours_status("24/7", MONDAY_10).change is None
