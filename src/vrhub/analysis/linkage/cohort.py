"""The linked cohort on probabilistic links: school risk factors and violent offending, person = linkage cluster.

The same analysis as :mod:`vrhub.analysis.cohort` (crude and adjusted odds ratios; method page
docs/methods/cohort-risk-factors.md), with a pupil being a cluster of ``vrhub link`` that holds an education record,
and the outcome a youth justice record of a violent offence in the same cluster. The result states the linkage
rate (young people with a violent offence linked to an education record) and the model's estimated error, because
missed links turn offenders into non-offenders and false links do the reverse: both bias the odds ratios, usually
towards 1 (Harron et al. 2017; Doidge & Harron 2019). On synthetic data :func:`odds_ratio_bias` measures that bias
against the true links.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from vrhub.analysis.cohort import VIOLENT_OFFENCE_TYPES, CohortRiskFactors, risk_factors_from_frame
from vrhub.domain.disclosure.statistics import CountedText
from vrhub.ingest.linkage_encoding import SEXES

YES = {"yes", "y", "true", "1"}
EDUCATION_FLAGS = {"permanent_exclusion": "Permanent exclusion", "suspension": "Suspension",
                   "persistent_absence": "Persistent absence"}


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    for c in df.columns:
        if c.casefold().replace("_", " ") == name.casefold():
            return df[c].astype(str)
    return pd.Series([""] * len(df), index=df.index)


def linked_cohort_frame(clusters: pd.DataFrame, education: pd.DataFrame, youth_justice: pd.DataFrame, *,
                        offence_types: tuple[str, ...] = VIOLENT_OFFENCE_TYPES) -> tuple[pd.DataFrame, int, int]:
    """(one row per education cluster as :func:`vrhub.analysis.cohort.cohort_frame` returns, with ``person_id``
    the cluster; violent offenders not linked to education; violent offenders). ``clusters`` maps ``unique_id``
    (``education:<record number>``, ``youth_justice:<record number>``) to ``cluster_id``."""
    cl = dict(zip(clusters["unique_id"], clusters["cluster_id"], strict=True))
    edu = pd.DataFrame({"cluster": ["education:" + r for r in _col(education, "Record number")]})
    edu["cluster"] = edu["cluster"].map(cl)
    for flag, column in EDUCATION_FLAGS.items():
        edu[flag] = _col(education, column).str.strip().str.casefold().isin(YES).to_numpy()
    sex = _col(education, "Sex").str.strip().str.casefold().map(SEXES)  # the codes the encoder reads as a sex
    edu["male"] = sex.eq("male").to_numpy()
    edu["sex_known"] = sex.notna().to_numpy()
    edu = edu.dropna(subset=["cluster"])
    frame = edu.groupby("cluster", sort=True).any().reset_index().rename(columns={"cluster": "person_id"})
    violent = _col(youth_justice, "Offence type").isin(list(offence_types))
    yj_ids = pd.Series(["youth_justice:" + r for r in _col(youth_justice, "Record number")])[violent.to_numpy()]
    offender_clusters = set(yj_ids.map(cl).dropna())
    frame["outcome"] = frame["person_id"].isin(offender_clusters)
    frame["person_id"] = frame["person_id"].astype(str)
    return frame, len(offender_clusters - set(edu["cluster"])), len(offender_clusters)


def linked_cohort_risk_factors(clusters: pd.DataFrame, education: pd.DataFrame, youth_justice: pd.DataFrame, *,
                               estimated: dict[str, Any] | None = None, synthetic: bool = False,
                               datasets: list[str] | None = None,
                               offence_types: tuple[str, ...] = VIOLENT_OFFENCE_TYPES) -> CohortRiskFactors:
    """Odds ratios on the linked cohort, stating the linkage rate and the estimated error (module docstring)."""
    frame, apart, offenders = linked_cohort_frame(clusters, education, youth_justice, offence_types=offence_types)
    result = risk_factors_from_frame(frame, offenders_not_in_education=apart, synthetic=synthetic, datasets=datasets)
    result.notes.insert(0, CountedText("linked without a shared identifier (vrhub link): {linked:,} of {offenders:,} "
                                       "young people with a violent youth justice offence were linked to an "
                                       "education record", linked=offenders - apart, offenders=offenders))
    if estimated and estimated.get("estimated_precision") is not None:
        result.notes.insert(1, f"estimated linkage error: {1 - estimated['estimated_precision']:.1%} of accepted "
                               f"links false; at most {1 - estimated['estimated_recall_upper_bound']:.1%} of true "
                               "links among the scored pairs missed (model estimate; odds ratios are biased "
                               "towards 1 by linkage error)")
    result.parameters.update({"linked": True, "offence_types": list(offence_types)})
    return result


def odds_ratio_bias(clusters: pd.DataFrame, truth: pd.DataFrame, education: pd.DataFrame,
                    youth_justice: pd.DataFrame) -> pd.DataFrame:
    """Adjusted and crude odds ratios on the estimated links and on the true links (``truth``: ``unique_id``,
    ``person``), with the relative bias ``estimated / true − 1`` per exposure."""
    true_clusters = truth[["unique_id"]].assign(cluster_id=truth["person"].astype(str))
    est = risk_factors_from_frame(linked_cohort_frame(clusters, education, youth_justice)[0]).table
    tru = risk_factors_from_frame(linked_cohort_frame(true_clusters, education, youth_justice)[0]).table
    out = est[["exposure", "crude_or", "adjusted_or"]].merge(
        tru[["exposure", "crude_or", "adjusted_or"]], on="exposure", suffixes=("_linked", "_true"))
    out["adjusted_or_bias"] = out["adjusted_or_linked"] / out["adjusted_or_true"] - 1
    out["crude_or_bias"] = out["crude_or_linked"] / out["crude_or_true"] - 1
    return out.replace([np.inf, -np.inf], np.nan)
