"""kg.totals: the build's budget totals per region, unit, theme and year (two counties sharing codes)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kg.build import build
from kg.published import Build
from kg.settings import Settings
from kg.totals import TotalsError, read_totals
from tests.regions_fixture import write_counties


@pytest.fixture(scope="module")
def counties(tmp_path_factory) -> Settings:
    tmp = tmp_path_factory.mktemp("totals")
    write_counties(tmp / "data")
    settings = Settings(data_dir=tmp / "data", index_dir=tmp / "indexes")
    build(settings)
    return settings


def test_same_code_units_of_two_counties_stay_two_rows(counties):
    totals = Build.open(counties).totals
    rows = {(u.region, u.code): u for u in totals.with_code("901002")}
    assert set(rows) == {("130731", "901002"), ("130732", "901002")}
    assert rows[("130731", "901002")].years[2022].budget_wan == Decimal("600.00")
    assert rows[("130732", "901002")].years[2021].budget_wan == Decimal("470.00")


def test_county_totals_add_up_to_the_city_and_province(counties):
    totals = Build.open(counties).totals
    assert totals.children(None) == ["130000"]
    assert totals.children("130700") == ["130731", "130732"]
    county = {c: totals.region_totals[c][2022] for c in totals.children("130700")}
    assert county["130731"].budget_wan == Decimal("943.00") and county["130731"].projects == 4
    assert county["130732"].budget_wan == Decimal("680.00")
    assert totals.region_totals["130700"][2022].budget_wan == Decimal("1623.00")
    assert totals.region_totals["130000"][2021].budget_wan == Decimal("1030.00")
    assert totals.path("130731") == "河北省 › 张家口市 › 涿鹿县"


def test_changes_and_themes_are_counted_per_county(counties):
    totals = Build.open(counties).totals
    assert totals.change_counts(2021, 2022)["新增"] == 6
    assert totals.change_counts(2021, 2022, "130731") == {"新增": 3, "取消": 0, "增加": 1, "减少": 0, "持平": 0}
    assert totals.change_counts(2021, 2022, "130732", unit="901002")["增加"] == 1
    themes = totals.theme_totals("130732")
    assert themes[("养老保险", 2022)].budget_wan == Decimal("500.00")


def test_one_unit_s_projects_and_links_are_read_from_its_own_line(counties):
    b = Build.open(counties)
    totals = b.totals
    projects, links = totals.lines([totals.unit("130732", "901002")])
    assert sorted((p.year, p.project_code, p.budget_wan) for p in projects) == [
        (2021, "13073221RGTEST9010020001", Decimal("470.00")),
        (2022, "13073222RGTEST9010020001", Decimal("500.00"))]
    assert {p.unit_name for p in projects} == {"社会保险事业中心"} and projects[0].themes == ("养老保险",)
    assert [(lk.year_from, lk.code_from, lk.code_to) for lk in links] == [
        (2021, "13073221RGTEST9010020001", "13073222RGTEST9010020001")]
    every, _ = totals.lines(totals.within("130700"))
    assert len(every) == len(b.corpus.projects) == 10


def test_a_missing_totals_file_names_it_and_the_remedy(tmp_path):
    with pytest.raises(TotalsError, match=r"totals\.json.*kg build"):
        read_totals(tmp_path)
