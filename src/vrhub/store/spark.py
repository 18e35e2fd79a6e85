"""Apache Spark for a national-scale user: one SparkSession for ``vrhub link --engine spark`` and the Ibis PySpark
backend of the engine seam. Needs the ``[spark]`` extra (``pip install 'vrhub[spark]'``) and Java 17. See
docs/spark.md for when to choose Spark over DuckDB.
"""

from __future__ import annotations

import shutil
from typing import Any

from vrhub.domain.errors import VrhubError


class SparkUnavailableError(VrhubError):
    """PySpark or Java is missing."""


def spark_session(master: str = "local[2]", *, app_name: str = "vrhub", shuffle_partitions: int = 8,
                  config: dict[str, str] | None = None) -> Any:
    """A SparkSession on ``master`` (``local[N]`` on this machine, ``spark://host:7077`` or ``yarn`` on a
    cluster), UI off, ``shuffle_partitions`` shuffle partitions (Spark's default of 200 is slow for small data),
    (vrhub's comparisons need no Splink jar: the Dice coefficient is plain SQL)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailableError("PySpark is not installed",
                                    "pip install 'vrhub[spark]' (and Java 17: Debian's openjdk-17-jre-headless)"
                                    ) from None
    if shutil.which("java") is None:
        raise SparkUnavailableError("Java is not installed (Spark runs on the JVM)",
                                    "install Java 17, e.g. apt-get install openjdk-17-jre-headless")
    builder = (SparkSession.builder.master(master).appName(app_name)
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
               .config("spark.default.parallelism", str(shuffle_partitions))
               .config("spark.sql.session.timeZone", "UTC")
               # the linkage model's comparison CASE (the Dice SQL over 16 words, three times) is too large for
               # whole-stage code generation: Spark tries, fails to compile it and falls back, slowly
               .config("spark.sql.codegen.wholeStage", "false")
               .config("spark.driver.memory", "1g"))
    for key, value in (config or {}).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def spark_engine(workspace: Any, spark: Any) -> Any:
    """The engine seam (:class:`vrhub.store.engine.Engine`) on the Ibis PySpark backend over the same lake: the
    analyses' Ibis expressions run on Spark unchanged. (Ibis's PySpark ``read_parquet`` takes one path: the lake's
    files of a kind are read one by one and unioned.)"""
    import ibis

    from vrhub.store.engine import Engine

    class SparkEngine(Engine):
        def _read(self, paths: list[str], prefix: str) -> Any:
            tables = [self.con.read_parquet(p, table_name=self._name(prefix)) for p in paths]
            return tables[0] if len(tables) == 1 else ibis.union(*tables)

    return SparkEngine(workspace, backend=ibis.pyspark.connect(spark))
