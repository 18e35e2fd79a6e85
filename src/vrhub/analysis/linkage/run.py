"""Train, predict and cluster with Splink 5 on DuckDB (default) or Spark: the engine part of ``vrhub link``.

Training follows Splink's documented order (Linacre et al. 2022): the prior (probability that two random records
match) from deterministic rules with an assumed recall; u probabilities by random sampling of record pairs
(``estimate_u_using_random_sampling``); m probabilities by expectation maximisation on two blocking rules
(``TRAINING_RULES``: same date of birth, which estimates the name comparisons; same names, which estimates date of
birth, sex and postcode), each comparison trained where it is not blocked on. Prediction scores the pairs of the
``BLOCKING_RULES`` (in ``chunks`` × ``chunks`` pieces, to bound memory), and records are clustered by connected
components of the pairs at or above the threshold.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from vrhub.analysis.linkage.model import DETERMINISTIC_RULES, TRAINING_RULES, settings

REVIEW_FLOOR = 0.01  # pairs kept for the error estimate and the clerical sample


@dataclass
class LinkageRun:
    """What the engine produced: scored pairs at or above ``REVIEW_FLOOR``, clusters, the trained model."""

    pairs: pd.DataFrame
    clusters: pd.DataFrame
    model: dict[str, Any]
    engine: str
    threshold: float
    parameters: dict[str, Any] = field(default_factory=dict)


def _duckdb_api(memory_limit: str | None, threads: int | None) -> Any:
    import duckdb
    from splink import DuckDBAPI

    con = duckdb.connect()
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute("SET preserve_insertion_order = false")
    return DuckDBAPI(connection=con)


def _spark_api(spark: Any) -> Any:
    from splink import SparkAPI

    partitions = int(spark.conf.get("spark.sql.shuffle.partitions", "8"))
    return SparkAPI(spark_session=spark, num_partitions_on_repartition=max(1, partitions),
                    break_lineage_method="persist")


def _quiet() -> None:
    import logging

    for name in ("splink", "py4j"):
        logging.getLogger(name).setLevel(logging.ERROR)


M_U_FLOOR = 1e-300  # Splink refuses a saved model with a probability of 0 (it underflows); a trained level can be 0


def loadable_model(model: dict[str, Any]) -> dict[str, Any]:
    """A saved model with every m and u probability at least ``M_U_FLOOR``, so that Splink accepts it on any
    engine (a level never seen in training is trained to 0)."""
    out = json.loads(json.dumps(model))
    for comparison in out.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            for key in ("m_probability", "u_probability"):
                if level.get(key) is not None:
                    level[key] = max(float(level[key]), M_U_FLOOR)
    return out


def _linker(records: pd.DataFrame, engine: str, model: dict[str, Any] | None, *, spark: Any = None,
            memory_limit: str | None = None, threads: int | None = None) -> Any:
    from splink import Linker

    if engine == "duckdb":
        api = _duckdb_api(memory_limit, threads)
        table = api.register(records, table_name="vrhub_linkage_records")
    else:
        api = _spark_api(spark)
        table = api.register(_to_spark(spark, records), table_name="vrhub_linkage_records")
    chosen = loadable_model(model) if model else settings("duckdb")
    chosen["sql_dialect"] = "duckdb" if engine == "duckdb" else "spark"
    for rule in chosen.get("blocking_rules_to_generate_predictions", []):
        if isinstance(rule, dict):
            rule["sql_dialect"] = chosen["sql_dialect"]
    return Linker(table, chosen, log_level=None)


def _to_spark(spark: Any, records: pd.DataFrame) -> Any:
    """The records as a Spark DataFrame with explicit types (text columns that are all null have none to infer)."""
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    fields = [StructField(c, LongType() if c.startswith("bf_") else StringType(), True) for c in records.columns]
    rows = records.astype(object).where(records.notna(), None)
    return spark.createDataFrame(rows.itertuples(index=False, name=None), StructType(fields))


def train(linker: Any, *, seed: int, u_pairs: float, em_pairs: float | None, recall: float = 0.8) -> list[str]:
    """Train ``linker`` in place (module docstring); the EM blocking rules skipped because EM failed to converge to
    representable m probabilities (very small data) are returned."""
    skipped: list[str] = []
    from splink import block_on  # noqa: F401  (imported for its side effect of loading the blocking library)

    linker.training.estimate_probability_two_random_records_match(list(DETERMINISTIC_RULES), recall=recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
    for rule in TRAINING_RULES:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule, max_pairs=em_pairs)
        except ValueError as exc:  # on very small data EM can drive an m to exactly 0, which Splink refuses
            if "below the minimum allowed" not in str(exc):
                raise
            skipped.append(rule)
    return skipped


def link_records(records: pd.DataFrame, *, engine: str = "duckdb", threshold: float = 0.9, seed: int = 1,
                 model: dict[str, Any] | None = None, spark: Any = None, memory_limit: str | None = None,
                 threads: int | None = None, chunks: int = 1, u_pairs: float = 1e6,
                 em_pairs: float | None = None, on_step: Callable[[str], None] | None = None) -> LinkageRun:
    """Train (unless ``model``, a trained Splink model, is given), predict and cluster ``records``
    (:func:`vrhub.analysis.linkage.model.records_frame`) on ``engine`` (``duckdb`` or ``spark`` with ``spark``
    a SparkSession). ``on_step(label)`` is called as each stage starts (progress)."""
    step = on_step or (lambda label: None)
    if engine not in ("duckdb", "spark"):
        raise ValueError(f"unknown engine {engine!r}: use duckdb or spark")
    _quiet()
    linker = _linker(records, engine, model, spark=spark, memory_limit=memory_limit, threads=threads)
    if model is None:
        step("training the model (u by sampling, m by EM)")
    skipped = train(linker, seed=seed, u_pairs=u_pairs, em_pairs=em_pairs) if model is None else []
    kw = {"num_chunks_left": chunks, "num_chunks_right": chunks} if chunks > 1 else {}
    step("scoring the candidate pairs")
    predicted = linker.inference.predict(threshold_match_probability=REVIEW_FLOOR, **kw)
    step("clustering the records into people")
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(predicted, threshold)
    keep = ["unique_id_l", "unique_id_r", "partner_l", "partner_r", "record_id_l", "record_id_r",
            "match_probability", "match_weight"]
    pairs = predicted.as_pandas_dataframe()
    gammas = [c for c in pairs.columns if c.startswith("gamma_")]
    pairs = pairs[keep + gammas].sort_values(["unique_id_l", "unique_id_r"], ignore_index=True)
    clusters = clustered.as_pandas_dataframe()[["unique_id", "cluster_id", "partner", "record_id"]]
    trained = json.loads(json.dumps(linker.misc.save_model_to_json()))
    return LinkageRun(pairs, clusters.sort_values("unique_id", ignore_index=True), trained, engine, threshold,
                      {"seed": seed, "u_pairs": u_pairs, "em_pairs": em_pairs, "chunks": chunks,
                       "memory_limit": memory_limit, "trained_here": model is None,
                       "em_sessions_skipped": skipped})
