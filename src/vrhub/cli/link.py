"""``vrhub link``: link partners' records without a shared identifier (privacy-preserving probabilistic linkage).

Calls ``Partnership.link`` (:func:`vrhub.analysis.linkage.link_partners`) on the partners' ``vrhub pseudonymise
--linkage`` files and writes ``<home>/linkage/latest/`` (:mod:`vrhub.report.linkage`). Method:
docs/methods/linkage.md; Spark: docs/spark.md.
"""

from __future__ import annotations

from pathlib import Path

import typer

from vrhub.cli.console import out, print_json, steps


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
    from vrhub.cli.context import state

    partnership = state.partnership()
    folder = in_dir or partnership.linkage_inputs
    if synthetic:
        made = partnership.synthetic_linkage_inputs(folder, people=synthetic, seed=seed)
        if not as_json:
            out.print(f"[bold yellow]SYNTHETIC DATA:[/] wrote {sum(made.records.values()):,} invented partner records "
                      f"({synthetic:,} young people) to {folder}")
    with steps(f"Linking ({engine})", 5, enabled=not as_json) as progress:
        result = partnership.link(sources.split(","), in_dir=folder, engine=engine, spark_master=spark_master,
                                  threshold=threshold, truth=truth, model=model, memory_limit=memory_limit,
                                  chunks=chunks, seed=seed, on_step=progress)
        progress("writing the files")
        written = result.write(partnership.home / "linkage" / "latest")
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
