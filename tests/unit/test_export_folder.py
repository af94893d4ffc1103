"""The export's folder: a manifest of what it wrote, its own stale files removed, nothing
else ever deleted, someone else's folder refused unless forced, bad folders named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.out_folder import OutError, OutProblem
from bot.tutorials_export import MANIFEST, export_to_folder
from tests.read_only import read_only

FIRST = {"index.md": b"index 1", "tutorials/0001-a.md": b"a", "tutorials/0002-b.md": b"b"}
SECOND = {"index.md": b"index 2", "tutorials/0001-a.md": b"a"}


def files_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_a_new_folder_gets_the_files_and_a_manifest(tmp_path: Path) -> None:
    out = tmp_path / "wiki"
    done = export_to_folder(out, FIRST)
    assert files_in(out) == {*FIRST, MANIFEST}
    assert len(done.written) == 3 and done.removed == [] and done.kept == []
    manifest = json.loads((out / MANIFEST).read_text())
    assert sorted(manifest["files"]) == sorted(FIRST)


def test_the_next_export_removes_its_own_stale_files_only(tmp_path: Path) -> None:
    out = tmp_path / "wiki"
    export_to_folder(out, {**FIRST, "themes/sante/index.md": b"t"})
    (out / "notes-du-wiki.txt").write_text("mine")  # written by someone else
    (out / "tutorials" / "0003-c.md").write_text("mine too")
    done = export_to_folder(out, SECOND)
    assert files_in(out) == {*SECOND, MANIFEST, "notes-du-wiki.txt", "tutorials/0003-c.md"}
    assert {p.name for p in done.removed} == {"0002-b.md", "index.md"}
    assert not (out / "themes").exists()  # emptied by the export: removed
    assert (out / "index.md").read_bytes() == b"index 2"


def test_a_stale_file_changed_by_hand_is_left(tmp_path: Path) -> None:
    out = tmp_path / "wiki"
    export_to_folder(out, FIRST)
    (out / "tutorials" / "0002-b.md").write_text("corrected by hand")
    done = export_to_folder(out, SECOND)
    assert done.kept == [out / "tutorials" / "0002-b.md"]
    assert (out / "tutorials" / "0002-b.md").read_text() == "corrected by hand"


def test_someone_elses_folder_is_refused_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "keep.html").write_text("theirs")
    with pytest.raises(OutError) as refused:
        export_to_folder(out, FIRST)
    assert refused.value.problem is OutProblem.NOT_EMPTY
    assert files_in(out) == {"keep.html"}
    export_to_folder(out, FIRST, force=True)
    export_to_folder(out, SECOND)  # now the export's folder: no --force needed
    assert "keep.html" in files_in(out) and "tutorials/0002-b.md" not in files_in(out)
    empty = tmp_path / "empty"
    empty.mkdir()
    export_to_folder(empty, FIRST)  # an empty folder is fine


def test_a_manifest_edited_to_point_outside_deletes_nothing_there(tmp_path: Path) -> None:
    out = tmp_path / "wiki"
    victim = tmp_path / "precious.txt"
    victim.write_text("do not delete")
    export_to_folder(out, FIRST)
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["files"]["../precious.txt"] = manifest["files"]["index.md"]
    manifest["files"][str(victim)] = manifest["files"]["index.md"]
    (out / MANIFEST).write_text(json.dumps(manifest))
    export_to_folder(out, SECOND)
    assert victim.read_text() == "do not delete"


def test_a_file_or_a_read_only_folder_is_named(tmp_path: Path) -> None:
    a_file = tmp_path / "report.pdf"
    a_file.write_text("x")
    for target in (a_file, a_file / "inside"):
        with pytest.raises(OutError) as refused:
            export_to_folder(target, FIRST)
        assert refused.value.problem is OutProblem.NOT_A_FOLDER
        assert refused.value.path == a_file
    locked = tmp_path / "locked"
    locked.mkdir()
    with read_only(locked):
        for target in (locked, locked / "sub"):
            with pytest.raises(OutError) as refused:
                export_to_folder(target, FIRST)
            assert refused.value.problem is OutProblem.NOT_WRITABLE
