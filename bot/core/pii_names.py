"""Names of people in free text: "Fatima Benali", "M. Dupont", and lowercase "jean dupont".

Part of the personal-data detector (`bot.core.pii`), which reports the spans found here as
names. A lone first name ("Karim m'a aidé") is never reported, since members talk about
each other by first name.

A capitalised pair needs a first name from the list below, or a civility, then capitalised
words. A lowercase pair ("jean dupont") needs a first name of the list and then a word that
is not French: `simplemma`'s French dictionary (loaded on the first lowercase first name met,
about 25 MB) tells the ordinary words ("thomas veut", "marie arrive") from surnames.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# Common first names, lowercase and without accents (lookups are normalised the same way).
# Left out on purpose: first names that are ordinary capitalised words or places
# (France, Rose, Marine, Victoire, Mai, Paris…).
FIRST_NAMES_TEXT = """
    marie jean pierre michel philippe alain nicolas christophe patrick christian daniel
    david eric frederic laurent stephane olivier sebastien julien francois thierry
    vincent bruno jacques bernard gerard andre rene claude dominique pascal sylvain
    guillaume antoine thomas lucas hugo louis gabriel arthur jules raphael leo nathan
    theo enzo mathis maxime alexandre romain quentin kevin anthony jeremy jonathan
    florian benjamin yannick franck cedric jerome arnaud damien mickael ludovic fabrice
    didier serge paul yves georges henri marcel roger robert joseph emile noah liam
    ethan adam nolan ryan dylan jordan kylian tom mael timeo sacha axel victor baptiste
    clement martin sylvie nathalie isabelle catherine sandrine valerie christine
    veronique sophie celine stephanie caroline aurelie emilie julie camille manon emma
    lea chloe ines jade louise alice lina lucie sarah laura pauline marion elodie audrey
    melanie virginie helene monique francoise martine brigitte nicole jacqueline chantal
    christiane annie josiane odile agnes anne claire juliette zoe clara margaux oceane
    anais morgane justine mathilde charlotte eva ambre nina jeanne madeleine simone
    denise suzanne colette patricia corinne karine laetitia severine delphine vanessa
    jessica cindy sabrina melissa ophelie maeva kenza mohamed mohammed muhammad mehdi
    karim rachid said youssef yassine bilal hamza ilyes ayoub amine sofiane samir nabil
    farid abdel abdelkader abdallah omar ali ahmed mustapha mustafa khaled walid hakim
    kamel driss fatima fatiha amina aicha khadija leila nadia samira yasmina malika
    naima souad rachida myriam meriem sofia sara yasmine imane salma nour zineb hafsa
    houria nadia djamila mamadou moussa ibrahima amadou ousmane abdoulaye boubacar
    seydou aminata fatoumata mariam awa kadiatou adama aissatou binta oumar cheikh modou
    issa souleymane yanis ibrahim idriss ismael elias rayan tiago joao jose manuel
    antonio carlos luis paulo ana maria sergio andrei ionut elena irina olga natalia
    svetlana dmitri ivan mehmet ahmet emre ayse elif linh minh thi hoa tuan
"""
FIRST_NAMES = frozenset(FIRST_NAMES_TEXT.split())

# Civilities that introduce a surname ("M. Dupont", "Madame Martin").
_CIVILITIES = frozenset(
    {"m.", "mr", "mr.", "mme", "mme.", "mlle", "mlle.", "madame", "monsieur", "mademoiselle"}
)
# Capitalised particles that start a two-word surname ("Le Goff", "Ben Ali").
_SURNAME_PARTICLES = frozenset(
    {"le", "la", "de", "du", "des", "da", "dos", "di", "van", "von", "ben", "bin", "el", "al"}
)
# Words that may be capitalised after a first name or a civility but are not surnames:
# pronouns, articles, greetings, days, months, public services, acronyms, titles, and the
# largest cities of the region and of France ("Julie Tours").
NOT_SURNAMES_TEXT = """
    je j tu il elle on nous vous ils elles le la les l un une des du de d et ou mais
    donc or ni car ce cet cette ces c ca cela qui que quoi qu pour par avec sans sur
    sous dans en au aux a chez vers merci bonjour bonsoir salut coucou hello hi ok oui
    non si est sont bravo super cordialement bien tres plus moins voici voila rdv svp
    stp lundi mardi mercredi jeudi vendredi samedi dimanche janvier fevrier mars avril
    mai juin juillet aout septembre octobre novembre decembre pole emploi france travail
    caf cpam ameli mission locale mairie ccas msa urssaf impots cnav carsat mdph ase pmi
    crous ants prefecture sncf poste epn cej rsa apl aah pdf cv sms cni ame css cmu faq
    url usb pc wifi gps id qr pin web maire directeur directrice president presidente
    docteur ministre prefet adjoint adjointe conseiller conseillere responsable
    tours paris lyon marseille lille nantes rennes bordeaux toulouse nice strasbourg
    montpellier orleans blois chartres poitiers angers le mans bourges chateauroux
"""
NOT_SURNAMES = frozenset(NOT_SURNAMES_TEXT.split())
# Words before a "first name + surname" that make it a place or a building name
# ("le collège Jean Moulin", "rue Victor Hugo").
_PLACE_WORDS_TEXT = """
    rue avenue boulevard bd place allee impasse chemin quai cours square residence
    college lycee ecole mediatheque bibliotheque centre espace salle maison gymnase
    stade hopital clinique quartier pont gare parc institut fondation association cite
