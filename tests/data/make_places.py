"""Generate realistic, fictional places of digital mediation in the national schema.

No real dataset is shipped: the names, addresses, phones and links below are made up (links
use the reserved `example.org` domain); the communes, their postal codes and approximate
positions are public geography. Three departments: Indre-et-Loire (37), Loir-et-Cher (41)
and La Réunion (974, overseas: France too).

    python -m tests.data.make_places          # rewrites the sample files and the demo subset

writes `tests/data/places_sample.csv` and `.json` (the same places; the JSON uses lists for
some multi-valued fields, the CSV separates values by ";" or "|"), and
`bot/core/data/demo_places.csv` (the places around Tours that `samu demo` loads).
`generate_spread` makes any number of places over metropolitan France (the benchmark's).
"""

from __future__ import annotations

import csv
import io
import json
import random
import unicodedata
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
FIELDS = (
    "id", "pivot", "nom", "commune", "code_postal", "code_insee", "adresse",
    "complement_adresse", "latitude", "longitude", "typologie", "telephone", "courriels",
    "site_web", "horaires", "presentation_resume", "services",
    "publics_specifiquement_adresses", "frais_a_charge", "modalites_acces",
    "modalites_accompagnement", "prise_rdv", "fiche_acces_libre", "date_maj",
)  # fmt: skip
TODAY = date(2026, 11, 30)

# (commune, postal code, INSEE code or "", latitude, longitude, weight)
COMMUNES = {
    "37": [
        ("Tours", "37000", "37261", 47.3941, 0.6848, 30),
        ("Tours", "37100", "37261", 47.4180, 0.6950, 12),
        ("Tours", "37200", "37261", 47.3590, 0.7010, 10),
        ("Joué-lès-Tours", "37300", "", 47.3520, 0.6630, 10),
        ("Saint-Cyr-sur-Loire", "37540", "", 47.4000, 0.6670, 6),
        ("Saint-Pierre-des-Corps", "37700", "", 47.3860, 0.7230, 6),
        ("Saint-Avertin", "37550", "", 47.3630, 0.7370, 5),
        ("Chambray-lès-Tours", "37170", "", 47.3350, 0.7130, 5),
        ("La Riche", "37520", "", 47.3900, 0.6600, 4),
        ("Fondettes", "37230", "", 47.4040, 0.5980, 3),
        ("Ballan-Miré", "37510", "", 47.3390, 0.6140, 3),
        ("Montlouis-sur-Loire", "37270", "", 47.3880, 0.8280, 4),
        ("Vouvray", "37210", "", 47.4110, 0.7980, 2),
        ("Amboise", "37400", "", 47.4120, 0.9820, 8),
        ("Bléré", "37150", "", 47.3250, 0.9910, 3),
        ("Chinon", "37500", "", 47.1670, 0.2420, 7),
        ("Loches", "37600", "", 47.1280, 0.9950, 6),
        ("Château-Renault", "37110", "", 47.5930, 0.9130, 3),
        ("Langeais", "37130", "", 47.3250, 0.4060, 3),
        ("Bourgueil", "37140", "", 47.2830, 0.1680, 2),
        ("Azay-le-Rideau", "37190", "", 47.2620, 0.4660, 2),
        ("Sainte-Maure-de-Touraine", "37800", "", 47.1110, 0.6220, 2),
        ("Descartes", "37160", "", 46.9720, 0.7000, 2),
        ("Neuillé-Pont-Pierre", "37360", "", 47.5480, 0.5490, 1),
    ],
    "41": [
        ("Blois", "41000", "41018", 47.5861, 1.3359, 20),
        ("Vendôme", "41100", "", 47.7930, 1.0660, 8),
        ("Romorantin-Lanthenay", "41200", "", 47.3590, 1.7410, 8),
        ("Montrichard Val de Cher", "41400", "", 47.3430, 1.1860, 3),
        ("Mer", "41500", "", 47.7050, 1.5080, 3),
        ("Salbris", "41300", "", 47.4250, 2.0510, 3),
        ("Vineuil", "41350", "", 47.5830, 1.3760, 3),
    ],
    "974": [
        ("Saint-Denis", "97400", "97411", -20.8820, 55.4500, 14),
        ("Saint-Paul", "97460", "", -21.0090, 55.2700, 8),
        ("Saint-Pierre", "97410", "", -21.3390, 55.4780, 8),
        ("Le Tampon", "97430", "", -21.2780, 55.5170, 6),
        ("Saint-André", "97440", "", -20.9630, 55.6500, 4),
        ("Saint-Louis", "97450", "", -21.2860, 55.4110, 4),
        ("Le Port", "97420", "", -20.9370, 55.2920, 4),
    ],
}
PHONE_PREFIX = {"37": "+33247", "41": "+33254", "974": "+262262"}
COUNTS = {"37": 180, "41": 70, "974": 50}

