"""A/B tests of scripts and macros: assignment, results, sequential tests (docs/experiments.md).

import sanjeh.experiments as ex
experiment = ex.get_experiment("greeting")
ex.results(store, experiment).as_dict()
"""

from ._assign import assign, hash_point, variant_for
from ._config import ASSIGNMENTS, DESIGNS, METRICS, Experiment, get_experiment, load_experiments
from ._outcomes import Outcomes, ticket_outcomes
from ._results import STATUSES, ExperimentResults, MetricResult, evaluate, results
from ._stats import SampleSize, sample_size

__all__ = [
    "ASSIGNMENTS",
    "DESIGNS",
    "METRICS",
    "STATUSES",
    "Experiment",
    "ExperimentResults",
    "MetricResult",
    "Outcomes",
    "SampleSize",
    "assign",
    "evaluate",
    "get_experiment",
    "hash_point",
    "load_experiments",
    "results",
    "sample_size",
    "ticket_outcomes",
    "variant_for",
]
