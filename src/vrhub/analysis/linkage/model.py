"""The Fellegi–Sunter model of ``vrhub link``: the records table, comparisons and blocking rules, as a Splink 5
settings dictionary that runs unchanged on DuckDB and on Spark.

Records are the partners' rows with their ``lk_*`` encodings (:mod:`vrhub.ingest.linkage_encoding`). The
1,024-bit Bloom filter is split into ``BLOOM_WORDS`` signed 64-bit integers (``bf_0`` … ``bf_15``) and its
population count (``bf_bits``), so that the Dice coefficient ``2|A∧B| / (|A| + |B|)`` is plain SQL that both
engines run: ``bit_count(bf_i_l & bf_i_r)`` summed over the words (DuckDB and Spark SQL both have ``bit_count`` and
``&`` on BIGINT).

Comparisons (each level's m and u trained; Fellegi & Sunter 1969):

* ``names`` (one hierarchy, so that name evidence is not counted twice): both hashes equal; given and family
  swapped; one equal and the other phonetically equal (Metaphone, NYSIIS or Soundex); Dice of the Bloom filters
  ≥ 0.9; both phonetically equal; Dice ≥ 0.75; family name only; given name only; Dice ≥ 0.6; else.
* ``dob``: equal; day and month transposed; two of year, month, day equal; year equal; else.
* ``sex``, ``postcode_sector``: equal; else.

Nulls (a missing field) are a null level: no evidence either way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from vrhub.ingest.linkage_encoding import BLOOM_BITS, LINKAGE_COLUMNS

BLOOM_WORDS = BLOOM_BITS // 64
KEY_COLUMNS = ("unique_id", "partner", "record_id")
MODEL_COLUMNS = tuple(c for c in LINKAGE_COLUMNS if c != "lk_bloom")
BF_COLUMNS = tuple(f"bf_{i}" for i in range(BLOOM_WORDS))

BLOCKING_RULES = (
    "l.lk_dob = r.lk_dob and l.lk_family_soundex = r.lk_family_soundex",
    "l.lk_dob = r.lk_dob and l.lk_given_soundex = r.lk_given_soundex",
    "l.lk_given = r.lk_given and l.lk_family = r.lk_family and l.lk_dob_year = r.lk_dob_year",
    "l.lk_given_metaphone = r.lk_given_metaphone and l.lk_family_metaphone = r.lk_family_metaphone "
    "and l.lk_postcode_sector = r.lk_postcode_sector",
    "l.lk_given = r.lk_family and l.lk_family = r.lk_given",
    "l.lk_given_soundex = r.lk_given_soundex and l.lk_family_soundex = r.lk_family_soundex "
    "and l.lk_dob_year = r.lk_dob_year",
    "l.lk_family = r.lk_family and l.lk_dob_month = r.lk_dob_month and l.lk_dob_day = r.lk_dob_day",
    "l.lk_given = r.lk_given and l.lk_family = r.lk_family and l.lk_sex = r.lk_sex",
    "l.lk_dob = r.lk_dob and l.lk_postcode_sector = r.lk_postcode_sector",
)
TRAINING_RULES = ("l.lk_dob = r.lk_dob", "l.lk_given = r.lk_given and l.lk_family = r.lk_family")
DETERMINISTIC_RULES = ("l.lk_given = r.lk_given and l.lk_family = r.lk_family and l.lk_dob = r.lk_dob",)
DICE_LEVELS = (0.9, 0.75, 0.6)


def bloom_words(hex_filters: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(n × ``BLOOM_WORDS`` int64 words, n bit counts) of hex Bloom filters; empty filters give zero words and a
    count of 0 (the caller turns them into nulls)."""
    n = len(hex_filters)
    width = BLOOM_BITS // 4
    text = hex_filters.fillna("").astype(str)
    full = text.str.len() == width
    raw = bytes.fromhex("".join(t if ok else "0" * width for t, ok in zip(text, full, strict=True)))
    words = np.frombuffer(raw, dtype=">i8").astype(np.int64).reshape(n, BLOOM_WORDS) if n else np.zeros(
        (0, BLOOM_WORDS), np.int64)
    bits = np.unpackbits(np.frombuffer(raw, dtype=np.uint8).reshape(n, -1), axis=1).sum(axis=1) if n else \
        np.zeros(0, np.int64)
    return words, bits.astype(np.int64)


