"""Numerical housekeeping shared by the evaluation designs."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run BLAS/LAPACK on one thread inside the block.

    The models here use small dense matrices (thousands of rows, tens of columns). Multi-threaded OpenBLAS
    gains nothing on them and, on a busy machine, can be 10-20 times slower than one thread (measured: 4 s
    vs 0.24 s for one difference-in-differences fit under load). Uses threadpoolctl when installed; its
    controller (which reads the process's loaded libraries, a few milliseconds) is made once per process.
    """
    controller = _controller()
    if controller is None:  # pragma: no cover - threadpoolctl is a dependency
        yield
        return
    with controller.limit(limits=1, user_api="blas"):
        yield


@functools.cache
def _controller() -> Any:
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover
        return None
    return ThreadpoolController()
