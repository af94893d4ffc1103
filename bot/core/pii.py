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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum, auto

from bot.core.pii_names import NOT_SURNAMES, name_spans, normalise


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

# Disguised e-mails: "nadia [at] orange [dot] fr", "nadia(at)orange.fr", "nadia arobase orange
# point fr", "nadia at orange dot fr". A bracketed "at", "arobase" or a spaced "@" is telling
# enough; a bare " at " only with disguised dots too. The top-level domain must be a common one.
_LOCAL_PART = r"(?<![\w.%+\-])[\w%+\-](?:[\w.%+\-]*[\w%+\-])?"
_STRONG_AT = r"(?:\s*[\[\(\{<]\s*(?:at|arobase|@)\s*[\]\)\}>]\s*|\s+arobase\s+|\s+@\s*|\s*@\s+)"
_DISGUISED_DOT = r"(?:\s*[\[\(\{<]\s*(?:dot|point|\.)\s*[\]\)\}>]\s*|\s+(?:dot|point)\s+)"
_LABEL = r"[^\W_](?:[^\W_]|-)*"
_COMMON_TLDS = r"(?:fr|com|net|org|eu|be|ch|lu|ca|de|es|it|uk|info|io|re|gp|mq|gf|yt|pf|nc)"
_DISGUISED_EMAIL_RES = (
    re.compile(
        rf"{_LOCAL_PART}{_STRONG_AT}(?:{_LABEL}(?:{_DISGUISED_DOT}|\.))+{_COMMON_TLDS}(?![\w\-])",
        re.IGNORECASE,
    ),
    re.compile(
        rf"{_LOCAL_PART}\s+at\s+(?:{_LABEL}{_DISGUISED_DOT})+{_COMMON_TLDS}(?![\w\-])",
        re.IGNORECASE,
    ),
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
# The same without its 2-digit key (people often copy only the 13 digits of the card). With
# no checksum to go by, the month (01-12) and the department must be plausible, and no digit
# may follow (a NIR with a wrong key is not reported).
_NIR_NO_KEY_RE = re.compile(
    r"(?<!\w)(?<![0-9][.\-/])"
    rf"[12478]{_SEP}[0-9]{{2}}{_SEP}(?:0[1-9]|1[0-2]){_SEP}(?:0[1-9]|[1-8][0-9]|9[0-9]|2[AaBb])"
    rf"{_SEP}[0-9]{{3}}{_SEP}[0-9]{{3}}"
    r"(?![ \u00a0.\-]?[0-9])(?!\w)"
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
    import phonenumbers  # ~20 ms and its metadata: loaded by the first text screened

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
    for pattern in _DISGUISED_EMAIL_RES:
        for match in pattern.finditer(text):
            yield _finding(text, PiiKind.EMAIL, match.start(), match.end())


def _find_nirs(text: str) -> Iterator[PiiFinding]:
    from stdnum.fr import nir as stdnum_nir  # loaded by the first text screened

    for match in _NIR_RE.finditer(text):
        number = _NIR_SEPARATORS.sub("", match.group()).upper()
        if bool(stdnum_nir.is_valid(number)):
            yield _finding(text, PiiKind.NIR, match.start(), match.end())
    for match in _NIR_NO_KEY_RE.finditer(text):
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
    from stdnum import iban as stdnum_iban  # loaded by the first IBAN-like text

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


class _Word(Enum):
    """What a word is in a street name ("rue de l'Abbé Grégoire 12"); TYPE: the street type."""

    TYPE = auto()
    NUMBER = auto()
    CONNECTOR = auto()
    CAPITAL = auto()
    LOWER = auto()


def _street_name_end(text: str, position: int, street_type: str) -> int | None:
    """Where the street name after the street type ends, or None when there is none."""
    risky = _RISKY_TYPE_RE.fullmatch(street_type) is not None
    cours = street_type.lower() == "cours"
    previous = _Word.TYPE
    end: int | None = None
    has_capital = False
    for _ in range(_MAX_STREET_WORDS):
        match = _NEXT_WORD_RE.match(text, position)
        if match is None:
            break
        elided = _ELIDED_RE.match(match.group(1))
        kind = _street_word(text, match, elided, previous)
        if kind is None or not _continues(kind, previous, elided=elided is not None, cours=cours):
            break
        has_capital = has_capital or kind is _Word.CAPITAL
        position = match.end()
        previous = kind
        if kind is not _Word.CONNECTOR:
            end = position
    if end is None or (risky and not has_capital):
        return None
    return end


def _street_word(
    text: str, match: re.Match[str], elided: re.Match[str] | None, previous: _Word
) -> _Word | None:
    """What the matched word is in a street name; None when it cannot be part of one."""
    word = match.group(1)
    core = word[elided.end() :] if elided else word
    if core.isdigit():  # a number, but not right after the type nor a postcode
        return _Word.NUMBER if len(core) <= 4 and previous is not _Word.TYPE else None
    if word.lower() == "et":  # "rue Pierre et Marie Curie", not "rue X et il…"
        following = _NEXT_WORD_RE.match(text, match.end())
        joins_names = following is not None and following.group(1)[0].isupper()
        return _Word.CONNECTOR if joins_names else None
    if word.lower() in _STREET_CONNECTORS:
        return _Word.CONNECTOR
    return _Word.CAPITAL if core[0].isupper() else _Word.LOWER


def _continues(kind: _Word, previous: _Word, *, elided: bool, cours: bool) -> bool:
    """Whether a word of this kind, after one of `previous`, still belongs to the name."""
    if cours and previous is _Word.TYPE and kind is not _Word.CAPITAL:
        return False  # "cours" is a street only before a name ("cours Mirabeau")
    if elided:
        return True
    if previous is _Word.LOWER and kind is not _Word.CONNECTOR:
        return False  # a lowercase word ends the name unless a connector follows
    return not (kind is _Word.LOWER and previous not in (_Word.TYPE, _Word.CONNECTOR))


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
        if not word[0].isupper() or normalise(word) in NOT_SURNAMES:
            break
        if word.lower() == "cedex":
            break
        position = end = match.end()
    cedex = _CEDEX_RE.match(text, end)
    return cedex.end() if cedex else end


def _find_names(text: str) -> Iterator[PiiFinding]:
    for start, end in name_spans(text):
        yield _finding(text, PiiKind.NAME, start, end)
