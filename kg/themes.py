"""Policy themes: a SKOS concept scheme in ontology/themes.ttl, matched against project texts.

The vocabulary lives in Turtle (prefLabel = the theme's name, altLabels = matching keywords); the
matching lives here, once: a text is tagged with a theme when it contains the prefLabel or an altLabel.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
import re
from functools import cache, lru_cache
from pathlib import Path

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SKOS

from ingest.errors import HrssError
from ingest.records import NarrativeItem, Project
from kg.namespace import HK, HK_THEME

__all__ = ["Theme", "THEMES_TTL", "load_themes", "tag_project", "tag_text", "tag_narrative",
           "project_texts", "ThemeError"]

THEMES_TTL = Path(__file__).resolve().parent.parent / "ontology" / "themes.ttl"


@dataclass(frozen=True)
class Theme:
    """A policy theme: its id (the IRI's last segment), Chinese name and matching keywords."""

    id: str
    label: str
    alt_labels: tuple[str, ...]

    @property
    def iri(self) -> URIRef:
        return HK_THEME[self.id]

    @property
    def keywords(self) -> tuple[str, ...]:
        return (self.label, *self.alt_labels)

    def matches(self, text: str) -> bool:
        return self._pattern.search(text) is not None

    @property
    def _pattern(self) -> re.Pattern[str]:
        return _keyword_pattern(self.keywords)


@lru_cache(maxsize=256)
def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    # one alternation per theme: a single scan of the text instead of one per keyword
    return re.compile("|".join(map(re.escape, sorted(keywords, key=len, reverse=True))))


class ThemeError(HrssError):
    """ontology/themes.ttl cannot be read or is not a usable concept scheme."""


@cache
def _load(path: Path) -> tuple[Theme, ...]:
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except Exception as e:  # rdflib raises several unrelated types on bad Turtle
        raise ThemeError(f"{path}: cannot read the theme scheme: {e}") from e
    themes = []
    for concept in g.subjects(SKOS.inScheme, HK.PolicyThemes):
        if not isinstance(concept, URIRef) or not str(concept).startswith(str(HK_THEME)):
            raise ThemeError(f"{path}: theme {concept} is not under {HK_THEME}")
        labels = [str(x) for x in g.objects(concept, SKOS.prefLabel)]
        if len(labels) != 1:
            raise ThemeError(f"{path}: theme {concept} needs exactly one skos:prefLabel")
        alts = tuple(sorted({str(x) for x in g.objects(concept, SKOS.altLabel)}))
        themes.append(Theme(str(concept)[len(str(HK_THEME)):], labels[0], alts))
    if not themes or (None, RDF.type, SKOS.ConceptScheme) not in g:
        raise ThemeError(f"{path}: no themes in the hk:PolicyThemes concept scheme")
    return tuple(sorted(themes, key=lambda t: t.id))


def load_themes(path: Path | None = None) -> list[Theme]:
    """The themes of ontology/themes.ttl (cached), in a stable order."""
    return list(_load(path.resolve() if path else _DEFAULT))


_DEFAULT = THEMES_TTL.resolve()


def tag_text(texts: str | Iterable[str | None], themes: list[Theme] | None = None) -> list[Theme]:
    """Every theme whose name or keywords occur in the text(s)."""
    if isinstance(texts, str):
        texts = [texts]
    joined = "\n".join(t for t in texts if t)
    return [t for t in (themes or _load(_DEFAULT)) if t.matches(joined)]


def project_texts(project: Project) -> list[str]:
    """The texts a project is tagged by: title, name, purpose, goals and indicator wording."""
    out = [project.title, project.project_name, project.purpose, *project.goals]
    for ind in project.indicators:
        out += [ind.level3, ind.description]
    return [t for t in out if t]


def tag_project(project: Project, themes: list[Theme] | None = None) -> list[Theme]:
    """The policy themes of a project, matched on its title, name, purpose, goals and indicators."""
    return tag_text(project_texts(project), themes)


def tag_narrative(item: NarrativeItem, themes: list[Theme] | None = None) -> list[Theme]:
    """The policy themes a narrative paragraph talks about."""
    return tag_text([item.parent, item.heading, item.text], themes)
