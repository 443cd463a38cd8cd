"""The document card: a 文号 in any form → its projects, amounts, spellings and mentions."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from ingest.errors import DocNumberError
from kg.build import build
from kg.cli import cli
from kg.doccard import DocProject, Mention, lookup_document
from kg.published import Build
from kg.settings import Settings

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "000_61c5a3a787465ec8.txt"
FILE = SAMPLE.name


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    s = Settings(index_dir=tmp_path_factory.mktemp("idx"), store="memory")
    build(s, [SAMPLE])
    return s


@pytest.fixture(scope="module")
def cards(settings):
    """The build's document cards."""
    return Build.open(settings).cards


@pytest.mark.parametrize("text", ["冀财社2021 176", "冀财社〔2021〕176号", "冀财社[2021]176", "冀财社﹝2021﹞176号",
                                  "冀財社〔2021〕176號", "冀财社2021176号", "冀财\u200b社〔2021〕176号"])
def test_any_spelling_finds_the_card(cards, text):
    found = lookup_document(cards, text)
    assert found.card is not None and found.card.canonical == "冀财社〔2021〕176号"


def test_card_lists_the_two_2022_projects_and_their_total(cards):
    card = lookup_document(cards, "冀财社2021 176").card
    assert (card.issuer, card.organisation, card.level, card.year, card.seq) == (
        "冀财社", "河北省财政厅", "省", 2021, 176)
    assert card.projects == [
        DocProject(2022, "13073022P008368100011", card.projects[0].project_name, "316007", "社会保险事业中心",
                   Decimal("1384.00"), "funding", "130730", "怀来县"),
        DocProject(2022, "13073022P00836810002L", card.projects[1].project_name, "316007", "社会保险事业中心",
                   Decimal("44.00"), "funding", "130730", "怀来县"),
    ]
    assert card.regions == [("130730", "怀来县")]
    assert str(card.total_wan) == "1428.00"
    assert card.spellings == ["冀财社﹝2021﹞176号"]
    assert card.mentions == [Mention(FILE, 2503, "title", "冀财社﹝2021﹞176号"),
                             Mention(FILE, 2510, "project_name", "冀财社﹝2021﹞176号"),
                             Mention(FILE, 2592, "title", "冀财社﹝2021﹞176号"),
                             Mention(FILE, 2599, "project_name", "冀财社﹝2021﹞176号")]


def test_a_county_document_gathers_every_spelling_and_project(cards):
    card = lookup_document(cards, "怀财资2022 7").card
    assert card.organisation is not None and len(card.projects) == 17
    assert card.spellings == ["怀财资[2022]7号", "怀财资【2022】7号"]


def test_a_basis_document_lists_projects_citing_it(cards):
    card = lookup_document(cards, "冀人社规〔2019〕2号").card
    assert {p.relation for p in card.projects} == {"basis"}
    assert [p.budget_wan for p in card.projects] == [Decimal("1384.00"), Decimal("44.00")]


def test_a_partial_query_lists_candidates(cards):
    found = lookup_document(cards, "冀财社")
    assert found.card is None
    assert [c.canonical for c in found.candidates] == [
        "冀财社〔2020〕143号", "冀财社〔2020〕185号", "冀财社〔2020〕186号", "冀财社〔2020〕190号",
        "冀财社〔2021〕135号", "冀财社〔2021〕153号", "冀财社〔2021〕176号"]
    assert [c.canonical for c in lookup_document(cards, "176号").candidates] == ["冀财社〔2021〕176号"]


def test_an_unknown_document_has_no_card(cards):
    found = lookup_document(cards, "冀财社〔2021〕999号")
    assert found.card is None and found.candidates == []


def test_a_query_without_a_document_number_is_an_error(cards):
    with pytest.raises(DocNumberError):
        lookup_document(cards, "就业补助")


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
