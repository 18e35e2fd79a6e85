"""Linkage encodings made at source: what lets partners' records be linked without a shared identifier and
without names, dates of birth or postcodes leaving the partner in clear.

``vrhub pseudonymise --linkage`` adds these columns to a pseudonymised file (all keyed with the partnership's
key, so that a party without the key can neither compute nor reverse them):

* ``lk_given``, ``lk_family``: keyed hashes of the normalised first given name and family name
  (:func:`vrhub.domain.identifiers.fold_name`; family-name words joined), both as the same kind of value
  (``name``), so that given and family name swapped between partners is seen;
* ``lk_given_soundex`` / ``_metaphone`` / ``_nysiis`` and the same for the family name: keyed hashes of the
  name's phonetic codes (Soundex, Russell & Odell 1918; Metaphone, Philips 1990; NYSIIS, Taft 1970; computed by
  jellyfish), so that ``Jon``/``John`` or ``Smyth``/``Smith`` agree on a code;
* ``lk_dob`` and ``lk_dob_year``, ``lk_dob_month``, ``lk_dob_day``: keyed hashes of the date of birth and of its
  parts, so that a date with one part wrong (a typing error) still agrees on two; day and month are hashed as the
  same kind of value (``dob_day_month``), so that a day and month transposed (``07/03`` for ``03/07``) is seen;
* ``lk_sex``: keyed hash of ``male``/``female`` (other values: empty);
* ``lk_postcode_sector``: keyed hash of the postcode sector (``ME14 1``), not the full postcode;
* ``lk_bloom``: a 1,024-bit cryptographic long-term key (CLK; Schnell, Bachteler & Reiher 2009, 2011) of the
  given and family names, as 256 hex digits. Each name's bigrams (of the name padded with ``_``, tagged with
  the field so that the same bigram in given and family name sets different bits) set ``BLOOM_HASHES`` bits,
  chosen from one HMAC-SHA256 digest per bigram (10 bits per position: random hashing, not the double hashing
  of the 2009 paper, which Niedermeyer et al. 2014 broke). Two names' similarity is the Dice coefficient of
  their filters, ``2|A∧B| / (|A| + |B|)``, which survives typing errors a keyed hash does not.

Every hash is ``HMAC-SHA256(key, "vrhub-pseudonym-v1|lk_<field>|<value>")`` truncated to ``LK_HEX_DIGITS`` hex
digits (64 bits: collisions among the few million distinct values of a field are improbable, and the file is a
quarter of the size). The threat model (what the key protects, frequency and pattern attacks on the filters,
key rotation) is in docs/sources/pseudonymisation.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Protocol

import jellyfish

from vrhub.domain import identifiers as ids


class PseudonymKey(Protocol):
    """What the encoder needs of the partnership's key (``vrhub.ingest.pseudonymise.PseudonymKey`` is one): a
    Protocol, so that ``pseudonymise`` may use this module without an import cycle."""

    @property
    def secret(self) -> bytes: ...

    def pseudonym(self, field: str, value: str) -> str: ...

CITATION = ("Schnell R, Bachteler T, Reiher J. Privacy-preserving record linkage using Bloom filters. BMC Med Inform "
            "Decis Mak 2009;9:41; Schnell R, Bachteler T, Reiher J. A novel error-tolerant anonymous linking code. "
            "German Record Linkage Center WP-GRLC-2011-02 (CLK); Niedermeyer F, Steinmetzer S, Kroll M, Schnell R. "
            "Cryptanalysis of basic Bloom filters used for privacy preserving record linkage. J Priv Confid "
            "2014;6(2) (why random hashing); phonetic codes by jellyfish (Soundex, Metaphone, NYSIIS).")
LK_HEX_DIGITS = 16
BLOOM_BITS = 1024
BLOOM_HASHES = 20
_BITS_PER_POSITION = 10  # 2**10 == BLOOM_BITS
SEXES = {"m": "male", "male": "male", "boy": "male", "1": "male", "f": "female", "female": "female",
         "girl": "female", "2": "female"}
LINKAGE_COLUMNS = ("lk_given", "lk_family", "lk_given_soundex", "lk_given_metaphone", "lk_given_nysiis",
                   "lk_family_soundex", "lk_family_metaphone", "lk_family_nysiis", "lk_dob", "lk_dob_year",
                   "lk_dob_month", "lk_dob_day", "lk_sex", "lk_postcode_sector", "lk_bloom")


def name_tokens(given: object, family: object) -> tuple[str, str]:
    """(first given name, family name) folded as for pseudonyms (``fold_name``; titles dropped; family-name words
    joined); empty strings where missing."""
    given_words = [w for w in ids.fold_name(ids.cell_text(given)) if w not in ids._TITLES]
    return (given_words[0] if given_words else ""), "".join(ids.fold_name(ids.cell_text(family)))


def postcode_sector(value: object) -> str:
    """The postcode sector (``ME14 1``) of a full postcode, or ``""``."""
    full = ids.normalise_postcode(value)
    return full.value[:-2] if full.ok else ""  # type: ignore[index]


def _ascii(token: str) -> str:
    return token if token.isascii() else token.encode("ascii", "ignore").decode()


class LinkageEncoder:
    """Computes the ``lk_*`` columns of one person with the partnership key (module docstring)."""

    def __init__(self, key: PseudonymKey) -> None:
        self._key = key
        self._bloom = hmac.new(key.secret, b"vrhub-pseudonym-v1|lk_bloom|", digestmod=hashlib.sha256)
        self._bigram_bits: dict[str, int] = {}
        self._hashes: dict[tuple[str, str], str] = {}  # names and dates repeat: hash each value once

    def _hash(self, field: str, value: str) -> str:
        if not value:
            return ""
        found = self._hashes.get((field, value))
        if found is None:
            found = self._key.pseudonym(f"lk_{field}", value)[:LK_HEX_DIGITS]
            if len(self._hashes) < 500_000:
                self._hashes[(field, value)] = found
        return found

    def _bits(self, tagged_bigram: str) -> int:
        bits = self._bigram_bits.get(tagged_bigram)
        if bits is None:
            mac = self._bloom.copy()
            mac.update(tagged_bigram.encode())
            digest = int.from_bytes(mac.digest(), "big")
            bits = 0
            for i in range(BLOOM_HASHES):
                bits |= 1 << ((digest >> (i * _BITS_PER_POSITION)) & (BLOOM_BITS - 1))
            if len(self._bigram_bits) < 200_000:
                self._bigram_bits[tagged_bigram] = bits
        return bits

    def bloom(self, given: str, family: str) -> str:
        """The CLK of two folded names as ``BLOOM_BITS // 4`` hex digits (``""`` when both are empty)."""
        if not given and not family:
            return ""
        bits = 0
        for tag, token in (("g", given), ("f", family)):
            if token:
                padded = f"_{token}_"
                for i in range(len(padded) - 1):
                    bits |= self._bits(f"{tag}{padded[i:i + 2]}")
        return f"{bits:0{BLOOM_BITS // 4}x}"

    def encode(self, given: object, family: object, date_of_birth: str | None, sex: object = None,
               postcode: object = None) -> list[str]:
        """The ``LINKAGE_COLUMNS`` values for one person; ``date_of_birth`` is ISO (``YYYY-MM-DD``) or ``None``."""
        g, f = name_tokens(given, family)
        out = [self._hash("name", g), self._hash("name", f)]  # one kind for both: a swap is seen
        for token, field in ((g, "given"), (f, "family")):
            a = _ascii(token)
            out += [self._hash(f"{field}_soundex", jellyfish.soundex(a) if a else ""),
                    self._hash(f"{field}_metaphone", jellyfish.metaphone(a) if a else ""),
                    self._hash(f"{field}_nysiis", jellyfish.nysiis(a) if a else "")]
        if date_of_birth:
            born = dt.date.fromisoformat(date_of_birth)
            out += [self._hash("dob", date_of_birth), self._hash("dob_year", str(born.year)),
                    self._hash("dob_day_month", str(born.month)), self._hash("dob_day_month", str(born.day))]
        else:
            out += ["", "", "", ""]
        out.append(self._hash("sex", SEXES.get(ids.cell_text(sex).casefold(), "")))
        out.append(self._hash("postcode_sector", postcode_sector(postcode)))
        out.append(self.bloom(g, f))
        return out


def dice(a: str, b: str) -> float:
    """The Dice coefficient ``2|A∧B| / (|A| + |B|)`` of two hex Bloom filters (0 when either is empty)."""
    if not a or not b:
        return 0.0
    x, y = int(a, 16), int(b, 16)
    total = x.bit_count() + y.bit_count()
    return 2 * (x & y).bit_count() / total if total else 0.0
