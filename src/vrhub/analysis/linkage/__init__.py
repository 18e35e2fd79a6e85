"""Privacy-preserving probabilistic linkage of partners' records (``vrhub link``). Method page:
docs/methods/linkage.md.

Partners encode names, date of birth, sex and postcode sector at source with the partnership key
(:mod:`vrhub.ingest.linkage_encoding`); this package links the encoded records with a Fellegi–Sunter model trained
by Splink (:mod:`.model`, :mod:`.run`), measures or estimates the linkage error (:mod:`.quality`), and runs the
linked cohort on the clusters (:mod:`.cohort`).

    link_partners(frames, ...) -> LinkageResult   # person links, clerical sample, report, model
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from vrhub.analysis.linkage.model import records_frame
from vrhub.analysis.linkage.quality import estimated_error, linkage_rates, pair_accuracy
from vrhub.analysis.linkage.run import LinkageRun, link_records

CITATION = ("Fellegi IP, Sunter AB. A theory for record linkage. JASA 1969;64:1183-1210; Linacre R et al. Splink: "
            "free software for probabilistic record linkage at scale. IJPDS 2022;7(3); Schnell R, Bachteler T, "
            "Reiher J. Privacy-preserving record linkage using Bloom filters. BMC Med Inform Decis Mak 2009;9:41.")
REVIEW_SAMPLE = 50


@dataclass
class LinkageResult:
    """Links of one run: ``person_links`` (one row per record: ``unique_id``, ``partner``, ``record_id``,
    ``cluster_id``, ``cluster_size``, the record's best ``match_probability`` and ``match_weight``), a clerical
    review sample of pairs near the threshold, the report (counts, estimated error, accuracy when a truth is
    given) and the trained Splink model."""

    person_links: pd.DataFrame
    clerical_review: pd.DataFrame
    report: dict[str, Any]
    model: dict[str, Any]
    pairs: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    citation: str = CITATION


def _person_links(run: LinkageRun) -> pd.DataFrame:
    links = run.clusters.copy()
    links["cluster_size"] = links.groupby("cluster_id")["unique_id"].transform("size").astype("int64")
    accepted = run.pairs[run.pairs["match_probability"] >= run.threshold]
    best = pd.concat([accepted[["unique_id_l", "match_probability", "match_weight"]].rename(
        columns={"unique_id_l": "unique_id"}), accepted[["unique_id_r", "match_probability", "match_weight"]].rename(
        columns={"unique_id_r": "unique_id"})]).groupby("unique_id").max()
    links = links.merge(best, left_on="unique_id", right_index=True, how="left")
    return links[["unique_id", "partner", "record_id", "cluster_id", "cluster_size", "match_probability",
                  "match_weight"]]


def clerical_sample(pairs: pd.DataFrame, threshold: float, *, seed: int = 1, size: int = REVIEW_SAMPLE
                    ) -> pd.DataFrame:
    """Up to ``size`` pairs just above the threshold (threshold … 0.99) and ``size`` just below (0.5 … threshold),
    drawn at random with ``seed``, for review by the partners, who look the record numbers up in their clear data.
    It holds no identifier: record numbers, probabilities and the agreement level of each comparison."""
    rng = np.random.default_rng(seed)
    p = pairs["match_probability"]
    parts = []
    for lo, hi, side in ((threshold, 0.99, "accepted"), (0.5, threshold, "rejected")):
        band = pairs[(p >= lo) & (p < hi)] if side == "rejected" else pairs[(p >= lo) & (p <= hi)]
        if len(band) > size:
            band = band.iloc[np.sort(rng.choice(len(band), size=size, replace=False))]
        parts.append(band.assign(decision_by_model=side))
    out = pd.concat(parts, ignore_index=True)
    cols = ["partner_l", "record_id_l", "partner_r", "record_id_r", "match_probability", "match_weight",
            "decision_by_model", *[c for c in pairs.columns if c.startswith("gamma_")]]
    return out[cols].assign(reviewer_decision="")


def _model_summary(model: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for comparison in model.get("comparisons", []):
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            rows.append({"comparison": comparison["output_column_name"], "level": level.get("label_for_charts"),
                         "m": level.get("m_probability"), "u": level.get("u_probability")})
    return rows


def link_partners(frames: dict[str, pd.DataFrame], *, engine: str = "duckdb", threshold: float = 0.9,
                  truth: pd.DataFrame | None = None, seed: int = 1, spark: Any = None,
                  model: dict[str, Any] | None = None, memory_limit: str | None = None, chunks: int = 1,
                  u_pairs: float = 1e6, em_pairs: float | None = None,
                  on_step: Callable[[str], None] | None = None) -> LinkageResult:
    """Link the partners' encoded records (``frames``: source name → the rows of its linkage files) and report on
    the links; with ``truth`` (synthetic data: ``source``, ``record_id``, ``person`` and the groups) the report also
    has precision, recall and F1 per pair of sources and linkage rates by group."""
    if not 0 < threshold < 1:
        raise ValueError("the threshold is a match probability between 0 and 1")
    started = time.perf_counter()
    records = records_frame(frames)
    run = link_records(records, engine=engine, threshold=threshold, seed=seed, spark=spark, model=model,
                       memory_limit=memory_limit, chunks=chunks, u_pairs=u_pairs, em_pairs=em_pairs, on_step=on_step)
    links = _person_links(run)
    partners = list(frames)
    linked_to: dict[str, dict[str, int]] = {}
    by_cluster = links.groupby("cluster_id")["partner"].agg(set)
    member_sets = links["cluster_id"].map(by_cluster)
    for a in partners:
        mine = links["partner"] == a
        linked_to[a] = {b: int((mine & member_sets.map(lambda s, b=b: b in s)).sum()) for b in partners if b != a}
    report: dict[str, Any] = {
        "engine": engine, "threshold": threshold,
        "records": {a: int((links["partner"] == a).sum()) for a in partners},
        "clusters": int(links["cluster_id"].nunique()),
        "records_linked_to": linked_to,
        "estimated_error": estimated_error(run.pairs, threshold),
        "model": _model_summary(run.model),
        "parameters": {**run.parameters, "threshold": threshold},
        "seconds": round(time.perf_counter() - started, 1),
        "citation": CITATION,
    }
    if truth is not None:
        t = truth.assign(unique_id=truth["source"].astype(str) + ":" + truth["record_id"].astype(str))
        acc = pair_accuracy(links, t)
        report["accuracy"] = acc.round(4).to_dict("records")
        rates = {f"{a}->{b}": linkage_rates(links, t, a, b).round(4).to_dict("records")
                 for a, b in (("youth_justice", "education"), ("ed_istv", "education"))
                 if a in partners and b in partners}
        report["linkage_rates"] = rates
        if "education" in frames and "youth_justice" in frames:
            from vrhub.analysis.linkage.cohort import odds_ratio_bias

            bias = odds_ratio_bias(links, t, frames["education"], frames["youth_justice"])
            report["odds_ratio_bias"] = bias.round(4).to_dict("records")
        report["synthetic"] = True
    return LinkageResult(links, clerical_sample(run.pairs, threshold, seed=seed), report, run.model, run.pairs)
