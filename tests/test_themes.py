"""Policy themes: the SKOS vocabulary in ontology/themes.ttl, matched against project texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.corpus import load_corpus
from kg.themes import Theme, ThemeError, load_themes, tag_project, tag_text

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "000_61c5a3a787465ec8.txt"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus([SAMPLE])


def test_themes_cover_the_sections_of_the_sample():
    labels = {t.label for t in load_themes()}
    assert {"就业创业", "社会保险", "养老保险", "人才人事", "劳动关系与劳动监察", "医疗保障",
            "信息化与互联网+人社", "基金监管"} <= labels


@pytest.mark.parametrize("code, year, expected", [
    ("13073022P008368100011", 2022, {"养老保险", "社会保险"}),
    ("130730217PAWFM4AHI9PZ", 2021, {"劳动关系与劳动监察"}),
    ("13073022P00817510001P", 2022, {"人社公共服务与行风建设"}),
    ("13073022P00801810001M", 2022, {"就业创业"}),
])
def test_projects_are_tagged_by_their_texts(corpus, code, year, expected):
    assert {t.label for t in tag_project(corpus.project(code, year))} == expected


def test_every_sample_project_has_a_theme(corpus):
    assert all(tag_project(p) for p in corpus.projects)


def test_matching_uses_alt_labels_as_keywords():
    assert [t.label for t in tag_text("打通医保服务“最后一公里”")] == ["医疗保障"]
    assert tag_text("强化学习") == []


def test_the_vocabulary_is_data(tmp_path):
    ttl = tmp_path / "themes.ttl"
    ttl.write_text("""
@prefix hk: <https://w3id.org/hrss-kg/> .
@prefix hkt: <https://w3id.org/hrss-kg/theme/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
hk:PolicyThemes a skos:ConceptScheme .
hkt:winter a skos:Concept ; skos:inScheme hk:PolicyThemes ; skos:prefLabel "冬奥服务"@zh ;
    skos:altLabel "冰雪"@zh .
""", encoding="utf-8")
    themes = load_themes(ttl)
    assert themes == [Theme("winter", "冬奥服务", ("冰雪",))]
    assert tag_text("冰雪产业技能人才", themes) == themes


def test_a_theme_without_pref_label_is_an_error(tmp_path):
    ttl = tmp_path / "themes.ttl"
    ttl.write_text("""
@prefix hk: <https://w3id.org/hrss-kg/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
hk:PolicyThemes a skos:ConceptScheme .
<https://w3id.org/hrss-kg/theme/x> skos:inScheme hk:PolicyThemes .
""", encoding="utf-8")
    with pytest.raises(ThemeError, match="prefLabel"):
        load_themes(ttl)
