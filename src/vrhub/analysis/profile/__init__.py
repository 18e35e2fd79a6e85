"""The problem profile (step 1 of the public-health approach): who, what, where, when and why."""

from vrhub.analysis.profile.build import Profile, Section, build_profile, concentration, parse_month
from vrhub.analysis.profile.trend import RateRatio, TrendResult, fit_trend, rate_ratio

__all__ = ["Profile", "RateRatio", "Section", "TrendResult", "build_profile", "concentration", "fit_trend",
           "parse_month", "rate_ratio"]
