"""Names of the themes of the taxonomy (`skills.taxonomy.THEMES`), in the person's language."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from bot.chat.i18n import N_, Translator

THEME_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "accessibilite": N_("Accessibility"),
        "citoyennete": N_("Citizenship"),
        "communication": N_("Communication"),
        "creation": N_("Content creation"),
        "demarches": N_("Administrative procedures"),
        "emploi": N_("Employment"),
        "formation": N_("Training and learning"),
        "materiel": N_("Devices and hardware"),
        "mobilite": N_("Transport and mobility"),
        "reseaux-sociaux": N_("Social networks"),
        "sante": N_("Health"),
        "securite": N_("Online safety"),
    }
)
"""The English message id of each theme slug; translate it with `theme_name`."""


def theme_name(t: Translator, slug: str) -> str:
    """The name of a theme in the translator's language; an unknown slug is shown as it is."""
    message = THEME_NAMES.get(slug)
    return t._(message) if message is not None else slug
