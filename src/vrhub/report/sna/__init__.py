"""The Strategic Needs Assessment: one reproducible, self-contained, accessible HTML file (and PDF)."""

from vrhub.report.sna.build import SnaResult, build_sna, parse_period

__all__ = ["SnaResult", "build_sna", "parse_period"]
