from __future__ import annotations

import pytest

from conftest import SAMPLE
from kg.build import build
from kg.settings import Settings
from kg.workspace import NotBuiltError, Workspace


def test_build_publishes_atomically_and_keeps_the_previous_build(tmp_path):
    ws = Workspace(tmp_path)
    with pytest.raises(NotBuiltError):
        ws.current
    partial = ws.new_build()
    (partial / "x").write_text("1")
    first = ws.publish(partial)
    assert ws.current == first and ws.version == first.name
    second = ws.publish(ws.new_build())
    third = ws.publish(ws.new_build())
    names = sorted(p.name for p in ws.builds.iterdir())
    assert ws.current == third
    assert names == sorted([second.name, third.name])  # one previous build kept for open readers


def test_failed_build_step_leaves_the_published_build(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    (data / "s.txt").write_bytes(SAMPLE.read_bytes())
    settings = Settings(data_dir=data, index_dir=tmp_path / "idx")
    from kg import build as build_module

    # only the records step, so this test does not depend on the other engines
    monkeypatch.setattr(build_module, "STEPS", build_module.STEPS[:1])
    good = build(settings).path

    def boom(ctx, out):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build_module, "STEPS", [*build_module.STEPS[:1], ("boom", boom)])
    with pytest.raises(RuntimeError):
        build(settings)
    ws = Workspace(settings.index_dir)
    assert ws.current == good
    assert not [p for p in ws.builds.iterdir() if p.name.endswith(".partial")]
    assert len(ws.load_corpus().projects) == 44
