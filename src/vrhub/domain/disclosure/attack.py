"""An attacker on whole released outputs: can any count be pinned down from everything released?

:func:`vrhub.domain.disclosure.audit` attacks published *tables* with linear and integer programming. A released
output is more than its tables: totals in notes, trends, odds ratios, model coefficients, and other releases over
overlapping periods. This attacker treats the release as a function — exact data in, released output out — and
knows it (the disclosure rules are public: Kerckhoffs's principle, as in Hundepool et al. 2012, ch. 4). A count
is *pinned down* when every exact dataset that the release maps to the observed output gives it the same value.

- :func:`exhaustive` enumerates every candidate in a small box of unknowns and keeps those whose release equals the
  observed one: the exact feasible values of each unknown.
- :func:`witnesses` proves counts are *not* pinned without enumerating: for each unknown it looks for another
  exact dataset — changing that unknown, alone or with a compensating change of another — whose release is
  identical to the observed one. A count with such a witness cannot be told from the alternative by anyone who
  sees only the release. One without is reported as pinned (the search is bounded, so a report of "pinned" means
  "no witness found", the safe side for a test).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AttackResult:
    """Per unknown: the values found consistent with the release (the true value included)."""

    feasible: dict[Hashable, set[int]]
    tried: int
    notes: list[str] = field(default_factory=list)

    @property
    def pinned(self) -> list[Hashable]:
        """Unknowns whose consistent values are a single value: the attacker knows them exactly."""
        return [k for k, v in self.feasible.items() if len(v) <= 1]

    def width(self, key: Hashable) -> int:
        """The number of consistent values found for ``key``."""
        return len(self.feasible[key])


def exhaustive(boxes: Mapping[Hashable, Sequence[int]], release: Callable[[dict[Hashable, int]], Any],
               observed: Any, *, limit: int = 20_000) -> AttackResult:
    """Every candidate in the product of ``boxes`` whose ``release`` equals ``observed``; the feasible values of
    each unknown. Refuses more than ``limit`` candidates (use :func:`witnesses`)."""
    keys = list(boxes)
    total = 1
    for k in keys:
        total *= len(boxes[k])
    if total > limit:
        raise ValueError(f"{total} candidates is more than the limit of {limit}: narrow the boxes or use witnesses()")
    feasible: dict[Hashable, set[int]] = {k: set() for k in keys}
    for values in itertools.product(*(boxes[k] for k in keys)):
        candidate = dict(zip(keys, values, strict=True))
        if release(candidate) == observed:
            for k, v in candidate.items():
                feasible[k].add(v)
    return AttackResult(feasible, total)


def witnesses(truth: Mapping[Hashable, int], boxes: Mapping[Hashable, Sequence[int]],
              release: Callable[[dict[Hashable, int]], Any], *, observed: Any = None,
              pairs: bool = True) -> AttackResult:
    """For each unknown, look for a candidate other than ``truth`` with the same release (module docstring).

    First each other value of the unknown alone, nearest first; then (``pairs``) the unknown moved by ``d`` while
    another moves by ``-d`` (keeping their sum, so that a published total stays the same) or by ``+d``. Stops at the
    first witness for each unknown.
    """
    truth = dict(truth)
    observed = release(truth) if observed is None else observed
    feasible: dict[Hashable, set[int]] = {k: {truth[k]} for k in truth}
    tried = 0

    def consistent(candidate: dict[Hashable, int]) -> bool:
        nonlocal tried
        tried += 1
        return release(candidate) == observed

    def nearest(key: Hashable) -> list[int]:
        return sorted((v for v in boxes[key] if v != truth[key]), key=lambda v: (abs(v - truth[key]), v))

    for key in truth:
        if len(feasible[key]) > 1:
            continue  # a witness for another unknown already moved this one
        for v in nearest(key):
            if consistent(truth | {key: v}):
                feasible[key].add(v)
                break
        if len(feasible[key]) > 1 or not pairs:
            continue
        done = False
        for v in nearest(key):
            d = v - truth[key]
            for other in truth:
                if other == key:
                    continue
                for w in (truth[other] - d, truth[other] + d):
                    if w in boxes[other] and consistent(truth | {key: v, other: w}):
                        feasible[key].add(v)
                        feasible[other].add(w)
                        done = True
                        break
                if done:
                    break
            if done:
                break
    return AttackResult(feasible, tried)
