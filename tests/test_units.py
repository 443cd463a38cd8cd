"""One name per unit: the spelling most tables print, the same in the graph, cards, search and pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import SKOS

from kg.build import build
from kg.published import Build
from kg.rdf import iri
from kg.settings import Settings
from views.model.totals import unit_rows
from kg.units import derive_units

CLEAN = Path(__file__).resolve().parent / "data" / "audit" / "clean_tab.txt"
LONG, SHORT = "某县人力资源和社会保障局", "某县人社局"


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    """Three tables of unit 901001 in one county (data/sources.csv): two print its long name, the last
    one a short one."""
    data = tmp_path_factory.mktemp("data")
    text = CLEAN.read_text(encoding="utf-8")
    for n, name in enumerate([LONG, LONG, SHORT], start=1):
        table = text.replace("13099921CLEANTAB00001", f"13099921CLEANTAB0000{n}").replace(
            f"901001{LONG}", f"901001{name}").replace("冀人社字〔2021〕222号", f"冀人社字〔2021〕22{n}号")
        (data / f"t{n}.txt").write_text(table, encoding="utf-8")
    (data / "sources.csv").write_text("path,region_code,sha256,added,original_name\n" + "".join(
        f"t{n}.txt,130731,,,\n" for n in (1, 2, 3)), encoding="utf-8")
    s = Settings(data_dir=data, index_dir=tmp_path_factory.mktemp("idx"))
    build(s)
    return s


def test_the_most_common_spelling_names_the_unit_and_the_other_is_kept(settings):
    units = Build.open(settings).units
    assert units.name("901001") == LONG and units.find("901001").other_names == (SHORT,)


def test_the_graph_the_cards_and_search_give_the_unit_one_name(settings):
    b = Build.open(settings)
    g = b.store.to_graph()
    assert {str(x) for x in g.objects(URIRef(iri.plain(iri.unit(b.units.find("901001").key))), SKOS.prefLabel)} == {LONG}
    card = b.cards.lookup("冀人社字〔2021〕223号").card
    assert [p.unit_name for p in card.projects] == [LONG]  # the table itself prints 某县人社局
    result = b.search.search("职业技能培训补贴")
    assert result.facet_labels["unit"] == {"901001": LONG}
    assert {h.unit_name for h in result.hits} == {LONG}
    b.close()


def test_the_unit_pages_use_the_same_name(settings):
    b = Build.open(settings)
    assert derive_units(b.corpus.projects).names() == {"901001": LONG}
    assert [(row["单位编码"], row["单位"]) for row in unit_rows(b.totals)] == [("901001", LONG)]
