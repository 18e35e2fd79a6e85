"""Disclosure control for released profile tables (``--release``).

Every count table is protected with ``vrhub.domain.disclosure`` (default: counts 1–7 suppressed, the rest
rounded to the nearest 5, secondary suppression so totals cannot reveal a suppressed cell). Rates are
recomputed from the *published* (rounded) counts; columns that would reveal an exact count (harm-weighted
sums, definite/possible splits, model-fitted values) are left out of released tables.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from vrhub.domain.disclosure import NHS_OPENSAFELY, DisclosureRules, protect_long, round_to_base

# table → (dimension columns, count column, columns carried along per dimension value)
ADDITIVE = {
    "what_by_category": (["crime_type", "sv_status"], "records", []),
    "where_by_area": (["area_code"], "records", ["area_name", "population", "lsoas"]),
    "by_imd_decile": (["imd_decile"], "records", ["population", "lsoas"]),
    "when_monthly": (["month"], "records", ["days", "supply_warning"]),
}


def release_tables(tables: dict[str, pa.Table], rules: DisclosureRules | None = None
                   ) -> tuple[dict[str, pa.Table], str]:
    rules = rules or NHS_OPENSAFELY
    out: dict[str, pa.Table] = {}
    statement = ""
    for name, t in tables.items():
        df = t.to_pandas()
        if name in ADDITIVE:
            dims, count, carry = ADDITIVE[name]
            frame = df[[*dims, count]].copy()
            for d in dims:
                frame[d] = frame[d].astype(str)
            protected = protect_long(frame, dims, count, rules)
            statement = protected.statement
            view = protected.view(*dims, totals=False)
            merged = view.merge(df[[*dims, *carry]].astype({d: str for d in dims}), on=dims, how="left")
            if "population" in merged:
                merged["rate_per_1000"] = (merged[count].astype("Float64") * 1000 / merged["population"]).round(2)
            out[name] = pa.Table.from_pandas(merged.astype(object).where(merged.notna(), None), preserve_index=False)
        else:
            out[name] = _protect_each(df, rules)
    return out, f"released — {statement or rules_statement(rules)}"


def rules_statement(rules: DisclosureRules) -> str:
    return (f"Disclosure control: counts 1–{rules.threshold} suppressed, others rounded to the nearest "
            f"{rules.rounding_base}")


def _protect_each(df: pd.DataFrame, rules: DisclosureRules) -> pa.Table:
    """Non-additive tables (concentration, year on year): each count on its own, dependants recomputed."""
    df = df.copy()
    for col in ("records", "previous_year"):
        if col in df:
            df[col] = [None if v is None or pd.isna(v) or 0 < v <= rules.threshold
                       else int(round_to_base([int(v)], rules.rounding_base)[0]) for v in df[col]]
    if "share_of_records" in df:
        df["share_of_records"] = None  # recomputed shares would need the protected total
    for col in ("rate_ratio", "ci_low", "ci_high"):
        if col in df and "records" in df and "previous_year" in df:
            df.loc[df["records"].isna() | df["previous_year"].isna(), col] = None
    return pa.Table.from_pandas(df.astype(object).where(df.notna(), None), preserve_index=False)
