"""Archives and the call's report (issue 13, item 6 and the rule; issue 12, item 8): every input is in the report
(``--json`` too) with what happened to it; an input that cannot be opened fails alone; a zip bomb made of many small
members is refused on the ratio and size of the whole archive."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from vrhub_testkit import STREET_HEADER, csv_bytes, police_uk_ingest, run_cli, street_row

from vrhub.domain.errors import SourceError
from vrhub.ingest.files import MAX_RATIO, MEMBER_FLOOR, check_archive, discover, find_sources
from vrhub.store.workspace import Workspace


def street(month: str = "2018-10", n: int = 2) -> bytes:
    return csv_bytes(STREET_HEADER, [street_row(Month=month, **{"Crime ID": f"{month}-{i}"}) for i in range(n)])


def test_many_small_members_that_expand_like_a_bomb_are_refused(tmp_path: Path) -> None:
    """Issue 12, item 8: each member is under the per-member floor (1 MiB), so on main the ratio was never judged;
    20 members of 512 KiB of one character expand about 1,000 times in all."""
    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(20):
            zf.writestr(f"2018-10/part-{i}-street.csv", b"0" * (512 << 10))
        infos = zf.infolist()
    total, packed = sum(i.file_size for i in infos), sum(i.compress_size for i in infos)
    assert all(i.file_size <= MEMBER_FLOOR for i in infos) and total > MEMBER_FLOOR  # the test's premise
    assert total / packed > MAX_RATIO
    with pytest.raises(SourceError, match=rf"the archive's 20 members expand {total / packed:,.0f} times in all "
                                          rf"\({packed:,} to {total:,} bytes; the limit is {MAX_RATIO} times\)"):
        discover([z])


def test_real_data_compresses_far_below_the_whole_archive_limit(tmp_path: Path) -> None:
    from vrhub_testkit import KENT_ZIP

    with zipfile.ZipFile(KENT_ZIP) as zf:
        infos = zf.infolist()
    check_archive(KENT_ZIP, infos)  # the shipped police.uk download passes
    assert sum(i.file_size for i in infos) / sum(i.compress_size for i in infos) < MAX_RATIO / 10


def test_a_small_archive_of_one_repeated_character_is_not_judged(tmp_path: Path) -> None:
    z = tmp_path / "tiny.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.csv", b"0" * (MEMBER_FLOOR // 2))  # ~500:1, but only 512 KiB in all
    assert [f.member for f in discover([z])[0]] == ["a.csv"]


def test_an_input_that_cannot_be_opened_fails_alone(ws: Workspace, tmp_path: Path) -> None:
    """A damaged archive, a zip bomb and a missing path are each a failed input; the good inputs still load.
    On main the first of them stopped the whole call before any file loaded."""
    good = tmp_path / "2018-10-kent-street.csv"
    good.write_bytes(street())
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("x-street.csv", b"0" * (4 << 20))
    missing = tmp_path / "nope.csv"
    found = find_sources([damaged, good, bomb, missing])
    assert [f.path for f in found.files] == [good]
    assert [e.file for e in found.failed] == [str(damaged), str(bomb), str(missing)]

    report = police_uk_ingest(ws, [damaged, good, bomb, missing])
    assert not report.ok
    by_file = {r.source_file: r for r in report.results}
    assert by_file[str(good)].ok and by_file[str(good)].rows_accepted == 2
    assert "not a readable zip archive" in (by_file[str(damaged)].error or "")
    assert "zip bomb" in (by_file[str(bomb)].error or "")
    assert "no such file or folder" in (by_file[str(missing)].error or "")
    for r in (by_file[str(damaged)], by_file[str(bomb)], by_file[str(missing)]):
        assert "What to do:" in (r.error or "") and r.status == "failed"


def nested_download(tmp_path: Path) -> Path:
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("2018-11/2018-11-kent-street.csv", street("2018-11"))
    z = tmp_path / "download.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("2018-10/2018-10-kent-street.csv", street())
        zf.write(inner, "2018-11.zip")
        zf.writestr("../evil.csv", street("2018-12"))
        zf.writestr("README.txt", "police.uk download")
    return z


def test_refused_archive_members_fail_the_call_and_are_named(ws: Workspace, tmp_path: Path) -> None:
    z = nested_download(tmp_path)
    report = police_uk_ingest(ws, [z])
    assert [(r.source_file, r.rows_accepted) for r in report.results] == [(f"{z}!2018-10/2018-10-kent-street.csv", 2)]
    assert sorted((s.display, s.reason, s.refused) for s in report.skipped) == [
        (f"{z}!../evil.csv", "unsafe path inside the archive", True),
        (f"{z}!2018-11.zip", "an archive inside an archive is not opened", True),
        (f"{z}!README.txt", "not a .csv file", False)]
    assert report.ok and not report.complete  # no file failed, but data was there that vrhub did not read


def test_ingest_json_lists_skipped_and_refused_members_and_exits_1(tmp_path: Path) -> None:
    """Item 6: on main, ``--json`` left out the skipped members (a nested zip, an unsafe name) and exited 0."""
    z = nested_download(tmp_path)
    result = run_cli("--home", str(tmp_path / "home"), "ingest", "police-uk", str(z), "--json")
    assert result.exit_code == 1
    items = {i["source_file"]: i for i in json.loads(result.stdout)}
    assert set(items) == {f"{z}!2018-10/2018-10-kent-street.csv", f"{z}!2018-11.zip", f"{z}!../evil.csv",
                          f"{z}!README.txt"}
    assert items[f"{z}!2018-10/2018-10-kent-street.csv"]["status"] == "loaded"
    nested = items[f"{z}!2018-11.zip"]
    assert nested["status"] == "refused" and nested["rows_read"] == 0
    assert nested["error"] == (f"{z}!2018-11.zip: an archive inside an archive is not opened\n  What to do: extract "
                               "it from download.zip and load it (or its files) directly")
    assert items[f"{z}!../evil.csv"]["status"] == "refused" and "What to do:" in items[f"{z}!../evil.csv"]["error"]
    assert (items[f"{z}!README.txt"]["status"], items[f"{z}!README.txt"]["error"]) == ("skipped", None)
    assert items[f"{z}!README.txt"]["reason"] == "not a .csv file"


def test_ingest_json_says_which_files_failed_and_the_others_loaded(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "2018-10-kent-street.csv").write_bytes(csv_bytes(STREET_HEADER, [street_row(Month="0000-01")])
                                                             .replace(b"Crime type", b"Crime tipe"))
    (tmp_path / "in" / "2018-11-kent-street.csv").write_bytes(street("2018-11"))
    result = run_cli("--home", str(tmp_path / "home"), "ingest", "police-uk", str(tmp_path / "in"), "--json")
    assert result.exit_code == 1
    got = json.loads(result.stdout)
    assert [(i["status"], i["rows_accepted"]) for i in got] == [("failed", 0), ("loaded", 2)]
    assert "missing required column(s): 'Crime type'" in got[0]["error"]
