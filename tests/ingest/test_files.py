"""Finding input files: a file, a folder, a zip archive; what is skipped and why."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from vrhub.domain.errors import SourceError
from vrhub.ingest.files import SourceFile, discover


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_a_folder_is_searched_recursively_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.csv").write_text("x\n")
    (tmp_path / "1.CSV").write_text("x\n")
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / ".hidden.csv").write_text("x\n")
    make_zip(tmp_path / "a.zip", {"in/3.csv": b"x\n"})
    found, skipped = discover([tmp_path])
    assert [f.display for f in found] == [str(tmp_path / "1.CSV"), f"{tmp_path / 'a.zip'}!in/3.csv",
                                          str(tmp_path / "b" / "2.csv")]
    assert [(s.display, s.reason) for s in skipped] == [(str(tmp_path / "notes.txt"), "not a .csv file")]


def test_a_zip_with_other_files_reports_them_as_skipped(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "download.zip", {
        "2018-10/2018-10-kent-street.csv": b"a\n", "README.txt": b"hi", "img/logo.png": b"\x89PNG",
        "__MACOSX/2018-10/._2018-10-kent-street.csv": b"x", "../evil.csv": b"x", "dir/": b"",
    })
    found, skipped = discover([z])
    assert [(f.path, f.member, f.name) for f in found] == [
        (z, "2018-10/2018-10-kent-street.csv", "2018-10-kent-street.csv")]
    reasons = {s.display.split("!")[1]: s.reason for s in skipped}
    assert reasons == {
        "README.txt": "not a .csv file", "img/logo.png": "not a .csv file",
        "__MACOSX/2018-10/._2018-10-kent-street.csv": "system file, not data",
        "../evil.csv": "unsafe path inside the archive",
    }


def test_a_zip_member_reads_and_hashes_like_the_same_bytes_on_disk(tmp_path: Path) -> None:
    data = b"Crime ID,Month\n1,2018-10\n" * 1000
    z = make_zip(tmp_path / "a.zip", {"m.csv": data})
    (tmp_path / "m.csv").write_bytes(data)
    member, on_disk = SourceFile(z, "m.csv"), SourceFile(tmp_path / "m.csv")
    assert member.sha256() == on_disk.sha256() == hashlib.sha256(data).hexdigest()
    assert member.size() == on_disk.size() == len(data)
    with member.open() as f:
        assert f.read() == data
    assert member.display == f"{z}!m.csv"


def test_a_file_named_directly_is_returned_whatever_its_suffix(tmp_path: Path) -> None:
    p = tmp_path / "export.xlsx"
    p.write_bytes(b"PK\x03\x04 not really")
    found, skipped = discover([p])
    assert found == [SourceFile(p)] and skipped == []


def test_a_missing_path_is_an_error_saying_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as info:
        discover([tmp_path / "nope.csv"])
    assert str(tmp_path / "nope.csv") in str(info.value) and "What to do" in str(info.value)


def test_a_damaged_zip_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "cut.zip"
    p.write_bytes(b"PK\x03\x04" + b"\x00" * 20)
    with pytest.raises(SourceError) as info:
        discover([p])
    assert str(p) in str(info.value) and "download the archive again" in str(info.value)


def test_a_zip_bomb_is_refused_naming_the_member(tmp_path: Path) -> None:
    """A member that expands far more than data does (here 64 MiB of zeros, ~1000:1) refuses the archive."""
    from vrhub.ingest.files import MAX_RATIO

    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("2018-10/2018-10-kent-street.csv", b"0" * (64 << 20))
        ratio = zf.infolist()[0].file_size / zf.infolist()[0].compress_size
    assert ratio > MAX_RATIO  # the test's own premise
    with pytest.raises(SourceError, match=r"2018-10-kent-street.csv.*zip bomb"):
        discover([z])


def test_an_archive_declaring_too_many_bytes_is_refused(tmp_path: Path) -> None:
    from vrhub.ingest.files import check_archive

    infos = [zipfile.ZipInfo(f"m{i}.csv") for i in range(3)]
    for i in infos:
        i.file_size, i.compress_size = 1000, 500
    check_archive(tmp_path / "ok.zip", infos, max_bytes=3000)  # at the limit: accepted
    with pytest.raises(SourceError, match="add up to 3,000 bytes"):
        check_archive(tmp_path / "big.zip", infos, max_bytes=2999)


@pytest.mark.parametrize("name", ["../evil.csv", "a/../../evil.csv", "/etc/evil.csv", "..\\evil.csv",
                                  "a\\..\\..\\evil.csv", "C:/evil.csv", "\\evil.csv"])
def test_path_traversal_members_are_refused(tmp_path: Path, name: str) -> None:
    z = make_zip(tmp_path / "t.zip", {name: b"x\n", "ok.csv": b"x\n"})
    found, skipped = discover([z])
    assert [f.member for f in found] == ["ok.csv"]
    assert [(s.display.split("!", 1)[1], s.reason) for s in skipped] == [(name, "unsafe path inside the archive")]
