"""Published tutorials seeded by `samu demo`, so a newcomer sees the tutorial base at work."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DemoTutorial:
    """One tutorial of the demo base, written up by a demo member."""

    author: str  # a demo person's name: one of Amina, Karim, Claire, Bruno, Sophie
    title: str
    problem: str
    steps: tuple[str, ...]
    skills: tuple[str, ...]  # taxonomy slugs
    themes: tuple[str, ...]
    helped: int  # how many people it already helped


DEMO_TUTORIALS: tuple[DemoTutorial, ...] = (
    DemoTutorial(
        author="Amina",
        title="Faire l'actualisation mensuelle sur France Travail",
        problem=(
            "Un jeune suivi en Mission locale oublie chaque mois de s'actualiser et se retrouve "
            "radié. Il ne sait pas quoi répondre sur les heures travaillées."
        ),
        steps=(
            "Noter avec lui un rappel dans l'agenda du téléphone pour le 28 de chaque mois.",
            "Se connecter à l'espace personnel sur francetravail.fr ou dans l'application.",
            "Répondre aux questions : toujours en recherche d'emploi, heures travaillées, "
            "salaire brut du mois (celui de la fiche de paie, pas le net).",
            "Valider puis télécharger le justificatif d'actualisation et le garder.",
        ),
        skills=("france-travail",),
        themes=("emploi", "demarches"),
        helped=7,
    ),
    DemoTutorial(
        author="Karim",
        title="Télécharger une attestation de droits ameli sans mot de passe",
        problem=(
            "Une personne doit fournir une attestation de droits pour un dossier CAF. Elle a "
            "perdu son mot de passe ameli et le code de réinitialisation n'arrive pas."
        ),
        steps=(
            "Sur ameli.fr, cliquer sur « Compte ameli » puis sur « Je me connecte avec "
            "FranceConnect ».",
            "Choisir le compte que la personne connaît le mieux : impots.gouv ou La Poste.",
            "Dans « Mes démarches », choisir « Obtenir une attestation de droits ».",
            "Télécharger le PDF et l'envoyer directement au service qui le demande.",
        ),
        skills=("ameli", "franceconnect"),
        themes=("sante", "demarches"),
        helped=12,
    ),
    DemoTutorial(
        author="Claire",
        title="Créer l'affiche d'un atelier avec Scribus",
        problem=(
            "Le groupe Libre d'Agir veut annoncer son atelier avec une affiche faite par les "
            "participants, sans logiciel payant."
        ),
        steps=(
            "Créer un document A4 portrait avec des marges de 10 mm.",
            "Placer un cadre d'image pour la photo, puis des cadres de texte pour le titre, "
            "la date et le lieu.",
            "Garder deux polices au plus et vérifier que le texte se lit de loin.",
            "Exporter en PDF (Fichier, Exporter, Enregistrer en PDF) pour l'imprimer.",
        ),
        skills=("scribus",),
        themes=("creation",),
        helped=4,
    ),
    DemoTutorial(
        author="Claire",
        title="Publier un article sur le blog WordPress de la structure",
        problem=(
            "Les participantes de l'atelier d'écriture veulent voir leurs textes en ligne, "
            "mais elles ont peur de tout casser sur le blog."
        ),
        steps=(
            "Créer pour chacune un compte « Contributeur » : elle écrit, l'animatrice relit.",
            "Dans le tableau de bord, cliquer sur « Articles » puis « Ajouter ».",
            "Écrire le titre et le texte par blocs, ajouter une image avec le bloc « Image ».",
            "Cliquer sur « Soumettre à relecture » ; l'animatrice relit puis publie.",
        ),
        skills=("wordpress",),
        themes=("creation", "communication"),
        helped=3,
    ),
    DemoTutorial(
        author="Bruno",
        title="Ajouter l'EPN sur OpenStreetMap",
        problem=(
            "Les personnes orientées vers l'EPN ne le trouvent pas : il n'apparaît sur aucune "
            "carte en ligne."
        ),
        steps=(
            "Créer un compte sur openstreetmap.org avec l'adresse mail de la structure.",
            "Zoomer sur le bâtiment et cliquer sur « Modifier » pour ouvrir l'éditeur.",
            "Ajouter un point, choisir le type de lieu, puis remplir le nom et les horaires.",
            "Écrire un court commentaire et enregistrer : le lieu apparaît en quelques minutes.",
        ),
        skills=("openstreetmap",),
        themes=("mobilite", "citoyennete"),
        helped=2,
    ),
    DemoTutorial(
        author="Sophie",
        title="Faire sa première déclaration de revenus en ligne",
        problem=(
            "Une jeune qui a travaillé l'été doit déclarer ses revenus pour la première fois. "
            "Elle n'a jamais eu d'espace sur impots.gouv et ne connaît pas son numéro fiscal."
        ),
        steps=(
            "Retrouver le numéro fiscal sur un ancien avis d'impôt ou le demander au centre des "
            "finances publiques.",
            "Créer l'espace particulier sur impots.gouv.fr avec ce numéro et une adresse mail.",
            "Ouvrir la déclaration en ligne et vérifier les salaires déjà remplis.",
            "Signer la déclaration et télécharger l'accusé de réception.",
        ),
        skills=("impots-gouv",),
        themes=("demarches",),
        helped=9,
    ),
)
