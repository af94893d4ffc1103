"""The skill taxonomy: DigComp areas and competences, tools and public services.

The data lives in ``skills/data/taxonomy.toml`` and is read once through
:mod:`importlib.resources`; :func:`parse_taxonomy` validates any TOML text so
that bad data is refused with a message naming the faulty entry.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from types import MappingProxyType
from typing import Any

from skills.normalize import fold

__all__ = [
    "THEMES",
    "Area",
    "Skill",
    "SkillKind",
    "Taxonomy",
    "TaxonomyError",
    "load_taxonomy",
    "parse_taxonomy",
]

THEMES: frozenset[str] = frozenset(
    {
        "demarches",
        "emploi",
        "mobilite",
        "reseaux-sociaux",
        "accessibilite",
        "sante",
        "formation",
        "creation",
        "communication",
        "securite",
        "materiel",
        "citoyennete",
    }
)
"""The closed set of themes (after the ANCT "Bases du numérique" tags)."""

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_CODE = re.compile(r"^\d+\.\d+$")
_AREA_KEYS = frozenset({"code", "label_fr", "label_en"})
_SKILL_KEYS = frozenset(
    {
        "slug",
        "kind",
        "label_fr",
        "label_en",
        "area",
        "digcomp",
        "crcn",
        "aliases",
        "themes",
        "parent",
    }
)


class TaxonomyError(ValueError):
    """The taxonomy data is malformed; the message names the entry and the problem."""


class SkillKind(StrEnum):
    """What a taxonomy entry is: a framework competence, a tool or a public service."""

    COMPETENCE = "competence"
    TOOL = "tool"
    SERVICE = "service"


@dataclass(frozen=True, slots=True)
class Area:
    """A DigComp 2.2 competence area (code "1" to "5")."""

    code: str
    label_fr: str
    label_en: str

    def label(self, locale: str) -> str:
        """Return the English label for an ``en*`` locale, the French one otherwise."""
        return self.label_en if locale.lower().startswith("en") else self.label_fr


@dataclass(frozen=True, slots=True)
class Skill:
    """One entry of the taxonomy; ``slug`` is its stable identifier."""

    slug: str
    kind: SkillKind
    label_fr: str
    label_en: str
    area: str
    digcomp: tuple[str, ...]
    crcn: tuple[str, ...]
    aliases: tuple[str, ...]
    themes: tuple[str, ...]
    parent: str | None = None
    """The broader skill this one is a case of ("iphone" → "smartphone"), if any."""

    def label(self, locale: str) -> str:
        """Return the English label for an ``en*`` locale, the French one otherwise."""
        return self.label_en if locale.lower().startswith("en") else self.label_fr


@dataclass(frozen=True)
class Taxonomy:
    """A validated, immutable taxonomy; iterating yields its skills in file order."""

    version: str
    areas: tuple[Area, ...]
    skills: tuple[Skill, ...]
    _by_slug: Mapping[str, Skill] = field(init=False, repr=False, compare=False)

    _children: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_slug = MappingProxyType({skill.slug: skill for skill in self.skills})
        object.__setattr__(self, "_by_slug", by_slug)
        children: dict[str, list[str]] = {}
        for skill in self.skills:
            if skill.parent is not None:
                children.setdefault(skill.parent, []).append(skill.slug)
        frozen = MappingProxyType({slug: tuple(kids) for slug, kids in children.items()})
        object.__setattr__(self, "_children", frozen)

    def relatives(self, slug: str) -> tuple[str, ...]:
        """The skill's parent and children ("smartphone" for "iphone"; "iphone" and
        "smartphone-android" for "smartphone"): who holds them can help, less well."""
        skill = self._by_slug.get(slug)
        if skill is None:
            return ()
        parent = (skill.parent,) if skill.parent is not None else ()
        return parent + self._children.get(slug, ())

    def get(self, slug: str) -> Skill | None:
        """Return the skill with this slug, or ``None``."""
        return self._by_slug.get(slug)

    def area(self, code: str) -> Area | None:
        """Return the area with this code, or ``None``."""
        return next((area for area in self.areas if area.code == code), None)

    def __contains__(self, slug: object) -> bool:
        return slug in self._by_slug

    def __len__(self) -> int:
        return len(self.skills)

    def __iter__(self) -> Iterator[Skill]:
        return iter(self.skills)


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise TaxonomyError(f"{where}: {key!r} must be a non-empty string")
    return value.strip()


def _texts(entry: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TaxonomyError(f"{where}: {key!r} must be a list of strings")
    return tuple(v.strip() for v in value)


def _tables(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise TaxonomyError(f"the file must contain [[{key}]] tables")
    return value


def _parse_area(entry: Mapping[str, Any], index: int) -> Area:
    where = f"area #{index + 1}"
    if unknown := sorted(set(entry) - _AREA_KEYS):
        raise TaxonomyError(f"{where}: unknown keys {unknown}")
    return Area(
        _text(entry, "code", where), *(_text(entry, k, where) for k in ("label_fr", "label_en"))
    )


def _parse_skill(entry: Mapping[str, Any], index: int, area_codes: set[str]) -> Skill:
    slug = entry.get("slug")
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise TaxonomyError(
            f"skill #{index + 1}: invalid slug {slug!r} (expected a-z0-9 words joined by '-')"
        )
    where = f"skill {slug!r}"
    if unknown := sorted(set(entry) - _SKILL_KEYS):
        raise TaxonomyError(f"{where}: unknown keys {unknown}")
    kind_text = _text(entry, "kind", where)
    try:
        kind = SkillKind(kind_text)
    except ValueError:
        raise TaxonomyError(f"{where}: unknown kind {kind_text!r}") from None
    area = _text(entry, "area", where)
    if area not in area_codes:
        raise TaxonomyError(f"{where}: unknown area {area!r}")
    digcomp, crcn = _texts(entry, "digcomp", where), _texts(entry, "crcn", where)
    for code in (*digcomp, *crcn):
        if not _CODE.match(code):
            raise TaxonomyError(f"{where}: malformed competence code {code!r}")
    aliases = _texts(entry, "aliases", where)
    for alias in aliases:
        if not fold(alias):
            raise TaxonomyError(f"{where}: alias {alias!r} is empty once folded")
    themes = _texts(entry, "themes", where)
    if unknown_themes := sorted(set(themes) - THEMES):
        raise TaxonomyError(f"{where}: unknown themes {unknown_themes}")
    label_fr, label_en = _text(entry, "label_fr", where), _text(entry, "label_en", where)
    parent = entry.get("parent")
    if parent is not None and (not isinstance(parent, str) or not _SLUG.match(parent)):
        raise TaxonomyError(f"{where}: 'parent' must be a skill slug")
    return Skill(slug, kind, label_fr, label_en, area, digcomp, crcn, aliases, themes, parent)


def _check_digcomp(skills: tuple[Skill, ...]) -> None:
    """Each competence declares one DigComp code; every reference must be declared."""
    declared: set[str] = set()
    for skill in skills:
        if skill.kind is SkillKind.COMPETENCE:
            if len(skill.digcomp) != 1 or skill.digcomp[0].split(".")[0] != skill.area:
                raise TaxonomyError(
                    f"skill {skill.slug!r}: a competence needs exactly one DigComp code in its area"
                )
            declared.add(skill.digcomp[0])
    for skill in skills:
        if undeclared := sorted(set(skill.digcomp) - declared):
            raise TaxonomyError(f"skill {skill.slug!r}: unknown DigComp codes {undeclared}")


def _check_parents(skills: tuple[Skill, ...]) -> None:
    """Every parent is a skill of the taxonomy, and no skill is its own ancestor."""
    by_slug = {skill.slug: skill for skill in skills}
    for skill in skills:
        seen = {skill.slug}
        parent = skill.parent
        while parent is not None:
            if parent not in by_slug:
                raise TaxonomyError(f"skill {skill.slug!r}: unknown parent {parent!r}")
            if parent in seen:
                raise TaxonomyError(f"skill {skill.slug!r}: its parents make a cycle")
            seen.add(parent)
            parent = by_slug[parent].parent


def parse_taxonomy(text: str) -> Taxonomy:
    """Parse and validate taxonomy TOML text; raise :class:`TaxonomyError` if it is bad."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TaxonomyError(f"invalid TOML: {exc}") from exc
    version = _text(data, "version", "the file")
    areas = tuple(_parse_area(entry, i) for i, entry in enumerate(_tables(data, "area")))
    area_codes = {area.code for area in areas}
    if len(area_codes) != len(areas):
        raise TaxonomyError("duplicate area codes")
    skills: list[Skill] = []
    seen: set[str] = set()
    for i, entry in enumerate(_tables(data, "skill")):
        skill = _parse_skill(entry, i, area_codes)
        if skill.slug in seen:
            raise TaxonomyError(f"skill {skill.slug!r}: duplicate slug")
        seen.add(skill.slug)
        skills.append(skill)
    _check_digcomp(tuple(skills))
    _check_parents(tuple(skills))
    return Taxonomy(version=version, areas=areas, skills=tuple(skills))


@functools.cache
def load_taxonomy() -> Taxonomy:
    """Load, validate and cache the packaged taxonomy (``skills/data/taxonomy.toml``)."""
    text = resources.files("skills").joinpath("data", "taxonomy.toml").read_text(encoding="utf-8")
    return parse_taxonomy(text)
