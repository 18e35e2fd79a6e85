"""``vrhub link``: link partners' records without a shared identifier (privacy-preserving probabilistic linkage).

Calls :func:`vrhub.analysis.linkage.link_partners` on the partners' ``vrhub pseudonymise --linkage`` files and
writes ``<home>/linkage/latest/`` (:mod:`vrhub.report.linkage`). Method: docs/methods/linkage.md; Spark:
docs/spark.md.
"""

from __future__ import annotations

from pathlib import Path

import typer

from vrhub.cli.console import out, print_json


def link(
    sources: str = typer.Option("education,youth_justice,ed_istv", "--sources",
                                help="Sources to link, comma-separated: NAME (read from --in) or NAME=PATH."),
    in_dir: Path | None = typer.Option(None, "--in", help="Folder of the partners' linkage files "
                                       "(default: <home>/linkage/inputs)."),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb (one machine) or spark (a cluster)."),
    spark_master: str | None = typer.Option(None, "--spark-master", help="Spark master URL (default local[2])."),
    threshold: float = typer.Option(0.9, "--threshold", help="Match probability at or above which records link."),
    truth: Path | None = typer.Option(None, "--truth", help="Synthetic truth file (default: synthetic-truth.csv "
                                      "in --in when present) to measure precision, recall and F1."),
    model: Path | None = typer.Option(None, "--model", help="A trained model.json to use instead of training."),
    memory_limit: str | None = typer.Option(None, "--memory-limit", help="DuckDB memory limit, e.g. 3GB."),
    chunks: int = typer.Option(1, "--chunks", help="Predict in CHUNKS × CHUNKS pieces to bound memory."),
    seed: int = typer.Option(1, "--seed", help="Seed of the random samples (u estimation, review sample)."),
    synthetic: int | None = typer.Option(None, "--synthetic", min=10, help="First write N invented young people's "
                                         "partner files (with their truth) to --in: for trying the command."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Link records across partners on their keyed encodings (Splink: Fellegi–Sunter, EM; Bloom-filter Dice)."""
    import json

    import pandas as pd

    from vrhub.analysis.linkage import link_partners
    from vrhub.cli.context import state
    from vrhub.domain.errors import VrhubError
    from vrhub.ingest.linkage_files import read_partner_files, source_files
    from vrhub.report.linkage import write_linkage

    if engine not in ("duckdb", "spark"):
        raise VrhubError(f"unknown engine '{engine}'", "use --engine duckdb or --engine spark")
    if not 0 < threshold < 1:
        raise VrhubError(f"the threshold {threshold} is not a probability between 0 and 1", "try --threshold 0.9")
    ws = state.workspace()
    folder = in_dir or ws.home / "linkage" / "inputs"
    if synthetic:
        from vrhub.synth.linkage import generate_linkage_partners

        made = generate_linkage_partners(folder, ws.home / "synthetic-key" / "synthetic-partnership.key",
                                         seed=seed, people=synthetic)
        if not as_json:
            out.print(f"[bold yellow]SYNTHETIC DATA:[/] wrote {sum(made.records.values()):,} invented partner records "
                      f"({synthetic:,} young people) to {folder}")
    files = source_files([s for s in sources.split(",") if s.strip()], folder)
    partner = read_partner_files(files)
    truth_path = truth or (folder / "synthetic-truth.csv" if (folder / "synthetic-truth.csv").is_file() else None)
    truth_frame = pd.read_csv(truth_path, dtype={"record_id": str}) if truth_path else None
    trained = json.loads(model.read_text(encoding="utf-8")) if model else None
    spark = None
    if engine == "spark":
        from vrhub.store.spark import spark_session

        spark = spark_session(spark_master or "local[2]")
    result = link_partners(partner.frames, engine=engine, threshold=threshold, truth=truth_frame, seed=seed,
                           spark=spark, model=trained, memory_limit=memory_limit, chunks=chunks)
    result.report["bad_cells"] = partner.messages()
    written = write_linkage(result, ws.home / "linkage" / "latest", inputs=partner.files)
    if as_json:
        print_json({"folder": str(written), **result.report})
        return
    r = result.report
    out.print(f"Linked {sum(r['records'].values()):,} records of {len(r['records'])} sources into "
              f"{r['clusters']:,} people ({engine}, threshold {threshold}) in {r['seconds']} s")
    for a, targets in r["records_linked_to"].items():
        out.print(f"  {a}: {r['records'][a]:,} records; linked to " + ", ".join(
            f"{b} {n:,}" for b, n in targets.items()))
    e = r["estimated_error"]
    if e["estimated_precision"] is not None:
        out.print(f"  estimated precision {e['estimated_precision']:.3f}; recall ≤ "
                  f"{e['estimated_recall_upper_bound']:.3f} (model estimate)")
    for row in r.get("accuracy", []):
        if row["source_a"] == row["source_b"]:
            continue
        out.print(f"  measured against the synthetic truth, {row['source_a']}–{row['source_b']}: precision "
                  f"{row['precision']:.3f}, recall {row['recall']:.3f}, F1 {row['f1']:.3f}")
    for message in r["bad_cells"]:
        out.print(f"[yellow]{message}[/]")
    out.print(f"Wrote {written}/ (person_links.parquet, clerical_review.csv, report.json, model.json)")
