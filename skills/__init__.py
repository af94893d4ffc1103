"""Skills of the Samu numérique network: taxonomy, matching and declared levels.

The taxonomy (DigComp 2.2 areas and competences with their CRCN/Pix codes,
plus the tools and French public online services the network meets) is
versioned in ``skills/data/taxonomy.toml``. :class:`SkillMatcher` recognises
what members type ("démarches CAF", "wordpres", "pole emploi") and finds the
skills named in a help request; :mod:`skills.levels` reads declared levels;
:mod:`skills.weighting` says how much each skill found weighs in the need, and
:mod:`skills.ranking` orders the helpers.

This package imports nothing else from the project and does no I/O beyond
reading its own data file once.
"""

from skills.levels import DEFAULT_LEVEL, SkillLevel, parse_level, split_level
from skills.matching import RECOGNISED, SUGGEST, SkillMatch, SkillMatcher, default_matcher
from skills.normalize import fold, slugify
from skills.places import PlaceService, ServiceCatalog, default_catalog
from skills.ranking import Candidate, RankedHelper, RankingWeights, rank_helpers
from skills.taxonomy import Area, Skill, SkillKind, Taxonomy, TaxonomyError, load_taxonomy
from skills.weighting import need_weights

__all__ = [
    "DEFAULT_LEVEL",
    "RECOGNISED",
    "SUGGEST",
    "Area",
    "Candidate",
    "PlaceService",
    "RankedHelper",
    "RankingWeights",
    "ServiceCatalog",
    "Skill",
    "SkillKind",
    "SkillLevel",
    "SkillMatch",
    "SkillMatcher",
    "Taxonomy",
    "TaxonomyError",
    "default_catalog",
    "default_matcher",
    "fold",
    "load_taxonomy",
    "need_weights",
    "parse_level",
    "rank_helpers",
    "slugify",
    "split_level",
]