KINDS = [
    # (name pattern, typologies, likely services)
    ("Espace public numérique {x}", "TIERS_LIEUX", ["acces-materiel", "outils-quotidien"]),
    ("Médiathèque {x}", "BIB", ["acces-materiel", "outils-quotidien", "loisirs-creation"]),
    ("France Services {x}", "RFS", ["demarches", "acces-materiel"]),
    ("Centre social {x}", "CS;ASSO", ["demarches", "outils-quotidien", "parentalite"]),
    ("CCAS {x}", "CCAS", ["demarches"]),
    ("Mission locale {x}", "ML", ["insertion-pro", "demarches"]),
    ("Maison de quartier {x}", "MQ", ["outils-quotidien", "parentalite"]),
    ("Association Clic'{x}", "ASSO", ["outils-quotidien", "securite", "culture-numerique"]),
    ("Atelier solidaire {x}", "ASSO", ["materiel-solidaire", "acces-materiel"]),
    ("Mairie {x}", "MUNI", ["demarches", "acces-materiel"]),
]
SERVICES = {
    "demarches": "Aide aux démarches administratives",
    "outils-quotidien": "Maîtrise des outils numériques du quotidien",
    "insertion-pro": "Insertion professionnelle via le numérique",
    "securite": "Utilisation sécurisée du numérique",
    "parentalite": "Parentalité et éducation avec le numérique",
    "loisirs-creation": "Loisirs et créations numériques",
    "culture-numerique": "Compréhension du monde numérique",
    "acces-materiel": "Accès internet et matériel informatique",
    "materiel-solidaire": "Acquisition de matériel informatique à prix solidaire",
}
HOURS = [
    "Mo-Fr 09:00-12:00,14:00-17:30",
    "Tu-Sa 10:00-12:30,14:00-18:00",
    "Mo,We,Fr 14:00-17:00",
    "Mo-Fr 08:30-12:30; Sa 09:00-12:00; PH off",
    "We 14:00-18:00; Sa 10:00-12:00,14:00-17:00",
    "Mo-Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00",
    "Tu,Th 09:30-12:00",
    "",
]
STREETS = [
    "rue Nationale", "avenue de Grammont", "rue Édouard Vaillant", "place de la Mairie",
    "rue Jules Ferry", "boulevard Jean Jaurès", "rue Victor Hugo", "allée des Tilleuls",
    "rue de la République", "place du Marché", "rue Pasteur", "rue des Écoles",
]  # fmt: skip
QUARTERS = ["du Sanitas", "des Fontaines", "de l'Europe", "du Centre", "des Rives", "du Bourg"]
PUBLICS = ["Jeunes", "Seniors", "Familles et/ou enfants", "Étudiants", "Femmes"]
ACCESS = ["Se présenter", "Téléphoner", "Contacter par mail", "Prendre un RDV en ligne"]
SUPPORT = ["En autonomie", "Accompagnement individuel", "Dans un atelier collectif"]
FEES = ["Gratuit"] * 6 + ["Gratuit sous condition", "Payant"]


def _slug(text: str) -> str:
    bare = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    kept = "".join(ch.lower() if ch.isalnum() else "-" for ch in bare)
    return "-".join(part for part in kept.split("-") if part)[:40]


