from __future__ import annotations

import json
import time

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
    ("财社〔2022〕30号", "财政部", "中央"),  # 财政部社会保障司's series
])
def test_known_issuers_map_to_organisation_and_level(text, organisation, level):
    doc = DocNumber.parse(text)
    assert (doc.organisation, doc.level) == (organisation, level)


@pytest.mark.parametrize("text, issuer", [("涿财预（2022）3号", "涿财预"), ("隆财社〔2021〕10号", "隆财社")])
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
    ("会议纪要105号", None, "会议纪要105号"),
    ("会议纪要105号 冀财社176号", DocQuery("冀财社", None, 176), "会议纪要105号"),
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


# --- what real documents print -------------------------------------------------------------------

@pytest.mark.parametrize("text, canonical, raw", [
    ("冀财社2021152号", "冀财社〔2021〕152号", "冀财社2021152号"),
    ("冀财社 2021 152 号", "冀财社〔2021〕152号", "冀财社 2021 152 号"),
    ("粵財社〔2021〕305號", "粤财社〔2021〕305号", "粵財社〔2021〕305號"),
    ("滬財社〔2020〕31号", "沪财社〔2020〕31号", "滬財社〔2020〕31号"),
    ("财 社〔2023〕181号", "财社〔2023〕181号", "财 社〔2023〕181号"),
    ("冀 财 社 〔2021〕 176 号", "冀财社〔2021〕176号", "冀 财 社 〔2021〕 176 号"),
    ("根据怀财资[2022]7号", "怀财资〔2022〕7号", "怀财资[2022]7号"),
    ("和地财社〔2019〕76号", "和地财社〔2019〕76号", "和地财社〔2019〕76号"),
    ("资金和地财社〔2019〕76号", "和地财社〔2019〕76号", "和地财社〔2019〕76号"),
    ("项目名称 财社〔2023〕181号", "财社〔2023〕181号", "财社〔2023〕181号"),
    ("冀财社（２０２１）１７６號", "冀财社〔2021〕176号", "冀财社（２０２１）１７６號"),
])
def test_printed_forms_are_found_with_their_raw_spelling(text, canonical, raw):
    found = find_doc_numbers(text)
    assert [(m.doc.canonical, m.raw) for m in found] == [(canonical, raw)]
    assert text[found[0].start:found[0].end] == raw


@pytest.mark.parametrize("text", [
    "无[2022]15号", "字体:[ ]", "【促进就业相关政策文件】", "会议纪要105号", "会议纪要[2021]105号",
    "文件[2022]15号", "冀财社〔2021〕123456号", "编号2021152号", "截至2021年12月",
])
def test_what_is_not_a_document_number_gives_nothing(text):
    assert find_doc_numbers(text) == []
    with pytest.raises(DocNumberError):
        DocNumber.parse(text)


@pytest.mark.parametrize("text", ["冀财社1949152号", "冀财社2021123456号", "冀财社2021号"])
def test_bracketless_digits_need_a_plausible_year_and_serial(text):
    assert find_doc_numbers(text) == []


def test_soft_hyphen_inside_the_serial_is_ignored():
    [m] = find_doc_numbers("冀财社〔2021〕17\u00ad6号")
    assert (m.doc.canonical, m.raw, m.start, m.end) == ("冀财社〔2021〕176号", "冀财社〔2021〕17\u00ad6号", 0, 14)


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_zero_width_characters_inside_the_issuer_are_ignored(invisible):
    text = f"见冀财{invisible}社〔2021〕176号"
    [m] = find_doc_numbers(text)
    assert (m.doc.issuer, m.start, m.end, m.raw) == ("冀财社", 1, 15, f"冀财{invisible}社〔2021〕176号")


def test_invisible_characters_around_a_number_stay_outside_its_span():
    text = "\ufeff\u200b冀财社〔2021〕176号\u200b。"
    [m] = find_doc_numbers(text)
    assert (m.start, m.end, m.raw) == (2, 15, "冀财社〔2021〕176号")


@pytest.mark.parametrize("text, canonical", [
    ("冀财社〔2021〕17\ufffd6号", "冀财社〔2021〕17号"),
    ("冀财\ufffd社〔2021〕176号", "社〔2021〕176号"),
])
def test_a_replaced_byte_next_to_a_number_marks_it_damaged(text, canonical):
    [m] = find_doc_numbers(text)
    assert (m.doc.canonical, m.damaged) == (canonical, True)
    assert find_doc_numbers("冀财社〔2021〕176号\ufffd")[0].damaged
    assert not find_doc_numbers("冀财社〔2021〕176号。")[0].damaged


