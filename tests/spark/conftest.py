"""One SparkSession for every Spark test (starting Spark costs seconds): local[1], few shuffle partitions, no UI.

Without PySpark or Java the Spark tests skip with a message; when ``CI=true`` they fail instead (CI installs both).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    missing = None
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing = "PySpark is not installed (pip install 'vrhub[spark]')"
    if missing is None and shutil.which("java") is None:
        missing = "Java is not installed (apt-get install openjdk-17-jre-headless)"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Spark tests need Spark in CI: {missing}")
        pytest.skip(missing)
    from vrhub.store.spark import spark_session

    session = spark_session("local[1]", app_name="vrhub-tests", shuffle_partitions=1)
    yield session
    session.stop()
