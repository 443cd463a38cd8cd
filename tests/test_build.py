"""`kg build` and `kg add`: one context for both, additions kept in data/, nothing lost silently."""

from __future__ import annotations

import errno
import os
import json
import shutil
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import build as build_module
from kg.build import add_sources, build
from kg.cli import cli
from kg.published import Build
from kg.settings import Settings
from kg.sources import SOURCES_FILE, read_sources
from kg.store import open_store
from ingest.errors import HrssError
from kg.workspace import Workspace

TESTS = Path(__file__).resolve().parent
CLEAN = TESTS / "data" / "audit" / "clean_tab_county.txt"  # its unit names 涿鹿县: added tables share its region
CODE_2021, CODE_2022 = "13099921CLEANTAB00001", "13099922CLEANTAB00001"


def _next_year(path: Path) -> Path:
    """The clean 2021 table filed again for 2022 with 130.00 万元 (an invented follow-up table)."""
    text = CLEAN.read_text(encoding="utf-8").replace(CODE_2021, CODE_2022).replace(
        "预算数\t120.00\t其中：财政资金\t100.00", "预算数\t130.00\t其中：财政资金\t110.00")
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def workspace(tmp_path: Path) -> Settings:
    """A published build of one 2021 table in its own data/ folder, and a 2022 table to add."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(CLEAN, data / CLEAN.name)
    settings = Settings(data_dir=data, index_dir=tmp_path / "idx", lock_timeout_s=0.5)
    build(settings)
    _next_year(tmp_path / "clean_2022.txt")
    return settings


def _cli(settings: Settings, *args: str):
    return CliRunner().invoke(cli, [*args, "--data", str(settings.data_dir),
                                    "--indexes", str(settings.index_dir)])


def _state(settings: Settings) -> tuple[Path, str | None, list[str], bytes | None]:
    """What must not change when a build or an addition is refused."""
    ws = Workspace(settings.index_dir)
    data = Path(settings.data_dir)
    csv = data / SOURCES_FILE
    return (ws.current, ws.version, sorted(str(p.relative_to(data)) for p in data.rglob("*")),
            csv.read_bytes() if csv.exists() else None)


# ---------------------------------------------------------------- one context for build and add


def test_an_added_next_year_table_gets_its_history_and_the_copy_finding(workspace, tmp_path):
    add_sources(workspace, [tmp_path / "clean_2022.txt"])
    b = Build.open(workspace)
    history = b.lineage.history(CODE_2022)
    assert [(e.year, str(e.budget_wan)) for e in history.entries] == [(2021, "120.00"), (2022, "130.00")]
    assert str(history.entries[1].change_wan) == "10.00"
    assert [(f.rule_id, f.project_code) for f in b.findings] == [("R18.1", CODE_2022)]
    assert b.units.name("901001") == "涿鹿县人力资源和社会保障局"


def test_an_added_file_is_copied_under_data_and_listed_in_sources_csv(workspace, tmp_path):
    add_sources(workspace, [tmp_path / "clean_2022.txt"])
    rows, problems = read_sources(Path(workspace.data_dir))
    [row] = rows
    assert problems == [] and row.path.startswith("added/clean_2022-") and row.path.endswith(".txt")
    assert row.original_name == "clean_2022.txt" and len(row.sha256) == 64 and row.region_code == ""
    assert (Path(workspace.data_dir) / row.path).read_bytes() == (tmp_path / "clean_2022.txt").read_bytes()


def test_kg_build_after_kg_add_keeps_the_added_file_even_in_a_moved_checkout(workspace, tmp_path):
    add_sources(workspace, [tmp_path / "clean_2022.txt"])
    (tmp_path / "clean_2022.txt").unlink()  # the original is gone: the copy in data/ is what counts
    assert len(build(workspace).corpus.projects) == 2
    moved = tmp_path / "moved"
    shutil.copytree(workspace.data_dir, moved / "data")
    elsewhere = Settings(data_dir=moved / "data", index_dir=moved / "idx")
    report = build(elsewhere)
    assert sorted(p.project_code for p in report.corpus.projects) == [CODE_2021, CODE_2022]
    assert sorted(Path(p.span.file).name for p in report.corpus.projects) == sorted([
        f"clean_2022-{read_sources(moved / 'data')[0][0].sha256[:12]}.txt", CLEAN.name])


def test_a_sources_csv_row_whose_file_is_missing_is_reported(workspace, tmp_path):
    add_sources(workspace, [tmp_path / "clean_2022.txt"])
    [row], _ = read_sources(Path(workspace.data_dir))
    (Path(workspace.data_dir) / row.path).unlink()
    report = build(workspace)
    assert [d.message for d in report.corpus.diagnostics if d.severity == "error"] == [
        f"sources.csv 列出的文件不存在: {row.path}"]


def test_adding_a_file_already_in_the_build_is_a_no_op_that_says_so(workspace, tmp_path):
    first = _cli(workspace, "add", str(tmp_path / "clean_2022.txt"))
    assert first.exit_code == 0, first.output
    before = _state(workspace)
    again = _cli(workspace, "add", str(tmp_path / "clean_2022.txt"))
    assert again.exit_code == 0
    assert "未重复载入" in again.output and "没有新内容：构建未改动" in again.output
    assert _state(workspace) == before
    same_as_source = _cli(workspace, "add", str(CLEAN))  # the build's own 2021 file
    assert "未重复载入" in same_as_source.output and _state(workspace) == before


def test_add_reads_the_published_records_not_the_original_paths(workspace, tmp_path):
    (Path(workspace.data_dir) / CLEAN.name).rename(tmp_path / "moved_away.txt")
    add_sources(workspace, [tmp_path / "clean_2022.txt"])
    assert sorted(p.project_code for p in Build.open(workspace).corpus.projects) == [CODE_2021, CODE_2022]


def test_two_concurrent_adds_keep_both(workspace, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text(CLEAN.read_text(encoding="utf-8").replace(CODE_2021, "13099921CLEANTAB00002")
                     .replace("职业技能培训补贴", "创业担保贷款贴息"), encoding="utf-8")
    settings = workspace.with_(lock_timeout_s=60.0)
    errors: list[BaseException] = []

    def add(path: Path) -> None:
        try:
            add_sources(settings, [path])
        except BaseException as e:  # handed to the test thread
            errors.append(e)

    threads = [threading.Thread(target=add, args=(p,)) for p in (tmp_path / "clean_2022.txt", other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(p.project_code for p in Build.open(workspace).corpus.projects) == [
        CODE_2021, "13099921CLEANTAB00002", CODE_2022]
    assert len(read_sources(Path(workspace.data_dir))[0]) == 2


def test_an_oxigraph_add_stages_a_new_build_and_leaves_the_old_one_whole(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(CLEAN, data / CLEAN.name)
    settings = Settings(data_dir=data, index_dir=tmp_path / "idx", store="oxigraph")
    old = build(settings).path
    report = add_sources(settings, [_next_year(tmp_path / "new.txt")])
    assert report.path != old and old.exists()  # the previous build stays for open readers
    b = Build.open(settings)
    rows = b.store.query(f'SELECT ?b WHERE {{ ?p hk:projectCode "{CODE_2022}" ; hk:budgetPrinted ?b }}').rows
    assert rows == [{"b": "130.00"}]
    assert {h.project_code for h in b.search.search("职业技能培训补贴").hits} == {CODE_2022, CODE_2021}
    b.close()
    with open_store(settings, old) as store:  # the published build before the addition, untouched
        assert len(store.query("SELECT ?p WHERE { ?p a hk:Project }").rows) == 1


# ---------------------------------------------------------------- refusals that keep the build


@pytest.mark.parametrize("folder", ["empty", "no_such_folder"])
def test_a_build_where_no_document_loads_is_refused_and_the_build_stays(workspace, tmp_path, folder):
    (tmp_path / "empty").mkdir()
    before = _state(workspace)
    result = CliRunner().invoke(cli, ["build", "--data", str(tmp_path / folder),
                                      "--indexes", str(workspace.index_dir)])
    assert result.exit_code == 1
    assert "没有载入任何文件" in result.output and "已发布的构建保持不变" in result.output
    assert _state(workspace) == before
    assert len(Build.open(workspace).corpus.projects) == 1


def test_an_add_that_loads_nothing_is_refused_and_data_stays(workspace, tmp_path):
    (tmp_path / "notes.txt").write_text("这只是一段说明，没有项目表。\n", encoding="utf-8")
    before = _state(workspace)
    result = _cli(workspace, "add", str(tmp_path / "notes.txt"))
    assert result.exit_code == 1 and "没有载入任何文件" in result.output
    assert _state(workspace) == before


def test_a_disk_full_add_is_refused_with_a_message_and_leaves_build_and_data(workspace, tmp_path, monkeypatch):
    def disk_full(ctx, out):
        raise OSError(errno.ENOSPC, "No space left on device", str(out / "search"))

    monkeypatch.setattr(build_module, "STEPS", [*build_module.STEPS[:2], ("search", disk_full)])
    before = _state(workspace)
    result = _cli(workspace, "add", str(tmp_path / "clean_2022.txt"))
    assert result.exit_code == 1
    assert "No space left on device" in result.output and "保持不变" in result.output
    assert "Traceback" not in result.output
    assert _state(workspace) == before
    assert not [p for p in Workspace(workspace.index_dir).builds.iterdir() if p.name.endswith(".partial")]


def test_a_second_build_waits_for_the_lock_then_refuses_with_a_message(workspace):
    before = _state(workspace)
    with Workspace(workspace.index_dir).lock(5):
        started = time.monotonic()
        result = CliRunner(env={"HRSS_LOCK_TIMEOUT": "0.4"}).invoke(
            cli, ["build", "--data", str(workspace.data_dir), "--indexes", str(workspace.index_dir)])
        waited = time.monotonic() - started
    assert result.exit_code == 1 and waited >= 0.4
    assert "另一个 `kg build` 或 `kg add` 正在进行" in result.output and "Traceback" not in result.output
    assert _state(workspace) == before


def test_a_build_waits_while_another_holds_the_lock_briefly(workspace):
    ws = Workspace(workspace.index_dir)
    held = threading.Event()

    def hold() -> None:
        with ws.lock(5):
            held.set()
            time.sleep(0.5)

    t = threading.Thread(target=hold)
    t.start()
    held.wait()
    report = build(workspace.with_(lock_timeout_s=10.0))
    t.join()
    assert ws.current == report.path


def test_old_partial_build_folders_are_removed_by_the_next_build(workspace):
    ws = Workspace(workspace.index_dir)
    stale = ws.new_build()
    (stale / "graph.pickle").write_bytes(b"half")
    build(workspace)
    assert not stale.exists()
    assert not [p for p in ws.builds.iterdir() if p.name.endswith(".partial")]


# ---------------------------------------------------------------- a damaged published build


@pytest.mark.parametrize(("damaged", "command"), [
    ("records/0000.pickle", ["add", "{new}"]),
    ("lineage.nodes", ["trace", "冀人社字〔2021〕222号"]),
    ("doc_cards.items", ["doc", "冀人社字〔2021〕222号"]),
    ("findings.json", ["audit"]),
])
def test_a_damaged_build_is_reported_with_its_path_and_how_to_rebuild(workspace, tmp_path, damaged, command):
    path = Workspace(workspace.index_dir).current / damaged
    path.write_bytes(path.read_bytes()[:40])  # truncated
    before = _state(workspace)
    result = _cli(workspace, *(a.format(new=tmp_path / "clean_2022.txt") for a in command))
    assert result.exit_code == 1, result.output
    assert str(path) in result.output and "kg build" in result.output
    assert "Traceback" not in result.output
    assert _state(workspace) == before


@pytest.mark.parametrize(("damaged", "garbage"), [("graph.json", b"{not json"), ("graph.pickle", b"\x80\x05")])
def test_a_damaged_graph_is_reported_with_its_path_and_how_to_rebuild(workspace, damaged, garbage):
    b = Build.open(workspace)
    (b.path / damaged).write_bytes(garbage)
    with pytest.raises(HrssError, match=r"kg build") as e:
        b.store  # noqa: B018 - opening is the test
    assert damaged in str(e.value)


def _triples(build_dir: Path) -> set[str]:
    import pyoxigraph as ox

    db = ox.Store.read_only(str(build_dir / "oxigraph"))
    return {f"{q.subject} {q.predicate} {q.object}" for q in db}


def test_an_oxigraph_add_staged_on_the_store_copy_equals_a_full_build(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(TESTS.parent / "data" / "000_61c5a3a787465ec8.txt", data / "sample.txt")
    shutil.copy(CLEAN, data / CLEAN.name)
    settings = Settings(data_dir=data, index_dir=tmp_path / "idx", store="oxigraph")
    build(settings)
    staged = add_sources(settings, [_next_year(tmp_path / "clean_2022.txt")]).path
    assert json.loads((staged / "graph.json").read_text(encoding="utf-8"))["staged_from"]
    full = build(settings.with_(index_dir=tmp_path / "full")).path
    assert _triples(staged) == _triples(full)
    assert len(_triples(full)) == json.loads((full / "graph.json").read_text(encoding="utf-8"))["triples"]
    staged_search = json.loads((staged / "search" / "meta.json").read_text(encoding="utf-8"))
    full_search = json.loads((full / "search" / "meta.json").read_text(encoding="utf-8"))
    for meta in (staged_search, full_search):
        meta.pop("built_at"), meta.pop("updated_at", None)
    assert staged_search == full_search
    manifest = json.loads((staged / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["search"]["staged"] is True
    a, b = Build(staged, "staged", settings), Build(full, "full", settings)
    try:
        for q in ("职业技能培训补贴", "养老保险 2022", "冀财社〔2021〕176号", "176号"):
            ra, rb = a.search.search(q, page_size=50), b.search.search(q, page_size=50)
            assert ra.total == rb.total and {h.project_code for h in ra.hits} == {h.project_code for h in rb.hits}
    finally:
        a.close()
        b.close()


def test_a_file_name_that_is_not_utf8_is_reported_and_the_rest_builds(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(CLEAN, data / "good.txt")
    bad = os.fsencode(data) + b"/bad\xff.txt"
    with open(bad, "wb") as f:
        f.write((CLEAN).read_bytes())
    result = CliRunner().invoke(cli, ["build", "--data", str(data), "--indexes", str(tmp_path / "idx")])
    assert result.exit_code == 0, result.output
    assert f"{data}/bad\ufffd.txt: file name is not valid UTF-8" in result.output
    manifest = json.loads((tmp_path / "idx" / "current" / "manifest.json").read_text("utf-8"))
    assert manifest["sources"] == [str(data / "good.txt")]
    assert {p.span.file for p in Build.open(Settings(data_dir=data, index_dir=tmp_path / "idx")).corpus.projects} \
        == {"good.txt"}


def test_a_build_of_notices_alone_is_published_and_counts_them(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("province_subtotals.txt", "no_table.txt", "province_native.docx"):
        shutil.copy(TESTS / "data" / "notices" / name, data / name)
    report = build(Settings(data_dir=data, index_dir=tmp_path / "idx"))
    assert report.counts["records"]["projects"] == 0
    assert report.counts["records"]["notices"] == 3
    assert len(Build.open(Settings(data_dir=data, index_dir=tmp_path / "idx")).corpus.notices) == 3


# ---------------------------------------------------------------- parsing across processes


def _mixed_sources(folder: Path) -> Path:
    """Text tables of three layouts, Word, Excel, PDF and web files, a data file, a damaged file and
    the same tables filed twice (the second copy is reported, not loaded)."""
    folder.mkdir()
    for name in ("pipe_layout.txt", "tab_layout.txt", "space_layout.txt", "cell_layout.txt"):
        shutil.copy(TESTS / "data" / name, folder / name)
    for name in ("sample.docx", "sample.xlsx", "sample.pdf", "sample.html", "small.xls"):
        shutil.copy(TESTS / "data" / "native" / name, folder / name)
    shutil.copy(CLEAN, folder / "a_clean.txt")
    shutil.copy(CLEAN, folder / "b_clean_again.txt")
    (folder / "documents.csv").write_text("文号,标题\n", encoding="utf-8")
    (folder / "damaged.txt").write_bytes(b"\xff\xfe\x00\xd8 broken")
    return folder


def test_parsing_in_a_pool_gives_the_serial_corpus_and_diagnostics(tmp_path):
    from kg.corpus import Placement, load_corpus

    folder = _mixed_sources(tmp_path / "src")
    placement = Placement.load(folder)
    serial = load_corpus([folder], placement, workers=1)
    pooled = load_corpus([folder], placement, workers=2)
    assert len(serial.results) == 12 and serial.projects
    assert any("already loaded" in d.message for d in serial.diagnostics)
    assert pooled.results == serial.results
    assert list(pooled.all_diagnostics()) == list(serial.all_diagnostics())


def test_a_few_small_files_are_parsed_without_a_pool(tmp_path, monkeypatch):
    from kg import corpus as corpus_module

    def no_pool(*args, **kwargs):
        raise AssertionError("a process pool was started for three small files")

    monkeypatch.setattr(corpus_module.multiprocessing, "get_context", no_pool)
    folder = tmp_path / "src"
    folder.mkdir()
    for name in ("pipe_layout.txt", "tab_layout.txt", "space_layout.txt"):
        shutil.copy(TESTS / "data" / name, folder / name)
    assert len(corpus_module.load_corpus([folder]).results) == 3


@pytest.mark.parametrize("line, busy", [
    ("3.50 2.10 1.00 1/300 1234", 0.0),  # the average still counts a build that has just ended
    ("3.50 2.10 1.00 3/300 1234", 2.0),  # two other tasks running now
    ("3.50 2.10 1.00 9/300 1234", 3.5),  # busier now than on average: the average
    ("garbled", 3.5),
])
def test_how_busy_the_cores_are_is_the_load_average_unless_fewer_tasks_run_now(tmp_path, monkeypatch, line, busy):
    from kg import corpus as corpus_module

    monkeypatch.setattr(corpus_module.os, "getloadavg", lambda: (3.5, 2.1, 1.0))
    (tmp_path / "loadavg").write_text(line + "\n")
    assert corpus_module._busy(tmp_path / "loadavg") == busy


# ---------------------------------------------------------------- the store's load in the background


def test_the_background_load_holds_every_line_and_leaves_no_pipe(tmp_path):
    from kg.store import StoreLoad

    load = StoreLoad(tmp_path)
    for i in range(3):
        load.put("".join(f"<urn:s{i}-{j}> <urn:p> \"{j}\" .\n" for j in range(1000)).encode())
    assert load.wait()["triples"] == 3000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.json", "oxigraph"]


def test_the_loader_counts_its_threads_on_fewer_cores_then_gets_them_all_back(tmp_path, monkeypatch):
    """Oxigraph holds a batch of a million triples per loader thread: the build's loader starts on
    every core but one (its thread count) and its thread is given every core once it reads."""
    import kg.store.files as files

    calls = []
    monkeypatch.setattr(files, "_cores", lambda: {0, 1, 2})
    monkeypatch.setattr(files.os, "sched_setaffinity", lambda pid, cores: calls.append((pid, sorted(cores))))
    load = files.StoreLoad(tmp_path)
    assert load.threads == 2
    for i in range(3):
        load.put("".join(f"<urn:s{i}-{j}> <urn:p> \"{j}\" .\n" for j in range(1000)).encode())
    assert load.wait()["triples"] == 3000
    assert calls[0] == (0, [0, 1])
    assert calls[1][1] == [0, 1, 2] and calls[1][0] > 0 and len(calls) == 2
    (tmp_path / "one").mkdir()
    one = files.StoreLoad(tmp_path / "one", threads=1)
    one.cancel()
    assert one.threads == 1


def test_where_cores_cannot_be_chosen_the_loader_uses_them_all_and_loads_every_line(tmp_path, monkeypatch):
    import kg.store.files as files

    def refused(pid, cores):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(files, "_cores", lambda: {0, 1})
    monkeypatch.setattr(files.os, "sched_setaffinity", refused)
    load = files.StoreLoad(tmp_path)
    for i in range(2):
        load.put("".join(f"<urn:s{i}-{j}> <urn:p> \"{j}\" .\n" for j in range(1000)).encode())
    assert load.wait()["triples"] == 2000


@pytest.mark.parametrize("error", [OSError(95, "Operation not supported"), AttributeError("mkfifo")])
def test_without_named_pipes_the_load_goes_through_a_file_and_holds_every_line(tmp_path, monkeypatch, error):
    import kg.store.files as files

    def no_fifo(path):
        raise error

    monkeypatch.setattr(files.os, "mkfifo", no_fifo, raising=False)
    load = files.StoreLoad(tmp_path)
    assert not load.piped
    for i in range(3):
        load.put("".join(f"<urn:s{i}-{j}> <urn:p> \"{j}\" .\n" for j in range(1000)).encode())
    assert load.wait()["triples"] == 3000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.json", "oxigraph"]
    (tmp_path / "c").mkdir()
    cancelled = files.StoreLoad(tmp_path / "c")
    cancelled.put(b"<urn:s> <urn:p> <urn:o> .\n")
    cancelled.cancel()
    assert not (tmp_path / "c" / ".graph-load.nt").exists()


def test_a_line_the_loader_refuses_is_raised_by_wait_and_cancel_leaves_no_pipe(tmp_path):
    from kg.store import StoreLoad

    (tmp_path / "a").mkdir()
    broken = StoreLoad(tmp_path / "a")
    broken.put(b"<urn:s> <urn:p> \"unterminated .\n")
    with pytest.raises(SyntaxError):
        broken.wait()
    (tmp_path / "b").mkdir()
    cancelled = StoreLoad(tmp_path / "b")
    cancelled.put(b"<urn:s> <urn:p> <urn:o> .\n")
    cancelled.cancel()
    assert not (tmp_path / "b" / ".graph-load.nt").exists()


# ---------------------------------------------------------------- the graph load begun before derive


def _oxigraph_workspace(tmp_path: Path) -> Settings:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(TESTS.parent / "data" / "000_61c5a3a787465ec8.txt", data / "sample.txt")
    shutil.copy(CLEAN, data / CLEAN.name)
    return Settings(data_dir=data, index_dir=tmp_path / "idx", store="oxigraph", lock_timeout_s=0.5)


def _loading_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(("graph-own-lines", "oxigraph-bulk"))]


def test_an_oxigraph_build_loads_exactly_the_graph_s_lines(tmp_path):
    import pyoxigraph as ox

    from kg.context import derive_context
    from kg.corpus import load_corpus
    from kg.steps import graph_lines

    settings = _oxigraph_workspace(tmp_path)
    report = build(settings)
    lines = "".join(graph_lines(derive_context(load_corpus(sorted(Path(settings.data_dir).iterdir())), settings)))
    expected = ox.Store()
    expected.bulk_load(lines.encode("utf-8"), ox.RdfFormat.N_TRIPLES)
    built = _triples(report.path)
    assert built == {f"{q.subject} {q.predicate} {q.object}" for q in expected}
    assert len(built) == report.counts["graph"]["triples"] > 0
    assert report.counts["graph"]["compact_s"] >= 0  # the loaded store was compacted before publishing
    # The relating lines kept for `kg add` are those a build from the derived context writes.
    assert (report.path / "relating.nt.gz").stat().st_size > 0
    assert _loading_threads() == []


@pytest.mark.parametrize("fails", ["derive", "records", "graph"])
def test_a_build_failing_while_its_graph_loads_stops_the_load_and_publishes_nothing(tmp_path, monkeypatch, fails):
    from kg import steps as steps_module

    settings = _oxigraph_workspace(tmp_path)
    first = build(settings).path
    before = _state(settings)

    def broken(*args, **kwargs):
        raise RuntimeError(f"{fails} broke")

    if fails == "derive":
        monkeypatch.setattr(build_module, "derive_context", broken)
    elif fails == "records":
        monkeypatch.setattr(build_module, "STEPS", [("records", broken), *build_module.STEPS[1:]])
    else:  # the relating triples fail after the own ones were loaded
        monkeypatch.setattr(steps_module, "_relating", broken)
    with pytest.raises(RuntimeError, match=f"{fails} broke"):
        build(settings)
    assert _state(settings) == before
    assert [p for p in Workspace(settings.index_dir).builds.iterdir() if p != first] == []
    assert _loading_threads() == []
