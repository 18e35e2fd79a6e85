"""The files of a linkage run: ``<home>/linkage/<run>/`` and ``<home>/linkage/latest``.

``person_links.parquet`` (one row per record: partner, record number, cluster, best match probability and weight),
``clerical_review.csv`` (pairs near the threshold for the partners to check against their clear records),
``report.json`` (counts, estimated error, accuracy on synthetic data, the model's m and u) and ``model.json`` (the
trained Splink model, reusable with ``vrhub link --model``). The folder is written under a temporary name and
renamed, so a killed run leaves no half output; ``latest`` is then replaced.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from vrhub.analysis.linkage import LinkageResult

FILES = ("person_links.parquet", "clerical_review.csv", "report.json", "model.json")


def write_linkage(result: LinkageResult, folder: Path, *, inputs: dict[str, list[str]] | None = None) -> Path:
    """Write the run's four files to ``folder`` (replacing it) atomically and return it."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    try:
        result.person_links.to_parquet(staging / "person_links.parquet", index=False)
        result.clerical_review.to_csv(staging / "clerical_review.csv", index=False)
        report = {**result.report, "inputs": inputs or {}}
        (staging / "report.json").write_text(json.dumps(report, indent=2, default=_json) + "\n", encoding="utf-8")
        (staging / "model.json").write_text(json.dumps(result.model, indent=2, default=_json) + "\n",
                                            encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def _json(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def read_linkage(folder: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """(person links, report) of a run folder."""
    from vrhub.domain.errors import NoDataError

    if not (folder / "person_links.parquet").is_file():
        raise NoDataError(f"no linkage run in {folder}", "run `vrhub link --sources education,youth_justice,...` "
                          "first")
    return (pd.read_parquet(folder / "person_links.parquet"),
            json.loads((folder / "report.json").read_text(encoding="utf-8")))
