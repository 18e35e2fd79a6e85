"""``vrhub examples PATH``: small sample inputs for every example in the README and the tutorial.

A newcomer has none of a partnership's files. This writes one of each kind vrhub loads, so that every command of
the README's "Using it" section runs as written (``vrhub examples examples`` first, then the commands in order):

- ``police-uk/kent-street-2025-01_2025-03.zip``: three months of **real** Kent Police street crime in police.uk's
  archive layout (``YYYY-MM/YYYY-MM-kent-street.csv``), copied byte for byte from the shipped 2025 archive;
  ``police-uk/2025-04/2025-04-kent-street.csv``: the next month, as police.uk publishes it (loading a new month).
- ``geography/``: the shipped ONS LSOA 2021 boundaries (Kent and Medway), the English Indices of Deprivation 2025,
  Census 2021 population and the ONS LSOA 2011 → 2021 → district lookup, as published (real; Open Government
  Licence v3.0).
- ``istv/``: **synthetic** ED assault returns (ISB 1594 ISTV) of three Kent sites for three months, one of them
  with the title row and header block departments put above the table.
- ``mapped/export.csv`` and ``mapped/trust.yaml``: a synthetic trust export in its own layout (its own columns,
  codes and date format) and the mapping that loads it (the shipped ``ed-istv-example.yaml``).
- ``survey/engagement-survey-synthetic-2025.csv``: a SYNTHETIC engagement survey (60 responses a wave).
- ``ambulance/``, ``youth-justice/``, ``education/``: synthetic ambulance call-outs, and a synthetic cohort's
  youth justice and school records, pseudonymised at source with a key written to ``../<PATH>-key/`` (never
  beside the data).
- ``people.csv``: invented people with identifiers in clear (NHS numbers from the NHS test range 999 000 0000 to
  999 999 9999, names, dates of birth, postcodes), for ``vrhub pseudonymise``.
- ``broken-kent-street.csv``: the header and 13 rows of the real March 2025 file, nine damaged on purpose in the
  ways partner files break (``BROKEN_ROWS``), for the quarantine walk-through (tutorial section 5).

Every synthetic file says so in its name; the generators are seeded, so the same call writes the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from vrhub.data import kent

#: the months of the shipped 2025 archive copied into the sample archive, and the "new month" beside it
SAMPLE_MONTHS = ("2025-01", "2025-02", "2025-03")
NEW_MONTH = "2025-04"
SEED = 1
#: the shipped geography files copied into ``geography/`` (the census file is England and Wales: 5 MB)
GEOGRAPHY_FILES = ("boundaries2021-kent-medway.zip", "imd2025_scores_ranks_deciles_all_domains_lsoa21.zip",
                   "census2021_TS007A_age_five_year_bands_lsoa2021_england_wales.zip",
                   "lsoa11_to_lsoa21_best_fit_lookup_england_wales_v2.zip")
ED_SITES = 3  # the first three Kent sites of the synthetic generator


@dataclass
class ExamplesResult:
    """What was written: each sample's path (relative to ``folder``) and what it is for."""

    folder: Path
    key_file: Path
    files: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {"folder": str(self.folder), "key_file": str(self.key_file), "files": self.files}


def write_examples(folder: str | Path, *, overwrite: bool = False) -> ExamplesResult:
    """Write the sample inputs to ``folder`` (see the module docstring). An existing non-empty folder is refused
    unless ``overwrite``: the samples are rewritten whole, so nothing of an earlier run is mixed in."""
    from vrhub.domain.errors import UsageError

    out = Path(folder)
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise UsageError(f"{out} already exists and is not empty",
                             f"choose a new folder, or add --overwrite to write the samples again over {out}")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    key_file = out.absolute().parent / f"{out.name}-key" / "examples.key"
    result = ExamplesResult(out, key_file)
    _police_uk(out, result)
    _geography(out, result)
    _istv(out, result)
    _mapped(out, result)
    _partner_feeds(out, key_file, result)
    _people(out / "people.csv", result)
    _broken_street(out / "broken-kent-street.csv", result)
    (out / "README.md").write_text(_readme(result), encoding="utf-8")
    return result


def _police_uk(out: Path, result: ExamplesResult) -> None:
    shipped = kent() / "police-uk" / "kent-street-2025-01_2025-12.zip"
    target = out / "police-uk" / f"kent-street-{SAMPLE_MONTHS[0]}_{SAMPLE_MONTHS[-1]}.zip"
    target.parent.mkdir(parents=True)
    with zipfile.ZipFile(shipped) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for month in SAMPLE_MONTHS:
            name = f"{month}/{month}-kent-street.csv"
            info = zipfile.ZipInfo(name, date_time=src.getinfo(name).date_time)  # the same bytes every time
            dst.writestr(info, src.read(name), compress_type=zipfile.ZIP_DEFLATED)
        new = out / "police-uk" / NEW_MONTH / f"{NEW_MONTH}-kent-street.csv"
        new.parent.mkdir()
        new.write_bytes(src.read(f"{NEW_MONTH}/{NEW_MONTH}-kent-street.csv"))
    result.files[str(target.relative_to(out))] = "real Kent Police street crime, 2025-01 to 2025-03 (police.uk)"
    result.files[str(new.relative_to(out))] = "the next month, 2025-04, as police.uk publishes it"


