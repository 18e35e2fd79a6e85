"""The Strategic Needs Assessment: one reproducible, self-contained, accessible HTML file (and PDF)."""

from vrhub.report.sna.build import (
    RenderedSna,
    SnaInputs,
    SnaResult,
    build_sna,
    gather_sna,
    parse_period,
    render_sna,
)

__all__ = ["RenderedSna", "SnaInputs", "SnaResult", "build_sna", "gather_sna", "parse_period", "render_sna"]
