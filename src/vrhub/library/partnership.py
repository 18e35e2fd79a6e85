"""The library at the centre: one object opened on a workspace whose methods are the product's verbs.

:class:`Partnership` is what the command line, the hub and a notebook call (DESIGN.md, "the library at the
centre"; modelled on sqlite-utils' ``Database`` and datasette's ``Datasette``). Each verb validates its inputs,
runs the analysis through the workspace's engine and returns a :class:`~vrhub.library.result.Result`: exact
numbers with their parameters, data versions, definition hash and citation. Nothing here prints or writes files;
``Result.write`` and ``Result.release`` do that, once, in the report layer.

Periods are anything :mod:`vrhub.domain.periods` reads (``"2023/24"``, ``"2023-04..2024-03"``, a ``Period``) or
a (first month, last month) pair, either end ``None`` for the loaded data's own end.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vrhub.domain.errors import NoDataError, UsageError, VrhubError
from vrhub.domain.periods import OpenPeriod, Period, parse_period
from vrhub.library.governance import GovernanceVerbs
from vrhub.library.hub_sides import HubSides
from vrhub.library.result import Result

if TYPE_CHECKING:
    from vrhub.domain.definitions import Definition
    from vrhub.store.engine import Engine
    from vrhub.store.revisions import Revision
    from vrhub.store.workspace import Workspace

PeriodLike = str | Period | OpenPeriod | tuple[dt.date | None, dt.date | None] | None

HOTSPOT_METHODS = ("gistar", "kde", "emerging")
HOTSPOT_LEVELS = ("lsoa", "grid")
HOTSPOT_SOURCES = ("police_uk_street", "ed_istv", "force_crime")


def _quiet(label: str) -> None:
    """The default ``on_step``: a verb's progress goes nowhere unless a caller shows it."""


def months(period: PeriodLike) -> tuple[dt.date | None, dt.date | None]:
    """(first month, last month) of ``period`` as first days of months; ``None`` for an open end."""
    if period is None:
        return None, None
    if isinstance(period, str):
        period = parse_period(period)
    if isinstance(period, Period | OpenPeriod):
        return period.months
    lo, hi = period
    return (lo.replace(day=1) if lo else None), (hi.replace(day=1) if hi else None)


