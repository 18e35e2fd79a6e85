"""A whole synthetic Kent and Medway partnership in one call: what ``vrhub synth`` writes (and, with a workspace,
loads marked synthetic).

Providers' returns from the commissioning register, ED assault returns (ISTV) with planted signals, ambulance
call-outs, a pseudonymised cohort (education, youth justice) and, when police.uk street records are loaded, a force
crime extract built on them. Every generator is seeded: the same seed writes the same files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

COHORT_PEOPLE = 20_000


@dataclass
class SyntheticPartnership:
    """What was made (and, when loaded, each load's report; ``None`` where not loaded)."""

    ed: Any
    ambulance: Any
    cohort: Any
    returns: Any
    ed_report: Any = None
    ambulance_report: Any = None
    education_report: Any = None
    youth_justice_report: Any = None
    returns_load: Any = None
    force_crime: Any = None
    force_crime_report: Any = None

    def reports(self) -> list[Any]:
        """The load reports made, in order (none when nothing was loaded)."""
        return [r for r in (self.ed_report, self.ambulance_report, self.education_report, self.youth_justice_report,
                            self.force_crime_report) if r is not None]


def make_partnership(out_dir: Path, *, first: int, last: int, seed: int, key: Path, scale: float = 1.0,
                     people: int | None = None, signals: bool = True, spatially_random: bool = False,
                     ws: Any = None, on_step: Callable[[str], None] | None = None) -> SyntheticPartnership:
    """Write a synthetic partnership for calendar years ``first``..``last`` to ``out_dir`` (the cohort's key to
    ``key``); with a workspace ``ws``, load each part into it marked synthetic."""
    from vrhub.governance.commissioning import load_register, register_in_force
    from vrhub.governance.returns import read_returns, save_returns
    from vrhub.synth.ambulance import generate_ambulance, ingest_synthetic_ambulance
    from vrhub.synth.cohort import generate_cohort, ingest_synthetic_cohort
    from vrhub.synth.ed import NO_SIGNALS, PLANTED, generate_ed_returns, ingest_synthetic_ed
    from vrhub.synth.returns import generate_returns

    step = on_step or (lambda _label: None)
    kw: dict[str, Any] = {"seed": seed, "start": f"{first}-01", "months": 12 * (last - first + 1), "scale": scale,
                          "signals": PLANTED if signals else NO_SIGNALS, "spatially_random": spatially_random}
    amb_kw = {k: kw[k] for k in ("seed", "start", "months", "scale")}
    cohort_kw = {"seed": seed, "start": kw["start"], "months": kw["months"],
                 "people": people or max(1, round(COHORT_PEOPLE * scale))}
    if ws is None:
        step("providers' returns")
        made_returns = generate_returns(out_dir / "returns", load_register(), **amb_kw)
        step("ED returns (ISTV)")
        made = generate_ed_returns(out_dir, **kw)
        step("ambulance call-outs")
        amb = generate_ambulance(out_dir / "ambulance", **amb_kw)
        step("the pseudonymised cohort")
        cohort = generate_cohort(out_dir / "cohort", key, **cohort_kw)
        return SyntheticPartnership(made, amb, cohort, made_returns)
    register = register_in_force(ws)
    step("providers' returns")
    made_returns = generate_returns(out_dir / "returns", register, **amb_kw)
    returns_load = read_returns(made_returns.returns_file, register)
    save_returns(ws, returns_load, register.sha256)
    step("ED returns (ISTV)")
    made, report = ingest_synthetic_ed(ws, out_dir, **kw)
    step("ambulance call-outs")
    amb, amb_report = ingest_synthetic_ambulance(ws, out_dir / "ambulance", **amb_kw)
    step("the pseudonymised cohort")
    cohort, edu_report, yj_report = ingest_synthetic_cohort(ws, out_dir / "cohort", key, **cohort_kw)
    made_all = SyntheticPartnership(made, amb, cohort, made_returns, report, amb_report, edu_report, yj_report,
                                    returns_load)
    if ws.engine().has("police_uk_street"):  # the force extract is built on the loaded police.uk crimes
        from vrhub.synth.force_crime import ingest_synthetic_force_crime

        step("the force crime extract")
        made_all.force_crime, made_all.force_crime_report = ingest_synthetic_force_crime(
            ws, out_dir / "force-crime", seed=seed, signals=signals)
    return made_all