"""
_PLACE_WORDS = frozenset(_PLACE_WORDS_TEXT.split())
_WORD_RE = re.compile(r"(?<!\w)(?:M|Mr|Mme|Mlle)\.|[^\W\d_]+(?:[\-'’][^\W\d_]+)*")
_NAME_GAP_RE = re.compile(r"[ \u00a0]+")
_NAME_PART_SEPARATOR_RE = re.compile(r"[\-'’]")
_MAX_SURNAME_WORDS = 3
# First names that are also everyday lowercase words ("une pierre", "un jean", "une maxime").
_ORDINARY_WORD_FIRST_NAMES = frozenset(
    {
        "pierre", "claire", "jade", "ambre", "maxime", "pascal", "serge", "manuel", "jean",
        "charlotte", "madeleine", "robert", "martin", "said", "tom", "ali", "thi", "ana",
    }
)  # fmt: skip
_MIN_LOWERCASE_SURNAME = 3


def name_spans(text: str) -> Iterator[tuple[int, int]]:
    """The (start, end) of each name in `text`, in order, not overlapping."""
    words = [(m.start(), m.end(), m.group()) for m in _WORD_RE.finditer(text)]
    index = 0
    while index < len(words):
        found = _name_at(text, words, index)
        if found is None:
            found = _lowercase_name_at(text, words, index)
        if found is None:
            index += 1
            continue
        last = found
        yield words[index][0], words[last][1]
        index = last + 1


def _name_at(text: str, words: list[tuple[int, int, str]], index: int) -> int | None:
    """The index of the last word of a name starting at words[index], or None."""
    word = words[index][2]
    lowered = word.lower()
    if lowered in _CIVILITIES:
        if not _adjacent(text, words, index):
            return None
        if _is_first_name(words[index + 1][2]) and _adjacent(text, words, index + 1):
            with_first_name = _surname_end(text, words, index + 2, all_caps=False)
            if with_first_name is not None:
                return with_first_name
        return _surname_end(text, words, index + 1, all_caps=False)
    if not _is_first_name(word) or _after_place_word(words, index):
        return None
    all_caps = word.isupper()
    if not _adjacent(text, words, index):
        return None
    return _surname_end(text, words, index + 1, all_caps=all_caps)


def _lowercase_name_at(text: str, words: list[tuple[int, int, str]], index: int) -> int | None:
    """The index of the surname of a lowercase "jean dupont" starting at words[index], or None."""
    word = words[index][2]
    if not word.islower() or not _is_lowercase_first_name(word):
        return None
    if _after_place_word(words, index) or not _adjacent(text, words, index):
        return None
    current = index + 1
    if _is_lowercase_first_name(words[current][2]) and _adjacent(text, words, current):
        current += 1  # "jean michel dupont"
    surname = words[current][2]
    if not surname.islower() or len(surname) < _MIN_LOWERCASE_SURNAME:
        return None
    if normalise(surname) in NOT_SURNAMES or normalise(surname) in FIRST_NAMES:
        return None
    import simplemma  # ~75 ms of imports: loaded by the first lowercase name met

    if simplemma.is_known(surname, lang="fr"):
        return None
    return current


def _is_lowercase_first_name(word: str) -> bool:
    first_part = normalise(_NAME_PART_SEPARATOR_RE.split(word)[0])
    return first_part in FIRST_NAMES and first_part not in _ORDINARY_WORD_FIRST_NAMES


def _surname_end(
    text: str, words: list[tuple[int, int, str]], index: int, *, all_caps: bool
) -> int | None:
    """The index of the last word of a surname starting at words[index], or None."""
    last: int | None = None
    current = index
    while current < len(words) and current - index < _MAX_SURNAME_WORDS:
        if current > index and not _adjacent(text, words, current - 1):
            break
        word = words[current][2]
        normalised = normalise(word)
        if (
            normalised in _SURNAME_PARTICLES
            and word[0].isupper()
            and _adjacent(text, words, current)
            and _is_surname_word(words[current + 1][2], all_caps=all_caps)
        ):
            last = current + 1  # "Le Goff", "Ben Ali": the particle and the next word
            current += 2
            continue
        if not _is_surname_word(word, all_caps=all_caps):
            break
        last = current
        current += 1
    return last


def _adjacent(text: str, words: list[tuple[int, int, str]], index: int) -> bool:
    """Whether words[index] is followed by another word with only blanks in between."""
    if index + 1 >= len(words):
        return False
    return _NAME_GAP_RE.fullmatch(text, words[index][1], words[index + 1][0]) is not None


def _is_first_name(word: str) -> bool:
    first_part = _NAME_PART_SEPARATOR_RE.split(word)[0]
    if not first_part[0].isupper() or not (first_part.isupper() or first_part[1:].islower()):
        return False
    return normalise(first_part) in FIRST_NAMES


def _is_surname_word(word: str, *, all_caps: bool) -> bool:
    letters = [ch for ch in word if ch.isalpha()]
    if len(letters) < 2 or not word[0].isupper():
        return False
    if normalise(word) in NOT_SURNAMES:
        return False
    if all_caps:
        return word.isupper()
    return True


def _after_place_word(words: list[tuple[int, int, str]], index: int) -> bool:
    return index > 0 and normalise(words[index - 1][2]) in _PLACE_WORDS


def normalise(word: str) -> str:
    """Lowercase, without accents or a final dot, straight apostrophes: "Aïcha" → "aicha"."""
    decomposed = unicodedata.normalize("NFD", word.lower().rstrip("."))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("’", "'")
