"""What boundary and area-attribute loads share: publishing a table as a dataset version."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.exc import IntegrityError

from vrhub.domain.kinds import KINDS
from vrhub.ingest.files import SourceFile
from vrhub.ingest.loader import LoadResult, _duplicate, dataset_id_for
from vrhub.store.catalogue.models import Dataset
from vrhub.store.lake import PARQUET_OPTIONS
from vrhub.store.workspace import Workspace
from vrhub.version import __version__


def publish_table(
    ws: Workspace, file: SourceFile, sha: str, kind: str, result: LoadResult, data: pa.Table,
    quarantine: pa.Table | None, attributes: dict[str, Any], geo_metadata: bytes | None = None,
) -> LoadResult:
    """Write ``data`` (and its quarantine) as one dataset version and register it atomically."""
    info = KINDS[kind]
    ws.catalogue.ensure_kind(kind, info.label, info.schema_version)
    result.kind = kind
    result.dataset_id = dataset_id_for(info.short, sha)
    result.rows_accepted = data.num_rows
    result.rows_quarantined = quarantine.num_rows if quarantine is not None else 0
    result.rows_read = result.rows_accepted + result.rows_quarantined
    with ws.lake.stage() as staged:
        if geo_metadata is not None:
            data = data.replace_schema_metadata({**(data.schema.metadata or {}), b"geo": geo_metadata})
        pq.write_table(data, staged.path / "data.parquet", **PARQUET_OPTIONS)
        if quarantine is not None and quarantine.num_rows:
            pq.write_table(quarantine, staged.path / "quarantine.parquet", **PARQUET_OPTIONS)
        dataset = Dataset(
            id=result.dataset_id, kind=kind, partner_id=None, source_file=file.name, source_path=file.display,
            sha256=sha, received_at=dt.datetime.now(dt.UTC), rows_read=result.rows_read,
            rows_accepted=result.rows_accepted, rows_quarantined=result.rows_quarantined,
            schema_version=info.schema_version, vrhub_version=__version__,
            lake_path=ws.lake.relative_path(kind, result.dataset_id), encoding="utf-8", synthetic=False,
            attributes=attributes, warnings=list(result.warnings),
        )
        try:
            ws.catalogue.register(dataset, lambda: ws.publish(staged, kind, result.dataset_id),
                                  lambda: ws.lake.unpublish(dataset.lake_path))
        except (IntegrityError, FileExistsError):
            existing = ws.catalogue.by_sha256(sha)
            if existing is None:
                raise
            _duplicate(result, existing)
    return result