def _place(rnd: random.Random, number: int, department: str) -> dict[str, Any]:
    communes = COMMUNES[department]
    commune, postal, insee, lat, lon, _ = rnd.choices(communes, [c[5] for c in communes])[0]
    pattern, typology, likely = rnd.choice(KINDS)
    name = pattern.format(x=rnd.choice(QUARTERS) if "quartier" in pattern else commune)
    services = set(rnd.sample(likely, rnd.randint(1, len(likely))))
    if rnd.random() < 0.3:
        services.add(rnd.choice(list(SERVICES)))
    updated = TODAY - timedelta(days=rnd.randint(5, 800))  # about a third over a year old
    has_booking = rnd.random() < 0.35
    return {
        "id": f"gen-{department}-{number:04d}",
        "pivot": f"{rnd.randint(10**13, 10**14 - 1)}",
        "nom": name,
        "commune": commune,
        "code_postal": postal,
        "code_insee": insee,
        "adresse": f"{rnd.randint(1, 120)} {rnd.choice(STREETS)}",
        "complement_adresse": rnd.choice(["", "", "Rez-de-chaussée", "Bâtiment B", "1er étage"]),
        "latitude": round(lat + rnd.uniform(-0.015, 0.015), 5),
        "longitude": round(lon + rnd.uniform(-0.02, 0.02), 5),
        "typologie": typology,
        "telephone": f"{PHONE_PREFIX[department]}{rnd.randint(100000, 999999)}",
        "courriels": f"contact@{_slug(name)}.example.org",
        "site_web": f"https://{_slug(name)}.example.org/",
        "horaires": rnd.choice(HOURS),
        "presentation_resume": rnd.choice(
            [
                "Accueil libre et accompagnement individuel aux usages du numérique.",
                "Des médiateurs vous aident pour vos démarches en ligne.",
                "Ateliers collectifs d'initiation et postes en libre accès.",
                "",
            ]
        ),
        "services": sorted(SERVICES[s] for s in services),
        "publics_specifiquement_adresses": rnd.sample(PUBLICS, rnd.randint(0, 2)),
        "frais_a_charge": [rnd.choice(FEES)],
        "modalites_acces": rnd.sample(ACCESS, rnd.randint(1, 3)),
        "modalites_accompagnement": rnd.sample(SUPPORT, rnd.randint(1, 2)),
        "prise_rdv": f"https://rdv.example.org/lieu/{department}-{number}" if has_booking else "",
        "fiche_acces_libre": "",
        "date_maj": updated.isoformat(),
    }


def generate_sample(seed: int = 37) -> list[dict[str, Any]]:
    """The few hundred places of the sample, in three departments."""
    rnd = random.Random(seed)
    return [
        _place(rnd, number, department)
        for department, count in COUNTS.items()
        for number in range(1, count + 1)
    ]


def generate_spread(count: int, seed: int = 2026) -> Iterator[dict[str, Any]]:
    """`count` places spread over metropolitan France (coordinates and postal codes drawn
    independently: enough for the benchmark, not a map)."""
    rnd = random.Random(seed)
    departments = [f"{n:02d}" for n in range(1, 96) if n != 20]
    for number in range(1, count + 1):
        place = _place(rnd, number, "37")
        place["id"] = f"spread-{number:06d}"
        place["code_postal"] = f"{rnd.choice(departments)}{rnd.randint(0, 999):03d}"
        place["code_insee"] = ""
        place["latitude"] = round(rnd.uniform(43.0, 50.8), 5)
        place["longitude"] = round(rnd.uniform(-1.5, 7.5), 5)
        yield place


def _cell(value: Any, separator: str) -> str:
    return separator.join(value) if isinstance(value, list) else str(value)


def write_csv(places: Iterator[dict[str, Any]] | list[dict[str, Any]], out: io.TextIOBase) -> None:
    """Write places as the national CSV (values separated by ";", one row in three by "|")."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for index, place in enumerate(places):
        separator = "|" if index % 3 == 2 else ";"
        writer.writerow([_cell(place[name], separator) for name in FIELDS])


def _json_place(index: int, place: dict[str, Any]) -> dict[str, Any]:
    """Half the rows keep lists, the other half join them with ";" (both are met)."""
    if index % 2:
        return place
    return {name: _cell(value, ";") for name, value in place.items()}


def main() -> None:
    """Rewrite the sample files and the demo subset."""
    places = generate_sample()
    with (HERE / "places_sample.csv").open("w", encoding="utf-8", newline="") as out:
        write_csv(places, out)
    (HERE / "places_sample.json").write_text(
        json.dumps([_json_place(i, p) for i, p in enumerate(places)], ensure_ascii=False, indent=1)
        + "\n",
        encoding="utf-8",
    )
    demo = [p for p in places if p["code_postal"] in ("37000", "37100", "37200", "37300")][:40]
    target = ROOT / "bot" / "core" / "data"
    target.mkdir(exist_ok=True)
    with (target / "demo_places.csv").open("w", encoding="utf-8", newline="") as out:
        write_csv(demo, out)


if __name__ == "__main__":
    main()