def test_compatibility_ideograph_folds_to_the_ordinary_character():
    [m] = find_doc_numbers("冀财\ufa4c〔2021〕176号")  # U+FA4C CJK COMPATIBILITY IDEOGRAPH 社
    assert (m.doc.canonical, m.raw) == ("冀财社〔2021〕176号", "冀财\ufa4c〔2021〕176号")
    assert DocNumber.parse("冀财\ufa4c[2021]176") == DocNumber("冀财社", 2021, 176)


def test_kangxi_radical_from_a_pdf_folds_to_the_ordinary_character():
    assert DocNumber.parse("冀\u2f08社字【2021】278号").canonical == "冀人社字〔2021〕278号"  # ⼈ U+2F08


def test_nfkc_is_applied_only_where_it_keeps_the_meaning():
    from ingest.docnumber import fold

    f = fold("冀財\u200b社\ufa4c（２０２１）①²\u00ad号")
    assert f.text == "冀财社社(2021)①²号"
    assert [f.raw_span(i, i + 1) for i in (2, 3, 11, 12)] == [(3, 4), (4, 5), (12, 13), (14, 15)]
    assert find_doc_numbers("冀财社〔2021〕①号") == []  # a circled digit is not a serial


def test_issuer_is_normalised_on_entry():
    assert DocNumber("粵財社", 2021, 305) == DocNumber("粤财社", 2021, 305)
    assert DocNumber("粵財社", 2021, 305).canonical == "粤财社〔2021〕305号"


@pytest.mark.parametrize("query, expected", [
    ("粵財社2021 305", DocQuery("粤财社", 2021, 305)),
    ("粤财社2021 305", DocQuery("粤财社", 2021, 305)),
    ("冀财社2021152号", DocQuery("冀财社", 2021, 152)),
])
def test_traditional_and_bracketless_queries_name_the_same_document(query, expected):
    assert find_doc_query(query)[0] == expected


@pytest.fixture
def regions_csv(tmp_path, monkeypatch):
    from ingest.docnumber import issuers

    path = tmp_path / "regions.csv"
    path.write_text(
        "code,name,level,parent,short_names,aliases,valid_from,valid_to,replaced_by\n"
        "650000,新疆维吾尔自治区,province,,新|新疆,,,,\n"
        "652800,巴音郭楞蒙古自治州,city,650000,巴|巴音郭楞,,,,\n"
        "653200,和田地区,city,650000,和|和田,,,,\n"
        "653201,和田市,county,653200,和|和田,,,,\n", encoding="utf-8")
    monkeypatch.setattr(issuers, "REGIONS_CSV", path)
    _clear_region_caches()
    yield path
    _clear_region_caches()


def test_region_short_names_keep_an_issuer_that_issuers_csv_does_not_list(regions_csv):
    assert [m.doc.canonical for m in find_doc_numbers("根据和地人社〔2020〕5号")] == ["和地人社〔2020〕5号"]
    assert [m.doc.canonical for m in find_doc_numbers("新财社〔2020〕9号")] == ["新财社〔2020〕9号"]
    assert [m.doc.canonical for m in find_doc_numbers("依据巴州财社〔2021〕3号")] == ["巴州财社〔2021〕3号"]
    assert [m.doc.canonical for m in find_doc_numbers("和田市财政局转发和田财预〔2021〕8号")] == [
        "和田财预〔2021〕8号"]


def test_a_county_one_character_short_name_is_not_an_issuer(regions_csv):
    # 和 is 和田市's short name and also "and": the issuer after it is 财社
    assert [m.doc.canonical for m in find_doc_numbers("资金和财社〔2019〕76号")] == ["财社〔2019〕76号"]


def _clear_region_caches() -> None:
    from ingest.docnumber import issuers

    for cached in (issuers._region_index, issuers._region_shorts, issuers._with_enclosing_place):
        cached.cache_clear()


def test_without_regions_data_a_lead_word_is_cut(monkeypatch, tmp_path):
    from ingest.docnumber import issuers

    monkeypatch.setattr(issuers, "REGIONS_CSV", tmp_path / "absent.csv")
    _clear_region_caches()
    try:
        assert [m.doc.canonical for m in find_doc_numbers("根据和地人社〔2020〕5号")] == ["地人社〔2020〕5号"]
    finally:
        _clear_region_caches()


@pytest.mark.parametrize("text, canonical", [
    ("石桥西财资〔2019〕13号", "石桥西财资〔2019〕13号"),  # 石家庄市's 桥西区, its city's short name in front
    ("根据张桥西财资[2020]4号文件", "张桥西财资〔2020〕4号"),  # 张家口市's
    ("资金冀财社〔2021〕1号", "冀财社〔2021〕1号"),  # a word before a province's issuer is not its place
    ("河北省桥西财资〔2019〕1号", "桥西财资〔2019〕1号"),
])
def test_a_city_short_name_before_its_county_s_issuer_is_kept(text, canonical):
    assert [m.doc.canonical for m in find_doc_numbers(text)] == [canonical]


