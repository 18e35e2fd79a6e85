"""Reading partners' linkage files (``vrhub pseudonymise --linkage`` output) for ``vrhub link``.

A source is a name (``education``) and one or more CSV or Parquet files. Every file must have the ``lk_*`` columns;
a file without them is refused whole, naming the file and what to do. A cell that is not what the encoder writes
(16 hex digits; 256 for ``lk_bloom``) is reported with its file, row and field and treated as missing: the row is
kept (it links on its other fields), never dropped. Rows are numbered as a spreadsheet shows them (header = 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from vrhub.domain.errors import VrhubError
from vrhub.ingest.linkage_encoding import BLOOM_BITS, LINKAGE_COLUMNS, LK_HEX_DIGITS

_HEX = re.compile(rf"^[0-9a-f]{{{LK_HEX_DIGITS}}}$")
_BLOOM = re.compile(rf"^[0-9a-f]{{{BLOOM_BITS // 4}}}$")
MAX_LISTED = 20


class LinkageInputError(VrhubError):
    """A linkage source cannot be read (missing file, not a linkage file)."""


@dataclass
class BadCell:
    file: str
    row: int
    field: str
    problem: str


@dataclass
class PartnerFiles:
    """The records of each source (one frame, all text) and the cells that were set aside as missing."""

    frames: dict[str, pd.DataFrame]
    files: dict[str, list[str]]
    bad_cells: list[BadCell] = field(default_factory=list)
    bad_cell_count: int = 0

    def messages(self) -> list[str]:
        out = [f"{b.file}, row {b.row}, field {b.field}: {b.problem}; treated as missing (re-encode the row with "
               "`vrhub pseudonymise --linkage` to link it on this field)" for b in self.bad_cells]
        if self.bad_cell_count > len(self.bad_cells):
            out.append(f"… {self.bad_cell_count - len(self.bad_cells)} more such cells")
        return out


def source_files(sources: list[str], folder: Path) -> dict[str, list[Path]]:
    """Files of each source: ``name=path`` as given, else ``folder/<name>.csv``, ``.parquet`` or ``<name>-*.csv``."""
    found: dict[str, list[Path]] = {}
    for spec in sources:
        name, _, path = spec.partition("=")
        name = name.strip()
        if path:
            paths = [Path(path)]
        else:
            paths = sorted({*folder.glob(f"{name}.csv"), *folder.glob(f"{name}.parquet"),
                            *folder.glob(f"{name}-*.csv")})
        if not paths or not all(p.is_file() for p in paths):
            raise LinkageInputError(f"no linkage file for source '{name}' ({path or folder / (name + '.csv')})",
                                    f"put the partner's `vrhub pseudonymise --linkage` output at {folder}/{name}.csv, "
                                    "or give it as --sources NAME=PATH")
        found.setdefault(name, []).extend(paths)
    if not found:  # every source found has at least one file
        raise LinkageInputError("no sources to link", "give --sources education,youth_justice,...")
    return found


def read_partner_files(files: dict[str, list[Path]]) -> PartnerFiles:
    """Read and check every source's files (module docstring)."""
    frames: dict[str, pd.DataFrame] = {}
    result = PartnerFiles(frames, {k: [str(p) for p in v] for k, v in files.items()})
    for name, paths in files.items():
        parts = []
        for path in paths:
            if path.suffix.casefold() == ".parquet":
                df = pd.read_parquet(path).astype(str).replace({"None": "", "nan": "", "<NA>": ""})
            else:
                try:
                    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
                except (UnicodeDecodeError, pd.errors.ParserError) as exc:
                    raise LinkageInputError(f"{path} cannot be read as UTF-8 CSV ({exc})",
                                            "give the file written by `vrhub pseudonymise --linkage`") from None
            missing = [c for c in LINKAGE_COLUMNS if c not in df.columns]
            if missing:
                raise LinkageInputError(f"{path} has no linkage encodings (missing {', '.join(missing[:3])}"
                                        f"{'…' if len(missing) > 3 else ''})",
                                        "ask the partner to run `vrhub pseudonymise --linkage --key-file KEY IN OUT` "
                                        "with the partnership key")
            for col in LINKAGE_COLUMNS:
                values = df[col].str.strip().str.lower()
                ok = (values == "") | values.str.match(_BLOOM if col == "lk_bloom" else _HEX)
                for i in (~ok).to_numpy().nonzero()[0]:
                    result.bad_cell_count += 1
                    if len(result.bad_cells) < MAX_LISTED:
                        result.bad_cells.append(BadCell(str(path), int(i) + 2, col, "not a linkage encoding"))
                df[col] = values.where(ok, "")
            if "Record number" not in df.columns:
                df.insert(0, "Record number", [f"{path.stem}-{i + 2}" for i in range(len(df))])
            elif len(paths) > 1:
                df["Record number"] = path.stem + "-" + df["Record number"].astype(str)
            parts.append(df)
        frames[name] = pd.concat(parts, ignore_index=True)
        dupes = frames[name]["Record number"].duplicated()
        if dupes.any():
            frames[name].loc[dupes, "Record number"] = (frames[name].loc[dupes, "Record number"] + "-dup"
                                                        + frames[name].index[dupes].astype(str))
    return result