class Partnership(GovernanceVerbs, HubSides):
    """A partnership's workspace and its verbs. ``Partnership.open(home)`` opens (or creates) one."""

    def __init__(self, workspace: Workspace, definition: str = "kent_and_medway") -> None:
        self.ws = workspace
        self.definition_name = definition

    @classmethod
    def open(cls, home: str | os.PathLike[str] | None = None, db: str | None = None, *,
             definition: str = "kent_and_medway") -> Partnership:
        """Open the workspace at ``home`` (default ``$VRHUB_HOME`` or ``./vrhub-home``) with its catalogue at ``db``
        (default ``$VRHUB_DB`` or an SQLite file in the workspace)."""
        from vrhub.store.workspace import Settings, Workspace

        return cls(Workspace.open(Settings.resolve(home, db)), definition)

    @property
    def home(self) -> Path:
        return self.ws.home

    @cached_property
    def engine(self) -> Engine:
        """The one query seam (Ibis on DuckDB) over this workspace's lake."""
        return self.ws.engine()

    def definition(self, name: str | None = None) -> Definition:
        """The serious-violence definition ``name`` (a shipped name or a .toml/.yaml file; default: this
        partnership's)."""
        from vrhub.domain.definitions import load_definition

        return load_definition(name or self.definition_name)

    # --- data in --------------------------------------------------------------------------------------------------
    def ingest(self, paths: list[Path], *, feed: str, kind: str | None = None, partner: str | None = None,
               options: dict[str, Any] | None = None, progress: Any = None, check_lsoas: bool = True,
               sources: Any = None) -> Any:
        """Load files, folders or archives with the sources of ``feed`` (a module of the source registry,
        ``vrhub.ingest.registry``: ``police_uk``, ``istv``, ``ambulance``, ...), or with ``sources`` when given
        (a mapping file's, ``vrhub.ingest.mapped.mapped_sources``), as ``kind`` (default: each file's own). With
        ``check_lsoas``, area codes are checked against the loaded boundaries, when there are any. Returns the
        loader's report: every file's rows read, accepted and quarantined."""
        from vrhub.ingest import registry
        from vrhub.ingest.loader import ingest

        known = self.ws.reader().known_lsoa_codes() if check_lsoas else None
        chosen = sources if sources is not None else registry.module_sources(f"vrhub.ingest.{feed}")
        return ingest(self.ws, paths, chosen, partner=partner, kind=kind, options=options or {}, progress=progress,
                      known_lsoas=known)

    def ingest_force_crime(self, paths: list[Path], *, partner: str | None = None, mapping: str | None = None,
                           progress: Any = None) -> Any:
        """Load a force's crime extracts (docs/sources/force-crime.md) in vrhub's own columns or, with ``mapping``,
        a shipped layout (``niche``, ``athena``) or a force_crime mapping file, checked against the files before
        anything is loaded (a :class:`~vrhub.ingest.mapped.MappingError` lists every problem)."""
        from vrhub.ingest.force_crime import layout_mapping
        from vrhub.ingest.mapped import MappingError, check_mapping, load_mapping, mapped_sources

        sources = None
        if mapping:
            m = load_mapping(layout_mapping(mapping))
            if m.target.kind != "force_crime":
                raise MappingError([f"{mapping}: its target is {m.target.kind}, not force_crime"],
                                   "use 'vrhub ingest mapped' for other kinds, or a force_crime mapping here")
            problems = check_mapping(m, paths)
            if problems:
                raise MappingError(problems, "correct the mapping or the files, then run again (nothing was loaded)")
            sources = mapped_sources(m)
        return self.ingest(paths, feed="force_crime", kind="force_crime", partner=partner, progress=progress,
                           sources=sources)

    def load_geography(self, paths: list[Path], **options: Any) -> list[Any]:
        """Load boundaries and area attributes (population, deprivation, ONS lookups) from files, folders or zip
        archives (``ingest.geography.load_geography``; the options are its keyword arguments: level, vintage,
        code_field, name_field, year). Returns one result per file."""
        from vrhub.ingest.geography import load_geography

        return load_geography(self.ws, paths, **options)

    def fetch_police_uk(self, force: str, *, start: str, end: str | None = None, kinds: list[str] | None = None,
                        base_url: str | None = None, rate: float = 15, archive: Path | None = None,
                        on_month: Callable[[str, str, int], None] | None = None) -> Any:
        """Fetch months of a force's police.uk data from the API (or a downloaded ``archive``) and load them
        (``ingest.police_uk.fetch.fetch_police_uk``; docs/sources/police-uk-fetch.md)."""
        from vrhub.ingest.police_uk.api import BASE_URL, PoliceUkApi
        from vrhub.ingest.police_uk.fetch import fetch_police_uk

        return fetch_police_uk(self.ws, force, start=start, end=end, kinds=kinds or ["street"],
                               api=PoliceUkApi(base_url or BASE_URL, rate=rate), archive=archive, on_month=on_month)

    def update_police_uk(self, *, base_url: str | None = None, rate: float = 15, recheck: int = 3,
                         on_month: Callable[[str, str, int], None] | None = None) -> Any:
        """Fetch what police.uk has published since the last fetch, re-run the supply check and list revised months
        (``ingest.police_uk.fetch.update_police_uk``)."""
        from vrhub.ingest.police_uk.api import BASE_URL, PoliceUkApi
        from vrhub.ingest.police_uk.fetch import update_police_uk

        return update_police_uk(self.ws, api=PoliceUkApi(base_url or BASE_URL, rate=rate), recheck=recheck,
                                on_month=on_month)

    def quarantined(self, dataset_id: str) -> tuple[Any, Any, list[str]]:
        """(the dataset version, its quarantined rows as an Arrow table in file order, the file's columns vrhub
        does not keep) of ``dataset_id``."""
        d = self.ws.catalogue.get(dataset_id)
        if d is None:
            raise NoDataError(f"no dataset {dataset_id!r}", "list dataset ids with 'vrhub datasets'")
        rows = self.engine.quarantine(dataset_id).order_by("_source_row").to_pyarrow()
        return d, rows, list(self.ws.lake.manifest(d.lake_path).get("columns_not_kept", []))

    def withdraw(self, dataset_id: str, reason: str) -> Any:
        """Stop reading a dataset version (kept, and can be restored); an earlier version of the same force-month
        is read again."""
        return self.ws.catalogue.withdraw(dataset_id, reason)

    def restore(self, dataset_id: str) -> Any:
        """Read a withdrawn dataset version again."""
        return self.ws.catalogue.restore(dataset_id)

    # --- for partners, before data leave them (no workspace) ---------------------------------------------------------
    @staticmethod
    def pseudonymise(input_path: Path, output_path: Path, *, key_file: Path, columns: dict[str, Any] | None = None,
                     sheet: str | None = None, overwrite: bool = False, linkage: bool = False,
                     sex: str | None = None) -> Any:
        """Replace identifiers with keyed HMAC-SHA256 pseudonyms (``ingest.pseudonymise.pseudonymise_file``;
        docs/sources/pseudonymisation.md). ``columns`` names them (``IdentifierColumns``' fields: nhs_number,
        given_name, ..., postcode, address, remove); without it they are guessed from the header."""
        from vrhub.ingest.pseudonymise import IdentifierColumns, pseudonymise_file

        named = {k: tuple(v) if isinstance(v, list | tuple) else v for k, v in (columns or {}).items() if v}
        return pseudonymise_file(input_path, output_path, key_file=key_file,
                                 columns=IdentifierColumns(**named) if named else None, sheet=sheet,
                                 overwrite=overwrite, linkage=linkage, sex=sex)

    @staticmethod
    def pseudonymise_key(path: Path) -> Path:
        """Write a new random 256-bit pseudonymisation key to ``path``, readable by its owner only."""
        from vrhub.ingest.pseudonymise import generate_key

        return generate_key(path)

    def datasets(self, kind: str | None = None) -> list[Any]:
        """The dataset versions in the catalogue (of ``kind``), newest first as the catalogue lists them."""
        return self.engine.datasets(kind)

    def catalogue(self, kind: str | None = None, *, include_withdrawn: bool = False) -> Any:
        """Every dataset version with its provenance, and the supplier × month coverage grid with its supply
        warnings (``library.catalogue.catalogue_view``)."""
        from vrhub.library.catalogue import catalogue_view

        return catalogue_view(self.ws, kind, include_withdrawn=include_withdrawn)

    def revisions(self, kind: str | None = None) -> list[Revision]:
        """The force-months sent again with different content, and what changed per category
        (``store.revisions``)."""
        from vrhub.store.revisions import revisions  # SQLAlchemy: not loaded by ``import vrhub``

        return revisions(self.ws, kind)

    def data_version(self) -> str:
        """A short hash that changes whenever what an analysis reads changes (a dataset version loaded or
        withdrawn, a register loaded): the key of every cache of results (``Catalogue.data_version``)."""
        return self.ws.catalogue.data_version()

    # --- the problem: profile, hot spots, near repeat, the Cardiff view -------------------------------------------
    def profile(self, period: PeriodLike = None, *, level: str = "district", strand: str | None = None,
                definition: str | None = None, vintage: int | None = None,
                imd_domain: str | None = None) -> Result[Any]:
        """The problem profile (who, what, where, when, why): ``vrhub.analysis.profile.build_profile``."""
        from vrhub.analysis.profile import build_profile
        from vrhub.analysis.profile.build import LEVELS

        if level not in LEVELS:
            raise UsageError(f"unknown level '{level}': use one of {', '.join(LEVELS)}", option="--level")
        lo, hi = months(period)
        p = build_profile(self.engine, self.definition(definition), start=lo, end=hi, level=level, strand=strand,
                          vintage=vintage, imd_domain=imd_domain)
        return Result("profile", p, {"from": f"{p.start:%Y-%m}", "to": f"{p.end:%Y-%m}", "level": level,
                                     "strand": strand, "vintage": vintage, "imd_domain": imd_domain},
                      list(p.datasets), p.definition.get("definition_sha256"), p.definition.get("citation", ""))

    def incidents(self, period: PeriodLike = None, *, strand: str | None = None, definition: str | None = None,
                  source: str = "police_uk_street", vintage: int | None = None) -> Any:
        """The serious-violence incidents a hot-spot method reads (``analysis.hotspots.run.gather_incidents``)."""
        from vrhub.analysis.hotspots import run as hs

        if source not in HOTSPOT_SOURCES:
            raise UsageError(f"unknown source '{source}': use {', '.join(HOTSPOT_SOURCES)}", option="--source")
        lo, hi = months(period)
        return hs.gather_incidents(self.engine, self.definition(definition), start=lo, end=hi, strand=strand,
                                   source=source, vintage=vintage)

    def hotspots(self, period: PeriodLike = None, *, method: str = "gistar", level: str = "lsoa",
                 cell: float = 250.0, permutations: int | None = None, seed: int | None = None, alpha: float = 0.05,
                 bandwidth: float | str = "arcgis", kernel: str = "quartic", per_population: bool = False,
                 strand: str | None = None, definition: str | None = None, source: str = "police_uk_street",
                 on_step: Callable[[str], None] | None = None, vintage: int | None = None) -> Result[Any]:
        """Hot spots by Gi* (default 9,999 permutations), kernel density (dual, per resident, with
        ``per_population``) or emerging hot spots; see docs/methods/hotspots.md. The result's context carries the
        population and district lookup its rate maps need, when they are loaded."""
        from vrhub.analysis.hotspots import run as hs
        from vrhub.store.geography import Geography

        if method not in HOTSPOT_METHODS:
            raise UsageError(f"unknown method '{method}': use one of {', '.join(HOTSPOT_METHODS)}", option="--method")
        if level not in HOTSPOT_LEVELS:
            raise UsageError(f"unknown level '{level}': use lsoa or grid", option="--level")
        if cell <= 0:
            raise UsageError("the cell size must be a positive number of metres, e.g. 250", option="--cell")
        level = "grid" if method == "kde" else level
        step = on_step or _quiet
        step("reading incidents")
        incidents = self.incidents(period, strand=strand, definition=definition, source=source, vintage=vintage)
        n_perm = 9999 if permutations is None else permutations
        step(f"computing {method}" + (f" ({n_perm:,} permutations)" if method == "gistar" else ""))
        if method == "gistar":
            run = hs.run_gi_star(self.engine, incidents, level=level, cell_size=cell,  # type: ignore[arg-type]
                                 permutations=n_perm, seed=seed, alpha=alpha)
        elif method == "kde" and per_population:
            run = hs.run_dual_kde(self.engine, incidents, cell_size=cell, bandwidth=bandwidth,  # type: ignore[arg-type]
                                  kernel=kernel)
        elif method == "kde":
            run = hs.run_kde(self.engine, incidents, cell_size=cell, bandwidth=bandwidth,  # type: ignore[arg-type]
                             kernel=kernel)
        else:
            run = hs.run_emerging(self.engine, incidents, level=level, cell_size=cell,  # type: ignore[arg-type]
                                  permutations=permutations or 0, seed=seed, alpha=alpha)
        context: dict[str, Any] = {"incidents": incidents, "level": level,
                                   "synthetic": self.engine.synthetic(incidents.datasets)}
        try:
            geo = Geography(self.engine)
            pop = geo.attributes("population").select("lsoa_code", "population_total").to_pandas()
            context["population"] = pop.set_index("lsoa_code")["population_total"]
            context["districts"] = geo.lsoa_lookup().select("lsoa_code", "district_code", "district_name").to_pandas()
        except NoDataError:
            pass
        return Result("hotspots", run, dict(run.parameters), list(incidents.datasets),
                      (incidents.definition or {}).get("definition_sha256"), getattr(run, "citation", ""),
                      context=context)

    def near_repeat(self, period: PeriodLike = None, *, space_bands: list[float], time_bands: list[float],
                    time_unit: str = "day", permutations: int = 999, seed: int | None = None,
                    strand: str | None = None, definition: str | None = None, source: str = "police_uk_street",
                    on_step: Callable[[str], None] | None = None) -> Result[Any]:
        """The Knox near-repeat test (``analysis.hotspots.run.run_near_repeat``; docs/methods/near-repeat.md)."""
        from vrhub.analysis.hotspots import run as hs

        if time_unit not in ("day", "month"):
            raise UsageError("use --time-unit day or month", option="--time-unit")
        step = on_step or _quiet
        step("reading events")
        incidents = self.incidents(period, strand=strand, definition=definition, source=source)
        step(f"{permutations:,} permutations")
        run = hs.run_near_repeat(incidents, space_bands=space_bands, time_bands=time_bands,
                                 time_unit=time_unit, permutations=permutations, seed=seed)  # type: ignore[arg-type]
        return Result("near_repeat", run, dict(run.parameters), list(incidents.datasets),
                      (incidents.definition or {}).get("definition_sha256"), run.citation,
                      context={"incidents": incidents, "synthetic": self.engine.synthetic(incidents.datasets)})

    def cardiff(self, period: PeriodLike = None, *, top: int = 20, vintage: int | None = None) -> Result[Any]:
        """The Cardiff Model view: ED assaults beside police-recorded violence (``analysis.cardiff.cardiff_view``)."""
        from vrhub.analysis.cardiff import cardiff_view

        lo, hi = months(period)
        view = cardiff_view(self.engine, start=lo, end=hi, top=top, vintage=vintage)
        return Result("cardiff", view, dict(view.parameters), [*view.ed_datasets, *view.police_datasets],
                      None, view.citation)

    def cohort(self, period: PeriodLike = None, *, linked: bool = False,
               on_step: Callable[[str], None] | None = None) -> Result[Any]:
        """School risk factors and violent youth justice offences in the cohort linked on pseudonym
        (``analysis.cohort.cohort_risk_factors``); with ``linked``, on the clusters of the last ``vrhub link`` run
        (partners without a shared identifier) and the partner files that run read."""
        from vrhub.analysis.cohort import cohort_risk_factors

        step = on_step or _quiet
        if linked:
            step("reading the last linkage run and fitting the odds ratios")
            return Result("cohort", self._linked_cohort(), context={"label": "all_linked"})
        step("linking pupils to offences and fitting the odds ratios")
        lo, hi = months(period)
        result = cohort_risk_factors(self.engine, start=lo, end=hi)
        label = f"{lo:%Y-%m}_{hi:%Y-%m}" if lo and hi else "all"
        return Result("cohort", result, dict(result.parameters), list(result.datasets), None, result.citation,
                      context={"label": label})

    # --- value for money ----------------------------------------------------------------------------------------------
    def value(self, service: str, **options: Any) -> Result[Any]:
        """A value-for-money sheet for a commissioned service (``analysis.value.sheet.value_sheet``; the options
        are its keyword arguments: year, effect_prior, participants, baseline_offences, baseline_category, seed)."""
        from vrhub.analysis.value.sheet import value_sheet

        sheet = value_sheet(self.ws, service, **options)
        return Result("value", sheet, {"service": service, **options}, citation=str(sheet.get("citation", "")))

    # --- the demo ---------------------------------------------------------------------------------------------------
    def demo(self, *, progress: Any = None) -> Any:
        """Load the shipped real Kent and Medway data and the synthetic demo partnership (``library.demo``)."""
        from vrhub.library.demo import build_demo

        return build_demo(self.ws, progress=progress)

    # --- synthetic partners ----------------------------------------------------------------------------------------
    def synth(self, out_dir: Path, **options: Any) -> Any:
        """Write a synthetic partnership to ``out_dir`` and load it into this workspace, marked synthetic
        (``synth.partnership.make_partnership``; the options are its keyword arguments)."""
        from vrhub.synth.partnership import make_partnership

        return make_partnership(out_dir, ws=self.ws, **options)

    @staticmethod
    def synth_files(out_dir: Path, **options: Any) -> Any:
        """Write a synthetic partnership's files to ``out_dir`` only (no workspace needed)."""
        from vrhub.synth.partnership import make_partnership

        return make_partnership(out_dir, **options)

    # --- what works ------------------------------------------------------------------------------------------------
    def evaluate(self, design: str, *, on_step: Callable[[str], None] | None = None, **options: Any) -> Result[Any]:
        """An impact evaluation on the workspace's outcomes: ``design`` is ``did`` (difference-in-differences),
        ``its`` (interrupted time series) or ``synth`` (synthetic control), with the options of
        ``analysis.evaluation.workspace.evaluate_<design>``; ``survey`` reads a before/after CSV (``path=``).
        ``context["synthetic"]`` says whether any data version read is synthetic."""
        from vrhub.analysis.evaluation import workspace as ev

        designs = {"did": ev.evaluate_did, "its": ev.evaluate_its, "synth": ev.evaluate_synth}
        if design == "survey":
            return self.survey(options["path"])
        if design not in designs:
            raise UsageError(f"unknown design '{design}': use did, its, synth or survey")
        source = options.get("source", "police_uk_street")
        if source not in ev.SOURCES:
            raise UsageError(f"unknown source '{source}': use {', '.join(ev.SOURCES)}", option="--source")
        result = designs[design](self.engine, on_step=on_step, **options)
        versions = list(result.effect.data_versions)
        return Result("evaluate", result, {"design": design, **options}, versions, None, result.effect.citation,
                      context={"synthetic": self.engine.synthetic(versions)})

    @staticmethod
    def survey(path: str | os.PathLike[str]) -> Result[Any]:
        """Before/after survey scores of the same people (``analysis.evaluation.workspace.evaluate_survey``): a
        file, so no workspace is needed."""
        from vrhub.analysis.evaluation.workspace import evaluate_survey

        path = Path(path)
        res = evaluate_survey(path)
        # vrhub synth writes survey-synthetic-<service>.csv
        return Result("evaluate", res, {"design": "survey", "path": str(path)}, [], None,
                      getattr(res, "citation", ""), context={"synthetic": "synthetic" in path.name.lower()})

    # --- linkage across partners without a shared identifier -------------------------------------------------------
    @property
    def linkage_inputs(self) -> Path:
        """Where the partners' ``vrhub pseudonymise --linkage`` files are read from by default."""
        return self.home / "linkage" / "inputs"

    def synthetic_linkage_inputs(self, folder: Path | None = None, *, people: int, seed: int = 1) -> Any:
        """Write ``people`` invented young people's partner linkage files, with their truth, to ``folder`` (default
        :attr:`linkage_inputs`), encoded with the workspace's synthetic key (``synth.linkage``)."""
        from vrhub.synth.linkage import generate_linkage_partners

        return generate_linkage_partners(folder or self.linkage_inputs,
                                         self.home / "synthetic-key" / "synthetic-partnership.key",
                                         seed=seed, people=people)

    def link(self, sources: list[str], *, in_dir: Path | None = None, engine: str = "duckdb",
             spark_master: str | None = None, threshold: float = 0.9, truth: Path | None = None,
             model: Path | None = None, memory_limit: str | None = None, chunks: int = 1, seed: int = 1,
             on_step: Callable[[str], None] | None = None) -> Result[Any]:
        """Link the partners' keyed encodings (``sources``: ``NAME`` read from ``in_dir``, or ``NAME=PATH``) with
        Splink (``analysis.linkage.link_partners``; docs/methods/linkage.md). ``truth`` (default: the synthetic
        truth file in ``in_dir`` when there is one) adds precision, recall and F1. ``.write(folder)`` writes
        person_links, clerical_review, the report and the model (``report.linkage``)."""
        import json

        import pandas as pd

        from vrhub.analysis.linkage import link_partners
        from vrhub.ingest.linkage_files import read_partner_files, source_files

        if engine not in ("duckdb", "spark"):
            raise UsageError(f"unknown engine '{engine}'", "use --engine duckdb or --engine spark", option="--engine")
        if not 0 < threshold < 1:
            raise UsageError(f"the threshold {threshold} is not a probability between 0 and 1", "try --threshold 0.9",
                             option="--threshold")
        step = on_step or _quiet
        step("reading the partners' linkage files")
        folder = in_dir or self.linkage_inputs
        partner = read_partner_files(source_files([s for s in sources if s.strip()], folder))
        default_truth = folder / "synthetic-truth.csv"
        truth_path = truth or (default_truth if default_truth.is_file() else None)
        truth_frame = pd.read_csv(truth_path, dtype={"record_id": str}) if truth_path else None
        trained = json.loads(model.read_text(encoding="utf-8")) if model else None
        spark = None
        if engine == "spark":
            from vrhub.store.spark import spark_session

            step("starting Spark")
            spark = spark_session(spark_master or "local[2]")
        result = link_partners(partner.frames, engine=engine, threshold=threshold, truth=truth_frame, seed=seed,
                               spark=spark, model=trained, memory_limit=memory_limit, chunks=chunks, on_step=step)
        result.report["bad_cells"] = partner.messages()
        return Result("link", result, dict(result.report.get("parameters", {})),
                      [str(p) for paths in partner.files.values() for p in paths], None,
                      str(result.report.get("citation", "")), context={"inputs": partner.files})

    def _linked_cohort(self) -> Any:
        from vrhub.analysis.linkage.cohort import linked_cohort_risk_factors
        from vrhub.ingest.linkage_files import read_partner_files
        from vrhub.report.linkage import read_linkage

        links, report = read_linkage(self.home / "linkage" / "latest")
        inputs = report.get("inputs", {})
        if not {"education", "youth_justice"} <= set(inputs):
            raise NoDataError("the last linkage run did not link education and youth justice records",
                              "run `vrhub link --sources education,youth_justice,...` first")
        files = read_partner_files({k: [Path(p) for p in inputs[k]] for k in ("education", "youth_justice")})
        return linked_cohort_risk_factors(links, files.frames["education"], files.frames["youth_justice"],
                                          estimated=report.get("estimated_error"),
                                          synthetic=bool(report.get("synthetic")), datasets=["linkage/latest"])

    # --- the SNA ----------------------------------------------------------------------------------------------------
    def sna_page(self, period: PeriodLike = None, *, release: bool = False, pdf: bool = False,
                 definition: str | None = None, **options: Any) -> Any:
        """The SNA in memory (``report.sna.gather_sna`` then ``render_sna``): HTML, the PDF's bytes with ``pdf``,
        and the data versions it shows. Nothing is written to disk: what the hub serves."""
        from vrhub.report.sna import gather_sna, render_sna

        lo, hi = months(period)
        inputs = gather_sna(self.ws, start=lo, end=hi, release=release, definition=self.definition(definition),
                            **options)
        return render_sna(inputs, pdf=pdf)

    def area(self, spec: str, *, vintage: int | None = None) -> Any:
        """The local area ``spec`` names (``analysis.areas.resolve_area``): a group of the workspace's ``areas.csv``
        (a CSP, a ward group), an ONS district / ward / LSOA code, or a district's name."""
        from vrhub.analysis.areas import resolve_area
        from vrhub.ingest.area_groups import FILE_NAME, read_area_groups

        return resolve_area(self.engine, spec, vintage=vintage, groups=read_area_groups(self.home / FILE_NAME))

    def districts(self, *, vintage: int | None = None) -> list[Any]:
        """Every district of the loaded geography as an area (``analysis.areas.district_areas``)."""
        from vrhub.analysis.areas import district_areas

        return district_areas(self.engine, vintage=vintage)

    def sna(self, period: PeriodLike = None, *, out: Path, release: bool = False, pdf: bool = False,
            definition: str | None = None, area: Any = None, **options: Any) -> Any:
        """Build the Strategic Needs Assessment into ``out`` (``report.sna.build_sna``); with ``area`` (see
        :meth:`area`) that local area's, with the partnership's figures beside it. A PDF needs WeasyPrint's Pango;
        without it the error says so and what to do."""
        from vrhub.report.sna import build_sna

        lo, hi = months(period)
        place = self.area(area, vintage=options.get("vintage")) if isinstance(area, str) else area
        try:
            return build_sna(self.ws, out=out, start=lo, end=hi, pdf=pdf, release=release,
                             definition=self.definition(definition), area=place, **options)
        except OSError as exc:
            if pdf and ("pango" in str(exc).lower() or "cannot load library" in str(exc).lower()):
                raise VrhubError(f"the PDF cannot be made on this machine: {exc}",
                                 "install Pango (see WeasyPrint's install guide) or build without --pdf") from exc
            raise

    def sna_areas(self, period: PeriodLike = None, *, out: Path, areas: list[str] | None = None,
                  on_area: Callable[[Any], None] | None = None, **options: Any) -> list[Any]:
        """One SNA per area (default: every district) into ``out``, named by area code; partnership-wide parts computed
        once (``report.sna.area.SnaShared``); ``on_area(area)`` before each."""
        from vrhub.report.sna.area import SnaShared

        vintage = options.get("vintage")
        places = [self.area(a, vintage=vintage) for a in areas] if areas else self.districts(vintage=vintage)
        shared = SnaShared()
        results = []
        lo, hi = months(period)
        for place in places:
            if on_area:
                on_area(place)
            results.append(self.sna((lo, hi), out=out, area=place, shared=shared, **options))
        return results

    # --- the partnership's own words in the SNA ---------------------------------------------------------------------
    def narrative_sections(self) -> list[dict[str, Any]]:
        """The SNA sections the partnership writes for, in page order: ``key`` (the file ``<home>/sna/narrative/
        <key>.md``), ``title``, ``guidance`` (what the board expects there) and ``written`` (whether the file holds
        any words beyond its guidance). See ``report.sna.narrative``."""
        from vrhub.report.sna import narrative

        return [{"key": s.key, "title": s.title, "guidance": s.guidance,
                 "written": bool(narrative.written(narrative.read_narrative(self.home, s.key)))}
                for s in narrative.SECTIONS]

    def read_narrative(self, section: str) -> str:
        """The Markdown of ``section`` as stored (guidance comments included; created with them if missing)."""
        from vrhub.report.sna.narrative import read_narrative

        return read_narrative(self.home, section)

    def save_narrative(self, section: str, text: str) -> Path:
        """Replace ``section``'s Markdown with ``text`` (atomic); the next SNA build shows it, and its hash appears in
        the data-versions appendix. Raw HTML in ``text`` is shown escaped, never as markup."""
        from vrhub.report.sna.narrative import save_narrative

        return save_narrative(self.home, section, text)

    def recommendation_edits(self) -> dict[str, str]:
        """The partnership's wording of the SNA's recommendations, by key (``report.sna.recommendations``)."""
        from vrhub.report.sna.recommendations import load_edits

        return load_edits(self.home)

    def save_recommendation(self, key: str, text: str | None) -> Path:
        """Reword recommendation ``key`` (the keys are listed in the SNA's appendix C); ``None`` or blank restores
        the generated text."""
        from vrhub.report.sna.recommendations import save_edit

        return save_edit(self.home, key, text)

    # --- the board ----------------------------------------------------------------------------------------------
    def board_dashboard(self, period: PeriodLike = None, *, today: dt.date | None = None,
                        definition: str | None = None) -> Result[Any]:
        """The board's dashboard (``library.dashboard.build_board_dashboard``): released figures only — the
        district profile, success measures, findings, action plans and commissioned services' outputs."""
        from vrhub.library.dashboard import build_board_dashboard

        profile = self.profile(period, level="district", definition=definition)
        board = build_board_dashboard(self.ws, profile, today=today or dt.date.today())
        return Result("board_dashboard", board, dict(profile.parameters), list(board.datasets),
                      profile.definition_sha256, profile.citation, released=True, statement=board.statement)
