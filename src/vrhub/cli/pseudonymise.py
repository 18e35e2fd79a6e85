"""``vrhub pseudonymise`` and ``vrhub pseudonymise-key``: for partners, before any data leaves them.

Needs no workspace: a partner runs it on their own machine with their copy of the partnership's key.
"""

from __future__ import annotations

from pathlib import Path

import typer

from vrhub.cli.console import out, print_json


def pseudonymise(
    input_path: Path = typer.Argument(..., help="CSV or XLSX file with identifiers in clear."),
    output_path: Path = typer.Argument(..., help="CSV file to write (pseudonymised)."),
    key_file: Path = typer.Option(..., "--key-file", help="The partnership's key (≥ 32 bytes; never beside the data)."),
    nhs_number: str | None = typer.Option(None, "--nhs-number", help="Column with NHS numbers."),
    given_name: str | None = typer.Option(None, "--given-name", help="Column with first names."),
    family_name: str | None = typer.Option(None, "--family-name", help="Column with surnames."),
    full_name: str | None = typer.Option(None, "--full-name", help="Column with whole names."),
    date_of_birth: str | None = typer.Option(None, "--date-of-birth", help="Column with dates of birth."),
    upn: str | None = typer.Option(None, "--upn", help="Column with pupil numbers (UPN)."),
    pnc_id: str | None = typer.Option(None, "--pnc-id", help="Column with PNC ids."),
    postcode: list[str] = typer.Option([], "--postcode", help="Postcode column(s): kept only as the district."),
    address: list[str] = typer.Option([], "--address", help="Address column(s): removed."),
    remove: list[str] = typer.Option([], "--remove", help="Other column(s) to remove."),
    age_at: str | None = typer.Option(None, "--age-at", help="Date column at which to keep the age in years."),
    linkage: bool = typer.Option(False, "--linkage", help="Add keyed linkage encodings (lk_*: name hashes, phonetic "
                                 "codes, date-of-birth parts, sex, postcode sector, a Bloom filter) for 'vrhub link'."),
    sex: str | None = typer.Option(None, "--sex", help="Column with sex (for the linkage encodings)."),
    sheet: str | None = typer.Option(None, "--sheet", help="Worksheet of an XLSX file."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing output file."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Replace identifiers with keyed HMAC-SHA256 pseudonyms (columns guessed from the header unless named)."""
    from vrhub.library import Partnership

    columns = dict(nhs_number=nhs_number, given_name=given_name, family_name=family_name, full_name=full_name,
                   date_of_birth=date_of_birth, upn=upn, pnc_id=pnc_id, age_at=age_at, postcode=postcode,
                   address=address, remove=remove)
    report = Partnership.pseudonymise(input_path, output_path, key_file=key_file, columns=columns, sheet=sheet,
                                      overwrite=overwrite, linkage=linkage, sex=sex)
    if as_json:
        print_json(report.to_dict())
    else:
        out.print(report.to_text())


def pseudonymise_key(path: Path = typer.Argument(..., help="Where to write the new key (a private folder).")) -> None:
    """Make a new random pseudonymisation key (share it with partners securely; never with the data)."""
    from vrhub.library import Partnership

    written = Partnership.pseudonymise_key(path)
    out.print(f"Wrote a new 256-bit key to {written} (readable by you only). Share it with partners by a secure "
              "channel, and keep it away from the data and from the vrhub workspace.")
