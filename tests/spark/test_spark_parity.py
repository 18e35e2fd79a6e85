"""The same results on Spark as on DuckDB: linkage (with the DuckDB-trained model) and profile counts through Ibis's
PySpark backend over the same lake. Kept small (a few hundred people, one shared session)."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from vrhub.analysis.linkage import link_partners
from vrhub.ingest.linkage_files import read_partner_files, source_files
from vrhub.synth.linkage import SOURCES, generate_linkage_partners


@pytest.fixture(scope="module")
def partners(tmp_path_factory):
    root = tmp_path_factory.mktemp("spark-linkage")
    made = generate_linkage_partners(root / "inputs", root / "key" / "k", people=250, seed=7)
    return made, read_partner_files(source_files(list(SOURCES), root / "inputs")).frames


def test_links_identical_on_spark_with_the_duckdb_trained_model(spark, partners):
    made, frames = partners
    trained = link_partners(frames, truth=made.truth).model  # trained on DuckDB
    duck = link_partners(frames, model=trained)
    on_spark = link_partners(frames, engine="spark", spark=spark, model=trained)
    assert duck.report["clusters"] == on_spark.report["clusters"]
    cols = ["unique_id_l", "unique_id_r"]
    a = duck.pairs.sort_values(cols, ignore_index=True)
    b = on_spark.pairs.sort_values(cols, ignore_index=True)
    pd.testing.assert_frame_equal(a[cols], b[cols])
    assert b["match_probability"].to_numpy() == pytest.approx(a["match_probability"].to_numpy(), abs=1e-9)

    def groups(links: pd.DataFrame) -> set[frozenset[str]]:
        return {frozenset(g) for g in links.groupby("cluster_id")["unique_id"] .agg(list) if len(g) > 1}

    assert groups(duck.person_links) == groups(on_spark.person_links)
    assert len(groups(duck.person_links)) > 15


def test_profile_counts_on_ibis_pyspark_equal_duckdb(spark, kent_ws):
    from vrhub.store.spark import spark_engine

    ws = kent_ws.ws

    def counts(engine) -> pd.DataFrame:
        t = engine.table("police_uk_street")
        g = t.group_by(["month", "crime_type"]).agg(n=t.count(), lsoas=t.lsoa_code.nunique())
        return g.to_pandas().sort_values(["month", "crime_type"], ignore_index=True)

    duck = counts(ws.engine())
    on_spark = counts(spark_engine(ws, spark))
    assert len(duck) > 50 and int(duck["n"].sum()) == 75_735
    pd.testing.assert_frame_equal(duck.astype({"n": "int64", "lsoas": "int64"}),
                                  on_spark.astype({"n": "int64", "lsoas": "int64"}), check_dtype=False)
    assert isinstance(spark_engine(ws, spark).con, ibis.BaseBackend)