def _geography(out: Path, result: ExamplesResult) -> None:
    folder = out / "geography"
    folder.mkdir()
    for name in GEOGRAPHY_FILES:
        shutil.copyfile(kent() / "geography2021" / name, folder / name)
    result.files["geography/"] = ("ONS LSOA 2021 boundaries, IoD 2025, Census 2021 population and the LSOA 2011 → "
                                  "2021 → district lookup (real, OGL v3.0)")


def _istv(out: Path, result: ExamplesResult) -> None:
    from vrhub.synth.ed import SITES, generate_ed_returns

    folder = out / "istv"
    made = generate_ed_returns(folder, seed=SEED, start=SAMPLE_MONTHS[0], months=len(SAMPLE_MONTHS),
                               sites=SITES[:ED_SITES], scale=0.5)
    plain = sorted(made.paths)[-1]  # one return rewritten with a title row and a header block above the table
    with plain.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    block = {h: body[0][header.index(h)] if body else "" for h in header[:3]}
    keep = [i for i in range(len(header)) if i >= 3]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([f"ISTV return, {block['ED site code']} (synthetic), {block['Reporting period start'][:7]}"])
    for label, value in block.items():
        w.writerow([label, value])
    w.writerow([])
    w.writerow([header[i] for i in keep])
    for r in body:
        w.writerow([r[i] for i in keep])
    plain.unlink()
    with_block = plain.with_name(plain.stem + "-header-block.csv")
    with_block.write_text(buf.getvalue(), encoding="utf-8")
    result.files["istv/"] = (f"synthetic ED assault returns (ISTV), {ED_SITES} sites × {len(SAMPLE_MONTHS)} months; "
                             f"{with_block.name} has a title row and a header block")


def _mapped(out: Path, result: ExamplesResult) -> None:
    """Synthetic ISTV rows written in the shipped example mapping's layout: its columns, its codes (the inverse of
    its ``values``; a code it lacks is written as its code for "unknown") and its date formats."""
    import yaml

    from vrhub.ingest.istv import Istv
    from vrhub.ingest.mapped import example_mapping
    from vrhub.synth.ed import SITES, generate_ed_returns

    folder = out / "mapped"
    tmp = folder / ".generated"
    made = generate_ed_returns(tmp, seed=SEED + 1, start=SAMPLE_MONTHS[-1], months=1,
                               sites=SITES[ED_SITES:ED_SITES + 1], scale=1.0)
    rows = []
    for p in made.paths:
        with p.open(encoding="utf-8", newline="") as f:
            rows.extend(csv.DictReader(f))
    shutil.rmtree(tmp)

    mapping = yaml.safe_load(example_mapping().read_text(encoding="utf-8"))
    headers = {c.name: c.header for c in Istv.columns}
    codes = {name: {code: theirs for theirs, code in v.items()} for name, v in mapping["values"].items()}
    formats = mapping["date_formats"]

    def cell(row: dict[str, str], name: str) -> str:
        value = row[headers[name]]
        if name in formats:
            return dt.datetime.fromisoformat(value).strftime(formats[name]) if value else ""
        if name in codes:
            return codes[name].get(value, codes[name]["unknown"])
        return value

    with (folder / "export.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(mapping["columns"].values())
        w.writerows([cell(r, name) for name in mapping["columns"]] for r in rows)
    shutil.copyfile(example_mapping(), folder / "trust.yaml")
    result.files["mapped/export.csv"] = "a synthetic trust ED export in its own layout (columns, codes, dates)"
    result.files["mapped/trust.yaml"] = "the mapping that loads it (the shipped ed-istv-example.yaml)"


def _partner_feeds(out: Path, key_file: Path, result: ExamplesResult) -> None:
    from vrhub.synth.ambulance import generate_ambulance
    from vrhub.synth.cohort import generate_cohort
    from vrhub.synth.survey import generate_survey

    span = {"seed": SEED, "start": SAMPLE_MONTHS[0], "months": len(SAMPLE_MONTHS)}
    generate_ambulance(out / "ambulance", scale=0.5, **span)  # type: ignore[arg-type]
    generate_survey(out / "survey", seed=SEED, respondents=60)
    if key_file.exists():
        key_file.unlink()  # the examples' own key, rewritten with the samples (a real key is never overwritten)
    cohort = generate_cohort(out / ".cohort", key_file, people=400, **span)  # type: ignore[arg-type]
    for kind, paths in (("education", cohort.education), ("youth-justice", cohort.youth_justice)):
        (out / kind).mkdir()
        for p in paths:
            shutil.move(str(p), out / kind / Path(p).name)
    shutil.rmtree(out / ".cohort")
    result.files["ambulance/"] = "synthetic ambulance call-outs for assault, one file a month"
    result.files["survey/"] = "a SYNTHETIC engagement survey (perceived safety by place, places named as unsafe)"
    result.files["education/"] = "a synthetic cohort's suspensions, exclusions and attendance (pseudonymised)"
    result.files["youth-justice/"] = "the same cohort's youth justice offences and outcomes (pseudonymised)"


def _nhs_number(serial: int) -> str:
    """A valid NHS number (modulus 11 check digit) in the test range 999 000 0000 to 999 999 9999."""
    while True:
        digits = [int(c) for c in f"999{serial:06d}"]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if check == 11:
            check = 0
        if check != 10:
            return "".join(map(str, digits)) + str(check)
        serial += 1


def _people(path: Path, result: ExamplesResult) -> None:
    given = ["Alex", "Sam", "Jordan", "Riley", "Casey", "Morgan", "Taylor", "Jamie", "Robin", "Drew"]
    family = ["Example", "Sample", "Testcase", "Fictional", "Madeup"]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["NHS number", "Given name", "Family name", "Date of birth", "Postcode", "Offence date",
                    "Offence type"])
        for i in range(20):
            w.writerow([_nhs_number(1000 + 37 * i), given[i % len(given)], family[i % len(family)],
                        f"{2005 + i % 8}-{1 + i % 12:02d}-{1 + (7 * i) % 28:02d}", f"ME{1 + i % 16} {i % 9}ZZ",
                        f"2025-{1 + i % 12:02d}-{1 + (3 * i) % 28:02d}", "Violence against the person"])
    result.files["people.csv"] = "20 invented people with identifiers in clear (for vrhub pseudonymise)"