def test_newly_listed_issuers_have_organisation_and_level():
    assert [(m.doc.organisation, m.doc.level) for m in find_doc_numbers("粵財社〔2021〕305號，和地财社〔2019〕76号")] == [
        ("广东省财政厅", "省"), ("和田地区财政局", "市")]


def test_traditional_table_keeps_characters_that_are_also_simplified():
    from ingest.docnumber import fold_text

    assert fold_text("粵財號滬遼蘇懷乾於") == "粤财号沪辽苏怀乾於"


def test_ingest_doc_refs_come_from_the_same_finder():
    from ingest.records import DocRef
    from ingest.tables import collect_doc_refs

    refs = collect_doc_refs([("title", "依据粵財社2021305號、冀财\u200b社〔2021〕176号", 12), ("basis", None, 13)])
    assert refs == (DocRef("粤财社〔2021〕305号", "粵財社2021305號", "title", 12),
                    DocRef("冀财社〔2021〕176号", "冀财\u200b社〔2021〕176号", "title", 12))


# --- python -m kg docnum ---------------------------------------------------------------------------

def test_docnum_json_lists_every_number_with_line_and_raw_offsets():
    from click.testing import CliRunner

    from kg.cli import cli

    result = CliRunner().invoke(cli, ["docnum", "附件", "根据冀财社2021152号和粵財社〔2021〕305號", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["schema"] == 1
    assert out["doc_numbers"] == [
        {"canonical": "冀财社〔2021〕152号", "issuer": "冀财社", "year": 2021, "seq": 152,
         "organisation": "河北省财政厅", "level": "省", "raw": "冀财社2021152号", "start": 5, "end": 16,
         "damaged": False, "source": None, "line": 2},
        {"canonical": "粤财社〔2021〕305号", "issuer": "粤财社", "year": 2021, "seq": 305,
         "organisation": "广东省财政厅", "level": "省", "raw": "粵財社〔2021〕305號", "start": 17, "end": 30,
         "damaged": False, "source": None, "line": 2},
    ]


def test_docnum_reads_a_file_and_prints_a_table(tmp_path):
    from click.testing import CliRunner

    from kg.cli import cli

    path = tmp_path / "notice.txt"
    path.write_text("关于下达资金的通知\n依据冀财社〔2021〕17\u00ad6号文件\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["docnum", "--file", str(path)])
    assert result.exit_code == 0, result.output
    row = result.output.splitlines()[2].split()
    assert row[1:4] == ["2", "冀财社〔2021〕176号", "冀财社"]
    assert "冀财社〔2021〕17\\u00ad6号" in row  # the soft hyphen is shown, not hidden
    as_json = json.loads(CliRunner().invoke(cli, ["docnum", "-f", str(path), "--json"]).output)
    [r] = as_json["doc_numbers"]
    assert (r["source"], r["line"], r["start"], r["end"]) == (str(path), 2, 12, 26)


def test_docnum_without_numbers_says_so():
    from click.testing import CliRunner

    from kg.cli import cli

    result = CliRunner().invoke(cli, ["docnum", "无[2022]15号 字体:[ ]"])
    assert (result.exit_code, result.output.strip()) == (0, "没有找到文号")


# --- properties --------------------------------------------------------------------------------------

# (simplified, traditional) spellings of issuers; a variant mixes them character by character.
ISSUERS = [("冀财社", "冀財社"), ("粤财社", "粵財社"), ("沪财社", "滬財社"), ("怀财资", "懷財資"),
           ("张人社字", "張人社字"), ("财预", "財預"), ("涿财预", "涿財預"), ("和地财社", "和地財社")]
ALL_PAIRS = [*PAIRS, "【】", "〖〗", "{}", "｛｝", "〘〙", "︹︺"]
INVISIBLES = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


@st.composite
def spelled(draw):
    """A printed 文号 in any bracket, width, script and spacing, with invisible characters anywhere."""
    simple, trad = draw(st.sampled_from(ISSUERS))
    year, seq = draw(st.integers(1990, 2099)), draw(st.integers(1, 99999))
    chars = [t if draw(st.booleans()) else s for s, t in zip(simple, trad, strict=True)]
    issuer = "".join(c + draw(st.sampled_from(["", "", " "])) for c in chars[:-1]) + chars[-1]
    pad = st.sampled_from(["", " ", "\u3000"])
    digits = [f"{year}", f"{seq}"]
    if draw(st.booleans()):
        digits = [d.translate(FULLWIDTH) for d in digits]
    if draw(st.booleans()):
        pair = draw(st.sampled_from(ALL_PAIRS))
        body = f"{draw(pad)}{pair[0]}{draw(pad)}{digits[0]}{draw(pad)}{pair[1]}{draw(pad)}{digits[1]}"
        hao = draw(st.sampled_from(["号", "號", "", " 号"]))
    else:  # bracketless: the year glued to the serial, 号 required
        body, hao = f"{draw(pad)}{digits[0]}{digits[1]}", draw(st.sampled_from(["号", "號"]))
    text = issuer + body + hao
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(INVISIBLES)) + text[at:]
    return text, DocNumber(simple, year, seq)


def _visible_span(text: str) -> tuple[int, int]:
    kept = [i for i, c in enumerate(text) if c not in INVISIBLES]
    return kept[0], kept[-1] + 1


@given(spelled(), st.sampled_from(["", "根据", "依据《通知》（", "资金来源："]),
       st.sampled_from(["", "文件", "）精神。"]))
def test_every_spelling_gives_one_canonical_with_raw_offsets(case, before, after):
    text, doc = case
    whole = before + text + after
    found = find_doc_numbers(whole)
    assert [m.doc for m in found] == [doc]
    m = found[0]
    assert whole[m.start:m.end] == m.raw
    first, last = _visible_span(text)
    assert (m.start, m.end) == (len(before) + first, len(before) + last)


@given(spelled())
def test_canonical_parse_canonical_is_the_identity(case):
    _, doc = case
    once = DocNumber.parse(doc.canonical)
    assert once == doc and DocNumber.parse(once.canonical).canonical == doc.canonical
    assert [m.raw for m in find_doc_numbers(doc.canonical)] == [doc.canonical]


NOT_ISSUERS = ["无", "会议纪要", "字体:", "附件", "表", "见", "第", ""]


@given(word=st.sampled_from(NOT_ISSUERS), pair=st.sampled_from(ALL_PAIRS),
       inside=st.one_of(st.text(alphabet="促进就业相关政策文件字体 ", max_size=12),
                        st.integers(0, 999).map(str), st.integers(10000, 99999).map(str),
                        st.integers(1990, 2099).map(str)),
       tail=st.sampled_from(["", "15号", "号", "105号"]))
def test_bracket_texts_that_are_not_document_numbers_give_nothing(word, pair, inside, tail):
    assert find_doc_numbers(f"{word}{pair[0]}{inside}{pair[1]}{tail}") == []


@given(st.lists(st.one_of(spelled().map(lambda c: c[0]),
                          st.text(alphabet="根据和的资金项目财社 \n[]【】〔〕()0123456789号\u200b\u00ad", max_size=20)),
                max_size=8))
def test_offsets_map_back_to_the_raw_spelling_in_any_text(parts):
    text = "".join(parts)
    for m in find_doc_numbers(text):
        assert text[m.start:m.end] == m.raw
        assert find_doc_numbers(m.raw)[0].doc == m.doc


def test_finder_is_linear_on_a_long_line_of_cjk_and_brackets():
    unit = "根据冀财社〔2021〕176号和【促进就业相关政策】[ ]财 社2021 无[2022]15号\u200b粵財社（" + " " * 8
    mixed = unit * (5_000_000 // len(unit.encode()))  # one 5 MB line
    sentence = "就业补助资金用于职业培训补贴和社会保险补贴等支出"
    plain = sentence * (len(mixed.encode()) // len(sentence.encode()))  # the same bytes, no brackets

    def best(text: str) -> float:
        times = []
        for _ in range(2):
            t = time.perf_counter()
            find_doc_numbers(text)
            times.append(time.perf_counter() - t)
        return min(times)

    floor, mixed_time = best(plain), best(mixed)
    # generous: the mixed line builds ~100k matches; a quadratic scan would be thousands of times slower
    assert mixed_time < 40 * max(floor, 0.05), (mixed_time, floor)


def test_docnum_reads_standard_input_and_reports_an_unreadable_file(tmp_path):
    from click.testing import CliRunner

    from kg.cli import cli

    piped = CliRunner().invoke(cli, ["docnum", "--json"], input="甲\n乙 冀财社〔2021〕176号\n")
    [r] = json.loads(piped.output)["doc_numbers"]
    assert (r["source"], r["line"], r["start"], r["canonical"]) == ("-", 2, 4, "冀财社〔2021〕176号")
    missing = CliRunner().invoke(cli, ["docnum", "--file", str(tmp_path / "absent.txt")])
    assert missing.exit_code == 1 and "absent.txt: cannot read" in missing.output
