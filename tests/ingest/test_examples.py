"""``vrhub examples``: the sample inputs are the same bytes every time, refuse to mix with an earlier folder, and
hold what the README says (13 police.uk rows of which 9 broken; NHS numbers valid and in the test range)."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

from vrhub.domain.errors import UsageError
from vrhub.synth.examples import BROKEN_ROWS, write_examples


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_examples_are_reproducible_and_never_mixed(tmp_path: Path) -> None:
    folder = tmp_path / "examples"
    first = write_examples(folder)
    before = _digests(folder)
    with pytest.raises(UsageError, match="--overwrite"):
        write_examples(folder)
    write_examples(folder, overwrite=True)
    assert _digests(folder) == before
    assert first.key_file.parent == tmp_path / "examples-key"  # the cohort's key is never inside the samples

    rows = list(csv.DictReader((folder / "broken-kent-street.csv").open(encoding="utf-8")))
    assert len(rows) == 13 and len(BROKEN_ROWS) == 9
    for r in csv.DictReader((folder / "people.csv").open(encoding="utf-8")):
        digits = [int(c) for c in r["NHS number"]]
        assert r["NHS number"].startswith("999") and len(digits) == 10
        check = 11 - sum(d * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
        assert digits[9] == (0 if check == 11 else check)
