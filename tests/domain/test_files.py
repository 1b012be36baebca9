"""The one data-file reader and the one atomic writer: every failure is one line naming the file."""

from __future__ import annotations

import json
import os

import pytest

from labelapp.domain.files import DataFileError, FileWriteError, atomic_write, read_data_file


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_write_failure_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(FileWriteError, match=r"out.pdf: cannot write \(No space left on device\)"):
        atomic_write(target, b"%PDF-new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_write_replaces_the_whole_file(tmp_path):
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old and longer")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_write_keeps_usual_permissions_unless_told(tmp_path):
    fresh = tmp_path / "new.pdf"
    atomic_write(fresh, b"x")
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~_current_umask()
    existing = tmp_path / "existing.pdf"
    existing.write_bytes(b"old")
    existing.chmod(0o640)
    atomic_write(existing, b"new")
    assert existing.stat().st_mode & 0o777 == 0o640
    private = tmp_path / "a" / "b" / "private.pdf"
    atomic_write(private, b"x", mode=0o600, make_dirs=True)
    assert private.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o700


def test_write_into_a_missing_folder_is_refused_in_words(tmp_path):
    with pytest.raises(FileWriteError, match="folder .*missing.* does not exist"):
        atomic_write(tmp_path / "missing" / "x.pdf", b"x")


def test_reader_reads_json_and_yaml(tmp_path):
    (tmp_path / "a.json").write_text('{"x": [1, 2]}', encoding="utf-8")
    (tmp_path / "b.yaml").write_text("x: [1, 2]\n", encoding="utf-8")
    assert read_data_file(tmp_path / "a.json") == read_data_file(tmp_path / "b.yaml") == {"x": [1, 2]}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.json", b'{"x": ', "bad.json: line 1 column 7: not valid JSON"),
        ("bad.yaml", b"x: [1, 2\n", "bad.yaml: line 2 column 1: not valid YAML"),
        ("latin1.yaml", "name: Glycine \u00e9".encode("latin-1"), "latin1.yaml: is not UTF-8 text (byte 15"),
        ("deep.json", b"[" * 5000 + b"]" * 5000, "deep.json: nested more than 64 levels deep"),
        ("deep.yaml", b"[" * 5000 + b"]" * 5000, "deep.yaml: nested more than 64 levels deep"),
    ],
)
def test_reader_refuses_in_one_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataFileError) as caught:
        read_data_file(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_reader_refuses_a_missing_file_a_folder_and_a_huge_file(tmp_path):
    with pytest.raises(DataFileError, match="nothing.json: file not found"):
        read_data_file(tmp_path / "nothing.json")
    with pytest.raises(DataFileError, match="is a folder"):
        read_data_file(tmp_path)
    big = tmp_path / "big.json"
    big.write_text(json.dumps(["x" * 1000] * 3000), encoding="utf-8")
    with pytest.raises(DataFileError, match="larger than 2,000,000 bytes"):
        read_data_file(big)
