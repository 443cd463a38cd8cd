"""kg.atomic: a file is replaced whole or not at all, and no temporary file is left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.atomic import replaced, write_text
from kg.itemfile import read_items, write_items


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_write_text_replaces_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "units.json"
    path.write_text("旧", encoding="utf-8")
    write_text(path, '{"单位": "人社局"}')
    assert path.read_text(encoding="utf-8") == '{"单位": "人社局"}'
    with replaced(path) as f:
        f.write(b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"
    assert _names(tmp_path) == ["units.json"]


def test_failed_write_keeps_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "totals.json"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError, match="disk"):
        with replaced(path, "w") as f:
            f.write("half of the new")
            raise RuntimeError("disk full")
    assert path.read_text(encoding="utf-8") == "old"
    assert _names(tmp_path) == ["totals.json"]


def test_generator_closed_early_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "items.bin"

    def items():
        yield "a", b"first"
        yield "b", b"second"
        raise KeyboardInterrupt  # the build is interrupted while the items are made

    with pytest.raises(KeyboardInterrupt):
        write_items(path, items())
    assert _names(tmp_path) == []
    spans = write_items(path, [("a", b"first"), ("b", b"second")])
    assert spans == {"a": (0, 5), "b": (5, 6)}
    assert read_items(path, [spans["b"], spans["a"]]) == [b"second", b"first"]


def test_only_whole_file_modes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="whole files"):
        with replaced(tmp_path / "x", "ab"):
            pass
    assert _names(tmp_path) == []
