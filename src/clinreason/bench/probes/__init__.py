"""Robustness probes: documented, deterministic perturbations of benchmark items.

`PERTURBATIONS` maps the KIND of `clinreason probe KIND ...` to its class; each declares what
it expects of the answer (`expectation`). `perturb_dataset` applies one to a dataset with a
generator per item (same seed -> same perturbation); `analysis` pairs the original and
perturbed runs (flips, flip rate, paired accuracy statistics).
"""

from typing import Any

from clinreason.bench.probes.base import (
    PROBE_KEY,
    Edit,
    Expectation,
    Perturbation,
    Perturbed,
    case_rng,
    perturb_dataset,
)
from clinreason.bench.probes.demographics import Demographics
from clinreason.bench.probes.distractor import Distractor
from clinreason.bench.probes.negation import Negation
from clinreason.bench.probes.numeric import NumericFormat
from clinreason.bench.probes.options import OptionOrder

PERTURBATIONS: dict[str, Any] = {
    "option-order": OptionOrder,
    "numeric-format": NumericFormat,
    "distractor": Distractor,
    "demographics": Demographics,
    "negation": Negation,
}

__all__ = [
    "PERTURBATIONS",
    "PROBE_KEY",
    "Demographics",
    "Distractor",
    "Edit",
    "Expectation",
    "Negation",
    "NumericFormat",
    "OptionOrder",
    "Perturbation",
    "Perturbed",
    "case_rng",
    "perturb_dataset",
]
