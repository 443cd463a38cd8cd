"""The document card: a 文号 in any form → its projects, amounts, spellings and mentions."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from ingest.errors import DocNumberError
from kg.cli import cli
from kg.corpus import load_corpus
from kg.doccard import DocProject, Mention, lookup_document
from kg.graph import graph_step
from kg.settings import Settings
from kg.store import open_store
from kg.workspace import Workspace

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "000_61c5a3a787465ec8.txt"
FILE = SAMPLE.name


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    s = Settings(index_dir=tmp_path_factory.mktemp("idx"), store="memory")
    ws = Workspace(s.index_dir)
    out = ws.new_build()
    graph_step(load_corpus([SAMPLE]), out, s)
    ws.publish(out)
    return s


@pytest.fixture(scope="module")
def store(settings):
    return open_store(settings)


@pytest.mark.parametrize("text", ["冀财社2021 176", "冀财社〔2021〕176号", "冀财社[2021]176", "冀财社﹝2021﹞176号",
                                  "冀財社〔2021〕176號", "冀财社2021176号", "冀财\u200b社〔2021〕176号"])
def test_any_spelling_finds_the_card(store, text):
    found = lookup_document(store, text)
    assert found.card is not None and found.card.canonical == "冀财社〔2021〕176号"


def test_card_lists_the_two_2022_projects_and_their_total(store):
    card = lookup_document(store, "冀财社2021 176").card
    assert (card.issuer, card.organisation, card.level, card.year, card.seq) == (
        "冀财社", "河北省财政厅", "省", 2021, 176)
    assert card.projects == [
        DocProject(2022, "13073022P008368100011", card.projects[0].project_name, "316007", "社会保险事业中心",
                   Decimal("1384.00"), "funding"),
        DocProject(2022, "13073022P00836810002L", card.projects[1].project_name, "316007", "社会保险事业中心",
                   Decimal("44.00"), "funding"),
    ]
    assert str(card.total_wan) == "1428.00"
    assert card.spellings == ["冀财社﹝2021﹞176号"]
    assert card.mentions == [Mention(FILE, 2503, "title", "冀财社﹝2021﹞176号"),
                             Mention(FILE, 2510, "project_name", "冀财社﹝2021﹞176号"),
                             Mention(FILE, 2592, "title", "冀财社﹝2021﹞176号"),
                             Mention(FILE, 2599, "project_name", "冀财社﹝2021﹞176号")]


def test_a_county_document_gathers_every_spelling_and_project(store):
    card = lookup_document(store, "怀财资2022 7").card
    assert card.organisation is not None and len(card.projects) == 17
    assert card.spellings == ["怀财资[2022]7号", "怀财资【2022】7号"]


def test_a_basis_document_lists_projects_citing_it(store):
    card = lookup_document(store, "冀人社规〔2019〕2号").card
    assert {p.relation for p in card.projects} == {"basis"}
    assert [p.budget_wan for p in card.projects] == [Decimal("1384.00"), Decimal("44.00")]


def test_a_partial_query_lists_candidates(store):
    found = lookup_document(store, "冀财社")
    assert found.card is None
    assert [c.canonical for c in found.candidates] == [
        "冀财社〔2020〕143号", "冀财社〔2020〕185号", "冀财社〔2020〕186号", "冀财社〔2020〕190号",
        "冀财社〔2021〕135号", "冀财社〔2021〕153号", "冀财社〔2021〕176号"]
    assert [c.canonical for c in lookup_document(store, "176号").candidates] == ["冀财社〔2021〕176号"]


def test_an_unknown_document_has_no_card(store):
    found = lookup_document(store, "冀财社〔2021〕999号")
    assert found.card is None and found.candidates == []


def test_a_query_without_a_document_number_is_an_error(store):
    with pytest.raises(DocNumberError):
        lookup_document(store, "就业补助")


def test_kg_doc_json(settings):
    result = CliRunner().invoke(cli, ["doc", "冀财社2021 176", "--json", "--indexes", str(settings.index_dir)])
    assert result.exit_code == 0, result.output
    card = json.loads(result.output)["card"]
    assert card["canonical"] == "冀财社〔2021〕176号"
    assert [p["budget_wan"] for p in card["projects"]] == [1384.00, 44.00]
    assert '"total_wan": 1428.00' in result.output


def test_kg_doc_lists_candidates_in_text(settings):
    result = CliRunner().invoke(cli, ["doc", "176号", "--indexes", str(settings.index_dir)])
    assert result.exit_code == 0
    assert "冀财社〔2021〕176号" in result.output and "1428.00" in result.output


@pytest.mark.parametrize("source", ["sample", "chain"])
def test_precomputed_cards_equal_the_cards_read_from_the_graph(source, settings, tmp_path):
    from kg.build import build
    from kg.doccard import _card, cards_from_corpus

    if source == "chain":
        settings = Settings(data_dir=Path(__file__).parent / "data" / "lineage" / "chain",
                            index_dir=tmp_path / "idx")
        build(settings)
    ws = Workspace(settings.index_dir)
    corpus = load_corpus([SAMPLE]) if source == "sample" else ws.load_corpus()
    cards = cards_from_corpus(corpus, settings)
    with open_store(settings.with_(sparql_row_cap=2**62), ws.current) as opened:
        from_graph = {c: _card(opened, c) for c in cards}
    assert len(cards) == (13 if source == "sample" else len(cards)) and len(cards) >= 3
    assert cards == from_graph


def test_lookup_answers_from_the_precomputed_cards(settings, store, monkeypatch):
    import kg.doccard as doccard

    def no_queries(*args, **kwargs):
        raise AssertionError("lookup_document queried the store")

    monkeypatch.setattr(doccard, "_card", no_queries)
    card = lookup_document(store, "冀财社2021 176").card
    assert card.total_wan == Decimal("1428.00") and len(card.projects) == 2
    assert [c.canonical for c in lookup_document(store, "冀财社2020").candidates] == [
        "冀财社〔2020〕143号", "冀财社〔2020〕185号", "冀财社〔2020〕186号", "冀财社〔2020〕190号"]