def records_frame(frames: dict[str, pd.DataFrame], *, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """One table of every partner's records for Splink: ``unique_id`` (``<partner>:<record id>``), ``partner``,
    ``record_id``, the ``lk_*`` encodings (empty → null), the Bloom filter's words and bit count, and ``extra``
    columns where a partner has them."""
    parts = []
    for partner, df in frames.items():
        ids = (df["Record number"] if "Record number" in df else pd.Series(range(2, len(df) + 2))).astype(str)
        part = pd.DataFrame({"unique_id": partner + ":" + ids.to_numpy(), "partner": partner,
                             "record_id": ids.to_numpy()})
        for c in MODEL_COLUMNS:
            part[c] = df[c].replace("", None).to_numpy() if c in df else None
        words, bits = bloom_words(df["lk_bloom"] if "lk_bloom" in df else pd.Series([""] * len(df)))
        empty = bits == 0
        for i, c in enumerate(BF_COLUMNS):
            part[c] = pd.array(np.where(empty, 0, words[:, i]), dtype="Int64")
            part.loc[empty, c] = pd.NA
        part["bf_bits"] = pd.array(bits, dtype="Int64")
        part.loc[empty, "bf_bits"] = pd.NA
        for c in extra:
            part[c] = df[c].to_numpy() if c in df else None
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def dice_sql() -> str:
    """SQL for the Dice coefficient of the two records' Bloom filters (DuckDB and Spark SQL)."""
    shared = " + ".join(f"CAST(bit_count(bf_{i}_l & bf_{i}_r) AS INTEGER)" for i in range(BLOOM_WORDS))
    return f"(2.0 * ({shared}) / (bf_bits_l + bf_bits_r))"


def _level(sql: str, label: str, null: bool = False) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    return level


def _else() -> dict[str, Any]:
    return _level("ELSE", "All other comparisons")


def comparisons() -> list[dict[str, Any]]:
    """The comparisons (module docstring) as Splink settings."""
    dice = dice_sql()
    def phonetic(field: str) -> str:
        col = f"lk_{field}"
        codes = ("metaphone", "nysiis", "soundex")
        return "(" + " OR ".join(f"{col}_{code}_l = {col}_{code}_r" for code in codes) + ")"

    given, family = "lk_given_l = lk_given_r", "lk_family_l = lk_family_r"
    names = {"output_column_name": "names",
             "comparison_description": "Names: hashes, phonetic codes and Bloom-filter Dice, in one hierarchy",
             "comparison_levels": [
                 _level("(lk_given_l IS NULL OR lk_given_r IS NULL) AND (bf_bits_l IS NULL OR bf_bits_r IS NULL)",
                        "Null", null=True),
                 _level(f"{given} AND {family}", "Exact names"),
                 _level("lk_given_l = lk_family_r AND lk_family_l = lk_given_r", "Given and family swapped"),
                 _level(f"({given} AND {phonetic('family')}) OR ({family} AND {phonetic('given')})",
                        "One name exact, the other phonetically equal"),
                 _level(f"{dice} >= {DICE_LEVELS[0]}", f"Dice >= {DICE_LEVELS[0]}"),
                 _level(f"{phonetic('given')} AND {phonetic('family')}", "Both names phonetically equal"),
                 _level(f"{dice} >= {DICE_LEVELS[1]}", f"Dice >= {DICE_LEVELS[1]}"),
                 _level(family, "Family name exact, given name different"),
                 _level(given, "Given name exact, family name different"),
                 _level(f"{dice} >= {DICE_LEVELS[2]}", f"Dice >= {DICE_LEVELS[2]}"),
                 _else()]}
    out = [names]
    parts = ("lk_dob_year", "lk_dob_month", "lk_dob_day")
    two = " OR ".join(f"({a}_l = {a}_r AND {b}_l = {b}_r)" for i, a in enumerate(parts) for b in parts[i + 1:])
    out.append({"output_column_name": "dob", "comparison_description": "Date of birth and its parts",
                "comparison_levels": [
                    _level("lk_dob_l IS NULL OR lk_dob_r IS NULL", "Null", null=True),
                    _level("lk_dob_l = lk_dob_r", "Exact"),
                    _level("lk_dob_year_l = lk_dob_year_r AND lk_dob_month_l = lk_dob_day_r "
                           "AND lk_dob_day_l = lk_dob_month_r", "Day and month transposed"),
                    _level(two, "Two of year, month, day"),
                    _level("lk_dob_year_l = lk_dob_year_r", "Year"),
                    _else()]})
    for col, name in (("lk_sex", "sex"), ("lk_postcode_sector", "postcode_sector")):
        out.append({"output_column_name": name, "comparison_description": name.replace("_", " "),
                    "comparison_levels": [_level(f"{col}_l IS NULL OR {col}_r IS NULL", "Null", null=True),
                                          _level(f"{col}_l = {col}_r", "Exact"), _else()]})
    return out


def settings(dialect: str = "duckdb") -> dict[str, Any]:
    """The Splink settings dictionary for ``dialect`` (``duckdb`` or ``spark``)."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "sql_dialect": dialect,
        "comparisons": comparisons(),
        "blocking_rules_to_generate_predictions": [{"blocking_rule": r, "sql_dialect": dialect}
                                                   for r in BLOCKING_RULES],
        "additional_columns_to_retain": ["partner", "record_id"],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "probability_two_random_records_match": 1e-4,
    }
