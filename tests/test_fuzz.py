"""No input makes the parser raise: property tests and a bounded run of the mutation fuzzer.

`make test` runs 2,000 mutated inputs (four chunks, so xdist can spread them); `make fuzz` runs
100,000 through tests/fuzzing.py.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzzing import problems, run
from ingest import parse_file, parse_text

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
