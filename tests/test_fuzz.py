"""No input makes the parser raise: property tests and a bounded run of the mutation fuzzer.

`make test` runs 2,000 mutated inputs (four chunks, so xdist can spread them); `make fuzz` runs
100,000 through tests/fuzzing.py.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DATA
from fuzzing import problems, run
from ingest import parse_file, parse_text
from ingest.reader import decode_source

CHUNK = 500


def test_fuzzer_seeds_include_the_sample_and_every_fixture():
    from fuzzing import SEEDS

    names = {p.name for p in SEEDS}
    assert {"000_61c5a3a787465ec8.txt", "tab_layout.txt", "cell_layout.txt", "flawed_tab.txt"} <= names


def test_every_mutation_changes_some_input():
    import random

    from fuzzing import MUTATIONS, SEED_BYTES

    sample = max(SEED_BYTES, key=len)
    unchanged = [m.__name__ for m in MUTATIONS
                 if all(m(random.Random(k), sample) == sample for k in range(5))]
    assert unchanged == []


def test_mutated_inputs_raise_nothing_and_load_no_damaged_value(tmp_path, chunk):
    report = run(CHUNK, seed=17, workdir=tmp_path, start=chunk * CHUNK)
    assert report.count == CHUNK
    assert report.failures == []


def pytest_generate_tests(metafunc):
    if "chunk" in metafunc.fixturenames:
        metafunc.parametrize("chunk", range(4))


# Table-shaped text: the labels, separators and numbers the parser branches on.
_PIECES = st.sampled_from([
    "项目编码", "项目名称", "预算数", "财政资金", "其他资金", "预算规模", "资金支出计划", "绩效目标", "一级指标",
    "二级指标", "三级指标", "指标值", "依据", "产出指标", "数量指标", "效益指标、社会效益指标", "单位：万元",
    "316005", "13073022P00817010003J", "一、", "（一）", "第一部分", "1.", "绩效目标表", "[bookmark: x]",
    "冀财社〔2021〕176号", "≥80%", "36.00", "五十", "\t", "\t", "\n", "\n", " ", "（", "）", "\ufffd", "\u200b",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=80).map("".join))
def test_table_shaped_text_never_raises(text):
    assert problems(parse_text(text, "h.txt")) == []


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_text_never_raises(text):
    assert problems(parse_text(text, "h.txt")) == []


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=600))
def test_any_bytes_never_raise(tmp_path, data):
    path = tmp_path / "b.txt"
    path.write_bytes(data)
    result = parse_file(path)
    assert problems(result) == []
    assert result.ok or any(d.severity == "error" for d in result.diagnostics)


_FIXTURES = {name: (DATA / name).read_bytes()
             for name in ("tab_layout.txt", "cell_layout.txt", "cell_multiline.txt", "template_variants.txt")}
_CLEAN = {name: {p.project_code: p for p in parse_text(data.decode("utf-8"), name).projects}
          for name, data in _FIXTURES.items()}


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(_FIXTURES)), where=st.floats(0, 1, exclude_max=True),
       byte=st.integers(0x80, 0xFF))
def test_one_bad_byte_never_loads_a_different_exact_value(name, where, byte):
    # A byte that is not text in place of an ASCII one: what it touches may be left empty, never changed.
    data = _FIXTURES[name]
    ascii_at = [i for i, b in enumerate(data) if b < 0x80 and b != 0x0A]
    at = ascii_at[int(where * len(ascii_at))]
    result = parse_text(decode_source(data[:at] + bytes([byte]) + data[at + 1:], name).text, name)
    for p in result.projects:
        if p.project_code is None:
            continue
        clean = _CLEAN[name][p.project_code]  # a damaged code is never loaded as another code
        for fld in ("budget_wan", "fiscal_wan", "other_wan", "unit_code"):
            assert getattr(p, fld) in (None, getattr(clean, fld)), fld
        assert set(p.doc_numbers) <= set(clean.doc_numbers)
