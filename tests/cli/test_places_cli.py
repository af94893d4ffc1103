"""`samu lieux import|export|edit`, run in-process as the command line runs them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.helpers import samu_in_process

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "samu.db"}"\n'
        '[network]\nstructures = ["Mission locale"]\n',
        encoding="utf-8",
    )
    assert samu(path, "db", "upgrade")[0] == 0
    return path


def samu(config: Path, *args: str) -> tuple[int, str]:
    """`samu ARGS --config CONFIG` in the test process: exit status and standard output."""
    ran = samu_in_process([*args, "--config", str(config)], cwd=config.parent)
    return ran.code, ran.stdout


HOSTILE = (
    "\ufeffid;nom;commune;code_postal;adresse;latitude;longitude;horaires;services\r\n"
    "ok-1;Espace <b>numérique</b>;Tours;37000;1 rue;47.39;0.68;Mo-Fr 09:00-12:00;"
    "Accès internet et matériel informatique\r\n"
    "bad-cp;Lieu;Tours;3700²;2 rue;47.39;0.68;;Accès internet et matériel informatique\r\n"
    "far;Lieu;Tours;37000;3 rue;0.68;47.39;;Accès internet et matériel informatique\r\n"
    "hours;Lieu;Tours;37000;4 rue;47.39;0.68;le matin;Accès internet et matériel informatique\r\n"
    "svc;Lieu;Tours;37000;5 rue;47.39;0.68;;Tricot|Aide aux démarches administratives\r\n"
    "none;Lieu;Tours;37000;6 rue;47.39;0.68;;Tricot\r\n"
    "ok-1;Encore;Tours;37000;7 rue;47.39;0.68;;Accès internet et matériel informatique\r\n"
)


def test_import_reports_every_rejected_or_trimmed_row_by_line(config: Path, tmp_path: Path) -> None:
    hostile = tmp_path / "lieux.csv"
    hostile.write_text(HOSTILE, encoding="utf-8", newline="")
    code, out = samu(config, "lieux", "import", str(hostile))
    assert code == 0
    assert "7 lignes lues : 4 gardées, 3 rejetées." in out
    assert "3 gardées sans leur champ erroné." in out
    assert (
        "Ligne 3 : le code postal « 3700² » n'est pas un code postal français : ligne ignorée"
        in out
    )
    assert "Ligne 4 : les coordonnées 0.68, 47.39 sont hors de France : champ laissé de côté" in out
    assert "Ligne 5 : les horaires « le matin » sont illisibles" in out
    assert "Ligne 6 : services inconnus laissés de côté : « Tricot »" in out
    assert "Ligne 7 : aucun service du schéma" in out
    assert "Ligne 8 : l'identifiant « ok-1 » était déjà dans le fichier" in out


def test_import_then_export_geojson_and_csv_round_trip(config: Path, tmp_path: Path) -> None:
    code, out = samu(config, "lieux", "import", str(DATA / "places_sample.json"))
    assert code == 0 and "300 lignes lues : 300 gardées, aucune rejetée." in out
    geojson = tmp_path / "lieux.geojson"
    code, out = samu(config, "lieux", "export", "--format", "geojson", "--out", str(geojson))
    assert code == 0 and "300 lieux écrits" in out
    document = json.loads(geojson.read_text(encoding="utf-8"))
    assert document["type"] == "FeatureCollection" and len(document["features"]) == 300
    feature = document["features"][0]
    assert feature["geometry"]["type"] == "Point" and len(feature["geometry"]["coordinates"]) == 2
    assert isinstance(feature["properties"]["services"], list)
    exported = tmp_path / "lieux.csv"
    assert samu(config, "lieux", "export", "--format", "csv", "--out", str(exported))[0] == 0
    with exported.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 300 and rows[0]["code_postal"]
    # what we write, we read back identically (GeoJSON included)
    code, out = samu(config, "lieux", "import", str(geojson), "--prune")
    assert "300 gardées, aucune rejetée" in out and "Aucun lieu à retirer" in out


def test_export_defuses_spreadsheet_formulas(config: Path, tmp_path: Path) -> None:
    source = tmp_path / "lieux.csv"
    source.write_text(
        "id,nom,commune,code_postal,adresse,services,telephone\n"
        'f,"=HYPERLINK(""http://x.example.org"")",Tours,37000,1 rue,'
        "Accès internet et matériel informatique,+33247000000\n",
        encoding="utf-8",
    )
    samu(config, "lieux", "import", str(source))
    out = tmp_path / "out.csv"
    samu(config, "lieux", "export", "--format", "csv", "--out", str(out))
    row = next(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert row["nom"].startswith("'=") and row["telephone"] == "+33247000000"


def test_edit_completes_a_structure_entry_and_refuses_bad_values(config: Path) -> None:
    code, out = samu(
        config, "lieux", "edit", "--structure", "Mission locale",
        "--set", "adresse=12 place Jean Jaurès", "--set", "code_postal=37000",
        "--set", "gps=47.39, 0.68", "--set", "services=démarches, emploi",
    )  # fmt: skip
    assert code == 0 and out.count("enregistré") == 4
    code, out = samu(
        config, "lieux", "edit", "--structure", "Mission locale", "--set", "horaires=matin"
    )
    assert code == 2 and "illisibles" in out
    code, out = samu(config, "lieux", "edit", "--id", "nope", "--set", "nom=X")
    assert code == 2 and "Aucun lieu n'a l'identifiant nope" in out
    code, out = samu(config, "lieux", "edit", "--structure", "Inconnue", "--set", "nom=X")
    assert code == 2 and "Structure inconnue" in out


def test_a_missing_file_says_so(config: Path) -> None:
    code, out = samu(config, "lieux", "import", "/nonexistent/lieux.csv")
    assert code == 2 and "Fichier introuvable" in out


def test_export_out_problems_exit_2_with_a_message(config: Path, tmp_path: Path) -> None:
    from tests.read_only import read_only

    export = ("lieux", "export", "--format", "csv", "--out")
    code, out = samu(config, *export, str(tmp_path))
    assert code == 2 and "est un dossier" in out and "--out" in out
    code, out = samu(config, *export, str(tmp_path / "missing" / "x.csv"))
    assert code == 2 and "n'existe pas" in out and not (tmp_path / "missing").exists()
    locked = tmp_path / "locked"
    locked.mkdir()
    with read_only(locked):
        code, out = samu(config, *export, str(locked / "x.csv"))
    assert code == 2 and "Je ne peux pas écrire" in out and not any(locked.iterdir())
    theirs = tmp_path / "theirs.csv"
    theirs.write_text("their file")
    code, out = samu(config, *export, str(theirs))
    assert code == 2 and "existe déjà" in out and "--force" in out
    assert theirs.read_text() == "their file"
    code, out = samu(config, *export, str(theirs), "--force")
    assert code == 0 and theirs.read_text().startswith("id,")
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []
