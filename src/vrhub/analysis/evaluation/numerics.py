"""Numerical housekeeping shared by the evaluation designs."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run BLAS/LAPACK on one thread inside the block.

    The models here use small dense matrices (thousands of rows, tens of columns). Multi-threaded OpenBLAS
    gains nothing on them and, on a busy machine, can be 10-20 times slower than one thread (measured: 4 s
    vs 0.24 s for one difference-in-differences fit under load). Uses threadpoolctl when installed.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn (via esda)
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield
