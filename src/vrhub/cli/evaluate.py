"""``vrhub evaluate did|its|synth|survey``: impact evaluation on the workspace's police-recorded violence or, with
``--source ed_istv``, its ED assault attendances."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from vrhub.cli.console import labelled, out, print_json, print_label, steps

#: ``--vintage``: the LSOA vintage the panel counts on
VINTAGE = typer.Option(None, "--vintage", help="LSOA vintage to count on, e.g. 2021 (default: the newest loaded); "
                       "police.uk records coded to other vintages are assigned by the ONS best-fit lookup.")

app = typer.Typer(help="What works: difference-in-differences, interrupted time series, synthetic control, "
                  "before/after surveys.", no_args_is_help=True)

CRIME_TYPE_HELP = "police.uk crime type to count (repeat for several; default: Violence and sexual offences)."
SOURCE_HELP = ("Outcome: police_uk_street (police-recorded crimes, default) or ed_istv (ED assault attendances by "
               "the patient's home area).")


def _split(values: str | None) -> list[str]:
    return [v.strip() for v in (values or "").split(",") if v.strip()]


def _crime_types(values: list[str]) -> tuple[str, ...]:
    from vrhub.analysis.evaluation.workspace import VIOLENCE

    return tuple(values) or VIOLENCE


def _show(ev: Any, as_json: bool, synthetic: bool = False) -> None:
    if as_json:
        print_json(labelled(ev.to_dict(), synthetic=synthetic))
        return
    print_label(synthetic=synthetic)
    e = ev.effect
    out.rule(f"[bold]{ev.design}[/]")
    if getattr(ev, "level", None):
        what = ", ".join(ev.crime_types) or "ED assault attendances"
        out.print(f"{ev.level} level, {what}, {ev.months[0]} to {ev.months[1]}, start {ev.start}")
    out.print(ev.plain_english())
    if e.percent_change is not None and e.percent_ci is not None:
        lo, hi = e.percent_ci
        out.print(f"Estimate: {e.percent_change:+.1f}% (95% CI {lo:+.1f}% to {hi:+.1f}%), {e.method}")
    else:
        out.print(f"Estimate: {e.estimate:.3f} (95% CI {e.ci_low:.3f} to {e.ci_high:.3f}), {e.method}")
    for a in e.assumptions:
        mark = "?" if a.passed is None else "✓" if a.passed else "✗"
        out.print(f"  {mark} {a.name}: {a.detail}")
    for note in (*getattr(ev, "notes", ()), *e.notes):
        out.print(f"[yellow]Note:[/] {note}")
    out.print(f"Data versions: {len(e.data_versions)}. Method: {e.citation}")


@app.command("did")
def did(
    treated: str = typer.Option(..., "--treated", help="Treated area(s), comma-separated names or codes "
                                "(at --level lsoa a district name means its LSOAs)."),
    start: str = typer.Option(..., "--start", help="First month the intervention ran, YYYY-MM."),
    comparison: str | None = typer.Option(None, "--comparison", help="Comparison areas, comma-separated "
                                          "(default: every other area)."),
    match: int | None = typer.Option(None, "--match", min=1, help="Pick N comparison areas per treated area by "
                                     "pre-period rate and IMD decile."),
    level: str = typer.Option("district", "--level", help="district | lsoa."),
    crime_type: list[str] = typer.Option([], "--crime-type", help=CRIME_TYPE_HELP),
    source: str = typer.Option("police_uk_street", "--source", help=SOURCE_HELP),
    vintage: int | None = VINTAGE,
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Difference-in-differences: did violence change more in the treated areas than in comparison areas?"""
    from vrhub.cli.context import state

    if comparison and match:
        raise typer.BadParameter("give --comparison or --match, not both", param_hint="--match")
    with steps("Difference-in-differences", 2, enabled=not as_json) as progress:
        r = state.partnership().evaluate("did", on_step=progress, treated=_split(treated), start=start,
                                         comparison=_split(comparison) or None, match=match, level=level,
                                         crime_types=_crime_types(crime_type), source=source, vintage=vintage)
    _show(r.value, as_json, r.context["synthetic"])


@app.command("its")
def its(
    area: str = typer.Option(..., "--area", help="The area (name or code; at --level lsoa a district sums its "
                             "LSOAs)."),
    start: str = typer.Option(..., "--start", help="First month the intervention ran, YYYY-MM."),
    level: str = typer.Option("district", "--level", help="district | lsoa."),
    crime_type: list[str] = typer.Option([], "--crime-type", help=CRIME_TYPE_HELP),
    source: str = typer.Option("police_uk_street", "--source", help=SOURCE_HELP),
    vintage: int | None = VINTAGE,
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Interrupted time series: did the area's monthly violence step or bend away from its trend at the start?"""
    from vrhub.cli.context import state

    with steps("Interrupted time series", 2, enabled=not as_json) as progress:
        r = state.partnership().evaluate("its", on_step=progress, area=area, start=start, level=level,
                                         crime_types=_crime_types(crime_type), source=source, vintage=vintage)
    _show(r.value, as_json, r.context["synthetic"])


@app.command("synth")
def synth(
    treated: str = typer.Option(..., "--treated", help="The one treated area (name or code)."),
    start: str = typer.Option(..., "--start", help="First month the intervention ran, YYYY-MM."),
    level: str = typer.Option("district", "--level", help="district | lsoa."),
    crime_type: list[str] = typer.Option([], "--crime-type", help=CRIME_TYPE_HELP),
    source: str = typer.Option("police_uk_street", "--source", help=SOURCE_HELP),
    vintage: int | None = VINTAGE,
    confidence: float = typer.Option(0.95, "--confidence", min=0.5, max=0.999, help="Confidence level of the "
                                     "interval (placebo tests: the smallest p-value is 1 / number of areas, so 13 "
                                     "districts can bound a 90% interval, never a 95% one)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Synthetic control: compare one area with a weighted mix of other areas that tracked it before the start."""
    from vrhub.cli.context import state

    with steps("Synthetic control", 2, enabled=not as_json) as progress:
        r = state.partnership().evaluate("synth", on_step=progress, treated=treated, start=start, level=level,
                                         crime_types=_crime_types(crime_type), source=source, vintage=vintage,
                                         confidence_level=confidence)
    _show(r.value, as_json, r.context["synthetic"])


@app.command("survey")
def survey(
    before_after: Path = typer.Option(..., "--before-after", help="CSV with columns id, before, after "
                                      "(one row per person)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Before/after survey scores of the same people: paired t test and Wilcoxon signed-rank test."""
    from vrhub.cli.context import existing_paths
    from vrhub.library import Partnership

    found = Partnership.survey(existing_paths([before_after])[0])
    res, synthetic = found.value, found.context["synthetic"]
    if as_json:
        print_json(labelled(res.to_dict(), synthetic=synthetic))
        return
    print_label(synthetic=synthetic)
    out.rule("[bold]Before/after survey[/]")
    out.print(res.plain_english())
    for e in (res.paired_t, res.wilcoxon):
        out.print(f"{e.method}: {e.estimate:+.2f} (95% CI {e.ci_low:+.2f} to {e.ci_high:+.2f}), p = {e.p_value:.3g}")
