"""One commissioned service as the analyst reads it: what its providers' returns say it delivered (outputs and
outcomes), an impact evaluation of each loaded outcome in its districts from its contract start, and its value for
money.

Every number comes from the verbs the command line runs, so a page and the CLI agree:

- the evaluation is ``Partnership.evaluate("did", treated=<the service's districts>, start=<its contract start>,
  source=...)`` — ``vrhub evaluate did --treated ... --start ... --source ...`` (difference-in-differences with
  placebo-based intervals; docs/methods/difference-in-differences.md; Callaway & Sant'Anna 2021 for the event
  study, Conley & Taber 2011 for inference with few treated areas);
- the value for money is ``Partnership.value(service, ...)`` — ``vrhub value SERVICE`` (cost per participant,
  break-even, offences prevented and benefit–cost ratio with Monte Carlo intervals; docs/methods/value-for-money.md;
  HM Treasury Green Book 2022 and Home Office "The economic and social costs of crime" 2018);
- the outputs are ``Partnership.service_report`` (the plain statements, each with its returns rows).

The outcomes evaluated are those the SNA's "what works" section evaluates (``report.sna.sections.
EVALUATION_SOURCES``). A released copy passes the one release step: each evaluation ``Result.release()`` and the
value sheet ``report.release.value.release_value_sheet`` (the same rules as the SNA's released page).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vrhub.domain.errors import EvaluationInputError, NoDataError

if TYPE_CHECKING:
    from vrhub.library.result import Result

#: the value sheet's options a page may set (``Partnership.value``'s keyword arguments)
VALUE_OPTIONS = ("year", "effect_prior", "participants", "baseline_offences", "baseline_category", "seed")


@dataclass(frozen=True)
class OutcomeEvaluation:
    """The evaluation of one outcome (``source``), or why it was not run (``reason``; ``result`` is then None)."""

    source: str
    outcome: str
    treated: tuple[str, ...]
    start: str | None
    result: Result[Any] | None = None
    reason: str = ""

    @property
    def command(self) -> str:
        """The command line that computes the same result."""
        if not self.treated or not self.start:
            return ""
        return (f"vrhub evaluate did --treated {','.join(self.treated)} --start {self.start} "
                f"--source {self.source}")


@dataclass(frozen=True)
class ServiceOutcomes:
    """A service's register entry, its returns' statements, its evaluations and its value-for-money sheet."""

    service: Any
    statements: list[Any]
    labels: dict[str, Any]
    evaluations: list[OutcomeEvaluation]
    value: dict[str, Any]
    released: bool
    notes: list[str] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        """Whether any figure on the page was computed from synthetic data (then labelled SYNTHETIC)."""
        return bool(self.labels.get("synthetic") or self.value.get("synthetic")
                    or any(e.result is not None and e.result.context.get("synthetic") for e in self.evaluations))

    @property
    def demo(self) -> bool:
        """Whether the register is the shipped demo one (then labelled DEMO)."""
        return bool(self.labels.get("demo") or self.value.get("demo"))

    @property
    def notice(self) -> str | None:
        """The label the CLI prints first (``domain.labels.notice``): SYNTHETIC and/or DEMO, or ``None``."""
        from vrhub.domain.labels import notice

        return notice(demo=self.demo, synthetic=self.synthetic, what="services register")


def evaluation_setup(partnership: Any, svc: Any) -> tuple[list[str], list[str], str | None, str]:
    """(treated districts as loaded, the service's districts not loaded, the start month, why no evaluation can be
    set up — empty when one can) for the register entry ``svc``."""
    from vrhub.store.geography import Geography

    start = f"{svc.contract_start:%Y-%m}" if svc.contract_start else None
    if start is None or not svc.districts:
        missing = "its contract start" if start is None else "its districts"
        return [], list(svc.districts), start, (f"the register does not state {missing}, so no comparison of "
                                                "before and after can be set up")
    try:
        lookup = Geography(partnership.engine).lsoa_lookup().to_pandas()
        known = {str(n).lower(): str(n) for n in lookup["district_name"].dropna().unique()}
    except NoDataError:
        known = {}
    treated = [known[x.lower()] for x in svc.districts if x.lower() in known]
    unknown = [x for x in svc.districts if x.lower() not in known]
    reason = "" if treated else f"none of its districts ({', '.join(svc.districts)}) is a loaded district"
    return treated, unknown, start, reason


def evaluate_outcome(partnership: Any, svc: Any, source: str, outcome: str, *, release: bool,
                     on_step: Callable[[str], None] | None = None) -> OutcomeEvaluation:
    """The difference-in-differences of ``source`` in the service's districts from its contract start (released
    with ``release``), or the reason it cannot be run on the loaded data."""
    treated, unknown, start, reason = evaluation_setup(partnership, svc)
    if reason:
        return OutcomeEvaluation(source, outcome, tuple(treated), start, reason=reason)
    try:
        result = partnership.evaluate("did", treated=treated, start=start, source=source, on_step=on_step)
    except (EvaluationInputError, NoDataError) as exc:
        return OutcomeEvaluation(source, outcome, tuple(treated), start,
                                 reason=f"not run: {exc.message}" + (f" ({exc.hint})" if exc.hint else ""))
    left_out = f"Not a loaded district, so left out of the treated areas: {', '.join(unknown)}." if unknown else ""
    return OutcomeEvaluation(source, outcome, tuple(treated), start, result.release() if release else result,
                             left_out)


def service_outcomes(partnership: Any, service: str, *, release: bool = False,
                     value_options: dict[str, Any] | None = None,
                     on_step: Callable[[str], None] | None = None) -> ServiceOutcomes:
    """Everything the analyst's page of ``service`` (key or name) shows, exact or (``release``) released."""
    from vrhub.report.sna.sections import EVALUATION_SOURCES

    step = on_step or (lambda _text: None)
    step("reading the register and the providers' returns")
    svc, report, labels = partnership.service_report(service)
    kinds = {d.kind for d in partnership.datasets()}
    evaluations = [evaluate_outcome(partnership, svc, source, outcome, release=release, on_step=step)
                   for source, outcome in EVALUATION_SOURCES if source in kinds]
    step("the value-for-money sheet (10,000 Monte Carlo draws)")
    options = {k: v for k, v in (value_options or {}).items() if k in VALUE_OPTIONS and v not in (None, "")}
    sheet = partnership.value(svc.key, **options).value
    if release:
        from vrhub.domain.disclosure import NHS_OPENSAFELY
        from vrhub.report.release.value import release_value_sheet

        sheet = release_value_sheet(sheet, NHS_OPENSAFELY)
    notes = [] if evaluations else ["No outcome the evaluation reads (police.uk street crime, ED assault "
                                    "attendances) is loaded."]
    return ServiceOutcomes(svc, list(report.statements), labels, evaluations, sheet, release, notes)