#: what is wrong with each broken row of ``broken-kent-street.csv`` (lines 3 to 10 and 13; the header is line 1)
BROKEN_ROWS = (
    "a month written Mar-2025", "a made-up crime type", "longitude and latitude swapped",
    "an LSOA code one digit short", "an extra field", "a missing latitude", "a longitude with a letter in it",
    "no month and no crime type", "a point in Paris",
)


def _broken_street(path: Path, result: ExamplesResult) -> None:
    """The header and 13 rows of the real March 2025 file, nine damaged on purpose (``BROKEN_ROWS``), four good:
    lines 2, 11 (no location), 12 (an anti-social behaviour incident, which has no Crime ID) and 14."""
    shipped = kent() / "police-uk" / "kent-street-2025-01_2025-12.zip"
    with zipfile.ZipFile(shipped) as z:
        text = z.read(f"{SAMPLE_MONTHS[-1]}/{SAMPLE_MONTHS[-1]}-kent-street.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    located = [r for r in body if r[col["Latitude"]] and r[col["LSOA code"]] and r[col["Crime ID"]]]
    unlocated = next(r for r in body if not r[col["Latitude"]] and r[col["Crime ID"]])
    asb = next(r for r in body if not r[col["Crime ID"]] and r[col["Latitude"]])

    def changed(row: list[str], **fields: str) -> list[str]:
        out = list(row)
        for name, value in fields.items():
            out[col[name.replace("_", " ")]] = value
        return out

    r = iter(located)
    lines = [
        next(r),
        changed(next(r), Month="Mar-2025"),
        changed(next(r), Crime_type="Knife crime"),
        (lambda x: changed(x, Longitude=x[col["Latitude"]], Latitude=x[col["Longitude"]]))(next(r)),
        (lambda x: changed(x, LSOA_code=x[col["LSOA code"]][:-1]))(next(r)),
        [*next(r), "extra"],
        changed(next(r), Latitude=""),
        (lambda x: changed(x, Longitude=x[col["Longitude"]][:4] + "x"))(next(r)),
        changed(next(r), Month="", Crime_type=""),
        unlocated,
        asb,
        changed(next(r), Longitude="2.352222", Latitude="48.856613"),
        next(r),
    ]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(lines)
    result.files["broken-kent-street.csv"] = (f"{len(lines)} real police.uk rows, {len(BROKEN_ROWS)} of them "
                                              "broken on purpose (the quarantine walk-through)")


def _readme(result: ExamplesResult) -> str:
    lines = ["# vrhub sample inputs", "",
             "Written by `vrhub examples`. Real police.uk and ONS data (Open Government Licence v3.0) and synthetic",
             "partner files (invented, marked synthetic in their names): try every README example on them.",
             f"The pseudonymisation key of the synthetic cohort is {result.key_file} (never beside the data).", ""]
    lines += [f"- `{name}`: {what}" for name, what in result.files.items()]
    return "\n".join(lines) + "\n"
