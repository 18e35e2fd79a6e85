"""What a verb of :class:`~vrhub.library.Partnership` returns: the analysis's result with what every output needs.

A :class:`Result` holds the analysis's own result object (``value``: a ``Profile``, ``CardiffView``, ...), the
parameters it ran with, the data versions it read, the definition's hash and the method's citation. It knows how
to become a released copy (:meth:`Result.release`, the one release step of ``vrhub.report.release``) and files
(:meth:`Result.write`, the report layer's writer for its verb). The CLI, the hub and the tests use the same
object, in the spirit of datasette's one in-memory ``Datasette`` and sqlite-utils' ``Table`` methods.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Result(Generic[T]):
    """One verb's result. Attributes of ``value`` are read through the result (``r.tables`` is
    ``r.value.tables``), so a caller may treat it as the analysis's own object."""

    verb: str
    value: T
    parameters: dict[str, Any] = field(default_factory=dict)
    datasets: list[str] = field(default_factory=list)
    definition_sha256: str | None = None
    citation: str = ""
    released: bool = False
    #: the disclosure statement to print on every page or file that shows a released result
    statement: str = ""
    #: what the verb's writer needs beside ``value`` (e.g. the population by LSOA for a hot-spot rate map)
    context: dict[str, Any] = field(default_factory=dict, repr=False)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "value":  # copy/pickle probe dunders; never recurse on ``value``
            raise AttributeError(name)
        return getattr(self.value, name)

    def release(self) -> Result[T]:
        """The released copy: disclosure control applied once, by ``vrhub.report.release.release``."""
        if self.released:
            return self
        from vrhub.report.release import release

        done = release(self.value)
        return replace(self, value=done.result, released=True, statement=done.statement)

    def write(self, folder: Path, *, release: bool = False) -> Any:
        """Write the result's files to ``folder`` with the report layer's writer for this verb (released first with
        ``release``); returns what that writer returns (the files written, the notice on them)."""
        writer = WRITERS.get(self.verb)
        if writer is None:
            raise NotImplementedError(f"a {self.verb} result is not written to files")
        return writer(self, folder, release)

    def to_json(self) -> dict[str, Any]:
        """The provenance every output carries: verb, parameters, data versions, definition hash, citation."""
        return {"verb": self.verb, "parameters": self.parameters, "datasets": self.datasets,
                "definition_sha256": self.definition_sha256, "citation": self.citation, "released": self.released}


def _write_profile(r: Result[Any], folder: Path, release: bool) -> Any:
    from vrhub.report.profile_files import write_profile

    return write_profile(r.value, folder, release=release)


def _write_hotspots(r: Result[Any], folder: Path, release: bool) -> Any:
    from vrhub.report.maps import write_hotspots

    return write_hotspots(r.value, folder, release=release, population=r.context.get("population"),
                          districts=r.context.get("districts"), synthetic=r.context.get("synthetic", False))


def _write_cardiff(r: Result[Any], folder: Path, release: bool) -> Any:
    from vrhub.report.cardiff_files import write_cardiff

    return write_cardiff((r.release() if release else r).value, folder)


def _write_cohort(r: Result[Any], folder: Path, release: bool) -> Any:
    from vrhub.report.cohort_files import write_cohort

    return write_cohort((r.release() if release else r).value, folder, label=r.context.get("label", "all"))


def _write_link(r: Result[Any], folder: Path, release: bool) -> Any:
    from vrhub.domain.errors import UsageError
    from vrhub.report.linkage import write_linkage

    if release:
        raise UsageError("linkage outputs are record-level: for analysts only, never released",
                         "release the cohort built on them instead: vrhub cohort --linked --release")
    return write_linkage(r.value, folder, inputs=r.context["inputs"])


WRITERS: dict[str, Callable[[Result[Any], Path, bool], Any]] = {
    "profile": _write_profile, "hotspots": _write_hotspots, "cardiff": _write_cardiff, "cohort": _write_cohort,
    "link": _write_link,
}
