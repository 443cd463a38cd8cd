from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest import DocNumber, DocNumberError, DocQuery
from ingest.docnumber import find_doc_numbers, find_doc_query

PAIRS = ["〔〕", "[]", "【】", "﹝﹞", "（）", "()", "［］"]
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize("text", [
    "冀财社〔2021〕176号", "冀财社[2021]176号", "冀财社【2021】176号", "冀财社﹝2021﹞176号",
    "冀财社（2021）176号", "冀财社(2021)176号", "冀财社 [ 2021 ] 176 号", "冀财社〔２０２１〕１７６号",
    "冀财社[2021]176", "冀财社〔2021〕第176号",
])
def test_every_bracket_form_has_one_canonical(text):
    assert DocNumber.parse(text).canonical == "冀财社〔2021〕176号"


@pytest.mark.parametrize("raw, canonical", [
    # every 文号 spelling printed in the sample, with its canonical form
    ("冀财社[2020]143号", "冀财社〔2020〕143号"),
    ("冀财社[2020]185号", "冀财社〔2020〕185号"),
    ("冀财社[2020]186号", "冀财社〔2020〕186号"),
    ("冀财社[2020]190", "冀财社〔2020〕190号"),
    ("冀财社【2021】135号", "冀财社〔2021〕135号"),
    ("冀财社﹝2021﹞153号", "冀财社〔2021〕153号"),
    ("冀财社﹝2021﹞176号", "冀财社〔2021〕176号"),
    ("怀财资【2022】7号", "怀财资〔2022〕7号"),
    ("怀财资[2022]7号", "怀财资〔2022〕7号"),
    ("冀人社规【2019】2号", "冀人社规〔2019〕2号"),
    ("冀人社字【2021】278号", "冀人社字〔2021〕278号"),
    ("冀人社字【2021】222号", "冀人社字〔2021〕222号"),
    ("冀社险【2021】15号", "冀社险〔2021〕15号"),
    ("张人社字【2020】69号", "张人社字〔2020〕69号"),
])
def test_sample_spellings_canonicalise(raw, canonical):
    assert DocNumber.parse(raw).canonical == canonical


def test_issuer_in_running_text_is_trimmed_to_the_known_prefix():
    found = find_doc_numbers("根据怀财资[2022]7号，围绕省市文件政策")
    assert [(m.doc.canonical, m.raw) for m in found] == [("怀财资〔2022〕7号", "怀财资[2022]7号")]


def test_several_numbers_in_one_cell_are_all_found():
    text = "张人社字【2020】69号、冀社险【2021】15号、冀人社字【2021】222号"
    assert [m.doc.canonical for m in find_doc_numbers(text)] == [
        "张人社字〔2020〕69号", "冀社险〔2021〕15号", "冀人社字〔2021〕222号"]


def test_bracketed_project_code_before_the_number_is_not_part_of_the_issuer():
    found = find_doc_numbers("[13073022X000010998170]怀财资【2022】7号 办案及业务经费")
    assert found[0].doc == DocNumber("怀财资", 2022, 7)


@pytest.mark.parametrize("text, organisation, level", [
    ("冀财社〔2021〕176号", "河北省财政厅", "省"),
    ("张人社字〔2020〕69号", "张家口市人力资源和社会保障局", "市"),
    ("怀财资〔2022〕7号", "怀来县财政局", "县"),
])
def test_known_issuers_map_to_organisation_and_level(text, organisation, level):
    doc = DocNumber.parse(text)
    assert (doc.organisation, doc.level) == (organisation, level)


@pytest.mark.parametrize("text, issuer", [("涿财预（2022）3号", "涿财预"), ("财社〔2021〕10号", "财社")])
def test_unknown_issuer_is_kept_with_organisation_and_level_unknown(text, issuer):
    doc = DocNumber.parse(text)
    assert doc.issuer == issuer
    assert doc.organisation is None and doc.level is None


@pytest.mark.parametrize("query, expected", [
    ("冀财社2021 176", DocQuery("冀财社", 2021, 176)),
    ("冀财社 2021-176", DocQuery("冀财社", 2021, 176)),
    ("冀财社 2021/176号", DocQuery("冀财社", 2021, 176)),
    ("176号", DocQuery(None, None, 176)),
    ("冀财社176号", DocQuery("冀财社", None, 176)),
    ("冀财社", DocQuery("冀财社", None, None)),
    ("怀财资【2022】7号", DocQuery("怀财资", 2022, 7)),
])
def test_user_queries_parse(query, expected):
    assert DocQuery.parse(query) == expected


def test_partial_query_matches_several_documents():
    docs = [DocNumber("冀财社", 2021, 176), DocNumber("冀财社", 2020, 176), DocNumber("冀财社", 2021, 135)]
    assert [d for d in docs if DocQuery.parse("176号").matches(d)] == docs[:2]
    assert [d for d in docs if DocQuery.parse("冀财社2021").matches(d)] == [docs[0], docs[2]]


@pytest.mark.parametrize("text", ["就业补助", "", "没有文号"])
def test_plain_words_are_not_document_numbers(text):
    with pytest.raises(DocNumberError):
        DocNumber.parse(text)


@pytest.mark.parametrize("query, doc, rest", [
    ("养老 冀财社2021 176", DocQuery("冀财社", 2021, 176), "养老"),
    ("怀财资【2022】7号 办案", DocQuery("怀财资", 2022, 7), "办案"),
    ("176号", DocQuery(None, None, 176), ""),
    ("就业补助 县级配套", None, "就业补助 县级配套"),
    ("2021", None, "2021"),
])
def test_search_queries_split_into_document_and_words(query, doc, rest):
    assert find_doc_query(query) == (doc, rest)


@given(
    issuer=st.sampled_from(["冀财社", "怀财资", "财预", "张人社字", "涿财预"]),
    year=st.integers(1990, 2099),
    seq=st.integers(1, 9999),
    pair=st.sampled_from(PAIRS),
    pad=st.sampled_from(["", " ", "  "]),
    hao=st.sampled_from(["号", "", " 号"]),
    wide=st.booleans(),
)
def test_any_variant_canonicalises_to_the_same_value(issuer, year, seq, pair, pad, hao, wide):
    digits = f"{year}", f"{seq}"
    if wide:
        digits = tuple(d.translate(FULLWIDTH) for d in digits)
    text = f"{issuer}{pad}{pair[0]}{pad}{digits[0]}{pad}{pair[1]}{pad}{digits[1]}{hao}"
    assert DocNumber.parse(text) == DocNumber(issuer, year, seq)


@given(issuer=st.sampled_from(["冀财社", "怀财资", "财预", "冀人社规"]),
       year=st.integers(1990, 2099), seq=st.integers(1, 99999))
def test_canonical_parses_back_to_itself(issuer, year, seq):
    doc = DocNumber(issuer, year, seq)
    assert DocNumber.parse(doc.canonical) == doc
    assert DocNumber.parse(doc.canonical).canonical == doc.canonical
