"""Value for money: unit costs of crime, price years and deflators, cost-effectiveness and scale-up.

- :class:`Money` - an amount with its price year; adding different price years raises
  :class:`PriceYearMismatchError`
- :func:`load_gdp_deflators`, :func:`rebase` - HM Treasury GDP deflators (financial years)
- :func:`load_unit_costs` - Home Office unit costs of crime (Heeks et al. 2018, 2015/16 prices)
- :func:`yef_prior` - YEF Toolkit bands as planning priors (always labelled as such)
- :func:`cost_effectiveness`, :func:`cost_per_participant` - BCR and cost per offence prevented
- :func:`project_scale_up` - more districts or participants, with the assumptions listed
"""

from vrhub.analysis.value.cost_effectiveness import (
    CostEffectivenessResult,
    Interval,
    cost_effectiveness,
    cost_per_participant,
)
from vrhub.analysis.value.deflators import DeflatorTable, load_gdp_deflators, rebase
from vrhub.analysis.value.prices import (
    Money,
    PriceYearMismatchError,
    ValueInputError,
    financial_year,
    total,
)
from vrhub.analysis.value.scale_up import ScaleUpProjection, ScaleUpScenario, project_scale_up
from vrhub.analysis.value.unit_costs import UnitCost, UnitCostTable, load_unit_costs
from vrhub.analysis.value.yef_toolkit import PLANNING_LABEL, PlanningPrior, yef_prior, yef_priors

__all__ = [
    "PLANNING_LABEL",
    "CostEffectivenessResult",
    "DeflatorTable",
    "Interval",
    "Money",
    "PlanningPrior",
    "PriceYearMismatchError",
    "ScaleUpProjection",
    "ScaleUpScenario",
    "UnitCost",
    "UnitCostTable",
    "ValueInputError",
    "cost_effectiveness",
    "cost_per_participant",
    "financial_year",
    "load_gdp_deflators",
    "load_unit_costs",
    "project_scale_up",
    "rebase",
    "total",
    "yef_prior",
    "yef_priors",
]
