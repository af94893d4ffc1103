"""Skills members proposed that no taxonomy entry matched, used to match by similar text.

A proposed skill ("Pronote", "logiciel de paie") has no aliases nor place in the taxonomy;
its label alone says what it is. A request is *similar* to it when every significant stem
of the label (French Snowball stems of its words, stop words dropped: the same analysis as
the matcher's) is among the stems of the request's text. A label of one stem counts only if
that stem has at least `MIN_LONE_STEM` letters ("Pronote" yes, "aide" no): a short lone
word is found in too many requests. Word order and the words between do not matter
("paie : le logiciel plante" is similar to "logiciel de paie").

Its holders are then candidates at `PROPOSED_DISCOUNT` of the weight of the central need
(which weighs 1): at an equal level their fit is under half that of a holder of the central
need's taxonomy skill, so they never pass them (`bot.core.matching`).

>>> similar_to("Elle n'arrive pas à se connecter à Pronote", ["Pronote", "aide", "paie"])
[0]
>>> similar_to("le logiciel de la paie plante", ["logiciel de paie", "logiciel libre"])
[0]
"""

from __future__ import annotations

from collections.abc import Sequence

from skills.normalize import stems

__all__ = ["MIN_LONE_STEM", "PROPOSED_DISCOUNT", "label_stems", "similar_to"]

PROPOSED_DISCOUNT = 0.4
"""The weight of a proposed skill similar to the request, as a share of the central need's."""

MIN_LONE_STEM = 4
"""A label of a single stem shorter than this is never found by similarity."""


def label_stems(label: str) -> frozenset[str]:
    """The significant stems of a label (empty when it has none worth looking for)."""
    found = frozenset(stem for stem in stems(label) if len(stem) >= 2)
    if len(found) == 1 and len(next(iter(found))) < MIN_LONE_STEM:
        return frozenset()
    return found


def similar_to(text: str, labels: Sequence[str]) -> list[int]:
    """The positions of the labels similar to `text` (see the module doc), in order."""
    if not labels:
        return []  # no label to look for: the text is not stemmed
    in_text = set(stems(text))
    found: list[int] = []
    for index, label in enumerate(labels):
        wanted = label_stems(label)
        if wanted and wanted <= in_text:
            found.append(index)
    return found
