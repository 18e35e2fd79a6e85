"""How good the links are: estimated from the model without truth, and measured against a known truth.

*Estimated* (any data): a pair's match probability is the model's chance that it is a true match, so the expected
number of false links among the accepted pairs is ``Σ (1 − p)`` over pairs at or above the threshold, and the
expected number of missed links ``Σ p`` over the scored pairs below it (Fellegi & Sunter 1969; the idea of
estimating error rates from the model's posterior probabilities is Belin & Rubin 1995). Missed pairs that no blocking
rule proposed are not counted: the estimate of recall is an upper bound.

*Measured* (synthetic data, whose true person is known): precision, recall and F1 of the record pairs put in one
cluster, per pair of sources (Christen 2012, ch. 7: pairwise measures); and, per group (age band, sex, ethnic group),
the linkage rate — the share of a source's records whose true match in another source was found — which shows
differential linkage error (Harron et al. 2017).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd

GROUPS = ("age_band", "sex", "ethnicity")


def estimated_error(pairs: pd.DataFrame, threshold: float) -> dict[str, Any]:
    """Expected false and missed links from the match probabilities of the scored pairs (module docstring)."""
    p = pairs["match_probability"].to_numpy(float)
    accepted = p >= threshold
    false_links = float((1 - p[accepted]).sum())
    missed = float(p[~accepted].sum())
    n = int(accepted.sum())
    true_links = n - false_links
    return {"accepted_pairs": n, "expected_false_links": round(false_links, 2),
            "expected_missed_links": round(missed, 2),
            "estimated_precision": round(true_links / n, 4) if n else None,
            "estimated_recall_upper_bound": round(true_links / (true_links + missed), 4) if n else None}


def _pairs_within(groups: pd.Series, ids: pd.Series) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    frame = pd.DataFrame({"g": groups.to_numpy(), "id": ids.to_numpy()}).sort_values("id")
    for _, members in frame.groupby("g")["id"]:
        if len(members) > 1:
            out.update(itertools.combinations(members.tolist(), 2))
    return out


def pair_accuracy(clusters: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Precision, recall and F1 of the linked record pairs per pair of sources (``truth`` has ``unique_id`` and
    ``person``; ``clusters`` has ``unique_id`` and ``cluster_id``)."""
    m = clusters[["unique_id", "cluster_id"]].merge(truth[["unique_id", "person"]], on="unique_id", how="inner")
    true_pairs = _pairs_within(m["person"], m["unique_id"])
    found = _pairs_within(m["cluster_id"], m["unique_id"])
    partners = sorted({u.split(":", 1)[0] for u in m["unique_id"]})
    rows = []
    for a, b in itertools.combinations_with_replacement(partners, 2):
        def between(pairs: set[tuple[str, str]], a: str = a, b: str = b) -> set[tuple[str, str]]:
            return {p for p in pairs if sorted((p[0].split(":", 1)[0], p[1].split(":", 1)[0])) == [a, b]}
        t, f = between(true_pairs), between(found)
        if not t and not f:
            continue
        tp = len(t & f)
        precision = tp / len(f) if f else np.nan
        recall = tp / len(t) if t else np.nan
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else np.nan
        rows.append({"source_a": a, "source_b": b, "true_pairs": len(t), "linked_pairs": len(f),
                     "true_positives": tp, "precision": precision, "recall": recall, "f1": f1})
    return pd.DataFrame(rows)


def linkage_rates(clusters: pd.DataFrame, truth: pd.DataFrame, source: str, target: str) -> pd.DataFrame:
    """Per group (``GROUPS`` of ``truth``): of ``source``'s records whose person is in ``target``, how many are in a
    cluster with a ``target`` record of the same person (linked), and with only other people's (false link)."""
    t = truth.merge(clusters[["unique_id", "cluster_id"]], on="unique_id", how="inner")
    in_target = t[t["source"] == target]
    have = set(in_target["person"])
    rows = t[(t["source"] == source) & t["person"].isin(have)].copy()
    right = {(c, p) for c, p in zip(in_target["cluster_id"], in_target["person"], strict=True)}
    wrong_clusters = set(in_target["cluster_id"])
    rows["linked"] = [(c, p) in right for c, p in zip(rows["cluster_id"], rows["person"], strict=True)]
    rows["false_link"] = [(not ok) and c in wrong_clusters for c, ok in zip(rows["cluster_id"], rows["linked"],
                                                                             strict=True)]
    out = []
    for g in GROUPS:
        for value, part in rows.groupby(g):
            out.append({"group": g, "value": value, "records": len(part), "linked": int(part["linked"].sum()),
                        "false_links": int(part["false_link"].sum()),
                        "linkage_rate": float(part["linked"].mean())})
    return pd.DataFrame(out)
