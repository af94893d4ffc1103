"""Personal data in free text: find it (to warn the author) and mask it.

Members write help requests that may mention the people they accompany. This module
spots phone numbers, e-mail addresses, French social security numbers (NIR), IBANs,
French postal addresses and first name + surname pairs, so that the bot can warn before
posting and mask the data afterwards.

Numbers with a checksum (NIR, IBAN) are only reported when the checksum is right; phone
numbers are validated by `phonenumbers`. Addresses and names are best-effort heuristics
tuned to report little on ordinary French sentences: a lone first name ("Karim m'a aidé")
is never reported, since members talk about each other by first name.

Everything here is pure: no I/O, no state, and no user-facing text (mask labels are given
by the caller).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum.fr import nir as stdnum_nir


class PiiKind(StrEnum):
    """The kinds of personal data that are detected."""

    PHONE = "phone"
    EMAIL = "email"
    NIR = "nir"
    IBAN = "iban"
    ADDRESS = "address"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class PiiFinding:
    """One piece of personal data: its kind and where it is in the original text."""

    kind: PiiKind
    start: int
    end: int
    text: str  # always the original text[start:end]


# When two candidates overlap, structural checksummed data wins, then the longer one.
_STRONG_KINDS = frozenset({PiiKind.IBAN, PiiKind.NIR, PiiKind.EMAIL})

# --------------------------------------------------------------------------------------
# E-mail
# --------------------------------------------------------------------------------------

# The local part may not start right after another e-mail character, so the regex only
# starts at token boundaries (which also keeps the scan linear). `@handle` alone has no
# local part and no domain, so it is never matched.
_EMAIL_RE = re.compile(
    r"(?<![\w.%+\-])"
    r"[\w%+\-](?:[\w.%+\-]*[\w%+\-])?"
    r"@"
    r"(?:[^\W_](?:[^\W_]|-)*\.)+"
    r"[^\W\d_]{2,}"
    r"(?![\w\-])"
)

# --------------------------------------------------------------------------------------
# NIR (French social security number)
# --------------------------------------------------------------------------------------

_SEP = r"[ \u00a0.\-]?"
# The standard grouping 1 85 05 78 006 084 36, every separator optional, Corsica 2A/2B.
_NIR_RE = re.compile(
    r"(?<!\w)(?<![0-9][.\-/])"
    rf"[1-478]{_SEP}[0-9]{{2}}{_SEP}[0-9]{{2}}{_SEP}(?:[0-9]{{2}}|2[AaBb])"
    rf"{_SEP}[0-9]{{3}}{_SEP}[0-9]{{3}}{_SEP}[0-9]{{2}}"
    r"(?!\w)"
)
_NIR_SEPARATORS = re.compile(r"[ \u00a0.\-]")

# --------------------------------------------------------------------------------------
# IBAN
# --------------------------------------------------------------------------------------

# Country code, check digits, then up to 30 alphanumerics, optionally in spaced groups.
# The regex is greedy; the validator then tries shorter prefixes ending at a group end.
_IBAN_RE = re.compile(
    r"(?<!\w)[A-Za-z]{2}[0-9]{2}(?:[ \u00a0\-]?[A-Za-z0-9]){10,30}",
)
_IBAN_MIN_LENGTH = 15
_IBAN_MAX_LENGTH = 34

# --------------------------------------------------------------------------------------
# Postal address
# --------------------------------------------------------------------------------------

# Street types followed by anything (lowercase names allowed: "12 rue nationale").
_SAFE_STREET_TYPES = (
    r"rue|avenue|av\.?|ave\.?|boulevard|bd\.?|bld\.?|blvd\.?|all[ée]e|impasse|imp\.|quai"
    r"|chemin|ch\.|r[ée]sidence|lieu[- ]?dit|faubourg|fbg\.?|rond[- ]point|ruelle|venelle"
    r"|chauss[ée]e|mont[ée]e|sentier"
)
# Street types that are also ordinary words ("il reste 1 place libre", "3 cours de
# français"): the street name must contain a capitalised word.
_RISKY_STREET_TYPES = (
    r"place|route|rte\.?|square|cours|passage|cit[ée]|hameau|esplanade|promenade|parvis"
    r"|villa|voie|domaine|lotissement|clos|traverse"
)
_STREET_START_RE = re.compile(
    r"(?<![\w.,/:\-])"
    r"[0-9]{1,4}(?:[ \u00a0]?(?:bis|ter|quater)|[a-d])?(?!\w)"
    r"[ \u00a0]*,?[ \u00a0]*"
    rf"(?P<type>{_SAFE_STREET_TYPES}|{_RISKY_STREET_TYPES})"
    r"(?!\w)",
    re.IGNORECASE,
)
_RISKY_TYPE_RE = re.compile(rf"(?:{_RISKY_STREET_TYPES})", re.IGNORECASE)
_MAX_STREET_WORDS = 6

# A word of a street or city name, after blanks on the same line.
_NEXT_WORD_RE = re.compile(r"[ \u00a0]+([^\W_]+(?:[\-'’][^\W_]+)*)")
_ELIDED_RE = re.compile(r"(?i)[dl]['’](?=[^\W\d_])")
_STREET_CONNECTORS = frozenset(
    {"de", "du", "des", "la", "le", "les", "l", "d", "aux", "au", "sur", "sous", "en"}
)

_POSTCODE_RE = re.compile(
    r"(?:[ \t\u00a0]*(?:,|-|–|\r?\n)[ \t\u00a0]*|[ \t\u00a0]+)"
    r"(?:[0-9]{5}|[0-9]{2}[ \u00a0][0-9]{3})(?![0-9])"
)
_CITY_FIRST_RE = re.compile(r"[ \u00a0]+([^\W\d_]+(?:[\-'’][^\W\d_]+)*)")
_CEDEX_RE = re.compile(r"[ \u00a0]+cedex(?:[ \u00a0]+[0-9]{1,2})?(?![\w])", re.IGNORECASE)
_CITY_CONNECTORS = frozenset(
    {"sur", "sous", "les", "lès", "lez", "en", "de", "du", "des", "la", "le", "aux", "et"}
)
_MAX_CITY_EXTRA_WORDS = 4

# --------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------

# Common first names, lowercase and without accents (lookups are normalised the same way).
# Left out on purpose: first names that are ordinary capitalised words or places
# (France, Rose, Marine, Victoire, Mai, Paris…).
_FIRST_NAMES_TEXT = """
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
_FIRST_NAMES = frozenset(_FIRST_NAMES_TEXT.split())

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
_NOT_SURNAMES_TEXT = """
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
_NOT_SURNAMES = frozenset(_NOT_SURNAMES_TEXT.split())
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


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def find_personal_data(text: str) -> list[PiiFinding]:
    """Find the personal data in `text`.

    The findings are sorted by start and do not overlap: when two candidates overlap, an
    IBAN, a NIR or an e-mail address wins, otherwise the longer one.
    """
    candidates = [
        *_find_phones(text),
        *_find_emails(text),
        *_find_nirs(text),
        *_find_ibans(text),
        *_find_addresses(text),
        *_find_names(text),
    ]
    candidates.sort(key=lambda f: (f.kind not in _STRONG_KINDS, f.start - f.end, f.start))
    kept: list[PiiFinding] = []
    for candidate in candidates:
        if all(candidate.end <= k.start or k.end <= candidate.start for k in kept):
            kept.append(candidate)
    kept.sort(key=lambda f: f.start)
    return kept


def mask(text: str, findings: Sequence[PiiFinding], labels: Mapping[PiiKind, str]) -> str:
    """Replace the span of each finding by `labels[finding.kind]`, keeping the rest intact.

    Findings must come from this very text (`ValueError` otherwise) and every kind found
    needs a label (`KeyError` otherwise). When findings overlap, the one that starts last
    is masked and the others are skipped.
    """
    for finding in findings:
        in_bounds = 0 <= finding.start <= finding.end <= len(text)
        if not in_bounds or text[finding.start : finding.end] != finding.text:
            raise ValueError(f"finding {finding.start}:{finding.end} does not match the text")
    result = text
    limit = len(text)
    for finding in sorted(findings, key=lambda f: (f.start, f.end), reverse=True):
        if finding.end > limit:
            continue
        result = result[: finding.start] + labels[finding.kind] + result[finding.end :]
        limit = finding.start
    return result


def kinds(findings: Sequence[PiiFinding]) -> list[PiiKind]:
    """The distinct kinds of the findings, in order of first appearance."""
    return list(dict.fromkeys(f.kind for f in findings))


# --------------------------------------------------------------------------------------
# Detectors
# --------------------------------------------------------------------------------------


def _finding(text: str, kind: PiiKind, start: int, end: int) -> PiiFinding:
    return PiiFinding(kind=kind, start=start, end=end, text=text[start:end])


def _find_phones(text: str) -> Iterator[PiiFinding]:
    # VALID (a possible *and* assigned number) is the right leniency: POSSIBLE only checks
    # lengths, and STRICT_GROUPING misses common spellings such as "06 123 456 78".
    # Dates, amounts, postcodes and long identifiers are not valid phone numbers.
    matcher = phonenumbers.PhoneNumberMatcher(text, "FR", leniency=phonenumbers.Leniency.VALID)
    for match in matcher:
        start, end = match.start, match.end
        # "(06 12 34 56 78)": the matcher keeps an opening bracket closed outside the span.
        span = text[start:end]
        if span.startswith("(") and span.count("(") > span.count(")"):
            start += 1
        if span.endswith(")") and span.count(")") > span.count("("):
            end -= 1
        if 0 <= start < end <= len(text):
            yield _finding(text, PiiKind.PHONE, start, end)


def _find_emails(text: str) -> Iterator[PiiFinding]:
    for match in _EMAIL_RE.finditer(text):
        yield _finding(text, PiiKind.EMAIL, match.start(), match.end())


def _find_nirs(text: str) -> Iterator[PiiFinding]:
    for match in _NIR_RE.finditer(text):
        number = _NIR_SEPARATORS.sub("", match.group()).upper()
        if bool(stdnum_nir.is_valid(number)):
            yield _finding(text, PiiKind.NIR, match.start(), match.end())


def _find_ibans(text: str) -> Iterator[PiiFinding]:
    position = 0
    while match := _IBAN_RE.search(text, position):
        end = _longest_valid_iban(text, match.start(), match.end())
        if end is None:
            position = match.start() + 1
        else:
            yield _finding(text, PiiKind.IBAN, match.start(), end)
            position = end


def _longest_valid_iban(text: str, start: int, end: int) -> int | None:
    """The end of the longest valid IBAN in text[start:end] ending at a word boundary."""
    ends = [i + 1 for i in range(start, end) if text[i].isalnum()]
    for count in range(min(len(ends), _IBAN_MAX_LENGTH), _IBAN_MIN_LENGTH - 1, -1):
        candidate_end = ends[count - 1]
        if candidate_end < len(text) and text[candidate_end].isalnum():
            continue
        compact = "".join(ch for ch in text[start:candidate_end] if ch.isalnum()).upper()
        if bool(stdnum_iban.is_valid(compact)):
            return candidate_end
    return None


def _find_addresses(text: str) -> Iterator[PiiFinding]:
    position = 0
    while match := _STREET_START_RE.search(text, position):
        street_end = _street_name_end(text, match.end(), match.group("type"))
        if street_end is None:
            position = match.start() + 1
            continue
        end = _city_end(text, street_end) or street_end
        yield _finding(text, PiiKind.ADDRESS, match.start(), end)
        position = end


def _street_name_end(text: str, position: int, street_type: str) -> int | None:
    """Where the street name after the street type ends, or None when there is none."""
    risky = _RISKY_TYPE_RE.fullmatch(street_type) is not None
    cours = street_type.lower() == "cours"
    previous = "type"
    end: int | None = None
    has_capital = False
    for _ in range(_MAX_STREET_WORDS):
        match = _NEXT_WORD_RE.match(text, position)
        if match is None:
            break
        word = match.group(1)
        elided = _ELIDED_RE.match(word)
        core = word[elided.end() :] if elided else word
        if core.isdigit():
            if len(core) > 4 or previous == "type":
                break
            kind = "number"
        elif word.lower() == "et":  # "rue Pierre et Marie Curie", not "rue X et il…"
            following = _NEXT_WORD_RE.match(text, match.end())
            if following is None or not following.group(1)[0].isupper():
                break
            kind = "connector"
        elif word.lower() in _STREET_CONNECTORS:
            kind = "connector"
        elif core[0].isupper():
            kind = "capital"
        else:
            kind = "lower"
        if kind != "connector" and previous == "lower" and not elided:
            break  # a lowercase word ends the name unless a connector follows
        if kind == "lower" and previous not in ("type", "connector") and not elided:
            break
        if cours and previous == "type" and kind != "capital":
            break
        has_capital = has_capital or kind == "capital"
        position = match.end()
        previous = kind
        if kind != "connector":
            end = position
    if end is None or (risky and not has_capital):
        return None
    return end


def _city_end(text: str, position: int) -> int | None:
    """Where a "37000 Tours" postcode and city right after a street name end, if any."""
    postcode = _POSTCODE_RE.match(text, position)
    if postcode is None:
        return None
    first = _CITY_FIRST_RE.match(text, postcode.end())
    if first is None or not first.group(1)[0].isupper():
        return None
    end = first.end()
    position = end
    for _ in range(_MAX_CITY_EXTRA_WORDS):
        match = _CITY_FIRST_RE.match(text, position)
        if match is None:
            break
        word = match.group(1)
        if word.lower() in _CITY_CONNECTORS:
            position = match.end()
            continue
        if not word[0].isupper() or _normalise(word) in _NOT_SURNAMES:
            break
        if word.lower() == "cedex":
            break
        position = end = match.end()
    cedex = _CEDEX_RE.match(text, end)
    return cedex.end() if cedex else end


def _find_names(text: str) -> Iterator[PiiFinding]:
    words = [(m.start(), m.end(), m.group()) for m in _WORD_RE.finditer(text)]
    index = 0
    while index < len(words):
        found = _name_at(text, words, index)
        if found is None:
            index += 1
            continue
        last = found
        yield _finding(text, PiiKind.NAME, words[index][0], words[last][1])
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
        normalised = _normalise(word)
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
    return _normalise(first_part) in _FIRST_NAMES


def _is_surname_word(word: str, *, all_caps: bool) -> bool:
    letters = [ch for ch in word if ch.isalpha()]
    if len(letters) < 2 or not word[0].isupper():
        return False
    if _normalise(word) in _NOT_SURNAMES:
        return False
    if all_caps:
        return word.isupper()
    return True


def _after_place_word(words: list[tuple[int, int, str]], index: int) -> bool:
    return index > 0 and _normalise(words[index - 1][2]) in _PLACE_WORDS


def _normalise(word: str) -> str:
    """Lowercase, without accents or a final dot, straight apostrophes: "Aïcha" → "aicha"."""
    decomposed = unicodedata.normalize("NFD", word.lower().rstrip("."))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("’", "'")
