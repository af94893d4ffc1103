"""The nine services of the national schema of places of digital mediation, and how a need
typed in chat ("scanner", "ameli", "impôts") or a request's skills reach them.

The data is ``skills/data/place_services.toml``. :class:`ServiceCatalog` reads a service
name in the schema's wording (or an older one), a need in free words (with typos, through
the same matcher as skills), and maps taxonomy skills to services.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from skills.matching import RECOGNISED, SkillMatcher, default_matcher
from skills.normalize import fold
from skills.taxonomy import THEMES, Area, Skill, SkillKind, Taxonomy, TaxonomyError

__all__ = ["PlaceService", "ServiceCatalog", "default_catalog", "parse_catalog"]


@dataclass(frozen=True, slots=True)
class PlaceService:
    """One service of the schema's fixed list."""

    slug: str
    bit: int
    label: str
    """The exact wording of the schema (what national files contain)."""
    label_en: str
    aliases: tuple[str, ...]
    themes: tuple[str, ...]
    skills: tuple[str, ...]

    def label_in(self, locale: str) -> str:
        """The English label for an ``en*`` locale, the schema's French wording otherwise."""
        return self.label_en if locale.lower().startswith("en") else self.label


def _strings(entry: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise TaxonomyError(f"{where}: {key!r} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _parse_service(entry: Mapping[str, Any], index: int) -> PlaceService:
    where = f"service #{index + 1}"
    slug, label, label_en = (entry.get(k) for k in ("slug", "label", "label_en"))
    bit = entry.get("bit")
    if not all(isinstance(v, str) and v.strip() for v in (slug, label, label_en)):
        raise TaxonomyError(f"{where}: slug, label and label_en must be non-empty strings")
    if not isinstance(bit, int) or bit <= 0 or bit & (bit - 1):
        raise TaxonomyError(f"{where}: bit must be a power of two")
    themes = _strings(entry, "themes", where)
    if unknown := sorted(set(themes) - THEMES):
        raise TaxonomyError(f"{where}: unknown themes {unknown}")
    return PlaceService(
        slug=str(slug),
        bit=bit,
        label=str(label),
        label_en=str(label_en),
        aliases=_strings(entry, "aliases", where),
        themes=themes,
        skills=_strings(entry, "skills", where),
    )


class ServiceCatalog:
    """The schema's services, their names, and the way from needs and skills to them."""

    def __init__(self, services: Iterable[PlaceService], skills: SkillMatcher) -> None:
        """Index `services`; `skills` is the matcher of the network's taxonomy."""
        self.services = tuple(services)
        self._skills = skills
        self._by_slug = {service.slug: service for service in self.services}
        self._by_name: dict[str, PlaceService] = {}
        self._exact: dict[str, PlaceService] = {}
        for service in self.services:
            for name in (service.label, service.label_en, *service.aliases):
                self._by_name.setdefault(fold(name), service)
                self._exact.setdefault(name, service)
        # The services as a small taxonomy, so that a need is read like a skill is.
        area = Area("0", "Services", "Services")
        entries = tuple(
            Skill(s.slug, SkillKind.SERVICE, s.label, s.label_en, area.code, (), (), s.aliases, ())
            for s in self.services
        )
        self._needs = SkillMatcher(Taxonomy("places", (area,), entries))

    def __iter__(self) -> Any:
        return iter(self.services)

    def get(self, slug: str) -> PlaceService | None:
        """The service with this slug."""
        return self._by_slug.get(slug)

    def named(self, text: str) -> PlaceService | None:
        """The service a file names, in the schema's wording or an older one (case, accents
        and punctuation do not matter); None for a name the schema does not know."""
        if (exact := self._exact.get(text)) is not None:  # how files write them, mostly
            return exact
        head = text.split(" : ", 1)[0]  # "Gratuit : Je peux…" style explanations
        return self._by_name.get(fold(text)) or self._by_name.get(fold(head))

    def from_mask(self, mask: int) -> list[PlaceService]:
        """The services whose bits are set, in the schema's order."""
        return [service for service in self.services if mask & service.bit]

    @staticmethod
    def mask(services: Iterable[PlaceService]) -> int:
        """The bit mask of these services."""
        bits = 0
        for service in services:
            bits |= service.bit
        return bits

    def for_skill(self, skill: Skill) -> list[PlaceService]:
        """The services that answer a need about this taxonomy skill (maybe none)."""
        listed = [service for service in self.services if skill.slug in service.skills]
        if listed:
            return listed
        for theme in skill.themes:
            found = [service for service in self.services if theme in service.themes]
            if found:
                return found[:1]
        return []

    def for_skills(self, slugs: Iterable[str]) -> list[PlaceService]:
        """The services of these skills, each once, in the order the skills come."""
        found: list[PlaceService] = []
        for slug in slugs:
            skill = self._skills.taxonomy.get(slug)
            for service in self.for_skill(skill) if skill is not None else []:
                if service not in found:
                    found.append(service)
        return found

    def read_need(self, text: str) -> list[PlaceService]:
        """The services a need typed in chat asks for, best first (empty if none is clear).

        The whole phrase is tried as a service name first ("démarches", "accès internet",
        with typos), then services and skills named inside it ("scanner un papier", "ameli",
        "pole emploi").
        """
        found: list[PlaceService] = []
        whole = self._needs.match(text)
        hits = [whole] if whole is not None else []
        hits += self._needs.extract(text)
        for hit in hits:
            service = self._by_slug[hit.skill.slug]
            if service not in found:
                found.append(service)
        skills = [m.skill.slug for m in self._skills.extract(text) if m.confidence >= RECOGNISED]
        for service in self.for_skills(skills):
            if service not in found:
                found.append(service)
        return found

    def suggest_need(self, text: str, limit: int = 3) -> list[PlaceService]:
        """Services close to a need that was not recognised ("did you mean")."""
        return [self._by_slug[m.skill.slug] for m in self._needs.suggest(text, limit)]


def parse_catalog(text: str, skills: SkillMatcher) -> ServiceCatalog:
    """Parse and validate the services file; raise :class:`TaxonomyError` if it is bad."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TaxonomyError(f"invalid TOML: {exc}") from exc
    entries = data.get("service")
    if not isinstance(entries, list) or not entries:
        raise TaxonomyError("the file must contain [[service]] tables")
    services = [_parse_service(entry, i) for i, entry in enumerate(entries)]
    for key in ("slug", "bit", "label"):
        values = [getattr(service, key) for service in services]
        if len(set(values)) != len(values):
            raise TaxonomyError(f"two services share a {key}")
    for service in services:
        if unknown := sorted(set(service.skills) - {s.slug for s in skills.taxonomy}):
            raise TaxonomyError(f"service {service.slug!r}: unknown skills {unknown}")
    return ServiceCatalog(services, skills)


@functools.cache
def default_catalog() -> ServiceCatalog:
    """The (cached) catalog of the packaged services file over the packaged taxonomy."""
    data = resources.files("skills").joinpath("data", "place_services.toml")
    return parse_catalog(data.read_text(encoding="utf-8"), default_matcher())
