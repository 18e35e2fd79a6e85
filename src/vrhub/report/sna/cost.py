"""The SNA's cost of violence: the page's own counts (released, in a release copy) costed with
:func:`vrhub.analysis.value.cost_of_violence.cost_of_violence`.

Force crime records give counts by ONS offence sub-group, which match Heeks et al.'s categories; police.uk's broad
"Violence and sexual offences" mixes categories with very different unit costs (homicide, rape, assault without
injury, harassment) and is named as not costed rather than costed on a guessed mix.
"""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa

from vrhub.analysis.value.cost_of_violence import BY_POLICE_UK, BY_SUBGROUP, cost_of_violence, money_words
from vrhub.report.sna.publication import Publication

POLICE_UK_MIXED = ("police.uk 'Violence and sexual offences' records: the category mixes homicide, rape, violence "
                   "with and without injury and harassment, whose unit costs differ a hundredfold, so it is not "
                   "costed (force crime records, by offence code, are)")


def _n(v: Any) -> int | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return int(v)


def _add(counts: dict[str, int | None], key: str, n: int | None) -> None:
    if key in counts and counts[key] is None:
        return
    counts[key] = None if n is None else (counts.get(key) or 0) + n


def counts_from_tables(tables: dict[str, pa.Table]) -> tuple[dict[str, int | None], str, list[str]] | None:
    """Recorded serious violence by Heeks category, the source it came from, and what could not be costed."""
    if "what_force_by_offence_group" in tables and tables["what_force_by_offence_group"].num_rows:
        counts: dict[str, int | None] = {}
        other = set()
        for r in tables["what_force_by_offence_group"].to_pylist():
            key = BY_SUBGROUP.get(r["offence_subgroup"])
            if key:
                _add(counts, key, _n(r["records"]))
            else:
                other.add(r["offence_subgroup"])
        left = [f"{s}: no Home Office unit cost for this offence sub-group" for s in sorted(other)]
        return counts, "force crime records (serious violence by Home Office offence code)", left
    if "what_by_category" in tables:
        counts, left = {}, []
        for r in tables["what_by_category"].to_pylist():
            key = BY_POLICE_UK.get(r["crime_type"])
            if key:
                _add(counts, key, _n(r["records"]))
            elif r["crime_type"] in ("Violence and sexual offences", "Violent crime"):
                if POLICE_UK_MIXED not in left:
                    left.append(POLICE_UK_MIXED)
            elif f"police.uk '{r['crime_type']}': no Home Office unit cost category" not in left:
                left.append(f"police.uk '{r['crime_type']}': no Home Office unit cost category")
        if counts:
            return counts, "police.uk street-level crime (robbery includes robbery of business property)", left
    return None


def cost_section(tables: dict[str, pa.Table], start: Any, end: Any, period: str,
                 pub: Publication) -> dict[str, Any] | None:
    """The cost finding, its table and notes for the page; None when no costable records are loaded."""
    found = counts_from_tables(tables)
    if found is None:
        return None
    counts, source, left = found
    cost = cost_of_violence(counts, start=start, end=end, source=source, uncosted=left)
    rows = []
    for line in cost.lines:
        rows.append([line.label, "[c]" if line.records is None else f"{line.records:,}",
                     f"£{line.unit_cost:,.0f}" if line.unit_cost is not None else "no verified figure",
                     money_words(line.low) if line.low is not None else "not costed",
                     money_words(line.high) if line.high is not None else "not costed",
                     f"×{line.multiplier:g}"])
    rows.append(["Total", "", "", money_words(cost.low), money_words(cost.high), ""])
    return {
        "result": cost, "sentence": cost.sentence(period), "source": source,
        "table": {"columns": ["category", "recorded crimes", f"unit cost ({cost.price_year} prices)", "low",
                              "high", "high-end factor"], "rows": rows},
        "uncosted": cost.uncosted,
        "price_note": (f"Unit costs from {cost.citation} rebased from 2015/16 to {cost.price_year} prices with the "
                       f"GDP deflator ({cost.deflator_edition})" + ("; that year is an OBR forecast" if cost.forecast
                                                                    else "") + "."),
        "released": pub.released,
    }
